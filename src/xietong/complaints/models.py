"""Complaints, their attachments and the notices issued on them. Tenant tables: each row carries
its jurisdiction and province and is under row-level security (migration 0008)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, UUID
from sqlalchemy.orm import Mapped, mapped_column

from xietong.complaints.enums import (
    ComplaintCategory,
    ComplaintOutcome,
    ComplaintRegime,
    ComplaintStatus,
    NoticeKind,
    RefusalGround,
)
from xietong.db.base import Base, text_enum
from xietong.deadlines.enums import PauseReason
from xietong.jurisdictions.enums import Industry
from xietong.trading.enums import ProjectCategory

_PROVINCE = "province_code = jurisdiction_code - jurisdiction_code % 10000"


class Complaint(Base):
    """A complaint or report (投诉举报, R-7): who filed it against what, and where it stands.

    What the filer wrote (``title``, ``body``) and who they are (``filer_*``) never enter the
    audit trail, which is kept forever and shown to auditors; events say what was done, by whom,
    under which rule.
    """

    __tablename__ = "complaint"
    __table_args__ = (
        CheckConstraint(_PROVINCE, name="province_prefix"),
        CheckConstraint(
            "project_code IS NOT NULL OR entity_credit_code IS NOT NULL", name="has_subject"
        ),
        CheckConstraint(
            "anonymous OR (filer_name IS NOT NULL AND filer_contact IS NOT NULL)",
            name="named_has_contact",
        ),
        CheckConstraint(
            "NOT anonymous OR (filer_name IS NULL AND filer_contact IS NULL)",
            name="anonymous_has_no_name",
        ),
        CheckConstraint("reopen_count BETWEEN 0 AND 1", name="reopened_once"),
        CheckConstraint("created_by = 'public:' || tracking_code", name="filed_by_public"),
        # Lists: a unit's complaints, newest first (keyset on received_at, id).
        Index("ix_complaint_jurisdiction_received", "jurisdiction_code", "received_at", "id"),
        Index("ix_complaint_handling_department", "handling_department_id", "status"),
        # Bounding public filing: a client's recent filings in a unit.
        Index("ix_complaint_client_recent", "jurisdiction_code", "client_hash", "received_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    jurisdiction_code: Mapped[int] = mapped_column(ForeignKey("jurisdiction.code"), nullable=False)
    province_code: Mapped[int] = mapped_column(Integer, nullable=False)
    tracking_code: Mapped[str] = mapped_column(String(16), nullable=False, unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    regime: Mapped[ComplaintRegime] = mapped_column(
        text_enum(ComplaintRegime, "complaint_regime"), nullable=False
    )
    category: Mapped[ComplaintCategory] = mapped_column(
        text_enum(ComplaintCategory, "complaint_category"), nullable=False
    )
    project_code: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    """The project's code on the trading platform (交易项目编号)."""
    project_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), nullable=True)
    """The project, once the trading tables exist and the code is linked (no foreign key yet)."""
    project_category: Mapped[ProjectCategory | None] = mapped_column(
        text_enum(ProjectCategory, "project_category"), nullable=True
    )
    industry: Mapped[Industry | None] = mapped_column(
        text_enum(Industry, "industry"), nullable=True
    )
    """The project's industry, as the office established it when routing (谁主管谁监管)."""
    entity_credit_code: Mapped[str | None] = mapped_column(String(18), nullable=True, index=True)
    """The market entity complained about (统一社会信用代码, checked)."""
    entity_name: Mapped[str | None] = mapped_column(Text, nullable=True)
    title: Mapped[str] = mapped_column(Text, nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    knew_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    """When the filer says they learnt of the matter (the complaint window runs from it)."""
    anonymous: Mapped[bool] = mapped_column(Boolean, nullable=False)
    filer_name: Mapped[str | None] = mapped_column(Text, nullable=True)
    filer_contact: Mapped[str | None] = mapped_column(Text, nullable=True)
    status: Mapped[ComplaintStatus] = mapped_column(
        text_enum(ComplaintStatus, "complaint_status"), nullable=False
    )
    outcome: Mapped[ComplaintOutcome | None] = mapped_column(
        text_enum(ComplaintOutcome, "complaint_outcome"), nullable=True
    )
    receiving_department_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("department.id"), nullable=False
    )
    """The department it was filed with (the office, or a department that must report it)."""
    handling_department_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("department.id"), nullable=True
    )
    """The competent department the office handed it to."""
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    received_on: Mapped[date] = mapped_column(Date, nullable=False)
    at_office_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    handed_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    review_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    """The day the competent department had the complete complaint (handover, 补正 received,
    reopening): acceptance dates back to it."""
    accepted_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    concluded_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    closed_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    correction_requested: Mapped[bool] = mapped_column(
        Boolean, nullable=False, server_default=text("false")
    )
    correction_items: Mapped[str | None] = mapped_column(Text, nullable=True)
    pause_reason: Mapped[PauseReason | None] = mapped_column(
        text_enum(PauseReason, "pause_reason"), nullable=True
    )
    """The examination holding the clocks (testing, appraisal, expert review), if any."""
    suspended: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=text("false"))
    """Procurement suspended (94号令 Art. 28) and not yet resumed."""
    respondent_notified_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    respondent_answered_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    refusal_ground: Mapped[RefusalGround | None] = mapped_column(
        text_enum(RefusalGround, "refusal_ground"), nullable=True
    )
    redirect_to: Mapped[str | None] = mapped_column(Text, nullable=True)
    """Where the filer was told to complain instead."""
    answer: Mapped[str | None] = mapped_column(Text, nullable=True)
    """What the filer reads: the decision, or the reasons of a refusal or redirection."""
    satisfied: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    rating_comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    rated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    reopen_count: Mapped[int] = mapped_column(
        SmallInteger, nullable=False, server_default=text("0")
    )
    client_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    """A keyed hash of the filing client's address, to bound filing abuse (never the address)."""
    created_by: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, server_default=func.now()
    )
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, server_default=func.now()
    )


