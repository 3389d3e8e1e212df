"""The same walls between two cities of one province (恩施州 home, 随州市 host), and a session
with two host sites where each host sees only its own seats and experts."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import text

from tests.conftest import Database
from tests.integration.evaluation.support import (
    HOSTINGS,
    a_project,
    an_expert,
    app_sessions,
    ok,
    refused,
    schedule,
    session_as,
)
from tests.support import GraphQLClient
from xietong.api.ids import from_global_id
from xietong.db.engine import make_engine
from xietong.deadlines.clock import ManualClock
from xietong.evaluation import jobs

KUNMING, ENSHI, SUIZHOU = 530100, 422800, 421300


async def _start(gql: GraphQLClient, clock: ManualClock, login: str, ident: str) -> None:
    clock.set(ManualClock.on(date(2026, 9, 22), 9, 0).now())
    await ok(gql, "evaluationStart", "EvaluationRefInput", login, "session { state }", id=ident)


async def _seat(gql: GraphQLClient, login: str, seat: str, expert: str) -> None:
    await ok(
        gql,
        "evaluationSeatExpert",
        "EvaluationSeatExpertInput",
        login,
        "session { id }",
        seatId=seat,
        expertId=expert,
    )


async def test_two_cities_of_one_province(
    egql: GraphQLClient, clock: ManualClock, fresh_db: Database
) -> None:
    project_id = await a_project(fresh_db, egql, ENSHI, 7)
    home_expert = await an_expert(egql, "enshi.office", ENSHI, "田秀英", 11)
    host_expert = await an_expert(egql, "suizhou.office", SUIZHOU, "周明", 12)
    ident = await schedule(egql, "enshi.centre", project_id, "ES-2026-0007", [(SUIZHOU, 1)])

    # Sealed: the host sees its hosting only; the home no host; the province both sides.
    assert await session_as(egql, ident, "suizhou.centre") is None
    home = await session_as(egql, ident, "enshi.centre")
    assert home is not None
    assert [s["role"] for s in home["sites"]] == ["HOME"]
    province = await session_as(egql, ident, "hubei.office")
    assert province is not None
    assert province["project"] is not None

    await _seat(egql, "enshi.centre", home["seats"][0]["id"], home_expert)
    await _start(egql, clock, "enshi.centre", ident)
    host = await session_as(egql, ident, "suizhou.centre")
    assert host is not None
    assert host["project"] is None
    (host_seat,) = host["seats"]
    await _seat(egql, "suizhou.centre", host_seat["id"], host_expert)
    host = await session_as(egql, ident, "suizhou.centre")
    assert host is not None
    assert [x["name"] for x in host["experts"]] == ["周明"]
    home = await session_as(egql, ident, "enshi.office")
    assert home is not None
    assert [x["name"] for x in home["experts"]] == ["田秀英"]
    assert len(home["seats"]) == 3
    # A sibling city elsewhere in the province (not a party) sees nothing of it.
    assert await session_as(egql, ident, "xuanen.office") is None


async def test_two_host_sites_each_see_only_their_own(
    egql: GraphQLClient, clock: ManualClock, fresh_db: Database
) -> None:
    project_id = await a_project(fresh_db, egql, KUNMING, 8)
    suizhou_expert = await an_expert(egql, "suizhou.office", SUIZHOU, "周明", 21)
    enshi_expert = await an_expert(egql, "enshi.office", ENSHI, "田秀英", 22)
    ident = await schedule(
        egql, "kunming.centre", project_id, "PB-2026-0008", [(SUIZHOU, 1), (ENSHI, 2)]
    )
    for login, seats in (("suizhou.centre", 1), ("enshi.centre", 2)):
        (hosting,) = (await egql.data(HOSTINGS, login=login))["evaluationHostings"]["nodes"]
        assert hosting["seats"] == seats
        assert hosting["session"] is None
    await _start(egql, clock, "kunming.centre", ident)

    suizhou = await session_as(egql, ident, "suizhou.centre")
    enshi = await session_as(egql, ident, "enshi.centre")
    assert suizhou is not None
    assert enshi is not None
    # Each host: its own site and seats, never the other host's.
    assert [s["jurisdiction"]["code"] for s in suizhou["sites"]] == [str(SUIZHOU)]
    assert [s["jurisdiction"]["code"] for s in enshi["sites"]] == [str(ENSHI)]
    assert len(suizhou["seats"]) == 1
    assert len(enshi["seats"]) == 2
    assert not {s["id"] for s in suizhou["seats"]} & {s["id"] for s in enshi["seats"]}
    await _seat(egql, "suizhou.centre", suizhou["seats"][0]["id"], suizhou_expert)
    await _seat(egql, "enshi.centre", enshi["seats"][0]["id"], enshi_expert)
    # One host cannot seat in the other's seats (it does not see them).
    assert await refused(
        egql,
        "evaluationSeatExpert",
        "EvaluationSeatExpertInput",
        "enshi.centre",
        seatId=suizhou["seats"][0]["id"],
        expertId=enshi_expert,
    ) == ["NOT_FOUND"]
    suizhou = await session_as(egql, ident, "suizhou.centre")
    enshi = await session_as(egql, ident, "enshi.centre")
    assert suizhou is not None
    assert enshi is not None
    assert [x["name"] for x in suizhou["experts"]] == ["周明"]
    assert [x["name"] for x in enshi["experts"]] == ["田秀英"]
    # The home sees both hosts and all five seats — and neither host's experts.
    home = await session_as(egql, ident, "kunming.office")
    assert home is not None
    assert sorted(s["jurisdiction"]["code"] for s in home["sites"]) == [
        str(SUIZHOU),
        str(ENSHI),
        str(KUNMING),
    ]
    assert len(home["seats"]) == 5
    assert home["experts"] == []
    # 湖北省 is the superior of both hosts but no party: no session, no expert of it.
    assert await session_as(egql, ident, "hubei.office") is None
    # Both walls: the same without the application's filter.
    egql.app.state.app_wall = False
    try:
        enshi = await session_as(egql, ident, "enshi.centre")
        assert enshi is not None
        assert [x["name"] for x in enshi["experts"]] == ["田秀英"]
        assert len(enshi["seats"]) == 2
        home = await session_as(egql, ident, "kunming.office")
        assert home is not None
        assert home["experts"] == []
    finally:
        egql.app.state.app_wall = True


async def _grants(db: Database, session_id: str) -> list[tuple[Any, ...]]:
    """The session's grants: grantee unit, department kind, revoked (as the owner sees them)."""
    _, raw = from_global_id(session_id)
    engine = make_engine(db.owner_url, pool_size=1)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(
                text(
                    "SELECT g.grantee_jurisdiction_code, d.kind, g.revoked_at IS NOT NULL "
                    "FROM access_grant g LEFT JOIN department d ON d.id = g.grantee_department_id "
                    "WHERE g.object_type = 'evaluation' AND g.object_id = :s ORDER BY d.kind"
                ),
                {"s": raw},
            )
            return [tuple(r) for r in rows]
    finally:
        await engine.dispose()


