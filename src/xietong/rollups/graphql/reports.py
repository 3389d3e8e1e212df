"""GraphQL of periodic reports: the report, its consolidation and completeness; draft, submit,
return, accept, reopen."""

from __future__ import annotations

import base64
import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

import strawberry

from xietong.access.actions import Action, ObjectType
from xietong.access.errors import AccessDenied, Unauthenticated
from xietong.access.graphql.permissions import signed_in
from xietong.api.context import Info
from xietong.api.enums import graphql_enum
from xietong.api.errors import BadUserInput
from xietong.api.ids import expect_global_id, to_global_id
from xietong.api.mutations import Invalid, Problem, atomic
from xietong.api.scalars import JurisdictionCode, LongText
from xietong.jurisdictions.graphql.types import (
    JurisdictionType,
    jurisdiction_awaited,
    jurisdiction_of,
    known_code,
)
from xietong.rollups import report_export, reports
from xietong.rollups.enums import ReportErrorCode, ReportStatus
from xietong.rollups.files import require_report_read
from xietong.rollups.graphql.queries import ExportFormat, RollupExportType
from xietong.rollups.graphql.types import RollupPeriodType
from xietong.rollups.models import PeriodicReport, PeriodicReportEvent
from xietong.rollups.service import Period
from xietong.trading.money import format_yuan

ReportTemplate = StrEnum(  # type: ignore[misc]
    "ReportTemplate", {name.upper(): name for name in reports.TEMPLATES}
)
graphql_enum(
    ReportTemplate,
    description="A report template: its period, figures and narrative sections.",
    values={
        ReportTemplate(t.name): f"{t.zh} ({t.kind.value}; {t.basis})."
        for t in reports.TEMPLATES.values()
    },
)
graphql_enum(
    ReportStatus,
    name="ReportStatus",
    description="Where a report stands with the level above.",
    values={
        ReportStatus.DRAFT: "草稿: being written; its figures follow the records.",
        ReportStatus.SUBMITTED: "已报送: figures frozen, awaiting the level above.",
        ReportStatus.RETURNED: "已退回: sent back with a reason (or reopened); correct and "
        "submit again.",
        ReportStatus.ACCEPTED: "已审核通过: counted in the level above's consolidation.",
    },
)
graphql_enum(
    ReportErrorCode,
    description="Why a report mutation was refused.",
    values={
        ReportErrorCode.NOT_FOUND: "不存在: no such report in your scope.",
        ReportErrorCode.INVALID: "输入有误: a value to correct.",
        ReportErrorCode.WRONG_PERIOD: "期间与模板不符: the template's kind of period.",
        ReportErrorCode.UNKNOWN_SECTION: "模板没有该部分: see the template's sections.",
        ReportErrorCode.REPORT_LOCKED: "已报送的报告不能修改: it is locked until returned.",
        ReportErrorCode.REASON_REQUIRED: "须说明理由: a return or reopening needs a reason.",
        ReportErrorCode.NOT_SUBMITTED: "报告未报送或已审核: only a submitted report is "
        "returned or accepted.",
        ReportErrorCode.NOT_ACCEPTED: "报告未审核通过: only an accepted report is reopened.",
        ReportErrorCode.CHILDREN_NOT_ACCEPTED: "下级报告未全部审核通过: accept them first.",
        ReportErrorCode.PARENT_SUBMITTED: "上级报告已报送: an accepted report can no longer be "
        "reopened.",
    },
)


@strawberry.type(name="ReportError", description="A problem with the input of a report mutation.")
class ReportErrorType:
    field: str | None = strawberry.field(description="The input field at fault, or null.")
    message: str = strawberry.field(description="What is wrong, Chinese first.")
    code: ReportErrorCode = strawberry.field(description="Machine-readable reason.")


def _value(item: reports.Item, value: int) -> str:
    return format_yuan(value, grouping=False) if item.money else str(value)


