from __future__ import annotations

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
from xietong.casework import transfers
from xietong.casework.enums import TransferGround, TransferStatus
from xietong.casework.errors import CaseworkError
from xietong.casework.errors import CaseworkErrorCode as Code
from xietong.casework.graphql import common as g
from xietong.casework.graphql.types import CaseTransferType
from xietong.casework.graphql.types import CaseworkError as CaseworkErrorType
from xietong.casework.models import CaseTransfer
from xietong.casework.transitions import Side
from xietong.jurisdictions.graphql.types import known_code

First = Annotated[int | None, strawberry.argument(description="Page size, 1–100 (default 20).")]
After = Annotated[
    str | None, strawberry.argument(description="`pageInfo.endCursor` of the previous page.")
]


@strawberry.input(description="Send a case to another unit's competent department (移送).")
class CaseTransferSendInput:
    receiver_jurisdiction: JurisdictionCode = strawberry.field(
        description='The receiving unit, e.g. "530102" (五华区); any province.'
    )
    receiver_department_id: strawberry.ID = strawberry.field(
        description="The receiving department (of that unit)."
    )
    ground: TransferGround = strawberry.field(description="Why it is transferred (ZENGDU 12).")
    title: ShortText = strawberry.field(description="A short title of the case.")
    facts: LongText = strawberry.field(description="The facts, the evidence, what is asked.")
    discovered_on: date = strawberry.field(
        description="The China day you received the matter or discovered the violation: the 5 "
        "working days to complete the transfer run from it (ZENGDU 13)."
    )
    complaint_id: strawberry.ID | None = strawberry.field(
        default=None, description="The complaint it comes from, if any."
    )
    lead_id: strawberry.ID | None = strawberry.field(
        default=None, description="The lead it comes from, if any."
    )
    materials: list[g.CaseMaterialInput] = strawberry.field(
        default_factory=list, description="The materials handed over (listed in the receipt)."
    )


@strawberry.input(description="Which transfer.")
class CaseTransferRefInput:
    id: strawberry.ID = strawberry.field(description="The transfer's global id.")


@strawberry.input(description="Sign the receipt (签收, 回执) for the materials received.")
class CaseTransferReceiveInput:
    id: strawberry.ID = strawberry.field(description="The transfer's global id.")
    material_hashes: list[ShortText] | None = strawberry.field(
        default=None,
        description="The SHA-256 of each material received, in order: the receipt is refused "
        "if they differ from what was sent.",
    )


@strawberry.input(description="Accept the case and report it to the sender (受理, 回告).")
class CaseTransferAcceptInput:
    id: strawberry.ID = strawberry.field(description="The transfer's global id.")
    decided_on: date | None = strawberry.field(
        default=None, description="The China day acceptance was decided (default today)."
    )


@strawberry.input(description="Return a case outside your duties, with written reasons (退回).")
class CaseTransferReturnInput:
    id: strawberry.ID = strawberry.field(description="The transfer's global id.")
    reason: LongText | None = strawberry.field(
        default=None, description="The written reasons (required: no return without them)."
    )


@strawberry.input(description="Forward the case to the competent level, telling the sender.")
class CaseTransferForwardInput:
    id: strawberry.ID = strawberry.field(description="The transfer's global id.")
    to_jurisdiction: JurisdictionCode = strawberry.field(
        description="The competent unit, e.g. the city or the province."
    )
    to_department_id: strawberry.ID = strawberry.field(description="Its competent department.")
    reason: LongText = strawberry.field(description="Why it is competent (the sender reads it).")


@strawberry.input(description="Report the result to the sender (回告办理结果).")
class CaseTransferReportInput:
    id: strawberry.ID = strawberry.field(description="The transfer's global id.")
    concluded_on: date = strawberry.field(
        description="The China day handling finished: the 10 working days run from it."
    )
    result: LongText = strawberry.field(description="The result (decision, penalty…).")


@strawberry.type(description="Result of a transfer mutation.")
class CaseTransferPayload:
    transfer: CaseTransferType | None = strawberry.field(description="The transfer as now.")
    onward: CaseTransferType | None = strawberry.field(
        description="For a forwarding: the new transfer to the competent level."
    )
    errors: list[CaseworkErrorType] = strawberry.field(description="Empty on success.")


def _authorizer(ctx: Context, transfer: CaseTransfer) -> Callable[[Side], Awaitable[object]]:
    async def authorize(side: Side) -> object:
        if side is Side.SENDER:
            return await ctx.guard.require(
                ObjectType.CASE, Action.TRANSFER, transfer.jurisdiction_code
            )
        return await ctx.guard.require(
            ObjectType.CASE, Action.ACCEPT, transfer.jurisdiction_code, object_id=transfer.id
        )

    return authorize


Move = Callable[[Context, CaseTransfer], Awaitable[tuple[CaseTransfer, CaseTransfer | None]]]


