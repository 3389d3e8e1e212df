"""Remote cross-region evaluation end to end, the clock moved by the test: a 云南 project
(昆明市) evaluated with a host seat in 湖北 (随州市) — sealed before the start, the host's window,
sealed identities, an investigation of a host expert copied within 7 working days (across
National Day and its make-up Saturday) or overdue and escalated to 云南省, the host's records
handover, and the window's end at both walls."""

from __future__ import annotations

from datetime import date

from sqlalchemy import text

from tests.conftest import Database
from tests.integration.evaluation.support import (
    HOSTINGS,
    INVESTIGATION,
    a_project,
    an_expert,
    app_sessions,
    day,
    ok,
    refused,
    schedule,
    session_as,
)
from tests.support import GraphQLClient
from xietong.deadlines import sweep
from xietong.deadlines.clock import ManualClock
from xietong.evaluation import jobs

KUNMING, SUIZHOU, ANYANG = 530100, 421300, 410500
HOME_CENTRE, HOME_OFFICE, YUNNAN_OFFICE = "kunming.centre", "kunming.office", "yunnan.office"
HOST_CENTRE, HOST_OFFICE, THIRD = "suizhou.centre", "suizhou.office", "anyang.office"
ESCALATIONS = """
query($u: JurisdictionCode) { escalations(under: $u) { nodes {
  rule { id } jurisdiction { code } due status matterId } } }"""


