"""Obligations, their pauses, and the calendar data operators and tenant files load.

An *obligation* is one running clock: who owes what in which matter, counted from when, due when
(the law's date and, where a province promised to be faster, the promised date), on which
calendar. Its row carries the computed dates; ``xietong.deadlines.obligations`` computes them
with the pure engine and is the only writer. The sweep reads ``warn_on``, ``remind_on`` and
``next_alert_on`` so that a minute's work is a few indexed statements, not a million
recomputations.

Calendar data (``calendar_year``, ``calendar_override``, ``local_promise``) is reference data:
national notices an operator loads, and what tenant files declare. It is public, written only by
the table owner (``xietong calendar load``, ``xietong tenants load``) and read by everyone; a
statement trigger moves ``deadline_config.token`` on every change, so each process knows when to
rebuild its calendars.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Computed,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from xietong.db.base import Base, text_enum
from xietong.deadlines.enums import DeadlineUnit, ObligationStatus, OverrideKind, PauseReason

UNFINISHED = (ObligationStatus.OPEN, ObligationStatus.OVERDUE)
"""Statuses of work not yet done: what the sweep watches and ``myWork`` lists by default."""

LAST_DAY = date(2199, 12, 31)
"""Sorts an obligation whose clock a pause holds (no due date) after every dated one; the last
day deadlines are computed for, so a cursor carrying it is a valid date."""

_UNFINISHED_SQL = "status IN ('open', 'overdue')"


class Obligation(Base):
    """One statutory clock of one matter (see the module docstring)."""

    __tablename__ = "obligation"
    __table_args__ = (
        CheckConstraint(
            "province_code = jurisdiction_code - jurisdiction_code % 10000", name="province_prefix"
        ),
        CheckConstraint("amount BETWEEN 1 AND 3650", name="amount_range"),
        CheckConstraint(
            "promised_amount IS NULL OR promised_amount BETWEEN 1 AND amount",
            name="promise_tightens",
        ),
        CheckConstraint("counted_from <= started_on", name="counted_before_start"),
        CheckConstraint("(status = 'met') = (met_on IS NOT NULL)", name="met_has_date"),
        CheckConstraint(
            "(status = 'cancelled') = (cancelled_on IS NOT NULL)", name="cancelled_has_date"
        ),
        CheckConstraint("paused = (paused_since IS NOT NULL)", name="paused_since"),
        CheckConstraint("paused OR due_on IS NOT NULL", name="due_unless_paused"),
        # One open clock per rule and matter: opening again returns it (idempotent).
        Index(
            "ix_obligation_open_per_matter",
            "matter_type",
            "matter_id",
            "rule_id",
            unique=True,
            postgresql_where=text(_UNFINISHED_SQL),
        ),
        Index("ix_obligation_matter", "matter_type", "matter_id"),
        # myWork: a department's unfinished work by due date, in one ordered index scan (the
        # jurisdiction is in it so the row-level policy's range is an index condition too);
        # and its finished work, for filters on other statuses.
        Index(
            "ix_obligation_work",
            "owing_department_id",
            "jurisdiction_code",
            "work_due_on",
            "id",
            postgresql_where=text(_UNFINISHED_SQL),
        ),
        Index(
            "ix_obligation_work_all",
            "owing_department_id",
            "jurisdiction_code",
            "work_due_on",
            "id",
        ),
        # The sweep: per unit, what has something to say today; per level above, what is overdue
        # below it (index-only: the escalation reads nothing else of the row).
        Index(
            "ix_obligation_next_alert",
            "jurisdiction_code",
            "next_alert_on",
            postgresql_where=text(f"{_UNFINISHED_SQL} AND NOT paused"),
        ),
        Index(
            "ix_obligation_escalation",
            "escalate_to",
            "jurisdiction_code",
            "due_on",
            postgresql_include=["id", "rule_id"],
            postgresql_where=text(f"{_UNFINISHED_SQL} AND NOT paused"),
        ),
        # Escalations: a subtree's unfinished work by due date (and the row-level policy's range).
        Index(
            "ix_obligation_unfinished",
            "jurisdiction_code",
            "work_due_on",
            "id",
            postgresql_where=text(_UNFINISHED_SQL),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    rule_id: Mapped[str] = mapped_column(String(64), nullable=False)
    """An id of ``rules.RULES``."""
    matter_type: Mapped[str] = mapped_column(String(32), nullable=False)
    """``complaint``, ``lead``, ``transfer``…: the context that owns the matter."""
    matter_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False)
    jurisdiction_code: Mapped[int] = mapped_column(ForeignKey("jurisdiction.code"), nullable=False)
    """The owing side's jurisdiction: its tenancy, and (normally) the calendar counted on."""
    province_code: Mapped[int] = mapped_column(Integer, nullable=False)
    owing_department_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("department.id"), nullable=True
    )
    escalate_to: Mapped[int | None] = mapped_column(ForeignKey("jurisdiction.code"), nullable=True)
    """The level above the owing jurisdiction, whose office hears when it is overdue (R-18);
    none for a province."""
    counterparty: Mapped[str | None] = mapped_column(Text, nullable=True)
    """Who it is owed to, as clerks read it (投诉人, 协同监管办公室…)."""
    started_on: Mapped[date] = mapped_column(Date, nullable=False)
    """The China date of the event that opened the clock."""
    counted_from: Mapped[date] = mapped_column(Date, nullable=False)
    """The date the period counts from: ``started_on``, or an earlier event's where the rule
    dates back (acceptance to receipt)."""
    unit: Mapped[DeadlineUnit] = mapped_column(text_enum(DeadlineUnit, "unit"), nullable=False)
    amount: Mapped[int] = mapped_column(SmallInteger, nullable=False)
    """The legal period, as the rule said when the clock opened."""
    promised_amount: Mapped[int | None] = mapped_column(SmallInteger, nullable=True)
    promise_source: Mapped[str | None] = mapped_column(Text, nullable=True)
    promise_jurisdiction: Mapped[int | None] = mapped_column(Integer, nullable=True)
    due_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    """The legal due date; NULL while a pause holds the clock."""
    promised_due_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    """An hour clock's due instant (``due_on`` is its China date); NULL for day clocks."""
    work_due_on: Mapped[date] = mapped_column(
        Date, Computed(f"COALESCE(due_on, DATE '{LAST_DAY.isoformat()}')", persisted=True)
    )
    """``due_on`` for sorting and paging (a held clock sorts last)."""
    status: Mapped[ObligationStatus] = mapped_column(
        text_enum(ObligationStatus, "obligation_status"),
        nullable=False,
        server_default=ObligationStatus.OPEN.value,
    )
    met_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    cancelled_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    cancel_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    paused: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=text("false"))
    paused_since: Mapped[date | None] = mapped_column(Date, nullable=True)
    paused_days: Mapped[int] = mapped_column(Integer, nullable=False, server_default=text("0"))
    """Days (of the unit) not counted because of pauses that ended."""
    provisional: Mapped[bool] = mapped_column(Boolean, nullable=False)
    calendar_version: Mapped[str] = mapped_column(String(32), nullable=False)
    calendar_jurisdiction: Mapped[int] = mapped_column(Integer, nullable=False)
    """Whose calendar counted the clock (national calendar plus that chain's overrides)."""
    warn_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    """The day 80 % of the first-due clock (the promise, else the law) has run."""
    remind_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    """The day only one working day is left before the first due date."""
    next_alert_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    """The earliest day the sweep has something to do for this clock (NULL: nothing more)."""
    created_by: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, server_default=func.now()
    )
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, server_default=func.now()
    )


