"""The deadline sweep as a scheduled job: every minute, and once when a worker starts.

On unless ``XIETONG_WORKER_SWEEP`` is off; needs ``XIETONG_DATABASE_URL``. Any number of workers
may run it: arq runs each minute's job once, and a sweep that overlaps another (or is killed and
run again) sends nothing twice (``deadlines.sweep``).
"""

from __future__ import annotations

import structlog

from xietong.config import Settings
from xietong.deadlines import sweep
from xietong.jobs.queue import JobContext, Schedule, registry

log = structlog.get_logger("xietong.deadlines")

SWEEP_JOB = "deadlines.sweep"
MAX_BATCH = 50_000


def sweep_schedule(settings: Settings) -> Schedule | None:
    if not settings.worker.sweep or settings.database.url is None:
        return None
    if not 1 <= settings.worker.sweep_batch <= MAX_BATCH:
        raise ValueError(
            f"XIETONG_WORKER_SWEEP_BATCH must be 1–{MAX_BATCH:,}, not {settings.worker.sweep_batch}"
        )
    return Schedule(job=SWEEP_JOB, second=0, run_at_startup=True)


@registry.cron_from_settings(SWEEP_JOB, sweep_schedule, timeout_s=600)
async def sweep_deadlines(ctx: JobContext) -> dict[str, int]:
    """Warn, mark overdue, notify and escalate (see ``deadlines.sweep``)."""
    if ctx.sessions is None:
        raise RuntimeError("the deadline sweep needs XIETONG_DATABASE_URL")
    report = await sweep.run(ctx.sessions, clock=ctx.clock, batch=ctx.settings.worker.sweep_batch)
    ctx.metrics.obligations_open.set(report.open)
    ctx.metrics.obligations_overdue.set(report.overdue)
    if report.sent or report.marked_overdue:
        log.info(
            "deadline sweep",
            units=report.units,
            sent=dict(report.notified),
            marked_overdue=report.marked_overdue,
            seconds=round(report.seconds, 3),
        )
    return {"units": report.units, "sent": report.sent, "overdue": report.marked_overdue}
