"""The project archive (项目档案, R-4): one timeline of a project's moves, changes, bids, award,
contract and its changes, and the reports filed against it; exportable as CSV or ``.xlsx``.

Built from the same rows the API reads, through the caller's scope (a classified project's
archive is as hidden as the project). Personal data stays masked: a project manager appears by
name and masked ID number only.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from xietong.deadlines.clock import china_time
from xietong.trading.models import (
    Award,
    Bid,
    Contract,
    ContractChange,
    MarketEntity,
    NaturalPerson,
    Project,
    ProjectChange,
    ProjectMove,
    ProjectReport,
)
from xietong.trading.money import format_yuan


class EntryKind(StrEnum):
    MOVE = "move"
    CHANGE = "change"
    BID = "bid"
    AWARD = "award"
    CONTRACT = "contract"
    CONTRACT_CHANGE = "contract_change"
    REPORT = "report"


KIND_ZH = {
    EntryKind.MOVE: "流程",
    EntryKind.CHANGE: "变更",
    EntryKind.BID: "投标",
    EntryKind.AWARD: "定标",
    EntryKind.CONTRACT: "合同",
    EntryKind.CONTRACT_CHANGE: "合同变更",
    EntryKind.REPORT: "报送",
}


@dataclass(frozen=True, slots=True)
class ArchiveEntry:
    at: datetime
    kind: EntryKind
    title: str
    """What happened, for a clerk (Chinese)."""
    detail: str
    actor: str
    record_id: str


async def archive(db_session: AsyncSession, project: Project) -> list[ArchiveEntry]:
    """The project's timeline, oldest first. ``project`` must already be one the caller sees;
    row-level security scopes every record the same way."""
    pid = project.id
    entities: dict[uuid.UUID, str] = {}

    async def names(ids: set[uuid.UUID]) -> None:
        missing = ids - set(entities)
        if missing:
            rows = await db_session.execute(
                select(MarketEntity.id, MarketEntity.name, MarketEntity.credit_code).where(
                    MarketEntity.id.in_(missing)
                )
            )
            for ident, name, code in rows:
                entities[ident] = f"{name}（{code}）"

    entries: list[ArchiveEntry] = []
    for move in await db_session.scalars(
        select(ProjectMove).where(ProjectMove.project_id == pid).order_by(ProjectMove.id)
    ):
        source = f"{move.source.zh} → " if move.source else ""
        entries.append(
            ArchiveEntry(
                move.at,
                EntryKind.MOVE,
                move.action.zh,
                f"{source}{move.target.zh}" + (f"；{move.note}" if move.note else ""),
                move.actor,
                str(move.id),
            )
        )
    for change in await db_session.scalars(
        select(ProjectChange).where(ProjectChange.project_id == pid).order_by(ProjectChange.id)
    ):
        fields = "、".join(sorted(change.changes))
        entries.append(
            ArchiveEntry(
                change.changed_at,
                EntryKind.CHANGE,
                "项目信息变更",
                f"变更字段：{fields}",
                change.actor,
                str(change.id),
            )
        )
    bids = list(await db_session.scalars(select(Bid).where(Bid.project_id == pid)))
    award = await db_session.scalar(select(Award).where(Award.project_id == pid))
    contract = await db_session.scalar(select(Contract).where(Contract.project_id == pid))
    await names(
        {b.bidder_id for b in bids}
        | ({award.winner_id} if award else set())
        | ({contract.supplier_id} if contract else set())
    )
    managers: dict[uuid.UUID, str] = {}
    manager_ids = {b.project_manager_id for b in bids if b.project_manager_id}
    if manager_ids:
        for ident, name, masked in await db_session.execute(
            select(NaturalPerson.id, NaturalPerson.name, NaturalPerson.id_masked).where(
                NaturalPerson.id.in_(manager_ids)
            )
        ):
            managers[ident] = f"{name}（{masked}）"
    for bid in bids:
        manager = managers.get(bid.project_manager_id) if bid.project_manager_id else None
        entries.append(
            ArchiveEntry(
                bid.submitted_at,
                EntryKind.BID,
                f"投标：{entities.get(bid.bidder_id, '')}",
                f"报价 {format_yuan(bid.price_fen)} 元"
                + (f"；项目经理 {manager}" if manager else "")
                + (f"；IP {bid.ip}" if bid.ip else ""),
                bid.recorded_by,
                str(bid.id),
            )
        )
    if award is not None:
        entries.append(
            ArchiveEntry(
                award.awarded_at,
                EntryKind.AWARD,
                f"中标：{entities.get(award.winner_id, '')}",
                f"中标金额 {format_yuan(award.amount_fen)} 元",
                award.recorded_by,
                str(award.id),
            )
        )
    if contract is not None:
        entries.append(
            ArchiveEntry(
                contract.signed_at,
                EntryKind.CONTRACT,
                f"签订合同 {contract.contract_number}",
                f"{entities.get(contract.supplier_id, '')}；合同金额 "
                f"{format_yuan(contract.amount_fen)} 元",
                contract.recorded_by,
                str(contract.id),
            )
        )
        for amendment in await db_session.scalars(
            select(ContractChange)
            .where(ContractChange.contract_id == contract.id)
            .order_by(ContractChange.id)
        ):
            entries.append(
                ArchiveEntry(
                    amendment.changed_at,
                    EntryKind.CONTRACT_CHANGE,
                    "合同变更",
                    f"变更后金额 {format_yuan(amendment.amount_fen)} 元；{amendment.reason}",
                    amendment.recorded_by,
                    str(amendment.id),
                )
            )
    for report in await db_session.scalars(
        select(ProjectReport).where(ProjectReport.project_id == pid)
    ):
        entries.append(
            ArchiveEntry(
                report.reported_at,
                EntryKind.REPORT,
                f"{report.reporter.zh}报送{report.kind.zh}：{report.title}",
                report.content,
                report.recorded_by,
                str(report.id),
            )
        )
    order = {kind: i for i, kind in enumerate(EntryKind)}
    entries.sort(key=lambda e: (e.at, order[e.kind], e.record_id))
    return entries


HEADER = ("时间", "类别", "事项", "详情", "记录人", "记录编号")


def _cells(entry: ArchiveEntry) -> tuple[str, ...]:
    return (
        china_time(entry.at).isoformat(),
        KIND_ZH[entry.kind],
        entry.title,
        entry.detail,
        entry.actor,
        entry.record_id,
    )


def _safe(cell: str) -> str:
    # A cell starting with = + - @ is a formula to a spreadsheet (CSV injection): quote it.
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell


def to_csv(project: Project, entries: Sequence[ArchiveEntry]) -> str:
    """UTF-8 with a BOM-free header row; Excel opens it when saved with a BOM by the caller."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow((f"项目档案 {project.project_code}", project.name))
    writer.writerow(HEADER)
    for entry in entries:
        writer.writerow([_safe(c) for c in _cells(entry)])
    return out.getvalue()


def to_xlsx(project: Project, entries: Sequence[ArchiveEntry]) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title="项目档案")
    sheet.append([f"项目档案 {project.project_code}", project.name])
    sheet.append(list(HEADER))
    for entry in entries:
        sheet.append([_safe(c) for c in _cells(entry)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
