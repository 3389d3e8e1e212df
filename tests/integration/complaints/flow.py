"""Shared helpers for the complaint tests: GraphQL documents and a client on a manual clock."""

from __future__ import annotations

import base64
import io
from datetime import date
from typing import Any

import docx

from tests.support import GraphQLClient

FILE = """mutation($i: ComplaintFileInput!) { complaintFile(input: $i) {
  trackingCode secret status errors { field code message } } }"""
TRACK = """mutation($i: ComplaintTrackInput!) { complaintTrack(input: $i) {
  complaint { trackingCode status outcome answer canRate canReopen satisfied correctionItems
    refusalGround notices { kind number contentBase64 } }
  errors { field code message } } }"""
RATE = """mutation($i: ComplaintRateInput!) { complaintRate(input: $i) {
  complaint { status satisfied canRate } errors { field code message } } }"""
COMPLAINT_FIELDS = """id trackingCode status outcome regime answer reviewOn acceptedOn
  refusalGround procurementSuspended
  handlingDepartment { key } receivingDepartment { key }
  notices { kind number rules sha256 contentBase64 }
  obligations { rule { id } status due metOn paused }
  timeline { sequence actor action details }"""
FIND = (
    "query($c: JurisdictionCode!) { complaints(under: $c, first: 100) { nodes { id trackingCode "
    "} } }"
)
ONE = "query($id: ID!) { complaint(id: $id) { " + COMPLAINT_FIELDS + " } }"


RUNNING = ("OPEN", "OVERDUE")


def move(name: str, input_type: str) -> str:
    return (
        f"mutation($i: {input_type}!) {{ {name}(input: $i) {{ complaint {{ {COMPLAINT_FIELDS} }} "
        "errors { field code message } } }"
    )


def filing(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "jurisdiction": "422825",
        "regime": "TENDERING",
        "category": "EVALUATION",
        "title": "评标委员会未按招标文件规定的标准评审",
        "body": "2026年9月25日开标的县城污水管网改造工程，评标委员会对我公司的业绩不予认可。",
        "anonymous": False,
        "filerName": "恩施某建设工程有限公司",
        "filerContact": "0718-1234567",
        "projectCode": "XE-2026-GC-017",
        "knewOn": "2026-09-26",
    }
    return {**base, **overrides}


async def file_complaint(gql: GraphQLClient, **overrides: Any) -> tuple[str, str, str]:
    """File and find the complaint's global id (as the 宣恩县 office sees it)."""
    answer = (await gql.data(FILE, {"i": filing(**overrides)}))["complaintFile"]
    assert answer["errors"] == [], answer["errors"]
    code, secret = answer["trackingCode"], answer["secret"]
    jurisdiction = overrides.get("jurisdiction", "422825")
    place = {"422825": "xuanen", "422800": "enshi", "421303": "zengdu"}[jurisdiction]
    nodes = (await gql.data(FIND, {"c": jurisdiction}, login=f"{place}.office"))["complaints"][
        "nodes"
    ]
    (found,) = [n["id"] for n in nodes if n["trackingCode"] == code]
    return found, code, secret


async def do(
    gql: GraphQLClient, name: str, input_type: str, login: str, **fields: Any
) -> dict[str, Any]:
    body = await gql(move(name, input_type), {"i": fields}, login=login)
    assert "errors" not in body, body["errors"]
    result: dict[str, Any] = body["data"][name]
    return result


async def ok(
    gql: GraphQLClient, name: str, input_type: str, login: str, **fields: Any
) -> dict[str, Any]:
    result = await do(gql, name, input_type, login, **fields)
    assert result["errors"] == [], result["errors"]
    complaint: dict[str, Any] = result["complaint"]
    return complaint


def clocks(complaint: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each rule's clock: the one still running, else the newest."""
    found: dict[str, dict[str, Any]] = {}
    for o in complaint["obligations"]:
        known = found.get(o["rule"]["id"])
        if known is None or known["status"] not in RUNNING or o["status"] in RUNNING:
            found[o["rule"]["id"]] = {**o, "ruleId": o["rule"]["id"], "dueOn": o["due"]}
    return found


def docx_text(content_base64: str) -> str:
    document = docx.Document(io.BytesIO(base64.b64decode(content_base64)))
    return "\n".join(p.text for p in document.paragraphs)


def day(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)
