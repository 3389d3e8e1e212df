"""What a deadline costs to compute: ``python -m bench deadlines``.

Measured in one run, interleaved so machine noise hits both alike:

- *ours*: ``add_working_days`` on a warm calendar (year tables built), 30 working days from a
  start in 2026, the counting the engine does for every obligation;
- *package*: ``chinesecalendar.find_workday(30, start)`` from the same start, the maintained
  package's own day-by-day loop: the baseline;
- *across years*: 30 working days from December 2026 into a loaded 2027 with two pauses;
- *cold*: a fresh set of calendars and its first deadline (what a calendar load costs once).

Reported: median microseconds per call and the ratio ours/package.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable
from datetime import date, timedelta

import chinese_calendar

from xietong.deadlines.arithmetic import Pause, add_working_days
from xietong.deadlines.calendar import Calendars, HolidaySpan, OfficialYear
from xietong.deadlines.enums import PauseReason

ROUNDS = 15
PER_ROUND = 200
STARTS = [date(2026, 1, 5) + timedelta(days=7 * i) for i in range(40)]

# A stand-in 2027 (not the real notice): enough for the cost of counting into a loaded year.
_2027 = OfficialYear(
    2027,
    "bench",
    (
        HolidaySpan("元旦", date(2027, 1, 1), date(2027, 1, 3)),
        HolidaySpan("春节", date(2027, 2, 5), date(2027, 2, 13), (date(2027, 2, 20),)),
    ),
)


def _per_call_us(fn: Callable[[date], object]) -> float:
    began = time.perf_counter()
    for i in range(PER_ROUND):
        fn(STARTS[i % len(STARTS)])
    return (time.perf_counter() - began) / PER_ROUND * 1e6


def measure() -> dict[str, float]:
    national = Calendars().national()
    loaded = Calendars(loaded_years=[_2027]).national()
    pauses = [
        Pause(PauseReason.CORRECTION, date(2026, 12, 16), date(2026, 12, 21)),
        Pause(PauseReason.TESTING, date(2027, 1, 6), date(2027, 1, 12)),
    ]
    add_working_days(national, STARTS[0], 30)  # warm the year tables
    ours: list[float] = []
    package: list[float] = []
    across: list[float] = []
    for _ in range(ROUNDS):
        ours.append(_per_call_us(lambda d: add_working_days(national, d, 30)))
        package.append(_per_call_us(lambda d: chinese_calendar.find_workday(30, d)))
        across.append(
            _per_call_us(lambda d: add_working_days(loaded, date(2026, 12, 15), 30, pauses))
        )
    cold: list[float] = []
    for _ in range(ROUNDS):
        began = time.perf_counter()
        add_working_days(Calendars(loaded_years=[_2027]).national(), date(2026, 12, 15), 30)
        cold.append((time.perf_counter() - began) * 1e6)
    return {
        "ours_us_median": round(statistics.median(ours), 1),
        "package_us_median": round(statistics.median(package), 1),
        "ratio_ours_to_package": round(statistics.median(ours) / statistics.median(package), 3),
        "across_years_with_pauses_us_median": round(statistics.median(across), 1),
        "cold_first_deadline_us_median": round(statistics.median(cold), 1),
    }


def main() -> None:
    result = measure()
    print("deadlines: 30 working days per call (python -m bench deadlines)")
    print(json.dumps(result, indent=2))
