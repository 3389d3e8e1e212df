"""Evaluation sessions and what hangs off them. Tenant tables under row-level security
(migration 0012); who sees which row is explained in docs/evaluation.md ("Who sees what").

Tenancy: a session, its seats, faults and investigations belong to the home site (the project's
jurisdiction). A site row belongs to the site's own jurisdiction, so a host sees its own hosting
(number, time, seats) before the start without seeing the session; an expert row belongs to the
site that seated the expert (its library), so the home never reads a host expert's identity.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY, UUID
from sqlalchemy.orm import Mapped, mapped_column

from xietong.db.base import Base, text_enum
from xietong.evaluation.enums import (
    AttendanceKind,
    ConductKind,
    InvestigationState,
    SessionState,
    SiteRole,
)

_PROVINCE = "province_code = jurisdiction_code - jurisdiction_code % 10000"


def _id() -> Mapped[uuid.UUID]:
    return mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)


def _created_at() -> Mapped[datetime]:
    return mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)


class EvaluationSession(Base):
    """One evaluation of one project, at its home site and one or more host sites."""

    __tablename__ = "evaluation_session"
    __table_args__ = (
        CheckConstraint(_PROVINCE, name="province_prefix"),
        CheckConstraint("scheduled_end > scheduled_start", name="period"),
        CheckConstraint("follow_up_days BETWEEN 1 AND 120", name="follow_up_range"),
        UniqueConstraint("jurisdiction_code", "number"),
        UniqueConstraint("id", "jurisdiction_code"),
        ForeignKeyConstraint(
            ["project_id", "jurisdiction_code"], ["project.id", "project.jurisdiction_code"]
        ),
    )

    id: Mapped[uuid.UUID] = _id()
    jurisdiction_code: Mapped[int] = mapped_column(ForeignKey("jurisdiction.code"), nullable=False)
    province_code: Mapped[int] = mapped_column(Integer, nullable=False)
    number: Mapped[str] = mapped_column(String(64), nullable=False)
    project_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False, index=True)
    scheduled_start: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    scheduled_end: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    state: Mapped[SessionState] = mapped_column(
        text_enum(SessionState, "evaluation_state"), nullable=False
    )
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    follow_up_days: Mapped[int] = mapped_column(SmallInteger, nullable=False)
    """Working days the host keeps its grant after the last open matter closes."""
    window_until: Mapped[date | None] = mapped_column(Date, nullable=True)
    """The last day of the host's follow-up window (set at the end, moved by later matters)."""
    window_closed_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), nullable=True
    )
    auto_copy: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default="false")
    """The home configured automatic copying: the worker copies an ended investigation's
    result to the hosts concerned (``evaluation.copies``) instead of a person."""
    created_by: Mapped[str] = mapped_column(String(64), nullable=False)
    created_at: Mapped[datetime] = _created_at()
    updated_at: Mapped[datetime] = _created_at()


class EvaluationSite(Base):
    """The home site or a host site of a session. Belongs to the site's own jurisdiction."""

    __tablename__ = "evaluation_site"
    __table_args__ = (
        CheckConstraint(_PROVINCE, name="province_prefix"),
        CheckConstraint("seats BETWEEN 1 AND 99", name="seats_range"),
        CheckConstraint(
            "(role = 'home') = (jurisdiction_code = session_jurisdiction_code)", name="home_is_home"
        ),
        UniqueConstraint("session_id", "jurisdiction_code"),
        ForeignKeyConstraint(
            ["session_id", "session_jurisdiction_code"],
            ["evaluation_session.id", "evaluation_session.jurisdiction_code"],
        ),
    )

    id: Mapped[uuid.UUID] = _id()
    session_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False)
    jurisdiction_code: Mapped[int] = mapped_column(
        ForeignKey("jurisdiction.code"), nullable=False, index=True
    )
    province_code: Mapped[int] = mapped_column(Integer, nullable=False)
    session_jurisdiction_code: Mapped[int] = mapped_column(Integer, nullable=False)
    role: Mapped[SiteRole] = mapped_column(text_enum(SiteRole, "site_role"), nullable=False)
    seats: Mapped[int] = mapped_column(SmallInteger, nullable=False)
    session_number: Mapped[str] = mapped_column(String(64), nullable=False)
    """What a host knows before the start: a number, a time and its seats — not the project."""
    scheduled_start: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    scheduled_end: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    handed_over_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    created_by: Mapped[str] = mapped_column(String(64), nullable=False)
    created_at: Mapped[datetime] = _created_at()


