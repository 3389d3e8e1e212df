"""The trading context's DataLoaders: one query per kind of nested record per request.

A project's records are loaded only for projects the caller may see (``visible_projects``, the
same rule as the top-level queries; row-level security applies it again in the database).
Market entities are public.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.dataloader import DataLoader

from xietong.access.guard import Guard
from xietong.trading import service
from xietong.trading.models import (
    Award,
    Bid,
    Contract,
    ContractChange,
    MarketEntity,
    NaturalPerson,
    Project,
    ProjectMove,
    ProjectReport,
)

R = TypeVar("R", Bid, Award, Contract, ProjectMove, ProjectReport)


@dataclass(frozen=True, slots=True)
class TradingLoaders:
    entity_by_id: DataLoader[uuid.UUID, MarketEntity | None]
    person_by_id: DataLoader[uuid.UUID, NaturalPerson | None]
    bids_by_project_id: DataLoader[uuid.UUID, list[Bid]]
    award_by_project_id: DataLoader[uuid.UUID, Award | None]
    contract_by_project_id: DataLoader[uuid.UUID, Contract | None]
    changes_by_contract_id: DataLoader[uuid.UUID, list[ContractChange]]
    moves_by_project_id: DataLoader[uuid.UUID, list[ProjectMove]]
    reports_by_project_id: DataLoader[uuid.UUID, list[ProjectReport]]

    @classmethod
    def create(cls, session: AsyncSession, guard: Guard) -> TradingLoaders:
        visible = service.visible_projects(guard.scope, guard.principal)

        async def of_projects(model: type[R], ids: Sequence[uuid.UUID], *order: Any) -> list[R]:
            rows = await session.scalars(
                select(model)
                .join(Project, Project.id == model.project_id)
                .where(model.project_id.in_(ids), visible)
                .order_by(*order)
            )
            return list(rows)

        async def many(model: type[R], ids: Sequence[uuid.UUID], *order: Any) -> list[list[R]]:
            grouped: dict[uuid.UUID, list[R]] = defaultdict(list)
            for row in await of_projects(model, ids, *order):
                grouped[row.project_id].append(row)
            return [grouped.get(i, []) for i in ids]

        async def one(model: type[R], ids: Sequence[uuid.UUID]) -> list[R | None]:
            found = {row.project_id: row for row in await of_projects(model, ids)}
            return [found.get(i) for i in ids]

        async def entities(ids: Sequence[uuid.UUID]) -> list[MarketEntity | None]:
            found = await service.entities_by_ids(db_session=session, ids=ids)
            return [found.get(i) for i in ids]

        async def persons(ids: Sequence[uuid.UUID]) -> list[NaturalPerson | None]:
            found = await service.persons_by_ids(db_session=session, scope=guard.scope, ids=ids)
            return [found.get(i) for i in ids]

        async def bids(ids: Sequence[uuid.UUID]) -> list[list[Bid]]:
            return await many(Bid, ids, Bid.submitted_at, Bid.id)

        async def awards(ids: Sequence[uuid.UUID]) -> list[Award | None]:
            return await one(Award, ids)

        async def contracts(ids: Sequence[uuid.UUID]) -> list[Contract | None]:
            return await one(Contract, ids)

        async def moves(ids: Sequence[uuid.UUID]) -> list[list[ProjectMove]]:
            return await many(ProjectMove, ids, ProjectMove.at, ProjectMove.id)

        async def reports(ids: Sequence[uuid.UUID]) -> list[list[ProjectReport]]:
            return await many(ProjectReport, ids, ProjectReport.reported_at, ProjectReport.id)

        async def changes(ids: Sequence[uuid.UUID]) -> list[list[ContractChange]]:
            grouped: dict[uuid.UUID, list[ContractChange]] = defaultdict(list)
            rows = await session.scalars(
                select(ContractChange)
                .join(Contract, Contract.id == ContractChange.contract_id)
                .join(Project, Project.id == Contract.project_id)
                .where(ContractChange.contract_id.in_(ids), visible)
                .order_by(ContractChange.changed_at, ContractChange.id)
            )
            for row in rows:
                grouped[row.contract_id].append(row)
            return [grouped.get(i, []) for i in ids]

        return cls(
            entity_by_id=DataLoader(load_fn=entities),
            person_by_id=DataLoader(load_fn=persons),
            bids_by_project_id=DataLoader(load_fn=bids),
            award_by_project_id=DataLoader(load_fn=awards),
            contract_by_project_id=DataLoader(load_fn=contracts),
            changes_by_contract_id=DataLoader(load_fn=changes),
            moves_by_project_id=DataLoader(load_fn=moves),
            reports_by_project_id=DataLoader(load_fn=reports),
        )
