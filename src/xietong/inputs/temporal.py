"""Instants and days as the service reads them: instants carry their offset, days are China days.

A time without an offset is ambiguous (whose eight o'clock?), so it is refused rather than guessed.
A day (an expiry date, a deadline) is a calendar day in China: it starts and ends at midnight
Asia/Shanghai time, whatever the server's own time zone ("today" is the deadline clock's,
``xietong.deadlines.clock``, which reads this zone). Both are bounded to years 1900–2199, well
inside what Python and PostgreSQL can represent, so no arithmetic on them can overflow.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone

from xietong.inputs.errors import InputRejected, preview

# China has kept UTC+8 without daylight saving since 1991; a fixed offset needs no time-zone
# database in the container image.
CHINA = timezone(timedelta(hours=8), "Asia/Shanghai")

MIN_YEAR = 1900
MAX_YEAR = 2199
_MAX_TEXT = 64  # the longest ISO 8601 form with nanoseconds and an offset is ~40 characters
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def aware_datetime(value: object) -> datetime:
    """An ISO 8601 instant with an offset (``2026-11-26T09:30:00+08:00`` or ``…Z``)."""
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str) and len(value) <= _MAX_TEXT and value.isascii():
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise _not_a_datetime(value) from None
    else:
        raise _not_a_datetime(value)
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise InputRejected(
            f"时间须带时区，例如 2026-11-26T09:30:00+08:00，收到 {preview(value)}"
            "（a time needs its offset from UTC, e.g. +08:00）",
            reason="NAIVE_DATETIME",
        )
    _check_year(parsed.year, value)
    return parsed


def china_day(value: object) -> date:
    """A calendar day written ``YYYY-MM-DD``, read as a day in China."""
    if isinstance(value, date) and not isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            parsed = date.fromisoformat(value)
        except ValueError:
            raise _not_a_date(value) from None
    else:
        raise _not_a_date(value)
    _check_year(parsed.year, value)
    return parsed


def start_of_china_day(day: date) -> datetime:
    """Midnight at the start of ``day`` in China."""
    return datetime.combine(day, time.min, CHINA)


def end_of_china_day(day: date) -> datetime:
    """The instant ``day`` ends in China: midnight at the start of the next day (exclusive)."""
    return start_of_china_day(day + timedelta(days=1))


def _check_year(year: int, value: object) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise InputRejected(
            f"年份应在{MIN_YEAR}至{MAX_YEAR}之间，收到 {preview(value)}"
            f"（the year must be {MIN_YEAR}–{MAX_YEAR}）",
            reason="OUT_OF_RANGE",
        )


def _not_a_datetime(value: object) -> InputRejected:
    return InputRejected(
        f"不是有效的时间，收到 {preview(value)}"
        "（not an ISO 8601 date and time, e.g. 2026-11-26T09:30:00+08:00）",
        reason="NOT_A_DATETIME",
    )


def _not_a_date(value: object) -> InputRejected:
    return InputRejected(
        f"不是有效的日期，收到 {preview(value)}（not a date written YYYY-MM-DD, e.g. 2026-11-26）",
        reason="NOT_A_DATE",
    )