class ComplaintAttachment(Base):
    """Evidence the filer attached, kept in the database under the complaint's row-level
    security (``attachments.py`` says why not large objects)."""

    __tablename__ = "complaint_attachment"
    __table_args__ = (
        CheckConstraint(_PROVINCE, name="province_prefix"),
        CheckConstraint("size = octet_length(content)", name="size_matches"),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    complaint_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("complaint.id"), nullable=False, index=True
    )
    jurisdiction_code: Mapped[int] = mapped_column(ForeignKey("jurisdiction.code"), nullable=False)
    province_code: Mapped[int] = mapped_column(Integer, nullable=False)
    filename: Mapped[str] = mapped_column(Text, nullable=False)
    media_type: Mapped[str] = mapped_column(String(100), nullable=False)
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    content: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    created_by: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, server_default=func.now()
    )


class ComplaintNotice(Base):
    """A notice sent to the complainant (受理通知书, 不予受理通知书, 补正通知书, 告知书,
    处理决定书), generated from a template by the move that issues it, and kept as issued."""

    __tablename__ = "complaint_notice"
    __table_args__ = (
        CheckConstraint(_PROVINCE, name="province_prefix"),
        CheckConstraint("size = octet_length(content)", name="size_matches"),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    complaint_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("complaint.id"), nullable=False, index=True
    )
    jurisdiction_code: Mapped[int] = mapped_column(ForeignKey("jurisdiction.code"), nullable=False)
    province_code: Mapped[int] = mapped_column(Integer, nullable=False)
    kind: Mapped[NoticeKind] = mapped_column(text_enum(NoticeKind, "notice_kind"), nullable=False)
    number: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    """The document number (文号)."""
    issued_on: Mapped[date] = mapped_column(Date, nullable=False)
    issued_by_department_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("department.id"), nullable=False
    )
    rule_ids: Mapped[list[str]] = mapped_column(ARRAY(String(64)), nullable=False)
    """The rules (``deadlines.rules``) whose clocks the notice states."""
    filename: Mapped[str] = mapped_column(Text, nullable=False)
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    content: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    created_by: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, server_default=func.now()
    )
