"""Copying an investigation's result as an action with a receiving side (R-12): the host's
inbox of copies (its own seats, the result, the decision), its acknowledgement, audited in the
host's chain; automatic copying by the worker where the home configured it (idempotent), and an
automatic copy the worker could not make in time escalated to the home's superior office."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import text

from tests.conftest import Database
from tests.integration.evaluation.support import (
    a_project,
    an_expert,
    app_sessions,
    ok,
    refused,
    schedule,
    session_as,
)
from tests.support import GraphQLClient
from xietong.db.engine import make_engine
from xietong.deadlines import sweep
from xietong.deadlines.clock import ManualClock
from xietong.evaluation import jobs

KUNMING, SUIZHOU = 530100, 421300
HOME_CENTRE, HOME_OFFICE, YUNNAN_OFFICE = "kunming.centre", "kunming.office", "yunnan.office"
HOST_CENTRE, HOST_OFFICE, THIRD = "suizhou.centre", "suizhou.office", "anyang.office"
COPIES = """
query($u: Boolean) { evaluationCopies(unacknowledged: $u) { nodes {
  id sessionNumber seats subject result decision automatic acknowledgedAt acknowledgedBy
  host { code } home { code } investigationId } } }"""
RECORD = """
query($e: ID!) { evaluationExpertResults(expertId: $e) {
  seat sessionNumber result decision recordedOn home { code } } }"""
INVESTIGATION = """
query($id: ID!) { evaluationInvestigation(id: $id) { state
  copies { id host { code } seats acknowledgedBy }
  obligations { rule { id } status metOn metLate } } }"""


async def _session_with_host_expert(
    egql: GraphQLClient, clock: ManualClock, db: Database, number: str, *, auto_copy: bool
) -> tuple[str, str, str, str, str]:
    """A started and finished 昆明市 session with both seats taken: (session, home seat, host
    seat, home expert, host expert)."""
    project_id = await a_project(db, egql, KUNMING, 1 if not auto_copy else 2)
    host_expert = await an_expert(egql, HOST_OFFICE, SUIZHOU, "王建国", 2 if not auto_copy else 4)
    home_expert = await an_expert(egql, HOME_OFFICE, KUNMING, "李春华", 5 if not auto_copy else 6)
    clock.set(ManualClock.on(date(2026, 9, 21), 9, 0).now())
    ident = await schedule(
        egql, HOME_CENTRE, project_id, number, [(SUIZHOU, 1)], home_seats=1, auto_copy=auto_copy
    )
    clock.set(ManualClock.on(date(2026, 9, 22), 9, 0).now())
    await ok(egql, "evaluationStart", "EvaluationRefInput", HOME_CENTRE, "session { id }", id=ident)
    host = await session_as(egql, ident, HOST_CENTRE)
    assert host is not None
    (host_seat,) = (s["id"] for s in host["seats"])
    await ok(
        egql,
        "evaluationSeatExpert",
        "EvaluationSeatExpertInput",
        HOST_CENTRE,
        "session { id }",
        seatId=host_seat,
        expertId=host_expert,
    )
    home = await session_as(egql, ident, HOME_OFFICE)
    assert home is not None
    (home_seat,) = (s["id"] for s in home["seats"] if not s["atHost"])
    await ok(
        egql,
        "evaluationSeatExpert",
        "EvaluationSeatExpertInput",
        HOME_CENTRE,
        "session { id }",
        seatId=home_seat,
        expertId=home_expert,
    )
    clock.set(ManualClock.on(date(2026, 9, 22), 17, 0).now())
    await ok(
        egql, "evaluationFinish", "EvaluationRefInput", HOME_CENTRE, "session { id }", id=ident
    )
    return ident, home_seat, host_seat, home_expert, host_expert


async def _investigate(
    egql: GraphQLClient, session: str, seats: list[str], subject: str, ended: date
) -> str:
    opened = await ok(
        egql,
        "evaluationInvestigationOpen",
        "EvaluationInvestigationOpenInput",
        HOME_OFFICE,
        "investigation { id }",
        sessionId=session,
        seatIds=seats,
        subject=subject,
    )
    ident: str = opened["investigation"]["id"]
    await ok(
        egql,
        "evaluationInvestigationEnd",
        "EvaluationInvestigationEndInput",
        HOME_OFFICE,
        "investigation { state }",
        id=ident,
        result=f"{subject}：情况属实",
        decision="暂停评标专家资格六个月",
    )
    return ident


async def _copies(egql: GraphQLClient, login: str, unacknowledged: bool | None = None) -> Any:
    return await egql(COPIES, {"u": unacknowledged}, login=login)


async def _record(gql: GraphQLClient, expert: str, login: str) -> list[dict[str, Any]]:
    found = await gql.data(RECORD, {"e": expert}, login=login)
    return list(found["evaluationExpertResults"])


async def _owner_scalar(db: Database, sql: str) -> Any:
    engine = make_engine(db.owner_url, pool_size=1)
    try:
        async with engine.connect() as conn:
            return await conn.scalar(text(sql))
    finally:
        await engine.dispose()


async def test_the_host_receives_the_copy_and_acknowledges_it(
    egql: GraphQLClient, clock: ManualClock, fresh_db: Database
) -> None:
    session, home_seat, host_seat, home_expert, host_expert = await _session_with_host_expert(
        egql, clock, fresh_db, "PB-COPY-1", auto_copy=False
    )
    clock.set(ManualClock.on(date(2026, 9, 28)).now())
    inv = await _investigate(
        egql, session, [home_seat, host_seat], "评标期间使用手机", date.today()
    )
    # Nothing in the host's inbox before the copy; the home expert's record has the result at
    # once, the host expert's not yet.
    assert (await _copies(egql, HOST_OFFICE))["data"]["evaluationCopies"]["nodes"] == []
    assert [r["seat"] for r in await _record(egql, home_expert, HOME_OFFICE)] == ["主场-01"]
    assert await _record(egql, host_expert, HOST_OFFICE) == []
    clock.set(ManualClock.on(date(2026, 9, 30)).now())
    copied = await ok(
        egql,
        "evaluationInvestigationCopy",
        "EvaluationInvestigationRefInput",
        HOME_OFFICE,
        "investigation { state copies { host { code } seats acknowledgedBy } }",
        id=inv,
    )
    # The home sees what it sent: one copy, to 随州市, naming the host's own seat only.
    assert copied["investigation"]["copies"] == [
        {"host": {"code": str(SUIZHOU)}, "seats": ["副场1-01"], "acknowledgedBy": None}
    ]

    # The host's inbox: the result, its own seat concerned (not the home's), the decision.
    (received,) = (await _copies(egql, HOST_OFFICE, True))["data"]["evaluationCopies"]["nodes"]
    assert received["sessionNumber"] == "PB-COPY-1"
    assert received["seats"] == ["副场1-01"]
    assert received["result"] == "评标期间使用手机：情况属实"
    assert received["decision"] == "暂停评标专家资格六个月"
    assert received["automatic"] is False
    assert received["acknowledgedAt"] is None
    assert (received["host"]["code"], received["home"]["code"]) == (str(SUIZHOU), str(KUNMING))
    assert received["investigationId"] == inv
    # The host expert's record at 随州市's library shows the result; neither the home nor a
    # third unit reads it (the home never learns who sat there), nor the host the home's.
    (entry,) = await _record(egql, host_expert, HOST_OFFICE)
    assert (entry["seat"], entry["sessionNumber"], entry["home"]["code"]) == (
        "副场1-01",
        "PB-COPY-1",
        str(KUNMING),
    )
    assert entry["decision"] == "暂停评标专家资格六个月"
    for wall in (True, False):
        egql.app.state.app_wall = wall
        try:
            assert await _record(egql, host_expert, HOME_OFFICE) == []
            assert await _record(egql, host_expert, THIRD) == []
            assert await _record(egql, home_expert, HOST_OFFICE) == []
        finally:
            egql.app.state.app_wall = True
    # The home's own inbox holds none (it sent it); a third unit sees nothing, at both walls.
    assert (await _copies(egql, HOME_OFFICE))["data"]["evaluationCopies"]["nodes"] == []
    for wall in (True, False):
        egql.app.state.app_wall = wall
        try:
            assert (await _copies(egql, THIRD))["data"]["evaluationCopies"]["nodes"] == []
            assert (await _copies(egql, HOST_OFFICE))["data"]["evaluationCopies"]["nodes"]
        finally:
            egql.app.state.app_wall = True

    # Only the host's supervising departments acknowledge: not the host's centre, not the home
    # (which may not even lock the host's row), not a third unit (which does not find it).
    for login, codes in (
        (HOME_OFFICE, ["NOT_FOUND"]),
        (HOST_CENTRE, ["FORBIDDEN"]),
        (THIRD, ["NOT_FOUND"]),
    ):
        assert (
            await refused(
                egql,
                "evaluationCopyAcknowledge",
                "EvaluationCopyRefInput",
                login,
                id=received["id"],
            )
            == codes
        ), login
    clock.set(ManualClock.on(date(2026, 10, 8), 10, 0).now())
    acknowledged = await ok(
        egql,
        "evaluationCopyAcknowledge",
        "EvaluationCopyRefInput",
        HOST_OFFICE,
        "copy { acknowledgedAt acknowledgedBy }",
        id=received["id"],
    )
    assert acknowledged["copy"]["acknowledgedBy"] == HOST_OFFICE
    assert await refused(
        egql, "evaluationCopyAcknowledge", "EvaluationCopyRefInput", HOST_OFFICE, id=received["id"]
    ) == ["ILLEGAL_STATE"]
    assert (await _copies(egql, HOST_OFFICE, True))["data"]["evaluationCopies"]["nodes"] == []
    # The home sees the acknowledgement; the host's own chain holds it.
    seen = (await egql.data(INVESTIGATION, {"id": inv}, login=HOME_OFFICE))[
        "evaluationInvestigation"
    ]
    assert seen["copies"][0]["acknowledgedBy"] == HOST_OFFICE
    audited = await _owner_scalar(
        fresh_db,
        "SELECT count(*) FROM audit_event WHERE action = 'evaluation.copyAcknowledge' "
        f"AND jurisdiction_code = {SUIZHOU} AND actor = '{HOST_OFFICE}'",
    )
    assert audited == 1


async def test_the_worker_copies_where_the_home_configured_it(
    egql: GraphQLClient, clock: ManualClock, fresh_db: Database
) -> None:
    session, _, host_seat, _, host_expert = await _session_with_host_expert(
        egql, clock, fresh_db, "PB-AUTO-1", auto_copy=True
    )
    assert (await session_as(egql, session, HOME_CENTRE) or {}).get("id") == session
    clock.set(ManualClock.on(date(2026, 9, 24), 10, 0).now())
    first = await _investigate(egql, session, [host_seat], "评标期间离开席位", date.today())
    # PostgreSQL holds the truth: ended and owed, not copied until the worker runs.
    assert (await _copies(egql, HOST_OFFICE))["data"]["evaluationCopies"]["nodes"] == []
    async with app_sessions(fresh_db) as sessions:
        report = await jobs.copy_due(sessions, clock=clock)
        assert report.units == 1
        assert len(report.copied) == 1
        assert (await jobs.copy_due(sessions, clock=clock)).copied == []  # idempotent
    seen = (await egql.data(INVESTIGATION, {"id": first}, login=HOME_OFFICE))[
        "evaluationInvestigation"
    ]
    assert seen["state"] == "COPIED"
    assert seen["obligations"] == [
        {
            "rule": {"id": "R12.copy_to_host"},
            "status": "MET",
            "metOn": "2026-09-24",
            "metLate": False,
        }
    ]
    (received,) = (await _copies(egql, HOST_OFFICE, True))["data"]["evaluationCopies"]["nodes"]
    assert received["automatic"] is True
    assert received["seats"] == ["副场1-01"]
    assert [r["seat"] for r in await _record(egql, host_expert, HOST_OFFICE)] == ["副场1-01"]
    copier = await _owner_scalar(
        fresh_db,
        "SELECT copied_by FROM evaluation_copy WHERE automatic",
    )
    assert copier == "system:evaluation"

    # A second investigation ends on 28 September while the worker is down: the copy is due
    # on 13 October (National Day), overdue on the 14th and escalated to 云南省 by the sweep.
    clock.set(ManualClock.on(date(2026, 9, 28), 10, 0).now())
    second = await _investigate(egql, session, [host_seat], "评标期间私下接触投标人", date.today())
    clock.set(ManualClock.on(date(2026, 10, 14), 8, 0).now())
    async with app_sessions(fresh_db) as sessions:
        await sweep.run(sessions, clock=clock)
    escalated = await _owner_scalar(
        fresh_db,
        "SELECT count(*) FROM notification n JOIN department d ON d.id = "
        "n.recipient_department_id WHERE n.kind = 'escalation' AND n.rule_id = "
        "'R12.copy_to_host' AND n.jurisdiction_code = 530000 AND d.key = 'yunnan-office'",
    )
    assert escalated == 1
    # The worker comes back: it copies, late.
    async with app_sessions(fresh_db) as sessions:
        assert len((await jobs.copy_due(sessions, clock=clock)).copied) == 1
    late = (await egql.data(INVESTIGATION, {"id": second}, login=HOME_OFFICE))[
        "evaluationInvestigation"
    ]
    assert [(o["status"], o["metLate"]) for o in late["obligations"]] == [("MET", True)]
    assert len((await _copies(egql, HOST_OFFICE, True))["data"]["evaluationCopies"]["nodes"]) == 2
