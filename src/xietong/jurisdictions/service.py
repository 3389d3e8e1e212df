"""Reading the jurisdiction tree. Plain functions over a session; no GraphQL here."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from xietong.access.models import DepartmentPower
from xietong.access.scope import in_span
from xietong.jurisdictions import codes
from xietong.jurisdictions.enums import JurisdictionLevel
from xietong.jurisdictions.models import Department, Jurisdiction, JurisdictionVersion


async def get(*, db_session: AsyncSession, code: int) -> Jurisdiction | None:
    return await db_session.get(Jurisdiction, code)


async def list_jurisdictions(
    *,
    db_session: AsyncSession,
    level: JurisdictionLevel | None = None,
    under: int | None = None,
    include_retired: bool = False,
) -> Sequence[Jurisdiction]:
    """Units at ``level`` inside the subtree of ``under`` (excluding ``under`` itself)."""
    query = select(Jurisdiction).order_by(Jurisdiction.code)
    if level is not None:
        query = query.where(Jurisdiction.level == level)
    if under is not None:
        span = codes.subtree(under)
        query = query.where(in_span(Jurisdiction.code, span), Jurisdiction.code != under)
    if not include_retired:
        query = query.where(Jurisdiction.retired_on.is_(None))
    return (await db_session.scalars(query)).all()


async def by_codes(*, db_session: AsyncSession, codes_: Sequence[int]) -> dict[int, Jurisdiction]:
    rows = await db_session.scalars(select(Jurisdiction).where(Jurisdiction.code.in_(codes_)))
    return {j.code: j for j in rows}


async def children_of(
    *, db_session: AsyncSession, parents: Sequence[int]
) -> dict[int, list[Jurisdiction]]:
    rows = await db_session.scalars(
        select(Jurisdiction)
        .where(Jurisdiction.parent_code.in_(parents), Jurisdiction.retired_on.is_(None))
        .order_by(Jurisdiction.code)
    )
    result: dict[int, list[Jurisdiction]] = {p: [] for p in parents}
    for j in rows:
        assert j.parent_code is not None
        result[j.parent_code].append(j)
    return result


async def departments_of(
    *, db_session: AsyncSession, jurisdictions: Sequence[int]
) -> dict[int, list[Department]]:
    rows = await db_session.scalars(
        select(Department)
        .where(Department.jurisdiction_code.in_(jurisdictions), Department.active.is_(True))
        .order_by(Department.jurisdiction_code, Department.kind, Department.key)
    )
    result: dict[int, list[Department]] = {c: [] for c in jurisdictions}
    for d in rows:
        result[d.jurisdiction_code].append(d)
    return result


async def history_of(
    *, db_session: AsyncSession, jurisdictions: Sequence[int]
) -> dict[int, list[JurisdictionVersion]]:
    rows = await db_session.scalars(
        select(JurisdictionVersion)
        .where(JurisdictionVersion.code.in_(jurisdictions))
        .order_by(JurisdictionVersion.code, JurisdictionVersion.valid_from.nulls_first())
    )
    result: dict[int, list[JurisdictionVersion]] = {c: [] for c in jurisdictions}
    for v in rows:
        result[v.code].append(v)
    return result


async def departments_by_ids(
    *, db_session: AsyncSession, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, Department]:
    rows = await db_session.scalars(select(Department).where(Department.id.in_(ids)))
    return {d.id: d for d in rows}


async def power_codes_of(
    *, db_session: AsyncSession, departments: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[str]]:
    rows = await db_session.execute(
        select(DepartmentPower.department_id, DepartmentPower.power_code)
        .where(DepartmentPower.department_id.in_(departments))
        .order_by(DepartmentPower.department_id, DepartmentPower.position)
    )
    result: dict[uuid.UUID, list[str]] = {d: [] for d in departments}
    for department_id, code in rows:
        result[department_id].append(code)
    return result
