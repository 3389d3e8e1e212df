"""The trading record's tables (migration 0006).

Market entities are shared by the whole service (one row per credit code: "一处失信，处处受限"
needs one identity everywhere); everything *recorded* — projects and what happens to them, the
natural persons named in them, experts, approved investment projects — belongs to a jurisdiction
(``jurisdiction_code`` + ``province_code``) and is read through the scope and row-level security.
A child record carries its project's jurisdiction and a composite foreign key to the project, so
the two can never disagree, and the database checks a write against the project's unit.

Natural persons are stored as a masked ID number plus a keyed hash (``personal_id.protect``):
the number itself never reaches a table.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    ARRAY,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from xietong.access.roles import Role
from xietong.db.base import Base, Timestamped, text_enum
from xietong.jurisdictions.enums import Industry
from xietong.trading.enums import (
    EntityKind,
    ExpertStatus,
    FundingSource,
    ProjectAction,
    ProjectCategory,
    ProjectState,
    ReporterKind,
    ReportKind,
    TradingMethod,
)


def _uuid() -> Mapped[uuid.UUID]:
    return mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)


def _province_check() -> CheckConstraint:
    return CheckConstraint(
        "province_code = jurisdiction_code - jurisdiction_code % 10000", name="province_prefix"
    )


def _of_project(table: str) -> ForeignKeyConstraint:
    """The record belongs to its project's jurisdiction (the database checks it)."""
    return ForeignKeyConstraint(
        ["project_id", "jurisdiction_code"],
        ["project.id", "project.jurisdiction_code"],
        name=f"fk_{table}_project",
    )


class MarketEntity(Timestamped, Base):
    """A market entity (市场主体), shared by the whole service: one row per credit code."""

    __tablename__ = "market_entity"

    id: Mapped[uuid.UUID] = _uuid()
    credit_code: Mapped[str] = mapped_column(String(18), nullable=False, unique=True)
    """统一社会信用代码 (GB 32100), checked before it is stored."""
    name: Mapped[str] = mapped_column(Text, nullable=False)
    kind: Mapped[EntityKind] = mapped_column(text_enum(EntityKind, "entity_kind"), nullable=False)
    division: Mapped[str] = mapped_column(String(6), nullable=False)
    """Positions 3–8 of the code: the registering office's administrative division."""
    created_by: Mapped[str] = mapped_column(String(64), nullable=False)


class NaturalPerson(Timestamped, Base):
    """Someone named in the record (project manager, legal representative): the masked ID
    number for display and its keyed hash for matching, never the number."""

    __tablename__ = "natural_person"
    __table_args__ = (
        UniqueConstraint("jurisdiction_code", "id_digest"),
        _province_check(),
    )

    id: Mapped[uuid.UUID] = _uuid()
    jurisdiction_code: Mapped[int] = mapped_column(ForeignKey("jurisdiction.code"), nullable=False)
    province_code: Mapped[int] = mapped_column(Integer, nullable=False)
    name: Mapped[str] = mapped_column(Text, nullable=False)
    id_masked: Mapped[str] = mapped_column(String(18), nullable=False)
    id_digest: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    """HMAC-SHA256 under the server's personal-id key (``keys.Purpose.PERSONAL_ID``)."""


