"""The working-day calendar: the package, loaded years, overrides, coverage and versions."""

from __future__ import annotations

from datetime import date

import pytest

from tests.unit.deadlines.conftest import LIBRARY, NOTICE_2026, PLAUSIBLE_2027
from xietong.deadlines.calendar import (
    UNUSED_VERSION,
    CalendarOverride,
    Calendars,
    HolidaySpan,
    OfficialYear,
    ancestry,
    library_data,
)
from xietong.deadlines.enums import DaySource, OverrideKind
from xietong.deadlines.errors import DeadlineError, DeadlineErrorCode

HUBEI, ENSHI, XUANEN, SUIZHOU = 420000, 422800, 422825, 421300


def test_the_installed_package_covers_2004_to_2026_only() -> None:
    # chinesecalendar 1.11.0; a newer one that adds 2027 only widens this (and the docs say so).
    years = library_data().years
    assert min(years) == 2004
    assert 2026 in years
    assert 2027 not in years
    national = LIBRARY.national()
    assert national.is_covered(2026)
    assert not national.is_covered(2027)


def test_a_make_up_saturday_is_a_working_day() -> None:
    status = LIBRARY.national().describe(date(2026, 10, 10))
    assert status.working
    assert status.name == "国庆节调休上班"
    assert status.source is DaySource.LIBRARY
    assert not status.provisional


@pytest.mark.parametrize(
    ("day", "working", "name"),
    [
        (date(2026, 10, 1), False, "国庆节"),
        (date(2026, 10, 3), False, "国庆节"),  # a Saturday inside the holiday
        (date(2026, 10, 8), True, "工作日"),
        (date(2026, 10, 11), False, "周末"),
        (date(2026, 2, 14), True, "春节调休上班"),
    ],
)
def test_days_of_2026(day: date, working: bool, name: str) -> None:
    status = LIBRARY.national().describe(day)
    assert (status.working, status.name) == (working, name)


def test_an_uncovered_year_follows_the_weekend_rule_and_is_provisional() -> None:
    national = LIBRARY.national()
    new_year = national.describe(date(2027, 1, 1))  # a Friday: the weekend rule says work
    assert new_year.working
    assert new_year.provisional
    assert new_year.source is DaySource.WEEKEND_RULE
    assert not national.is_working_day(date(2027, 1, 2))


def test_a_loaded_year_is_covered_and_exact(with_2027: Calendars) -> None:
    national = with_2027.national()
    assert national.is_covered(2027)
    day = national.describe(date(2027, 1, 1))
    assert (day.working, day.name, day.source, day.provisional) == (
        False,
        "元旦",
        DaySource.LOADED,
        False,
    )
    assert national.is_working_day(date(2027, 1, 31))  # a make-up Sunday
    ordinary = national.describe(date(2027, 3, 3))
    assert ordinary.working
    assert ordinary.source is DaySource.LOADED


def test_a_loaded_year_replaces_the_package_for_that_year() -> None:
    # An operator corrects 2026: National Day moved (fictitious), the package's dates are dropped.
    corrected = OfficialYear(
        year=2026,
        notice="更正",
        holidays=(HolidaySpan("国庆节", date(2026, 10, 2), date(2026, 10, 8)),),
    )
    national = Calendars(loaded_years=[corrected]).national()
    assert national.is_working_day(date(2026, 10, 1))
    assert not national.is_working_day(date(2026, 10, 8))
    assert not national.is_working_day(date(2026, 10, 10))  # no longer a make-up day
    assert national.is_working_day(date(2026, 2, 16))  # the package's Spring Festival is gone


def test_a_notice_may_decide_days_of_the_december_before() -> None:
    official = OfficialYear(
        year=2028,
        notice="test",
        holidays=(
            HolidaySpan("元旦", date(2027, 12, 30), date(2028, 1, 1), (date(2027, 12, 25),)),
        ),
    )
    national = Calendars(loaded_years=[official]).national()
    assert national.is_working_day(date(2027, 12, 25))  # Saturday, made a working day
    assert not national.is_working_day(date(2027, 12, 30))
    assert national.describe(date(2027, 12, 30)).provisional  # 2027 itself is still uncovered


def test_the_same_dates_loaded_give_the_same_calendar_and_version() -> None:
    loaded = Calendars(loaded_years=[NOTICE_2026]).national()
    package = LIBRARY.national()
    day = date(2026, 1, 1)
    while day.year == 2026:
        assert loaded.is_working_day(day) == package.is_working_day(day), day
        day = date.fromordinal(day.toordinal() + 1)
    assert loaded.year_digest(2026) == package.year_digest(2026)
    assert loaded.version_for([2026]) == package.version_for([2026])


def test_versions_change_only_for_the_years_that_changed(with_2027: Calendars) -> None:
    before, after = LIBRARY.national(), with_2027.national()
    assert before.version_for([2025, 2026]) == after.version_for([2025, 2026])
    assert before.version_for([2027]) != after.version_for([2027])
    assert before.version_for([2026, 2027]) != after.version_for([2026, 2027])
    assert before.version != after.version
    assert before.version_for([]) == UNUSED_VERSION


def test_versions_are_stable_across_builds() -> None:
    # A digest, not an object id: the same data gives the same text in every process.
    assert Calendars().national().version_for([2026]) == LIBRARY.national().version_for([2026])
    assert LIBRARY.national().version_for([2026]).startswith("cal1-")


