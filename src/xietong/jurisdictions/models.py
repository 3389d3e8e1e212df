from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from xietong.db.base import Base, Timestamped, text_enum
from xietong.jurisdictions.enums import DepartmentKind, Industry, JurisdictionLevel


class Jurisdiction(Timestamped, Base):
    """A GB/T 2260 unit. The integer code is the key and encodes the path (see ``codes``)."""

    __tablename__ = "jurisdiction"
    __table_args__ = (
        CheckConstraint("code BETWEEN 110000 AND 999999", name="code_six_digits"),
        CheckConstraint("province_code = code - code % 10000", name="province_prefix"),
    )

    code: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(Text, nullable=False)
    level: Mapped[JurisdictionLevel] = mapped_column(
        text_enum(JurisdictionLevel, "jurisdiction_level"), nullable=False
    )
    parent_code: Mapped[int | None] = mapped_column(
        ForeignKey("jurisdiction.code"), index=True, nullable=True
    )
    province_code: Mapped[int] = mapped_column(Integer, nullable=False, index=True)
    retired_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    """The first day the unit no longer exists; its records stay attached to it."""


class JurisdictionVersion(Base):
    """Effective-dated name and parent of a unit: renames and moves keep their history."""

    __tablename__ = "jurisdiction_version"
    __table_args__ = (
        UniqueConstraint("code", "valid_from"),
        CheckConstraint(
            "valid_to IS NULL OR valid_from IS NULL OR valid_to > valid_from", name="valid_period"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    code: Mapped[int] = mapped_column(ForeignKey("jurisdiction.code"), nullable=False, index=True)
    name: Mapped[str] = mapped_column(Text, nullable=False)
    parent_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    valid_from: Mapped[date | None] = mapped_column(Date, nullable=True)
    """Inclusive; NULL means "since before the service knew it"."""
    valid_to: Mapped[date | None] = mapped_column(Date, nullable=True)
    """Exclusive; NULL means current."""


class Department(Timestamped, Base):
    """A body of a jurisdiction: the office, an industry department, the trading centre…"""

    __tablename__ = "department"
    __table_args__ = (
        CheckConstraint(
            "(kind = 'industry' AND industry IS NOT NULL AND industry <> 'procurement')"
            " OR (kind = 'finance' AND industry = 'procurement')"
            " OR (kind NOT IN ('industry', 'finance') AND industry IS NULL)",
            name="industry_fits_kind",
        ),
        # Lets a grant name a department together with its jurisdiction (a composite foreign
        # key), so the two cannot disagree.
        UniqueConstraint("id", "jurisdiction_code"),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    key: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    jurisdiction_code: Mapped[int] = mapped_column(
        ForeignKey("jurisdiction.code"), nullable=False, index=True
    )
    province_code: Mapped[int] = mapped_column(Integer, nullable=False)
    name: Mapped[str] = mapped_column(Text, nullable=False)
    kind: Mapped[DepartmentKind] = mapped_column(
        text_enum(DepartmentKind, "department_kind"), nullable=False
    )
    industry: Mapped[Industry | None] = mapped_column(
        text_enum(Industry, "industry"), nullable=True
    )
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=text("true"))
