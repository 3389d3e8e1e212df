"""End to end through GraphQL on a manual clock: a public complaint at 宣恩县 routed, accepted,
paused for 补正 and resumed, answered within its clocks, rated with the tracking code; every step
in the hash chain and the timeline."""

from __future__ import annotations

from datetime import date

from sqlalchemy import text

from tests.conftest import TEST_SERVER_SECRET, Database
from tests.integration.complaints.flow import (
    ONE,
    RATE,
    TRACK,
    clocks,
    day,
    docx_text,
    file_complaint,
    ok,
)
from tests.support import GraphQLClient
from xietong.audit.service import verify
from xietong.audit.signing import VerificationKeys
from xietong.db.engine import make_engine, make_sessionmaker
from xietong.deadlines.clock import ManualClock
from xietong.keys import Keyring

OFFICE, HOUSING = "xuanen.office", "xuanen.housing"


async def test_a_tendering_complaint_from_filing_to_rating(
    cgql: GraphQLClient, clock: ManualClock, fresh_db: Database
) -> None:
    ident, code, secret = await file_complaint(cgql)
    seen = (await cgql.data(ONE, {"id": ident}, login=OFFICE))["complaint"]
    assert seen["status"] == "AT_OFFICE"
    assert seen["receivingDepartment"]["key"] == "xuanen-office"
    transfer = clocks(seen)["R9.transfer"]
    assert transfer["status"] == "OPEN"
    assert day(transfer["dueOn"]) == date(2026, 10, 10)  # 5 wd: 10-10 is a make-up Saturday

    # The office hands it to the housing bureau (谁主管谁监管).
    clock.advance(days=1)
    routed = await ok(
        cgql, "complaintAssign", "ComplaintAssignInput", OFFICE, id=ident, industry="HOUSING"
    )
    assert routed["status"] == "ASSIGNED"
    assert routed["handlingDepartment"]["key"] == "xuanen-housing"
    assert clocks(routed)["R9.transfer"]["status"] == "MET"
    review = clocks(routed)["TB.acceptance_decision"]
    assert day(review["dueOn"]) == date(2026, 10, 9)  # 3 wd from 29 September

    # Only the competent department accepts; the office cannot.
    refused = await cgql(
        "mutation($i: ComplaintRefInput!) { complaintAccept(input: $i) { errors { code } } }",
        {"i": {"id": ident}},
        login=OFFICE,
    )
    assert refused["data"]["complaintAccept"]["errors"] == [{"code": "NOT_YOUR_COMPLAINT"}]

    # 补正, once: the acceptance review runs again from the completed complaint.
    asked = await ok(
        cgql,
        "complaintRequestCompletion",
        "ComplaintRequestCompletionInput",
        HOUSING,
        id=ident,
        items="请补充开标记录及评标结果公示截图。",
        replyBy="2026-10-15",
    )
    assert asked["status"] == "CORRECTION"
    (correction,) = [n for n in asked["notices"] if n["kind"] == "CORRECTION"]
    letter = docx_text(correction["contentBase64"])
    assert "请补充开标记录及评标结果公示截图。" in letter
    assert code in letter
    tracked = (await cgql.data(TRACK, {"i": {"trackingCode": code, "secret": secret}}))[
        "complaintTrack"
    ]["complaint"]
    assert tracked["status"] == "CORRECTION"
    assert tracked["correctionItems"] == "请补充开标记录及评标结果公示截图。"
    again = await cgql(
        "mutation($i: ComplaintRequestCompletionInput!) { complaintRequestCompletion(input: $i) "
        "{ errors { code } } }",
        {"i": {"id": ident, "items": "x", "replyBy": "2026-10-20"}},
        login=HOUSING,
    )
    assert again["data"]["complaintRequestCompletion"]["errors"] == [{"code": "ILLEGAL_TRANSITION"}]

    clock.set(ManualClock.on(date(2026, 10, 12)).now())
    resumed = await ok(
        cgql, "complaintResume", "ComplaintResumeInput", HOUSING, id=ident, document="补正材料一套"
    )
    assert resumed["status"] == "ASSIGNED"
    assert resumed["reviewOn"] == "2026-10-12"
    assert day(clocks(resumed)["TB.acceptance_decision"]["dueOn"]) == date(2026, 10, 15)

    clock.advance(days=1)
    accepted = await ok(cgql, "complaintAccept", "ComplaintRefInput", HOUSING, id=ident)
    assert accepted["status"] == "ACCEPTED"
    decision_clock = clocks(accepted)["TB.decision"]
    # 30 working days counted from the complete complaint's receipt (12 October).
    assert day(decision_clock["dueOn"]) == date(2026, 11, 23)
    (acceptance,) = [n for n in accepted["notices"] if n["kind"] == "ACCEPTANCE"]
    assert acceptance["rules"] == ["TB.acceptance_decision", "TB.decision"]
    letter = docx_text(acceptance["contentBase64"])
    assert "2026年11月23日" in letter
    assert "第六十一条第二款" in letter

    # Expert review: time not counted.
    clock.advance(days=2)
    paused = await ok(
        cgql,
        "complaintPause",
        "ComplaintPauseInput",
        HOUSING,
        id=ident,
        reason="EXPERT_REVIEW",
        document="专家复核委托书〔2026〕3号",
    )
    assert paused["status"] == "EXAMINATION"
    assert clocks(paused)["TB.decision"]["paused"] is True
    clock.advance(days=7)  # 15 → 22 October: 5 working days held
    back = await ok(
        cgql, "complaintResume", "ComplaintResumeInput", HOUSING, id=ident, document="专家复核意见"
    )
    assert back["status"] == "ACCEPTED"
    assert day(clocks(back)["TB.decision"]["dueOn"]) == date(2026, 11, 30)

    clock.advance(days=5)
    decided = await ok(
        cgql,
        "complaintDecide",
        "ComplaintDecideInput",
        HOUSING,
        id=ident,
        decision="投诉事项成立，责令招标人组织原评标委员会重新评审。",
    )
    assert decided["status"] == "DECIDED"
    assert clocks(decided)["TB.decision"]["status"] == "MET"
    assert clocks(decided)["R7.handed_feedback"]["status"] == "OPEN"
    (decision,) = [n for n in decided["notices"] if n["kind"] == "DECISION"]
    assert "责令招标人组织原评标委员会重新评审" in docx_text(decision["contentBase64"])

    clock.advance(days=1)
    closed = await ok(cgql, "complaintFeedback", "ComplaintRefInput", HOUSING, id=ident)
    assert closed["status"] == "CLOSED"
    assert all(o["status"] in ("MET", "CANCELLED") for o in closed["obligations"])
    assert {o["rule"]["id"] for o in closed["obligations"] if o["status"] == "MET"} >= {
        "R9.transfer",
        "TB.acceptance_decision",
        "TB.decision",
        "R7.handed_feedback",
    }

    # The filer, with the code and the secret only.
    wrong = await cgql.data(TRACK, {"i": {"trackingCode": code, "secret": "X" * 24}})
    assert wrong["complaintTrack"]["errors"][0]["code"] == "NOT_FOUND"
    mine = (await cgql.data(TRACK, {"i": {"trackingCode": code.lower(), "secret": secret}}))[
        "complaintTrack"
    ]["complaint"]
    assert mine["status"] == "CLOSED"
    assert mine["canRate"] is True
    assert "重新评审" in mine["answer"]
    assert [n["kind"] for n in mine["notices"]] == ["CORRECTION", "ACCEPTANCE", "DECISION"]
    assert "投诉处理决定书" in docx_text(mine["notices"][2]["contentBase64"])
    rated = await cgql.data(
        RATE, {"i": {"trackingCode": code, "secret": secret, "satisfied": True}}
    )
    assert rated["complaintRate"]["errors"] == []
    assert rated["complaintRate"]["complaint"] == {
        "status": "CLOSED",
        "satisfied": True,
        "canRate": False,
    }
    twice = await cgql.data(
        RATE, {"i": {"trackingCode": code, "secret": secret, "satisfied": False}}
    )
    assert twice["complaintRate"]["errors"][0]["code"] == "ALREADY_RATED"

    # Every step is in the timeline, and the chain verifies.
    final = (await cgql.data(ONE, {"id": ident}, login=OFFICE))["complaint"]
    actions = [e["action"] for e in final["timeline"]]
    for step in (
        "complaint.file",
        "complaint.assign",
        "complaint.request_correction",
        "complaint.resume",
        "complaint.accept",
        "complaint.pause",
        "complaint.decide",
        "complaint.feedback",
        "complaint.rate",
        "obligation.open",
        "obligation.meet",
        "obligation.pause",
        "obligation.resume",
    ):
        assert step in actions, step
    assert final["timeline"][0]["actor"] == f"public:{code}"
    engine = make_engine(fresh_db.owner_url, pool_size=1)
    try:
        keys = VerificationKeys.of([Keyring.of(TEST_SERVER_SECRET)])
        async with make_sessionmaker(engine)() as session:
            report = await verify(db_session=session, province_code=420000, keys=keys)
            assert report.ok, report.problem
            assert report.checked >= len(actions)
            files = await session.scalar(
                text("SELECT count(*) FROM complaint WHERE tracking_code = :c"), {"c": code}
            )
            assert files == 1
    finally:
        await engine.dispose()


