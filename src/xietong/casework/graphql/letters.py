from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

import strawberry

from xietong import inputs
from xietong.access.actions import Action, ObjectType
from xietong.access.graphql.permissions import signed_in
from xietong.api.context import Context, Info
from xietong.api.ids import expect_global_id
from xietong.api.mutations import Invalid, atomic
from xietong.api.pagination import Connection, connection, paginate
from xietong.api.scalars import JurisdictionCode, LongText
from xietong.casework import letters
from xietong.casework.enums import LetterStatus
from xietong.casework.errors import CaseworkError
from xietong.casework.errors import CaseworkErrorCode as Code
from xietong.casework.graphql import common as g
from xietong.casework.graphql.transfers import After, First
from xietong.casework.graphql.types import AssistanceLetterType
from xietong.casework.graphql.types import CaseworkError as CaseworkErrorType
from xietong.casework.models import AssistanceLetter
from xietong.casework.transitions import Side
from xietong.jurisdictions.graphql.types import known_code


@strawberry.input(description="Ask another unit's department for help with a case (协助办理函).")
class AssistanceLetterSendInput:
    helper_jurisdiction: JurisdictionCode = strawberry.field(
        description='The helper\'s unit, e.g. "530102"; any province.'
    )
    helper_department_id: strawberry.ID = strawberry.field(
        description="The helper department (of that unit)."
    )
    case_summary: LongText = strawberry.field(description="The case (案情).")
    help_asked: LongText = strawberry.field(description="The help asked (协助事项).")
    reasons: LongText = strawberry.field(description="Why the help is needed (理由).")
    materials: list[g.CaseMaterialInput] = strawberry.field(
        default_factory=list, description="The evidence (证据材料)."
    )


@strawberry.input(description="Which letter.")
class AssistanceLetterRefInput:
    id: strawberry.ID = strawberry.field(description="The letter's global id.")


@strawberry.input(description="Return a letter outside your duties, with the reason.")
class AssistanceLetterReturnInput:
    id: strawberry.ID = strawberry.field(description="The letter's global id.")
    reason: LongText | None = strawberry.field(
        default=None, description="The reason (required: no return without one)."
    )


@strawberry.input(description="Answer a letter in writing after helping (复函).")
class AssistanceLetterAnswerInput:
    id: strawberry.ID = strawberry.field(description="The letter's global id.")
    answer: LongText = strawberry.field(description="What was done and found.")


@strawberry.type(description="Result of an assistance letter mutation.")
class AssistanceLetterPayload:
    letter: AssistanceLetterType | None = strawberry.field(description="The letter as now.")
    errors: list[CaseworkErrorType] = strawberry.field(description="Empty on success.")


def _authorizer(ctx: Context, letter: AssistanceLetter) -> Callable[[Side], Awaitable[object]]:
    async def authorize(side: Side) -> object:
        if side is Side.SENDER:
            return await ctx.guard.require(
                ObjectType.CASE, Action.TRANSFER, letter.jurisdiction_code
            )
        return await ctx.guard.require(
            ObjectType.CASE, Action.ACCEPT, letter.jurisdiction_code, object_id=letter.id
        )

    return authorize


Move = Callable[[Context, AssistanceLetter], Awaitable[AssistanceLetter]]


async def _move(info: Info, ident: strawberry.ID, move: Move) -> AssistanceLetterPayload:
    ctx = info.context
    letter_id = expect_global_id(ident, "AssistanceLetter")

    async def body() -> AssistanceLetterPayload:
        letter = await letters.get(ctx.db, scope=ctx.scope, letter_id=letter_id, lock=True)
        if letter is None:
            raise Invalid(Code.NOT_FOUND, "没有该协助办理函（no such letter）", "id")
        try:
            moved = await move(ctx, letter)
        except CaseworkError as exc:
            raise g.invalid(exc) from None
        return AssistanceLetterPayload(letter=AssistanceLetterType(model=moved), errors=[])

    result, problems = await atomic(ctx.db, body)
    return result or AssistanceLetterPayload(letter=None, errors=g.errors(problems))


