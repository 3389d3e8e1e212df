"""Leads, case transfers, assistance letters and the materials they carry. Tenant tables: each row
carries its jurisdiction (the sender's, the requester's, the registering unit's) and province and
is under row-level security (migration 0009). The other side reads a transfer or letter, and its
materials, only through the live grant the send created."""

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
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from xietong.casework.enums import (
    DocumentKind,
    LeadDisposition,
    LeadSource,
    LeadStatus,
    LetterStatus,
    TransferGround,
    TransferStatus,
)
from xietong.db.base import Base, text_enum

_PROVINCE = "province_code = jurisdiction_code - jurisdiction_code % 10000"


class _Row:
    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    province_code: Mapped[int] = mapped_column(Integer, nullable=False)
    created_by: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )


class Lead(_Row, Base):
    """A lead (问题线索, R-8): a possible violation found by witnessing, monitoring, an inspection
    or a complaint; transferred by the office to the competent department, verified jointly when
    serious, and disposed of (penalty, discipline inspection, police, unfounded)."""

    __tablename__ = "lead"
    __table_args__ = (
        CheckConstraint(_PROVINCE, name="province_prefix"),
        CheckConstraint(
            "(status = 'disposed') = (disposition IS NOT NULL)", name="disposed_has_disposition"
        ),
        Index("ix_lead_jurisdiction_created", "jurisdiction_code", "created_at", "id"),
    )

    jurisdiction_code: Mapped[int] = mapped_column(ForeignKey("jurisdiction.code"), nullable=False)
    number: Mapped[str] = mapped_column(String(40), nullable=False, unique=True)
    source: Mapped[LeadSource] = mapped_column(text_enum(LeadSource, "lead_source"), nullable=False)
    title: Mapped[str] = mapped_column(Text, nullable=False)
    facts: Mapped[str] = mapped_column(Text, nullable=False)
    serious: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    project_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    entity_name: Mapped[str | None] = mapped_column(Text, nullable=True)
    found_on: Mapped[date] = mapped_column(Date, nullable=False)
    registered_by_department_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("department.id"), nullable=True
    )
    complaint_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("complaint.id"), nullable=True, index=True
    )
    """The complaint that spawned it (shown both ways)."""
    status: Mapped[LeadStatus] = mapped_column(text_enum(LeadStatus, "lead_status"), nullable=False)
    competent_department_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("department.id"), nullable=True
    )
    transferred_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    verification_started_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    disposition: Mapped[LeadDisposition | None] = mapped_column(
        text_enum(LeadDisposition, "lead_disposition"), nullable=True
    )
    disposition_department_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("department.id"), nullable=True
    )
    """Who it went to: the penalising department, discipline inspection or the police."""
    disposition_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    disposed_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )


class LeadParticipant(_Row, Base):
    """A department taking part in a lead's joint verification (联合核查), with its finding."""

    __tablename__ = "lead_participant"
    __table_args__ = (
        CheckConstraint(_PROVINCE, name="province_prefix"),
        CheckConstraint("(finding IS NULL) = (found_by IS NULL)", name="finding_signed"),
        UniqueConstraint("lead_id", "department_id", name="one_per_department"),
    )

    lead_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("lead.id"), nullable=False, index=True)
    jurisdiction_code: Mapped[int] = mapped_column(ForeignKey("jurisdiction.code"), nullable=False)
    department_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("department.id"), nullable=False)
    finding: Mapped[str | None] = mapped_column(Text, nullable=True)
    found_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    found_by: Mapped[str | None] = mapped_column(Text, nullable=True)


class CaseTransfer(_Row, Base):
    """A case transferred to another unit's department (案件移送, R-9), with its receipt (回执).

    The row lives in the sender's unit; the receiver reads and moves it through the grant the
    send created (row-level security: ``granted``), never through a wider role."""

    __tablename__ = "case_transfer"
    __table_args__ = (
        CheckConstraint(_PROVINCE, name="province_prefix"),
        CheckConstraint(
            "receiver_province_code = receiver_jurisdiction_code "
            "- receiver_jurisdiction_code % 10000",
            name="receiver_province_prefix",
        ),
        CheckConstraint("receiver_jurisdiction_code <> jurisdiction_code", name="another_unit"),
        CheckConstraint(
            "status <> 'returned' OR return_reason IS NOT NULL", name="return_has_reason"
        ),
        Index("ix_case_transfer_jurisdiction_created", "jurisdiction_code", "created_at", "id"),
        Index("ix_case_transfer_receiver", "receiver_jurisdiction_code", "status"),
    )

    jurisdiction_code: Mapped[int] = mapped_column(ForeignKey("jurisdiction.code"), nullable=False)
    """The sender's unit (the row's tenancy)."""
    number: Mapped[str] = mapped_column(String(40), nullable=False, unique=True)
    sender_department_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("department.id"), nullable=False
    )
    receiver_jurisdiction_code: Mapped[int] = mapped_column(
        ForeignKey("jurisdiction.code"), nullable=False
    )
    receiver_province_code: Mapped[int] = mapped_column(Integer, nullable=False)
    receiver_department_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("department.id"), nullable=False
    )
    ground: Mapped[TransferGround] = mapped_column(
        text_enum(TransferGround, "transfer_ground"), nullable=False
    )
    title: Mapped[str] = mapped_column(Text, nullable=False)
    facts: Mapped[str] = mapped_column(Text, nullable=False)
    discovered_on: Mapped[date] = mapped_column(Date, nullable=False)
    """The day the sender received the complaint or discovered the violation: R9.transfer's
    5 working days run from it (ZENGDU 13)."""
    sent_on: Mapped[date] = mapped_column(Date, nullable=False)
    complaint_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("complaint.id"), nullable=True, index=True
    )
    lead_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("lead.id"), nullable=True, index=True
    )
    forwarded_from_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("case_transfer.id"), nullable=True
    )
    """The transfer this one forwards to the competent level (转送)."""
    grant_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("access_grant.id"), nullable=True)
    status: Mapped[TransferStatus] = mapped_column(
        text_enum(TransferStatus, "transfer_status"), nullable=False
    )
    received_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    received_by: Mapped[str | None] = mapped_column(Text, nullable=True)
    receipt_digest: Mapped[str | None] = mapped_column(String(64), nullable=True)
    """SHA-256 over the materials' hashes as the receiver confirmed them (the receipt)."""
    accepted_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    decided_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    returned_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    return_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    forwarded_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    forwarded_to_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), nullable=True)
    """The onward transfer (a row of the forwarding unit, which the sender cannot read)."""
    forwarded_to_jurisdiction_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    forwarded_to_department_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), nullable=True
    )
    """Where it went: what the sender is told (ZENGDU 14: 告知移送部门)."""
    forward_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    concluded_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    result: Mapped[str | None] = mapped_column(Text, nullable=True)
    reported_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    closed_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    closed_by: Mapped[str | None] = mapped_column(Text, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )


