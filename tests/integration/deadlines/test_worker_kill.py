"""A worker killed in the middle of a sweep, and Redis restarted empty: the next worker finishes
the sweep, and every notification exists exactly once — none lost, none twice. PostgreSQL holds
the truth; Redis only wakes the worker up."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from datetime import date
from pathlib import Path

from tests.conftest import ROOT, Database
from tests.integration.deadlines.conftest import Db
from xietong import embedded
from xietong.deadlines import obligations as svc
from xietong.deadlines.clock import ManualClock
from xietong.deadlines.obligations import MatterRef

COPIES = 100  # per unit: 14 units, 1,400 clocks, all overdue
BATCH = 20  # small batches: over a hundred commits, so a kill lands between some of them
SWEPT_ON = "2026-11-20"


async def seed(db: Db) -> int:
    """One overdue clock per unit through the service, then copies of it (new matters)."""
    clock = ManualClock.on(date(2026, 10, 12))
    units = [int(c) for (c,) in await db.rows("SELECT code FROM jurisdiction ORDER BY code")]
    for code in units:
        async with db.as_unit(code, "seed") as session:
            await svc.open_obligation(
                session,
                rule_id="R7.report_to_office",
                matter=MatterRef("complaint", uuid.uuid4()),
                owing_jurisdiction_code=code,
                owing_department_id=None,
                counterparty=None,
                started_on=date(2026, 10, 12),
                clock=clock,
                actor="seed",
            )
    columns = [
        str(c)
        for (c,) in await db.rows(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'obligation' "
            "AND column_name NOT IN ('id', 'matter_id', 'work_due_on')"
        )
    ]
    listed = ", ".join(columns)
    await db.execute(
        f"INSERT INTO obligation (id, matter_id, {listed}) "
        f"SELECT gen_random_uuid(), gen_random_uuid(), {listed} "
        "FROM obligation, generate_series(2, :n)",
        n=COPIES,
    )
    total = await db.scalar("SELECT count(*) FROM obligation")
    escalating = await db.scalar("SELECT count(*) FROM obligation WHERE escalate_to IS NOT NULL")
    assert total == len(units) * COPIES
    return int(total) + int(escalating)  # one overdue notice each, one escalation each below


async def notifications(db: Db) -> int:
    found = await db.scalar("SELECT count(*) FROM notification")
    assert isinstance(found, int)
    return found


def spawn(db_url: str, redis_url: str, queue: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.integration.deadlines.worker_process",
            db_url,
            redis_url,
            queue,
            SWEPT_ON,
            str(BATCH),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


async def wait_for(db: Db, predicate: Callable[[int], bool], within: float) -> int:
    deadline = time.monotonic() + within
    while True:
        count = await notifications(db)
        if predicate(count):
            return count
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out with {count} notification(s)")
        await asyncio.sleep(0.01)


async def test_a_killed_worker_and_a_restarted_redis_lose_and_duplicate_nothing(
    db: Db, fresh_db: Database, tmp_path: Path
) -> None:
    expected = await seed(db)
    app_url = fresh_db.app_url
    queue = f"kill-{uuid.uuid4().hex[:8]}"
    redis = embedded.start_redis(tmp_path / "redis")
    first = spawn(app_url, redis.url, queue)
    try:
        # Kill it hard once the sweep is well under way, but far from done.
        mid = await wait_for(db, lambda n: n >= expected // 5, within=120)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        if first.poll() is None:
            first.kill()
    after_kill = await notifications(db)
    assert mid <= after_kill < expected, (mid, after_kill, expected)

    # Redis goes away and comes back empty: queued and in-progress jobs are gone.
    redis.stop()
    redis = embedded.start_redis(tmp_path / "redis-again")
    second = spawn(app_url, redis.url, queue)
    try:
        await wait_for(db, lambda n: n >= expected, within=180)
        await asyncio.sleep(1.5)  # and nothing more arrives
    finally:
        second.send_signal(signal.SIGTERM)
        try:
            second.wait(timeout=30)
        except subprocess.TimeoutExpired:
            second.kill()
        redis.stop()
    assert await db.scalar("SELECT count(*) FROM notification") == expected
    twice = await db.scalar(
        "SELECT count(*) FROM (SELECT kind, obligation_id FROM notification "
        "GROUP BY 1, 2 HAVING count(*) > 1) t"
    )
    assert twice == 0
    missing = await db.scalar(
        "SELECT count(*) FROM obligation o WHERE NOT EXISTS (SELECT 1 FROM notification n "
        "WHERE n.obligation_id = o.id AND n.kind = 'overdue') OR (o.escalate_to IS NOT NULL "
        "AND NOT EXISTS (SELECT 1 FROM notification n WHERE n.obligation_id = o.id "
        "AND n.kind = 'escalation' AND n.jurisdiction_code = o.escalate_to))"
    )
    assert missing == 0
    assert await db.scalar("SELECT count(*) FROM obligation WHERE status <> 'overdue'") == 0
