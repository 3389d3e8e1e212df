"""Deadline arithmetic: from a start date, an amount and a unit to a due date, on a calendar.

How a period is counted (the same for every rule; a rule only picks the unit, whether a holiday
end moves, and which pauses it allows):

- **The start day is not counted** (财政部94号令 Art. 42: 期间开始之日，不计算在期间内).
- **Working days**: the due date is the n-th working day after the start day. A start on a
  holiday simply counts from the next working day.
- **Calendar days**: the due date is the start day plus n days; where the rule says so, a due date
  that is not a working day moves to the next working day (Art. 42: 期间届满的最后一日是节假日的，
  以节假日后的第一日为期间届满的日期).
- **Pauses** (补正, 检验检测, 鉴定, 专家评审, 异议答复): the days from the day a request is sent
  (not counted: the clock still runs that day) to the day the reply is received (counted as
  paused) do not count (94号令 Art. 27: 发出相关文书、补正通知之日至收到相关反馈文书或材料之日).
  Counting simply skips them, which adds the paused days back on resume; overlapping pauses are
  one pause. A pause sent after the due date changes nothing: an expired clock cannot be paused.
  While a pause is open (no reply yet) the clock stands still and the due date is unknown.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from xietong.deadlines.calendar import WorkingCalendar, check_year
from xietong.deadlines.enums import DeadlineUnit, ObligationStatus, PauseReason
from xietong.deadlines.errors import DeadlineError, DeadlineErrorCode

MAX_AMOUNT = 3650
"""The largest period accepted (in days of either unit); statutes use at most a few dozen."""


@dataclass(frozen=True, slots=True)
class Pause:
    """Time the law does not count: from the request sent to the reply received."""

    reason: PauseReason
    started: date  # the request was sent (发出文书/补正通知之日)
    ended: date | None = None  # the reply was received (收到反馈之日); None while waiting


@dataclass(frozen=True, slots=True)
class Deadline:
    """A computed deadline: when it falls due, how sure that is, and which calendar said so."""

    start: date
    amount: int
    unit: DeadlineUnit
    due: date | None
    """The last day to meet it; None while an open pause holds the clock."""
    provisional: bool
    """A year the calendar does not cover was consulted: the date will be recomputed."""
    calendar_version: str
    """Digest of the calendar years consulted; stored with the deadline to detect corrections."""
    jurisdiction: int | None
    """Whose calendar counted it (None: the national calendar, no local overrides)."""
    counted: int
    """Days of the period run so far: ``amount`` once ``due`` is known."""
    paused_days: int = 0
    """Days (of the unit) skipped because of pauses before the due date."""
    paused_since: date | None = None
    """The day the open pause began: nothing after it counts until the reply arrives."""
    moved_from: date | None = None
    """Calendar days: the period ended on this non-working day and moved to ``due``."""


def check_amount(amount: int) -> None:
    if isinstance(amount, bool) or not isinstance(amount, int) or not 1 <= amount <= MAX_AMOUNT:
        raise DeadlineError(
            DeadlineErrorCode.AMOUNT_OUT_OF_RANGE,
            f"期限天数应为 1–{MAX_AMOUNT} 的整数，收到 {amount!r}"
            f"（the amount must be a whole number from 1 to {MAX_AMOUNT}）",
        )


def merge_pauses(start: date, pauses: Iterable[Pause]) -> list[tuple[date, date | None]]:
    """The excluded stretches ``(sent, received]`` in order, overlapping ones joined into one;
    ``None`` as the end means still open."""
    stretches: list[tuple[date, date | None]] = []
    for p in pauses:
        check_year(p.started.year)
        if p.ended is not None:
            check_year(p.ended.year)
            if p.ended < p.started:
                raise DeadlineError(
                    DeadlineErrorCode.INVALID_PAUSE,
                    f"暂停结束日 {p.ended.isoformat()} 早于开始日 {p.started.isoformat()}"
                    "（a pause cannot end before it starts）",
                )
        if p.started < start:
            raise DeadlineError(
                DeadlineErrorCode.INVALID_PAUSE,
                f"暂停开始日 {p.started.isoformat()} 早于期限起算日 {start.isoformat()}"
                "（a pause cannot start before the clock does）",
            )
        if p.ended != p.started:  # a reply on the day of the request pauses nothing
            stretches.append((p.started, p.ended))
    stretches.sort(key=lambda s: s[0])
    merged: list[tuple[date, date | None]] = []
    for first, last in stretches:
        if merged:
            prev_first, prev_last = merged[-1]
            if prev_last is None:
                break  # an open pause swallows everything after it
            if first <= prev_last:
                merged[-1] = (prev_first, None if last is None else max(prev_last, last))
                continue
        merged.append((first, last))
    return merged


def add_working_days(
    calendar: WorkingCalendar, start: date, amount: int, pauses: Iterable[Pause] = ()
) -> Deadline:
    """The ``amount``-th working day after ``start`` on ``calendar``, pauses skipped."""
    check_amount(amount)
    check_year(start.year)
    cursor, remaining, paused = start, amount, 0
    paused_since: date | None = None
    for first, last in merge_pauses(start, pauses):
        available = calendar.working_days_between(cursor, first)
        if available >= remaining:
            break
        remaining -= available
        if last is None:
            paused_since = first
            break
        paused += calendar.working_days_between(first, last)
        cursor = last
    if paused_since is not None:
        due = None
        counted = amount - remaining
        reached = paused_since
    else:
        due = calendar.nth_working_day_after(cursor, remaining)
        counted = amount
        reached = due
    first_consulted = start + timedelta(days=1)
    years = range(first_consulted.year, reached.year + 1) if reached >= first_consulted else ()
    return Deadline(
        start=start,
        amount=amount,
        unit=DeadlineUnit.WORKING_DAYS,
        due=due,
        provisional=any(not calendar.is_covered(y) for y in years),
        calendar_version=calendar.version_for(years),
        jurisdiction=calendar.jurisdiction,
        counted=counted,
        paused_days=paused,
        paused_since=paused_since,
    )


def add_calendar_days(
    calendar: WorkingCalendar,
    start: date,
    amount: int,
    *,
    holiday_end_moves: bool,
    pauses: Iterable[Pause] = (),
) -> Deadline:
    """``start`` plus ``amount`` days, pauses skipped; a non-working last day moves to the next
    working day when ``holiday_end_moves``. The calendar is consulted only to move the end."""
    check_amount(amount)
    check_year(start.year)
    cursor, remaining, paused = start, amount, 0
    paused_since: date | None = None
    for first, last in merge_pauses(start, pauses):
        available = (first - cursor).days
        if available >= remaining:
            break
        remaining -= available
        if last is None:
            paused_since = first
            break
        paused += (last - first).days
        cursor = last
    due: date | None = None
    moved_from: date | None = None
    years: range | tuple[()] = ()
    if paused_since is None:
        end = cursor + timedelta(days=remaining)
        check_year(end.year)
        due = end
        if holiday_end_moves:
            due = calendar.next_working_day(end)
            years = range(end.year, due.year + 1)
            moved_from = end if due != end else None
    return Deadline(
        start=start,
        amount=amount,
        unit=DeadlineUnit.CALENDAR_DAYS,
        due=due,
        provisional=any(not calendar.is_covered(y) for y in years),
        calendar_version=calendar.version_for(years),
        jurisdiction=calendar.jurisdiction,
        counted=amount if paused_since is None else amount - remaining,
        paused_days=paused,
        paused_since=paused_since,
        moved_from=moved_from,
    )


def compute(
    calendar: WorkingCalendar,
    start: date,
    amount: int,
    unit: DeadlineUnit,
    *,
    holiday_end_moves: bool = True,
    pauses: Iterable[Pause] = (),
) -> Deadline:
    """One entry point for both units. ``holiday_end_moves`` matters for calendar days only;
    its default is Art. 42's rule, which is what the public ``deadline`` query answers."""
    if unit is DeadlineUnit.WORKING_DAYS:
        return add_working_days(calendar, start, amount, pauses)
    if unit is DeadlineUnit.HOURS:
        raise DeadlineError(
            DeadlineErrorCode.INSTANT_REQUIRED,
            "按小时计算的期限从某一时刻起算，不按日计算（an hour period counts from an instant, "
            "not a day）",
        )
    return add_calendar_days(
        calendar, start, amount, holiday_end_moves=holiday_end_moves, pauses=pauses
    )