class Project(Timestamped, Base):
    """A trading project (交易项目), idempotent by its source system's id."""

    __tablename__ = "project"
    __table_args__ = (
        UniqueConstraint("jurisdiction_code", "source_system", "source_id"),
        UniqueConstraint("jurisdiction_code", "project_code"),
        UniqueConstraint("id", "jurisdiction_code"),  # the target of the children's keys
        _province_check(),
        CheckConstraint("budget_fen >= 0", name="budget_not_negative"),
        CheckConstraint("cardinality(supervisor_ids) > 0", name="supervised"),
        Index("ix_project_jurisdiction_code_registered_at", "jurisdiction_code", "registered_at"),
        Index("ix_project_supervisor_ids", "supervisor_ids", postgresql_using="gin"),
    )

    id: Mapped[uuid.UUID] = _uuid()
    jurisdiction_code: Mapped[int] = mapped_column(ForeignKey("jurisdiction.code"), nullable=False)
    province_code: Mapped[int] = mapped_column(Integer, nullable=False)
    source_system: Mapped[str] = mapped_column(String(64), nullable=False)
    source_id: Mapped[str] = mapped_column(String(64), nullable=False)
    project_code: Mapped[str] = mapped_column(String(64), nullable=False)
    name: Mapped[str] = mapped_column(Text, nullable=False)
    category: Mapped[ProjectCategory] = mapped_column(
        text_enum(ProjectCategory, "project_category"), nullable=False
    )
    industry: Mapped[Industry | None] = mapped_column(
        text_enum(Industry, "industry"), nullable=True
    )
    method: Mapped[TradingMethod] = mapped_column(
        text_enum(TradingMethod, "trading_method"), nullable=False
    )
    tenderer_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("market_entity.id"), nullable=False, index=True
    )
    agency_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("market_entity.id"), nullable=True
    )
    trading_centre_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("department.id"), nullable=True
    )
    budget_fen: Mapped[int] = mapped_column(BigInteger, nullable=False)
    classified: Mapped[bool] = mapped_column(Boolean, nullable=False)
    """涉密: never public; readable only by the office, the supervising departments, discipline
    inspection and audit of the chain above it (and the credential that registered it)."""
    separated_evaluation: Mapped[bool] = mapped_column(Boolean, nullable=False)
    """评定分离 (R-5): under key supervision."""
    approval_number: Mapped[str | None] = mapped_column(String(64), nullable=True)
    """投资项目代码 of the approved investment project it carries out (应进必进 matching)."""
    supervisor_ids: Mapped[list[uuid.UUID]] = mapped_column(
        ARRAY(UUID(as_uuid=True)), nullable=False
    )
    """The supervising departments (R-16); row-level security reads it for classified projects."""
    supervisor_powers: Mapped[list[str]] = mapped_column(ARRAY(String(64)), nullable=False)
    """The published power entitling each supervisor, in the same order."""
    state: Mapped[ProjectState] = mapped_column(
        text_enum(ProjectState, "project_state"), nullable=False
    )
    suspended_from: Mapped[ProjectState | None] = mapped_column(
        text_enum(ProjectState, "suspended_from"), nullable=True
    )
    registered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    registered_by: Mapped[str] = mapped_column(String(64), nullable=False)
    """The signed actor (login or ``key:<prefix>``) that registered it."""


class ProjectMove(Base):
    """One dated step of a project's lifecycle, registration included."""

    __tablename__ = "project_move"
    __table_args__ = (_of_project("project_move"), _province_check())

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    project_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False, index=True)
    jurisdiction_code: Mapped[int] = mapped_column(Integer, nullable=False)
    province_code: Mapped[int] = mapped_column(Integer, nullable=False)
    action: Mapped[ProjectAction] = mapped_column(
        text_enum(ProjectAction, "project_action"), nullable=False
    )
    source: Mapped[ProjectState | None] = mapped_column(
        text_enum(ProjectState, "source_state"), nullable=True
    )
    target: Mapped[ProjectState] = mapped_column(
        text_enum(ProjectState, "target_state"), nullable=False
    )
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    by_role: Mapped[Role] = mapped_column(text_enum(Role, "role"), nullable=False)
    actor: Mapped[str] = mapped_column(String(64), nullable=False)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)


class ProjectChange(Base):
    """What a changed push changed: ``{field: [before, after]}``."""

    __tablename__ = "project_change"
    __table_args__ = (_of_project("project_change"), _province_check())

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    project_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False, index=True)
    jurisdiction_code: Mapped[int] = mapped_column(Integer, nullable=False)
    province_code: Mapped[int] = mapped_column(Integer, nullable=False)
    changed_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
    actor: Mapped[str] = mapped_column(String(64), nullable=False)
    changes: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)


class Bid(Timestamped, Base):
    """A bid (投标) and the submission evidence trading platforms record (red flags read it)."""

    __tablename__ = "bid"
    __table_args__ = (
        UniqueConstraint("project_id", "bidder_id"),
        _of_project("bid"),
        _province_check(),
        CheckConstraint("price_fen >= 0", name="price_not_negative"),
    )

    id: Mapped[uuid.UUID] = _uuid()
    project_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False)
    jurisdiction_code: Mapped[int] = mapped_column(Integer, nullable=False)
    province_code: Mapped[int] = mapped_column(Integer, nullable=False)
    bidder_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("market_entity.id"), nullable=False, index=True
    )
    price_fen: Mapped[int] = mapped_column(BigInteger, nullable=False)
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    ip: Mapped[str | None] = mapped_column(String(45), nullable=True)
    mac: Mapped[str | None] = mapped_column(String(17), nullable=True)
    cpu_serial: Mapped[str | None] = mapped_column(String(64), nullable=True)
    disk_serial: Mapped[str | None] = mapped_column(String(64), nullable=True)
    board_serial: Mapped[str | None] = mapped_column(String(64), nullable=True)
    file_creator: Mapped[str | None] = mapped_column(String(64), nullable=True)
    """Who the bid file's metadata names as its author (制作人)."""
    file_machine_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    """The machine code the bid-file tool stamped (制作机器码)."""
    pricing_lock_serial: Mapped[str | None] = mapped_column(String(64), nullable=True)
    """The pricing software's licence lock (计价软件加密锁号)."""
    deposit_account: Mapped[str | None] = mapped_column(String(64), nullable=True)
    """The account the bid deposit was paid from (保证金缴纳账户)."""
    project_manager_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("natural_person.id"), nullable=True
    )
    recorded_by: Mapped[str] = mapped_column(String(64), nullable=False)


