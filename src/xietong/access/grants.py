"""Grants: one object (or its related records) opened to another jurisdiction, for a while."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import Select, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from xietong.access.actions import Action, ObjectType
from xietong.access.models import AccessGrant
from xietong.access.scope import Scope
from xietong.jurisdictions import codes

# Grants open reading (and, for later casework objects, acting) — never managing access itself.
GRANTABLE_ACTIONS = frozenset(
    {Action.READ, Action.HANDLE, Action.VERIFY, Action.ACCEPT, Action.REPORT}
)
MAX_GRANT_DAYS = 366


def _visible(scope: Scope) -> object:
    return or_(
        scope.visible(AccessGrant.object_jurisdiction_code),
        scope.visible(AccessGrant.grantee_jurisdiction_code),
    )


async def create(
    *,
    db_session: AsyncSession,
    object_type: ObjectType,
    object_id: uuid.UUID,
    object_jurisdiction_code: int,
    grantee_jurisdiction_code: int,
    grantee_department_id: uuid.UUID | None,
    actions: Sequence[Action],
    include_related: bool,
    reason: str,
    starts_at: datetime,
    expires_at: datetime,
    created_by: str,
) -> AccessGrant:
    grant = AccessGrant(
        id=uuid.uuid4(),
        object_type=object_type,
        object_id=object_id,
        object_jurisdiction_code=object_jurisdiction_code,
        province_code=codes.province_of(object_jurisdiction_code),
        grantee_jurisdiction_code=grantee_jurisdiction_code,
        grantee_department_id=grantee_department_id,
        actions=sorted(a.value for a in set(actions)),
        include_related=include_related,
        reason=reason,
        starts_at=starts_at,
        expires_at=expires_at,
        created_by=created_by,
    )
    db_session.add(grant)
    await db_session.flush()
    await db_session.refresh(grant)
    return grant


async def get(*, db_session: AsyncSession, scope: Scope, grant_id: uuid.UUID) -> AccessGrant | None:
    result: AccessGrant | None = await db_session.scalar(
        select(AccessGrant).where(AccessGrant.id == grant_id, _visible(scope))  # type: ignore[arg-type]
    )
    return result


def query(*, scope: Scope, object_id: uuid.UUID | None, live_only: bool) -> Select[AccessGrant]:
    q = select(AccessGrant).where(_visible(scope))  # type: ignore[arg-type]
    if object_id is not None:
        q = q.where(AccessGrant.object_id == object_id)
    if live_only:
        now = datetime.now(UTC)
        q = q.where(AccessGrant.revoked_at.is_(None), AccessGrant.expires_at > now)
    return q


async def revoke(*, db_session: AsyncSession, grant: AccessGrant, by: str) -> None:
    grant.revoked_at = datetime.now(UTC)
    grant.revoked_by = by
    await db_session.flush()
