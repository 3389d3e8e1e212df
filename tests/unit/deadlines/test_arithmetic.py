"""Deadline arithmetic: the issue's examples, Art. 42 counting, pauses, and properties."""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tests.unit.deadlines.conftest import LIBRARY, WITH_2027
from xietong.deadlines.arithmetic import (
    MAX_AMOUNT,
    Deadline,
    Pause,
    add_calendar_days,
    add_hours,
    add_working_days,
    compute,
    elapsed,
    merge_pauses,
    status_on,
)
from xietong.deadlines.calendar import UNUSED_VERSION, CalendarOverride, Calendars, WorkingCalendar
from xietong.deadlines.enums import DeadlineUnit, ObligationStatus, OverrideKind, PauseReason
from xietong.deadlines.errors import DeadlineError, DeadlineErrorCode

NATIONAL = LIBRARY.national()
DAY_UNITS = (DeadlineUnit.WORKING_DAYS, DeadlineUnit.CALENDAR_DAYS)
"""The units counted on a calendar (an hour clock counts real time: ``add_hours``)."""
T = PauseReason.TESTING

# Dates the package covers, far enough from its end for a few months of counting.
covered_days = st.dates(min_value=date(2004, 1, 1), max_value=date(2026, 6, 30))
any_days = st.dates(min_value=date(2004, 1, 1), max_value=date(2030, 12, 31))
amounts = st.integers(min_value=1, max_value=60)
calendars = st.sampled_from(["library", "with 2027"]).map(
    lambda name: (LIBRARY if name == "library" else WITH_2027).national()
)


@st.composite
def pauses_after(draw: st.DrawFn, start: date) -> list[Pause]:
    out = []
    for _ in range(draw(st.integers(0, 3))):
        begin = start + timedelta(days=draw(st.integers(0, 60)))
        length = draw(st.none() | st.integers(0, 30))
        end = None if length is None else begin + timedelta(days=length)
        out.append(Pause(draw(st.sampled_from(list(PauseReason))), begin, end))
    return out


# The examples -------------------------------------------------------------------------


def test_three_working_days_from_30_september_2026_is_the_make_up_saturday() -> None:
    result = add_working_days(NATIONAL, date(2026, 9, 30), 3)
    assert result.due == date(2026, 10, 10)
    assert result.due.weekday() == 5
    assert not result.provisional
    assert result.counted == 3
    assert result.jurisdiction is None


def test_thirty_working_days_from_december_2026_is_provisional_until_2027_is_loaded() -> None:
    start = date(2026, 12, 15)
    before = add_working_days(LIBRARY.national(), start, 30)
    # Weekends only in 2027: 1 January (a Friday) counts, so the date is one day early.
    assert before.due == date(2027, 1, 26)
    assert before.provisional
    after = add_working_days(WITH_2027.national(), start, 30)
    # With the (plausible) 2027 notice loaded, 1 January is 元旦 and the date is exact.
    assert after.due == date(2027, 1, 27)
    assert not after.provisional
    assert after.calendar_version != before.calendar_version


def test_a_deadline_inside_covered_years_keeps_its_version_when_2027_is_loaded() -> None:
    before = add_working_days(LIBRARY.national(), date(2026, 9, 30), 3)
    after = add_working_days(WITH_2027.national(), date(2026, 9, 30), 3)
    assert before == after


# Counting -------------------------------------------------------------------------------------


def test_the_start_day_is_not_counted_even_on_a_holiday() -> None:
    # A complaint received on 1 October (a holiday) counts from 8 October.
    assert add_working_days(NATIONAL, date(2026, 10, 1), 1).due == date(2026, 10, 8)
    assert add_working_days(NATIONAL, date(2026, 10, 8), 1).due == date(2026, 10, 9)