async def _move(info: Info, ident: strawberry.ID, move: Move) -> CaseTransferPayload:
    ctx = info.context
    transfer_id = expect_global_id(ident, "CaseTransfer")

    async def body() -> CaseTransferPayload:
        transfer = await transfers.get(ctx.db, scope=ctx.scope, transfer_id=transfer_id, lock=True)
        if transfer is None:
            raise Invalid(Code.NOT_FOUND, "没有该移送案件（no such transfer）", "id")
        try:
            moved, onward = await move(ctx, transfer)
        except CaseworkError as exc:
            raise g.invalid(exc) from None
        return CaseTransferPayload(
            transfer=CaseTransferType(model=moved),
            onward=None if onward is None else CaseTransferType(model=onward),
            errors=[],
        )

    result, problems = await atomic(ctx.db, body)
    return result or CaseTransferPayload(transfer=None, onward=None, errors=g.errors(problems))


def _optional_id(value: strawberry.ID | None, type_name: str, field: str) -> object:
    return None if value is None else expect_global_id(value, type_name, field=field)


@strawberry.type
class TransferMutations:
    @strawberry.mutation(
        description="Send a case with its materials to another unit's competent department "
        "(R-9): the receiving department alone gets a grant on exactly this case; the 5 working "
        "days to complete the transfer (ZENGDU 13) end when it signs the receipt.",
        extensions=[signed_in()],
    )
    async def case_transfer_send(
        self,
        info: Info,
        input: Annotated[CaseTransferSendInput, strawberry.argument(description="The case.")],
    ) -> CaseTransferPayload:
        ctx = info.context

        async def body() -> CaseTransferPayload:
            actor = g.actor(ctx)
            await ctx.guard.require(ObjectType.CASE, Action.TRANSFER, actor.jurisdiction_code)
            try:
                if inputs.is_blank(input.title):
                    raise CaseworkError(Code.INVALID, "请填写标题（title is empty）", field="title")
                if inputs.is_blank(input.facts):
                    raise CaseworkError(
                        Code.INVALID, "请填写案情（facts are empty）", field="facts"
                    )
                sending = transfers.Sending(
                    receiver_jurisdiction_code=input.receiver_jurisdiction,
                    receiver_department_id=expect_global_id(
                        input.receiver_department_id, "Department", field="receiverDepartmentId"
                    ),
                    ground=input.ground,
                    title=input.title.strip(),
                    facts=input.facts.strip(),
                    discovered_on=input.discovered_on,
                    complaint_id=_optional_id(input.complaint_id, "Complaint", "complaintId"),  # type: ignore[arg-type]
                    lead_id=_optional_id(input.lead_id, "Lead", "leadId"),  # type: ignore[arg-type]
                    files=g.materials(input.materials),
                )
                transfer = await transfers.send(
                    ctx.db, sending=sending, actor=actor, clock=ctx.clock
                )
            except CaseworkError as exc:
                raise g.invalid(exc) from None
            return CaseTransferPayload(
                transfer=CaseTransferType(model=transfer), onward=None, errors=[]
            )

        result, problems = await atomic(ctx.db, body)
        return result or CaseTransferPayload(transfer=None, onward=None, errors=g.errors(problems))

    @strawberry.mutation(
        description="The receiving department signs the receipt (回执) for the materials: the "
        "transfer is complete and its 5 working days to return an out-of-scope case begin.",
        extensions=[signed_in()],
    )
    async def case_transfer_receive(
        self,
        info: Info,
        input: Annotated[CaseTransferReceiveInput, strawberry.argument(description="Receipt.")],
    ) -> CaseTransferPayload:
        async def move(ctx: Context, t: CaseTransfer) -> tuple[CaseTransfer, None]:
            return await transfers.receive(
                ctx.db,
                transfer=t,
                actor=g.actor(ctx),
                clock=ctx.clock,
                switch=g.switch(ctx),
                authorize=_authorizer(ctx, t),
                material_hashes=input.material_hashes,
            ), None

        return await _move(info, input.id, move)

    @strawberry.mutation(
        description="The receiving department accepts the case and reports it to the sender "
        "(5 working days from the decision, ZENGDU 15).",
        extensions=[signed_in()],
    )
    async def case_transfer_accept(
        self,
        info: Info,
        input: Annotated[CaseTransferAcceptInput, strawberry.argument(description="Which.")],
    ) -> CaseTransferPayload:
        async def move(ctx: Context, t: CaseTransfer) -> tuple[CaseTransfer, None]:
            return await transfers.accept(
                ctx.db,
                transfer=t,
                actor=g.actor(ctx),
                clock=ctx.clock,
                authorize=_authorizer(ctx, t),
                decided_on=input.decided_on,
            ), None

        return await _move(info, input.id, move)

    @strawberry.mutation(
        description="The receiving department returns a case outside its duties with written "
        "reasons (5 working days from receipt, ZENGDU 14). No reasons, no return.",
        extensions=[signed_in()],
    )
    async def case_transfer_return(
        self,
        info: Info,
        input: Annotated[CaseTransferReturnInput, strawberry.argument(description="Which, why.")],
    ) -> CaseTransferPayload:
        async def move(ctx: Context, t: CaseTransfer) -> tuple[CaseTransfer, None]:
            return await transfers.return_(
                ctx.db,
                transfer=t,
                actor=g.actor(ctx),
                clock=ctx.clock,
                authorize=_authorizer(ctx, t),
                reason=input.reason,
            ), None

        return await _move(info, input.id, move)

    @strawberry.mutation(
        description="The receiving department forwards the case to the competent level and the "
        "sender is told where and why (ZENGDU 14); a new transfer, with its own receipt.",
        extensions=[signed_in()],
    )
    async def case_transfer_forward(
        self,
        info: Info,
        input: Annotated[CaseTransferForwardInput, strawberry.argument(description="Where.")],
    ) -> CaseTransferPayload:
        async def move(ctx: Context, t: CaseTransfer) -> tuple[CaseTransfer, CaseTransfer]:
            return await transfers.forward(
                ctx.db,
                transfer=t,
                actor=g.actor(ctx),
                clock=ctx.clock,
                authorize=_authorizer(ctx, t),
                to_jurisdiction_code=input.to_jurisdiction,
                to_department_id=expect_global_id(
                    input.to_department_id, "Department", field="toDepartmentId"
                ),
                reason=input.reason,
            )

        return await _move(info, input.id, move)

    @strawberry.mutation(
        description="The receiving department reports the result to the sender (10 working "
        "days from finishing, ZENGDU 15).",
        extensions=[signed_in()],
    )
    async def case_transfer_report(
        self,
        info: Info,
        input: Annotated[CaseTransferReportInput, strawberry.argument(description="Result.")],
    ) -> CaseTransferPayload:
        async def move(ctx: Context, t: CaseTransfer) -> tuple[CaseTransfer, None]:
            return await transfers.report(
                ctx.db,
                transfer=t,
                actor=g.actor(ctx),
                clock=ctx.clock,
                authorize=_authorizer(ctx, t),
                concluded_on=input.concluded_on,
                result=input.result,
            ), None

        return await _move(info, input.id, move)

    @strawberry.mutation(
        description="The sending department closes the transfer (after a return, a forwarding "
        "or the result): the receiver's grant ends, it no longer sees the case.",
        extensions=[signed_in()],
    )
    async def case_transfer_close(
        self,
        info: Info,
        input: Annotated[CaseTransferRefInput, strawberry.argument(description="Which.")],
    ) -> CaseTransferPayload:
        async def move(ctx: Context, t: CaseTransfer) -> tuple[CaseTransfer, None]:
            return await transfers.close(
                ctx.db,
                transfer=t,
                actor=g.actor(ctx),
                clock=ctx.clock,
                authorize=_authorizer(ctx, t),
            ), None

        return await _move(info, input.id, move)