class Award(Timestamped, Base):
    """The award (中标/成交): winner, amount, date. One per project."""

    __tablename__ = "award"
    __table_args__ = (
        UniqueConstraint("project_id"),
        _of_project("award"),
        _province_check(),
        CheckConstraint("amount_fen >= 0", name="amount_not_negative"),
    )

    id: Mapped[uuid.UUID] = _uuid()
    project_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False)
    jurisdiction_code: Mapped[int] = mapped_column(Integer, nullable=False)
    province_code: Mapped[int] = mapped_column(Integer, nullable=False)
    winner_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("market_entity.id"), nullable=False, index=True
    )
    amount_fen: Mapped[int] = mapped_column(BigInteger, nullable=False)
    awarded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    recorded_by: Mapped[str] = mapped_column(String(64), nullable=False)


class Contract(Timestamped, Base):
    """The contract signed after the award. One per project; changes are kept apart."""

    __tablename__ = "contract"
    __table_args__ = (
        UniqueConstraint("project_id"),
        UniqueConstraint("id", "jurisdiction_code"),
        _of_project("contract"),
        _province_check(),
        CheckConstraint("amount_fen >= 0", name="amount_not_negative"),
    )

    id: Mapped[uuid.UUID] = _uuid()
    project_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False)
    jurisdiction_code: Mapped[int] = mapped_column(Integer, nullable=False)
    province_code: Mapped[int] = mapped_column(Integer, nullable=False)
    contract_number: Mapped[str] = mapped_column(String(64), nullable=False)
    supplier_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("market_entity.id"), nullable=False)
    amount_fen: Mapped[int] = mapped_column(BigInteger, nullable=False)
    """As signed; ``ContractChange`` rows say what it became."""
    signed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    recorded_by: Mapped[str] = mapped_column(String(64), nullable=False)


class ContractChange(Base):
    """A change to a signed contract (合同变更): the new amount and why."""

    __tablename__ = "contract_change"
    __table_args__ = (
        ForeignKeyConstraint(
            ["contract_id", "jurisdiction_code"],
            ["contract.id", "contract.jurisdiction_code"],
            name="fk_contract_change_contract",
        ),
        _province_check(),
        CheckConstraint("amount_fen >= 0", name="amount_not_negative"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    contract_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False, index=True)
    jurisdiction_code: Mapped[int] = mapped_column(Integer, nullable=False)
    province_code: Mapped[int] = mapped_column(Integer, nullable=False)
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    amount_fen: Mapped[int] = mapped_column(BigInteger, nullable=False)
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    recorded_by: Mapped[str] = mapped_column(String(64), nullable=False)


class ProjectReport(Base):
    """Performance, supervision and credit information filed against a project (R-4)."""

    __tablename__ = "project_report"
    __table_args__ = (
        UniqueConstraint("project_id", "source_id"),
        _of_project("project_report"),
        _province_check(),
    )

    id: Mapped[uuid.UUID] = _uuid()
    project_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False)
    jurisdiction_code: Mapped[int] = mapped_column(Integer, nullable=False)
    province_code: Mapped[int] = mapped_column(Integer, nullable=False)
    source_id: Mapped[str] = mapped_column(String(64), nullable=False)
    """The filer's own id for the report: filing it again changes nothing."""
    kind: Mapped[ReportKind] = mapped_column(text_enum(ReportKind, "report_kind"), nullable=False)
    reporter: Mapped[ReporterKind] = mapped_column(
        text_enum(ReporterKind, "reporter_kind"), nullable=False
    )
    reported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    title: Mapped[str] = mapped_column(Text, nullable=False)
    content: Mapped[str] = mapped_column(Text, nullable=False)
    recorded_by: Mapped[str] = mapped_column(String(64), nullable=False)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )


class Expert(Timestamped, Base):
    """An evaluation expert (评标专家) of a province's library, at their home jurisdiction."""

    __tablename__ = "expert"
    __table_args__ = (
        UniqueConstraint("jurisdiction_code", "id_digest"),
        _province_check(),
    )

    id: Mapped[uuid.UUID] = _uuid()
    jurisdiction_code: Mapped[int] = mapped_column(ForeignKey("jurisdiction.code"), nullable=False)
    province_code: Mapped[int] = mapped_column(Integer, nullable=False)
    library_province_code: Mapped[int] = mapped_column(Integer, nullable=False)
    name: Mapped[str] = mapped_column(Text, nullable=False)
    id_masked: Mapped[str] = mapped_column(String(18), nullable=False)
    id_digest: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    specialities: Mapped[list[str]] = mapped_column(ARRAY(String(64)), nullable=False)
    status: Mapped[ExpertStatus] = mapped_column(
        text_enum(ExpertStatus, "expert_status"), nullable=False
    )
    recorded_by: Mapped[str] = mapped_column(String(64), nullable=False)


