from __future__ import annotations

from typing import Annotated

import strawberry

from xietong import inputs
from xietong.access.actions import Action, ObjectType
from xietong.access.graphql.permissions import signed_in
from xietong.api.context import Info
from xietong.api.enums import graphql_enum
from xietong.api.ids import expect_global_id
from xietong.api.mutations import Invalid, atomic
from xietong.api.scalars import LongText
from xietong.people import service
from xietong.people.errors import PeopleErrorCode as Code
from xietong.people.graphql.types import OfficerPoolMemberType

graphql_enum(
    Code,
    description="Why a people mutation was refused.",
    values={
        Code.NOT_FOUND: "不存在: no such officer, or outside your scope.",
        Code.REASON_REQUIRED: "须说明原因: making an officer unavailable needs a reason.",
    },
)


@strawberry.type(description="A problem with the input of a people mutation.")
class PeopleError:
    field: str | None = strawberry.field(
        description="The input field at fault (camelCase), or null."
    )
    message: str = strawberry.field(description="What is wrong, for a clerk.")
    code: Code = strawberry.field(description="Machine-readable reason.")


@strawberry.input(description="Make an officer available for draws, or not (R-3 动态管理).")
class OfficerAvailabilitySetInput:
    officer_id: strawberry.ID = strawberry.field(description="The OfficerPoolMember id.")
    available: bool = strawberry.field(description="Whether the officer may be drawn.")
    reason: LongText | None = strawberry.field(
        default=None, description="Why not (required when available is false): leave, recusal…"
    )


@strawberry.type(description="Result of officerAvailabilitySet.")
class OfficerAvailabilitySetPayload:
    officer: OfficerPoolMemberType | None = strawberry.field(description="The officer as now.")
    errors: list[PeopleError] = strawberry.field(description="Empty on success.")


@strawberry.type
class PeopleMutations:
    @strawberry.mutation(
        description="Set an officer's availability. Needs the supervision "
        "office of the officer's own jurisdiction, with OFFICE-OFFICER-POOL on "
        "its power list.",
        extensions=[signed_in()],
    )
    async def officer_availability_set(
        self,
        info: Info,
        input: Annotated[
            OfficerAvailabilitySetInput,
            strawberry.argument(description="Which officer, and the new availability."),
        ],
    ) -> OfficerAvailabilitySetPayload:
        ctx = info.context
        person_id = expect_global_id(input.officer_id, "OfficerPoolMember", field="officerId")

        async def body() -> OfficerAvailabilitySetPayload:
            officer = await service.get_officer(
                db_session=ctx.db, scope=ctx.scope, person_id=person_id
            )
            if officer is None:
                raise Invalid(
                    Code.NOT_FOUND, "执法人员库中没有该人员（officer not found）", "officerId"
                )
            await ctx.guard.require(
                ObjectType.OFFICER_POOL,
                Action.MANAGE,
                officer.jurisdiction_code,
                object_id=officer.person_id,
            )
            reason = None if input.reason is None or inputs.is_blank(input.reason) else input.reason
            if not input.available and reason is None:
                raise Invalid(Code.REASON_REQUIRED, "暂停抽取须说明原因（give a reason）", "reason")
            if await service.set_availability(
                db_session=ctx.db, officer=officer, available=input.available, reason=reason
            ):
                await ctx.guard.audit(
                    action="officer.availability",
                    object_type=ObjectType.OFFICER_POOL,
                    object_id=officer.person_id,
                    jurisdiction_code=officer.jurisdiction_code,
                    details={"available": input.available, "reason": reason},
                )
            return OfficerAvailabilitySetPayload(
                officer=OfficerPoolMemberType(model=officer), errors=[]
            )

        result, problems = await atomic(ctx.db, body)
        if result is not None:
            return result
        return OfficerAvailabilitySetPayload(
            officer=None,
            errors=[
                PeopleError(field=p.field, message=p.message, code=Code(p.code)) for p in problems
            ],
        )