@strawberry.type
class TransferQueries:
    @strawberry.field(
        description="One case transfer by global id: the sender's unit and its superiors, or "
        "the receiving department while its grant lasts; null otherwise."
    )
    async def case_transfer(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="Global id.")],
    ) -> CaseTransferType | None:
        ctx = info.context
        row = await transfers.get(
            ctx.db, scope=ctx.scope, transfer_id=expect_global_id(id, "CaseTransfer")
        )
        if row is None:
            return None
        await ctx.guard.require(
            ObjectType.CASE, Action.READ, row.jurisdiction_code, object_id=row.id
        )
        return CaseTransferType(model=row)

    @strawberry.field(
        description="Case transfers: sent by units of a subtree (default: your scope), or with "
        "`incoming`, those granted to your unit now. Oldest first."
    )
    async def case_transfers(
        self,
        info: Info,
        under: Annotated[
            JurisdictionCode | None,
            strawberry.argument(description="Outgoing only: this unit's subtree."),
        ] = None,
        incoming: Annotated[
            bool, strawberry.argument(description="Transfers to your unit (through grants).")
        ] = False,
        status: Annotated[
            list[TransferStatus] | None, strawberry.argument(description="Only these states.")
        ] = None,
        complaint_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="Only transfers of this complaint (its whole story)."),
        ] = None,
        first: First = None,
        after: After = None,
    ) -> Connection[CaseTransferType]:
        ctx = info.context
        span = await ctx.guard.span(ObjectType.CASE, Action.READ, known_code(info, under, "under"))
        page = await paginate(
            ctx.db,
            transfers.transfers_query(
                scope=ctx.scope,
                span=span,
                incoming=incoming,
                status=status or (),
                complaint_id=None
                if complaint_id is None
                else expect_global_id(complaint_id, "Complaint", field="complaintId"),
            ),
            keys=(CaseTransfer.created_at, CaseTransfer.id),
            first=first,
            after=after,
        )
        return connection(page, [CaseTransferType(model=r) for r in page.rows])
