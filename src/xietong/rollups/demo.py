"""Demo reporting period: 河南省's half-year reports (R-17) with one county late.

The last half year whose reports are already due: the period opened for every unit of 河南省
(each unit's draft and clock, as the daily job does), then 安阳县 and 林州市 submit in time and
安阳市 accepts them, 安阳市 submits and 河南省 accepts it, 新乡市 submits — and 新乡县 never writes
a word. So the province's completeness shows 新乡县 missing, 新乡市 cannot be accepted yet, and
the worker's sweep marks 新乡县's clock overdue and escalates it to 新乡市's office. Made through
the report services (events, clocks, audit events) on clocks set at the period's end, each step
under a system scope of the unit that acts (row-level security checks every row); only when
河南省 has no report of that period yet.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from xietong.access.scope import Scope, acting_as, in_span
from xietong.access.scope_token import ScopeSigner
from xietong.audit import service as audit
from xietong.audit.enums import ActorKind
from xietong.db.engine import keyring_of
from xietong.deadlines.clock import ManualClock
from xietong.jurisdictions import codes
from xietong.rollups import reports, reports_due
from xietong.rollups.models import PeriodicReport
from xietong.rollups.service import Period, PeriodKind

ACTOR = "system:demo"
PROVINCE, LATE = 410000, 410721  # 河南省; 新乡县, late
SUBMITTED = ((410522, 410500, 6), (410581, 410500, 8), (410500, 410000, 10), (410700, None, 11))
"""(unit, who accepts it or None, days after the period's end it submits)."""


def _scope(code: int) -> Scope:
    return Scope(actor=ACTOR, read=codes.subtree(code), write_code=code, jurisdiction_code=code)


async def period_due_before(session: AsyncSession, today: date) -> Period:
    """The last half year whose reports fell due before ``today``."""
    period = reports_due.last_ended(PeriodKind.HALF_YEAR, today)
    while (await reports.due_on(session, LATE, period) or today) >= today:
        first = date(period.first // 100, period.first % 100, 1)
        period = reports_due.last_ended(PeriodKind.HALF_YEAR, first)
    return period


async def seed(session: AsyncSession, today: date) -> int:
    """Open the period and play it out (an owner session carrying the keyring); the number of
    reports, or 0 if 河南省 has one of that period already."""
    tpl = reports.template("half_year")
    period = await period_due_before(session, today)
    span = codes.subtree(PROVINCE)
    if await session.scalar(
        select(func.count()).where(
            PeriodicReport.template == tpl.name,
            PeriodicReport.first_month == period.first,
            in_span(PeriodicReport.jurisdiction_code, span),
        )
    ):
        return 0
    signer = ScopeSigner.from_keyring(keyring_of(session))
    caller = Scope(actor=ACTOR)
    end = reports.period_end(period)
    units = (await session.execute(reports_due.UNITS, {"lo": span.lo, "hi": span.hi})).all()
    for code, office in units:
        async with acting_as(session, _scope(code), signer, caller=caller):
            ident = await reports_due.open_unit(
                session,
                tpl=tpl,
                code=code,
                period=period,
                office=office,
                clock=ManualClock.on(end + timedelta(days=1)),
                actor=ACTOR,
            )
            await _audit(session, code, "report.due", str(ident), end + timedelta(days=1))
    for code, reviewer, days in SUBMITTED:
        report = await reports.find(session, tpl, code, period)
        assert report is not None
        clock = ManualClock.on(end + timedelta(days=days))
        async with acting_as(session, _scope(code), signer, caller=caller):
            await reports.draft(
                session,
                tpl=tpl,
                code=code,
                period=period,
                narrative={"summary": f"{period.label()} 监管工作概况（演示数据）"},
                department_id=None,
                clock=clock,
                actor=ACTOR,
            )
            await reports.submit(session, report, clock=clock, actor=ACTOR)
            await _audit(session, code, "report.submit", str(report.id), clock.today())
        if reviewer is not None:
            clock = ManualClock.on(end + timedelta(days=days + 1))
            async with acting_as(session, _scope(reviewer), signer, caller=caller):
                await reports.accept(session, report, clock=clock, actor=ACTOR)
                await _audit(session, reviewer, "report.accept", str(report.id), clock.today())
    return len(units)


async def _audit(session: AsyncSession, code: int, action: str, ident: str, on: date) -> None:
    await audit.record(
        db_session=session,
        jurisdiction_code=code,
        actor_kind=ActorKind.SYSTEM,
        actor=ACTOR,
        action=action,
        object_type="report",
        object_id=ident,
        details={"demo": True},
        occurred_at=ManualClock.on(on).now(),
    )