@strawberry.type
class LetterMutations:
    @strawberry.mutation(
        description="Send an assistance letter with its evidence to another unit's department "
        "(R-10): the helper department alone gets a grant on exactly this letter.",
        extensions=[signed_in()],
    )
    async def assistance_letter_send(
        self,
        info: Info,
        input: Annotated[AssistanceLetterSendInput, strawberry.argument(description="Letter.")],
    ) -> AssistanceLetterPayload:
        ctx = info.context

        async def body() -> AssistanceLetterPayload:
            actor = g.actor(ctx)
            await ctx.guard.require(ObjectType.CASE, Action.TRANSFER, actor.jurisdiction_code)
            try:
                for name, value in (
                    ("caseSummary", input.case_summary),
                    ("helpAsked", input.help_asked),
                    ("reasons", input.reasons),
                ):
                    if inputs.is_blank(value):
                        raise CaseworkError(Code.INVALID, f"请填写{name}（empty）", field=name)
                request = letters.Request(
                    helper_jurisdiction_code=input.helper_jurisdiction,
                    helper_department_id=expect_global_id(
                        input.helper_department_id, "Department", field="helperDepartmentId"
                    ),
                    case_summary=input.case_summary.strip(),
                    help_asked=input.help_asked.strip(),
                    reasons=input.reasons.strip(),
                    files=g.materials(input.materials),
                )
                letter = await letters.send(ctx.db, request=request, actor=actor, clock=ctx.clock)
            except CaseworkError as exc:
                raise g.invalid(exc) from None
            return AssistanceLetterPayload(letter=AssistanceLetterType(model=letter), errors=[])

        result, problems = await atomic(ctx.db, body)
        return result or AssistanceLetterPayload(letter=None, errors=g.errors(problems))

    @strawberry.mutation(
        description="The helper department signs for the letter: its 5 working days to return "
        "a letter outside its duties begin (ZENGDU 17).",
        extensions=[signed_in()],
    )
    async def assistance_letter_receive(
        self,
        info: Info,
        input: Annotated[AssistanceLetterRefInput, strawberry.argument(description="Which.")],
    ) -> AssistanceLetterPayload:
        async def move(ctx: Context, letter: AssistanceLetter) -> AssistanceLetter:
            return await letters.receive(
                ctx.db,
                letter=letter,
                actor=g.actor(ctx),
                clock=ctx.clock,
                authorize=_authorizer(ctx, letter),
            )

        return await _move(info, input.id, move)

    @strawberry.mutation(
        description="The helper returns a letter outside its duties with the reason (5 working "
        "days from receipt, ZENGDU 17). No reason, no return.",
        extensions=[signed_in()],
    )
    async def assistance_letter_return(
        self,
        info: Info,
        input: Annotated[AssistanceLetterReturnInput, strawberry.argument(description="Why.")],
    ) -> AssistanceLetterPayload:
        async def move(ctx: Context, letter: AssistanceLetter) -> AssistanceLetter:
            return await letters.return_(
                ctx.db,
                letter=letter,
                actor=g.actor(ctx),
                clock=ctx.clock,
                authorize=_authorizer(ctx, letter),
                reason=input.reason,
            )

        return await _move(info, input.id, move)

    @strawberry.mutation(
        description="The helper helps and answers in writing (复函).",
        extensions=[signed_in()],
    )
    async def assistance_letter_answer(
        self,
        info: Info,
        input: Annotated[AssistanceLetterAnswerInput, strawberry.argument(description="Answer.")],
    ) -> AssistanceLetterPayload:
        async def move(ctx: Context, letter: AssistanceLetter) -> AssistanceLetter:
            return await letters.answer(
                ctx.db,
                letter=letter,
                actor=g.actor(ctx),
                clock=ctx.clock,
                authorize=_authorizer(ctx, letter),
                text=input.answer,
            )

        return await _move(info, input.id, move)

    @strawberry.mutation(
        description="The requester closes the letter (returned or answered): the helper's "
        "grant ends.",
        extensions=[signed_in()],
    )
    async def assistance_letter_close(
        self,
        info: Info,
        input: Annotated[AssistanceLetterRefInput, strawberry.argument(description="Which.")],
    ) -> AssistanceLetterPayload:
        async def move(ctx: Context, letter: AssistanceLetter) -> AssistanceLetter:
            return await letters.close(
                ctx.db,
                letter=letter,
                actor=g.actor(ctx),
                clock=ctx.clock,
                authorize=_authorizer(ctx, letter),
            )

        return await _move(info, input.id, move)


@strawberry.type
class LetterQueries:
    @strawberry.field(
        description="One assistance letter by global id: the requester's unit and its "
        "superiors, or the helper department while its grant lasts; null otherwise."
    )
    async def assistance_letter(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="Global id.")],
    ) -> AssistanceLetterType | None:
        ctx = info.context
        row = await letters.get(
            ctx.db, scope=ctx.scope, letter_id=expect_global_id(id, "AssistanceLetter")
        )
        if row is None:
            return None
        await ctx.guard.require(
            ObjectType.CASE, Action.READ, row.jurisdiction_code, object_id=row.id
        )
        return AssistanceLetterType(model=row)

    @strawberry.field(
        description="Assistance letters: sent by units of a subtree (default: your scope), or "
        "with `incoming`, those granted to your unit now. Oldest first."
    )
    async def assistance_letters(
        self,
        info: Info,
        under: Annotated[
            JurisdictionCode | None,
            strawberry.argument(description="Outgoing only: this unit's subtree."),
        ] = None,
        incoming: Annotated[
            bool, strawberry.argument(description="Letters to your unit (through grants).")
        ] = False,
        status: Annotated[
            list[LetterStatus] | None, strawberry.argument(description="Only these states.")
        ] = None,
        first: First = None,
        after: After = None,
    ) -> Connection[AssistanceLetterType]:
        ctx = info.context
        span = await ctx.guard.span(ObjectType.CASE, Action.READ, known_code(info, under, "under"))
        page = await paginate(
            ctx.db,
            letters.letters_query(
                scope=ctx.scope, span=span, incoming=incoming, status=status or ()
            ),
            keys=(AssistanceLetter.created_at, AssistanceLetter.id),
            first=first,
            after=after,
        )
        return connection(page, [AssistanceLetterType(model=r) for r in page.rows])
