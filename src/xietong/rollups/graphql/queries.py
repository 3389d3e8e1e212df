from __future__ import annotations

from typing import Annotated

import strawberry

from xietong.access.actions import Action, ObjectType
from xietong.api.context import Info
from xietong.api.errors import BadUserInput
from xietong.api.scalars import JurisdictionCode
from xietong.jurisdictions.graphql.types import known_code
from xietong.rollups import service
from xietong.rollups.enums import RollupGroupBy, RollupMetric
from xietong.rollups.graphql.types import RollupPeriodInput, RollupType
from xietong.rollups.metrics import BY_NAME


def period_of(given: RollupPeriodInput) -> service.Period:
    until = None
    if given.kind is service.PeriodKind.MONTHS:
        if given.last_year is None or given.last_month is None:
            raise BadUserInput(
                "月份区间须给出截止年月（MONTHS needs lastYear and lastMonth）",
                field="period.lastMonth",
            )
        until = given.last_year * 100 + given.last_month
    if given.kind is service.PeriodKind.MONTH and not 1 <= given.number <= 12:
        raise BadUserInput("月份应为1–12（a month is 1–12）", field="period.number")
    try:
        return service.Period.of(given.kind, given.year, given.number, until)
    except ValueError as exc:
        raise BadUserInput(f"期间无效（{exc}）", field="period") from None


@strawberry.type
class RollupQueries:
    @strawberry.field(
        description="A metric over a unit and everything below it, for a period: the total and, "
        "with `groupBy`, its breakdown by the units directly below (drill-down) or by a "
        "dimension. Needs `rollup:rollup` on the unit (supervision offices and industry "
        "departments, over their own subtree): a county cannot roll up its sibling. Answers "
        "in constant time whatever the number of records."
    )
    async def rollup(
        self,
        info: Info,
        metric: Annotated[RollupMetric, strawberry.argument(description="What to count.")],
        period: Annotated[RollupPeriodInput, strawberry.argument(description="Which months.")],
        jurisdiction: Annotated[
            JurisdictionCode | None,
            strawberry.argument(description="The unit whose subtree to sum (default: yours)."),
        ] = None,
        group_by: Annotated[
            RollupGroupBy | None,
            strawberry.argument(description="Break down by child unit or by a dimension."),
        ] = None,
    ) -> RollupType:
        ctx = info.context
        declared = BY_NAME[RollupMetric(metric).value]
        dimensions = {d.name for d in declared.dimensions}
        if group_by is not None and group_by.value not in {service.JURISDICTION, *dimensions}:
            names = ", ".join(d.name.upper() for d in declared.dimensions) or "—"
            raise BadUserInput(
                f"该指标不能按此维度分组（{declared.name} breaks down by JURISDICTION or: "
                f"{names}）",
                field="groupBy",
            )
        the_period = period_of(period)
        code = known_code(info, jurisdiction, "jurisdiction")
        span = await ctx.guard.span(ObjectType.ROLLUP, Action.ROLLUP, code)
        if ctx.scope.app_wall and ctx.scope.read is not None:
            # The application's wall: never wider than what the caller reads (RLS is the next).
            span = type(span)(max(span.lo, ctx.scope.read.lo), min(span.hi, ctx.scope.read.hi))
        result = await service.rollup(
            ctx.db,
            metric=declared,
            span=span,
            jurisdiction_code=code if code is not None else span.lo,
            period=the_period,
            group_by=None if group_by is None else group_by.value,
        )
        return RollupType(result=result)
