from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Annotated

import strawberry

from xietong import inputs
from xietong.access import apikeys, grants, objects
from xietong.access.actions import Action, ObjectType
from xietong.access.errors import AccessErrorCode as Code
from xietong.access.graphql.permissions import signed_in
from xietong.access.graphql.types import AccessError, ApiKeyType, GrantType
from xietong.access.roles import Role
from xietong.api.context import Info
from xietong.api.ids import expect_global_id, from_global_id
from xietong.api.mutations import Invalid, Problem, atomic
from xietong.api.scalars import JurisdictionCode, LongText, ShortText
from xietong.deadlines.clock import SYSTEM_CLOCK


def _errors(problems: list[Problem]) -> list[AccessError]:
    return [AccessError(field=p.field, message=p.message, code=Code(p.code)) for p in problems]


def _known(info: Info, code: int, field: str) -> int:
    """``code`` if it names a jurisdiction the service knows; otherwise a NOT_FOUND problem."""
    if code not in info.context.guard.authorizer.jurisdictions:
        raise Invalid(Code.NOT_FOUND, "没有该行政区划（unknown jurisdiction）", field)
    return code


@strawberry.input(description="A new API key for an integrator.")
class ApiKeyCreateInput:
    name: ShortText = strawberry.field(description="What the key is for, e.g. 县交易系统对接.")
    jurisdiction: JurisdictionCode = strawberry.field(
        description="The subtree the key reaches: your own unit or one below it."
    )
    roles: list[Role] = strawberry.field(
        description="INTEGRATOR, TRADING_CENTRE and/or LEADERSHIP."
    )
    expires_on: date | None = strawberry.field(
        default=None,
        description="The last day the key works, a day in China: it stops at the end of that "
        "day (midnight Asia/Shanghai). Today or later; null for no expiry.",
    )


@strawberry.type(description="Result of apiKeyCreate.")
class ApiKeyCreatePayload:
    api_key: ApiKeyType | None = strawberry.field(description="The new key.")
    secret: str | None = strawberry.field(
        description="The key itself. Shown this once; give "
        "it to the integrator, who sends it as `X-Api-Key`."
    )
    errors: list[AccessError] = strawberry.field(description="Empty on success.")


@strawberry.input(description="Revoke an API key.")
class ApiKeyRevokeInput:
    id: strawberry.ID = strawberry.field(description="The key's global id.")


@strawberry.type(description="Result of apiKeyRevoke.")
class ApiKeyRevokePayload:
    api_key: ApiKeyType | None = strawberry.field(description="The key as now.")
    errors: list[AccessError] = strawberry.field(description="Empty on success.")


@strawberry.input(description="Open one object of your jurisdiction to another, for a while.")
class GrantCreateInput:
    object_id: strawberry.ID = strawberry.field(description="Global id of the object.")
    grantee_jurisdiction: JurisdictionCode = strawberry.field(
        description="Who receives access (a code)."
    )
    grantee_department_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only this department of the grantee."
    )
    actions: list[Action] = strawberry.field(
        description="What the grantee may do: READ, HANDLE, VERIFY, ACCEPT, REPORT."
    )
    reason: LongText = strawberry.field(
        description="Why (transfer, assistance letter, joint inspection…); kept in the audit trail."
    )
    expires_at: datetime = strawberry.field(
        description="Until when (exclusive): later than now and than startsAt, at most a year "
        "after startsAt."
    )
    starts_at: datetime | None = strawberry.field(
        default=None, description="From when; default now."
    )
    include_related: bool = strawberry.field(
        default=False, description="Also the object's related records."
    )


@strawberry.type(description="Result of grantCreate.")
class GrantCreatePayload:
    grant: GrantType | None = strawberry.field(description="The new grant.")
    errors: list[AccessError] = strawberry.field(description="Empty on success.")


@strawberry.input(description="End a grant early.")
class GrantRevokeInput:
    id: strawberry.ID = strawberry.field(description="The grant's global id.")


@strawberry.type(description="Result of grantRevoke.")
class GrantRevokePayload:
    grant: GrantType | None = strawberry.field(description="The grant as now.")
    errors: list[AccessError] = strawberry.field(description="Empty on success.")