class EvaluationSeat(Base):
    """A seat of a session at one site: what the home side knows of an expert (a label)."""

    __tablename__ = "evaluation_seat"
    __table_args__ = (
        CheckConstraint(_PROVINCE, name="province_prefix"),
        UniqueConstraint("session_id", "label"),
        ForeignKeyConstraint(
            ["session_id", "jurisdiction_code"],
            ["evaluation_session.id", "evaluation_session.jurisdiction_code"],
        ),
    )

    id: Mapped[uuid.UUID] = _id()
    session_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False, index=True)
    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("evaluation_site.id"), nullable=False)
    jurisdiction_code: Mapped[int] = mapped_column(ForeignKey("jurisdiction.code"), nullable=False)
    province_code: Mapped[int] = mapped_column(Integer, nullable=False)
    site_jurisdiction_code: Mapped[int] = mapped_column(Integer, nullable=False)
    label: Mapped[str] = mapped_column(String(32), nullable=False)
    created_by: Mapped[str] = mapped_column(String(64), nullable=False)
    created_at: Mapped[datetime] = _created_at()


class EvaluationExpert(Base):
    """Who sits in a seat: belongs to the seating site (the expert's library), so the home side
    never reads a host expert's identity."""

    __tablename__ = "evaluation_expert"
    __table_args__ = (
        CheckConstraint(_PROVINCE, name="province_prefix"),
        UniqueConstraint("seat_id"),
        UniqueConstraint("session_id", "expert_id"),
    )

    id: Mapped[uuid.UUID] = _id()
    session_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("evaluation_session.id"), nullable=False, index=True
    )
    seat_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("evaluation_seat.id"), nullable=False)
    expert_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("expert.id"), nullable=False)
    jurisdiction_code: Mapped[int] = mapped_column(ForeignKey("jurisdiction.code"), nullable=False)
    province_code: Mapped[int] = mapped_column(Integer, nullable=False)
    session_jurisdiction_code: Mapped[int] = mapped_column(Integer, nullable=False)
    assigned_by: Mapped[str] = mapped_column(String(64), nullable=False)
    created_at: Mapped[datetime] = _created_at()


class EvaluationFault(Base):
    """A fault at a site during a session (start, end, cause): the 4-hour rule's clock."""

    __tablename__ = "evaluation_fault"
    __table_args__ = (
        CheckConstraint(_PROVINCE, name="province_prefix"),
        CheckConstraint("ended_at IS NULL OR ended_at >= started_at", name="period"),
        ForeignKeyConstraint(
            ["session_id", "jurisdiction_code"],
            ["evaluation_session.id", "evaluation_session.jurisdiction_code"],
        ),
    )

    id: Mapped[uuid.UUID] = _id()
    session_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False, index=True)
    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("evaluation_site.id"), nullable=False)
    jurisdiction_code: Mapped[int] = mapped_column(ForeignKey("jurisdiction.code"), nullable=False)
    province_code: Mapped[int] = mapped_column(Integer, nullable=False)
    cause: Mapped[str] = mapped_column(Text, nullable=False)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    decision: Mapped[str | None] = mapped_column(Text, nullable=True)
    """The tenderer's decision on a fault before the start (the 2-hour rule), or how it ended."""
    created_by: Mapped[str] = mapped_column(String(64), nullable=False)
    created_at: Mapped[datetime] = _created_at()


class EvaluationInvestigation(Base):
    """An investigation of expert conduct by the home site (R-12): the seats it concerns, its
    result and decision, and when it was copied to the host sites concerned."""

    __tablename__ = "evaluation_investigation"
    __table_args__ = (
        CheckConstraint(_PROVINCE, name="province_prefix"),
        CheckConstraint("cardinality(seat_ids) BETWEEN 1 AND 99", name="seats_named"),
        ForeignKeyConstraint(
            ["session_id", "jurisdiction_code"],
            ["evaluation_session.id", "evaluation_session.jurisdiction_code"],
        ),
        Index("ix_evaluation_investigation_session_id", "session_id"),
    )

    id: Mapped[uuid.UUID] = _id()
    session_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False)
    jurisdiction_code: Mapped[int] = mapped_column(ForeignKey("jurisdiction.code"), nullable=False)
    province_code: Mapped[int] = mapped_column(Integer, nullable=False)
    department_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("department.id"), nullable=False)
    seat_ids: Mapped[list[uuid.UUID]] = mapped_column(ARRAY(UUID(as_uuid=True)), nullable=False)
    seat_labels: Mapped[list[str]] = mapped_column(ARRAY(String(32)), nullable=False)
    """The seats' labels, kept with the result: what a host reads in the copy."""
    host_codes: Mapped[list[int]] = mapped_column(ARRAY(Integer), nullable=False)
    """The host jurisdictions whose experts it concerns (whom the result is copied to)."""
    subject: Mapped[str] = mapped_column(Text, nullable=False)
    state: Mapped[InvestigationState] = mapped_column(
        text_enum(InvestigationState, "investigation_state"), nullable=False
    )
    opened_on: Mapped[date] = mapped_column(Date, nullable=False)
    ended_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    result: Mapped[str | None] = mapped_column(Text, nullable=True)
    decision: Mapped[str | None] = mapped_column(Text, nullable=True)
    copied_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    created_by: Mapped[str] = mapped_column(String(64), nullable=False)
    created_at: Mapped[datetime] = _created_at()


