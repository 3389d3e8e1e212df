from __future__ import annotations

import base64
from enum import Enum
from typing import Annotated

import strawberry

from xietong.access.actions import Action, ObjectType
from xietong.api.context import Info
from xietong.api.enums import graphql_enum
from xietong.api.errors import BadUserInput
from xietong.api.scalars import JurisdictionCode
from xietong.jurisdictions.graphql.types import known_code
from xietong.rollups import export, service
from xietong.rollups.enums import RollupGroupBy, RollupMetric
from xietong.rollups.graphql.types import RollupPeriodInput, RollupType
from xietong.rollups.metrics import BY_NAME

MetricArgument = Annotated[RollupMetric, strawberry.argument(description="What to count.")]
PeriodArgument = Annotated[RollupPeriodInput, strawberry.argument(description="Which months.")]
JurisdictionArgument = Annotated[
    JurisdictionCode | None,
    strawberry.argument(description="The unit whose subtree to sum (default: yours)."),
]
GroupByArgument = Annotated[
    RollupGroupBy | None,
    strawberry.argument(description="Break down by child unit or by a dimension."),
]


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


class ExportFormat(Enum):
    CSV = "csv"
    XLSX = "xlsx"


graphql_enum(
    ExportFormat,
    name="RollupExportFormat",
    description="File format of an exported rollup.",
    values={
        ExportFormat.CSV: "CSV: UTF-8 text, a title line, the headers, one line per group, the "
        "total last; money in yuan with two decimals, as the API writes it.",
        ExportFormat.XLSX: "Excel 工作簿 (.xlsx), base64 in the answer: Chinese headers, money "
        "in yuan as numbers with two decimals, the total last in bold.",
    },
)


@strawberry.type(name="RollupExport", description="A rollup as a file.")
class RollupExportType:
    filename: str = strawberry.field(description="A file name to save it under.")
    content_type: str = strawberry.field(description="Its media type.")
    content: str = strawberry.field(description="CSV text, or the .xlsx file in base64.")


async def _rollup(
    info: Info,
    metric: RollupMetric,
    period: RollupPeriodInput,
    jurisdiction: int | None,
    group_by: RollupGroupBy | None,
) -> service.Rollup:
    ctx = info.context
    declared = BY_NAME[RollupMetric(metric).value]
    dimensions = {d.name for d in declared.dimensions}
    if group_by is not None and group_by.value not in {service.JURISDICTION, *dimensions}:
        names = ", ".join(d.name.upper() for d in declared.dimensions) or "—"
        raise BadUserInput(
            f"该指标不能按此维度分组（{declared.name} breaks down by JURISDICTION or: {names}）",
            field="groupBy",
        )
    the_period = period_of(period)
    code = known_code(info, jurisdiction, "jurisdiction")
    span = await ctx.guard.span(ObjectType.ROLLUP, Action.ROLLUP, code)
    if ctx.scope.app_wall and ctx.scope.read is not None:
        # The application's wall: never wider than what the caller reads (RLS is the next).
        span = type(span)(max(span.lo, ctx.scope.read.lo), min(span.hi, ctx.scope.read.hi))
    return await service.rollup(
        ctx.db,
        metric=declared,
        span=span,
        jurisdiction_code=code if code is not None else span.lo,
        period=the_period,
        group_by=None if group_by is None else group_by.value,
    )


@strawberry.type
class RollupQueries:
    @strawberry.field(
        description="A metric over a unit and everything below it, for a period: the total and, "
        "with `groupBy`, its breakdown by the units directly below (drill-down) or by a "
        "dimension. Needs `rollup:rollup` on the unit (supervision offices, industry "
        "departments, discipline inspection, audit, leadership and integrators, over their own "
        "subtree): a county cannot roll up its sibling. Answers in constant time whatever the "
        "number of records."
    )
    async def rollup(
        self,
        info: Info,
        metric: MetricArgument,
        period: PeriodArgument,
        jurisdiction: JurisdictionArgument = None,
        group_by: GroupByArgument = None,
    ) -> RollupType:
        return RollupType(result=await _rollup(info, metric, period, jurisdiction, group_by))

    @strawberry.field(
        description="The same rollup as a file (CSV, or .xlsx in base64): the same lines and "
        "total as `rollup` answers, with Chinese headers."
    )
    async def rollup_export(
        self,
        info: Info,
        metric: MetricArgument,
        period: PeriodArgument,
        jurisdiction: JurisdictionArgument = None,
        group_by: GroupByArgument = None,
        format: Annotated[
            ExportFormat, strawberry.argument(description="CSV or XLSX.")
        ] = ExportFormat.CSV,
    ) -> RollupExportType:
        result = await _rollup(info, metric, period, jurisdiction, group_by)
        unit, rows = await export.labelled(info.context.db, result)
        if format is ExportFormat.XLSX:
            return RollupExportType(
                filename=export.filename(result, "xlsx"),
                content_type=export.XLSX_TYPE,
                content=base64.b64encode(export.to_xlsx(result, unit, rows)).decode(),
            )
        return RollupExportType(
            filename=export.filename(result, "csv"),
            content_type=export.CSV_TYPE,
            content=export.to_csv(result, unit, rows),
        )
