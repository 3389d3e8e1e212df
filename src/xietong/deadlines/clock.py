"""The clock the code reads. Deadlines are China dates, so "now" is China time (Asia/Shanghai):
an event at 17:30 UTC on 30 September happened on 1 October in Beijing, and that is the date a
period counts from. Services and the worker take a ``Clock`` instead of calling
``datetime.now``, so a test can set or move time.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Protocol, runtime_checkable

from xietong.deadlines.errors import DeadlineError, DeadlineErrorCode
from xietong.inputs.temporal import CHINA as CHINA  # one China time zone for all the code


def china_time(instant: datetime) -> datetime:
    """The same instant on a Beijing wall clock. A naive datetime is refused, not guessed at."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise DeadlineError(
            DeadlineErrorCode.NAIVE_INSTANT,
            f"时间 {instant.isoformat()} 未注明时区（the time has no time zone; "
            "send it with an offset, e.g. +08:00）",
        )
    return instant.astimezone(CHINA)


def china_date(instant: datetime) -> date:
    """The date in China on which ``instant`` fell: the date a period counts from."""
    return china_time(instant).date()


@runtime_checkable
class Clock(Protocol):
    """What services and the worker read time from."""

    def now(self) -> datetime:
        """The current instant, time-zone aware, in China time."""
        ...

    def today(self) -> date:
        """Today's date in China."""
        ...


class SystemClock:
    """The machine's clock, read in China time whatever the server's own time zone is."""

    def now(self) -> datetime:
        return datetime.now(CHINA)

    def today(self) -> date:
        return self.now().date()

    def __repr__(self) -> str:
        return "SystemClock()"


class ManualClock:
    """A clock that stands still until told to move: for tests and for replaying a scenario."""

    def __init__(self, start: datetime) -> None:
        self._now = china_time(start)

    @classmethod
    def on(cls, day: date, hour: int = 9, minute: int = 0) -> ManualClock:
        """A clock at ``hour:minute`` Beijing time on ``day`` (09:00 by default: office hours)."""
        return cls(datetime(day.year, day.month, day.day, hour, minute, tzinfo=CHINA))

    def now(self) -> datetime:
        return self._now

    def today(self) -> date:
        return self._now.date()

    def set(self, instant: datetime) -> None:
        """Jump to ``instant`` (backwards too: a test may replay)."""
        self._now = china_time(instant)

    def advance(self, delta: timedelta | None = None, *, days: int = 0, hours: int = 0) -> None:
        """Move forward by ``delta`` and/or whole days and hours."""
        step = (delta or timedelta()) + timedelta(days=days, hours=hours)
        self._now = self._now + step

    def __repr__(self) -> str:
        return f"ManualClock({self._now.isoformat()})"


SYSTEM_CLOCK: Clock = SystemClock()
"""The default every service uses unless given another."""