def add_hours(started_at: datetime, amount: int) -> datetime:
    """An hour clock's due instant: ``amount`` elapsed hours after ``started_at`` (an aware
    instant). The calendar does not matter: a fault during an evaluation counts real time."""
    check_amount(amount)
    if started_at.tzinfo is None or started_at.utcoffset() is None:
        raise DeadlineError(
            DeadlineErrorCode.NAIVE_INSTANT,
            "时刻须带时区（an instant needs a time zone）",
        )
    return started_at + timedelta(hours=amount)


def elapsed(
    calendar: WorkingCalendar,
    start: date,
    until: date,
    unit: DeadlineUnit,
    pauses: Iterable[Pause] = (),
) -> int:
    """Days of a period run from ``start`` up to and including ``until``, counted as the period
    counts them (working or calendar days, paused stretches skipped): what the worker compares
    with the amount to warn at 80 % of the time. ``elapsed(start, due) == amount`` when the due
    date did not move."""
    check_year(start.year)
    check_year(until.year)
    if until <= start:
        return 0

    def count(after: date, upto: date) -> int:
        if upto <= after:
            return 0
        if unit is DeadlineUnit.WORKING_DAYS:
            return calendar.working_days_between(after, upto)
        return (upto - after).days

    total, cursor = 0, start
    for first, last in merge_pauses(start, pauses):
        if first >= until:
            break
        total += count(cursor, first)
        if last is None or last >= until:
            return total
        cursor = last
    return total + count(cursor, until)


def status_on(
    due: date | None,
    today: date,
    *,
    met_on: date | None = None,
    cancelled: bool = False,
) -> ObligationStatus:
    """An obligation's status on ``today``: met or cancelled once so, overdue the day after its
    due date (the due date itself is still in time), open otherwise — and while a pause holds
    the clock (no due date), never overdue."""
    if cancelled:
        return ObligationStatus.CANCELLED
    if met_on is not None:
        return ObligationStatus.MET
    if due is not None and today > due:
        return ObligationStatus.OVERDUE
    return ObligationStatus.OPEN