async def test_kunming_project_with_a_suizhou_host_seat(
    egql: GraphQLClient, clock: ManualClock, fresh_db: Database
) -> None:
    project_id = await a_project(fresh_db, egql, KUNMING, 1)
    home_expert = await an_expert(egql, HOME_OFFICE, KUNMING, "李春华", 1)
    host_expert = await an_expert(egql, HOST_OFFICE, SUIZHOU, "王建国", 2)
    host_expert2 = await an_expert(egql, HOST_OFFICE, SUIZHOU, "赵文", 3)

    ident = await schedule(egql, HOME_CENTRE, project_id, "PB-2026-0001", [(SUIZHOU, 2)])

    # Before the start: the host knows a number, a time and its seats — not the session.
    (hosting,) = (await egql.data(HOSTINGS, login=HOST_CENTRE))["evaluationHostings"]["nodes"]
    assert hosting["sessionNumber"] == "PB-2026-0001"
    assert hosting["seats"] == 2
    assert hosting["session"] is None
    assert await session_as(egql, ident, HOST_CENTRE) is None
    assert await session_as(egql, ident, HOST_OFFICE) is None
    # The home sees its project, its own site and seats — not which hosts there are.
    home = await session_as(egql, ident, HOME_CENTRE)
    assert home is not None
    assert home["project"] is not None
    assert [s["role"] for s in home["sites"]] == ["HOME"]
    assert [s["label"] for s in home["seats"]] == ["主场-01", "主场-02"]
    # A third, unrelated unit sees nothing at all.
    assert await session_as(egql, ident, THIRD) is None
    assert (await egql.data(HOSTINGS, login=THIRD))["evaluationHostings"]["nodes"] == []
    # The home seats its own expert; the host cannot seat anyone before the start.
    home_seat = home["seats"][0]["id"]
    await ok(
        egql,
        "evaluationSeatExpert",
        "EvaluationSeatExpertInput",
        HOME_CENTRE,
        "session { id }",
        seatId=home_seat,
        expertId=home_expert,
    )

    # The start (22 September): the host holds a grant on the session, nothing else.
    clock.set(ManualClock.on(date(2026, 9, 22), 9, 0).now())
    started = await ok(
        egql, "evaluationStart", "EvaluationRefInput", HOME_CENTRE, "session { state }", id=ident
    )
    assert started["session"]["state"] == "STARTED"
    host = await session_as(egql, ident, HOST_CENTRE)
    assert host is not None
    assert host["project"] is None  # never the project
    assert [s["label"] for s in host["seats"]] == ["副场1-01", "副场1-02"]
    assert host["experts"] == []  # the home's expert is not the host's to see
    host_seat, host_seat2 = (s["id"] for s in host["seats"])
    for seat, expert in ((host_seat, host_expert), (host_seat2, host_expert2)):
        await ok(
            egql,
            "evaluationSeatExpert",
            "EvaluationSeatExpertInput",
            HOST_CENTRE,
            "session { id }",
            seatId=seat,
            expertId=expert,
        )
    # A host cannot seat anyone in the home's seats (it does not even see them).
    assert await refused(
        egql,
        "evaluationSeatExpert",
        "EvaluationSeatExpertInput",
        HOST_CENTRE,
        seatId=home_seat,
        expertId=host_expert,
    ) == ["NOT_FOUND"]
    host = await session_as(egql, ident, HOST_CENTRE)
    assert host is not None
    assert sorted(x["name"] for x in host["experts"]) == ["王建国", "赵文"]
    # The home now sees the host site and its seats, but no host expert (sealed).
    home = await session_as(egql, ident, HOME_OFFICE)
    assert home is not None
    assert sorted((s["role"], s["jurisdiction"]["code"]) for s in home["sites"]) == [
        ("HOME", str(KUNMING)),
        ("HOST", str(SUIZHOU)),
    ]
    assert len(home["seats"]) == 4
    assert [x["name"] for x in home["experts"]] == ["李春华"]
    assert all(s["expert"] is None for s in home["seats"] if s["atHost"])
    assert await session_as(egql, ident, THIRD) is None
    # The database holds the same walls without the application's filter.
    egql.app.state.app_wall = False
    try:
        home = await session_as(egql, ident, HOME_OFFICE)
        assert home is not None
        assert [x["name"] for x in home["experts"]] == ["李春华"]
        host = await session_as(egql, ident, HOST_CENTRE)
        assert host is not None
        assert len(host["seats"]) == 2
        assert host["project"] is None
    finally:
        egql.app.state.app_wall = True

    # The end (same day): the host owes its records within 5 working days, on 湖北's calendar.
    clock.set(ManualClock.on(date(2026, 9, 22), 17, 30).now())
    finished = await ok(
        egql,
        "evaluationFinish",
        "EvaluationRefInput",
        HOME_CENTRE,
        "session { state windowUntil }",
        id=ident,
    )
    # 5 working days: 23, 24 September, (中秋 25–27), 28, 29, 30 September.
    assert day(finished["session"]["windowUntil"]) == date(2026, 9, 30)
    (hosting,) = (await egql.data(HOSTINGS, login=HOST_OFFICE))["evaluationHostings"]["nodes"]
    (handover,) = hosting["obligations"]
    assert handover["rule"]["id"] == "REMOTE.handover_records"
    assert day(handover["due"]) == date(2026, 9, 30)
    # Only the host hands over its own records (the home may not even lock the row).
    assert await refused(
        egql, "evaluationHandOver", "EvaluationHandOverInput", HOME_CENTRE, siteId=hosting["id"]
    ) == ["NOT_FOUND"]
    clock.set(ManualClock.on(date(2026, 9, 24)).now())
    handed = await ok(
        egql,
        "evaluationHandOver",
        "EvaluationHandOverInput",
        HOST_CENTRE,
        "site { handedOverOn }",
        siteId=hosting["id"],
    )
    assert handed["site"]["handedOverOn"] == "2026-09-24"
    (hosting,) = (await egql.data(HOSTINGS, login=HOST_OFFICE))["evaluationHostings"]["nodes"]
    assert [(o["status"], o["metOn"]) for o in hosting["obligations"]] == [("MET", "2026-09-24")]

    # Two investigations of a host expert's conduct by the home office, ended 28 September.
    clock.set(ManualClock.on(date(2026, 9, 25)).now())
    investigations = []
    for subject in ("评标期间使用手机", "评标期间离开席位"):
        opened = await ok(
            egql,
            "evaluationInvestigationOpen",
            "EvaluationInvestigationOpenInput",
            HOME_OFFICE,
            "investigation { id state }",
            sessionId=ident,
            seatIds=[host_seat],
            subject=subject,
        )
        investigations.append(opened["investigation"]["id"])
    copied_one, overdue_one = investigations
    # The host does not see an investigation before its result is copied to it.
    assert (await egql.data(INVESTIGATION, {"id": copied_one}, login=HOST_OFFICE))[
        "evaluationInvestigation"
    ] is None
    clock.set(ManualClock.on(date(2026, 9, 28)).now())
    for inv in investigations:
        ended = await ok(
            egql,
            "evaluationInvestigationEnd",
            "EvaluationInvestigationEndInput",
            HOME_OFFICE,
            "investigation { state obligations { rule { id } due status "
            "calendar { jurisdiction { code } } } }",
            id=inv,
            result="专家违反评标纪律，情况属实",
            decision="暂停评标专家资格六个月",
        )
        (copy,) = ended["investigation"]["obligations"]
        assert copy["rule"]["id"] == "R12.copy_to_host"
        # 7 working days from 28 September: 29, 30 Sep, 8, 9, 10 (a make-up Saturday), 12, 13 Oct.
        assert day(copy["due"]) == date(2026, 10, 13)
        assert copy["calendar"]["jurisdiction"]["code"] == str(KUNMING)

    # The window (30 September) is stretched while the investigations are open: on 8 October
    # the host still reads the session, and the worker closes nothing.
    clock.set(ManualClock.on(date(2026, 10, 8)).now())
    stretched = await session_as(egql, ident, HOST_CENTRE)
    assert stretched is not None
    assert stretched["windowUntil"] is None  # open-ended while a matter is open
    async with app_sessions(fresh_db) as sessions:
        assert (await jobs.close_windows(sessions, clock=clock)).closed == []

    # One copy on 12 October: in time; the host reads the result from then on.
    clock.set(ManualClock.on(date(2026, 10, 12)).now())
    copied = await ok(
        egql,
        "evaluationInvestigationCopy",
        "EvaluationInvestigationRefInput",
        HOME_OFFICE,
        "investigation { state copiedOn obligations { status metOn metLate } }",
        id=copied_one,
    )
    assert copied["investigation"]["state"] == "COPIED"
    assert copied["investigation"]["obligations"] == [
        {"status": "MET", "metOn": "2026-10-12", "metLate": False}
    ]
    seen = (await egql.data(INVESTIGATION, {"id": copied_one}, login=HOST_OFFICE))[
        "evaluationInvestigation"
    ]
    assert seen is not None
    assert seen["result"] == "专家违反评标纪律，情况属实"
    assert seen["seats"] == ["副场1-01"]
    assert (await egql.data(INVESTIGATION, {"id": overdue_one}, login=HOST_OFFICE))[
        "evaluationInvestigation"
    ] is None
    assert (await egql.data(INVESTIGATION, {"id": copied_one}, login=THIRD))[
        "evaluationInvestigation"
    ] is None

    # The other is not copied by 13 October: overdue on the 14th, escalated to 云南省.
    clock.set(ManualClock.on(date(2026, 10, 14), 8, 0).now())
    async with app_sessions(fresh_db) as sessions:
        await sweep.run(sessions, clock=clock)
    nodes = (await egql.data(ESCALATIONS, {"u": str(KUNMING)}, login=YUNNAN_OFFICE))["escalations"][
        "nodes"
    ]
    assert [(n["rule"]["id"], n["status"], n["due"]) for n in nodes] == [
        ("R12.copy_to_host", "OVERDUE", "2026-10-13")
    ]
    escalated = await _db_count(
        fresh_db,
        "SELECT count(*) FROM notification n JOIN department d ON d.id = "
        "n.recipient_department_id WHERE n.kind = 'escalation' AND n.jurisdiction_code = 530000 "
        "AND d.key = 'yunnan-office'",
        owner=True,
    )
    assert escalated == 1
    # Met late when it is finally copied.
    late = await ok(
        egql,
        "evaluationInvestigationCopy",
        "EvaluationInvestigationRefInput",
        HOME_OFFICE,
        "investigation { obligations { status metLate } }",
        id=overdue_one,
    )
    assert late["investigation"]["obligations"] == [{"status": "MET", "metLate": True}]

    # The last matter closed on 14 October: the window runs 5 working days more, to the 21st
    # (15, 16, 19, 20, 21 October).
    home = await session_as(egql, ident, HOME_OFFICE)
    assert home is not None
    assert day(home["windowUntil"]) == date(2026, 10, 21)
    clock.set(ManualClock.on(date(2026, 10, 21)).now())
    assert await session_as(egql, ident, HOST_CENTRE) is not None
    # After the window the host has lost the session at the application...
    clock.set(ManualClock.on(date(2026, 10, 22)).now())
    assert await session_as(egql, ident, HOST_CENTRE) is None
    # ...and, once the worker closes the window, at the database as well.
    async with app_sessions(fresh_db) as sessions:
        report = await jobs.close_windows(sessions, clock=clock)
        assert report.closed == [_uuid(ident)]
        again = await jobs.close_windows(sessions, clock=clock)
        assert again.closed == []
    egql.app.state.app_wall = False
    try:
        assert await session_as(egql, ident, HOST_CENTRE) is None
    finally:
        egql.app.state.app_wall = True
    assert (await egql.data(HOSTINGS, login=HOST_CENTRE))["evaluationHostings"]["nodes"][0][
        "session"
    ] is None
    # The copies stay readable through their own grant.
    assert (await egql.data(INVESTIGATION, {"id": copied_one}, login=HOST_OFFICE))[
        "evaluationInvestigation"
    ] is not None


def _uuid(global_id: str) -> str:
    import base64

    return base64.b64decode(global_id).decode().split(":", 1)[1]


async def _db_count(db: Database, sql: str, *, owner: bool = True) -> int:
    from xietong.db.engine import make_engine

    engine = make_engine(db.owner_url if owner else db.app_url, pool_size=1)
    try:
        async with engine.connect() as conn:
            return int(await conn.scalar(text(sql)) or 0)
    finally:
        await engine.dispose()
