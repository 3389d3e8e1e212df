from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.dataloader import DataLoader

from xietong.access.guard import Guard
from xietong.api.dataloaders import keyed_loader
from xietong.jurisdictions import service
from xietong.jurisdictions.cache import JurisdictionTree
from xietong.jurisdictions.models import Department, Jurisdiction, JurisdictionVersion


@dataclass(frozen=True, slots=True)
class JurisdictionLoaders:
    jurisdiction_by_code: DataLoader[int, Jurisdiction | None]
    children_by_parent_code: DataLoader[int, list[Jurisdiction] | None]
    departments_by_jurisdiction_code: DataLoader[int, list[Department] | None]
    history_by_code: DataLoader[int, list[JurisdictionVersion] | None]
    department_by_id: DataLoader[uuid.UUID, Department | None]
    power_codes_by_department_id: DataLoader[uuid.UUID, list[str] | None]

    @classmethod
    def create(cls, session: AsyncSession, guard: Guard) -> JurisdictionLoaders:
        # reference data: public, no scope needed; the units themselves come from the
        # process's tree when there is one (jurisdictions.cache), the rest from the database
        tree = guard.authorizer.tree
        return cls(
            jurisdiction_by_code=keyed_loader(
                session, service.by_codes if tree is None else _by_codes(tree), key_arg="codes_"
            ),
            children_by_parent_code=keyed_loader(
                session,
                service.children_of if tree is None else _children_of(tree),
                key_arg="parents",
                default=list,
            ),
            departments_by_jurisdiction_code=keyed_loader(
                session, service.departments_of, key_arg="jurisdictions", default=list
            ),
            history_by_code=keyed_loader(
                session, service.history_of, key_arg="jurisdictions", default=list
            ),
            department_by_id=keyed_loader(session, service.departments_by_ids, key_arg="ids"),
            power_codes_by_department_id=keyed_loader(
                session, service.power_codes_of, key_arg="departments", default=list
            ),
        )


def _by_codes(
    tree: JurisdictionTree,
) -> Callable[..., Awaitable[dict[int, Jurisdiction]]]:
    async def by_codes(
        *, db_session: AsyncSession, codes_: Sequence[int]
    ) -> dict[int, Jurisdiction]:
        found = {c: row for c in codes_ if (row := tree.get(c)) is not None}
        missing = [c for c in codes_ if c not in found]
        if missing:  # added since the tree was loaded, or unknown
            found.update(await service.by_codes(db_session=db_session, codes_=missing))
        return found

    return by_codes


def _children_of(
    tree: JurisdictionTree,
) -> Callable[..., Awaitable[dict[int, list[Jurisdiction]]]]:
    async def children_of(
        *, db_session: AsyncSession, parents: Sequence[int]
    ) -> dict[int, list[Jurisdiction]]:
        found = {p: rows for p in parents if (rows := tree.children_of(p)) is not None}
        missing = [p for p in parents if p not in found]
        if missing:
            found.update(await service.children_of(db_session=db_session, parents=missing))
        return found

    return children_of
