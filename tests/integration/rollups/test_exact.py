"""Rollups are exact: after any sequence of creates, state changes, corrections, deletions and
partial folds of the journal across several units, every counter (at every grain, with the
journal's unfolded deltas) equals a ground-truth ``GROUP BY`` over the base tables, and so does
the rollup of any period read from the coarsest rows that tile it.

The writes go straight to the tables (as the owner) rather than through the API, so deletions
and multi-row statements — which the application never issues — are exercised too: the counters
must follow whatever changes the rows.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import Database
from tests.integration.rollups.support import (
    CATEGORIES,
    DISPOSITIONS,
    ELSEWHERE,
    GROUNDS,
    INDUSTRIES,
    LEAD_MOVES,
    LEAD_SOURCES,
    LETTER_STATES,
    METHODS,
    REGIMES,
    SESSION_STATES,
    STATES,
    TRANSFER_STATES,
    UNITS,
    World,
    apply,
    counters,
    create_projects,
    ground_truth,
    make_world,
    project_ids,
    rolled_up,
    rolled_up_truth,
)
from xietong.rollups.metrics import METRICS
from xietong.rollups.service import Period


@pytest.fixture(scope="module")
async def world(pg_admin_url: str, seeded_template: Database) -> AsyncIterator[World]:
    async with make_world(pg_admin_url, seeded_template, "x") as w:
        yield w


# --- strategies -------------------------------------------------------------------------------

unit = st.sampled_from(UNITS)
day = st.integers(0, 120)
money = st.integers(0, 10**10)
index = st.integers(0, 10**6)
project_row = st.fixed_dictionaries(
    {
        "unit": unit,
        "category": st.sampled_from(CATEGORIES),
        "method": st.sampled_from(METHODS),
        "industry": st.sampled_from(INDUSTRIES),
        "budget": money,
        "separated": st.booleans(),
        "day": day,
    }
)
operation = st.one_of(
    st.tuples(st.just("projects"), st.lists(project_row, min_size=1, max_size=4)),
    st.tuples(st.just("state"), index, st.sampled_from(STATES)),
    st.tuples(st.just("state_all_in_unit"), unit, st.sampled_from(STATES)),
    st.tuples(
        st.just("correct"),
        index,
        st.sampled_from(CATEGORIES),
        st.sampled_from(INDUSTRIES),
        money,
        day,
    ),
    st.tuples(st.just("award"), index, money, day),
    st.tuples(st.just("unaward"), index),
    st.tuples(st.just("contract"), index, money, day),
    st.tuples(st.just("bid"), index, money, day),
    st.tuples(st.just("delete_project"), index),
    st.tuples(st.just("complaint"), unit, st.sampled_from(REGIMES), day),
    st.tuples(
        st.just("complaint_move"), index, st.sampled_from(("accepted", "closed", "at_office")), day
    ),
    st.tuples(st.just("complaint_delete"), index),
    st.tuples(st.just("obligation"), unit, st.sampled_from(("R1", "R2")), day),
    st.tuples(st.just("obligation_move"), index, st.sampled_from(("met", "overdue", "open")), day),
    st.tuples(st.just("obligation_delete"), index),
    st.tuples(st.just("fold"), st.integers(1, 40)),
    # 应进未进 snapshots, on a month's first day (counted) or any other (kept, not counted).
    st.tuples(
        st.just("not_entered"),
        unit,
        st.lists(
            st.tuples(st.sampled_from(CATEGORIES), st.sampled_from(INDUSTRIES), money),
            min_size=1,
            max_size=3,
        ),
        st.one_of(st.sampled_from((11, 42, 73, 101)), day),
    ),
    st.tuples(st.just("not_entered_delete"), index),
)


def _month(index: int) -> int:
    return 2025_00 + (index // 12) * 100 + index % 12 + 1


# The records fall in 2025-11..2026-03: periods from 2025-07 to 2026-06, of one to twelve
# months, cross the year and cover months, quarters, halves and years at their edges.
period = st.tuples(st.integers(6, 17), st.integers(0, 11)).map(
    lambda p: Period(_month(p[0]), _month(min(p[0] + p[1], 17)))
)
subtree = st.sampled_from(((410000, 419999), (410500, 410599), (410522, 410522), (410700, 410799)))
asked = st.tuples(
    st.sampled_from(METRICS).flatmap(
        lambda m: st.tuples(st.just(m), st.sampled_from(("", *(d.name for d in m.dimensions))))
    ),
    subtree,
    period,
)
other_side = st.sampled_from((*UNITS, ELSEWHERE))
casework = st.one_of(
    st.tuples(st.just("lead"), unit, st.sampled_from(LEAD_SOURCES), st.booleans(), day),
    st.tuples(
        st.just("lead_move"),
        index,
        st.sampled_from(LEAD_MOVES),
        st.sampled_from(DISPOSITIONS),
        day,
    ),
    st.tuples(st.just("lead_delete"), index),
    st.tuples(st.just("transfer"), unit, other_side, st.sampled_from(GROUNDS), day),
    st.tuples(st.just("transfer_move"), index, st.sampled_from(TRANSFER_STATES), day),
    st.tuples(st.just("transfer_delete"), index),
    st.tuples(st.just("letter"), unit, other_side, day),
    st.tuples(st.just("letter_move"), index, st.sampled_from(LETTER_STATES), day),
    st.tuples(st.just("letter_delete"), index),
    st.tuples(st.just("session"), index, st.lists(other_side, min_size=1, max_size=3), day),
    st.tuples(st.just("session_move"), index, st.sampled_from(SESSION_STATES), day),
    st.tuples(st.just("site_handover"), index, day),
    st.tuples(st.just("session_delete"), index),
    # Projects to hold sessions, and their deletion (which takes the sessions with it).
    st.tuples(st.just("projects"), st.lists(project_row, min_size=1, max_size=2)),
    st.tuples(st.just("delete_project"), index),
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    ops=st.lists(operation, min_size=1, max_size=25),
    transactions=st.integers(1, 3),
    questions=st.lists(asked, min_size=1, max_size=4),
)
async def test_counters_equal_the_ground_truth(
    world: World, ops: list[tuple[Any, ...]], transactions: int, questions: list[Any]
) -> None:
    # The operations run in one to three transactions; the counters are compared after each.
    size = -(-len(ops) // transactions)
    for start in range(0, len(ops), size):
        async with world.engine.begin() as conn:
            for op in ops[start : start + size]:
                await apply(conn, world, op)
        async with world.engine.connect() as conn:
            assert await counters(conn) == await ground_truth(conn)
            for (metric, dimension), (lo, hi), asked_period in questions:
                assert await rolled_up(
                    conn, metric, dimension, lo, hi, asked_period
                ) == await rolled_up_truth(conn, metric, dimension, lo, hi, asked_period)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=st.lists(casework, min_size=1, max_size=25), transactions=st.integers(1, 3))
async def test_casework_and_evaluation_counters_equal_the_ground_truth(
    world: World, ops: list[tuple[Any, ...]], transactions: int
) -> None:
    # Leads, transfers and letters (counted for both sides), sessions (for the home and each
    # host): created, moved, rescheduled and deleted, in one to three transactions.
    size = -(-len(ops) // transactions)
    for start in range(0, len(ops), size):
        async with world.engine.begin() as conn:
            for op in ops[start : start + size]:
                await apply(conn, world, op)
        async with world.engine.connect() as conn:
            assert await counters(conn) == await ground_truth(conn)


async def test_a_rolled_back_write_leaves_the_counters(world: World) -> None:
    async with world.engine.connect() as conn:
        before = await counters(conn)
    async with world.engine.connect() as conn:
        transaction = await conn.begin()
        await create_projects(
            conn,
            world,
            [
                {
                    "unit": 410522,
                    "category": "construction",
                    "method": "open_tender",
                    "industry": None,
                    "budget": 100,
                    "separated": False,
                    "day": 3,
                }
            ],
        )
        assert await counters(conn) != before
        await transaction.rollback()
    world.projects = {p: c for p, c in world.projects.items() if p in await project_ids(world)}
    async with world.engine.connect() as conn:
        assert await counters(conn) == before


async def _rows_of(world: World, metric: str, dimension: str = "") -> dict[tuple[int, str], int]:
    """Counts by (unit, value) at the month grain, as a reader sees them (counters + journal)."""
    async with world.engine.connect() as conn:
        found: dict[tuple[int, str], int] = {}
        for grain, name, code, _province, _month, dim, value, n, *_ in await counters(conn):
            if grain == 1 and name == metric and dim == dimension:
                found[(code, value)] = found.get((code, value), 0) + n
        return {key: n for key, n in found.items() if n}


async def test_each_side_counts_for_its_own_unit(
    pg_admin_url: str, seeded_template: Database
) -> None:
    async with make_world(pg_admin_url, seeded_template, "s") as w:
        async with w.engine.begin() as conn:
            await apply(conn, w, ("transfer", 410522, ELSEWHERE, "crime", 3))
            await apply(conn, w, ("transfer_move", 0, "returned", 10))
            await apply(conn, w, ("letter", 410581, 410522, 4))
            await apply(conn, w, ("letter_move", 0, "answered", 5))
            await create_projects(
                conn,
                w,
                [
                    {
                        "unit": 410721,
                        "category": "construction",
                        "method": "open_tender",
                        "industry": None,
                        "budget": 1,
                        "separated": False,
                        "day": 1,
                    }
                ],
            )
            await apply(conn, w, ("session", 0, [410522, ELSEWHERE], 20))
        # The sender counts the transfer and its return; the receiver (another province) the
        # receipt and its own return.
        assert await _rows_of(w, "transfers_sent") == {(410522, ""): 1}
        assert await _rows_of(w, "transfers_sent", "cross_province") == {(410522, "yes"): 1}
        assert await _rows_of(w, "transfers_sent_returned") == {(410522, ""): 1}
        assert await _rows_of(w, "transfers_received") == {(ELSEWHERE, ""): 1}
        assert await _rows_of(w, "transfers_received_returned") == {(ELSEWHERE, ""): 1}
        assert await _rows_of(w, "transfers_received_completed") == {}
        assert await _rows_of(w, "letters_sent", "status") == {(410581, "answered"): 1}
        assert await _rows_of(w, "letters_answered") == {(410522, ""): 1}
        assert await _rows_of(w, "letters_returned") == {}
        # One session: once for its home, once for each host.
        assert await _rows_of(w, "evaluations_home") == {(410721, ""): 1}
        assert await _rows_of(w, "evaluations_hosted") == {(410522, ""): 1, (ELSEWHERE, ""): 1}
        async with w.engine.begin() as conn:
            await apply(conn, w, ("site_handover", 0, 25))
            await apply(conn, w, ("transfer_delete", 0))
        assert await _rows_of(w, "evaluations_hosted", "handed_over") == {
            (410522, "yes"): 1,
            (ELSEWHERE, "yes"): 1,
        }
        assert await _rows_of(w, "transfers_received") == {}
        async with w.engine.connect() as conn:
            assert await counters(conn) == await ground_truth(conn)
