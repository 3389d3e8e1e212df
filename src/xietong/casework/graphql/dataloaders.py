from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.dataloader import DataLoader

from xietong.access.actions import Action, ObjectType
from xietong.access.guard import Guard
from xietong.casework import leads, transfers
from xietong.casework.models import CaseDocument, CaseMaterial, CaseTransfer, Lead, LeadParticipant


@dataclass(frozen=True, slots=True)
class CaseworkLoaders:
    """A matter's materials and a lead's participants, batched. Only reached through a matter the
    caller could read (its query authorized it); row-level security scopes them once more: the
    other side reads a matter's materials only under the live grant on that matter."""

    materials_by_matter_id: DataLoader[uuid.UUID, list[CaseMaterial]]
    participants_by_lead_id: DataLoader[uuid.UUID, list[LeadParticipant]]
    documents_by_matter_id: DataLoader[uuid.UUID, list[CaseDocument]]
    leads_by_complaint_id: DataLoader[uuid.UUID, list[Lead]]
    """A complaint's leads as ``leads(complaintId:)`` lists them: the caller's ``lead:read``
    reach, the same query; none without that permission."""
    transfers_by_complaint_id: DataLoader[uuid.UUID, list[CaseTransfer]]
    """A complaint's transfers as ``caseTransfers(complaintId:)`` lists them (outgoing, the
    caller's ``case:read`` reach)."""

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

        async def complaint_leads(ids: Sequence[uuid.UUID]) -> list[list[Lead]]:
            found: dict[uuid.UUID, list[Lead]] = {}
            reach = guard.reach(ObjectType.LEAD, Action.READ)
            if reach is not None:
                query = leads.leads_query(
                    scope=guard.scope, span=reach, status=(), complaint_id=None
                )
                rows = await session.scalars(
                    query.where(Lead.complaint_id.in_(list(ids))).order_by(Lead.created_at, Lead.id)
                )
                for row in rows:
                    found.setdefault(row.complaint_id, []).append(row)  # type: ignore[arg-type]
            return [found.get(i, []) for i in ids]

        async def complaint_transfers(ids: Sequence[uuid.UUID]) -> list[list[CaseTransfer]]:
            found: dict[uuid.UUID, list[CaseTransfer]] = {}
            reach = guard.reach(ObjectType.CASE, Action.READ)
            if reach is not None:
                query = transfers.transfers_query(
                    scope=guard.scope, span=reach, incoming=False, status=()
                )
                rows = await session.scalars(
                    query.where(CaseTransfer.complaint_id.in_(list(ids))).order_by(
                        CaseTransfer.created_at, CaseTransfer.id
                    )
                )
                for row in rows:
                    found.setdefault(row.complaint_id, []).append(row)  # type: ignore[arg-type]
            return [found.get(i, []) for i in ids]

        return cls(
            materials_by_matter_id=DataLoader(load_fn=materials),
            participants_by_lead_id=DataLoader(load_fn=participants),
            documents_by_matter_id=DataLoader(load_fn=documents),
            leads_by_complaint_id=DataLoader(load_fn=complaint_leads),
            transfers_by_complaint_id=DataLoader(load_fn=complaint_transfers),
        )