class EvaluationCopy(Base):
    """A copy (抄送) of an investigation's result to one host site concerned (R-12): what the
    host's supervising departments receive — the result, the seats (experts) concerned, the
    decision — and acknowledge. Belongs to the host's jurisdiction (its inbox); the home side
    reads the copies it sent."""

    __tablename__ = "evaluation_copy"
    __table_args__ = (
        CheckConstraint(_PROVINCE, name="province_prefix"),
        CheckConstraint(
            "(acknowledged_at IS NULL) = (acknowledged_by IS NULL)", name="acknowledged_together"
        ),
        UniqueConstraint("investigation_id", "jurisdiction_code"),
        Index("ix_evaluation_copy_inbox", "jurisdiction_code", "copied_at", "id"),
    )

    id: Mapped[uuid.UUID] = _id()
    investigation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("evaluation_investigation.id"), nullable=False
    )
    session_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("evaluation_session.id"), nullable=False
    )
    jurisdiction_code: Mapped[int] = mapped_column(ForeignKey("jurisdiction.code"), nullable=False)
    """The host site's jurisdiction: whose inbox it is in."""
    province_code: Mapped[int] = mapped_column(Integer, nullable=False)
    home_jurisdiction_code: Mapped[int] = mapped_column(Integer, nullable=False)
    session_number: Mapped[str] = mapped_column(String(64), nullable=False)
    seat_labels: Mapped[list[str]] = mapped_column(ARRAY(String(32)), nullable=False)
    """The host's own seats the result concerns: the host knows who sat there."""
    subject: Mapped[str] = mapped_column(Text, nullable=False)
    result: Mapped[str] = mapped_column(Text, nullable=False)
    decision: Mapped[str] = mapped_column(Text, nullable=False)
    automatic: Mapped[bool] = mapped_column(Boolean, nullable=False)
    copied_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    copied_by: Mapped[str] = mapped_column(String(64), nullable=False)
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    acknowledged_by: Mapped[str | None] = mapped_column(String(64), nullable=True)


class EvaluationConduct(Base):
    """An expert conduct event at a site, recorded by its staff: belongs to the recording site
    (a host records through its grant); the lead it became is the home office's."""

    __tablename__ = "evaluation_conduct"
    __table_args__ = (CheckConstraint(_PROVINCE, name="province_prefix"),)

    id: Mapped[uuid.UUID] = _id()
    session_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("evaluation_session.id"), nullable=False, index=True
    )
    seat_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("evaluation_seat.id"), nullable=False)
    jurisdiction_code: Mapped[int] = mapped_column(ForeignKey("jurisdiction.code"), nullable=False)
    province_code: Mapped[int] = mapped_column(Integer, nullable=False)
    session_jurisdiction_code: Mapped[int] = mapped_column(Integer, nullable=False)
    seat_label: Mapped[str] = mapped_column(String(32), nullable=False)
    kind: Mapped[ConductKind] = mapped_column(
        text_enum(ConductKind, "conduct_kind"), nullable=False
    )
    note: Mapped[str] = mapped_column(Text, nullable=False)
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    lead_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False)
    """The lead registered at the home's office (its own tenancy: no foreign key across)."""
    recorded_by: Mapped[str] = mapped_column(String(64), nullable=False)
    created_at: Mapped[datetime] = _created_at()


class EvaluationDraw(Base):
    """The random draw of a session's host sites: reproducible from its seed (each candidate
    ranked by SHA-256 of seed and code), the home's, sealed until the start like the hosts."""

    __tablename__ = "evaluation_draw"
    __table_args__ = (
        CheckConstraint(_PROVINCE, name="province_prefix"),
        UniqueConstraint("session_id"),
    )

    id: Mapped[uuid.UUID] = _id()
    session_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("evaluation_session.id"), nullable=False
    )
    jurisdiction_code: Mapped[int] = mapped_column(ForeignKey("jurisdiction.code"), nullable=False)
    province_code: Mapped[int] = mapped_column(Integer, nullable=False)
    seed: Mapped[str] = mapped_column(String(64), nullable=False)
    candidates: Mapped[list[int]] = mapped_column(ARRAY(Integer), nullable=False)
    ranking: Mapped[list[int]] = mapped_column(ARRAY(Integer), nullable=False)
    chosen: Mapped[list[int]] = mapped_column(ARRAY(Integer), nullable=False)
    created_by: Mapped[str] = mapped_column(String(64), nullable=False)
    created_at: Mapped[datetime] = _created_at()