def test_art_42_a_calendar_period_ending_on_a_holiday_moves_to_the_next_working_day() -> None:
    # 30 days from 2 September 2026 end on 2 October (National Day): due 8 October.
    moved = add_calendar_days(NATIONAL, date(2026, 9, 2), 30, holiday_end_moves=True)
    assert moved.due == date(2026, 10, 8)
    assert moved.moved_from == date(2026, 10, 2)
    assert not moved.provisional
    kept = add_calendar_days(NATIONAL, date(2026, 9, 2), 30, holiday_end_moves=False)
    assert kept.due == date(2026, 10, 2)
    assert kept.moved_from is None
    # It never consulted the calendar, so no calendar correction can concern it.
    assert kept.calendar_version == UNUSED_VERSION


def test_a_calendar_period_ending_on_a_working_day_does_not_move() -> None:
    result = add_calendar_days(NATIONAL, date(2026, 11, 2), 10, holiday_end_moves=True)
    assert result.due == date(2026, 11, 12)
    assert result.moved_from is None
    assert result.calendar_version != UNUSED_VERSION  # it looked the day up


def test_a_moved_end_into_an_uncovered_year_is_provisional() -> None:
    # 31 December 2026 + 1 day = 1 January 2027: a holiday only a loaded 2027 knows of.
    before = add_calendar_days(LIBRARY.national(), date(2026, 12, 31), 1, holiday_end_moves=True)
    after = add_calendar_days(WITH_2027.national(), date(2026, 12, 31), 1, holiday_end_moves=True)
    assert (before.due, before.provisional) == (date(2027, 1, 1), True)
    assert (after.due, after.provisional) == (date(2027, 1, 4), False)


def test_compute_dispatches_on_the_unit() -> None:
    assert compute(NATIONAL, date(2026, 9, 30), 3, DeadlineUnit.WORKING_DAYS).due == date(
        2026, 10, 10
    )
    assert compute(NATIONAL, date(2026, 9, 2), 30, DeadlineUnit.CALENDAR_DAYS).due == date(
        2026, 10, 8
    )


def test_local_closures_count_on_the_owing_sides_calendar() -> None:
    calendars = Calendars(
        overrides=[CalendarOverride(422825, date(2026, 11, 3), OverrideKind.CLOSED, "县闭馆")]
    )
    county = add_working_days(calendars.for_jurisdiction(422825), date(2026, 11, 2), 1)
    city = add_working_days(calendars.for_jurisdiction(422800), date(2026, 11, 2), 1)
    assert (county.due, county.jurisdiction) == (date(2026, 11, 4), 422825)
    assert (city.due, city.jurisdiction) == (date(2026, 11, 3), 422800)


# Pauses ---------------------------------------------------------------------------------------


def test_a_pause_adds_the_paused_working_days_back() -> None:
    # 5 wd from Monday 2 Nov 2026 is Monday 9 Nov. Testing asked Wed 4 Nov, report received
    # Fri 6 Nov: Thu 5 and Fri 6 do not count, so the clock ends two working days later.
    start = date(2026, 11, 2)
    result = add_working_days(NATIONAL, start, 5, [Pause(T, date(2026, 11, 4), date(2026, 11, 6))])
    assert result.due == date(2026, 11, 11)
    assert result.paused_days == 2


def test_overlapping_pauses_count_once() -> None:
    start = date(2026, 11, 2)
    one = [Pause(T, date(2026, 11, 4), date(2026, 11, 10))]
    two = [
        Pause(T, date(2026, 11, 4), date(2026, 11, 6)),
        Pause(PauseReason.APPRAISAL, date(2026, 11, 5), date(2026, 11, 10)),
    ]
    assert add_working_days(NATIONAL, start, 5, one) == add_working_days(NATIONAL, start, 5, two)


def test_a_reply_on_the_day_of_the_request_pauses_nothing() -> None:
    start = date(2026, 11, 2)
    same_day = [Pause(T, date(2026, 11, 4), date(2026, 11, 4))]
    assert add_working_days(NATIONAL, start, 5, same_day) == add_working_days(NATIONAL, start, 5)


def test_an_open_pause_holds_the_clock() -> None:
    start = date(2026, 11, 2)
    result = add_working_days(NATIONAL, start, 5, [Pause(T, date(2026, 11, 4))])
    assert result.due is None
    assert result.paused_since == date(2026, 11, 4)
    assert result.counted == 2  # Tue 3 and Wed 4 ran; three remain on resume


