"""Counter grains: a counter row covers a month, a quarter, a half year or a year.

Every delta is written at each grain (``month`` holds the first month of the row's period), so a
province's year is read from one row per unit and dimension value (~129 for a total over 129
counties) instead of twelve. A period is answered from the coarsest rows that tile it: whole
years, then halves, quarters, and months at the edges of a range (``tile``).
"""

from __future__ import annotations

GRAINS = (12, 6, 3, 1)
"""Months per counter row, coarsest first."""


def start_sql(month: str, grain: int) -> str:
    """SQL: the first month (``yyyymm``) of the ``grain``-month period ``month`` falls in."""
    if grain == 1:
        return month
    return f"({month} - ({month} % 100 - 1) % {grain})"


def expand_sql(deltas: str) -> str:
    """Month deltas (``metric, jurisdiction_code, province_code, month, dimension, value, n,
    sum_a, sum_b``) as deltas at every grain, summed per counter key (a statement may touch
    several months of one quarter)."""
    rows = ", ".join(f"({g}, {start_sql('f.month', g)})" for g in reversed(GRAINS))
    return (
        "SELECT g.grain, f.metric, f.jurisdiction_code, f.province_code, g.month, f.dimension, "
        "f.value, sum(f.n)::bigint AS n, sum(f.sum_a)::bigint AS sum_a, "
        "sum(f.sum_b)::bigint AS sum_b "
        f"FROM ({deltas}) f CROSS JOIN LATERAL (VALUES {rows}) AS g(grain, month) "
        "GROUP BY 1, 2, 3, 4, 5, 6, 7"
    )


def _next(month: int, months: int) -> int:
    index = (month // 100) * 12 + month % 100 - 1 + months
    return (index // 12) * 100 + index % 12 + 1


def tile(first: int, last: int) -> dict[int, list[int]]:
    """The coarsest counter rows covering the months ``first``..``last`` (``yyyymm``, both
    included) exactly once: grain → the first months of its rows. Greedy from the left is
    optimal because the grains nest and are aligned to the year."""
    found: dict[int, list[int]] = {}
    month = first
    while month <= last:
        for grain in GRAINS:
            end = _next(month, grain - 1)
            if (month % 100 - 1) % grain == 0 and end <= last:
                found.setdefault(grain, []).append(month)
                month = _next(month, grain)
                break
    return found
