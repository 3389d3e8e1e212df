"""The obligations service: open, meet, cancel, pause and resume the clocks of a matter.

Plain async functions over an ``AsyncSession``; they never commit (the request or job that owns
the transaction does), and each change appends an audit event in that transaction. Every date is
computed by the pure engine (``rules``, ``promises``, ``arithmetic``) on the owing side's calendar
— the national calendar, the loaded notices, and the overrides of the owing jurisdiction's chain —
as the database holds it now (``store.calendar_state``). The contract other contexts rely on is in
``docs/deadlines.md`` ("Obligations").

Row-level security applies: an obligation can be opened, changed and paused only in the caller's
write unit, by the signed actor (``actor`` must be the caller's own ``Principal.actor``).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from xietong.audit import service as audit
from xietong.audit.enums import ActorKind
from xietong.deadlines import arithmetic
from xietong.deadlines.arithmetic import Deadline, Pause
from xietong.deadlines.calendar import UNUSED_VERSION, Calendars, WorkingCalendar
from xietong.deadlines.clock import Clock, china_date
from xietong.deadlines.enums import DeadlineUnit, ObligationStatus, PauseReason
from xietong.deadlines.errors import DeadlineError, DeadlineErrorCode, ObligationNotFound
from xietong.deadlines.models import UNFINISHED, Obligation, ObligationPause
from xietong.deadlines.promises import effective_promise
from xietong.deadlines.rules import Rule, get_rule, rule_deadline
from xietong.deadlines.store import CalendarState, calendar_state
from xietong.jurisdictions.models import Department, Jurisdiction

OBJECT_TYPE = "obligation"
"""How audit events name an obligation (``access.actions.ObjectType.OBLIGATION``)."""

_MATTER_TYPE = re.compile(r"^[a-z][a-z_]{0,31}$")
_MAX_TEXT = 2000


@dataclass(frozen=True, slots=True)
class MatterRef:
    """The matter a clock runs in: its context's word for it and its id."""

    type: str  # "complaint", "lead", "transfer", "letter", "evaluation", "report", ...
    id: uuid.UUID


def actor_kind_of(actor: str) -> ActorKind:
    """How the audit trail classifies an actor string (``Principal.actor`` or a job's name)."""
    if actor == "system" or actor.startswith("system:"):
        return ActorKind.SYSTEM
    if actor.startswith("key:"):
        return ActorKind.API_KEY
    if actor == "anonymous" or actor.startswith("public:"):
        return ActorKind.ANONYMOUS  # the public; ``public:<tracking code>`` for a complaint's filer
    return ActorKind.PERSON


def _check_matter(matter: MatterRef) -> None:
    if not isinstance(matter.type, str) or not _MATTER_TYPE.match(matter.type):
        raise DeadlineError(
            DeadlineErrorCode.INVALID_MATTER,
            f"事项类型“{str(matter.type)[:40]}”无效（a matter type is a lowercase word）",
        )


def _text(value: str | None, what: str, *, required: bool) -> str | None:
    if value is None or not value.strip():
        if required:
            raise DeadlineError(
                DeadlineErrorCode.INVALID_PAUSE, f"请填写{what}（{what} is required）"
            )
        return None
    if len(value) > _MAX_TEXT or "\x00" in value:
        raise DeadlineError(
            DeadlineErrorCode.INVALID_PAUSE, f"{what}过长或含有无效字符（{what} is invalid）"
        )
    return value.strip()


# Computing -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Dates:
    """What an obligation's row stores from a computation."""

    due_on: date | None
    promised_due_on: date | None
    provisional: bool
    calendar_version: str
    paused_since: date | None
    paused_days: int
    warn_on: date | None
    remind_on: date | None
    next_alert_on: date | None

    @property
    def paused(self) -> bool:
        return self.due_on is None


WARN_AT = (4, 5)
"""The share of the first-due period after which the owner is warned: 80 %."""


