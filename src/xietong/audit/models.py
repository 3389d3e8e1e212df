from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from xietong.audit.enums import ActorKind
from xietong.db.base import Base, text_enum


class AuditEvent(Base):
    """One change, appended in the transaction that made it and never updated or deleted.

    Events of a province form a hash chain in ``id`` order (see ``xietong.audit.chain``): each
    ``hash`` covers the event's fields and the previous event's ``hash`` (``prev_hash``), and
    ``mac`` proves the hash was computed by a holder of the server secret. Inserting one moves
    the province's ``AuditChain`` head to it (a trigger, migration 0005), so the application
    never writes the head itself.
    """

    __tablename__ = "audit_event"
    __table_args__ = (
        CheckConstraint(
            "province_code = jurisdiction_code - jurisdiction_code % 10000",
            name="province_prefix",
        ),
        # NOT VALID where events recorded before MACs (migration 0005) exist: they keep none.
        CheckConstraint("key_id IS NOT NULL AND mac IS NOT NULL", name="signed"),
        Index("ix_audit_event_object", "object_type", "object_id"),
        Index("ix_audit_event_jurisdiction_code_occurred_at", "jurisdiction_code", "occurred_at"),
        Index("ix_audit_event_province_code_id", "province_code", "id"),
        Index(  # with ``prev_hash`` unique: one first event per province, so no fork at all
            "ix_audit_event_province_first",
            "province_code",
            unique=True,
            postgresql_where=text("prev_hash IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    """Set by the application (UTC, microseconds), not the database, so the hash is reproducible."""
    province_code: Mapped[int] = mapped_column(Integer, nullable=False)
    jurisdiction_code: Mapped[int] = mapped_column(ForeignKey("jurisdiction.code"), nullable=False)
    actor_kind: Mapped[ActorKind] = mapped_column(
        text_enum(ActorKind, "actor_kind"), nullable=False
    )
    actor: Mapped[str] = mapped_column(Text, nullable=False)
    """A login, an API key's public prefix, or "system"; never a secret."""
    action: Mapped[str] = mapped_column(Text, nullable=False)
    """``<context object>.<verb>``, e.g. "apiKey.create", "grant.create", "tenants.load"."""
    object_type: Mapped[str] = mapped_column(Text, nullable=False)
    object_id: Mapped[str | None] = mapped_column(Text, nullable=True)
    details: Mapped[dict[str, Any]] = mapped_column(
        JSONB, nullable=False, server_default=text("'{}'::jsonb")
    )
    """Non-secret facts only (see ``xietong.audit.service.record``)."""
    prev_hash: Mapped[str | None] = mapped_column(Text, nullable=True, unique=True)
    """The previous event's ``hash`` in this province; NULL for the province's first event.
    Unique: two events can never follow the same one, so the chain cannot fork."""
    hash: Mapped[str] = mapped_column(Text, nullable=False, unique=True)
    key_id: Mapped[str | None] = mapped_column(Text, nullable=True)
    """Which key made ``mac`` (``xietong.audit.chain.key_id``); it changes when the server secret
    is rotated."""
    mac: Mapped[str | None] = mapped_column(Text, nullable=True)
    """``HMAC-SHA256(audit key, hash)``: without the server secret nobody can make one, so an
    event written or rewritten by anyone else never verifies. NULL only on events recorded
    before migration 0005 (they do not verify either)."""


class AuditChain(Base):
    """The head of a province's chain. Writers lock this row, so a province's events serialize
    while different provinces never wait for each other.

    Only the table owner touches it: the application locks and reads its province's head through
    ``xietong_audit_head(province)`` and the insert trigger advances it, both ``SECURITY
    DEFINER`` functions of migration 0005.
    """

    __tablename__ = "audit_chain"

    province_code: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_event_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    last_hash: Mapped[str | None] = mapped_column(Text, nullable=True)
    event_count: Mapped[int] = mapped_column(BigInteger, nullable=False, server_default=text("0"))
    """How many events the chain holds, up to and including ``last_event_id``."""
