"""One row per thing a department is told. The row lives in its recipient's jurisdiction (the
inbox's tenancy); ``idempotency_key`` is unique, so whoever writes one twice writes it once."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from xietong.db.base import Base, text_enum
from xietong.notifications.enums import NotificationKind


class Notification(Base):
    __tablename__ = "notification"
    __table_args__ = (
        CheckConstraint(
            "province_code = jurisdiction_code - jurisdiction_code % 10000", name="province_prefix"
        ),
        CheckConstraint("(read_at IS NULL) = (read_by IS NULL)", name="read_together"),
        CheckConstraint("created_by LIKE 'system:%'", name="written_by_the_system"),
        Index("ix_notification_inbox", "recipient_department_id", "created_at", "id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    jurisdiction_code: Mapped[int] = mapped_column(
        ForeignKey("jurisdiction.code"), nullable=False, index=True
    )
    """The recipient's jurisdiction."""
    province_code: Mapped[int] = mapped_column(Integer, nullable=False)
    recipient_department_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("department.id"), nullable=True
    )
    """The department told; NULL: everyone of the jurisdiction (no such department exists)."""
    kind: Mapped[NotificationKind] = mapped_column(
        text_enum(NotificationKind, "notification_kind"), nullable=False
    )
    obligation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("obligation.id"), nullable=False, index=True
    )
    rule_id: Mapped[str] = mapped_column(String(64), nullable=False)
    """The obligation's rule (what the message names)."""
    source_jurisdiction_code: Mapped[int] = mapped_column(Integer, nullable=False)
    """Where the clock is owed: the recipient's own unit, or a unit below (an escalation)."""
    due_on: Mapped[date] = mapped_column(Date, nullable=False)
    """The due date the notification speaks of (a clock that moves gets new notifications)."""
    idempotency_key: Mapped[str] = mapped_column(String(160), nullable=False, unique=True)
    created_by: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    read_by: Mapped[str | None] = mapped_column(Text, nullable=True)
