"""The working-day calendar (工作日历): which China dates are working days, for whom, and how sure
we are.

Three layers decide a day, the most specific first:

1. **Overrides of the jurisdiction's chain** (tenant files): local closures (``CLOSED``) and local
   working days (``OPEN``) declared for a province, a city or a county. A county's calendar
   inherits its city's and its province's overrides; where two levels speak of the same day, the
   lower (more specific) one wins.
2. **The national calendar**: the State Council's notice for the year (holidays and 调休 make-up
   working days), from an operator-loaded year (``xietong calendar load``) if one is loaded for
   that year, otherwise from the maintained ``chinesecalendar`` package.
3. **The weekend rule**: Monday to Friday work, Saturday and Sunday do not.

A year that neither the package nor a loaded notice covers is *uncovered*: its days follow the
weekend rule (plus any overrides), and every deadline that consults one of them is provisional.

Every calendar has a **version**: a digest of what it says, year by year. A deadline records the
version of exactly the years it consulted, so loading 2027 changes the version (and possibly the
date) of deadlines that reach into 2027 and of no others.
"""

from __future__ import annotations

import hashlib
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache

import chinese_calendar

from xietong.deadlines.enums import DaySource, OverrideKind
from xietong.deadlines.errors import DeadlineError, DeadlineErrorCode
from xietong.jurisdictions import codes

MIN_YEAR = 2000
"""Earliest year a deadline may touch. Older dates are refused rather than guessed at."""
MAX_YEAR = 2199
"""Latest year a deadline may reach."""

UNUSED_VERSION = "unused"
"""The version of a deadline that never consulted the calendar (calendar days, end not moved)."""

_VERSION_PREFIX = "cal1-"


@dataclass(frozen=True, slots=True)
class DayEntry:
    """What a layer says about one date."""

    working: bool
    name: str
    source: DaySource


@dataclass(frozen=True, slots=True)
class DayStatus:
    """A date as a calendar sees it, with where the answer came from."""

    day: date
    working: bool
    name: str  # 国庆节, 国庆节调休上班, 周末, 工作日, or an override's reason
    source: DaySource
    provisional: bool  # its year is covered by neither the package nor a loaded notice


@dataclass(frozen=True, slots=True)
class HolidaySpan:
    """One holiday of a notice: the days off and the make-up working days that go with it.

    Mirrors the notice's sentences: "国庆节：10月1日至7日放假调休，共7天。9月20日（周日）、10月10日
    （周六）上班。"
    """

    name: str
    first: date
    last: date
    workdays: tuple[date, ...] = ()

    def days(self) -> Iterator[date]:
        day = self.first
        while day <= self.last:
            yield day
            day += timedelta(days=1)


@dataclass(frozen=True, slots=True)
class OfficialYear:
    """One year of the State Council's notice (国务院办公厅关于某年部分节假日安排的通知), as an
    operator loaded it. A loaded year replaces the package's data for that year."""

    year: int
    notice: str
    holidays: tuple[HolidaySpan, ...]

    def entries(self) -> dict[date, DayEntry]:
        out: dict[date, DayEntry] = {}
        for span in self.holidays:
            for day in span.days():
                out[day] = DayEntry(False, span.name, DaySource.LOADED)
            for day in span.workdays:
                out[day] = DayEntry(True, f"{span.name}调休上班", DaySource.LOADED)
        return out


@dataclass(frozen=True, slots=True)
class CalendarOverride:
    """A jurisdiction's own word on one day (a tenant file declares ranges; they expand to days).

    Example: 湖北省 extended the 2020 Spring Festival holiday; under 财办库〔2020〕29号 such
    days are not working days for procurement clocks in that province.
    """

    jurisdiction: int
    day: date
    kind: OverrideKind
    reason: str


@dataclass(frozen=True, slots=True)
class LibraryData:
    """A snapshot of the ``chinesecalendar`` package: the years it covers and its dated entries."""

    version: str
    years: frozenset[int]
    entries: Mapping[date, DayEntry]


@cache
def library_data() -> LibraryData:
    """The package's data, read once. Uses its public ``holidays`` and ``workdays`` tables, which
    is also how the package itself decides which years it covers."""
    names = {h.value: h.chinese for h in chinese_calendar.Holiday}
    entries: dict[date, DayEntry] = {}
    for day, holiday in chinese_calendar.holidays.items():
        entries[day] = DayEntry(False, names.get(holiday, str(holiday)), DaySource.LIBRARY)
    for day, holiday in chinese_calendar.workdays.items():
        name = names.get(holiday, str(holiday))
        entries[day] = DayEntry(True, f"{name}调休上班", DaySource.LIBRARY)
    first = min(chinese_calendar.holidays).year
    last = max(chinese_calendar.holidays).year
    return LibraryData(
        version=str(getattr(chinese_calendar, "__version__", "unknown")),
        years=frozenset(range(first, last + 1)),
        entries=entries,
    )


