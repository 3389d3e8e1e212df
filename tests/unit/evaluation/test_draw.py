"""The host draw is reproducible: a pure function of the recorded seed and candidates."""

from __future__ import annotations

import hashlib

from hypothesis import given
from hypothesis import strategies as st

from xietong.evaluation.draw import choose, rank

CANDIDATES = [421300, 422800, 420000, 410500, 410700, 530000]


def test_the_same_seed_and_candidates_give_the_same_hosts() -> None:
    first = choose("主场-2026-0001", CANDIDATES, 2)
    again = choose("主场-2026-0001", list(reversed(CANDIDATES)), 2)  # order does not matter
    assert first == again
    assert first.chosen == first.ranking[:2]
    assert sorted(first.ranking) == sorted(CANDIDATES)
    assert first.candidates == sorted(CANDIDATES)


def test_the_ranking_is_sha256_of_seed_and_code() -> None:
    seed = "0123456789abcdef"
    expected = sorted(CANDIDATES, key=lambda c: hashlib.sha256(f"{seed}:{c}".encode()).hexdigest())
    assert rank(seed, CANDIDATES) == expected
    # A known answer, so that a change of the recipe cannot pass unnoticed (a recorded draw
    # must stay reproducible for as long as it is kept).
    assert expected == [420000, 410500, 530000, 410700, 422800, 421300]


def test_another_seed_draws_differently_somewhere() -> None:
    draws = {tuple(choose(f"seed-{n}", CANDIDATES, 1).chosen) for n in range(50)}
    assert len(draws) > 1  # not always the same centre


@given(
    seed=st.text(min_size=1, max_size=40),
    pool=st.sets(st.integers(min_value=110000, max_value=659999), min_size=1, max_size=30),
    count=st.integers(min_value=1, max_value=9),
)
def test_drawing_is_deterministic_and_picks_distinct_candidates(
    seed: str, pool: set[int], count: int
) -> None:
    drawn = choose(seed, pool, count)
    assert drawn == choose(seed, sorted(pool, reverse=True), count)
    assert len(drawn.chosen) == min(count, len(pool))
    assert len(set(drawn.chosen)) == len(drawn.chosen)
    assert set(drawn.chosen) <= pool