class AssistanceLetter(_Row, Base):
    """An assistance letter (协助办理函, R-10): the case, the help asked, why, and the evidence.
    The helper returns it within 5 working days when it is outside its duties, with reasons, or
    helps and answers in writing."""

    __tablename__ = "assistance_letter"
    __table_args__ = (
        CheckConstraint(_PROVINCE, name="province_prefix"),
        CheckConstraint(
            "helper_province_code = helper_jurisdiction_code - helper_jurisdiction_code % 10000",
            name="helper_province_prefix",
        ),
        CheckConstraint("helper_jurisdiction_code <> jurisdiction_code", name="another_unit"),
        CheckConstraint(
            "status <> 'returned' OR return_reason IS NOT NULL", name="return_has_reason"
        ),
        Index("ix_assistance_letter_jurisdiction_created", "jurisdiction_code", "created_at", "id"),
    )

    jurisdiction_code: Mapped[int] = mapped_column(ForeignKey("jurisdiction.code"), nullable=False)
    number: Mapped[str] = mapped_column(String(40), nullable=False, unique=True)
    requesting_department_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("department.id"), nullable=False
    )
    helper_jurisdiction_code: Mapped[int] = mapped_column(
        ForeignKey("jurisdiction.code"), nullable=False
    )
    helper_province_code: Mapped[int] = mapped_column(Integer, nullable=False)
    helper_department_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("department.id"), nullable=False
    )
    case_summary: Mapped[str] = mapped_column(Text, nullable=False)
    help_asked: Mapped[str] = mapped_column(Text, nullable=False)
    reasons: Mapped[str] = mapped_column(Text, nullable=False)
    sent_on: Mapped[date] = mapped_column(Date, nullable=False)
    grant_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("access_grant.id"), nullable=True)
    status: Mapped[LetterStatus] = mapped_column(
        text_enum(LetterStatus, "letter_status"), nullable=False
    )
    received_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    received_by: Mapped[str | None] = mapped_column(Text, nullable=True)
    returned_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    return_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    answered_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    answer: Mapped[str | None] = mapped_column(Text, nullable=True)
    closed_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    closed_by: Mapped[str | None] = mapped_column(Text, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )


class CaseMaterial(_Row, Base):
    """A file handed over with a transfer or letter (移送材料, 证据), kept as sent; its SHA-256
    lets both sides prove what was handed over. Readable wherever its matter is (the grant on
    the matter opens its materials)."""

    __tablename__ = "case_material"
    __table_args__ = (
        CheckConstraint(_PROVINCE, name="province_prefix"),
        CheckConstraint("size = octet_length(content)", name="size_matches"),
        CheckConstraint("matter_type IN ('transfer', 'letter')", name="matter_type_known"),
    )

    matter_type: Mapped[str] = mapped_column(String(16), nullable=False)
    matter_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False, index=True)
    jurisdiction_code: Mapped[int] = mapped_column(ForeignKey("jurisdiction.code"), nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    filename: Mapped[str] = mapped_column(Text, nullable=False)
    media_type: Mapped[str] = mapped_column(String(100), nullable=False)
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    content: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)


class CaseDocument(_Row, Base):
    """A document a move issued (移送函, 回执, 退回函…), kept exactly as issued. It belongs to the
    matter's unit and names the issuing unit: a receiver issues into the sender's matter under
    its grant (migration 0009)."""

    __tablename__ = "case_document"
    __table_args__ = (
        CheckConstraint(_PROVINCE, name="province_prefix"),
        CheckConstraint("size = octet_length(content)", name="size_matches"),
        CheckConstraint("matter_type IN ('transfer', 'letter', 'lead')", name="matter_type_known"),
    )

    matter_type: Mapped[str] = mapped_column(String(16), nullable=False)
    matter_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False, index=True)
    jurisdiction_code: Mapped[int] = mapped_column(ForeignKey("jurisdiction.code"), nullable=False)
    issuer_jurisdiction_code: Mapped[int] = mapped_column(
        ForeignKey("jurisdiction.code"), nullable=False
    )
    kind: Mapped[DocumentKind] = mapped_column(
        text_enum(DocumentKind, "case_document_kind"), nullable=False
    )
    number: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    issued_on: Mapped[date] = mapped_column(Date, nullable=False)
    filename: Mapped[str] = mapped_column(Text, nullable=False)
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    content: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
