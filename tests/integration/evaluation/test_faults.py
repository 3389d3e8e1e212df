"""The 4-hour fault rule on the deadline engine's hour clock: fixed in time; or not fixed, overdue
the moment after the fourth hour (the sweep marks it and escalates it to 云南省 at once), and the
session aborted — records sealed, re-evaluation — with the hosts' records still owed."""

from __future__ import annotations

from datetime import date
from typing import Any

from tests.conftest import Database
from tests.integration.evaluation.support import (
    HOSTINGS,
    a_project,
    app_sessions,
    ok,
    refused,
    schedule,
    session_as,
)
from tests.support import GraphQLClient
from xietong.deadlines import sweep
from xietong.deadlines.clock import ManualClock

KUNMING, SUIZHOU = 530100, 421300
FAULTS = """
query($id: ID!) { evaluationSession(id: $id) { state faults { id cause startedAt endedAt
  obligations { rule { id } unit due dueAt status overdue metLate } } } }"""


async def _faults(gql: GraphQLClient, ident: str) -> dict[str, Any]:
    found: dict[str, Any] = (await gql.data(FAULTS, {"id": ident}, login="kunming.office"))[
        "evaluationSession"
    ]
    return found


async def _started(gql: GraphQLClient, clock: ManualClock, db: Database, n: int) -> str:
    project_id = await a_project(db, gql, KUNMING, n)
    ident = await schedule(gql, "kunming.centre", project_id, f"PB-2026-{n:04d}", [(SUIZHOU, 1)])
    clock.set(ManualClock.on(date(2026, 9, 22), 9, 0).now())
    await ok(
        gql, "evaluationStart", "EvaluationRefInput", "kunming.centre", "session { id }", id=ident
    )
    return ident


async def _record_fault(gql: GraphQLClient, ident: str, at: str) -> None:
    home = await session_as(gql, ident, "kunming.centre")
    assert home is not None
    (host_site,) = [s["id"] for s in home["sites"] if s["role"] == "HOST"]
    payload = await ok(
        gql,
        "evaluationFaultRecord",
        "EvaluationFaultRecordInput",
        "kunming.centre",
        "session { state }",
        sessionId=ident,
        siteId=host_site,
        cause="副场音视频中断",
        startedAt=at,
    )
    assert payload["session"]["state"] == "PAUSED"


async def test_a_fault_fixed_within_four_hours(
    egql: GraphQLClient, clock: ManualClock, fresh_db: Database
) -> None:
    ident = await _started(egql, clock, fresh_db, 31)
    clock.set(ManualClock.on(date(2026, 9, 22), 10, 5).now())
    await _record_fault(egql, ident, "2026-09-22T10:00:00+08:00")
    (fault,) = (await _faults(egql, ident))["faults"]
    (repair,) = fault["obligations"]
    assert repair["rule"]["id"] == "REMOTE.fault_repair"
    assert repair["unit"] == "HOURS"
    assert repair["due"] == "2026-09-22"
    assert repair["dueAt"] == "2026-09-22T14:00:00+08:00"  # four elapsed hours
    assert repair["overdue"] is False
    clock.set(ManualClock.on(date(2026, 9, 22), 11, 30).now())
    ended = await ok(
        egql,
        "evaluationFaultEnd",
        "EvaluationFaultRefInput",
        "kunming.centre",
        "session { state }",
        id=fault["id"],
    )
    assert ended["session"]["state"] == "STARTED"  # resumed
    (fault,) = (await _faults(egql, ident))["faults"]
    assert [(o["status"], o["metLate"]) for o in fault["obligations"]] == [("MET", False)]
    # Only the home records and ends faults.
    assert await refused(
        egql, "evaluationFaultEnd", "EvaluationFaultRefInput", "suizhou.centre", id=fault["id"]
    ) == ["NOT_FOUND"]


async def test_a_fault_not_fixed_in_four_hours_is_escalated_and_the_session_aborted(
    egql: GraphQLClient, clock: ManualClock, fresh_db: Database
) -> None:
    ident = await _started(egql, clock, fresh_db, 32)
    clock.set(ManualClock.on(date(2026, 9, 22), 10, 0).now())
    await _record_fault(egql, ident, "2026-09-22T10:00:00+08:00")
    # Not finished while a fault is open.
    assert await refused(
        egql, "evaluationFinish", "EvaluationRefInput", "kunming.centre", id=ident
    ) == ["ILLEGAL_STATE"]

    # 13:59: still in time, the sweep says nothing overdue.
    clock.set(ManualClock.on(date(2026, 9, 22), 13, 59).now())
    async with app_sessions(fresh_db) as sessions:
        report = await sweep.run(sessions, clock=clock)
    assert report.marked_overdue == 0
    (fault,) = (await _faults(egql, ident))["faults"]
    assert fault["obligations"][0]["overdue"] is False

    # 14:01, the same day: overdue, marked and escalated to 云南省 at once.
    clock.set(ManualClock.on(date(2026, 9, 22), 14, 1).now())
    async with app_sessions(fresh_db) as sessions:
        report = await sweep.run(sessions, clock=clock)
        assert report.marked_overdue == 1
        assert report.notified["escalation"] == 1
        again = await sweep.run(sessions, clock=clock)
        assert again.sent == 0
    (fault,) = (await _faults(egql, ident))["faults"]
    (repair,) = fault["obligations"]
    assert (repair["status"], repair["overdue"]) == ("OVERDUE", True)
    inbox = await egql.data(
        "{ myNotifications { nodes { kind obligation { rule { id } } } } }",
        login="yunnan.office",
    )
    assert [
        (n["kind"], n["obligation"]["rule"]["id"]) for n in inbox["myNotifications"]["nodes"]
    ] == [("ESCALATION", "REMOTE.fault_repair")]

    # The home aborts: records sealed, a new committee; the fault's clock is resolved, late.
    aborted = await ok(
        egql,
        "evaluationAbort",
        "EvaluationRefInput",
        "kunming.centre",
        "session { state }",
        id=ident,
    )
    assert aborted["session"]["state"] == "ABORTED"
    (fault,) = (await _faults(egql, ident))["faults"]
    assert fault["endedAt"] is not None
    assert [(o["status"], o["metLate"]) for o in fault["obligations"]] == [("MET", True)]
    # The host still owes the records it has: 5 working days on 湖北's calendar.
    (hosting,) = (await egql.data(HOSTINGS, login="suizhou.office"))["evaluationHostings"]["nodes"]
    assert [(o["rule"]["id"], o["due"]) for o in hosting["obligations"]] == [
        ("REMOTE.handover_records", "2026-09-30")
    ]


