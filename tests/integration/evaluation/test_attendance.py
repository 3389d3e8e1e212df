"""Attendance per seat and audio/video record references per site (R-12): each site records at
its own seats (a host through its grant); the home reads every seat's attendance by seat, never
a host expert's identity; a host reads its own only; the references are listed by the host's
handover; both are readable through the host's grant during its window and not after it, at
both walls."""

from __future__ import annotations

import asyncio
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
from xietong.deadlines.clock import ManualClock
from xietong.evaluation import jobs

KUNMING, SUIZHOU = 530100, 421300
READ = """
query($id: ID!) { evaluationSession(id: $id) {
  attendance { seat kind site { code } }
  recordings { reference sha256 site { code } }
  experts { name } } }"""
HOSTING = """
{ evaluationHostings { nodes { id recordings { reference } } } }"""
DIGEST = "ab" * 32


async def _read(gql: GraphQLClient, ident: str, login: str) -> dict[str, Any] | None:
    found: dict[str, Any] | None = (await gql.data(READ, {"id": ident}, login=login))[
        "evaluationSession"
    ]
    return found


async def _attend(gql: GraphQLClient, login: str, seat: str, kind: str) -> list[str]:
    return await refused(
        gql,
        "evaluationAttendanceRecord",
        "EvaluationAttendanceRecordInput",
        login,
        seatId=seat,
        kind=kind,
    )


def _recording(site: str, reference: str, sha256: str = DIGEST) -> dict[str, str]:
    return {
        "siteId": site,
        "reference": reference,
        "startedAt": "2026-09-22T09:00:00+08:00",
        "endedAt": "2026-09-22T11:00:00+08:00",
        "sha256": sha256,
    }


async def _record(gql: GraphQLClient, login: str, values: dict[str, str]) -> list[str]:
    return await refused(
        gql, "evaluationRecordingRecord", "EvaluationRecordingRecordInput", login, **values
    )