class ApprovedProject(Timestamped, Base):
    """An investment project approved on the approval platform (审批/核准/备案), by its
    approval number (投资项目代码)."""

    __tablename__ = "approved_project"
    __table_args__ = (
        UniqueConstraint("jurisdiction_code", "approval_number"),
        _province_check(),
        CheckConstraint("amount_fen >= 0", name="amount_not_negative"),
    )

    id: Mapped[uuid.UUID] = _uuid()
    jurisdiction_code: Mapped[int] = mapped_column(ForeignKey("jurisdiction.code"), nullable=False)
    province_code: Mapped[int] = mapped_column(Integer, nullable=False)
    approval_number: Mapped[str] = mapped_column(String(64), nullable=False)
    name: Mapped[str] = mapped_column(Text, nullable=False)
    owner_name: Mapped[str] = mapped_column(Text, nullable=False)
    owner_credit_code: Mapped[str | None] = mapped_column(String(18), nullable=True)
    amount_fen: Mapped[int] = mapped_column(BigInteger, nullable=False)
    category: Mapped[ProjectCategory] = mapped_column(
        text_enum(ProjectCategory, "project_category"), nullable=False
    )
    industry: Mapped[Industry | None] = mapped_column(
        text_enum(Industry, "industry"), nullable=True
    )
    funding: Mapped[FundingSource] = mapped_column(
        text_enum(FundingSource, "funding_source"), nullable=False
    )
    approved_on: Mapped[date] = mapped_column(Date, nullable=False)
    recorded_by: Mapped[str] = mapped_column(String(64), nullable=False)


class TradingCatalogueRow(Base):
    """A province's trading catalogue (应进必进目录) as its tenant file declares it: reference
    data the tenant loader owns, public like the catalogue itself."""

    __tablename__ = "trading_catalogue"

    province_code: Mapped[int] = mapped_column(
        ForeignKey("jurisdiction.code"), primary_key=True, autoincrement=False
    )
    document: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)
    loaded_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=text("now()"), nullable=False
    )


class NotEnteredSnapshot(Base):
    """One line of a unit's dated 应进未进 list (R-16, XINXIANG 18 通报), as the daily job (or an
    operator) took it: the approved project, the catalogue rule that put it there, its due date
    and days overdue on ``taken_on`` (China date). Written once, never changed or deleted; the
    ``projects_not_entered`` rollup metric counts it (``rollups/not_entered.py``)."""

    __tablename__ = "not_entered_snapshot"
    __table_args__ = (
        _province_check(),
        CheckConstraint("amount_fen >= 0", name="amount_not_negative"),
        CheckConstraint("days_overdue > 0", name="days_overdue_positive"),
    )

    jurisdiction_code: Mapped[int] = mapped_column(
        ForeignKey("jurisdiction.code"), primary_key=True, autoincrement=False
    )
    """The unit and the approved project's own jurisdiction: a unit's snapshot lists its own
    approved projects (as its office sees the trading record), so a subtree's sum counts each
    approved project once."""
    taken_on: Mapped[date] = mapped_column(Date, primary_key=True)
    approval_number: Mapped[str] = mapped_column(String(64), primary_key=True)
    province_code: Mapped[int] = mapped_column(Integer, nullable=False)
    name: Mapped[str] = mapped_column(Text, nullable=False)
    amount_fen: Mapped[int] = mapped_column(BigInteger, nullable=False)
    category: Mapped[ProjectCategory] = mapped_column(
        text_enum(ProjectCategory, "project_category"), nullable=False
    )
    industry: Mapped[Industry | None] = mapped_column(
        text_enum(Industry, "industry"), nullable=True
    )
    approved_on: Mapped[date] = mapped_column(Date, nullable=False)
    rule_code: Mapped[str] = mapped_column(String(32), nullable=False)
    rule_name: Mapped[str] = mapped_column(Text, nullable=False)
    rule_basis: Mapped[str] = mapped_column(Text, nullable=False)
    due_on: Mapped[date] = mapped_column(Date, nullable=False)
    days_overdue: Mapped[int] = mapped_column(Integer, nullable=False)
    recorded_by: Mapped[str] = mapped_column(String(64), nullable=False)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, server_default=func.now()
    )