@strawberry.type
class AccessMutations:
    @strawberry.mutation(
        description="Create an API key for an integrator, for your unit or one "
        "below it. The secret is in the payload, once.",
        extensions=[signed_in()],
    )
    async def api_key_create(
        self,
        info: Info,
        input: Annotated[ApiKeyCreateInput, strawberry.argument(description="The key.")],
    ) -> ApiKeyCreatePayload:
        ctx = info.context

        async def body() -> ApiKeyCreatePayload:
            name = input.name
            if inputs.is_blank(name):
                raise Invalid(Code.INVALID, "请填写密钥用途（name is empty）", "name")
            code = _known(info, input.jurisdiction, "jurisdiction")
            await ctx.guard.require(ObjectType.API_KEY, Action.MANAGE, code)
            wanted = list(input.roles)
            if not wanted or not set(wanted) <= apikeys.KEY_ROLES:
                raise Invalid(
                    Code.INVALID,
                    "密钥角色只能是 INTEGRATOR、TRADING_CENTRE、LEADERSHIP"
                    "（roles not allowed for a key）",
                    "roles",
                )
            if input.expires_on is not None and input.expires_on < SYSTEM_CLOCK.today():
                raise Invalid(
                    Code.INVALID,
                    "有效期最后一天不能早于今天（the last day cannot be before today）",
                    "expiresOn",
                )
            key, secret = await apikeys.create(
                db_session=ctx.db,
                name=name,
                jurisdiction_code=code,
                roles=wanted,
                expires_on=input.expires_on,
                created_by=ctx.principal.actor,
            )
            await ctx.guard.audit(
                action="apiKey.create",
                object_type=ObjectType.API_KEY,
                object_id=key.id,
                jurisdiction_code=code,
                details={"prefix": key.prefix, "name": name, "roles": key.roles},
            )
            return ApiKeyCreatePayload(
                api_key=ApiKeyType(model=key), secret=secret.secret, errors=[]
            )

        result, problems = await atomic(ctx.db, body)
        return result or ApiKeyCreatePayload(api_key=None, secret=None, errors=_errors(problems))

    @strawberry.mutation(description="Revoke an API key at once.", extensions=[signed_in()])
    async def api_key_revoke(
        self,
        info: Info,
        input: Annotated[ApiKeyRevokeInput, strawberry.argument(description="Which key.")],
    ) -> ApiKeyRevokePayload:
        ctx = info.context
        key_id = expect_global_id(input.id, "ApiKey")

        async def body() -> ApiKeyRevokePayload:
            key = await apikeys.get(db_session=ctx.db, scope=ctx.scope, key_id=key_id)
            if key is None:
                raise Invalid(Code.NOT_FOUND, "没有该密钥（no such key）", "id")
            await ctx.guard.require(ObjectType.API_KEY, Action.MANAGE, key.jurisdiction_code)
            if key.revoked_at is not None:
                raise Invalid(Code.ALREADY_REVOKED, "该密钥已吊销（already revoked）", "id")
            await apikeys.revoke(db_session=ctx.db, key=key, by=ctx.principal.actor)
            if ctx.request is not None:  # this process forgets at once; others on NOTIFY
                ctx.request.app.state.principals.clear()
            await ctx.guard.audit(
                action="apiKey.revoke",
                object_type=ObjectType.API_KEY,
                object_id=key.id,
                jurisdiction_code=key.jurisdiction_code,
                details={"prefix": key.prefix},
            )
            return ApiKeyRevokePayload(api_key=ApiKeyType(model=key), errors=[])

        result, problems = await atomic(ctx.db, body)
        return result or ApiKeyRevokePayload(api_key=None, errors=_errors(problems))

    @strawberry.mutation(
        description="Grant another jurisdiction narrow, expiring access to one "
        "object of your own jurisdiction.",
        extensions=[signed_in()],
    )
    async def grant_create(
        self,
        info: Info,
        input: Annotated[GrantCreateInput, strawberry.argument(description="The grant.")],
    ) -> GrantCreatePayload:
        ctx = info.context

        async def body() -> GrantCreatePayload:
            type_name, object_id = from_global_id(input.object_id, field="objectId")
            spec = objects.spec_for(type_name)
            if spec is None or not spec.grantable:
                raise Invalid(
                    Code.INVALID, "该类对象不能授权（object cannot be granted）", "objectId"
                )
            where = await objects.locate(ctx.db, ctx.scope, spec, object_id)
            if where is None:
                raise Invalid(
                    Code.NOT_FOUND, "对象不存在或不在您的范围内（object not found）", "objectId"
                )
            await ctx.guard.require(ObjectType.GRANT, Action.MANAGE, where)
            grantee = _known(info, input.grantee_jurisdiction, "granteeJurisdiction")
            if grantee == where:
                raise Invalid(
                    Code.INVALID,
                    "对象本就属于该辖区（already its own jurisdiction）",
                    "granteeJurisdiction",
                )
            department = await _grantee_department(info, input.grantee_department_id, grantee)
            acts = set(input.actions)
            if not acts or not acts <= grants.GRANTABLE_ACTIONS:
                raise Invalid(
                    Code.INVALID,
                    "授权事项只能是 READ、HANDLE、VERIFY、ACCEPT、REPORT（actions not grantable）",
                    "actions",
                )
            reason = input.reason
            if inputs.is_blank(reason):
                raise Invalid(Code.INVALID, "请说明授权理由（reason is empty）", "reason")
            now = datetime.now(UTC)
            starts = input.starts_at or now
            if input.expires_at <= now:
                raise Invalid(
                    Code.INVALID, "到期时间已过（the grant would already be expired）", "expiresAt"
                )
            if input.expires_at <= starts:
                raise Invalid(
                    Code.INVALID, "到期时间须晚于开始时间（expiry before start）", "expiresAt"
                )
            if input.expires_at - starts > timedelta(days=grants.MAX_GRANT_DAYS):
                raise Invalid(Code.INVALID, "授权期限不得超过一年（at most a year）", "expiresAt")
            grant = await grants.create(
                db_session=ctx.db,
                object_type=spec.object_type,
                object_id=object_id,
                object_jurisdiction_code=where,
                grantee_jurisdiction_code=grantee,
                grantee_department_id=department,
                actions=sorted(acts),
                include_related=input.include_related,
                reason=reason,
                starts_at=starts,
                expires_at=input.expires_at,
                created_by=ctx.principal.actor,
            )
            await ctx.guard.audit(
                action="grant.create",
                object_type=ObjectType.GRANT,
                object_id=grant.id,
                jurisdiction_code=where,
                details={
                    "object": f"{type_name}:{object_id}",
                    "grantee": grantee,
                    "actions": grant.actions,
                    "reason": reason,
                    "expires_at": grant.expires_at.isoformat(),
                },
            )
            return GrantCreatePayload(grant=GrantType(model=grant), errors=[])

        result, problems = await atomic(ctx.db, body)
        return result or GrantCreatePayload(grant=None, errors=_errors(problems))

    @strawberry.mutation(description="End a grant early.", extensions=[signed_in()])
    async def grant_revoke(
        self,
        info: Info,
        input: Annotated[GrantRevokeInput, strawberry.argument(description="Which grant.")],
    ) -> GrantRevokePayload:
        ctx = info.context
        grant_id = expect_global_id(input.id, "Grant")

        async def body() -> GrantRevokePayload:
            grant = await grants.get(db_session=ctx.db, scope=ctx.scope, grant_id=grant_id)
            if grant is None:
                raise Invalid(Code.NOT_FOUND, "没有该授权（no such grant）", "id")
            await ctx.guard.require(ObjectType.GRANT, Action.MANAGE, grant.object_jurisdiction_code)
            if grant.revoked_at is not None:
                raise Invalid(Code.ALREADY_REVOKED, "该授权已撤销（already revoked）", "id")
            await grants.revoke(db_session=ctx.db, grant=grant, by=ctx.principal.actor)
            await ctx.guard.audit(
                action="grant.revoke",
                object_type=ObjectType.GRANT,
                object_id=grant.id,
                jurisdiction_code=grant.object_jurisdiction_code,
                details={},
            )
            return GrantRevokePayload(grant=GrantType(model=grant), errors=[])

        result, problems = await atomic(ctx.db, body)
        return result or GrantRevokePayload(grant=None, errors=_errors(problems))


async def _grantee_department(
    info: Info, value: strawberry.ID | None, grantee: int
) -> uuid.UUID | None:
    """The id of an active department of the grantee jurisdiction, or NOT_FOUND / INVALID."""
    if value is None:
        return None
    ident = expect_global_id(value, "Department", field="granteeDepartmentId")
    department = await info.context.loaders.jurisdictions.department_by_id.load(ident)
    if department is None or not department.active:
        raise Invalid(Code.NOT_FOUND, "没有该部门（no such department）", "granteeDepartmentId")
    if department.jurisdiction_code != grantee:
        raise Invalid(
            Code.INVALID,
            "该部门不属于受让辖区（the department is not in the grantee jurisdiction）",
            "granteeDepartmentId",
        )
    return department.id
