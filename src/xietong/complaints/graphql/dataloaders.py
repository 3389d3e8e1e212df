from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.dataloader import DataLoader

from xietong.access.guard import Guard
from xietong.complaints import service
from xietong.complaints.models import ComplaintAttachment, ComplaintNotice


@dataclass(frozen=True, slots=True)
class ComplaintLoaders:
    """A complaint's attachments and notices, batched. Only reached through a complaint the
    caller could read (the complaint's own query authorized it); row-level security scopes them
    once more."""

    attachments_by_complaint_id: DataLoader[uuid.UUID, list[ComplaintAttachment]]
    notices_by_complaint_id: DataLoader[uuid.UUID, list[ComplaintNotice]]

    @classmethod
    def create(cls, session: AsyncSession, guard: Guard) -> ComplaintLoaders:
        async def attachments(ids: Sequence[uuid.UUID]) -> list[list[ComplaintAttachment]]:
            found = await service.attachments_of(db_session=session, complaint_ids=ids)
            return [found.get(i, []) for i in ids]

        async def notices(ids: Sequence[uuid.UUID]) -> list[list[ComplaintNotice]]:
            found = await service.notices_of(db_session=session, complaint_ids=ids)
            return [found.get(i, []) for i in ids]

        return cls(
            attachments_by_complaint_id=DataLoader(load_fn=attachments),
            notices_by_complaint_id=DataLoader(load_fn=notices),
        )