class EvaluationExpertResult(Base):
    """An investigation's result in the record of an expert it concerns, at the expert's own
    library (the seating site's jurisdiction): the host learns it with the copy, the home at the
    end. Only the library's side reads it — the home never learns who a host expert is."""

    __tablename__ = "evaluation_expert_result"
    __table_args__ = (
        CheckConstraint(_PROVINCE, name="province_prefix"),
        UniqueConstraint("investigation_id", "expert_id"),
    )

    id: Mapped[uuid.UUID] = _id()
    expert_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("expert.id"), nullable=False, index=True
    )
    investigation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("evaluation_investigation.id"), nullable=False
    )
    jurisdiction_code: Mapped[int] = mapped_column(ForeignKey("jurisdiction.code"), nullable=False)
    province_code: Mapped[int] = mapped_column(Integer, nullable=False)
    home_jurisdiction_code: Mapped[int] = mapped_column(Integer, nullable=False)
    session_number: Mapped[str] = mapped_column(String(64), nullable=False)
    seat_label: Mapped[str] = mapped_column(String(32), nullable=False)
    subject: Mapped[str] = mapped_column(Text, nullable=False)
    result: Mapped[str] = mapped_column(Text, nullable=False)
    decision: Mapped[str] = mapped_column(Text, nullable=False)
    recorded_on: Mapped[date] = mapped_column(Date, nullable=False)
    created_by: Mapped[str] = mapped_column(String(64), nullable=False)
    created_at: Mapped[datetime] = _created_at()


class EvaluationAttendance(Base):
    """An expert's arrival, departure or absence at a seat, recorded by the site's staff: belongs
    to the recording site like a conduct record (a host records through its grant). It names the
    seat, never the expert: the home reads a host seat's attendance without learning who sat."""

    __tablename__ = "evaluation_attendance"
    __table_args__ = (
        CheckConstraint(_PROVINCE, name="province_prefix"),
        # Each kind once per seat, also against two staff recording at the same moment.
        UniqueConstraint("seat_id", "kind"),
    )

    id: Mapped[uuid.UUID] = _id()
    session_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("evaluation_session.id"), nullable=False, index=True
    )
    seat_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("evaluation_seat.id"), nullable=False)
    jurisdiction_code: Mapped[int] = mapped_column(ForeignKey("jurisdiction.code"), nullable=False)
    province_code: Mapped[int] = mapped_column(Integer, nullable=False)
    session_jurisdiction_code: Mapped[int] = mapped_column(Integer, nullable=False)
    seat_label: Mapped[str] = mapped_column(String(32), nullable=False)
    kind: Mapped[AttendanceKind] = mapped_column(
        text_enum(AttendanceKind, "attendance_kind"), nullable=False
    )
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    recorded_by: Mapped[str] = mapped_column(String(64), nullable=False)
    created_at: Mapped[datetime] = _created_at()


class EvaluationRecording(Base):
    """A reference to a site's audio/video record of the session (a storage URI or an archive
    number, its span, the file's SHA-256): the site's, part of its records handover."""

    __tablename__ = "evaluation_recording"
    __table_args__ = (
        CheckConstraint(_PROVINCE, name="province_prefix"),
        CheckConstraint("ended_at > started_at", name="span"),
        CheckConstraint("sha256 ~ '^[0-9a-f]{64}$'", name="sha256_hex"),
    )

    id: Mapped[uuid.UUID] = _id()
    session_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("evaluation_session.id"), nullable=False, index=True
    )
    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("evaluation_site.id"), nullable=False)
    jurisdiction_code: Mapped[int] = mapped_column(ForeignKey("jurisdiction.code"), nullable=False)
    province_code: Mapped[int] = mapped_column(Integer, nullable=False)
    session_jurisdiction_code: Mapped[int] = mapped_column(Integer, nullable=False)
    reference: Mapped[str] = mapped_column(Text, nullable=False)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    ended_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    recorded_by: Mapped[str] = mapped_column(String(64), nullable=False)
    created_at: Mapped[datetime] = _created_at()