def ancestry(code: int) -> tuple[int, ...]:
    """The chain whose overrides apply to ``code``: province first, ``code`` last (by the code's
    structure, so a county under its province directly has no city)."""
    chain = [code]
    while parents := codes.expected_parents(chain[-1]):
        chain.append(parents[0])
    return tuple(reversed(chain))


def check_year(year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise DeadlineError(
            DeadlineErrorCode.DATE_OUT_OF_RANGE,
            f"{year}年超出可计算范围 {MIN_YEAR}–{MAX_YEAR}"
            f"（year {year} is outside the years deadlines are computed for）",
        )


def _weekend_rule_working(day: date) -> bool:
    return day.weekday() < 5


@dataclass(slots=True)
class _YearTable:
    working: tuple[int, ...]  # ordinals of the working days, ascending
    digest: str
    covered: bool


def _year_digest(year: int, covered: bool, exceptions: list[tuple[date, bool]]) -> str:
    text = f"{year}|{'covered' if covered else 'provisional'}|" + ",".join(
        f"{day.isoformat()}{'W' if working else 'H'}" for day, working in exceptions
    )
    return hashlib.sha256(text.encode()).hexdigest()


class Calendars:
    """Everything calendars are built from: the package, the loaded years and every override.
    Immutable; build a new one when an operator loads a year or a tenant file changes."""

    def __init__(
        self,
        *,
        loaded_years: Iterable[OfficialYear] = (),
        overrides: Iterable[CalendarOverride] = (),
        use_library: bool = True,
    ) -> None:
        library = library_data() if use_library else None
        loaded: dict[int, OfficialYear] = {}
        for official in loaded_years:
            if official.year in loaded:
                raise ValueError(f"year {official.year} is loaded twice")
            loaded[official.year] = official
        self.loaded_years: frozenset[int] = frozenset(loaded)
        self.library_years: frozenset[int] = library.years if library else frozenset()
        self.covered_years: frozenset[int] = self.loaded_years | self.library_years
        self.library_version = library.version if library else None

        # The national layer: library entries outside loaded years, then every loaded entry (a
        # notice may list days of the December before its year, which it then decides).
        national: dict[date, DayEntry] = {}
        if library is not None:
            national.update(
                (day, e) for day, e in library.entries.items() if day.year not in self.loaded_years
            )
        for year in sorted(loaded):
            national.update(loaded[year].entries())
        self._national = national

        by_jurisdiction: dict[int, dict[date, CalendarOverride]] = {}
        for o in overrides:
            days = by_jurisdiction.setdefault(o.jurisdiction, {})
            if o.day in days:
                raise ValueError(
                    f"{codes.format_code(o.jurisdiction)} overrides {o.day.isoformat()} twice"
                )
            days[o.day] = o
        self._overrides = by_jurisdiction
        self._days: dict[tuple[int, ...], _Days] = {}

    def national(self) -> WorkingCalendar:
        """The calendar with no local overrides."""
        return self.for_jurisdiction(None)

    def for_jurisdiction(self, code: int | None) -> WorkingCalendar:
        """The calendar a body of ``code`` counts its deadlines on.

        Jurisdictions whose chains carry the same overrides share one set of year tables, so the
        memory held is bounded by the jurisdictions that declare overrides, whatever codes callers
        ask about."""
        if code is None:
            chain: tuple[int, ...] = ()
        else:
            try:
                codes.parse_code(codes.format_code(code))
            except (codes.InvalidCode, TypeError, ValueError):
                raise DeadlineError(
                    DeadlineErrorCode.INVALID_JURISDICTION,
                    f"“{str(code)[:20]}”不是有效的行政区划代码（not a GB/T 2260 code）",
                ) from None
            chain = ancestry(code)
        key = tuple(level for level in chain if level in self._overrides)
        days = self._days.get(key)
        if days is None:
            merged: dict[date, DayEntry] = {}
            for level in key:  # province first, so lower levels overwrite
                for day, o in self._overrides[level].items():
                    working = o.kind is OverrideKind.OPEN
                    merged[day] = DayEntry(working, o.reason, DaySource.OVERRIDE)
            days = _Days(self.covered_years, self.loaded_years, self._national, merged)
            self._days[key] = days
        return WorkingCalendar(code, chain, days)


class _Days:
    """What a calendar says, day by day, with its year tables: the part worth sharing.

    Year tables are computed on first use and kept; a deadline is then a couple of binary searches
    over ``span``, the ordinals of the working days of consecutive years.
    """

    def __init__(
        self,
        covered_years: frozenset[int],
        loaded_years: frozenset[int],
        national: Mapping[date, DayEntry],
        overrides: Mapping[date, DayEntry],
    ) -> None:
        self.covered_years = covered_years
        self.loaded_years = loaded_years
        self.national = national
        self.overrides = overrides
        self.years: dict[int, _YearTable] = {}
        self.versions: dict[tuple[int, ...], str] = {}
        self.lo, self.hi = 0, -1  # the years in span (none yet)
        self.span: list[int] = []

    def entry(self, day: date) -> DayEntry | None:
        return self.overrides.get(day) or self.national.get(day)

    def table(self, year: int) -> _YearTable:
        table = self.years.get(year)
        if table is not None:
            return table
        check_year(year)
        working: list[int] = []
        exceptions: list[tuple[date, bool]] = []
        day = date(year, 1, 1)
        one = timedelta(days=1)
        while day.year == year:
            entry = self.entry(day)
            default = _weekend_rule_working(day)
            is_working = default if entry is None else entry.working
            if is_working:
                working.append(day.toordinal())
            if is_working != default:
                exceptions.append((day, is_working))
            day += one
        covered = year in self.covered_years
        table = _YearTable(tuple(working), _year_digest(year, covered, exceptions), covered)
        self.years[year] = table
        return table

    def ensure(self, first: int, last: int) -> list[int]:
        """``span`` holding the working days of every year from ``first`` to ``last``."""
        check_year(first)
        check_year(last)
        if self.lo <= first and last <= self.hi:
            return self.span
        empty = self.hi < self.lo
        lo = first if empty else min(first, self.lo)
        hi = last if empty else max(last, self.hi)
        span: list[int] = []
        for year in range(lo, hi + 1):
            span.extend(self.table(year).working)
        # The new list first, then its bounds: a reader never pairs bounds with a shorter span.
        self.span = span
        self.lo, self.hi = lo, hi
        return span

    def at(self, index: int) -> date:
        """The working day at ``index`` of ``span``, extending it forward as needed."""
        span = self.span
        while index >= len(span):
            # Roughly 245 working days a year; reach far enough in one step.
            more = max(1, (index - len(span)) // 200 + 1)
            span = self.ensure(self.lo, self.hi + more)
        return date.fromordinal(span[index])


@dataclass(frozen=True, slots=True)
class WorkingCalendar:
    """Working days for one jurisdiction (or the nation, ``jurisdiction=None``)."""

    jurisdiction: int | None
    chain: tuple[int, ...]
    """The jurisdictions whose overrides apply, province first."""
    _days: _Days = field(repr=False, compare=False)

    # Days --------------------------------------------------------------------------------------

    def is_covered(self, year: int) -> bool:
        """Whether the package or a loaded notice says which days of ``year`` are holidays."""
        return year in self._days.covered_years

    def describe(self, day: date) -> DayStatus:
        check_year(day.year)
        provisional = not self.is_covered(day.year)
        entry = self._days.entry(day)
        if entry is not None:
            return DayStatus(day, entry.working, entry.name, entry.source, provisional)
        working = _weekend_rule_working(day)
        if day.year in self._days.loaded_years:
            source = DaySource.LOADED
        elif not provisional:
            source = DaySource.LIBRARY
        else:
            source = DaySource.WEEKEND_RULE
        return DayStatus(day, working, "工作日" if working else "周末", source, provisional)

    def is_working_day(self, day: date) -> bool:
        return self.describe(day).working

    # Versions ----------------------------------------------------------------------------------

    def year_digest(self, year: int) -> str:
        """A digest of which days of ``year`` are working days and whether the year is covered."""
        return self._days.table(year).digest

    def version_for(self, years: Iterable[int]) -> str:
        """The version of this calendar restricted to ``years``: what a deadline that consulted
        exactly those years depended on. Names, sources and other years do not enter it."""
        wanted = tuple(sorted(set(years)))
        if not wanted:
            return UNUSED_VERSION
        found = self._days.versions.get(wanted)
        if found is None:
            text = "|".join(f"{y}={self.year_digest(y)}" for y in wanted)
            found = _VERSION_PREFIX + hashlib.sha256(text.encode()).hexdigest()[:16]
            self._days.versions[wanted] = found
        return found

    @property
    def version(self) -> str:
        """The version of the whole calendar: every covered year and every year with an entry."""
        years = set(self._days.covered_years)
        years.update(d.year for d in self._days.overrides)
        years.update(d.year for d in self._days.national)
        return self.version_for(y for y in years if MIN_YEAR <= y <= MAX_YEAR)

    # Counting ----------------------------------------------------------------------------------

    def working_days_between(self, after: date, until: date) -> int:
        """Working days in ``(after, until]``: after the first date, up to and including the
        second (0 when ``until <= after``)."""
        if until <= after:
            return 0
        span = self._days.ensure(after.year, until.year)
        return bisect_right(span, until.toordinal()) - bisect_right(span, after.toordinal())

    def nth_working_day_after(self, start: date, n: int) -> date:
        """The ``n``-th working day after ``start`` (``start`` itself never counts; ``n >= 1``)."""
        if n < 1:
            raise ValueError("n must be at least 1")
        span = self._days.ensure(start.year, start.year)
        return self._days.at(bisect_right(span, start.toordinal()) + n - 1)

    def next_working_day(self, day: date) -> date:
        """``day`` if it is a working day, else the first working day after it."""
        span = self._days.ensure(day.year, day.year)
        return self._days.at(bisect_left(span, day.toordinal()))
