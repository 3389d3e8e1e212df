"""The worker's checkpoint job, run by a real arq worker against real PostgreSQL and Redis."""

from __future__ import annotations

import dataclasses
import uuid
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from tests.conftest import Database
from tests.integration.audit.test_tamper import KEYS, WUHUA, XUANEN, record, verify
from tests.support import settings_for
from xietong.audit.checkpoints import read_checkpoints
from xietong.audit.jobs import CHECKPOINT_JOB
from xietong.config import AuditSettings, RedisSettings
from xietong.jobs.queue import JobQueue
from xietong.jobs.worker import create_worker
from xietong.observability.metrics import Metrics


async def test_the_worker_appends_a_signed_checkpoint_per_province(
    fresh_db: Database, owner_engine: AsyncEngine, redis_url: str, tmp_path: Path
) -> None:
    for code in (XUANEN, XUANEN, WUHUA):
        await record(owner_engine, code)
    target = tmp_path / "checkpoints.jsonl"
    settings = dataclasses.replace(
        settings_for(fresh_db),  # the application role, as the worker connects
        redis=RedisSettings(url=redis_url),
        audit=AuditSettings(checkpoint_target=str(target)),
    )
    queue_name = f"xietong-test:{uuid.uuid4().hex[:8]}"
    queue = JobQueue.from_url(redis_url, queue_name=queue_name)
    try:
        assert await queue.enqueue(CHECKPOINT_JOB, job_id=f"cp-{uuid.uuid4().hex}")
    finally:
        await queue.close()
    metrics = Metrics(multiprocess="")
    worker = create_worker(
        settings,
        metrics=metrics,
        worker="w",
        burst=True,
        handle_signals=False,
        poll_delay=0.05,
        queue_name=queue_name,
    )
    try:
        await worker.async_run()
    finally:
        await worker.close()
    assert worker.jobs_failed == 0
    assert metrics.registry.get_sample_value("xietong_job_runs_total", {"job": CHECKPOINT_JOB}) == 1

    written = read_checkpoints(target, KEYS)
    assert written.problems == []
    assert [(c.province_code, c.event_count) for c in written.checkpoints] == [
        (420000, 2),
        (530000, 1),
    ]
    for province in (420000, 530000):
        report = await verify(owner_engine, province, written.checkpoints)
        assert report.ok
        assert report.checkpoints == 1
