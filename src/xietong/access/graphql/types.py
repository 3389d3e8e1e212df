from __future__ import annotations

from datetime import datetime

import strawberry

from xietong.access import models as m
from xietong.access.actions import Action, ObjectType
from xietong.access.errors import AccessErrorCode
from xietong.access.graphql.powers import PowerType
from xietong.access.policy import Decision
from xietong.access.principal import Principal, PrincipalKind
from xietong.access.roles import Role
from xietong.api.context import Info
from xietong.api.enums import graphql_enum
from xietong.api.ids import to_global_id
from xietong.jurisdictions.graphql.types import (
    DepartmentType,
    JurisdictionType,
    department_of,
    jurisdiction_of,
)
from xietong.people.graphql.types import PersonType, RoleAssignmentType

graphql_enum(
    PrincipalKind,
    name="CallerKind",
    description="What kind of caller this is.",
    values={
        PrincipalKind.PERSON: "人员: a person signed in with a bearer token.",
        PrincipalKind.API_KEY: "接口密钥: an integrator calling with an API key.",
        PrincipalKind.ANONYMOUS: "匿名: no credentials; public data only.",
    },
)
graphql_enum(
    AccessErrorCode,
    description="Why an access operation was refused.",
    values={
        AccessErrorCode.UNAUTHENTICATED: "未登录: the operation needs credentials.",
        AccessErrorCode.FORBIDDEN: "无权限: no role of yours reaches the object for this action.",
        AccessErrorCode.POWER_NOT_LISTED: "权力清单未列明: your department's published power "
        "list has no power that allows this (R-2).",
        AccessErrorCode.NOT_FOUND: "不存在: no such object, or it is outside your scope.",
        AccessErrorCode.INVALID: "输入有误: the input breaks a rule; `message` says which.",
        AccessErrorCode.OUT_OF_SCOPE: "超出范围: the unit named is outside those you may act for.",
        AccessErrorCode.ALREADY_REVOKED: "已撤销: the key or grant was revoked before.",
    },
)


@strawberry.type(description="A problem with the input of an access mutation.")
class AccessError:
    field: str | None = strawberry.field(description="The input field at fault, or null.")
    message: str = strawberry.field(description="What is wrong, for a clerk.")
    code: AccessErrorCode = strawberry.field(description="Machine-readable reason.")


@strawberry.type(name="Me", description="The caller, as the service sees it.")
class MeType:
    principal: strawberry.Private[Principal]

    @strawberry.field(description="Person, API key, or anonymous.")
    def kind(self) -> PrincipalKind:
        return self.principal.kind

    @strawberry.field(description="Sign-in name; null for an API key.")
    def login(self) -> str | None:
        return self.principal.login

    @strawberry.field(description="Full name, or the key's name.")
    def name(self) -> str:
        return self.principal.name

    @strawberry.field(description="Roles held, each in a jurisdiction.")
    def roles(self) -> list[RoleAssignmentType]:
        return [
            RoleAssignmentType(role=a.role, jurisdiction_code=a.jurisdiction_code)
            for a in self.principal.roles
        ]

    @strawberry.field(
        description="The caller's jurisdiction: everything it reads is in this "
        "unit's subtree (plus explicit grants)."
    )
    def jurisdiction(self, info: Info) -> JurisdictionType | None:
        return jurisdiction_of(info, self.principal.jurisdiction_code)

    @strawberry.field(description="The caller's department; null for an API key.")
    async def department(self, info: Info) -> DepartmentType | None:
        department = self.principal.department
        return await department_of(info, None if department is None else department.id)

    @strawberry.field(description="The caller's own person record; null for an API key.")
    async def person(self, info: Info) -> PersonType | None:
        if self.principal.person_id is None:
            return None
        row = await info.context.loaders.people.person_by_id.load(self.principal.person_id)
        return None if row is None else PersonType(model=row)


@strawberry.type(name="PowerList", description="A department's published power list (R-2).")
class PowerListType:
    department: DepartmentType = strawberry.field(description="Whose list it is.")
    powers: list[PowerType] = strawberry.field(description="The powers, in published order.")


