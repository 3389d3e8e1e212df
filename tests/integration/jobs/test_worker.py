"""The arq worker against a real Redis: the heartbeat, idempotent enqueueing, job metrics."""

from __future__ import annotations

import asyncio
import dataclasses
import time
import uuid
from collections.abc import AsyncIterator

import pytest
from litestar.testing import AsyncTestClient

from tests.conftest import Database
from tests.support import settings_for
from xietong.app import create_app
from xietong.config import RedisSettings, Settings
from xietong.jobs.queue import HEARTBEAT_KEY, JobContext, JobQueue, JobRegistry, load_jobs
from xietong.jobs.worker import create_worker, redis_settings
from xietong.observability.metrics import Metrics


def sample_value(metrics: Metrics, name: str, **labels: str) -> float | None:
    return metrics.registry.get_sample_value(name, labels)


@pytest.fixture
def queue_name() -> str:
    return f"xietong-test:{uuid.uuid4().hex[:8]}"


@pytest.fixture
async def queue(redis_url: str, queue_name: str) -> AsyncIterator[JobQueue]:
    q = JobQueue.from_url(redis_url, queue_name=queue_name)
    yield q
    await q.close()


def settings_with_redis(redis_url: str) -> Settings:
    return dataclasses.replace(Settings(), redis=RedisSettings(url=redis_url))


async def test_heartbeat_runs_at_startup_and_reaches_the_apis_metrics(
    redis_url: str, queue_name: str, seeded_db: Database
) -> None:
    # The heartbeat is also a cron at second 0: a burst run straddling a minute would run it twice.
    if time.time() % 60 > 55:
        await asyncio.sleep(61 - time.time() % 60)
    metrics = Metrics(multiprocess="")
    worker_name = f"test-worker-{uuid.uuid4().hex[:6]}"
    worker = create_worker(
        settings_with_redis(redis_url),
        metrics=metrics,
        worker=worker_name,
        burst=True,
        handle_signals=False,
        poll_delay=0.05,
        queue_name=queue_name,
    )
    try:
        await worker.async_run()
    finally:
        await worker.close()
    assert worker.jobs_complete == 1, worker
    assert sample_value(metrics, "xietong_job_runs_total", job="heartbeat") == 1
    assert sample_value(metrics, "xietong_job_failures_total", job="heartbeat") is None
    beat = sample_value(metrics, "xietong_worker_last_heartbeat_seconds")
    assert beat is not None
    assert beat > 0

    settings = dataclasses.replace(settings_for(seeded_db), redis=RedisSettings(url=redis_url))
    async with AsyncTestClient(create_app(settings)) as client:
        body = (await client.get("/metrics")).text
    queue = JobQueue.from_url(redis_url)
    try:
        assert worker_name in await queue.heartbeats()
        await queue.redis.hdel(HEARTBEAT_KEY, worker_name)
    finally:
        await queue.close()
    values = {
        line.split(" ")[0]: float(line.split(" ")[1])
        for line in body.splitlines()
        if line and not line.startswith("#")
    }
    assert values["xietong_worker_last_heartbeat_seconds"] >= beat - 0.001
    assert values["xietong_redis_up"] == 1


async def test_enqueue_is_idempotent_by_job_id(queue: JobQueue) -> None:
    job_id = f"heartbeat:{uuid.uuid4().hex}"
    assert await queue.enqueue("heartbeat", job_id=job_id) is True
    assert await queue.enqueue("heartbeat", job_id=job_id) is False
    with pytest.raises(KeyError, match="no job named"):
        await queue.enqueue("no-such-job")


async def test_failures_are_counted_and_contexts_are_ours(redis_url: str, queue_name: str) -> None:
    jobs = JobRegistry()
    seen: list[JobContext] = []

    @jobs.job("explode", max_tries=1)
    async def explode(ctx: JobContext, reason: str) -> None:
        seen.append(ctx)
        raise RuntimeError(reason)

    job_id = f"explode-{uuid.uuid4().hex}"
    queue = JobQueue.from_url(redis_url, queue_name=queue_name, jobs=jobs)
    try:
        assert await queue.enqueue("explode", "on purpose", job_id=job_id)
    finally:
        await queue.close()
    metrics = Metrics(multiprocess="")
    worker = create_worker(
        settings_with_redis(redis_url),
        metrics=metrics,
        worker="w",
        jobs=jobs,
        burst=True,
        handle_signals=False,
        poll_delay=0.05,
        queue_name=queue_name,
    )
    try:
        await worker.async_run()
    finally:
        await worker.close()
    assert worker.jobs_failed == 1
    assert sample_value(metrics, "xietong_job_failures_total", job="explode") == 1
    assert seen[0].job_id == job_id
    assert seen[0].worker_id == "w"


def test_redis_urls_for_arq() -> None:
    tcp = redis_settings("redis://:secret@redis.example:6380/3")
    assert (tcp.host, tcp.port, tcp.database, tcp.password) == ("redis.example", 6380, 3, "secret")
    unix = redis_settings("unix:///tmp/redis.sock")
    assert unix.unix_socket_path == "/tmp/redis.sock"
    assert redis_settings("rediss://r:6379/0").ssl is True


def test_heartbeat_is_registered_as_a_schedule() -> None:
    jobs = load_jobs()
    assert "heartbeat" in jobs.jobs
    assert [s.job for s in jobs.schedules if s.run_at_startup] == ["heartbeat"]
