"""Reports fall due for every unit, whether or not it drafted (R-17, R-5).

When a template's period has ended, each unit with a supervision office owes its report: the
period is **opened** for it — its draft prefilled from its own counters and its clock opened on
the deadline engine (``R17.report_upward``, owed by the office, escalated to the level above).
From then on the one sweep warns the unit, marks it overdue and escalates it like any
obligation: those are the reminders to whoever is late; no second mechanism. A unit that never
writes a word is therefore still reminded, and shows as missing in its superiors' completeness.

Opened by the worker once a day (``rollups.reports_due``) for the period of each template that
ended last, and by the demo. Like the sweep, it signs a system scope per unit — read the unit's
subtree, write the unit alone — so row-level security checks every row it writes, and one
transaction per unit (with its audit event) makes a killed run safe to repeat.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from xietong.access.scope import Scope, apply
from xietong.access.scope_token import ScopeSigner
from xietong.audit import service as audit
from xietong.audit.enums import ActorKind
from xietong.db.engine import keyring_of, transaction
from xietong.deadlines.clock import Clock
from xietong.jurisdictions import codes
from xietong.jurisdictions.codes import CodeRange
from xietong.rollups import reports
from xietong.rollups.service import Period, PeriodKind

ACTOR = "system:rollups.reports"
PLAN_SCOPE = Scope.system_plan(ACTOR)

# Units that owe reports: active, with an active supervision office (the one that owes them).
UNITS = text(
    """
    SELECT DISTINCT ON (j.code) j.code, d.id
      FROM jurisdiction j
      JOIN department d ON d.jurisdiction_code = j.code
                       AND d.kind = 'supervision_office' AND d.active
     WHERE j.retired_on IS NULL AND j.code BETWEEN :lo AND :hi
     ORDER BY j.code, d.key
    """
)


def unit_scope(code: int) -> Scope:
    return Scope.system_unit(ACTOR, code)


def last_ended(kind: PeriodKind, today: date) -> Period:
    """The latest period of ``kind`` wholly before ``today``."""
    month = today.year * 12 + today.month - 2  # the month before today's, counted from year 0
    year, m = divmod(month, 12)
    m += 1
    if kind is PeriodKind.MONTH:
        return Period.of(kind, year, m)
    size = {PeriodKind.QUARTER: 3, PeriodKind.HALF_YEAR: 6}.get(kind, 12)
    if m % size:  # the last whole one ended in an earlier month
        m -= m % size
        if m == 0:
            year, m = year - 1, 12
    number = m // size
    return Period.of(kind, year) if kind is PeriodKind.YEAR else Period.of(kind, year, number)


@dataclass(frozen=True, slots=True)
class Opened:
    units: int
    """Units now owing a report they did not owe before."""
    reports: list[uuid.UUID]


async def open_unit(
    session: AsyncSession,
    *,
    tpl: reports.Template,
    code: int,
    period: Period,
    office: uuid.UUID | None,
    clock: Clock,
    actor: str,
) -> uuid.UUID | None:
    """The unit's report falls due: its draft, prefilled, and its clock (once)."""
    if await reports.find(session, tpl, code, period) is not None:
        return None
    report = await reports.draft(
        session,
        tpl=tpl,
        code=code,
        period=period,
        narrative={},
        department_id=office,
        clock=clock,
        actor=actor,
        action="due",
    )
    return report.id


async def open_period(
    sessions: async_sessionmaker[AsyncSession],
    *,
    tpl: reports.Template,
    period: Period,
    clock: Clock,
    under: int | None = None,
) -> Opened:
    """Every unit (of ``under``'s subtree, or everywhere) owes ``tpl``'s report for ``period``."""
    span = codes.subtree(under) if under is not None else CodeRange(0, 999999)
    async with transaction(sessions) as session:
        signer = ScopeSigner.from_keyring(keyring_of(session))
        await apply(session, PLAN_SCOPE, signer)
        units = (await session.execute(UNITS, {"lo": span.lo, "hi": span.hi})).all()
    opened: list[uuid.UUID] = []
    for code, office in units:
        async with transaction(sessions) as session:
            await apply(session, unit_scope(code), signer)
            ident = await open_unit(
                session, tpl=tpl, code=code, period=period, office=office, clock=clock, actor=ACTOR
            )
            if ident is not None:
                await audit.record(
                    db_session=session,
                    jurisdiction_code=code,
                    actor_kind=ActorKind.SYSTEM,
                    actor=ACTOR,
                    action="report.due",
                    object_type="report",
                    object_id=str(ident),
                    details={"template": tpl.name, "period": period.label()},
                    occurred_at=clock.now(),
                )
                opened.append(ident)
    return Opened(len(opened), opened)


async def open_ended(
    sessions: async_sessionmaker[AsyncSession], *, clock: Clock, under: int | None = None
) -> dict[str, Opened]:
    """Open, for every template, the period that ended last (idempotent: run daily)."""
    today = clock.today()
    return {
        name: await open_period(
            sessions, tpl=tpl, period=last_ended(tpl.kind, today), clock=clock, under=under
        )
        for name, tpl in reports.TEMPLATES.items()
    }
