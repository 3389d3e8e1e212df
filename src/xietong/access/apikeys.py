"""Integrators' API keys: created by an office for a subtree and a role set, shown once."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from xietong.access.models import ApiKey
from xietong.access.roles import Role
from xietong.access.scope import Scope, in_span
from xietong.access.tokens import NewApiKey, new_api_key
from xietong.inputs import end_of_china_day
from xietong.jurisdictions import codes

# What a key may carry: integrators, trading systems reporting as a centre, and read-only
# provincial platforms. Never casework roles: those belong to people under a power list.
KEY_ROLES = frozenset({Role.INTEGRATOR, Role.TRADING_CENTRE, Role.LEADERSHIP})


async def create(
    *,
    db_session: AsyncSession,
    name: str,
    jurisdiction_code: int,
    roles: Sequence[Role],
    expires_on: date | None,
    created_by: str,
) -> tuple[ApiKey, NewApiKey]:
    secret = new_api_key()
    key = ApiKey(
        id=uuid.uuid4(),
        prefix=secret.prefix,
        secret_hash=secret.secret_hash,
        name=name,
        jurisdiction_code=jurisdiction_code,
        province_code=codes.province_of(jurisdiction_code),
        roles=sorted(r.value for r in set(roles)),
        created_by=created_by,
        # A day is a China day: the key works until that day ends in Asia/Shanghai.
        expires_at=None if expires_on is None else end_of_china_day(expires_on),
    )
    db_session.add(key)
    await db_session.flush()
    await db_session.refresh(key)
    return key, secret


async def get(*, db_session: AsyncSession, scope: Scope, key_id: uuid.UUID) -> ApiKey | None:
    result: ApiKey | None = await db_session.scalar(
        select(ApiKey).where(ApiKey.id == key_id, scope.visible(ApiKey.jurisdiction_code))
    )
    return result


def query(
    *,
    scope: Scope,
    span: codes.CodeRange,
    include_revoked: bool,
    creator_left: bool | None = None,
) -> Select[ApiKey]:
    """Keys in ``span``; ``creator_left`` True lists only keys whose creator has been
    deactivated (to revoke or re-issue them), False only the others."""
    q = select(ApiKey).where(
        scope.visible(ApiKey.jurisdiction_code), in_span(ApiKey.jurisdiction_code, span)
    )
    if not include_revoked:
        q = q.where(ApiKey.revoked_at.is_(None))
    if creator_left is not None:
        q = q.where(
            ApiKey.creator_left_at.is_not(None)
            if creator_left
            else ApiKey.creator_left_at.is_(None)
        )
    return q


async def revoke(*, db_session: AsyncSession, key: ApiKey, by: str) -> None:
    """Keys are looked up on every request, so this stops the key as soon as it commits."""
    key.revoked_at = datetime.now(UTC)
    key.revoked_by = by
    await db_session.flush()
