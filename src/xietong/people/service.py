"""People and the officer pool, always read through the caller's scope."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, any_, false, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from xietong.access.actions import Action, ObjectType
from xietong.access.errors import AccessDenied
from xietong.access.scope import Scope, granted_ids, in_span
from xietong.jurisdictions.codes import CodeRange
from xietong.people.enums import Qualification, Speciality
from xietong.people.models import OfficerPoolMember, Person, PersonRole


def _visible_person(scope: Scope) -> Any:
    return scope.visible(
        Person.jurisdiction_code, object_type=ObjectType.PERSON, object_id=Person.id
    )


def _readable_person(
    scope: Scope, span: CodeRange | None, own_id: uuid.UUID | None
) -> ColumnElement[bool]:
    """What reading a person allows, for nested paths: in the caller's reach for ``person:read``
    (``Guard.reach``) or granted to it, and always the caller's own record."""
    arms: list[ColumnElement[bool]] = []
    if span is not None:
        arms += [
            scope.within(Person.jurisdiction_code, span),
            Person.id == any_(granted_ids(ObjectType.PERSON, Action.READ)),
        ]
    if own_id is not None:
        arms.append(Person.id == own_id)
    return and_(_visible_person(scope), or_(*arms)) if arms else false()


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
    in_range: ColumnElement[bool] = in_span(Person.jurisdiction_code, span)
    if include_granted:
        in_range = or_(in_range, Person.id == any_(granted_ids(ObjectType.PERSON, Action.READ)))
    query = select(Person).where(_visible_person(scope), in_range)
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
        in_span(OfficerPoolMember.jurisdiction_code, span),
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
    *,
    db_session: AsyncSession,
    scope: Scope,
    person_ids: Sequence[uuid.UUID],
    span: CodeRange | None,
    own_id: uuid.UUID | None = None,
) -> dict[uuid.UUID, list[PersonRole]]:
    """Roles of the people the caller may read (see ``people_by_ids``)."""
    rows = await db_session.scalars(
        select(PersonRole)
        .join(Person, Person.id == PersonRole.person_id)
        .where(PersonRole.person_id.in_(person_ids), _readable_person(scope, span, own_id))
        .order_by(PersonRole.person_id, PersonRole.role)
    )
    result: dict[uuid.UUID, list[PersonRole]] = {i: [] for i in person_ids}
    for row in rows:
        result[row.person_id].append(row)
    return result


async def officers_of(
    *,
    db_session: AsyncSession,
    scope: Scope,
    person_ids: Sequence[uuid.UUID],
    span: CodeRange | None,
) -> dict[uuid.UUID, OfficerPoolMember]:
    """Pool entries the caller may read: within its ``officer_pool:read`` reach (``span``, from
    ``Guard.reach``) or granted to it; none without that permission."""
    if span is None:
        return {}
    rows = await db_session.scalars(
        select(OfficerPoolMember).where(
            OfficerPoolMember.person_id.in_(person_ids),
            OfficerPoolMember.active.is_(True),
            _visible_officer(scope),
            or_(
                scope.within(OfficerPoolMember.jurisdiction_code, span),
                OfficerPoolMember.person_id
                == any_(granted_ids(ObjectType.OFFICER_POOL, Action.READ)),
            ),
        )
    )
    return {row.person_id: row for row in rows}


async def people_by_ids(
    *,
    db_session: AsyncSession,
    scope: Scope,
    person_ids: Sequence[uuid.UUID],
    span: CodeRange | None,
    own_id: uuid.UUID | None = None,
) -> dict[uuid.UUID, Person]:
    """People the caller may read, for nested paths: within its ``person:read`` reach
    (``span``, from ``Guard.reach``; None without that permission) or granted to it, and its
    own record (``own_id``), which ``me`` shows anyway."""
    rows = await db_session.scalars(
        select(Person).where(Person.id.in_(person_ids), _readable_person(scope, span, own_id))
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
