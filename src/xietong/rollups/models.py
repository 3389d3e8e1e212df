"""The rollups' tables (migration 0010).

``rollup_counter`` holds one row per (metric, dimension, value, jurisdiction, period) at each
grain (month, quarter, half year, year; migration 0013): how many records and the sums of their
measures. Rows are keyed by the record's own jurisdiction (a leaf), so a subtree's rollup is a
``SUM`` over the subtree's code range (GB/T 2260 codes make it one integer range): one row per
unit and value for a province's year, whatever the number of records. The trigger functions of
``rollups.ddl`` append each write's deltas to ``rollup_journal`` in the transaction that changes
the records, and the fold moves them into the counters every few seconds; a rollup reads both.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from xietong.db.base import Base, text_enum
from xietong.rollups.enums import ReportStatus


class RollupCounter(Base):
    __tablename__ = "rollup_counter"
    __table_args__ = (
        CheckConstraint(
            "province_code = jurisdiction_code - jurisdiction_code % 10000",
            name="province_prefix",
        ),
        CheckConstraint("month BETWEEN 190001 AND 299912", name="month_range"),
        CheckConstraint(
            "grain IN (1, 3, 6, 12) AND (month % 100 - 1) % grain = 0", name="grain_aligned"
        ),
    )

    # Key order: metric, dimension and grain are equalities, the code range is the subtree
    # (and the row-level policy's index condition), the periods are filtered within it.
    metric: Mapped[str] = mapped_column(String(48), primary_key=True)
    dimension: Mapped[str] = mapped_column(String(32), primary_key=True)
    """The dimension's name; ``''`` for the metric's total."""
    grain: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    """Months the row covers: 1, 3 (a quarter), 6 (a half year) or 12 (a year)."""
    jurisdiction_code: Mapped[int] = mapped_column(Integer, primary_key=True)
    month: Mapped[int] = mapped_column(Integer, primary_key=True)
    """``yyyymm``, the first China month of the row's period."""
    value: Mapped[str] = mapped_column(String(64), primary_key=True)
    """The dimension's value; ``''`` for the total or an unset value."""
    province_code: Mapped[int] = mapped_column(Integer, nullable=False)
    n: Mapped[int] = mapped_column(BigInteger, nullable=False, server_default=text("0"))
    sum_a: Mapped[int] = mapped_column(BigInteger, nullable=False, server_default=text("0"))
    sum_b: Mapped[int] = mapped_column(BigInteger, nullable=False, server_default=text("0"))


rollup_journal = Table(
    "rollup_journal",
    Base.metadata,
    # Month deltas appended by the trigger functions, not yet folded into ``rollup_counter``
    # (``ddl.fold_statements``). Insert-only for writers: no key, no conflict, no shared row.
    Column("metric", String(48), nullable=False),
    Column("dimension", String(32), nullable=False),
    Column("jurisdiction_code", Integer, nullable=False),
    Column("month", Integer, nullable=False),
    Column("value", String(64), nullable=False),
    Column("province_code", Integer, nullable=False),
    Column("n", BigInteger, nullable=False),
    Column("sum_a", BigInteger, nullable=False),
    Column("sum_b", BigInteger, nullable=False),
    # What a rollup reads beside the counters: the subtree's range within a metric and dimension.
    Index("ix_rollup_journal_read", "metric", "dimension", "jurisdiction_code", "month"),
)


class PeriodicReport(Base):
    """A unit's report for one template and period (R-17, R-5): its own figures, frozen when it
    is submitted, its narrative, and where it stands with the level above."""

    __tablename__ = "periodic_report"
    __table_args__ = (
        UniqueConstraint("template", "jurisdiction_code", "first_month"),
        CheckConstraint(
            "province_code = jurisdiction_code - jurisdiction_code % 10000",
            name="province_prefix",
        ),
        CheckConstraint("first_month <= last_month", name="months_in_order"),
        CheckConstraint(
            "status <> 'returned' OR return_reason IS NOT NULL", name="returned_with_reason"
        ),
        Index("ix_periodic_report_parent", "parent_code", "template", "first_month"),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    template: Mapped[str] = mapped_column(String(32), nullable=False)
    jurisdiction_code: Mapped[int] = mapped_column(ForeignKey("jurisdiction.code"), nullable=False)
    province_code: Mapped[int] = mapped_column(Integer, nullable=False)
    parent_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    """The level it reports to (none for a province, which reports to its government)."""
    first_month: Mapped[int] = mapped_column(Integer, nullable=False)
    last_month: Mapped[int] = mapped_column(Integer, nullable=False)
    status: Mapped[ReportStatus] = mapped_column(
        text_enum(ReportStatus, "report_status"), nullable=False
    )
    figures: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)
    """The unit's own figures per template item (``{item: {n, sum_a, sum_b}}``), from its
    counters: refreshed while a draft, frozen at submission."""
    narrative: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)
    due_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    """On the working-day calendar (the deadline engine, rule ``R17.report_upward``)."""
    version: Mapped[int] = mapped_column(Integer, nullable=False, server_default=text("0"))
    """How many times it has been submitted."""
    return_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    submitted_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    first_submitted_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    """Timeliness counts the first submission (a return and resubmission is not lateness)."""
    reviewed_by: Mapped[str | None] = mapped_column(Text, nullable=True)
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_by: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )


class PeriodicReportEvent(Base):
    """One step of a report: drafted, submitted, returned (with its reason), accepted,
    reopened. The report's history, kept beside the audit trail for the report's readers."""

    __tablename__ = "periodic_report_event"
    __table_args__ = (
        CheckConstraint(
            "province_code = jurisdiction_code - jurisdiction_code % 10000",
            name="province_prefix",
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    report_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("periodic_report.id"), nullable=False, index=True
    )
    jurisdiction_code: Mapped[int] = mapped_column(Integer, nullable=False)
    """The report's unit (who may read the event)."""
    province_code: Mapped[int] = mapped_column(Integer, nullable=False)
    action: Mapped[str] = mapped_column(String(16), nullable=False)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    actor: Mapped[str] = mapped_column(Text, nullable=False)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
