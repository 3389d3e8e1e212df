from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.dataloader import DataLoader

from xietong.access.actions import Action, ObjectType
from xietong.access.guard import Guard
from xietong.people import service
from xietong.people.models import OfficerPoolMember, Person, PersonRole


@dataclass(frozen=True, slots=True)
class PeopleLoaders:
    """Nested people and pool entries, authorized like the top-level queries: each batch asks
    the guard where the caller may read the object type (``Guard.reach``) and loads only that,
    plus grants and the caller's own record."""

    person_by_id: DataLoader[uuid.UUID, Person | None]
    roles_by_person_id: DataLoader[uuid.UUID, list[PersonRole]]
    officer_by_person_id: DataLoader[uuid.UUID, OfficerPoolMember | None]

    @classmethod
    def create(cls, session: AsyncSession, guard: Guard) -> PeopleLoaders:
        own = guard.principal.person_id

        async def people(ids: Sequence[uuid.UUID]) -> list[Person | None]:
            found = await service.people_by_ids(
                db_session=session,
                scope=guard.scope,
                person_ids=ids,
                span=guard.reach(ObjectType.PERSON, Action.READ),
                own_id=own,
            )
            return [found.get(i) for i in ids]

        async def roles(ids: Sequence[uuid.UUID]) -> list[list[PersonRole]]:
            found = await service.roles_of(
                db_session=session,
                scope=guard.scope,
                person_ids=ids,
                span=guard.reach(ObjectType.PERSON, Action.READ),
                own_id=own,
            )
            return [found.get(i, []) for i in ids]

        async def officers(ids: Sequence[uuid.UUID]) -> list[OfficerPoolMember | None]:
            found = await service.officers_of(
                db_session=session,
                scope=guard.scope,
                person_ids=ids,
                span=guard.reach(ObjectType.OFFICER_POOL, Action.READ),
            )
            return [found.get(i) for i in ids]

        return cls(
            person_by_id=DataLoader(load_fn=people),
            roles_by_person_id=DataLoader(load_fn=roles),
            officer_by_person_id=DataLoader(load_fn=officers),
        )