@strawberry.type(name="ReportSource", description="One report a consolidated figure adds up.")
class ReportSourceType:
    source: strawberry.Private[reports.Source]
    item: strawberry.Private[reports.Item]

    @strawberry.field(description="The report's unit.")
    def jurisdiction(self, info: Info) -> JurisdictionType | None:
        return jurisdiction_of(info, self.source.code)

    @strawberry.field(description="The report's global id.")
    def report_id(self) -> strawberry.ID:
        return to_global_id("PeriodicReport", self.source.report_id)

    @strawberry.field(description="Its own figure (yuan for money, a count otherwise).")
    def value(self) -> str:
        return _value(self.item, self.source.value)

    @strawberry.field(description="True for the consolidating report's own figure.")
    def own(self) -> bool:
        return self.source.own


@strawberry.type(name="ReportLine", description="One figure of a report.")
class ReportLineType:
    item: strawberry.Private[reports.Item]
    amount: strawberry.Private[int]
    parts: strawberry.Private[list[reports.Source]]

    @strawberry.field(description="The item's key, e.g. projects_budget.")
    def key(self) -> str:
        return self.item.key

    @strawberry.field(description="Its Chinese name.")
    def title(self) -> str:
        return self.item.zh

    @strawberry.field(description="Yuan with two decimals for money, a count otherwise.")
    def value(self) -> str:
        return _value(self.item, self.amount)

    @strawberry.field(
        description="Consolidated lines: every report it adds up (the unit's own and its "
        "accepted units' below, at any depth); empty for own figures."
    )
    def sources(self) -> list[ReportSourceType]:
        return [ReportSourceType(source=s, item=self.item) for s in self.parts]


@strawberry.type(name="ReportSection", description="A narrative section.")
class ReportSectionType:
    key: str = strawberry.field(description="The section's key, e.g. summary.")
    title: str = strawberry.field(description="Its Chinese heading.")
    text: str = strawberry.field(description="What the unit wrote.")


@strawberry.type(name="ReportEvent", description="One step of a report.")
class ReportEventType:
    model: strawberry.Private[PeriodicReportEvent]

    @strawberry.field(
        description="due (the period opened for the unit), draft, correct, submit, return, "
        "accept or reopen."
    )
    def action(self) -> str:
        return self.model.action

    @strawberry.field(description="Why (returns and reopenings).")
    def reason(self) -> str | None:
        return self.model.reason

    @strawberry.field(description="The submission it followed (0 before the first).")
    def version(self) -> int:
        return self.model.version

    @strawberry.field(description="Who (a login or key:<prefix>).")
    def actor(self) -> str:
        return self.model.actor

    @strawberry.field(description="When.")
    def at(self) -> datetime:
        return self.model.at


@strawberry.type(name="ReportChild", description="A unit directly below and its report.")
class ReportChildType:
    state: strawberry.Private[reports.ChildState]

    @strawberry.field(description="The unit.")
    def jurisdiction(self, info: Info) -> JurisdictionType | None:
        return jurisdiction_of(info, self.state.code)

    @strawberry.field(
        description="Its report's status; null: neither due (period not opened) nor drafted."
    )
    def status(self) -> ReportStatus | None:
        return self.state.status

    @strawberry.field(description="When its report falls due (working-day calendar).")
    def due_on(self) -> date | None:
        return self.state.due_on

    @strawberry.field(description="When it was first submitted.")
    def submitted_on(self) -> date | None:
        return None if self.state.report is None else self.state.report.first_submitted_on

    @strawberry.field(description="Submitted by its due date.")
    def on_time(self) -> bool:
        return self.state.on_time

    @strawberry.field(description="Its report, if one exists.")
    def report(self) -> PeriodicReportType | None:
        return None if self.state.report is None else PeriodicReportType(model=self.state.report)


