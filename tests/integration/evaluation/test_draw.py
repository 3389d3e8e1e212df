"""Host sites drawn at random among eligible centres: the recorded seed redoes the draw, the
draw is sealed like the hosts (the home side reads it from the start, a host never), and only
eligible centres are drawn."""

from __future__ import annotations

from datetime import date
from typing import Any

from tests.conftest import Database
from tests.integration.evaluation.support import HOSTINGS, a_project, ok, refused
from tests.support import GraphQLClient
from xietong.deadlines.clock import ManualClock
from xietong.evaluation.draw import choose

KUNMING, SUIZHOU, ENSHI = 530100, 421300, 422800
DRAW = """
query($id: ID!) { evaluationSession(id: $id) { sites { role jurisdiction { code } }
  draw { seed candidates ranking chosen { code } } } }"""


def _input(project_id: str, number: str, **extra: Any) -> dict[str, Any]:
    return {
        "projectId": project_id,
        "number": number,
        "scheduledStart": "2026-09-22T09:00:00+08:00",
        "scheduledEnd": "2026-09-22T17:00:00+08:00",
        "homeSeats": 1,
        **extra,
    }


async def _draw(gql: GraphQLClient, ident: str, login: str) -> Any:
    return (await gql.data(DRAW, {"id": ident}, login=login))["evaluationSession"]


async def test_a_drawn_host_is_reproducible_and_sealed_until_the_start(
    egql: GraphQLClient, clock: ManualClock, fresh_db: Database
) -> None:
    project_id = await a_project(fresh_db, egql, KUNMING, 51)
    seed = "昆明-2026-抽取-0001"
    expected = choose(seed, [SUIZHOU, ENSHI], 1).chosen
    (host,) = expected
    other = ENSHI if host == SUIZHOU else SUIZHOU
    payload = await ok(
        egql,
        "evaluationSchedule",
        "EvaluationScheduleInput",
        "kunming.centre",
        "session { id }",
        **_input(
            project_id,
            "PB-DRAW-1",
            draw={"count": 1, "seats": 2, "candidates": [str(SUIZHOU), str(ENSHI)], "seed": seed},
        ),
    )
    ident = payload["session"]["id"]
    host_login = {SUIZHOU: "suizhou.centre", ENSHI: "enshi.centre"}
    # Before the start: the home knows neither the draw nor the host, at both walls.
    for wall in (True, False):
        egql.app.state.app_wall = wall
        try:
            before = await _draw(egql, ident, "kunming.centre")
            assert before["draw"] is None
            assert [s["role"] for s in before["sites"]] == ["HOME"]
        finally:
            egql.app.state.app_wall = True
    # The drawn host knows its hosting (2 seats); the other candidate knows nothing.
    (hosting,) = (await egql.data(HOSTINGS, login=host_login[host]))["evaluationHostings"]["nodes"]
    assert hosting["seats"] == 2
    assert (await egql.data(HOSTINGS, login=host_login[other]))["evaluationHostings"]["nodes"] == []

    clock.set(ManualClock.on(date(2026, 9, 22), 9, 0).now())
    await ok(
        egql, "evaluationStart", "EvaluationRefInput", "kunming.centre", "session { id }", id=ident
    )
    after = await _draw(egql, ident, "kunming.office")
    record = after["draw"]
    assert record["seed"] == seed
    assert record["candidates"] == sorted([str(SUIZHOU), str(ENSHI)])
    assert [c["code"] for c in record["chosen"]] == [str(host)]
    # Anyone holding the record redoes the draw.
    redone = choose(record["seed"], [int(c) for c in record["candidates"]], 1)
    assert [str(c) for c in redone.ranking] == record["ranking"]
    assert sorted(s["jurisdiction"]["code"] for s in after["sites"]) == sorted(
        [str(KUNMING), str(host)]
    )
    # The host reads the session from the start, but never the draw (the other candidates).
    hosted = await _draw(egql, ident, host_login[host])
    assert hosted is not None
    assert hosted["draw"] is None


async def test_only_eligible_centres_are_drawn_and_one_way_of_naming_hosts(
    egql: GraphQLClient, fresh_db: Database
) -> None:
    project_id = await a_project(fresh_db, egql, KUNMING, 52)
    # The home itself is not a candidate.
    assert await refused(
        egql,
        "evaluationSchedule",
        "EvaluationScheduleInput",
        "kunming.centre",
        **_input(
            project_id, "PB-DRAW-2", draw={"count": 1, "seats": 1, "candidates": [str(KUNMING)]}
        ),
    ) == ["HOST_NOT_ELSEWHERE"]
    # Hosts named and drawn at once, or neither: refused.
    assert await refused(
        egql,
        "evaluationSchedule",
        "EvaluationScheduleInput",
        "kunming.centre",
        **_input(
            project_id,
            "PB-DRAW-3",
            hosts=[{"jurisdiction": str(SUIZHOU), "seats": 1}],
            draw={"count": 1, "seats": 1},
        ),
    ) == ["INVALID"]
    assert await refused(
        egql,
        "evaluationSchedule",
        "EvaluationScheduleInput",
        "kunming.centre",
        **_input(project_id, "PB-DRAW-4"),
    ) == ["INVALID"]
    # More hosts than candidates: refused.
    assert await refused(
        egql,
        "evaluationSchedule",
        "EvaluationScheduleInput",
        "kunming.centre",
        **_input(project_id, "PB-DRAW-5", draw={"count": 2, "seats": 1, "candidates": ["421300"]}),
    ) == ["INVALID"]
    # Without candidates: among every eligible centre, with a random seed recorded.
    payload = await ok(
        egql,
        "evaluationSchedule",
        "EvaluationScheduleInput",
        "kunming.centre",
        "session { id }",
        **_input(project_id, "PB-DRAW-6", draw={"count": 2, "seats": 1}),
    )
    assert payload["session"]["id"]
