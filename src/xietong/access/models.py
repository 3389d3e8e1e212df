from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    ARRAY,
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    func,
)
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from xietong.access.actions import ObjectType
from xietong.db.base import Base, text_enum


class DepartmentPower(Base):
    """One entry of a department's published power list (R-2), in published order."""

    __tablename__ = "department_power"

    department_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("department.id", ondelete="CASCADE"), primary_key=True
    )
    power_code: Mapped[str] = mapped_column(String(64), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, nullable=False)


class ApiKey(Base):
    """An integrator's key: for one jurisdiction subtree and a set of roles. Only a hash of the
    secret is stored; the secret is shown once, when the key is created."""

    __tablename__ = "api_key"
    __table_args__ = (
        CheckConstraint(
            "roles::text[] <@ ARRAY['integrator', 'trading_centre', 'leadership']::text[] "
            "AND cardinality(roles) > 0",
            name="roles_allowed",
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    prefix: Mapped[str] = mapped_column(String(16), nullable=False, unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    name: Mapped[str] = mapped_column(Text, nullable=False)
    jurisdiction_code: Mapped[int] = mapped_column(
        ForeignKey("jurisdiction.code"), nullable=False, index=True
    )
    province_code: Mapped[int] = mapped_column(Integer, nullable=False)
    roles: Mapped[list[str]] = mapped_column(ARRAY(String(32)), nullable=False)
    created_by: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    """The login of the person who created it (row-level security insists it is the caller)."""
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    revoked_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    creator_left_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    """When its creator was deactivated (set by the database, migration 0004): an office lists
    such keys to revoke or re-issue them."""


class AccessGrant(Base):
    """Narrow, expiring access to one object (and optionally its related records) for another
    jurisdiction, or one department of it. Transfers, assistance letters, remote evaluation and
    joint inspections all use this one mechanism."""

    __tablename__ = "access_grant"
    __table_args__ = (
        CheckConstraint("expires_at > starts_at", name="period"),
        Index("ix_access_grant_object", "object_type", "object_id"),
        # The department, when named, belongs to the grantee jurisdiction.
        ForeignKeyConstraint(
            ["grantee_department_id", "grantee_jurisdiction_code"],
            ["department.id", "department.jurisdiction_code"],
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    object_type: Mapped[ObjectType] = mapped_column(
        text_enum(ObjectType, "object_type"), nullable=False
    )
    object_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False)
    object_jurisdiction_code: Mapped[int] = mapped_column(
        ForeignKey("jurisdiction.code"), nullable=False
    )
    province_code: Mapped[int] = mapped_column(Integer, nullable=False)
    grantee_jurisdiction_code: Mapped[int] = mapped_column(
        ForeignKey("jurisdiction.code"), nullable=False, index=True
    )
    grantee_department_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), nullable=True
    )
    actions: Mapped[list[str]] = mapped_column(ARRAY(String(32)), nullable=False)
    include_related: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    created_by: Mapped[str] = mapped_column(String(64), nullable=False)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    revoked_by: Mapped[str | None] = mapped_column(String(64), nullable=True)


class PolicyVersion(Base):
    """One row: a counter the database moves whenever the owner changes what the access policy
    is built from (jurisdictions, departments, power lists; triggers in migration 0004). Every
    process reloads its policy when the counter has moved, and only then: the application role
    can send the reload notification but cannot move the counter."""

    __tablename__ = "policy_version"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(BigInteger, nullable=False)
    changed_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
