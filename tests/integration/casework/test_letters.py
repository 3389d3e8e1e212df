"""Assistance letters (R-10) through GraphQL: one returned as out of scope within 5 working days
(with its reason; none without), one answered; the helper sees exactly the letter and its
evidence while the grant lasts."""

from __future__ import annotations

from datetime import date
from typing import Any

from tests.integration.casework.flow import HASHES, MATERIALS, department_id
from tests.support import GraphQLClient
from xietong.deadlines.clock import ManualClock

REQUESTER, HELPER = "zengdu.housing", "wuhua.housing"
FIELDS = """id number status caseSummary returnedOn returnReason answer closedOn
  documents { kind }
  materials { sha256 } obligations { rule { id } status due metOn jurisdiction { code } }"""
ONE = "query($id: ID!) { assistanceLetter(id: $id) { " + FIELDS + " } }"
INCOMING = "query { assistanceLetters(incoming: true, first: 50) { nodes { id } } }"


def doc(name: str, input_type: str) -> str:
    return (
        f"mutation($i: {input_type}!) {{ {name}(input: $i) {{ letter {{ {FIELDS} }} "
        "errors { field code message } } }"
    )


async def call(gql: GraphQLClient, name: str, input_type: str, login: str, **fields: Any) -> Any:
    body = await gql(doc(name, input_type), {"i": fields}, login=login)
    assert "errors" not in body, body["errors"]
    return body["data"][name]


async def letter(gql: GraphQLClient) -> dict[str, Any]:
    helper = await department_id(gql, "530102", "wuhua-housing", HELPER)
    sent = await call(
        gql,
        "assistanceLetterSend",
        "AssistanceLetterSendInput",
        REQUESTER,
        helperJurisdiction="530102",
        helperDepartmentId=helper,
        caseSummary="曾都区某道路工程投标人涉嫌提供虚假业绩。",
        helpAsked="请协助核实该公司在五华区承建项目的竣工验收资料。",
        reasons="相关工程位于五华区，资料由贵局备案。",
        materials=MATERIALS,
    )
    assert sent["errors"] == []
    result: dict[str, Any] = sent["letter"]
    return result


async def test_a_letter_returned_as_out_of_scope_within_five_working_days(
    cgql: GraphQLClient, clock: ManualClock
) -> None:
    sent = await letter(cgql)
    ident = sent["id"]
    seen = (await cgql.data(ONE, {"id": ident}, login=HELPER))["assistanceLetter"]
    assert [m["sha256"] for m in seen["materials"]] == HASHES
    assert [
        n["id"] for n in (await cgql.data(INCOMING, login=HELPER))["assistanceLetters"]["nodes"]
    ] == [ident]
    assert (await cgql.data(ONE, {"id": ident}, login="wuhua.water"))["assistanceLetter"] is None

    clock.advance(days=1)  # received 29 September
    received = (
        await call(cgql, "assistanceLetterReceive", "AssistanceLetterRefInput", HELPER, id=ident)
    )["letter"]
    (back,) = received["obligations"]
    assert back["rule"]["id"] == "R10.return_letter"
    assert back["jurisdiction"]["code"] == "530102"
    assert date.fromisoformat(back["due"]) == date(2026, 10, 12)

    # A refusal without a reason is not a move; the requester cannot return its own letter.
    bare = await call(
        cgql, "assistanceLetterReturn", "AssistanceLetterReturnInput", HELPER, id=ident
    )
    assert [e["code"] for e in bare["errors"]] == ["REASON_REQUIRED"]
    own = await call(
        cgql,
        "assistanceLetterReturn",
        "AssistanceLetterReturnInput",
        REQUESTER,
        id=ident,
        reason="x",
    )
    assert [e["code"] for e in own["errors"]] == ["NOT_YOUR_MOVE"]

    clock.advance(days=9)  # 8 October: the 4th working day after receipt
    returned = (
        await call(
            cgql,
            "assistanceLetterReturn",
            "AssistanceLetterReturnInput",
            HELPER,
            id=ident,
            reason="竣工验收备案由昆明市住房和城乡建设局办理，超出本局职能。",
        )
    )["letter"]
    assert returned["status"] == "RETURNED"
    assert [d["kind"] for d in returned["documents"]] == ["ASSISTANCE_LETTER", "LETTER_RETURN"]
    (met,) = returned["obligations"]
    assert met["status"] == "MET"
    assert met["metOn"] == "2026-10-08"
    assert date.fromisoformat(met["metOn"]) <= date.fromisoformat(met["due"])

    # Answering after a return is not a move; the requester closes and the helper loses it.
    again = await call(
        cgql,
        "assistanceLetterAnswer",
        "AssistanceLetterAnswerInput",
        HELPER,
        id=ident,
        answer="x",
    )
    assert [e["code"] for e in again["errors"]] == ["ILLEGAL_TRANSITION"]
    closed = await call(
        cgql, "assistanceLetterClose", "AssistanceLetterRefInput", REQUESTER, id=ident
    )
    assert closed["letter"]["status"] == "CLOSED"
    assert (await cgql.data(ONE, {"id": ident}, login=HELPER))["assistanceLetter"] is None


async def test_a_letter_answered_in_writing(cgql: GraphQLClient) -> None:
    ident = (await letter(cgql))["id"]
    await call(cgql, "assistanceLetterReceive", "AssistanceLetterRefInput", HELPER, id=ident)
    answered = (
        await call(
            cgql,
            "assistanceLetterAnswer",
            "AssistanceLetterAnswerInput",
            HELPER,
            id=ident,
            answer="经核实，该公司在五华区无相关竣工备案记录。",
        )
    )["letter"]
    assert answered["status"] == "ANSWERED"
    assert answered["obligations"][0]["status"] == "CANCELLED"
    at_requester = (await cgql.data(ONE, {"id": ident}, login=REQUESTER))["assistanceLetter"]
    assert at_requester["answer"] == "经核实，该公司在五华区无相关竣工备案记录。"
