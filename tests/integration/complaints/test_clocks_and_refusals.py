"""Overdue complaints reach the city office's escalations; a procurement complaint's suspension
clock; a refusal on every coded ground, each with its notice citing the ground and the rule."""

from __future__ import annotations

import base64
from datetime import date

import pytest

from tests.integration.complaints.flow import (
    FILE,
    FIND,
    ONE,
    clocks,
    day,
    do,
    docx_text,
    file_complaint,
    filing,
    ok,
)
from tests.support import GraphQLClient
from xietong.complaints.enums import ComplaintRegime
from xietong.complaints.grounds import GROUNDS
from xietong.deadlines.clock import ManualClock
from xietong.trading import credit_code

OFFICE, HOUSING, FINANCE = "xuanen.office", "xuanen.housing", "xuanen.finance"
ESCALATIONS = """query($c: JurisdictionCode!) { escalations(under: $c, first: 100) {
  nodes { matterType matterId rule { id } due jurisdiction { code } } } }"""


async def test_an_overdue_complaint_reaches_the_enshi_office(
    cgql: GraphQLClient, clock: ManualClock
) -> None:
    ident, _, _ = await file_complaint(cgql)
    await ok(cgql, "complaintAssign", "ComplaintAssignInput", OFFICE, id=ident, industry="HOUSING")
    clock.set(ManualClock.on(date(2026, 10, 14)).now())  # 3 wd ran out on 9 October
    late = (
        await cgql.data(
            "query($c: JurisdictionCode!) { complaints(under: $c, overdue: true) { nodes { id } "
            "} }",
            {"c": "422825"},
            login=OFFICE,
        )
    )["complaints"]["nodes"]
    assert [n["id"] for n in late] == [ident]
    rows = (await cgql.data(ESCALATIONS, {"c": "422800"}, login="enshi.office"))["escalations"][
        "nodes"
    ]
    mine = [r for r in rows if r["matterType"] == "complaint"]
    assert [r["rule"]["id"] for r in mine] == ["TB.acceptance_decision"]
    assert mine[0]["jurisdiction"]["code"] == "422825"
    # A sibling city's office sees nothing of it.
    other = await cgql(ESCALATIONS, {"c": "422800"}, login="suizhou.office")
    assert other["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_a_procurement_complaint_and_its_suspension_clock(
    cgql: GraphQLClient, clock: ManualClock
) -> None:
    clock.set(ManualClock.on(date(2026, 9, 1)).now())
    ident, _, _ = await file_complaint(
        cgql,
        regime="PROCUREMENT",
        category="AWARD",
        projectCode="XE-2026-CG-009",
        knewOn="2026-08-28",
    )
    routed = await ok(cgql, "complaintAssign", "ComplaintAssignInput", OFFICE, id=ident)
    assert routed["handlingDepartment"]["key"] == "xuanen-finance"  # 政府采购: 财政
    assert day(clocks(routed)["GP.review"]["dueOn"]) == date(2026, 9, 8)  # 5 wd
    accepted = await ok(cgql, "complaintAccept", "ComplaintRefInput", FINANCE, id=ident)
    assert {"GP.respondent_notice", "GP.decision"} <= set(clocks(accepted))
    clock.set(ManualClock.on(date(2026, 9, 5)).now())
    suspended = await ok(
        cgql, "complaintSuspendProcurement", "ComplaintRefInput", FINANCE, id=ident
    )
    assert suspended["procurementSuspended"] is True
    suspension = clocks(suspended)["GP.suspension"]
    # 30 days from 5 September end on 5 October, inside National Day: moved to 8 October.
    assert day(suspension["dueOn"]) == date(2026, 10, 8)
    twice = await do(cgql, "complaintSuspendProcurement", "ComplaintRefInput", FINANCE, id=ident)
    assert twice["errors"][0]["code"] == "ILLEGAL_TRANSITION"
    notified = await ok(cgql, "complaintNotifyRespondent", "ComplaintRefInput", FINANCE, id=ident)
    assert clocks(notified)["GP.respondent_notice"]["status"] == "MET"
    assert clocks(notified)["GP.respondent_answer"]["status"] == "OPEN"
    await ok(cgql, "complaintRespondentAnswered", "ComplaintRefInput", FINANCE, id=ident)
    clock.set(ManualClock.on(date(2026, 9, 20)).now())
    resumed = await ok(cgql, "complaintResumeProcurement", "ComplaintRefInput", FINANCE, id=ident)
    assert resumed["procurementSuspended"] is False
    assert clocks(resumed)["GP.suspension"]["status"] == "MET"
    decided = await ok(
        cgql, "complaintDecide", "ComplaintDecideInput", FINANCE, id=ident, decision="投诉不成立。"
    )
    assert clocks(decided)["GP.decision"]["status"] == "MET"
    # Suspension belongs to procurement alone.
    tb, _, _ = await file_complaint(cgql, knewOn="2026-09-18")
    await ok(cgql, "complaintAssign", "ComplaintAssignInput", OFFICE, id=tb, industry="HOUSING")
    await ok(cgql, "complaintAccept", "ComplaintRefInput", HOUSING, id=tb)
    refused = await do(cgql, "complaintSuspendProcurement", "ComplaintRefInput", HOUSING, id=tb)
    assert refused["errors"][0]["code"] == "NOT_PROCUREMENT"


