"""Instants carry their offset; days are China days; both stay within 1900–2199."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xietong.inputs import (
    CHINA,
    InputRejected,
    aware_datetime,
    china_day,
    end_of_china_day,
    start_of_china_day,
)


def test_an_instant_needs_its_offset() -> None:
    assert aware_datetime("2026-11-26T09:30:00+08:00") == datetime(2026, 11, 26, 1, 30, tzinfo=UTC)
    assert aware_datetime("2026-11-26T01:30:00Z") == datetime(2026, 11, 26, 1, 30, tzinfo=UTC)
    with pytest.raises(InputRejected) as caught:
        aware_datetime("2026-11-26T09:30:00")
    assert caught.value.reason == "NAIVE_DATETIME"


@pytest.mark.parametrize(
    "value",
    [
        "9999-12-31T23:59:59-12:00",  # would overflow when moved to UTC
        "0001-01-01T00:00:00+14:00",
        "1899-12-31T23:59:59+08:00",
        "2200-01-01T00:00:00+08:00",
    ],
)
def test_instants_out_of_range_are_refused(value: str) -> None:
    with pytest.raises(InputRejected) as caught:
        aware_datetime(value)
    assert caught.value.reason == "OUT_OF_RANGE"


@pytest.mark.parametrize(
    "value",
    ["", "tomorrow", "2026-13-01T00:00:00Z", "２０２６-11-26T00:00:00Z", "x" * 10_000, 5, None],
)
def test_what_is_not_an_instant_is_refused(value: object) -> None:
    with pytest.raises(InputRejected) as caught:
        aware_datetime(value)
    assert len(caught.value.message) < 200


@given(st.datetimes(timezones=st.just(UTC)) | st.text(max_size=40))
def test_instants_are_aware_and_in_range_or_refused(value: object) -> None:
    try:
        parsed = aware_datetime(value if isinstance(value, str) else value.isoformat())  # type: ignore[union-attr]
    except InputRejected:
        return
    assert parsed.utcoffset() is not None
    assert 1900 <= parsed.year <= 2199
    parsed.astimezone(UTC)  # never overflows


@pytest.mark.parametrize(
    "value", ["2026-02-30", "2026-1-1", "20261126", "0000-01-01", "99999-01-01", "2026-11-26T00:00"]
)
def test_malformed_days_are_refused(value: str) -> None:
    with pytest.raises(InputRejected):
        china_day(value)


def test_a_china_day_ends_at_midnight_china_time() -> None:
    day = date(2026, 11, 26)
    assert start_of_china_day(day) == datetime(2026, 11, 25, 16, tzinfo=UTC)
    assert end_of_china_day(day) == datetime(2026, 11, 26, 16, tzinfo=UTC)
    assert end_of_china_day(day).astimezone(CHINA).isoformat() == "2026-11-27T00:00:00+08:00"
    assert end_of_china_day(day) - start_of_china_day(day) == timedelta(days=1)
    assert CHINA.utcoffset(None) == timezone(timedelta(hours=8)).utcoffset(None)