def test_a_pause_after_the_due_date_changes_nothing() -> None:
    start = date(2026, 11, 2)
    late = [Pause(T, date(2026, 11, 20), None)]
    assert add_working_days(NATIONAL, start, 5, late) == add_working_days(NATIONAL, start, 5)


def test_pauses_with_calendar_days() -> None:
    # 10 days from 1 Nov; an objection from 3 to 6 Nov (3 days) is not counted: 14 Nov, a
    # Saturday, moves to Monday 16 Nov.
    start = date(2026, 11, 1)
    pause = [Pause(PauseReason.OBJECTION, date(2026, 11, 3), date(2026, 11, 6))]
    result = add_calendar_days(NATIONAL, start, 10, holiday_end_moves=True, pauses=pause)
    assert result.moved_from == date(2026, 11, 14)
    assert result.due == date(2026, 11, 16)
    assert result.paused_days == 3


def test_merge_pauses_joins_overlaps_and_an_open_one_swallows_the_rest() -> None:
    s = date(2026, 1, 1)
    merged = merge_pauses(
        s,
        [
            Pause(T, date(2026, 1, 10), date(2026, 1, 12)),
            Pause(T, date(2026, 1, 2), date(2026, 1, 5)),
            Pause(T, date(2026, 1, 5), date(2026, 1, 7)),  # touches the previous one
            Pause(T, date(2026, 1, 11), None),
            Pause(T, date(2026, 2, 1), date(2026, 2, 3)),
        ],
    )
    assert merged == [(date(2026, 1, 2), date(2026, 1, 7)), (date(2026, 1, 10), None)]


@pytest.mark.parametrize(
    "pause",
    [
        Pause(T, date(2026, 11, 6), date(2026, 11, 4)),  # ends before it starts
        Pause(T, date(2026, 10, 30), date(2026, 11, 4)),  # starts before the clock
    ],
)
def test_impossible_pauses_are_refused(pause: Pause) -> None:
    with pytest.raises(DeadlineError) as caught:
        add_working_days(NATIONAL, date(2026, 11, 2), 5, [pause])
    assert caught.value.error_code is DeadlineErrorCode.INVALID_PAUSE


# Bad input ------------------------------------------------------------------------------------


@pytest.mark.parametrize("amount", [0, -1, MAX_AMOUNT + 1, 10**9, True])
def test_amounts_out_of_range_are_refused(amount: int) -> None:
    with pytest.raises(DeadlineError) as caught:
        add_working_days(NATIONAL, date(2026, 1, 5), amount)
    assert caught.value.error_code is DeadlineErrorCode.AMOUNT_OUT_OF_RANGE
    assert "期限天数" in caught.value.message


@pytest.mark.parametrize(
    ("start", "amount"), [(date(1999, 12, 31), 1), (date(2199, 12, 1), 100), (date.max, 1)]
)
def test_dates_out_of_range_are_refused(start: date, amount: int) -> None:
    for unit in (DeadlineUnit.WORKING_DAYS, DeadlineUnit.CALENDAR_DAYS):
        with pytest.raises(DeadlineError) as caught:
            compute(NATIONAL, start, amount, unit)
        assert caught.value.error_code is DeadlineErrorCode.DATE_OUT_OF_RANGE


def test_hours_are_not_counted_in_days() -> None:
    """An hour clock counts from an instant (``add_hours``); asked for a day, it refuses."""
    with pytest.raises(DeadlineError) as caught:
        compute(NATIONAL, date(2026, 9, 22), 4, DeadlineUnit.HOURS)
    assert caught.value.error_code is DeadlineErrorCode.INSTANT_REQUIRED


def test_the_largest_amount_is_computed() -> None:
    result = add_working_days(NATIONAL, date(2026, 1, 5), MAX_AMOUNT)
    assert result.due is not None
    assert result.due.year >= 2040
    assert result.provisional


# Properties -----------------------------------------------------------------------------------


