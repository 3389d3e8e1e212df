"""Reading obligations: a department's work, escalations over a subtree, the public deadline.

Every query takes the caller's ``Scope`` (the application's wall; PostgreSQL applies the same
scope again) and a range the guard allowed; nothing here knows GraphQL. Writes are in
``obligations.py``.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, Select, false, func, or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from xietong.access.scope import Scope, built
from xietong.deadlines import arithmetic
from xietong.deadlines.arithmetic import Deadline
from xietong.deadlines.calendar import WorkingCalendar
from xietong.deadlines.enums import DeadlineUnit, ObligationStatus
from xietong.deadlines.models import UNFINISHED, Obligation
from xietong.deadlines.obligations import MatterRef
from xietong.deadlines.store import CalendarState
from xietong.jurisdictions import codes
from xietong.jurisdictions.codes import CodeRange
from xietong.jurisdictions.models import Jurisdiction

WORK_KEYS = (Obligation.work_due_on, Obligation.id)
"""How work is listed and paged: by legal due date (so overdue work, due before today, comes
first), clocks held by a pause last, then by id."""


@dataclass(frozen=True, slots=True)
class WorkFilter:
    statuses: frozenset[ObligationStatus] | None = None
    """None: unfinished work (open and overdue)."""
    overdue: bool | None = None
    """True: only unfinished clocks past their legal due date; False: none of those."""
    due_before: date | None = None
    """Only clocks due before this day (a held clock has no due date and is left out)."""
    rule_id: str | None = None
    matter_type: str | None = None


def is_overdue(today: date) -> ColumnElement[bool]:
    """Unfinished and past the legal due date, whether or not the sweep marked it yet (an hour
    clock past its due instant on its due day: once the sweep marked it)."""
    return Obligation.status.in_(UNFINISHED) & (
        (Obligation.due_on < today) | (Obligation.status == ObligationStatus.OVERDUE)
    )


def _filtered(query: Select[Obligation], filters: WorkFilter, today: date) -> Select[Obligation]:
    query = query.where(Obligation.status.in_(filters.statuses or UNFINISHED))
    if filters.overdue is True:
        query = query.where(is_overdue(today))
    elif filters.overdue is False:
        query = query.where(~is_overdue(today) | Obligation.due_on.is_(None))
    if filters.due_before is not None:
        query = query.where(Obligation.due_on < filters.due_before)
    if filters.rule_id is not None:
        query = query.where(Obligation.rule_id == filters.rule_id)
    if filters.matter_type is not None:
        query = query.where(Obligation.matter_type == filters.matter_type)
    return query


def work_query(
    *,
    scope: Scope,
    department_id: uuid.UUID,
    jurisdiction_code: int,
    filters: WorkFilter,
    today: date,
) -> Select[Obligation]:
    """What one department owes (its own unit's clocks), for ``paginate`` with ``WORK_KEYS``.
    Built once per department, filter and day (~0.1 ms of a ``myWork`` request otherwise)."""

    def build() -> Select[Obligation]:
        query = select(Obligation).where(
            Obligation.owing_department_id == department_id,
            Obligation.jurisdiction_code == jurisdiction_code,
            scope.visible(Obligation.jurisdiction_code),
        )
        return _filtered(query, filters, today)

    # ``visible`` depends on the scope's read range and wall only, not on who asks.
    key = ("work", department_id, jurisdiction_code, filters, today, scope.read, scope.app_wall)
    statement: Select[Obligation] = built(key, build)
    return statement


def escalations_query(
    *, scope: Scope, span: CodeRange, filters: WorkFilter, today: date
) -> Select[Obligation]:
    """Overdue clocks owed anywhere in ``span``, most overdue first (``WORK_KEYS``)."""
    query = select(Obligation).where(
        scope.within(Obligation.jurisdiction_code, span),
        scope.visible(Obligation.jurisdiction_code),
        is_overdue(today),
        Obligation.work_due_on < today,  # the same, as ix_obligation_unfinished reads it
    )
    return _filtered(query, filters, today)


@dataclass(frozen=True, slots=True)
class OverdueCount:
    jurisdiction_code: int
    overdue: int
    subtree: bool
    """True: the unit and everything below it; False: the unit's own clocks only."""


async def escalation_counts(
    db_session: AsyncSession, *, scope: Scope, under: int, today: date
) -> list[OverdueCount]:
    """Overdue clocks of ``under`` itself, then of each unit directly below it (with its whole
    subtree): the drill-down of the escalations view."""
    span = codes.subtree(under)
    rows = await db_session.execute(
        select(Obligation.jurisdiction_code, func.count())
        .where(
            scope.within(Obligation.jurisdiction_code, span),
            scope.visible(Obligation.jurisdiction_code),
            is_overdue(today),
        )
        .group_by(Obligation.jurisdiction_code)
    )
    by_code: dict[int, int] = {int(row[0]): int(row[1]) for row in rows.all()}
    children = list(
        await db_session.scalars(
            select(Jurisdiction.code)
            .where(Jurisdiction.parent_code == under, Jurisdiction.retired_on.is_(None))
            .order_by(Jurisdiction.code)
        )
    )
    found = [OverdueCount(under, by_code.get(under, 0), False)]
    for child in children:
        child_span = codes.subtree(child)
        total = sum(n for code, n in by_code.items() if code in child_span)
        found.append(OverdueCount(child, total, True))
    return found


async def obligations_by_ids(
    *,
    db_session: AsyncSession,
    scope: Scope,
    ids: Sequence[uuid.UUID],
    span: CodeRange | None,
    own_department: uuid.UUID | None,
) -> dict[uuid.UUID, Obligation]:
    """Obligations by id that the caller may read: within ``span`` (where its roles read
    obligations), or owed by its own department."""
    allowed = _readable(scope, span, own_department)
    rows = await db_session.scalars(select(Obligation).where(Obligation.id.in_(ids), allowed))
    return {r.id: r for r in rows}


async def obligations_of_matters(
    *,
    db_session: AsyncSession,
    scope: Scope,
    matters: Sequence[MatterRef],
    span: CodeRange | None,
    own_department: uuid.UUID | None,
) -> dict[MatterRef, list[Obligation]]:
    """Each matter's clocks the caller may read, oldest first."""
    found: dict[MatterRef, list[Obligation]] = {m: [] for m in matters}
    if not matters:
        return found
    keys = [(m.type, m.id) for m in matters]
    rows = await db_session.scalars(
        select(Obligation)
        .where(
            tuple_(Obligation.matter_type, Obligation.matter_id).in_(keys),
            _readable(scope, span, own_department),
        )
        .order_by(Obligation.started_on, Obligation.rule_id, Obligation.id)
    )
    for row in rows:
        found.setdefault(MatterRef(row.matter_type, row.matter_id), []).append(row)
    return found


def _readable(
    scope: Scope, span: CodeRange | None, own_department: uuid.UUID | None
) -> ColumnElement[bool]:
    arms: list[ColumnElement[bool]] = []
    if span is not None:
        arms.append(scope.within(Obligation.jurisdiction_code, span))
    if own_department is not None and scope.jurisdiction_code is not None:
        arms.append(
            (Obligation.owing_department_id == own_department)
            & (Obligation.jurisdiction_code == scope.jurisdiction_code)
        )
    if not arms:
        return false()
    return or_(*arms) & scope.visible(Obligation.jurisdiction_code)


def public_deadline(
    state: CalendarState,
    *,
    start: date,
    amount: int,
    unit: DeadlineUnit,
    jurisdiction_code: int | None,
) -> tuple[Deadline, WorkingCalendar]:
    """The ``deadline`` query: ``amount`` units after ``start`` on a jurisdiction's calendar (or
    the national one), the start day not counted, a calendar-day end on a holiday moved to the
    next working day (94号令 Art. 42)."""
    calendar = state.calendars.for_jurisdiction(jurisdiction_code)
    return arithmetic.compute(calendar, start, amount, unit), calendar
