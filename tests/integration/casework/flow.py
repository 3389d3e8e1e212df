"""Shared helpers for the casework tests: GraphQL documents, department ids, moves."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from tests.support import GraphQLClient

PDF = b"%PDF-1.4\n% casework test material\n%%EOF\n"
TXT = "调查笔录：2026年9月20日现场检查记录。\n".encode()

TRANSFER_FIELDS = """id number status ground title facts discoveredOn sentOn
  senderJurisdiction { code } senderDepartment { key }
  receiverJurisdiction { code } receiverDepartment { key }
  materials { filename sha256 size contentBase64 }
  receipt { receivedOn receivedBy digest }
  acceptedOn returnedOn returnReason forwardedOn forwardReason
  forwardedToJurisdiction { code } forwardedToDepartment { key } forwardedFromId
  concludedOn result reportedOn closedOn
  documents { kind number sha256 contentBase64 issuerJurisdiction { code } }
  obligations { rule { id } status due metOn jurisdiction { code }
    calendar { jurisdiction { code } } }"""
ONE = "query($id: ID!) { caseTransfer(id: $id) { " + TRANSFER_FIELDS + " } }"
LIST = """query($under: JurisdictionCode, $incoming: Boolean!) {
  caseTransfers(under: $under, incoming: $incoming, first: 100) { nodes { id number status } } }"""
DEPARTMENTS = "query($c: JurisdictionCode!) { jurisdiction(code: $c) { departments { id key } } }"


def material(name: str, media_type: str, content: bytes) -> dict[str, Any]:
    return {
        "filename": name,
        "mediaType": media_type,
        "content": base64.b64encode(content).decode(),
    }


MATERIALS = [
    material("移送函附件-调查笔录.pdf", "application/pdf", PDF),
    material("证据清单.txt", "text/plain", TXT),
]
HASHES = [hashlib.sha256(PDF).hexdigest(), hashlib.sha256(TXT).hexdigest()]


def move_doc(name: str, input_type: str) -> str:
    return (
        f"mutation($i: {input_type}!) {{ {name}(input: $i) {{ transfer {{ {TRANSFER_FIELDS} }} "
        "onward { id number status receiverJurisdiction { code } } "
        "errors { field code message } } }"
    )


async def department_id(gql: GraphQLClient, code: str, key: str, login: str) -> str:
    data = await gql.data(DEPARTMENTS, {"c": code}, login=login)
    (found,) = [d["id"] for d in data["jurisdiction"]["departments"] if d["key"] == key]
    return str(found)


async def do(
    gql: GraphQLClient, name: str, input_type: str, login: str, **fields: Any
) -> dict[str, Any]:
    body = await gql(move_doc(name, input_type), {"i": fields}, login=login)
    assert "errors" not in body, body["errors"]
    result: dict[str, Any] = body["data"][name]
    return result


async def ok(
    gql: GraphQLClient, name: str, input_type: str, login: str, **fields: Any
) -> dict[str, Any]:
    result = await do(gql, name, input_type, login, **fields)
    assert result["errors"] == [], result["errors"]
    return result


def docx_text(content_base64: str) -> str:
    import io

    import docx

    document = docx.Document(io.BytesIO(base64.b64decode(content_base64)))
    return "\n".join(p.text for p in document.paragraphs)


def clocks(transfer: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {o["rule"]["id"]: o for o in transfer["obligations"]}