class ObligationPause(Base):
    """Time a clock does not count (补正, 检验检测, 鉴定, 专家评审…), with the documents that
    started and ended it and the notice sent to the complainant."""

    __tablename__ = "obligation_pause"
    __table_args__ = (
        CheckConstraint(
            "province_code = jurisdiction_code - jurisdiction_code % 10000", name="province_prefix"
        ),
        CheckConstraint("ended_on IS NULL OR ended_on >= started_on", name="ends_after_start"),
        CheckConstraint(
            "(ended_on IS NULL) = (ended_document IS NULL) AND (ended_on IS NULL) = "
            "(ended_by IS NULL)",
            name="ended_together",
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    obligation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("obligation.id"), nullable=False, index=True
    )
    jurisdiction_code: Mapped[int] = mapped_column(
        ForeignKey("jurisdiction.code"), nullable=False, index=True
    )
    province_code: Mapped[int] = mapped_column(Integer, nullable=False)
    reason: Mapped[PauseReason] = mapped_column(
        text_enum(PauseReason, "pause_reason"), nullable=False
    )
    started_on: Mapped[date] = mapped_column(Date, nullable=False)
    """The day the request was sent (发出文书/补正通知之日): the clock still runs that day."""
    started_document: Mapped[str] = mapped_column(Text, nullable=False)
    """The document that started it, e.g. 补正通知书 宣住建补〔2026〕3号."""
    notice: Mapped[str | None] = mapped_column(Text, nullable=True)
    """What the complainant (or other counterparty) was told."""
    ended_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    """The day the reply was received (收到反馈之日): the last day not counted."""
    ended_document: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_by: Mapped[str] = mapped_column(Text, nullable=False)
    ended_by: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, server_default=func.now()
    )