@given(start=covered_days, amount=st.integers(min_value=1, max_value=30))
@settings(max_examples=300, deadline=None)  # the package's own loop is slow
def test_agrees_with_the_package_where_it_covers(start: date, amount: int) -> None:
    # The package's find_workday treats a non-working start as "the next working day, not
    # counted"; we do not move the start (Art. 42 counts from the day after it), so the two
    # agree on working-day starts, which is where the package is an oracle.
    assume(NATIONAL.is_working_day(start))
    ours = add_working_days(NATIONAL, start, amount)
    assert ours.due == chinese_calendar.find_workday(amount, start)
    assert not ours.provisional


@given(calendar=calendars, start=any_days, amount=amounts)
@settings(deadline=None)  # timing is bench/'s job, not the tests'
def test_monotonic_in_amount(calendar: WorkingCalendar, start: date, amount: int) -> None:
    shorter = add_working_days(calendar, start, amount).due
    longer = add_working_days(calendar, start, amount + 1).due
    assert shorter is not None
    assert longer is not None
    assert shorter < longer
    c_short = add_calendar_days(calendar, start, amount, holiday_end_moves=True).due
    c_long = add_calendar_days(calendar, start, amount + 1, holiday_end_moves=True).due
    assert c_short is not None
    assert c_long is not None
    assert c_short <= c_long


@given(calendar=calendars, start=any_days, amount=amounts)
@settings(deadline=None)  # timing is bench/'s job, not the tests'
def test_a_working_day_deadline_is_a_working_day_exactly_amount_after(
    calendar: WorkingCalendar, start: date, amount: int
) -> None:
    due = add_working_days(calendar, start, amount).due
    assert due is not None
    assert due > start
    assert calendar.is_working_day(due)
    assert calendar.working_days_between(start, due) == amount


@given(calendar=calendars, start=any_days, amount=amounts)
@settings(deadline=None)  # timing is bench/'s job, not the tests'
def test_a_moved_calendar_deadline_lands_on_the_first_working_day(
    calendar: WorkingCalendar, start: date, amount: int
) -> None:
    result = add_calendar_days(calendar, start, amount, holiday_end_moves=True)
    end = start + timedelta(days=amount)
    assert result.due is not None
    assert result.due >= end
    assert calendar.is_working_day(result.due)
    day = end
    while day < result.due:
        assert not calendar.is_working_day(day)
        day += timedelta(days=1)
    assert (result.moved_from is not None) == (result.due != end)


@given(data=st.data(), calendar=calendars, start=any_days, amount=amounts)
@settings(deadline=None)  # timing is bench/'s job, not the tests'
def test_pausing_never_makes_a_deadline_earlier(
    data: st.DataObject, calendar: WorkingCalendar, start: date, amount: int
) -> None:
    pauses = data.draw(pauses_after(start))
    for unit in DAY_UNITS:
        plain = compute(calendar, start, amount, unit)
        paused = compute(calendar, start, amount, unit, pauses=pauses)
        assert plain.due is not None
        if paused.due is None:  # held by an open pause: no due date, so none earlier
            assert paused.paused_since is not None
            assert paused.paused_since >= start
            assert paused.counted < amount
        else:
            assert paused.due >= plain.due
        # Order and duplication of the pauses do not matter.
        again = compute(calendar, start, amount, unit, pauses=list(reversed(pauses)) + pauses)
        assert again == paused


def _years_consulted(result: Deadline) -> range:
    end = result.due or result.paused_since
    assert end is not None
    return range((result.start + timedelta(days=1)).year, end.year + 1)


@given(start=any_days, amount=amounts)
@settings(deadline=None)  # timing is bench/'s job, not the tests'
def test_provisional_iff_an_uncovered_year_is_consulted(start: date, amount: int) -> None:
    for calendars_ in (LIBRARY, WITH_2027):
        national = calendars_.national()
        result = add_working_days(national, start, amount)
        uncovered = [y for y in _years_consulted(result) if not national.is_covered(y)]
        assert result.provisional == bool(uncovered)


