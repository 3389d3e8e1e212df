from __future__ import annotations

import uuid

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, text
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from xietong.access.roles import Role
from xietong.db.base import Base, Timestamped, text_enum
from xietong.people.enums import Qualification, Speciality


class Person(Timestamped, Base):
    """Someone who signs in. Removed from a tenant file, a person is deactivated, not deleted."""

    __tablename__ = "person"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    login: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    name: Mapped[str] = mapped_column(Text, nullable=False)
    department_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("department.id"), nullable=False, index=True
    )
    jurisdiction_code: Mapped[int] = mapped_column(
        ForeignKey("jurisdiction.code"), nullable=False, index=True
    )
    province_code: Mapped[int] = mapped_column(Integer, nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=text("true"))


class PersonRole(Base):
    """A role held in a jurisdiction (the Casbin domain)."""

    __tablename__ = "person_role"

    person_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[Role] = mapped_column(text_enum(Role, "role"), primary_key=True)
    jurisdiction_code: Mapped[int] = mapped_column(
        ForeignKey("jurisdiction.code"), primary_key=True
    )
    province_code: Mapped[int] = mapped_column(Integer, nullable=False)


class OfficerPoolMember(Timestamped, Base):
    """Membership of a jurisdiction's officer pool (执法人员库, R-3), managed dynamically."""

    __tablename__ = "officer_pool_member"

    person_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), primary_key=True
    )
    department_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("department.id"), nullable=False, index=True
    )
    jurisdiction_code: Mapped[int] = mapped_column(
        ForeignKey("jurisdiction.code"), nullable=False, index=True
    )
    province_code: Mapped[int] = mapped_column(Integer, nullable=False)
    qualification: Mapped[Qualification] = mapped_column(
        text_enum(Qualification, "qualification"), nullable=False
    )
    speciality: Mapped[Speciality] = mapped_column(
        text_enum(Speciality, "speciality"), nullable=False
    )
    certificate: Mapped[str | None] = mapped_column(String(64), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=text("true"))
    """Membership, declared in the tenant file."""
    available: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=text("true"))
    """Day-to-day availability for draws, managed by the office (R-3 动态管理); tenant loads
    leave it alone."""
    unavailable_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
