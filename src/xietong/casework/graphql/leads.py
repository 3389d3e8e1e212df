from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Annotated

import strawberry

from xietong import inputs
from xietong.access.actions import Action, ObjectType
from xietong.access.graphql.permissions import signed_in
from xietong.api.context import Context, Info
from xietong.api.ids import expect_global_id
from xietong.api.mutations import Invalid, atomic
from xietong.api.pagination import Connection, connection, paginate
from xietong.api.scalars import JurisdictionCode, LongText, ShortText
from xietong.casework import leads
from xietong.casework.enums import LeadDisposition, LeadSource, LeadStatus
from xietong.casework.errors import CaseworkError
from xietong.casework.errors import CaseworkErrorCode as Code
from xietong.casework.graphql import common as g
from xietong.casework.graphql.transfers import After, First
from xietong.casework.graphql.types import CaseworkError as CaseworkErrorType
from xietong.casework.graphql.types import LeadType
from xietong.casework.models import Lead
from xietong.jurisdictions.graphql.types import known_code


@strawberry.input(description="Register a lead (问题线索) in your unit.")
class LeadRegisterInput:
    source: LeadSource = strawberry.field(description="Where it came from.")
    title: ShortText = strawberry.field(description="A short title.")
    facts: LongText = strawberry.field(description="What was found, and the evidence.")
    found_on: date = strawberry.field(description="The China day it was found.")
    serious: bool = strawberry.field(
        default=False, description="Serious or hard: to be verified jointly."
    )
    project_code: ShortText | None = strawberry.field(
        default=None, description="The project's code on the platform, if any."
    )
    entity_name: ShortText | None = strawberry.field(
        default=None, description="The market entity concerned, if any."
    )
    complaint_id: strawberry.ID | None = strawberry.field(
        default=None, description="The complaint of your unit it comes from, if any."
    )


@strawberry.input(description="Transfer a lead to the competent department (移交).")
class LeadTransferInput:
    id: strawberry.ID = strawberry.field(description="The lead's global id.")
    department_id: strawberry.ID = strawberry.field(
        description="The competent department of the lead's unit."
    )


@strawberry.input(description="Verify a lead jointly with named departments (联合核查).")
class LeadVerifyJointlyInput:
    id: strawberry.ID = strawberry.field(description="The lead's global id.")
    department_ids: list[strawberry.ID] = strawberry.field(
        description="The participating departments of the lead's unit (at least two)."
    )


@strawberry.input(description="Record your department's finding (核查意见).")
class LeadRecordFindingInput:
    id: strawberry.ID = strawberry.field(description="The lead's global id.")
    finding: LongText = strawberry.field(description="What your department found.")


@strawberry.input(description="Dispose of a lead, with its record (处置).")
class LeadDisposeInput:
    id: strawberry.ID = strawberry.field(description="The lead's global id.")
    disposition: LeadDisposition = strawberry.field(description="How it ends.")
    department_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="Who it goes to: the penalising department, discipline inspection or the "
        "police of the lead's unit; none for unfounded.",
    )
    note: LongText = strawberry.field(description="The record of the disposition.")


@strawberry.type(description="Result of a lead mutation.")
class LeadPayload:
    lead: LeadType | None = strawberry.field(description="The lead as now.")
    errors: list[CaseworkErrorType] = strawberry.field(description="Empty on success.")


Move = Callable[[Context, Lead], Awaitable[Lead]]


async def _move(info: Info, ident: strawberry.ID, move: Move) -> LeadPayload:
    ctx = info.context
    lead_id = expect_global_id(ident, "Lead")

    async def body() -> LeadPayload:
        lead = await leads.get(ctx.db, scope=ctx.scope, lead_id=lead_id, lock=True)
        if lead is None:
            raise Invalid(Code.NOT_FOUND, "没有该线索（no such lead）", "id")
        try:
            moved = await move(ctx, lead)
        except CaseworkError as exc:
            raise g.invalid(exc) from None
        return LeadPayload(lead=LeadType(model=moved), errors=[])

    result, problems = await atomic(ctx.db, body)
    return result or LeadPayload(lead=None, errors=g.errors(problems))


def _department(value: strawberry.ID, field: str) -> uuid.UUID:
    return expect_global_id(value, "Department", field=field)