async def test_attendance_and_recordings_per_site_through_the_window(
    egql: GraphQLClient, clock: ManualClock, fresh_db: Database
) -> None:
    project_id = await a_project(fresh_db, egql, KUNMING, 51)
    host_expert = await an_expert(egql, "suizhou.office", SUIZHOU, "王建国", 51)
    ident = await schedule(
        egql, "kunming.centre", project_id, "PB-ATTEND", [(SUIZHOU, 1)], home_seats=1
    )
    home = await session_as(egql, ident, "kunming.centre")
    assert home is not None
    home_seat = home["seats"][0]["id"]
    home_site = next(s["id"] for s in home["sites"] if s["role"] == "HOME")
    # Before the start nothing is recorded.
    assert await _attend(egql, "kunming.centre", home_seat, "ARRIVED") == ["ILLEGAL_STATE"]
    assert await _record(egql, "kunming.centre", _recording(home_site, "x")) == ["ILLEGAL_STATE"]

    clock.set(ManualClock.on(date(2026, 9, 22), 9, 0).now())
    await ok(
        egql, "evaluationStart", "EvaluationRefInput", "kunming.centre", "session { id }", id=ident
    )
    host = await session_as(egql, ident, "suizhou.centre")
    assert host is not None
    (host_seat,) = (s["id"] for s in host["seats"])
    (host_site,) = (s["id"] for s in host["sites"])
    await ok(
        egql,
        "evaluationSeatExpert",
        "EvaluationSeatExpertInput",
        "suizhou.centre",
        "session { id }",
        seatId=host_seat,
        expertId=host_expert,
    )
    clock.set(ManualClock.on(date(2026, 9, 22), 9, 5).now())
    # Two of the host's staff record the arrival at once: one is kept, the other refused.
    both = await asyncio.gather(
        _attend(egql, "suizhou.centre", host_seat, "ARRIVED"),
        _attend(egql, "suizhou.office", host_seat, "ARRIVED"),
    )
    assert sorted(both) == [[], ["ILLEGAL_STATE"]]
    assert await _attend(egql, "kunming.centre", home_seat, "ABSENT") == []
    # Arrive once; no departure without an arrival; not absent after arriving.
    assert await _attend(egql, "suizhou.centre", host_seat, "ARRIVED") == ["ILLEGAL_STATE"]
    assert await _attend(egql, "suizhou.centre", host_seat, "ABSENT") == ["ILLEGAL_STATE"]
    assert await _attend(egql, "kunming.centre", home_seat, "DEPARTED") == ["ILLEGAL_STATE"]
    # Nobody records at another site's seats: the home not at the host's (not its site), the
    # host not at the home's (it does not see them), a third unit nowhere.
    assert await _attend(egql, "kunming.centre", host_seat, "DEPARTED") == ["NOT_YOUR_SITE"]
    assert await _attend(egql, "suizhou.centre", home_seat, "ARRIVED") == ["NOT_FOUND"]
    assert await _attend(egql, "anyang.centre", host_seat, "DEPARTED") == ["NOT_FOUND"]

    clock.set(ManualClock.on(date(2026, 9, 22), 17, 30).now())
    await ok(
        egql, "evaluationFinish", "EvaluationRefInput", "kunming.centre", "session { id }", id=ident
    )
    # The departure after the end; the recordings before the handover.
    assert await _attend(egql, "suizhou.centre", host_seat, "DEPARTED") == []
    assert await _record(egql, "suizhou.centre", _recording(host_site, "AV-421300-0001")) == []
    assert await _record(egql, "kunming.centre", _recording(home_site, "s3://km/av/1.mp4")) == []
    assert await _record(egql, "suizhou.centre", _recording(host_site, "x", "nothex")) == [
        "INVALID"
    ]
    assert await _record(egql, "kunming.centre", _recording(host_site, "x")) == ["NOT_YOUR_SITE"]
    assert await _record(egql, "anyang.centre", _recording(host_site, "x")) == ["NOT_FOUND"]

    # The home reads every seat's attendance and every site's references, never the host's
    # expert; the host its own only; a third unit nothing; at both walls.
    for wall in (True, False):
        egql.app.state.app_wall = wall
        try:
            seen = await _read(egql, ident, "kunming.office")
            assert seen is not None
            assert sorted(
                (a["seat"], a["kind"], a["site"]["code"]) for a in seen["attendance"]
            ) == [
                ("主场-01", "ABSENT", str(KUNMING)),
                ("副场1-01", "ARRIVED", str(SUIZHOU)),
                ("副场1-01", "DEPARTED", str(SUIZHOU)),
            ]
            assert sorted(r["reference"] for r in seen["recordings"]) == [
                "AV-421300-0001",
                "s3://km/av/1.mp4",
            ]
            assert "王建国" not in str(seen)
            own = await _read(egql, ident, "suizhou.centre")
            assert own is not None
            assert {a["seat"] for a in own["attendance"]} == {"副场1-01"}
            assert [r["reference"] for r in own["recordings"]] == ["AV-421300-0001"]
            assert await _read(egql, ident, "anyang.centre") is None
        finally:
            egql.app.state.app_wall = True

    # The handover lists the site's references (in the host's chain).
    await ok(
        egql,
        "evaluationHandOver",
        "EvaluationHandOverInput",
        "suizhou.centre",
        "site { id }",
        siteId=host_site,
    )
    assert await _record(egql, "suizhou.centre", _recording(host_site, "late")) == ["ILLEGAL_STATE"]
    engine = make_engine(fresh_db.owner_url, pool_size=1)
    try:
        async with engine.connect() as conn:
            details = (
                await conn.execute(
                    text(
                        "SELECT details, jurisdiction_code FROM audit_event "
                        "WHERE action = 'evaluation.handOver'"
                    )
                )
            ).one()
            actions = (
                await conn.execute(
                    text(
                        "SELECT action, jurisdiction_code FROM audit_event WHERE action IN "
                        "('evaluation.attendanceRecord', 'evaluation.recordingRecord') "
                        "ORDER BY action, jurisdiction_code"
                    )
                )
            ).all()
    finally:
        await engine.dispose()
    assert details[1] == SUIZHOU
    assert details[0]["recordings"] == [{"reference": "AV-421300-0001", "sha256": DIGEST}]
    assert [tuple(r) for r in actions] == [
        ("evaluation.attendanceRecord", SUIZHOU),
        ("evaluation.attendanceRecord", SUIZHOU),
        ("evaluation.attendanceRecord", KUNMING),
        ("evaluation.recordingRecord", SUIZHOU),
        ("evaluation.recordingRecord", KUNMING),
    ]

    # After the window (5 working days from 22 September, 湖北's calendar, is 30 September;
    # 昆明市's calendar counts it: the same here) the host reads neither, at both walls, and
    # records nothing; the home still reads all.
    clock.set(ManualClock.on(date(2026, 10, 9)).now())
    async with app_sessions(fresh_db) as sessions:
        report = await jobs.close_windows(sessions, clock=clock)
    assert len(report.closed) == 1
    for wall in (True, False):
        egql.app.state.app_wall = wall
        try:
            assert await _read(egql, ident, "suizhou.centre") is None
            (hosting,) = (await egql.data(HOSTING, login="suizhou.centre"))["evaluationHostings"][
                "nodes"
            ]
            assert hosting["recordings"] == []
            seen = await _read(egql, ident, "kunming.office")
            assert seen is not None
            assert len(seen["attendance"]) == 3
            assert len(seen["recordings"]) == 2
        finally:
            egql.app.state.app_wall = True
    assert await _attend(egql, "suizhou.centre", host_seat, "DEPARTED") == ["NOT_FOUND"]


async def test_two_hosts_each_read_only_their_own_attendance_and_recordings(
    egql: GraphQLClient, clock: ManualClock, fresh_db: Database
) -> None:
    enshi = 422800
    project_id = await a_project(fresh_db, egql, KUNMING, 52)
    ident = await schedule(
        egql, "kunming.centre", project_id, "PB-TWO", [(SUIZHOU, 1), (enshi, 1)], home_seats=1
    )
    clock.set(ManualClock.on(date(2026, 9, 22), 9, 0).now())
    await ok(
        egql, "evaluationStart", "EvaluationRefInput", "kunming.centre", "session { id }", id=ident
    )
    clock.set(ManualClock.on(date(2026, 9, 22), 11, 30).now())
    for login, code in (("suizhou.centre", SUIZHOU), ("enshi.centre", enshi)):
        own = await session_as(egql, ident, login)
        assert own is not None
        (seat,) = (s["id"] for s in own["seats"])
        (site,) = (s["id"] for s in own["sites"])
        assert await _attend(egql, login, seat, "ARRIVED") == []
        assert await _record(egql, login, _recording(site, f"AV-{code}")) == []
    for wall in (True, False):
        egql.app.state.app_wall = wall
        try:
            for login, code in (("suizhou.centre", SUIZHOU), ("enshi.centre", enshi)):
                seen = await _read(egql, ident, login)
                assert seen is not None
                assert {a["site"]["code"] for a in seen["attendance"]} == {str(code)}
                assert [r["reference"] for r in seen["recordings"]] == [f"AV-{code}"]
            home = await _read(egql, ident, "kunming.office")
            assert home is not None
            assert len(home["attendance"]) == 2
            assert sorted(r["reference"] for r in home["recordings"]) == [
                f"AV-{SUIZHOU}",
                f"AV-{enshi}",
            ]
        finally:
            egql.app.state.app_wall = True
