"""Objects that access decisions and grants can point at, by global-id type name.

Each bounded context registers its tenant-owned objects here: the model, its id column and its
jurisdiction column. ``locate`` finds an object's jurisdiction through the caller's scope, so an
object outside it is indistinguishable from one that does not exist.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from xietong.access.actions import ObjectType
from xietong.access.scope import Scope


@dataclass(frozen=True, slots=True)
class ObjectSpec:
    type_name: str  # as in global ids, e.g. "Person"
    object_type: ObjectType
    id_column: InstrumentedAttribute[uuid.UUID]
    jurisdiction_column: InstrumentedAttribute[int]
    grantable: bool = True


_REGISTRY: dict[str, ObjectSpec] = {}


def register(spec: ObjectSpec) -> None:
    _REGISTRY[spec.type_name] = spec


def spec_for(type_name: str) -> ObjectSpec | None:
    return _REGISTRY.get(type_name)


async def locate(
    session: AsyncSession, scope: Scope, spec: ObjectSpec, object_id: uuid.UUID
) -> int | None:
    """The object's jurisdiction if the caller can see it, else None."""
    query: Any = select(spec.jurisdiction_column).where(
        spec.id_column == object_id,
        scope.visible(
            spec.jurisdiction_column, object_type=spec.object_type, object_id=spec.id_column
        ),
    )
    result: int | None = await session.scalar(query)
    return result