@strawberry.type(
    name="ReportCompleteness",
    description="How the units directly below a unit stand with their reports for a period.",
)
class ReportCompletenessType:
    result: strawberry.Private[reports.Completeness]

    @strawberry.field(description="Units expected to report (active units directly below).")
    def expected(self) -> int:
        return len(self.result.children)

    @strawberry.field(description="完整率: the share that has submitted (0–1).")
    def submitted_rate(self) -> float:
        return self.result.submitted_rate

    @strawberry.field(description="及时率: the share first submitted by the due date (0–1).")
    def timely_rate(self) -> float:
        return self.result.timely_rate

    @strawberry.field(description="The share accepted (0–1).")
    def accepted_rate(self) -> float:
        return self.result.accepted_rate

    @strawberry.field(description="Units that have not submitted: drill down with their code.")
    async def missing(self, info: Info) -> list[JurisdictionType]:
        found = [await jurisdiction_awaited(info, c) for c in self.result.missing]
        return [j for j in found if j is not None]

    @strawberry.field(description="Every unit below with its report.")
    def children(self) -> list[ReportChildType]:
        return [ReportChildType(state=s) for s in self.result.children]


@strawberry.type(name="PeriodicReport", description="A unit's report upward for a period.")
class PeriodicReportType:
    model: strawberry.Private[PeriodicReport]

    @strawberry.field(description="Global id.")
    def id(self) -> strawberry.ID:
        return to_global_id("PeriodicReport", self.model.id)

    @strawberry.field(description="The template.")
    def template(self) -> ReportTemplate:
        return ReportTemplate(self.model.template)

    @strawberry.field(description="The template's Chinese name.")
    def title(self) -> str:
        return reports.template(self.model.template).zh

    @strawberry.field(description="The reporting unit.")
    def jurisdiction(self, info: Info) -> JurisdictionType | None:
        return jurisdiction_of(info, self.model.jurisdiction_code)

    @strawberry.field(description="The months reported on.")
    def period(self) -> RollupPeriodType:
        return RollupPeriodType(period=Period(self.model.first_month, self.model.last_month))

    @strawberry.field(description="Where it stands.")
    def status(self) -> ReportStatus:
        return self.model.status

    @strawberry.field(description="Due date on the working-day calendar (rule R17.report_upward).")
    def due_on(self) -> date | None:
        return self.model.due_on

    @strawberry.field(description="How many times it has been submitted.")
    def version(self) -> int:
        return self.model.version

    @strawberry.field(description="Last submitted on (China date).")
    def submitted_on(self) -> date | None:
        return self.model.submitted_on

    @strawberry.field(description="Why it was returned or reopened, while it is.")
    def return_reason(self) -> str | None:
        return self.model.return_reason

    @strawberry.field(
        description="The unit's own figures (its own records, not its subtree's), from its "
        "rollup counters: live while a draft, frozen at submission."
    )
    def figures(self) -> list[ReportLineType]:
        tpl = reports.template(self.model.template)
        return [
            ReportLineType(item=i, amount=int(self.model.figures[i.key]["value"]), parts=[])
            for i in tpl.items
        ]

    @strawberry.field(
        description="Consolidated: its own figures plus its accepted units' below "
        "(recursively), each line traced to every report it adds up."
    )
    async def consolidated(self, info: Info) -> list[ReportLineType]:
        lines = await reports.consolidated(info.context.db, self.model)
        return [ReportLineType(item=x.item, amount=x.value, parts=x.sources) for x in lines]

    @strawberry.field(description="The narrative, section by section.")
    def narrative(self) -> list[ReportSectionType]:
        tpl = reports.template(self.model.template)
        return [
            ReportSectionType(key=k, title=t, text=v)
            for k, t, v in reports.narrative_of(self.model, tpl)
        ]

    @strawberry.field(description="Its steps, oldest first.")
    async def events(self, info: Info) -> list[ReportEventType]:
        from sqlalchemy import select

        rows = await info.context.db.scalars(
            select(PeriodicReportEvent)
            .where(PeriodicReportEvent.report_id == self.model.id)
            .order_by(PeriodicReportEvent.id)
        )
        return [ReportEventType(model=r) for r in rows]

    @strawberry.field(
        description="The report as a file (.xlsx in base64, or CSV), as `rollupExport` gives a "
        "rollup: Chinese headers; its own and consolidated figures (money in yuan as numbers), "
        "every report each consolidated line adds up, and the narrative."
    )
    async def export(
        self,
        info: Info,
        format: Annotated[
            ExportFormat, strawberry.argument(description="XLSX or CSV.")
        ] = ExportFormat.XLSX,
    ) -> RollupExportType:
        name, content_type, content = await report_export.export(
            info.context.db, self.model, xlsx=format is ExportFormat.XLSX
        )
        return RollupExportType(
            filename=name,
            content_type=content_type,
            content=base64.b64encode(content).decode()
            if format is ExportFormat.XLSX
            else content.decode("utf-8"),
        )

    @strawberry.field(description="Completeness of the units directly below, for this period.")
    async def completeness(self, info: Info) -> ReportCompletenessType:
        found = await reports.completeness(
            info.context.db,
            reports.template(self.model.template),
            self.model.jurisdiction_code,
            Period(self.model.first_month, self.model.last_month),
        )
        return ReportCompletenessType(result=found)


