from __future__ import annotations

from typing import Annotated

import strawberry

from xietong.access.actions import Action, ObjectType
from xietong.api.context import Info
from xietong.api.ids import expect_global_id
from xietong.api.pagination import Connection, connection, paginate
from xietong.api.scalars import JurisdictionCode
from xietong.jurisdictions.graphql.types import known_code
from xietong.people import service
from xietong.people.enums import Qualification, Speciality
from xietong.people.graphql.types import (
    OfficerPoolMemberType,
    PersonType,
)
from xietong.people.models import OfficerPoolMember, Person

First = Annotated[int | None, strawberry.argument(description="Page size, 1–100 (default 20).")]
After = Annotated[
    str | None, strawberry.argument(description="`pageInfo.endCursor` of the previous page.")
]


@strawberry.type
class PeopleQueries:
    @strawberry.field(description="One person by global id; null if outside your scope.")
    async def person(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="Global id.")],
    ) -> PersonType | None:
        ctx = info.context
        row = await service.get_person(
            db_session=ctx.db, scope=ctx.scope, person_id=expect_global_id(id, "Person")
        )
        if row is None:
            return None
        await ctx.guard.require(
            ObjectType.PERSON, Action.READ, row.jurisdiction_code, object_id=row.id
        )
        return PersonType(model=row)

    @strawberry.field(
        description="People in a subtree (default: your whole scope), by jurisdiction and login."
    )
    async def people(
        self,
        info: Info,
        under: Annotated[
            JurisdictionCode | None,
            strawberry.argument(description='Only people in this unit\'s subtree, e.g. "422825".'),
        ] = None,
        include_inactive: Annotated[
            bool, strawberry.argument(description="Also people removed from the tenant file.")
        ] = False,
        first: First = None,
        after: After = None,
    ) -> Connection[PersonType]:
        ctx = info.context
        span = await ctx.guard.span(
            ObjectType.PERSON, Action.READ, known_code(info, under, "under")
        )
        page = await paginate(
            ctx.db,
            service.people_query(
                scope=ctx.scope,
                span=span,
                include_inactive=include_inactive,
                include_granted=under is None,
            ),
            keys=(Person.jurisdiction_code, Person.login),
            first=first,
            after=after,
        )
        return connection(page, [PersonType(model=r) for r in page.rows])

    @strawberry.field(
        description="The officer pool (执法人员库, R-3) of a unit and the units below it."
    )
    async def officer_pool(
        self,
        info: Info,
        jurisdiction: Annotated[
            JurisdictionCode,
            strawberry.argument(description='The unit whose pool to list, e.g. "422825".'),
        ],
        available: Annotated[
            bool | None,
            strawberry.argument(
                description="Only officers the office lets be drawn (true) or not (false)."
            ),
        ] = None,
        speciality: Annotated[
            Speciality | None,
            strawberry.argument(description="Only this speciality."),
        ] = None,
        qualification: Annotated[
            Qualification | None,
            strawberry.argument(description="Only this qualification."),
        ] = None,
        first: First = None,
        after: After = None,
    ) -> Connection[OfficerPoolMemberType]:
        ctx = info.context
        span = await ctx.guard.span(
            ObjectType.OFFICER_POOL, Action.READ, known_code(info, jurisdiction, "jurisdiction")
        )
        page = await paginate(
            ctx.db,
            service.officer_pool_query(
                scope=ctx.scope,
                span=span,
                available=available,
                speciality=speciality,
                qualification=qualification,
            ),
            keys=(OfficerPoolMember.jurisdiction_code, OfficerPoolMember.person_id),
            columns_only=True,
            first=first,
            after=after,
        )
        return connection(page, [OfficerPoolMemberType(model=r) for r in page.rows])
