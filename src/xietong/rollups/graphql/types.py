"""GraphQL types of the rollups: a rollup, its lines and sums, and how a period is asked for."""

from __future__ import annotations

import uuid
from datetime import datetime

import strawberry

from xietong.api.context import Info
from xietong.api.enums import graphql_enum
from xietong.jurisdictions import codes
from xietong.jurisdictions.graphql.types import (
    DepartmentType,
    JurisdictionType,
    department_of,
    jurisdiction_awaited,
    jurisdiction_of,
    unit_of,
)
from xietong.rollups import service
from xietong.rollups.enums import DIMENSION_ZH, PeriodKind, RollupGroupBy, RollupMetric
from xietong.rollups.metrics import BY_NAME, Metric
from xietong.trading.money import format_yuan

graphql_enum(
    RollupMetric,
    description="A declared rollup metric (docs/rollups.md lists what each counts).",
    values={RollupMetric(m.name): f"{m.zh}: {m.description}" for m in BY_NAME.values()},
)
graphql_enum(
    RollupGroupBy,
    description="How a rollup breaks down. A dimension the metric does not have is refused.",
    values={
        g: (
            "下级行政区: the units directly below (drill-down: pass a line's code as "
            "`jurisdiction`); the unit's own records form a line of their own."
            if g.value == service.JURISDICTION
            else f"{DIMENSION_ZH[g.value]}: by this dimension of the metric."
        )
        for g in RollupGroupBy
    },
)
graphql_enum(
    PeriodKind,
    name="RollupPeriodKind",
    description="What kind of period a rollup covers; months are China months.",
    values={
        PeriodKind.MONTH: "月: one month (`number` 1–12).",
        PeriodKind.QUARTER: "季度: one quarter (`number` 1–4).",
        PeriodKind.HALF_YEAR: "半年: one half year (`number` 1–2).",
        PeriodKind.YEAR: "年: one calendar year (`number` is ignored).",
        PeriodKind.MONTHS: "月份区间: whole months from `year`-`number` to `lastYear`-"
        "`lastMonth`, at most 120.",
    },
)


@strawberry.input(description="The period of a rollup, in whole China months.")
class RollupPeriodInput:
    kind: PeriodKind = strawberry.field(description="Month, quarter, half year, year or a range.")
    year: int = strawberry.field(description="The year (of the first month), e.g. 2026.")
    number: int = strawberry.field(
        default=1,
        description="The month (1–12), quarter (1–4) or half year (1–2) of `year`; for MONTHS "
        "the first month.",
    )
    last_year: int | None = strawberry.field(
        default=None, description="MONTHS only: the year of the last month."
    )
    last_month: int | None = strawberry.field(
        default=None, description="MONTHS only: the last month (1–12), included."
    )


@strawberry.type(name="RollupPeriod", description="The months a rollup covers, both included.")
class RollupPeriodType:
    period: strawberry.Private[service.Period]

    @strawberry.field(description="The first month, YYYY-MM.")
    def first(self) -> str:
        return f"{self.period.first // 100}-{self.period.first % 100:02d}"

    @strawberry.field(description="The last month, YYYY-MM.")
    def last(self) -> str:
        return f"{self.period.last // 100}-{self.period.last % 100:02d}"

    @strawberry.field(description="How a clerk reads it: 2026-01～2026-06.")
    def label(self) -> str:
        return self.period.label()


@strawberry.type(name="RollupSum", description="A sum of money over the counted records.")
class RollupSumType:
    name: str = strawberry.field(description="The sum's name: budget, award_amount…")
    title: str = strawberry.field(description="Its Chinese heading, e.g. 预算金额（元）.")
    fen: strawberry.Private[int]

    @strawberry.field(description="The sum in yuan, exact (two decimals, no grouping).")
    def yuan(self) -> str:
        return format_yuan(self.fen, grouping=False)


def sums_of(metric: Metric, line: service.Line) -> list[RollupSumType]:
    found = []
    if metric.sum_a_name:
        found.append(
            RollupSumType(name=metric.sum_a_name, title=metric.sum_a_zh or "", fen=line.sum_a)
        )
    if metric.sum_b_name:
        found.append(
            RollupSumType(name=metric.sum_b_name, title=metric.sum_b_zh or "", fen=line.sum_b)
        )
    return found