@pytest.mark.parametrize("ground", GROUNDS, ids=lambda g: f"{g.regime.value}-{g.ground.value}")
async def test_a_refusal_on_each_coded_ground(cgql: GraphQLClient, ground: object) -> None:
    from xietong.complaints.grounds import Ground

    assert isinstance(ground, Ground)
    procurement = ground.regime is ComplaintRegime.PROCUREMENT
    named = (
        {}
        if not ground.anonymous_only
        else {"anonymous": True, "filerName": None, "filerContact": None}
    )
    ident, code, _ = await file_complaint(
        cgql, regime="PROCUREMENT" if procurement else "TENDERING", **named
    )
    department = FINANCE if procurement else HOUSING
    await ok(
        cgql,
        "complaintAssign",
        "ComplaintAssignInput",
        OFFICE,
        id=ident,
        **({} if procurement else {"industry": "HOUSING"}),
    )
    refused = await ok(
        cgql,
        "complaintRefuse",
        "ComplaintRefuseInput",
        department,
        id=ident,
        ground=ground.ground.name,
    )
    assert refused["status"] == "REFUSED"
    assert refused["refusalGround"] == ground.ground.name
    (notice,) = [n for n in refused["notices"] if n["kind"] == "REFUSAL"]
    letter = docx_text(notice["contentBase64"])
    assert ground.reason in letter
    assert ground.citation in letter
    review = "GP.review" if procurement else "TB.acceptance_decision"
    assert review in notice["rules"]
    assert f"时限规则 {review}" in letter
    assert code in letter
    assert clocks(refused)[review]["status"] == "MET"
    assert clocks(refused)["R7.handed_feedback"]["status"] == "OPEN"


async def test_grounds_that_do_not_fit_are_refused(cgql: GraphQLClient) -> None:
    ident, _, _ = await file_complaint(cgql, regime="PROCUREMENT")
    await ok(cgql, "complaintAssign", "ComplaintAssignInput", OFFICE, id=ident)
    wrong = await do(
        cgql,
        "complaintRefuse",
        "ComplaintRefuseInput",
        FINANCE,
        id=ident,
        ground="IN_RECONSIDERATION_OR_LITIGATION",
    )
    assert wrong["errors"][0]["code"] == "GROUND_NOT_FOR_REGIME"
    named = await do(
        cgql, "complaintRefuse", "ComplaintRefuseInput", FINANCE, id=ident, ground="ANONYMOUS"
    )
    assert named["errors"][0]["code"] == "GROUND_NOT_FOR_REGIME"


async def test_public_filing_checks_its_input(cgql: GraphQLClient) -> None:
    async def errors(**overrides: object) -> list[str]:
        body = await cgql.data(FILE, {"i": filing(**overrides)})
        return [e["code"] for e in body["complaintFile"]["errors"]]

    assert await errors(projectCode=None) == ["SUBJECT_REQUIRED"]
    assert await errors(projectCode=None, entityCreditCode="91420000MA0000000X") == [
        "INVALID_CREDIT_CODE"
    ]
    good = credit_code.compose("9", "1", "422825", "MA4F2K7Q").value
    assert await errors(projectCode=None, entityCreditCode=good) == []
    assert await errors(filerContact=None) == ["CONTACT_REQUIRED"]
    assert await errors(anonymous=True) == ["INVALID"]  # a name with an anonymous filing
    exe = base64.b64encode(b"MZ\x90\x00" + b"\0" * 64).decode()
    attached = [{"filename": "证据.pdf", "mediaType": "application/pdf", "content": exe}]
    assert await errors(attachments=attached) == ["ATTACHMENT_REFUSED"]
    pdf = base64.b64encode(b"%PDF-1.7\n" + b"x" * 100).decode()
    ok_file = [{"filename": "证据.pdf", "mediaType": "application/pdf", "content": pdf}]
    assert await errors(attachments=ok_file) == []
    # Two filed so far from this client: three more, then the hour's limit.
    for _ in range(3):
        assert await errors() == []
    assert await errors() == ["RATE_LIMITED"]
    listed = await cgql.data(FIND, {"c": "422825"}, login=OFFICE)
    assert len(listed["complaints"]["nodes"]) == 5


async def test_the_public_sees_one_complaint_and_officials_their_scope(
    cgql: GraphQLClient,
) -> None:
    ident, _, _ = await file_complaint(cgql)
    assert (await cgql.data(ONE, {"id": ident}, login="zengdu.office"))["complaint"] is None
    assert (await cgql.data(ONE, {"id": ident}, login="enshi.office"))["complaint"]["id"] == ident
    anonymous = await cgql(ONE, {"id": ident})
    assert anonymous["data"]["complaint"] is None or anonymous.get("errors")
    moved = await cgql(
        "mutation($i: ComplaintRefInput!) { complaintAccept(input: $i) { errors { code } } }",
        {"i": {"id": ident}},
    )
    assert moved["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