def _previous_working_day(calendar: WorkingCalendar, day: date) -> date:
    probe = day - timedelta(days=1)
    for _ in range(60):  # the longest holiday is 20 days; weekends around it add a few
        if calendar.is_working_day(probe):
            return probe
        probe -= timedelta(days=1)
    return day - timedelta(days=1)


def compute_dates(
    rule: Rule,
    calendars: Calendars,
    *,
    jurisdiction_code: int,
    counted_from: date,
    amount: int,
    promised_amount: int | None,
    pauses: Sequence[Pause],
) -> Dates:
    """Both clocks of an obligation on its calendar, and the days the sweep acts on:

    - ``warn_on``: 80 % of the first-due clock (the promise where there is one, else the law)
      has run: the day its ``ceil(0.8 n)``-th unit is reached, pauses skipped;
    - ``remind_on``: one working day is left before the first due date (the working day before
      it, or the start if the period is that short);
    - ``next_alert_on``: the earliest of those and the day after the legal due date (overdue).
    """
    calendar = calendars.for_jurisdiction(jurisdiction_code)
    legal = rule_deadline(rule, calendar, counted_from, pauses, amount=amount)
    promised: Deadline | None = None
    if promised_amount is not None:
        promised = rule_deadline(rule, calendar, counted_from, pauses, amount=promised_amount)
    first = promised if promised is not None and promised.due is not None else legal
    warn_on = remind_on = None
    if first.due is not None:
        n = first.amount
        k = -(-n * WARN_AT[0] // WARN_AT[1])  # ceil(0.8 n), in whole units
        if k >= n:
            warn_on = first.due
        else:
            warn_on = arithmetic.compute(
                calendar, counted_from, k, rule.unit, holiday_end_moves=False, pauses=pauses
            ).due
        remind_on = max(_previous_working_day(calendar, first.due), counted_from)
    alerts = [d for d in (warn_on, remind_on) if d is not None]
    if legal.due is not None:
        alerts.append(legal.due + timedelta(days=1))
    return Dates(
        due_on=legal.due,
        promised_due_on=None if promised is None else promised.due,
        provisional=legal.provisional or (promised is not None and promised.provisional),
        calendar_version=legal.calendar_version,
        paused_since=legal.paused_since,
        paused_days=legal.paused_days,
        warn_on=warn_on,
        remind_on=remind_on,
        next_alert_on=min(alerts) if alerts and legal.due is not None else None,
    )


def hour_dates(due_at: datetime) -> Dates:
    """An hour clock's days: it falls due on the China date of its due instant, and the sweep
    looks at it from that day (``next_alert_on``) until it is met or marked overdue. No warning
    days (the period is hours), no calendar (real time counts), never provisional."""
    due_on = china_date(due_at)
    return Dates(
        due_on=due_on,
        promised_due_on=None,
        provisional=False,
        calendar_version=UNUSED_VERSION,
        paused_since=None,
        paused_days=0,
        warn_on=None,
        remind_on=None,
        next_alert_on=due_on,
    )


def _pauses(rows: Iterable[ObligationPause]) -> list[Pause]:
    return [Pause(r.reason, r.started_on, r.ended_on) for r in rows]


def _status_after(row: Obligation, dates: Dates, today: date, now: datetime) -> ObligationStatus:
    if row.status not in UNFINISHED:
        return row.status
    if row.due_at is not None and now > row.due_at:
        return ObligationStatus.OVERDUE
    if dates.due_on is not None and today > dates.due_on:
        return ObligationStatus.OVERDUE
    return ObligationStatus.OPEN


def _apply(row: Obligation, dates: Dates, today: date, now: datetime) -> dict[str, Any]:
    """Store ``dates`` on ``row``; the old values of what changed, for the audit trail."""
    values: dict[str, Any] = {
        "due_on": dates.due_on,
        "promised_due_on": dates.promised_due_on,
        "provisional": dates.provisional,
        "calendar_version": dates.calendar_version,
        "paused": dates.paused,
        "paused_since": dates.paused_since,
        "paused_days": dates.paused_days,
        "warn_on": dates.warn_on,
        "remind_on": dates.remind_on,
        "next_alert_on": dates.next_alert_on if row.status in UNFINISHED else None,
        "status": _status_after(row, dates, today, now),
    }
    old: dict[str, Any] = {}
    for key, value in values.items():
        if getattr(row, key) != value:
            old[key] = getattr(row, key)
            setattr(row, key, value)
    if old:
        row.updated_at = now
    return old


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


async def _record(
    db_session: AsyncSession,
    row: Obligation,
    action: str,
    actor: str,
    now: datetime,
    details: dict[str, Any],
) -> None:
    await audit.record(
        db_session=db_session,
        jurisdiction_code=row.jurisdiction_code,
        actor_kind=actor_kind_of(actor),
        actor=actor,
        action=action,
        object_type=OBJECT_TYPE,
        object_id=str(row.id),
        details={
            "rule": row.rule_id,
            "matter": {"type": row.matter_type, "id": str(row.matter_id)},
            **{k: _iso(v) for k, v in details.items()},
        },
        occurred_at=now,
    )


# Reading ---------------------------------------------------------------------------------------


def _of(matter: MatterRef) -> Select[Obligation]:
    return select(Obligation).where(
        Obligation.matter_type == matter.type, Obligation.matter_id == matter.id
    )


async def of_matter(db_session: AsyncSession, matter: MatterRef) -> list[Obligation]:
    """Every clock of the matter the caller may see, oldest first."""
    _check_matter(matter)
    rows = await db_session.scalars(
        _of(matter).order_by(Obligation.started_on, Obligation.rule_id, Obligation.id)
    )
    return list(rows)


async def pauses_of(
    db_session: AsyncSession, obligation_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[ObligationPause]]:
    """Pause events by obligation, oldest first."""
    found: dict[uuid.UUID, list[ObligationPause]] = {i: [] for i in obligation_ids}
    if not obligation_ids:
        return found
    rows = await db_session.scalars(
        select(ObligationPause)
        .where(ObligationPause.obligation_id.in_(list(obligation_ids)))
        .order_by(ObligationPause.started_on, ObligationPause.created_at, ObligationPause.id)
    )
    for row in rows:
        found.setdefault(row.obligation_id, []).append(row)
    return found


async def _unfinished(
    db_session: AsyncSession, matter: MatterRef, rule_id: str | None = None
) -> list[Obligation]:
    query = _of(matter).where(Obligation.status.in_(UNFINISHED))
    if rule_id is not None:
        query = query.where(Obligation.rule_id == rule_id)
    rows = await db_session.scalars(query.order_by(Obligation.id).with_for_update())
    return list(rows)


# The contract ----------------------------------------------------------------------------------


async def open_obligation(
    db_session: AsyncSession,
    *,
    rule_id: str,
    matter: MatterRef,
    owing_jurisdiction_code: int,
    owing_department_id: uuid.UUID | None,
    counterparty: str | None,
    started_on: date,
    clock: Clock,
    actor: str,
    counted_from: date | None = None,
    started_at: datetime | None = None,
) -> Obligation:
    """Open ``rule_id``'s clock in ``matter``, owed by a jurisdiction (and one of its
    departments), counted from ``started_on`` — or from ``counted_from``, an earlier event's
    date, where the rule dates back (``Rule.counted_from``: acceptance counts from receipt).

    The legal due date and the tightest local promise of the owing jurisdiction's chain are both
    computed on its calendar. Idempotent: while the clock is open, opening it again returns it.

    An hour clock (``DeadlineUnit.HOURS``) counts from the instant ``started_at`` (its China date
    is ``started_on``): due ``amount`` elapsed hours later (``due_at``), overdue the moment after.
    """
    rule = get_rule(rule_id)
    _check_matter(matter)
    for existing in await _unfinished(db_session, matter, rule_id):
        return existing
    due_at: datetime | None = None
    if rule.unit is DeadlineUnit.HOURS:
        if started_at is None:
            raise DeadlineError(
                DeadlineErrorCode.INSTANT_REQUIRED,
                f"规则 {rule.id} 按小时计算，须给出起算时刻"
                "（an hour clock needs its start instant）",
            )
        due_at = arithmetic.add_hours(started_at, rule.amount)
        started_on = china_date(started_at)
    start = counted_from if counted_from is not None and rule.counted_from else started_on
    if start > started_on:
        raise DeadlineError(
            DeadlineErrorCode.INVALID_START,
            f"起算日 {start.isoformat()} 晚于开始日 {started_on.isoformat()}"
            "（the clock cannot count from a later day than it starts）",
        )
    place = (
        await db_session.execute(
            select(Jurisdiction.code, Jurisdiction.parent_code, Jurisdiction.province_code).where(
                Jurisdiction.code == owing_jurisdiction_code
            )
        )
    ).one_or_none()
    if place is None:
        raise DeadlineError(
            DeadlineErrorCode.INVALID_JURISDICTION,
            "没有该行政区划（unknown jurisdiction）",
        )
    if owing_department_id is not None:
        found = await db_session.scalar(
            select(Department.id).where(
                Department.id == owing_department_id,
                Department.jurisdiction_code == owing_jurisdiction_code,
                Department.active.is_(True),
            )
        )
        if found is None:
            raise DeadlineError(
                DeadlineErrorCode.INVALID_DEPARTMENT,
                "该部门不属于履行义务的行政区划（the department is not of that jurisdiction）",
            )
    state = await calendar_state(db_session)
    promise = effective_promise(rule.id, owing_jurisdiction_code, state.promises)
    promised_amount = None if promise is None or promise.amount >= rule.amount else promise.amount
    if due_at is not None:
        promised_amount, dates = None, hour_dates(due_at)  # promises are in days
    else:
        dates = compute_dates(
            rule,
            state.calendars,
            jurisdiction_code=owing_jurisdiction_code,
            counted_from=start,
            amount=rule.amount,
            promised_amount=promised_amount,
            pauses=(),
        )
    now = clock.now()
    row = Obligation(
        id=uuid.uuid4(),
        rule_id=rule.id,
        matter_type=matter.type,
        matter_id=matter.id,
        jurisdiction_code=owing_jurisdiction_code,
        province_code=place.province_code,
        owing_department_id=owing_department_id,
        escalate_to=place.parent_code,
        counterparty=_text(counterparty, "相对方", required=False),
        started_on=started_on,
        counted_from=start,
        unit=rule.unit,
        amount=rule.amount,
        promised_amount=promised_amount,
        promise_source=None if promised_amount is None or promise is None else promise.source,
        promise_jurisdiction=(
            None if promised_amount is None or promise is None else promise.jurisdiction
        ),
        status=ObligationStatus.OPEN,
        paused_days=0,
        calendar_jurisdiction=owing_jurisdiction_code,
        due_at=due_at,
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    _apply(row, dates, clock.today(), now)
    db_session.add(row)
    await db_session.flush()
    await _record(
        db_session,
        row,
        "obligation.open",
        actor,
        now,
        {
            "started_on": started_on,
            "counted_from": start,
            "due_on": row.due_on,
            "promised_due_on": row.promised_due_on,
            "provisional": row.provisional,
            "calendar_version": row.calendar_version,
        },
    )
    return row


async def meet(
    db_session: AsyncSession, *, matter: MatterRef, rule_id: str, clock: Clock, actor: str
) -> Obligation:
    """Close the open clock: met today (in time or late follows from ``met_on`` and
    ``due_on``). ``ObligationNotFound`` if none is open."""
    _check_matter(matter)
    rows = await _unfinished(db_session, matter, rule_id)
    if not rows:
        raise ObligationNotFound(
            f"该事项没有进行中的时限“{rule_id[:60]}”（no open clock of that rule in the matter）"
        )
    row, today, now = rows[0], clock.today(), clock.now()
    row.status = ObligationStatus.MET
    row.met_on = today
    row.next_alert_on = None
    row.updated_at = now
    await db_session.flush()
    if row.due_at is not None:
        late = now > row.due_at
    else:
        late = row.due_on is not None and today > row.due_on
    await _record(
        db_session,
        row,
        "obligation.meet",
        actor,
        now,
        {"met_on": today, "due_on": row.due_on, "late": late},
    )
    return row


async def cancel(
    db_session: AsyncSession,
    *,
    matter: MatterRef,
    rule_id: str | None,
    reason: str,
    clock: Clock,
    actor: str,
) -> list[Obligation]:
    """Stop the matter's open clocks (of one rule, or all) without meeting them: the matter was
    withdrawn, refused, or handed elsewhere. Returns those cancelled (none: an empty list)."""
    _check_matter(matter)
    why = _text(reason, "取消原因", required=True)
    rows = await _unfinished(db_session, matter, rule_id)
    today, now = clock.today(), clock.now()
    for row in rows:
        row.status = ObligationStatus.CANCELLED
        row.cancelled_on = today
        row.cancel_reason = why
        row.next_alert_on = None
        row.updated_at = now
    await db_session.flush()
    for row in rows:
        await _record(
            db_session, row, "obligation.cancel", actor, now, {"cancelled_on": today, "reason": why}
        )
    return rows


async def pause(
    db_session: AsyncSession,
    *,
    matter: MatterRef,
    reason: PauseReason,
    document: str,
    notice: str | None,
    clock: Clock,
    actor: str,
) -> list[Obligation]:
    """Stop every open clock of the matter whose rule does not count time for ``reason``, from
    today (the day the request was sent, ``document``), recording the notice given. A clock
    already paused for the same reason is left as it is; a second 补正 where the law allows one
    is refused (``PAUSE_LIMIT_EXCEEDED``). Returns the clocks paused (possibly none)."""
    _check_matter(matter)
    started_document = _text(document, "暂停依据文书", required=True)
    notice_text = _text(notice, "告知内容", required=False)
    reason = PauseReason(reason)
    rows = [
        r for r in await _unfinished(db_session, matter) if reason in get_rule(r.rule_id).pauses
    ]
    if not rows:
        return []
    existing = await pauses_of(db_session, [r.id for r in rows])
    state = await calendar_state(db_session)
    today, now = clock.today(), clock.now()
    paused: list[tuple[Obligation, dict[str, Any]]] = []
    for row in rows:
        history = existing[row.id]
        if any(p.reason is reason and p.ended_on is None for p in history):
            continue
        event = ObligationPause(
            id=uuid.uuid4(),
            obligation_id=row.id,
            jurisdiction_code=row.jurisdiction_code,
            province_code=row.province_code,
            reason=reason,
            started_on=today,
            started_document=started_document,
            notice=notice_text,
            created_by=actor,
            created_at=now,
        )
        dates = _recompute(row, state, [*_pauses(history), Pause(reason, today)])
        before = row.due_on
        _apply(row, dates, today, now)
        db_session.add(event)
        paused.append((row, {"due_before": before}))
    await db_session.flush()
    for row, info in paused:
        await _record(
            db_session,
            row,
            "obligation.pause",
            actor,
            now,
            {
                "reason": reason.value,
                "document": started_document,
                "notice": notice_text,
                "started_on": today,
                "due_before": info["due_before"],
                "held": row.paused,
            },
        )
    return [row for row, _ in paused]


async def resume(
    db_session: AsyncSession,
    *,
    matter: MatterRef,
    reason: PauseReason,
    document: str,
    clock: Clock,
    actor: str,
) -> list[Obligation]:
    """End the matter's open pauses for ``reason`` today (the reply, ``document``, was received
    today): each clock runs again and its due date moves by the working (or calendar) days the
    pause held. Returns the clocks resumed (possibly none)."""
    _check_matter(matter)
    ended_document = _text(document, "恢复计时依据文书", required=True)
    reason = PauseReason(reason)
    rows = await _unfinished(db_session, matter)
    history = await pauses_of(db_session, [r.id for r in rows])
    state = await calendar_state(db_session)
    today, now = clock.today(), clock.now()
    resumed: list[Obligation] = []
    for row in rows:
        open_events = [p for p in history[row.id] if p.reason is reason and p.ended_on is None]
        if not open_events:
            continue
        for event in open_events:
            event.ended_on = max(today, event.started_on)
            event.ended_document = ended_document
            event.ended_by = actor
        _apply(row, _recompute(row, state, _pauses(history[row.id])), today, now)
        resumed.append(row)
    await db_session.flush()
    for row in resumed:
        await _record(
            db_session,
            row,
            "obligation.resume",
            actor,
            now,
            {
                "reason": reason.value,
                "document": ended_document,
                "ended_on": today,
                "paused_days": row.paused_days,
                "due_on": row.due_on,
                "promised_due_on": row.promised_due_on,
            },
        )
    return resumed


def _recompute(row: Obligation, state: CalendarState, pauses: Sequence[Pause]) -> Dates:
    return compute_dates(
        get_rule(row.rule_id),
        state.calendars,
        jurisdiction_code=row.calendar_jurisdiction,
        counted_from=row.counted_from,
        amount=row.amount,
        promised_amount=row.promised_amount,
        pauses=pauses,
    )


# Calendar changes ------------------------------------------------------------------------------


@dataclass(slots=True)
class RecomputeReport:
    checked: int = 0
    changed: int = 0
    moved: int = 0
    """Obligations whose legal or promised due date moved."""


_TRACKED = ("due_on", "promised_due_on", "provisional", "calendar_version", "status")


async def recompute_unfinished(
    db_session: AsyncSession,
    *,
    state: CalendarState,
    clock: Clock,
    actor: str,
    cause: str,
    jurisdictions: tuple[int, int] | None = None,
    touching: tuple[date, date] | None = None,
    batch: int = 1000,
) -> RecomputeReport:
    """Recompute unfinished obligations after the calendar data changed (``cause`` says how:
    a loaded notice, a tenant file's overrides). Only clocks whose span may include a changed
    day are read: those of ``jurisdictions`` (a code range) counting from before the end of
    ``touching`` and not due before its start (a held clock always). Each one whose dates,
    version or provisional flag changed is updated and gets an ``obligation.recompute`` audit
    event with the old and new values: a correction never silently moves a deadline in force.
    """
    report = RecomputeReport()
    today, now = clock.today(), clock.now()
    query = select(Obligation.id).where(
        Obligation.status.in_(UNFINISHED),
        Obligation.unit != DeadlineUnit.HOURS,  # real time: no calendar to recompute on
    )
    if jurisdictions is not None:
        query = query.where(Obligation.jurisdiction_code.between(*jurisdictions))
    if touching is not None:
        first, last = touching
        query = query.where(
            Obligation.counted_from <= last,
            (Obligation.due_on.is_(None))
            | (Obligation.due_on >= first)
            | (Obligation.promised_due_on >= first)
            | (Obligation.remind_on >= first),
        )
    ids = list((await db_session.scalars(query.order_by(Obligation.id))).all())
    for i in range(0, len(ids), batch):
        chunk = ids[i : i + batch]
        rows = list(
            await db_session.scalars(
                select(Obligation)
                .where(Obligation.id.in_(chunk), Obligation.status.in_(UNFINISHED))
                .order_by(Obligation.id)
                .with_for_update()
            )
        )
        history = await pauses_of(db_session, chunk)
        for row in rows:
            report.checked += 1
            old = _apply(row, _recompute(row, state, _pauses(history[row.id])), today, now)
            if not old:
                continue
            report.changed += 1
            tracked = {k: v for k, v in old.items() if k in _TRACKED}
            if "due_on" in old or "promised_due_on" in old:
                report.moved += 1
            if not tracked:
                continue  # only the sweep's own days moved
            await db_session.flush()
            await _record(
                db_session,
                row,
                "obligation.recompute",
                actor,
                now,
                {
                    "cause": cause,
                    "old": {k: _iso(v) for k, v in tracked.items()},
                    "new": {k: _iso(getattr(row, k)) for k in tracked},
                },
            )
        await db_session.flush()
    return report
