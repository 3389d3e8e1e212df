"""The caller's scope: computed once per request, applied twice.

Once in the application, as an SQL predicate on every list and lookup (``Scope.visible``); once in
PostgreSQL, as row-level security reading the same numbers from transaction-local settings
(``apply``). Either wall alone keeps a county out of its sibling's rows. The grant arm of both is
the same SQL function, ``xietong_granted_ids(object_type, action)`` (migration 0003).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import ARRAY, ColumnElement, any_, false, func, or_, select, true
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from xietong.access.actions import Action, ObjectType
from xietong.access.principal import Principal
from xietong.jurisdictions import codes


@dataclass(frozen=True, slots=True)
class Scope:
    actor: str
    read: codes.CodeRange | None = None
    """Everything the caller may read: its jurisdiction's subtree."""
    write_code: int | None = None
    """The one jurisdiction the caller may write in (casework is local); None for read-only."""
    jurisdiction_code: int | None = None
    department_id: uuid.UUID | None = None
    app_wall: bool = True
    """False only under the test hook ``app.state.app_wall = False``: the application then
    filters nothing by jurisdiction, so the isolation tests prove PostgreSQL's wall alone."""

    @classmethod
    def of(cls, principal: Principal, *, app_wall: bool = True) -> Scope:
        own = principal.jurisdiction_code
        if own is None:
            return cls(actor=principal.actor, app_wall=app_wall)
        return cls(
            app_wall=app_wall,
            actor=principal.actor,
            read=codes.subtree(own),
            write_code=None if principal.read_only else own,
            jurisdiction_code=own,
            department_id=principal.department.id if principal.department else None,
        )

    def settings(self) -> dict[str, str]:
        """The transaction-local settings row-level security reads; '' means unset."""

        def text(value: object) -> str:
            return "" if value is None else str(value)

        return {
            "xietong.actor": self.actor,
            "xietong.read_lo": text(self.read.lo if self.read else None),
            "xietong.read_hi": text(self.read.hi if self.read else None),
            "xietong.write_code": text(self.write_code),
            "xietong.jurisdiction": text(self.jurisdiction_code),
            "xietong.department": text(self.department_id),
        }

    def visible(
        self,
        jurisdiction: InstrumentedAttribute[int],
        *,
        object_type: ObjectType | None = None,
        object_id: InstrumentedAttribute[uuid.UUID] | None = None,
    ) -> ColumnElement[bool]:
        """The application's wall: rows in the caller's subtree, or granted to it."""
        if not self.app_wall:
            return true()
        if self.read is None:
            return false()
        in_subtree = jurisdiction.between(self.read.lo, self.read.hi)
        if object_type is None or object_id is None:
            return in_subtree
        return or_(in_subtree, object_id == any_(granted_ids(object_type, Action.READ)))

    def can_write(self, jurisdiction_code: int) -> bool:
        return jurisdiction_code == self.write_code


def granted_ids(object_type: ObjectType, action: Action) -> ColumnElement[list[uuid.UUID]]:
    return func.xietong_granted_ids(object_type.value, action.value, type_=ARRAY(UUID))


async def apply(session: AsyncSession, scope: Scope) -> None:
    """Set the scope for the current transaction only (safe under connection pooling)."""
    values = scope.settings()
    await session.execute(
        select(*(func.set_config(name, value, True) for name, value in values.items()))
    )