@strawberry.type
class LeadMutations:
    @strawberry.mutation(
        description="Register a lead in your unit: the trading centre reports it, a department "
        "or the office registers it (R-8).",
        extensions=[signed_in()],
    )
    async def lead_register(
        self,
        info: Info,
        input: Annotated[LeadRegisterInput, strawberry.argument(description="The lead.")],
    ) -> LeadPayload:
        ctx = info.context

        async def body() -> LeadPayload:
            actor = g.actor(ctx)
            unit = actor.jurisdiction_code
            for action in (Action.REPORT, Action.HANDLE, Action.TRANSFER):
                if (await ctx.guard.decide(ObjectType.LEAD, action, unit)).allowed:
                    break
            else:
                await ctx.guard.require(ObjectType.LEAD, Action.REPORT, unit)
            try:
                if inputs.is_blank(input.title) or inputs.is_blank(input.facts):
                    raise CaseworkError(
                        Code.INVALID, "请填写标题和线索内容（title or facts empty）", field="facts"
                    )
                complaint = (
                    None
                    if input.complaint_id is None
                    else expect_global_id(input.complaint_id, "Complaint", field="complaintId")
                )
                lead = await leads.register(
                    ctx.db,
                    registration=leads.Registration(
                        source=input.source,
                        title=input.title.strip(),
                        facts=input.facts.strip(),
                        serious=input.serious,
                        found_on=input.found_on,
                        project_code=g.blank_to_none(input.project_code),
                        entity_name=g.blank_to_none(input.entity_name),
                        complaint_id=complaint,
                    ),
                    actor=actor,
                    clock=ctx.clock,
                )
            except CaseworkError as exc:
                raise g.invalid(exc) from None
            return LeadPayload(lead=LeadType(model=lead), errors=[])

        result, problems = await atomic(ctx.db, body)
        return result or LeadPayload(lead=None, errors=g.errors(problems))

    @strawberry.mutation(
        description="The office transfers a lead to the competent department (R-8).",
        extensions=[signed_in()],
    )
    async def lead_transfer(
        self,
        info: Info,
        input: Annotated[LeadTransferInput, strawberry.argument(description="To whom.")],
    ) -> LeadPayload:
        async def move(ctx: Context, lead: Lead) -> Lead:
            await ctx.guard.require(ObjectType.LEAD, Action.TRANSFER, lead.jurisdiction_code)
            return await leads.transfer(
                ctx.db,
                lead=lead,
                actor=g.actor(ctx),
                clock=ctx.clock,
                department_id=_department(input.department_id, "departmentId"),
            )

        return await _move(info, input.id, move)

    @strawberry.mutation(
        description="The office has a serious lead verified jointly by named departments.",
        extensions=[signed_in()],
    )
    async def lead_verify_jointly(
        self,
        info: Info,
        input: Annotated[LeadVerifyJointlyInput, strawberry.argument(description="Who.")],
    ) -> LeadPayload:
        async def move(ctx: Context, lead: Lead) -> Lead:
            await ctx.guard.require(ObjectType.LEAD, Action.VERIFY, lead.jurisdiction_code)
            return await leads.verify_jointly(
                ctx.db,
                lead=lead,
                actor=g.actor(ctx),
                clock=ctx.clock,
                department_ids=[
                    _department(d, f"departmentIds.{i}") for i, d in enumerate(input.department_ids)
                ],
            )

        return await _move(info, input.id, move)

    @strawberry.mutation(
        description="A participating department records its finding, once.",
        extensions=[signed_in()],
    )
    async def lead_record_finding(
        self,
        info: Info,
        input: Annotated[LeadRecordFindingInput, strawberry.argument(description="Finding.")],
    ) -> LeadPayload:
        async def move(ctx: Context, lead: Lead) -> Lead:
            await ctx.guard.require(ObjectType.LEAD, Action.READ, lead.jurisdiction_code)
            return await leads.record_finding(
                ctx.db, lead=lead, actor=g.actor(ctx), clock=ctx.clock, finding=input.finding
            )

        return await _move(info, input.id, move)

    @strawberry.mutation(
        description="Dispose of a lead: the office, or the competent department it was "
        "transferred to. A jointly verified lead needs every participant's finding first.",
        extensions=[signed_in()],
    )
    async def lead_dispose(
        self,
        info: Info,
        input: Annotated[LeadDisposeInput, strawberry.argument(description="How.")],
    ) -> LeadPayload:
        async def move(ctx: Context, lead: Lead) -> Lead:
            actor = g.actor(ctx)
            competent = (
                lead.competent_department_id is not None
                and actor.department_id == lead.competent_department_id
            )
            await ctx.guard.require(
                ObjectType.LEAD,
                Action.HANDLE if competent else Action.TRANSFER,
                lead.jurisdiction_code,
            )
            return await leads.dispose(
                ctx.db,
                lead=lead,
                actor=actor,
                clock=ctx.clock,
                disposition=input.disposition,
                department_id=None
                if input.department_id is None
                else _department(input.department_id, "departmentId"),
                note=input.note,
            )

        return await _move(info, input.id, move)


@strawberry.type
class LeadQueries:
    @strawberry.field(description="One lead by global id; null if outside your scope.")
    async def lead(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="Global id.")],
    ) -> LeadType | None:
        ctx = info.context
        row = await leads.get(ctx.db, scope=ctx.scope, lead_id=expect_global_id(id, "Lead"))
        if row is None:
            return None
        await ctx.guard.require(ObjectType.LEAD, Action.READ, row.jurisdiction_code)
        return LeadType(model=row)

    @strawberry.field(description="Leads of a subtree (default: your scope), oldest first.")
    async def leads(
        self,
        info: Info,
        under: Annotated[
            JurisdictionCode | None,
            strawberry.argument(description='Only this unit\'s subtree, e.g. "421303".'),
        ] = None,
        status: Annotated[
            list[LeadStatus] | None, strawberry.argument(description="Only these states.")
        ] = None,
        complaint_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="Only leads spawned by this complaint."),
        ] = None,
        first: First = None,
        after: After = None,
    ) -> Connection[LeadType]:
        ctx = info.context
        span = await ctx.guard.span(ObjectType.LEAD, Action.READ, known_code(info, under, "under"))
        complaint = (
            None
            if complaint_id is None
            else expect_global_id(complaint_id, "Complaint", field="complaintId")
        )
        page = await paginate(
            ctx.db,
            leads.leads_query(
                scope=ctx.scope, span=span, status=status or (), complaint_id=complaint
            ),
            keys=(Lead.created_at, Lead.id),
            first=first,
            after=after,
        )
        return connection(page, [LeadType(model=r) for r in page.rows])
