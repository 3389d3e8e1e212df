from __future__ import annotations

import functools
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.dataloader import DataLoader

from xietong.access.scope import Scope
from xietong.api.dataloaders import keyed_loader
from xietong.people import service
from xietong.people.models import OfficerPoolMember, Person, PersonRole


@dataclass(frozen=True, slots=True)
class PeopleLoaders:
    person_by_id: DataLoader[uuid.UUID, Person | None]
    roles_by_person_id: DataLoader[uuid.UUID, list[PersonRole] | None]
    officer_by_person_id: DataLoader[uuid.UUID, OfficerPoolMember | None]

    @classmethod
    def create(cls, session: AsyncSession, scope: Scope) -> PeopleLoaders:
        def scoped(fn: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
            return functools.partial(fn, scope=scope)

        return cls(
            person_by_id=keyed_loader(session, scoped(service.people_by_ids), key_arg="person_ids"),
            roles_by_person_id=keyed_loader(
                session, scoped(service.roles_of), key_arg="person_ids", default=list
            ),
            officer_by_person_id=keyed_loader(
                session, scoped(service.officers_of), key_arg="person_ids"
            ),
        )
