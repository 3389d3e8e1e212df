"""The public face of the trading record, and the 应进未进 check.

``project_disclosure`` (a view, migration 0006) holds the basics of every project that is not
classified: code, name, category, method, state, tenderer, budget, winner and amount (R-15:
应公开、尽公开, except 涉密). Anyone may read it, signed in or not; it is the only way anonymous
callers see projects, and it never shows a classified one.

``not_entered`` answers an office's 应进未进 list (R-16, XINXIANG 18) on demand from the stored
approved projects, the trading projects of its subtree and its province's catalogue, through the
pure rule in ``mandatory_entry``: exact at any moment, with the rule that put each line there.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import BigInteger, DateTime, Integer, Select, String, Text, select
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from xietong.access.principal import Principal
from xietong.access.scope import Scope, in_span
from xietong.jurisdictions import codes
from xietong.jurisdictions.codes import CodeRange
from xietong.trading.catalogue import TradingCatalogue, parse_catalogue
from xietong.trading.credit_code import CreditCode
from xietong.trading.enums import ProjectCategory
from xietong.trading.errors import TradingError
from xietong.trading.mandatory_entry import (
    ApprovedProject as ApprovedRef,
)
from xietong.trading.mandatory_entry import (
    NotEntered,
    TradingProjectRef,
    not_entered,
)
from xietong.trading.models import ApprovedProject, MarketEntity, Project, TradingCatalogueRow
from xietong.trading.service import visible_projects


class _Views(DeclarativeBase):
    """Views are not tables: kept out of the models' metadata (Alembic)."""


class ProjectDisclosureRow(_Views):
    """A row of ``project_disclosure``."""

    __tablename__ = "project_disclosure"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    jurisdiction_code: Mapped[int] = mapped_column(Integer)
    province_code: Mapped[int] = mapped_column(Integer)
    project_code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(32))
    method: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(32))
    tenderer_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    budget_fen: Mapped[int] = mapped_column(BigInteger)
    registered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    winner_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    award_amount_fen: Mapped[int | None] = mapped_column(BigInteger)
    awarded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


def disclosure_query(
    *,
    span: CodeRange | None,
    category: ProjectCategory | None = None,
    code: str | None = None,
) -> Select[ProjectDisclosureRow]:
    """Public basics of unclassified projects (the view shows nothing else)."""
    query = select(ProjectDisclosureRow)
    if span is not None:
        query = query.where(in_span(ProjectDisclosureRow.jurisdiction_code, span))
    if category is not None:
        query = query.where(ProjectDisclosureRow.category == category.value)
    if code is not None:
        query = query.where(ProjectDisclosureRow.project_code == code)
    return query


async def load_catalogue(db_session: AsyncSession, province_code: int) -> TradingCatalogue | None:
    document = await db_session.scalar(
        select(TradingCatalogueRow.document).where(
            TradingCatalogueRow.province_code == province_code
        )
    )
    return None if document is None else parse_catalogue(document)


def _code(value: str | None) -> CreditCode | None:
    if value is None:
        return None
    try:
        return CreditCode(value)
    except TradingError:
        return None


async def not_entered_list(
    *,
    db_session: AsyncSession,
    scope: Scope,
    principal: Principal,
    span: CodeRange,
    today: date,
    grace_days: int | None = None,
) -> list[NotEntered]:
    """Approved projects of ``span`` the province's catalogue says must trade in the centre,
    past their grace period, that match no trading project (``mandatory_entry.not_entered``)."""
    catalogue = await load_catalogue(db_session, codes.province_of(span.lo))
    if catalogue is None:
        return []
    approved = [
        ApprovedRef(
            approval_number=a.approval_number,
            name=a.name,
            owner_name=a.owner_name,
            owner_credit_code=_code(a.owner_credit_code),
            amount_fen=a.amount_fen,
            category=a.category,
            industry=a.industry,
            funding=a.funding,
            jurisdiction_code=a.jurisdiction_code,
            approved_on=a.approved_on,
        )
        for a in await db_session.scalars(
            select(ApprovedProject).where(
                scope.visible(ApprovedProject.jurisdiction_code),
                in_span(ApprovedProject.jurisdiction_code, span),
            )
        )
    ]
    if not approved:
        return []
    # A project in another unit of the province may carry it out (a city builds for a
    # county): every trading project of the caller's visible province counts as entered.
    trading = [
        TradingProjectRef(
            project_code=code,
            name=name,
            approval_number=number,
            tenderer_name=tenderer,
            tenderer_credit_code=_code(credit),
        )
        for code, name, number, tenderer, credit in (
            await db_session.execute(
                select(
                    Project.project_code,
                    Project.name,
                    Project.approval_number,
                    MarketEntity.name,
                    MarketEntity.credit_code,
                )
                .join(MarketEntity, MarketEntity.id == Project.tenderer_id)
                .where(
                    visible_projects(scope, principal),
                    Project.province_code == codes.province_of(span.lo),
                )
            )
        )
    ]
    return not_entered(approved, trading, catalogue, today=today, grace_days=grace_days)