async def test_the_host_office_and_centre_hold_the_grant_nobody_else(
    egql: GraphQLClient, clock: ManualClock, fresh_db: Database
) -> None:
    project_id = await a_project(fresh_db, egql, KUNMING, 9)
    host_expert = await an_expert(egql, "suizhou.office", SUIZHOU, "周明", 31)
    ident = await schedule(egql, "kunming.centre", project_id, "PB-2026-0009", [(SUIZHOU, 1)])
    await _start(egql, clock, "kunming.centre", ident)

    # One grant per department: the host's supervision office and its trading centre.
    assert await _grants(fresh_db, ident) == [
        (SUIZHOU, "supervision_office", False),
        (SUIZHOU, "trading_centre", False),
    ]
    # The office acts through its own grant (seats an expert of its library).
    host = await session_as(egql, ident, "suizhou.office")
    assert host is not None
    await _seat(egql, "suizhou.office", host["seats"][0]["id"], host_expert)
    # Other departments of the host unit (which read evaluations of their own subtree) read
    # nothing of the hosted session, at both walls; the office and the centre read it.
    for wall in (True, False):
        egql.app.state.app_wall = wall
        try:
            for login in ("suizhou.office", "suizhou.centre"):
                seen = await session_as(egql, ident, login)
                assert seen is not None, (wall, login)
                assert seen["project"] is None
                assert [x["name"] for x in seen["experts"]] == ["周明"]
            for login in (
                "suizhou.housing",
                "suizhou.finance",
                "suizhou.discipline",
                "suizhou.audit",
                "suizhou.police",
                "suizhou.leader",
            ):
                assert await session_as(egql, ident, login) is None, (wall, login)
        finally:
            egql.app.state.app_wall = True

    # The end of the window revokes both grants.
    clock.set(ManualClock.on(date(2026, 9, 22), 17, 30).now())
    await ok(
        egql, "evaluationFinish", "EvaluationRefInput", "kunming.centre", "session { id }", id=ident
    )
    clock.set(ManualClock.on(date(2026, 10, 9)).now())
    async with app_sessions(fresh_db) as sessions:
        report = await jobs.close_windows(sessions, clock=clock)
    assert len(report.closed) == 1
    assert await _grants(fresh_db, ident) == [
        (SUIZHOU, "supervision_office", True),
        (SUIZHOU, "trading_centre", True),
    ]
    for login in ("suizhou.office", "suizhou.centre"):
        assert await session_as(egql, ident, login) is None