def test_ancestry_follows_the_code() -> None:
    assert ancestry(XUANEN) == (HUBEI, ENSHI, XUANEN)
    assert ancestry(ENSHI) == (HUBEI, ENSHI)
    assert ancestry(HUBEI) == (HUBEI,)
    assert ancestry(429004) == (HUBEI, 429004)  # 仙桃市, under the province directly


def _closed(code: int, day: date, reason: str = "closure") -> CalendarOverride:
    return CalendarOverride(code, day, OverrideKind.CLOSED, reason)


def test_a_county_inherits_its_city_and_province_overrides() -> None:
    monday, tuesday = date(2026, 11, 2), date(2026, 11, 3)
    calendars = Calendars(
        overrides=[_closed(HUBEI, monday, "省"), _closed(ENSHI, tuesday, "州")],
    )
    xuanen = calendars.for_jurisdiction(XUANEN)
    assert not xuanen.is_working_day(monday)
    assert not xuanen.is_working_day(tuesday)
    assert xuanen.describe(tuesday).source is DaySource.OVERRIDE
    suizhou = calendars.for_jurisdiction(SUIZHOU)  # same province, other city
    assert not suizhou.is_working_day(monday)
    assert suizhou.is_working_day(tuesday)
    assert calendars.national().is_working_day(monday)
    assert calendars.for_jurisdiction(530000).is_working_day(monday)  # another province


def test_the_more_specific_override_wins() -> None:
    monday, saturday = date(2026, 11, 2), date(2026, 11, 7)
    calendars = Calendars(
        overrides=[
            _closed(HUBEI, monday, "省闭馆"),
            CalendarOverride(XUANEN, monday, OverrideKind.OPEN, "县照常上班"),
            CalendarOverride(ENSHI, saturday, OverrideKind.OPEN, "州调休上班"),
            _closed(XUANEN, saturday, "县不调休"),
        ]
    )
    xuanen = calendars.for_jurisdiction(XUANEN)
    assert xuanen.is_working_day(monday)
    assert xuanen.describe(monday).name == "县照常上班"
    assert not xuanen.is_working_day(saturday)
    assert calendars.for_jurisdiction(ENSHI).is_working_day(saturday)
    assert not calendars.for_jurisdiction(ENSHI).is_working_day(monday)


def test_overrides_change_the_version_of_that_jurisdiction_only() -> None:
    calendars = Calendars(overrides=[_closed(XUANEN, date(2026, 11, 2))])
    assert calendars.for_jurisdiction(XUANEN).version_for([2026]) != LIBRARY.national().version_for(
        [2026]
    )
    assert calendars.for_jurisdiction(ENSHI).version_for([2026]) == LIBRARY.national().version_for(
        [2026]
    )
    assert calendars.for_jurisdiction(XUANEN).version_for([2025]) == LIBRARY.national().version_for(
        [2025]
    )


def test_jurisdictions_with_the_same_overrides_share_their_year_tables() -> None:
    # Memory is bounded by the jurisdictions that declare overrides, whatever codes are asked.
    calendars = Calendars(overrides=[_closed(ENSHI, date(2026, 11, 2))])
    national = calendars.national()
    assert calendars.for_jurisdiction(SUIZHOU)._days is national._days
    assert calendars.for_jurisdiction(530102)._days is national._days
    assert calendars.for_jurisdiction(XUANEN)._days is calendars.for_jurisdiction(ENSHI)._days
    assert calendars.for_jurisdiction(XUANEN)._days is not national._days
    assert calendars.for_jurisdiction(XUANEN).jurisdiction == XUANEN
    assert calendars.for_jurisdiction(XUANEN).chain == (HUBEI, ENSHI, XUANEN)


@pytest.mark.parametrize("code", [42, 1234567, 99999, -420000])
def test_a_malformed_jurisdiction_is_refused(code: int) -> None:
    with pytest.raises(DeadlineError) as caught:
        LIBRARY.for_jurisdiction(code)
    assert caught.value.error_code is DeadlineErrorCode.INVALID_JURISDICTION


def test_inconsistent_inputs_are_refused() -> None:
    with pytest.raises(ValueError, match="loaded twice"):
        Calendars(loaded_years=[PLAUSIBLE_2027, PLAUSIBLE_2027])
    with pytest.raises(ValueError, match="twice"):
        Calendars(overrides=[_closed(XUANEN, date(2026, 1, 5)), _closed(XUANEN, date(2026, 1, 5))])


@pytest.mark.parametrize("day", [date(1999, 12, 31), date(2200, 1, 1), date(9999, 12, 31)])
def test_years_outside_the_range_are_refused(day: date) -> None:
    with pytest.raises(DeadlineError) as caught:
        LIBRARY.national().describe(day)
    assert caught.value.error_code is DeadlineErrorCode.DATE_OUT_OF_RANGE


def test_counting_primitives() -> None:
    national = LIBRARY.national()
    assert national.working_days_between(date(2026, 9, 30), date(2026, 10, 10)) == 3
    assert national.working_days_between(date(2026, 10, 10), date(2026, 9, 30)) == 0
    assert national.nth_working_day_after(date(2026, 9, 30), 1) == date(2026, 10, 8)
    assert national.next_working_day(date(2026, 10, 1)) == date(2026, 10, 8)
    assert national.next_working_day(date(2026, 10, 8)) == date(2026, 10, 8)
    with pytest.raises(ValueError, match="at least 1"):
        national.nth_working_day_after(date(2026, 9, 30), 0)