@given(start=any_days, amount=amounts)
@settings(deadline=None)  # timing is bench/'s job, not the tests'
def test_loading_a_year_changes_only_deadlines_that_consult_it(start: date, amount: int) -> None:
    before = add_working_days(LIBRARY.national(), start, amount)
    after = add_working_days(WITH_2027.national(), start, amount)
    if 2027 in _years_consulted(before) or 2027 in _years_consulted(after):
        assert before.calendar_version != after.calendar_version
    else:
        assert before == after


@given(calendar=calendars, start=any_days, amount=amounts, split=st.integers(0, 60))
@settings(deadline=None)  # timing is bench/'s job, not the tests'
def test_a_resumed_clock_continues_where_it_stopped(
    calendar: WorkingCalendar, start: date, amount: int, split: int
) -> None:
    # Held by an open pause, then resumed: the days counted before the pause plus those after
    # it make the whole period.
    sent = start + timedelta(days=split)
    held = add_working_days(calendar, start, amount, [Pause(T, sent)])
    assume(held.due is None)
    received = sent + timedelta(days=7)
    resumed = add_working_days(calendar, start, amount, [Pause(T, sent, received)])
    assert resumed.due is not None
    assert resumed.due == calendar.nth_working_day_after(received, amount - held.counted)


# Elapsed time and status (what the worker will use) ---------------------------------------------


def test_elapsed_counts_like_the_period() -> None:
    start = date(2026, 11, 2)
    pause = [Pause(T, date(2026, 11, 4), date(2026, 11, 6))]
    wd = DeadlineUnit.WORKING_DAYS
    assert elapsed(NATIONAL, start, date(2026, 11, 11), wd, pause) == 5
    assert elapsed(NATIONAL, start, date(2026, 11, 5), wd, pause) == 2  # inside the pause
    assert elapsed(NATIONAL, start, date(2026, 11, 9), wd, pause) == 3
    assert elapsed(NATIONAL, start, start, wd) == 0
    assert elapsed(NATIONAL, start, date(2026, 11, 9), DeadlineUnit.CALENDAR_DAYS, pause) == 5


@given(data=st.data(), calendar=calendars, start=any_days, amount=amounts)
@settings(deadline=None)  # timing is bench/'s job, not the tests'
def test_elapsed_at_the_due_date_is_the_amount(
    data: st.DataObject, calendar: WorkingCalendar, start: date, amount: int
) -> None:
    pauses = data.draw(pauses_after(start))
    for unit in DAY_UNITS:
        result = compute(calendar, start, amount, unit, holiday_end_moves=False, pauses=pauses)
        if result.due is None:
            assert result.paused_since is not None
            later = result.paused_since + timedelta(days=data.draw(st.integers(0, 400)))
            assert elapsed(calendar, start, later, unit, pauses) == result.counted
        else:
            assert elapsed(calendar, start, result.due, unit, pauses) == amount
            before = result.due - timedelta(days=1)
            assert elapsed(calendar, start, before, unit, pauses) == amount - 1


def test_status_on() -> None:
    due = date(2026, 10, 10)
    assert status_on(due, date(2026, 10, 10)) is ObligationStatus.OPEN
    assert status_on(due, date(2026, 10, 11)) is ObligationStatus.OVERDUE
    assert status_on(due, date(2026, 10, 11), met_on=date(2026, 10, 11)) is ObligationStatus.MET
    assert status_on(due, date(2026, 10, 11), cancelled=True) is ObligationStatus.CANCELLED
    assert status_on(None, date(2030, 1, 1)) is ObligationStatus.OPEN  # held by a pause


def test_hours_run_in_real_time_from_an_aware_instant() -> None:
    from datetime import datetime, timedelta, timezone

    china = timezone(timedelta(hours=8))
    start = datetime(2026, 10, 1, 22, 30, tzinfo=china)  # a holiday night: hours still run
    assert add_hours(start, 4) == datetime(2026, 10, 2, 2, 30, tzinfo=china)
    with pytest.raises(DeadlineError) as caught:
        add_hours(datetime(2026, 10, 1, 22, 30), 4)
    assert caught.value.error_code is DeadlineErrorCode.NAIVE_INSTANT
