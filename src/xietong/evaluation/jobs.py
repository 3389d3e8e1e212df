"""The evaluation's scheduled jobs, every minute beside the sweep; idempotent, any number of
workers may run them (PostgreSQL holds the truth, rows are locked with SKIP LOCKED).

- ``evaluation.windows``: a window ends on a date counted by the application's clock; the grant
  behind it is revoked here, so row-level security stops the host too (not only the
  application's filter, which already stops at the window's last day).
- ``evaluation.copies``: where the home configured automatic copying for a session, ended
  investigations about host experts are copied to the hosts (``copies.copy_due``), as the home's
  system actor. A copy the worker could not make in time goes overdue and is escalated by the
  deadline sweep like any other.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from xietong.access.scope import Scope, apply
from xietong.access.scope_token import ScopeSigner
from xietong.config import Settings
from xietong.db.engine import keyring_of, transaction
from xietong.deadlines.clock import Clock
from xietong.evaluation import copies, service
from xietong.jobs.queue import JobContext, Schedule, registry

log = structlog.get_logger("xietong.evaluation")

WINDOWS_JOB = "evaluation.windows"
COPIES_JOB = "evaluation.copies"
PLAN_SCOPE = Scope.system_plan(service.SYSTEM_ACTOR)
"""Reads which units have a window to close; writes nothing."""


def unit_scope(code: int) -> Scope:
    """Read the unit's subtree, write in it alone: where its sessions and their grants are."""
    return Scope.system_unit(service.SYSTEM_ACTOR, code)


@dataclass
class WindowsReport:
    units: int = 0
    closed: list[str] = field(default_factory=list)


async def close_windows(
    sessions: async_sessionmaker[AsyncSession], *, clock: Clock
) -> WindowsReport:
    """Close every follow-up window that has ended, one transaction per home unit."""
    report = WindowsReport()
    today = clock.today()
    async with transaction(sessions) as session:
        signer = ScopeSigner.from_keyring(keyring_of(session))
        await apply(session, PLAN_SCOPE, signer)
        units = await service.homes_with_windows_due(session, today)
    report.units = len(units)
    for unit in units:
        async with transaction(sessions) as session:
            await apply(session, unit_scope(unit), signer)
            closed = await service.close_windows(session, home=unit, clock=clock)
        report.closed.extend(str(c) for c in closed)
    return report


def windows_schedule(settings: Settings) -> Schedule | None:
    """Every minute (at 30 s, apart from the sweep) wherever the sweep runs."""
    if not settings.worker.sweep or settings.database.url is None:
        return None
    return Schedule(job=WINDOWS_JOB, second=30, run_at_startup=True)


@registry.cron_from_settings(WINDOWS_JOB, windows_schedule, timeout_s=300)
async def close_evaluation_windows(ctx: JobContext) -> dict[str, int]:
    """End the hosts' access to sessions whose follow-up window has passed."""
    if ctx.sessions is None:
        raise RuntimeError("closing evaluation windows needs XIETONG_DATABASE_URL")
    report = await close_windows(ctx.sessions, clock=ctx.clock)
    if report.closed:
        log.info("evaluation windows closed", units=report.units, sessions=len(report.closed))
    return {"units": report.units, "closed": len(report.closed)}


@dataclass
class CopiesReport:
    units: int = 0
    copied: list[str] = field(default_factory=list)


async def copy_due(sessions: async_sessionmaker[AsyncSession], *, clock: Clock) -> CopiesReport:
    """Make every automatic copy owed, one transaction per home unit."""
    report = CopiesReport()
    async with transaction(sessions) as session:
        signer = ScopeSigner.from_keyring(keyring_of(session))
        await apply(session, PLAN_SCOPE, signer)
        units = await copies.homes_with_copies_due(session)
    report.units = len(units)
    for unit in units:
        async with transaction(sessions) as session:
            scope = unit_scope(unit)
            await apply(session, scope, signer)
            copied = await copies.copy_due(
                session, home=unit, clock=clock, scope=scope, signer=signer
            )
        report.copied.extend(str(c) for c in copied)
    return report


def copies_schedule(settings: Settings) -> Schedule | None:
    """Every minute (at 45 s) wherever the sweep runs."""
    if not settings.worker.sweep or settings.database.url is None:
        return None
    return Schedule(job=COPIES_JOB, second=45, run_at_startup=True)


@registry.cron_from_settings(COPIES_JOB, copies_schedule, timeout_s=300)
async def copy_evaluation_results(ctx: JobContext) -> dict[str, int]:
    """Copy ended investigations' results to the hosts where the home copies automatically."""
    if ctx.sessions is None:
        raise RuntimeError("copying evaluation results needs XIETONG_DATABASE_URL")
    report = await copy_due(ctx.sessions, clock=ctx.clock)
    if report.copied:
        log.info("evaluation results copied", units=report.units, copied=len(report.copied))
    return {"units": report.units, "copied": len(report.copied)}