@strawberry.type(
    name="ApiKey",
    description="An integrator's key for a subtree and a role set. "
    "The secret is shown once, at creation, and never stored.",
)
class ApiKeyType:
    model: strawberry.Private[m.ApiKey]

    @strawberry.field(description="Global id.")
    def id(self) -> strawberry.ID:
        return to_global_id("ApiKey", self.model.id)

    @strawberry.field(description="Public prefix, to recognise the key in logs and lists.")
    def prefix(self) -> str:
        return self.model.prefix

    @strawberry.field(description="What the key is for, e.g. 省交易平台对接.")
    def name(self) -> str:
        return self.model.name

    @strawberry.field(description="The subtree the key reaches.")
    def jurisdiction(self, info: Info) -> JurisdictionType | None:
        return jurisdiction_of(info, self.model.jurisdiction_code)

    @strawberry.field(description="Roles the key holds in its jurisdiction.")
    def roles(self) -> list[Role]:
        return [Role(r) for r in self.model.roles]

    @strawberry.field(description="Who created it (a login).")
    def created_by(self) -> str:
        return self.model.created_by

    @strawberry.field(description="When it was created.")
    def created_at(self) -> datetime:
        return self.model.created_at

    @strawberry.field(
        description="When its creator was deactivated (left the office); null while the "
        "creator is active. Such keys should be revoked or re-issued."
    )
    def creator_left_at(self) -> datetime | None:
        return self.model.creator_left_at

    @strawberry.field(description="When it stops working; null for never.")
    def expires_at(self) -> datetime | None:
        return self.model.expires_at

    @strawberry.field(description="When it was revoked; null while in force.")
    def revoked_at(self) -> datetime | None:
        return self.model.revoked_at

    @strawberry.field(description="Last time it was used (to the minute).")
    def last_used_at(self) -> datetime | None:
        return self.model.last_used_at


@strawberry.type(
    name="Grant",
    description="Narrow, expiring access to one object for another "
    "jurisdiction (or one of its departments), with a reason and an audit trail.",
)
class GrantType:
    model: strawberry.Private[m.AccessGrant]

    @strawberry.field(description="Global id.")
    def id(self) -> strawberry.ID:
        return to_global_id("Grant", self.model.id)

    @strawberry.field(description="Kind of the granted object.")
    def object_type(self) -> ObjectType:
        return self.model.object_type

    @strawberry.field(description="Raw id of the granted object.")
    def object_uuid(self) -> str:
        return str(self.model.object_id)

    @strawberry.field(description="The object's own jurisdiction (the grantor).")
    def object_jurisdiction(self, info: Info) -> JurisdictionType | None:
        return jurisdiction_of(info, self.model.object_jurisdiction_code)

    @strawberry.field(description="Who receives access.")
    def grantee_jurisdiction(self, info: Info) -> JurisdictionType | None:
        return jurisdiction_of(info, self.model.grantee_jurisdiction_code)

    @strawberry.field(description="Only this department of the grantee, if set.")
    async def grantee_department(self, info: Info) -> DepartmentType | None:
        return await department_of(info, self.model.grantee_department_id)

    @strawberry.field(description="What the grantee may do to the object.")
    def actions(self) -> list[Action]:
        return [Action(a) for a in self.model.actions]

    @strawberry.field(description="Whether records related to the object are included.")
    def include_related(self) -> bool:
        return self.model.include_related

    @strawberry.field(
        description="Why access was granted (transfer, assistance letter, joint inspection…)."
    )
    def reason(self) -> str:
        return self.model.reason

    @strawberry.field(description="From when.")
    def starts_at(self) -> datetime:
        return self.model.starts_at

    @strawberry.field(description="Until when (exclusive).")
    def expires_at(self) -> datetime:
        return self.model.expires_at

    @strawberry.field(description="Who granted it (a login).")
    def created_by(self) -> str:
        return self.model.created_by

    @strawberry.field(description="When it was revoked early; null otherwise.")
    def revoked_at(self) -> datetime | None:
        return self.model.revoked_at


@strawberry.type(
    name="AccessExplanation",
    description="Why someone may or may not do "
    "something to an object: the policy line, power or grant that decided.",
)
class AccessExplanationType:
    decision: strawberry.Private[Decision]
    grant_model: strawberry.Private[m.AccessGrant | None] = None

    @strawberry.field(description="Whether it is allowed.")
    def allowed(self) -> bool:
        return self.decision.allowed

    @strawberry.field(
        description="When denied: FORBIDDEN (no role reaches the object for this "
        "action) or POWER_NOT_LISTED (the department's list lacks the power)."
    )
    def code(self) -> str | None:
        return self.decision.code

    @strawberry.field(description="The decision in words.")
    def message(self) -> str:
        if self.decision.allowed:
            via = "授权（grant）" if self.decision.grant_id else "角色策略（role policy）"
            return f"允许：依据{via}（allowed）"
        return self.decision.message

    @strawberry.field(
        description="The Casbin lines that decided: the role policy line, the "
        "role assignment line, and for a power the power and list lines."
    )
    def policy_lines(self) -> list[str]:
        return list(self.decision.lines)

    @strawberry.field(description="The grant that allowed it, if a grant did.")
    def grant(self) -> GrantType | None:
        return None if self.grant_model is None else GrantType(model=self.grant_model)

    @strawberry.field(description="When the power list decided: the powers that would allow it.")
    def missing_powers(self) -> list[PowerType]:
        return [PowerType(power=p) for p in self.decision.missing_powers]
