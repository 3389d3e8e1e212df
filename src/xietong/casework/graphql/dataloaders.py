from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.dataloader import DataLoader

from xietong.access.guard import Guard
from xietong.casework.models import CaseDocument, CaseMaterial, LeadParticipant


@dataclass(frozen=True, slots=True)
class CaseworkLoaders:
    """A matter's materials and a lead's participants, batched. Only reached through a matter the
    caller could read (its query authorized it); row-level security scopes them once more: the
    other side reads a matter's materials only under the live grant on that matter."""

    materials_by_matter_id: DataLoader[uuid.UUID, list[CaseMaterial]]
    participants_by_lead_id: DataLoader[uuid.UUID, list[LeadParticipant]]
    documents_by_matter_id: DataLoader[uuid.UUID, list[CaseDocument]]

    @classmethod
    def create(cls, session: AsyncSession, guard: Guard) -> CaseworkLoaders:
        async def materials(ids: Sequence[uuid.UUID]) -> list[list[CaseMaterial]]:
            rows = await session.scalars(
                select(CaseMaterial)
                .where(CaseMaterial.matter_id.in_(list(ids)))
                .order_by(CaseMaterial.matter_id, CaseMaterial.position, CaseMaterial.id)
            )
            found: dict[uuid.UUID, list[CaseMaterial]] = {}
            for row in rows:
                found.setdefault(row.matter_id, []).append(row)
            return [found.get(i, []) for i in ids]

        async def participants(ids: Sequence[uuid.UUID]) -> list[list[LeadParticipant]]:
            rows = await session.scalars(
                select(LeadParticipant)
                .where(LeadParticipant.lead_id.in_(list(ids)))
                .order_by(LeadParticipant.lead_id, LeadParticipant.created_at, LeadParticipant.id)
            )
            found: dict[uuid.UUID, list[LeadParticipant]] = {}
            for row in rows:
                found.setdefault(row.lead_id, []).append(row)
            return [found.get(i, []) for i in ids]

        async def documents(ids: Sequence[uuid.UUID]) -> list[list[CaseDocument]]:
            rows = await session.scalars(
                select(CaseDocument)
                .where(CaseDocument.matter_id.in_(list(ids)))
                .order_by(CaseDocument.matter_id, CaseDocument.created_at, CaseDocument.id)
            )
            found: dict[uuid.UUID, list[CaseDocument]] = {}
            for row in rows:
                found.setdefault(row.matter_id, []).append(row)
            return [found.get(i, []) for i in ids]

        return cls(
            materials_by_matter_id=DataLoader(load_fn=materials),
            participants_by_lead_id=DataLoader(load_fn=participants),
            documents_by_matter_id=DataLoader(load_fn=documents),
        )