class CalendarYear(Base):
    """One year of the State Council's holiday notice, as an operator loaded it; it replaces
    the ``chinesecalendar`` package for that year. A correction is loaded over it (``version``
    counts the loads; the audit trail keeps each one)."""

    __tablename__ = "calendar_year"
    __table_args__ = (CheckConstraint("year BETWEEN 2000 AND 2199", name="year_range"),)

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    notice: Mapped[str] = mapped_column(Text, nullable=False)
    document: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)
    """``calendar_file.to_document``: the file's content, checked again when read."""
    digest: Mapped[str] = mapped_column(String(64), nullable=False)
    """SHA-256 of the canonical document: loading the same notice again changes nothing."""
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    loaded_by: Mapped[str] = mapped_column(Text, nullable=False)
    loaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class CalendarOverrideDay(Base):
    """A day a jurisdiction's tenant file declares closed or open (a range expands to days)."""

    __tablename__ = "calendar_override"
    __table_args__ = (
        CheckConstraint(
            "province_code = jurisdiction_code - jurisdiction_code % 10000", name="province_prefix"
        ),
    )

    jurisdiction_code: Mapped[int] = mapped_column(
        ForeignKey("jurisdiction.code"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    province_code: Mapped[int] = mapped_column(Integer, nullable=False, index=True)
    kind: Mapped[OverrideKind] = mapped_column(
        text_enum(OverrideKind, "override_kind"), nullable=False
    )
    reason: Mapped[str] = mapped_column(Text, nullable=False)


class LocalPromiseRow(Base):
    """A jurisdiction's promise (承诺时限) to meet a rule faster than the law requires."""

    __tablename__ = "local_promise"
    __table_args__ = (
        CheckConstraint(
            "province_code = jurisdiction_code - jurisdiction_code % 10000", name="province_prefix"
        ),
        CheckConstraint("amount BETWEEN 1 AND 3650", name="amount_range"),
    )

    jurisdiction_code: Mapped[int] = mapped_column(
        ForeignKey("jurisdiction.code"), primary_key=True
    )
    rule_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    province_code: Mapped[int] = mapped_column(Integer, nullable=False, index=True)
    amount: Mapped[int] = mapped_column(SmallInteger, nullable=False)
    unit: Mapped[DeadlineUnit] = mapped_column(text_enum(DeadlineUnit, "unit"), nullable=False)
    source: Mapped[str] = mapped_column(Text, nullable=False)


class DeadlineConfig(Base):
    """One row whose ``token`` changes (a trigger) whenever calendar data does: a process
    compares it with the token its calendars were built from."""

    __tablename__ = "deadline_config"
    __table_args__ = (CheckConstraint("id", name="one_row"),)

    id: Mapped[bool] = mapped_column(Boolean, primary_key=True, server_default=text("true"))
    token: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), nullable=False, server_default=func.gen_random_uuid()
    )
    changed_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, server_default=func.now()
    )
