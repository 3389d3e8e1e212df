"""Answering rollups: a SUM over the counters of a subtree's code range and a period, read from
the coarsest counter rows that tile it (``grains``), and the journal's deltas not yet folded.

Plain functions over a session (no GraphQL): the caller has already checked ``rollup:rollup`` on
the jurisdiction (``ctx.guard.span``); the scope's filter and row-level security bound the rows a
second and third time, so a county asking for its sibling's code sums nothing it may not read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from xietong.jurisdictions import codes
from xietong.jurisdictions.enums import JurisdictionLevel
from xietong.rollups import grains
from xietong.rollups.metrics import Metric


class PeriodKind(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    HALF_YEAR = "half_year"
    YEAR = "year"
    MONTHS = "months"


@dataclass(frozen=True, slots=True)
class Period:
    """Whole months, first to last (``yyyymm``), both included."""

    first: int
    last: int

    def __post_init__(self) -> None:
        for m in (self.first, self.last):
            if not (1900 <= m // 100 <= 2999 and 1 <= m % 100 <= 12):
                raise ValueError(f"not a month: {m}")
        if self.first > self.last:
            raise ValueError("the period ends before it starts")
        if self.months() > 120:
            raise ValueError("a period is at most ten years")

    @classmethod
    def of(cls, kind: PeriodKind, year: int, number: int = 1, until: int | None = None) -> Period:
        """A month (number 1–12), quarter (1–4), half year (1–2), year, or the months from
        ``year``-``number`` to ``until`` (``yyyymm``)."""
        if kind is PeriodKind.MONTH:
            return cls(year * 100 + number, year * 100 + number)
        if kind is PeriodKind.QUARTER:
            if not 1 <= number <= 4:
                raise ValueError("a quarter is 1–4")
            return cls(year * 100 + 3 * number - 2, year * 100 + 3 * number)
        if kind is PeriodKind.HALF_YEAR:
            if not 1 <= number <= 2:
                raise ValueError("a half year is 1 or 2")
            return cls(year * 100 + 6 * number - 5, year * 100 + 6 * number)
        if kind is PeriodKind.YEAR:
            return cls(year * 100 + 1, year * 100 + 12)
        if until is None:
            raise ValueError("a range of months needs its last month")
        return cls(year * 100 + number, until)

    def months(self) -> int:
        return (self.last // 100 - self.first // 100) * 12 + self.last % 100 - self.first % 100 + 1

    def label(self) -> str:
        if self.first == self.last:
            return f"{self.first // 100}-{self.first % 100:02d}"
        return (
            f"{self.first // 100}-{self.first % 100:02d}～{self.last // 100}-{self.last % 100:02d}"
        )


JURISDICTION = "jurisdiction"
"""``group_by`` value: the units directly below (drill-down)."""


@dataclass(frozen=True, slots=True)
class Line:
    key: str
    """The group: a dimension's value (``''`` unset), or a child unit's code as six digits."""
    n: int
    sum_a: int
    sum_b: int


@dataclass(frozen=True, slots=True)
class Rollup:
    metric: Metric
    jurisdiction_code: int
    period: Period
    group_by: str | None
    total: Line
    lines: tuple[Line, ...]
    as_of: datetime
    """The transaction's time: the counters are exact for every write committed before it."""


def child_expression(code: int) -> str:
    """SQL mapping a counter's code to the unit directly below ``code`` it falls in (or ``code``
    itself for the unit's own records)."""
    level = codes.level_of(code)
    if level is JurisdictionLevel.PROVINCE:
        # A county directly under the province (YY = 90) is its own child; others roll into
        # their city (XXYY00); the province's own records stay at XX0000.
        return (
            f"CASE WHEN jurisdiction_code / 100 % 100 = {codes.DIRECTLY_ADMINISTERED} "
            "THEN jurisdiction_code ELSE jurisdiction_code - jurisdiction_code % 100 END"
        )
    return "jurisdiction_code"


def counter_rows_sql(period: Period, where: str) -> tuple[str, dict[str, Any]]:
    """SQL for the counter rows (``jurisdiction_code, metric, dimension, value, n, sum_a,
    sum_b``) that cover ``period`` exactly once — the coarsest grain first (``grains.tile``),
    plus the journal's month deltas not yet folded into them — among those matching ``where``;
    and its parameters. One statement, so one snapshot: a delta is either still in the journal
    or already in the counters, never both, never neither (exact at commit)."""
    columns = "jurisdiction_code, metric, dimension, value, n, sum_a, sum_b"
    parts: list[str] = []
    params: dict[str, Any] = {"first_month": period.first, "last_month": period.last}
    for grain, months in grains.tile(period.first, period.last).items():
        parts.append(
            f"SELECT {columns} FROM rollup_counter WHERE {where} AND grain = {grain} "
            f"AND month = ANY(:months_{grain})"
        )
        params[f"months_{grain}"] = months
    parts.append(
        f"SELECT {columns} FROM rollup_journal WHERE {where} "
        "AND month BETWEEN :first_month AND :last_month"
    )
    return " UNION ALL ".join(parts), params


ROLLUP_SQL = """
SELECT {key} AS key, sum(n)::bigint AS n, sum(sum_a)::bigint AS sum_a,
       sum(sum_b)::bigint AS sum_b, now() AS as_of
FROM ({rows}) c
GROUP BY 1 ORDER BY 1
"""
ROLLUP_WHERE = (
    "metric = :metric AND dimension = :dimension AND jurisdiction_code BETWEEN :lo AND :hi"
)


async def rollup(
    session: AsyncSession,
    *,
    metric: Metric,
    span: codes.CodeRange,
    jurisdiction_code: int,
    period: Period,
    group_by: str | None = None,
) -> Rollup:
    """The metric over ``span`` (the subtree the guard allowed) and ``period``, broken down by
    a dimension of the metric, by child unit (``JURISDICTION``), or not at all."""
    if group_by is None:
        key, dimension = "''", ""
    elif group_by == JURISDICTION:
        key, dimension = f"lpad(({child_expression(jurisdiction_code)})::text, 6, '0')", ""
    else:
        metric.dimension(group_by)  # KeyError: not a dimension of this metric
        key, dimension = "value", group_by
    counted, months = counter_rows_sql(period, ROLLUP_WHERE)
    params = {
        "metric": metric.name,
        "dimension": dimension,
        "lo": span.lo,
        "hi": span.hi,
        **months,
    }
    sql = ROLLUP_SQL.format(key=key, rows=counted)
    rows = (await session.execute(text(sql), params)).all()
    lines = tuple(
        Line(key=row.key, n=row.n, sum_a=row.sum_a, sum_b=row.sum_b)
        for row in rows
        if row.n or row.sum_a or row.sum_b
    )
    total = Line(
        key="",
        n=sum(line.n for line in lines),
        sum_a=sum(line.sum_a for line in lines),
        sum_b=sum(line.sum_b for line in lines),
    )
    # The transaction's time, read with the sums (one round trip) unless nothing was counted.
    as_of: datetime = (
        rows[0].as_of if rows else (await session.execute(text("SELECT now()"))).scalar_one()
    )
    return Rollup(
        metric=metric,
        jurisdiction_code=jurisdiction_code,
        period=period,
        group_by=group_by,
        total=total,
        lines=lines if group_by is not None else (),
        as_of=as_of,
    )
