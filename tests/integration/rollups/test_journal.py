"""The writers' journal and its fold: concurrent writers and folds (two at once, as the
application role, as the worker runs them) never make a reader's answer wrong — counters and
journal read in one snapshot always equal the ground truth of that snapshot — and a fold leaves
the counters alone equal to it, the journal empty."""

from __future__ import annotations

import asyncio
import dataclasses
import random
from collections.abc import AsyncIterator

import pytest

from tests.conftest import Database
from tests.integration.rollups.support import (
    REGIMES,
    UNITS,
    World,
    apply,
    counters,
    folded_counters,
    ground_truth,
    journal_rows,
    make_world,
)
from xietong.config import DatabaseSettings, Settings
from xietong.db.engine import make_engine, make_sessionmaker
from xietong.jobs.queue import load_jobs
from xietong.rollups import fold
from xietong.rollups.jobs import FOLD_JOB, fold_schedule


@pytest.fixture(scope="module")
async def world(pg_admin_url: str, seeded_template: Database) -> AsyncIterator[World]:
    async with make_world(pg_admin_url, seeded_template, "j") as w:
        yield w


async def test_concurrent_writers_and_folds_keep_every_snapshot_exact(world: World) -> None:
    writers = make_engine(world.db.owner_url, pool_size=6)
    app = make_engine(world.db.app_url, pool_size=2)
    sessions = make_sessionmaker(app)
    done = asyncio.Event()
    folded = 0
    checks = 0

    async def write(w: int) -> None:
        rng = random.Random(w)
        for i in range(25):
            async with writers.begin() as conn:
                await apply(
                    conn, world, ("complaint", rng.choice(UNITS), rng.choice(REGIMES), i * 5)
                )
                if i % 3 == 0:  # an acceptance moves counts between metrics and months
                    await apply(
                        conn, world, ("complaint_move", rng.randrange(10**6), "accepted", i)
                    )

    async def folder() -> None:
        nonlocal folded
        while not done.is_set():
            folded += await fold.fold(sessions, batch=7)  # small batches: many interleavings
            await asyncio.sleep(0)

    async def reader() -> None:
        nonlocal checks
        while not done.is_set():
            read = writers.execution_options(isolation_level="REPEATABLE READ")
            async with read.connect() as conn, conn.begin():
                assert await counters(conn) == await ground_truth(conn)
            checks += 1

    try:
        background = [asyncio.create_task(t) for t in (folder(), folder(), reader())]
        await asyncio.gather(*(write(w) for w in range(4)))
        done.set()
        await asyncio.gather(*background)
        assert folded > 0
        assert checks > 0
        await fold.fold(sessions)
        async with writers.connect() as conn:
            assert await journal_rows(conn) == 0
            assert await folded_counters(conn) == await ground_truth(conn)
    finally:
        await writers.dispose()
        await app.dispose()


def test_the_worker_folds_every_few_seconds_when_it_has_a_database() -> None:
    assert FOLD_JOB in load_jobs().jobs
    assert fold_schedule(Settings()) is None
    schedule = fold_schedule(
        dataclasses.replace(Settings(), database=DatabaseSettings(url="postgresql://x@h/d"))
    )
    assert schedule is not None
    assert schedule.run_at_startup
    assert schedule.second == frozenset(range(0, 60, 5))
