"""A real ``xietong`` worker process for the kill test, reading a fixed China day from its clock.

``python -m tests.integration.deadlines.worker_process DATABASE_URL REDIS_URL QUEUE YYYY-MM-DD
BATCH``: the worker of ``xietong worker`` (``jobs.worker.create_worker``), with every job of the
registry, a ``ManualClock`` on that day and the sweep's batch size; it runs until killed.
"""

from __future__ import annotations

import asyncio
import dataclasses
import sys
from datetime import date

from tests.conftest import TEST_SERVER_SECRET
from xietong import logging as xlogging
from xietong.config import DatabaseSettings, RedisSettings, Settings, WorkerSettings
from xietong.deadlines.clock import ManualClock
from xietong.jobs.worker import create_worker


def main(argv: list[str]) -> None:
    database, redis, queue, day, batch = argv
    xlogging.configure("WARNING")
    settings = dataclasses.replace(
        Settings(),
        secret_key=TEST_SERVER_SECRET,
        database=DatabaseSettings(url=database, pool_size=2),
        redis=RedisSettings(url=redis),
        worker=WorkerSettings(metrics_port=0, sweep_batch=int(batch)),
    )
    asyncio.set_event_loop(asyncio.new_event_loop())
    worker = create_worker(
        settings,
        clock=ManualClock.on(date.fromisoformat(day)),
        worker=f"kill-test-{queue}",
        queue_name=queue,
        poll_delay=0.05,
    )
    worker.run()


if __name__ == "__main__":
    main(sys.argv[1:])
