"""The rollups' scheduled jobs: the journal's fold every few seconds (and once when a worker
starts); reporting periods opened once a day (``rollups.reports_due``); the dated 应进未进
snapshot taken once a day (``rollups.not_entered``).

On whenever the worker has ``XIETONG_DATABASE_URL``. Any number of workers may run it: arq runs
each tick once, and two folds at once take disjoint rows (``rollups.fold``). The fold only
bounds how many journal rows a rollup reads beside the counters; rollups are exact without it.
"""

from __future__ import annotations

import structlog

from xietong.config import Settings
from xietong.jobs.queue import JobContext, Schedule, registry
from xietong.rollups import fold, not_entered, reports_due

log = structlog.get_logger("xietong.rollups")

FOLD_JOB = "rollups.fold"
FOLD_EVERY_S = 5


def fold_schedule(settings: Settings) -> Schedule | None:
    if settings.database.url is None:
        return None
    return Schedule(job=FOLD_JOB, second=frozenset(range(0, 60, FOLD_EVERY_S)), run_at_startup=True)


@registry.cron_from_settings(FOLD_JOB, fold_schedule, timeout_s=60)
async def fold_journal(ctx: JobContext) -> int:
    """Move the journal's deltas into the counters (see ``rollups.fold``)."""
    if ctx.sessions is None:
        raise RuntimeError("the rollup fold needs XIETONG_DATABASE_URL")
    folded = await fold.fold(ctx.sessions)
    if folded:
        log.debug("rollup journal folded", rows=folded)
    return folded


DUE_JOB = "rollups.reports_due"


def due_schedule(settings: Settings) -> Schedule | None:
    if settings.database.url is None:
        return None
    # Once a day, a little after midnight. Not at start: a worker started in a test or a demo
    # would open every unit's periods behind the data's back (the demo opens its own).
    return Schedule(job=DUE_JOB, hour=frozenset({0}), minute=frozenset({7}))


@registry.cron_from_settings(DUE_JOB, due_schedule, timeout_s=600)
async def reports_fall_due(ctx: JobContext) -> int:
    """Every unit owes the report of each template's last ended period (``reports_due``)."""
    if ctx.sessions is None:
        raise RuntimeError("opening reporting periods needs XIETONG_DATABASE_URL")
    opened = await reports_due.open_ended(ctx.sessions, clock=ctx.clock)
    count = sum(o.units for o in opened.values())
    if count:
        log.info("reports fall due", units={k: o.units for k, o in opened.items()})
    return count


NOT_ENTERED_JOB = "rollups.not_entered"


def not_entered_schedule(settings: Settings) -> Schedule | None:
    if settings.database.url is None:
        return None
    # Once a day; whatever the worker's time zone, it takes today's China date, so every day —
    # the first of each month, which the metric counts, among them — gets its snapshot. Not at
    # start, for the reason above.
    return Schedule(job=NOT_ENTERED_JOB, hour=frozenset({0}), minute=frozenset({17}))


@registry.cron_from_settings(NOT_ENTERED_JOB, not_entered_schedule, timeout_s=1800)
async def take_not_entered(ctx: JobContext) -> int:
    """Every unit's 应进未进 snapshot of today, China date (``not_entered``); idempotent."""
    if ctx.sessions is None:
        raise RuntimeError("the 应进未进 snapshot needs XIETONG_DATABASE_URL")
    taken = await not_entered.take(ctx.sessions, clock=ctx.clock)
    if taken.lines:
        log.info("应进未进 snapshot taken", units=taken.units, lines=taken.lines)
    return taken.lines