async def test_reported_by_a_department_redirected_and_reopened_once(
    cgql: GraphQLClient, clock: ManualClock
) -> None:
    departments = await cgql.data('{ jurisdiction(code: "422825") { departments { id key } } }')
    housing_id = next(
        d["id"] for d in departments["jurisdiction"]["departments"] if d["key"] == "xuanen-housing"
    )
    ident, code, secret = await file_complaint(cgql, departmentId=housing_id)
    seen = (await cgql.data(ONE, {"id": ident}, login=OFFICE))["complaint"]
    assert seen["status"] == "RECEIVED"
    assert day(clocks(seen)["R7.report_to_office"]["dueOn"]) == date(2026, 10, 8)
    # Only the department that received it reports it: the office holds no complaint:report,
    # and another department of the unit is not the one it was filed with.
    wrong = await cgql(
        "mutation($i: ComplaintRefInput!) { complaintReport(input: $i) { errors { code } } }",
        {"i": {"id": ident}},
        login=OFFICE,
    )
    assert wrong["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    other = await cgql(
        "mutation($i: ComplaintRefInput!) { complaintReport(input: $i) { errors { code } } }",
        {"i": {"id": ident}},
        login="xuanen.water",
    )
    assert other["data"]["complaintReport"]["errors"] == [{"code": "NOT_YOUR_COMPLAINT"}]
    reported = await ok(cgql, "complaintReport", "ComplaintRefInput", HOUSING, id=ident)
    assert reported["status"] == "AT_OFFICE"
    assert clocks(reported)["R7.report_to_office"]["status"] == "MET"
    redirected = await ok(
        cgql,
        "complaintRedirect",
        "ComplaintRedirectInput",
        OFFICE,
        id=ident,
        authority="恩施市住房和城乡建设局",
    )
    assert redirected["status"] == "CLOSED"
    assert redirected["outcome"] == "REDIRECTED"
    assert clocks(redirected)["R9.redirect_notice"]["status"] == "MET"
    (notice,) = redirected["notices"]
    assert "恩施市住房和城乡建设局" in docx_text(notice["contentBase64"])

    rate = {"trackingCode": code, "secret": secret, "satisfied": False}
    clock.advance(days=1)
    reopened = (await cgql.data(RATE, {"i": rate}))["complaintRate"]
    assert reopened["errors"] == []
    assert reopened["complaint"]["status"] == "AT_OFFICE"
    back = (await cgql.data(ONE, {"id": ident}, login=OFFICE))["complaint"]
    assert clocks(back)["R9.transfer"]["status"] == "OPEN"
    await ok(cgql, "complaintAssign", "ComplaintAssignInput", OFFICE, id=ident, industry="HOUSING")
    await ok(cgql, "complaintAccept", "ComplaintRefInput", HOUSING, id=ident)
    await ok(cgql, "complaintDecide", "ComplaintDecideInput", HOUSING, id=ident, decision="驳回。")
    await ok(cgql, "complaintFeedback", "ComplaintRefInput", HOUSING, id=ident)
    again = (await cgql.data(RATE, {"i": rate}))["complaintRate"]
    assert again["complaint"]["status"] == "CLOSED"  # reopened once only
    actions = [
        e["action"]
        for e in (await cgql.data(ONE, {"id": ident}, login=OFFICE))["complaint"]["timeline"]
    ]
    assert actions.count("complaint.rate") == 2
    assert "complaint.report" in actions
