"""Reading an inbox and marking a notification read. Notifications are written by the deadline
sweep (``xietong.deadlines.sweep``), never here."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ColumnElement, Select, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from xietong.access.scope import Scope
from xietong.jurisdictions.codes import CodeRange
from xietong.notifications.models import Notification

INBOX_KEYS = (Notification.created_at, Notification.id)
"""Newest first (``paginate(..., descending=True)``)."""


def _addressed_to(
    scope: Scope, jurisdiction_code: int, department_id: uuid.UUID
) -> ColumnElement[bool]:
    """What the caller's inbox holds: its unit's notifications for its department, or for
    everyone of the unit (no department named)."""
    return (
        scope.within(
            Notification.jurisdiction_code, CodeRange(jurisdiction_code, jurisdiction_code)
        )
        & scope.visible(Notification.jurisdiction_code)
        & or_(
            Notification.recipient_department_id == department_id,
            Notification.recipient_department_id.is_(None),
        )
    )


def inbox_query(
    *,
    scope: Scope,
    jurisdiction_code: int,
    department_id: uuid.UUID,
    unread: bool | None,
) -> Select[Notification]:
    query = select(Notification).where(_addressed_to(scope, jurisdiction_code, department_id))
    if unread is True:
        query = query.where(Notification.read_at.is_(None))
    elif unread is False:
        query = query.where(Notification.read_at.is_not(None))
    return query


async def mark_read(
    *,
    db_session: AsyncSession,
    scope: Scope,
    notification_id: uuid.UUID,
    jurisdiction_code: int,
    department_id: uuid.UUID,
    actor: str,
    now: datetime,
) -> tuple[Notification | None, bool]:
    """Mark one notification of the caller's inbox read; (the notification, whether this call
    changed it). (None, False) if it is not in the inbox: unknown, another unit's or another
    department's — the same answer for each."""
    addressed = _addressed_to(scope, jurisdiction_code, department_id)
    changed = await db_session.scalar(
        update(Notification)
        .where(Notification.id == notification_id, Notification.read_at.is_(None), addressed)
        .values(read_at=now, read_by=actor)
        .returning(Notification)
        .execution_options(synchronize_session=False)
    )
    if changed is not None:
        return changed, True
    found = await db_session.scalar(
        select(Notification).where(Notification.id == notification_id, addressed)
    )
    return found, False