# Inputs and payloads ------------------------------------------------------------------------


@strawberry.input(description="A report's period: the template says month, half year or year.")
class ReportPeriodInput:
    year: int = strawberry.field(description="The year.")
    number: int = strawberry.field(
        default=1,
        description="The month (1–12) or half year (1–2) for monthly and half-year templates.",
    )


@strawberry.input(description="A narrative section's text.")
class ReportSectionInput:
    key: str = strawberry.field(description="The section's key (see the template).")
    text: LongText = strawberry.field(description="Its text.")


@strawberry.input(description="Write or correct your unit's report for a period.")
class ReportDraftInput:
    template: ReportTemplate = strawberry.field(description="Which report.")
    period: ReportPeriodInput = strawberry.field(description="Which period.")
    narrative: list[ReportSectionInput] = strawberry.field(
        default_factory=list, description="Sections to write (others are kept)."
    )


@strawberry.input(description="Which report.")
class ReportRefInput:
    id: strawberry.ID = strawberry.field(description="The report's global id.")


@strawberry.input(description="A report and why.")
class ReportReasonInput:
    id: strawberry.ID = strawberry.field(description="The report's global id.")
    reason: LongText = strawberry.field(description="The reason, recorded with the step.")


@strawberry.type(description="Result of a report mutation.")
class ReportPayload:
    report: PeriodicReportType | None = strawberry.field(description="The report as now.")
    errors: list[ReportErrorType] = strawberry.field(description="Empty on success.")


def _period(tpl: reports.Template, given: ReportPeriodInput, field: str) -> Period:
    try:
        kind = tpl.kind
        return Period.of(kind, given.year, given.number)
    except ValueError as exc:
        raise BadUserInput(f"期间无效（{exc}）", field=field) from None


def _errors(problems: list[Problem]) -> list[ReportErrorType]:
    return [
        ReportErrorType(field=p.field, message=p.message, code=ReportErrorCode(p.code))
        for p in problems
    ]


def _own_unit(info: Info) -> int:
    code = info.context.principal.jurisdiction_code
    if code is None:
        raise Unauthenticated
    return code


async def _readable(info: Info, code: int) -> None:
    """``report:read`` over the subtree, or one's own unit's with ``report:create``."""
    await require_report_read(info.context.guard, info.context.principal.jurisdiction_code, code)


