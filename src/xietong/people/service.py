"""People and the officer pool, always read through the caller's scope."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, any_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from xietong.access.actions import Action, ObjectType
from xietong.access.errors import AccessDenied
from xietong.access.scope import Scope, granted_ids
from xietong.jurisdictions.codes import CodeRange
from xietong.people.enums import Qualification, Speciality
from xietong.people.models import OfficerPoolMember, Person, PersonRole


def _visible_person(scope: Scope) -> Any:
    return scope.visible(
        Person.jurisdiction_code, object_type=ObjectType.PERSON, object_id=Person.id
    )


def _visible_officer(scope: Scope) -> Any:
    return scope.visible(
        OfficerPoolMember.jurisdiction_code,
        object_type=ObjectType.OFFICER_POOL,
        object_id=OfficerPoolMember.person_id,
    )


async def get_person(
    *, db_session: AsyncSession, scope: Scope, person_id: uuid.UUID
) -> Person | None:
    result: Person | None = await db_session.scalar(
        select(Person).where(Person.id == person_id, _visible_person(scope))
    )
    return result


def people_query(
    *, scope: Scope, span: CodeRange, include_inactive: bool, include_granted: bool = False
) -> Select[Person]:
    """People in ``span``; with ``include_granted``, also people granted to the caller."""
    in_span: ColumnElement[bool] = Person.jurisdiction_code.between(span.lo, span.hi)
    if include_granted:
        in_span = or_(in_span, Person.id == any_(granted_ids(ObjectType.PERSON, Action.READ)))
    query = select(Person).where(_visible_person(scope), in_span)
    if not include_inactive:
        query = query.where(Person.active.is_(True))
    return query


def officer_pool_query(
    *,
    scope: Scope,
    span: CodeRange,
    available: bool | None,
    speciality: Speciality | None = None,
    qualification: Qualification | None = None,
) -> Select[OfficerPoolMember]:
    query = select(OfficerPoolMember).where(
        _visible_officer(scope),
        OfficerPoolMember.active.is_(True),
        OfficerPoolMember.jurisdiction_code.between(span.lo, span.hi),
    )
    if available is not None:
        query = query.where(OfficerPoolMember.available.is_(available))
    if speciality is not None:
        query = query.where(OfficerPoolMember.speciality == speciality)
    if qualification is not None:
        query = query.where(OfficerPoolMember.qualification == qualification)
    return query


async def get_officer(
    *, db_session: AsyncSession, scope: Scope, person_id: uuid.UUID
) -> OfficerPoolMember | None:
    result: OfficerPoolMember | None = await db_session.scalar(
        select(OfficerPoolMember).where(
            OfficerPoolMember.person_id == person_id,
            OfficerPoolMember.active.is_(True),
            _visible_officer(scope),
        )
    )
    return result


async def roles_of(
    *, db_session: AsyncSession, scope: Scope, person_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[PersonRole]]:
    rows = await db_session.scalars(
        select(PersonRole)
        .join(Person, Person.id == PersonRole.person_id)
        .where(PersonRole.person_id.in_(person_ids), _visible_person(scope))
        .order_by(PersonRole.person_id, PersonRole.role)
    )
    result: dict[uuid.UUID, list[PersonRole]] = {i: [] for i in person_ids}
    for row in rows:
        result[row.person_id].append(row)
    return result


async def officers_of(
    *, db_session: AsyncSession, scope: Scope, person_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, OfficerPoolMember]:
    rows = await db_session.scalars(
        select(OfficerPoolMember).where(
            OfficerPoolMember.person_id.in_(person_ids),
            OfficerPoolMember.active.is_(True),
            _visible_officer(scope),
        )
    )
    return {row.person_id: row for row in rows}


async def people_by_ids(
    *, db_session: AsyncSession, scope: Scope, person_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, Person]:
    rows = await db_session.scalars(
        select(Person).where(Person.id.in_(person_ids), _visible_person(scope))
    )
    return {row.id: row for row in rows}


async def set_availability(
    *, db_session: AsyncSession, officer: OfficerPoolMember, available: bool, reason: str | None
) -> bool:
    """Mark an officer available for draws or not (R-3 动态管理); True if anything changed."""
    values = {"available": available, "unavailable_reason": None if available else reason}
    if all(getattr(officer, k) == v for k, v in values.items()):
        return False
    written = await db_session.scalar(
        update(OfficerPoolMember)
        .where(OfficerPoolMember.person_id == officer.person_id)
        .values(**values, updated_at=func.now())
        .returning(OfficerPoolMember.person_id)
    )
    if written is None:
        # Row-level security refused the write: the application's own check should have.
        raise AccessDenied("数据库拒绝修改该辖区的数据（write refused by row-level security）")
    await db_session.refresh(officer)
    return True