def savings_rate(metric: Metric, line: service.Line) -> float | None:
    """节资率 of awards: (budget − award amount) / budget."""
    if metric.sum_b_name != "budget" or metric.sum_a_name != "award_amount" or line.sum_b <= 0:
        return None
    return round((line.sum_b - line.sum_a) / line.sum_b, 6)


@strawberry.type(name="RollupLine", description="One group of a rollup (or its total).")
class RollupLineType:
    metric: strawberry.Private[Metric]
    group_by: strawberry.Private[str | None]
    line: strawberry.Private[service.Line]

    @strawberry.field(
        description="The group: a dimension's value (empty when unset), a unit's code for "
        "JURISDICTION, empty for the total."
    )
    def key(self) -> str:
        return self.line.key

    @strawberry.field(description="The group's Chinese name (a unit's or department's name).")
    async def label(self, info: Info) -> str:
        if self.group_by is None:
            return "合计"
        if self.group_by == service.JURISDICTION:
            unit = await jurisdiction_awaited(info, int(self.line.key))
            return unit.model.name if unit is not None else self.line.key
        if self.group_by == "department" and self.line.key:
            department = await department_of(info, _uuid(self.line.key))
            return department.model.name if department is not None else self.line.key
        return self.metric.dimension(self.group_by).label(self.line.key)

    @strawberry.field(description="JURISDICTION lines: the unit (drill down with its code).")
    def jurisdiction(self, info: Info) -> JurisdictionType | None:
        if self.group_by != service.JURISDICTION:
            return None
        return jurisdiction_of(info, int(self.line.key))

    @strawberry.field(description="DEPARTMENT lines: the department.")
    async def department(self, info: Info) -> DepartmentType | None:
        if self.group_by != "department" or not self.line.key:
            return None
        return await department_of(info, _uuid(self.line.key))

    @strawberry.field(description="How many records.")
    def count(self) -> int:
        return self.line.n

    @strawberry.field(description="The metric's sums over those records (none for some).")
    def sums(self) -> list[RollupSumType]:
        return sums_of(self.metric, self.line)

    @strawberry.field(
        description="AWARDS only: 节资率, (budget − award amount) / budget, 0–1 (null "
        "otherwise or without budget)."
    )
    def savings_rate(self) -> float | None:
        return savings_rate(self.metric, self.line)


def _uuid(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


@strawberry.type(
    name="Rollup",
    description="A metric over a unit's subtree and a period, exact for every write committed "
    "before `asOf` (counters kept in the writing transaction).",
)
class RollupType:
    result: strawberry.Private[service.Rollup]

    @strawberry.field(description="The metric.")
    def metric(self) -> RollupMetric:
        return RollupMetric(self.result.metric.name)

    @strawberry.field(description="The metric's Chinese name.")
    def title(self) -> str:
        return self.result.metric.zh

    @strawberry.field(description="The unit whose subtree is summed.")
    def jurisdiction(self, info: Info) -> JurisdictionType:
        return unit_of(info, self.result.jurisdiction_code)

    @strawberry.field(description="The unit's code, six digits.")
    def jurisdiction_code(self) -> str:
        return codes.format_code(self.result.jurisdiction_code)

    @strawberry.field(description="The months covered.")
    def period(self) -> RollupPeriodType:
        return RollupPeriodType(period=self.result.period)

    @strawberry.field(description="The breakdown asked for, if any.")
    def group_by(self) -> RollupGroupBy | None:
        return None if self.result.group_by is None else RollupGroupBy(self.result.group_by)

    @strawberry.field(description="The total over every line.")
    def total(self) -> RollupLineType:
        return RollupLineType(metric=self.result.metric, group_by=None, line=self.result.total)

    @strawberry.field(
        description="The groups, by key; empty without `groupBy`. Groups with "
        "nothing counted are left out."
    )
    def lines(self) -> list[RollupLineType]:
        return [
            RollupLineType(metric=self.result.metric, group_by=self.result.group_by, line=line)
            for line in self.result.lines
        ]

    @strawberry.field(
        description="How fresh: the database time of the answer. Every write committed before "
        "it is counted (the counters move in the writing transaction), none after."
    )
    def as_of(self) -> datetime:
        return self.result.as_of
