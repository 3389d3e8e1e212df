"""A period is read from the coarsest counter rows that cover each of its months exactly once."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from xietong.rollups.grains import tile


def _month(index: int) -> int:
    return 2024_00 + (index // 12) * 100 + index % 12 + 1


def _months(first: int, grain: int) -> list[int]:
    index = (first // 100 - 2024) * 12 + first % 100 - 1
    return [_month(index + i) for i in range(grain)]


@given(st.integers(0, 60), st.integers(0, 60))
def test_the_tiles_cover_each_month_once_with_aligned_rows(start: int, length: int) -> None:
    first, last = _month(start), _month(start + length)
    covered = [
        m for grain, firsts in tile(first, last).items() for f in firsts for m in _months(f, grain)
    ]
    assert sorted(covered) == [_month(i) for i in range(start, start + length + 1)]
    for grain, firsts in tile(first, last).items():
        assert all((f % 100 - 1) % grain == 0 for f in firsts)


def test_whole_periods_are_one_row_and_edges_are_months() -> None:
    assert tile(202601, 202612) == {12: [202601]}
    assert tile(202607, 202612) == {6: [202607]}
    assert tile(202604, 202606) == {3: [202604]}
    assert tile(202604, 202612) == {3: [202604], 6: [202607]}
    assert tile(202511, 202703) == {1: [202511, 202512], 12: [202601], 3: [202701]}
    assert tile(202602, 202602) == {1: [202602]}
