"""The clock the code reads: China time, settable in tests."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from xietong.deadlines.clock import (
    CHINA,
    SYSTEM_CLOCK,
    Clock,
    ManualClock,
    SystemClock,
    china_date,
    china_time,
)
from xietong.deadlines.errors import DeadlineError, DeadlineErrorCode


def test_an_evening_in_utc_is_the_next_day_in_china() -> None:
    # 17:30 UTC on 30 September is 01:30 on 1 October in Beijing: the period counts from 1 Oct.
    instant = datetime(2026, 9, 30, 17, 30, tzinfo=UTC)
    assert china_date(instant) == date(2026, 10, 1)
    assert china_time(instant).utcoffset() == timedelta(hours=8)
    assert china_date(datetime(2026, 9, 30, 15, 59, tzinfo=UTC)) == date(2026, 9, 30)
    assert china_date(datetime(2026, 9, 30, 16, 0, tzinfo=UTC)) == date(2026, 10, 1)
    new_york = timezone(timedelta(hours=-4))
    assert china_date(datetime(2026, 9, 30, 12, 0, tzinfo=new_york)) == date(2026, 10, 1)


def test_a_naive_time_is_refused() -> None:
    with pytest.raises(DeadlineError) as caught:
        china_date(datetime(2026, 9, 30, 12, 0))
    assert caught.value.error_code is DeadlineErrorCode.NAIVE_INSTANT
    assert caught.value.message.startswith("时间")


def test_the_system_clock_reads_china_time() -> None:
    now = SYSTEM_CLOCK.now()
    assert now.tzinfo is CHINA
    assert abs(now - datetime.now(UTC)) < timedelta(minutes=1)
    assert SYSTEM_CLOCK.today() in (now.date(), now.date() + timedelta(days=1))
    assert isinstance(SYSTEM_CLOCK, SystemClock)
    assert isinstance(SYSTEM_CLOCK, Clock)


def test_a_manual_clock_stands_still_and_moves_when_told() -> None:
    clock = ManualClock.on(date(2026, 9, 30))
    assert isinstance(clock, Clock)
    assert clock.now() == datetime(2026, 9, 30, 9, 0, tzinfo=CHINA)
    assert clock.now() == clock.now()
    clock.advance(hours=15)
    assert clock.today() == date(2026, 10, 1)  # midnight passed in Beijing
    clock.advance(days=2)
    assert clock.today() == date(2026, 10, 3)
    clock.advance(timedelta(minutes=30))
    assert clock.now().minute == 30
    clock.set(datetime(2026, 9, 30, 16, 0, tzinfo=UTC))
    assert clock.today() == date(2026, 10, 1)
    assert clock.now().tzinfo is CHINA
    with pytest.raises(DeadlineError):
        clock.set(datetime(2026, 9, 30))
    with pytest.raises(DeadlineError):
        ManualClock(datetime(2026, 9, 30))
