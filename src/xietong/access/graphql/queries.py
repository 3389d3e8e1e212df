from __future__ import annotations

from typing import Annotated

import strawberry

from xietong.access import apikeys, grants, objects
from xietong.access.actions import Action, ObjectType
from xietong.access.authentication import person_principal
from xietong.access.graphql.powers import PowerType
from xietong.access.graphql.types import (
    AccessExplanationType,
    ApiKeyType,
    GrantType,
    MeType,
    PowerListType,
)
from xietong.access.guard import Guard
from xietong.access.models import AccessGrant, ApiKey
from xietong.access.powers import catalogue
from xietong.access.scope import Scope
from xietong.access.tokens import InvalidCredentials
from xietong.api.context import Info
from xietong.api.errors import BadUserInput, NotFound
from xietong.api.ids import expect_global_id, from_global_id
from xietong.api.pagination import Connection, connection, paginate
from xietong.api.scalars import JurisdictionCode, Login
from xietong.inputs import preview
from xietong.jurisdictions.graphql.types import DepartmentType, known_code
from xietong.people.graphql.queries import After, First


@strawberry.type
class AccessQueries:
    @strawberry.field(
        description="The caller: roles, jurisdiction, department. Null for anonymous callers."
    )
    def me(self, info: Info) -> MeType | None:
        principal = info.context.principal
        return None if principal.is_anonymous else MeType(principal=principal)

    @strawberry.field(description="Any department's published power list (R-2). Public.")
    async def power_list(
        self,
        info: Info,
        department_id: Annotated[
            strawberry.ID, strawberry.argument(description="The department's global id.")
        ],
    ) -> PowerListType | None:
        loaders = info.context.loaders.jurisdictions
        department = await loaders.department_by_id.load(
            expect_global_id(department_id, "Department", field="departmentId")
        )
        if department is None:
            return None
        codes_ = await loaders.power_codes_by_department_id.load(department.id) or []
        powers = [p for p in (catalogue().get(c) for c in codes_) if p is not None]
        return PowerListType(
            department=DepartmentType(model=department), powers=[PowerType(power=p) for p in powers]
        )

    @strawberry.field(
        description="Would this person be allowed this action on this object, and "
        "why? For supervision offices (over people in their subtree) and "
        "operators. Names the policy line, power or grant that decided."
    )
    async def explain_access(
        self,
        info: Info,
        login: Annotated[
            Login, strawberry.argument(description="The person asked about (a login).")
        ],
        action: Annotated[
            Action,
            strawberry.argument(description="The action."),
        ],
        object_id: Annotated[
            strawberry.ID,
            strawberry.argument(
                description="Global id of the object (a Person, OfficerPoolMember, ApiKey…)."
            ),
        ],
    ) -> AccessExplanationType:
        ctx = info.context
        type_name, ident = from_global_id(object_id, field="objectId")
        spec = objects.spec_for(type_name)
        if spec is None:
            raise NotFound(
                f"不支持解释 {preview(type_name)} 对象（unsupported object type）", field="objectId"
            )
        try:
            target = await person_principal(ctx.db, login)
        except InvalidCredentials as exc:
            raise NotFound(str(exc), field="login") from None
        if target is None or target.jurisdiction_code is None:
            raise NotFound("没有该人员（no such person）", field="login")
        await ctx.guard.require(ObjectType.ACCESS, Action.EXPLAIN, target.jurisdiction_code)
        where = await objects.locate(ctx.db, ctx.scope, spec, ident)
        if where is None:
            raise NotFound("对象不存在或不在您的范围内（object not found）", field="objectId")
        guard = Guard(target, Scope.of(target), ctx.guard.authorizer, ctx.db)
        decision = await guard.decide(spec.object_type, action, where, object_id=ident)
        grant = (
            None if decision.grant_id is None else await ctx.db.get(AccessGrant, decision.grant_id)
        )
        return AccessExplanationType(decision=decision, grant_model=grant)

    @strawberry.field(description="Integrators' API keys in a subtree (default: your scope).")
    async def api_keys(
        self,
        info: Info,
        under: Annotated[
            JurisdictionCode | None,
            strawberry.argument(description="Only keys for this unit's subtree."),
        ] = None,
        include_revoked: Annotated[
            bool, strawberry.argument(description="Also revoked keys.")
        ] = False,
        first: First = None,
        after: After = None,
    ) -> Connection[ApiKeyType]:
        ctx = info.context
        span = await ctx.guard.span(
            ObjectType.API_KEY, Action.READ, known_code(info, under, "under")
        )
        page = await paginate(
            ctx.db,
            apikeys.query(scope=ctx.scope, span=span, include_revoked=include_revoked),
            keys=(ApiKey.jurisdiction_code, ApiKey.id),
            first=first,
            after=after,
        )
        return connection(page, [ApiKeyType(model=r) for r in page.rows])

    @strawberry.field(description="Grants you gave or received (within your scope).")
    async def grants(
        self,
        info: Info,
        object_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="Only grants of this object (global id)."),
        ] = None,
        live_only: Annotated[
            bool, strawberry.argument(description="Only grants in force now or later.")
        ] = True,
        first: First = None,
        after: After = None,
    ) -> Connection[GrantType]:
        ctx = info.context
        await ctx.guard.span(ObjectType.GRANT, Action.READ)
        ident = None
        if object_id is not None:
            type_name, ident = from_global_id(object_id, field="objectId")
            if objects.spec_for(type_name) is None:
                raise BadUserInput(
                    f"不能授权 {preview(type_name)} 类对象（no grants for this kind of object）",
                    field="objectId",
                )
        page = await paginate(
            ctx.db,
            grants.query(scope=ctx.scope, object_id=ident, live_only=live_only),
            keys=(AccessGrant.created_at, AccessGrant.id),
            first=first,
            after=after,
        )
        return connection(page, [GrantType(model=r) for r in page.rows])
