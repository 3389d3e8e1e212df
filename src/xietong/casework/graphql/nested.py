"""A complaint's leads and case transfers, and a lead's or a transfer's complaint, as nested
paths. Each is authorized exactly as its top-level query (``leads(complaintId:)``,
``caseTransfers(complaintId:)``, ``complaint(id:)``), never wider: the caller's reach for the
kind read (``Guard.reach``), the same queries (batched: ``CaseworkLoaders``), and null where
the top-level query would say null or refuse. So a transfer's receiver, which reads the
transfer through its grant, never reads the sender's complaint through it."""

from __future__ import annotations

import uuid

from xietong.access.actions import Action, ObjectType
from xietong.api.context import Info
from xietong.casework.graphql.dataloaders import CaseworkLoaders
from xietong.casework.models import CaseTransfer, Lead
from xietong.complaints import service as complaints
from xietong.complaints.models import Complaint


async def leads_of_complaint(info: Info, complaint_id: uuid.UUID) -> list[Lead]:
    loaders = info.context.loaders.of(CaseworkLoaders)
    return await loaders.leads_by_complaint_id.load(complaint_id)


async def transfers_of_complaint(info: Info, complaint_id: uuid.UUID) -> list[CaseTransfer]:
    loaders = info.context.loaders.of(CaseworkLoaders)
    return await loaders.transfers_by_complaint_id.load(complaint_id)


async def complaint_of(info: Info, complaint_id: uuid.UUID | None) -> Complaint | None:
    if complaint_id is None:
        return None
    ctx = info.context
    row = await complaints.get(db_session=ctx.db, scope=ctx.scope, complaint_id=complaint_id)
    if row is None:
        return None
    decision = await ctx.guard.decide(
        ObjectType.COMPLAINT, Action.READ, row.jurisdiction_code, object_id=row.id
    )
    return row if decision.allowed else None