@strawberry.type
class ReportQueries:
    @strawberry.field(
        description="A unit's report for a template and period, or null if none was drafted. "
        "Readable by the unit and over the subtree by offices, discipline inspection, audit "
        "and leadership."
    )
    async def periodic_report(
        self,
        info: Info,
        template: Annotated[ReportTemplate, strawberry.argument(description="Which report.")],
        period: Annotated[ReportPeriodInput, strawberry.argument(description="Which period.")],
        jurisdiction: Annotated[
            JurisdictionCode | None,
            strawberry.argument(description="The reporting unit (default: yours)."),
        ] = None,
    ) -> PeriodicReportType | None:
        code = known_code(info, jurisdiction, "jurisdiction") or _own_unit(info)
        await _readable(info, code)
        tpl = reports.template(ReportTemplate(template).value)
        found = await reports.find(info.context.db, tpl, code, _period(tpl, period, "period"))
        return None if found is None else PeriodicReportType(model=found)

    @strawberry.field(
        description="Completeness and timeliness of the reports of the units directly below a "
        "unit, with who is missing: drill down by asking again for a child."
    )
    async def report_completeness(
        self,
        info: Info,
        template: Annotated[ReportTemplate, strawberry.argument(description="Which report.")],
        period: Annotated[ReportPeriodInput, strawberry.argument(description="Which period.")],
        jurisdiction: Annotated[
            JurisdictionCode | None,
            strawberry.argument(description="The unit whose children to check (default: yours)."),
        ] = None,
        whole_subtree: Annotated[
            bool,
            strawberry.argument(
                description="Every unit below (cities and their counties), not only the units "
                "directly below: a province sees a missing county at once."
            ),
        ] = False,
    ) -> ReportCompletenessType:
        code = known_code(info, jurisdiction, "jurisdiction") or _own_unit(info)
        await _readable(info, code)
        tpl = reports.template(ReportTemplate(template).value)
        found = await reports.completeness(
            info.context.db, tpl, code, _period(tpl, period, "period"), whole=whole_subtree
        )
        return ReportCompletenessType(result=found)


async def _load(info: Info, ident: strawberry.ID) -> PeriodicReport:
    from sqlalchemy import select

    report_id: uuid.UUID = expect_global_id(ident, "PeriodicReport")
    found = await info.context.db.scalar(
        select(PeriodicReport)
        .where(info.context.scope.visible(PeriodicReport.jurisdiction_code))
        .where(PeriodicReport.id == report_id)
        .with_for_update()
    )
    if found is None:
        raise Invalid(ReportErrorCode.NOT_FOUND, "没有该报告（no such report）", "id")
    return found


async def _review(
    info: Info, ident: strawberry.ID, step: str, reason: str | None = None
) -> ReportPayload:
    ctx = info.context

    async def body() -> ReportPayload:
        report = await _load(info, ident)
        own = _own_unit(info)
        await ctx.guard.require(ObjectType.REPORT, Action.ACCEPT, report.jurisdiction_code)
        if report.parent_code != own:
            raise AccessDenied(
                "只有直接上级审核报告（only the level directly above reviews a report）"
            )
        try:
            if step == "accept":
                done = await reports.accept(
                    ctx.db, report, clock=ctx.clock, actor=ctx.principal.actor
                )
            elif step == "return":
                done = await reports.return_(
                    ctx.db, report, reason=reason or "", clock=ctx.clock, actor=ctx.principal.actor
                )
            else:
                done = await reports.reopen(
                    ctx.db, report, reason=reason or "", clock=ctx.clock, actor=ctx.principal.actor
                )
        except reports.ReportError as exc:
            raise Invalid(exc.code, exc.message, exc.field) from None
        await ctx.guard.audit(
            action=f"report.{step}",
            object_type=ObjectType.REPORT,
            object_id=done.id,
            jurisdiction_code=done.jurisdiction_code,
            details={"version": done.version, "reason": reason}
            if reason
            else {"version": done.version},
        )
        return ReportPayload(report=PeriodicReportType(model=done), errors=[])

    result, problems = await atomic(ctx.db, body)
    return result or ReportPayload(report=None, errors=_errors(problems))