PRE_FAULTS = """
query($id: ID!) { evaluationSession(id: $id) { state faults { id decision endedAt
  obligations { rule { id } unit dueAt status overdue metLate } } } }"""


async def _scheduled(gql: GraphQLClient, db: Database, n: int) -> tuple[str, str]:
    """A session of 昆明市 starting 22 September at 09:00: (session, the home site)."""
    project_id = await a_project(db, gql, KUNMING, n)
    ident = await schedule(gql, "kunming.centre", project_id, f"PB-2026-{n:04d}", [(SUIZHOU, 1)])
    home = await session_as(gql, ident, "kunming.centre")
    assert home is not None
    (site,) = [s["id"] for s in home["sites"]]  # before the start the home sees its own only
    return ident, site


async def _pre_fault(gql: GraphQLClient, ident: str, site: str, at: str) -> dict[str, Any]:
    payload = await ok(
        gql,
        "evaluationFaultRecord",
        "EvaluationFaultRecordInput",
        "kunming.centre",
        "session { state }",
        sessionId=ident,
        siteId=site,
        cause="主场评标系统升级失败",
        startedAt=at,
    )
    assert payload["session"]["state"] == "SCHEDULED"  # nothing to pause before the start
    found: dict[str, Any] = (await gql.data(PRE_FAULTS, {"id": ident}, login="kunming.office"))[
        "evaluationSession"
    ]
    return found


async def test_a_fault_more_than_two_hours_before_the_start_is_the_tenderers_to_decide(
    egql: GraphQLClient, clock: ManualClock, fresh_db: Database
) -> None:
    ident, site = await _scheduled(egql, fresh_db, 33)
    clock.set(ManualClock.on(date(2026, 9, 22), 6, 5).now())
    found = await _pre_fault(egql, ident, site, "2026-09-22T06:00:00+08:00")  # 3 h before
    (fault,) = found["faults"]
    (decide,) = fault["obligations"]
    assert decide["rule"]["id"] == "REMOTE.pre_start_decision"
    assert (decide["unit"], decide["dueAt"]) == ("HOURS", "2026-09-22T08:00:00+08:00")
    # Not started while the decision is owed; not ended without the tenderer's decision.
    assert await refused(
        egql, "evaluationStart", "EvaluationRefInput", "kunming.centre", id=ident
    ) == ["ILLEGAL_STATE"]
    assert await refused(
        egql, "evaluationFaultEnd", "EvaluationFaultRefInput", "kunming.centre", id=fault["id"]
    ) == ["INVALID"]
    clock.set(ManualClock.on(date(2026, 9, 22), 7, 30).now())
    await ok(
        egql,
        "evaluationFaultEnd",
        "EvaluationFaultRefInput",
        "kunming.centre",
        "session { state }",
        id=fault["id"],
        decision="招标人决定如期评标，改用备用评标室",
    )
    found = (await egql.data(PRE_FAULTS, {"id": ident}, login="kunming.office"))[
        "evaluationSession"
    ]
    (fault,) = found["faults"]
    assert fault["decision"] == "招标人决定如期评标，改用备用评标室"
    assert [(o["status"], o["metLate"]) for o in fault["obligations"]] == [("MET", False)]
    clock.set(ManualClock.on(date(2026, 9, 22), 9, 0).now())
    started = await ok(
        egql,
        "evaluationStart",
        "EvaluationRefInput",
        "kunming.centre",
        "session { state }",
        id=ident,
    )
    assert started["session"]["state"] == "STARTED"

    # Within 2 hours of the start there is no time for a decision: the 4-hour repair rule.
    other, other_site = await _scheduled(egql, fresh_db, 34)
    clock.set(ManualClock.on(date(2026, 9, 22), 7, 45).now())
    found = await _pre_fault(egql, other, other_site, "2026-09-22T07:30:00+08:00")
    assert [o["rule"]["id"] for o in found["faults"][0]["obligations"]] == ["REMOTE.fault_repair"]


async def test_an_undecided_pre_start_fault_is_escalated(
    egql: GraphQLClient, clock: ManualClock, fresh_db: Database
) -> None:
    ident, site = await _scheduled(egql, fresh_db, 35)
    clock.set(ManualClock.on(date(2026, 9, 22), 5, 0).now())
    await _pre_fault(egql, ident, site, "2026-09-22T05:00:00+08:00")
    clock.set(ManualClock.on(date(2026, 9, 22), 7, 1).now())
    async with app_sessions(fresh_db) as sessions:
        report = await sweep.run(sessions, clock=clock)
    assert report.marked_overdue == 1
    inbox = await egql.data(
        "{ myNotifications { nodes { kind obligation { rule { id } } } } }",
        login="yunnan.office",
    )
    assert [
        (n["kind"], n["obligation"]["rule"]["id"]) for n in inbox["myNotifications"]["nodes"]
    ] == [("ESCALATION", "REMOTE.pre_start_decision")]