@strawberry.type
class ReportMutations:
    @strawberry.mutation(
        description="Write your unit's report for a period, or correct it (a draft, or a report "
        "returned to you): the narrative sections given are replaced, the figures refreshed "
        "from your unit's own counters. The first draft opens the report's clock on the "
        "deadline engine (R17.report_upward).",
        extensions=[signed_in()],
    )
    async def report_draft(
        self,
        info: Info,
        input: Annotated[ReportDraftInput, strawberry.argument(description="What to write.")],
    ) -> ReportPayload:
        ctx = info.context
        code = _own_unit(info)
        await ctx.guard.require(ObjectType.REPORT, Action.CREATE, code)
        tpl = reports.template(ReportTemplate(input.template).value)
        period = _period(tpl, input.period, "input.period")

        async def body() -> ReportPayload:
            department = ctx.principal.department
            try:
                report = await reports.draft(
                    ctx.db,
                    tpl=tpl,
                    code=code,
                    period=period,
                    narrative={s.key: s.text for s in input.narrative},
                    department_id=department.id if department else None,
                    clock=ctx.clock,
                    actor=ctx.principal.actor,
                )
            except reports.ReportError as exc:
                raise Invalid(exc.code, exc.message, exc.field) from None
            await ctx.guard.audit(
                action="report.draft",
                object_type=ObjectType.REPORT,
                object_id=report.id,
                jurisdiction_code=code,
                details={"template": tpl.name, "period": period.label()},
            )
            return ReportPayload(report=PeriodicReportType(model=report), errors=[])

        result, problems = await atomic(ctx.db, body)
        return result or ReportPayload(report=None, errors=_errors(problems))

    @strawberry.mutation(
        description="Submit your unit's report to the level above: its figures are frozen and "
        "its clock met (the first time).",
        extensions=[signed_in()],
    )
    async def report_submit(
        self,
        info: Info,
        input: Annotated[ReportRefInput, strawberry.argument(description="Which report.")],
    ) -> ReportPayload:
        ctx = info.context

        async def body() -> ReportPayload:
            report = await _load(info, input.id)
            await ctx.guard.require(ObjectType.REPORT, Action.CREATE, report.jurisdiction_code)
            if report.jurisdiction_code != _own_unit(info):
                raise AccessDenied("只能报送本级报告（only your own unit's report）")
            try:
                done = await reports.submit(
                    ctx.db, report, clock=ctx.clock, actor=ctx.principal.actor
                )
            except reports.ReportError as exc:
                raise Invalid(exc.code, exc.message, exc.field) from None
            await ctx.guard.audit(
                action="report.submit",
                object_type=ObjectType.REPORT,
                object_id=done.id,
                jurisdiction_code=done.jurisdiction_code,
                details={"version": done.version},
            )
            return ReportPayload(report=PeriodicReportType(model=done), errors=[])

        result, problems = await atomic(ctx.db, body)
        return result or ReportPayload(report=None, errors=_errors(problems))

    @strawberry.mutation(
        description="Send a submitted report of a unit directly below back, with the reason "
        "(the office of the level above).",
        extensions=[signed_in()],
    )
    async def report_return(
        self,
        info: Info,
        input: Annotated[ReportReasonInput, strawberry.argument(description="Which and why.")],
    ) -> ReportPayload:
        return await _review(info, input.id, "return", input.reason)

    @strawberry.mutation(
        description="Accept a submitted report of a unit directly below: possible only once "
        "every report below that unit is accepted.",
        extensions=[signed_in()],
    )
    async def report_accept(
        self,
        info: Info,
        input: Annotated[ReportRefInput, strawberry.argument(description="Which report.")],
    ) -> ReportPayload:
        return await _review(info, input.id, "accept")

    @strawberry.mutation(
        description="Reopen an accepted report of a unit directly below (its data changed after "
        "acceptance): a recorded request, possible while your own report is not submitted.",
        extensions=[signed_in()],
    )
    async def report_reopen(
        self,
        info: Info,
        input: Annotated[ReportReasonInput, strawberry.argument(description="Which and why.")],
    ) -> ReportPayload:
        return await _review(info, input.id, "reopen", input.reason)


__all__ = ["ReportMutations", "ReportQueries"]
