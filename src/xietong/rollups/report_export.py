"""A periodic report as a file: ``.xlsx`` (Chinese headers, yuan as numbers) or CSV, with the same
figures the API answers — the unit's own, the consolidated line and every report it adds up —
built from ``reports.consolidated`` like ``periodicReport { consolidated }``."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from xietong.jurisdictions import codes
from xietong.jurisdictions.models import Jurisdiction
from xietong.rollups import reports
from xietong.rollups.export import CSV_TYPE, XLSX_TYPE, YUAN_FORMAT, safe_cell
from xietong.rollups.models import PeriodicReport
from xietong.rollups.service import Period
from xietong.trading.money import format_yuan

STATUS_ZH = {"draft": "草稿", "submitted": "已报送", "returned": "已退回", "accepted": "已审核通过"}
HEADERS = ["项目", "本级数值", "汇总数值", "计量"]
SOURCE_HEADERS = ["项目", "行政区划代码", "行政区划", "数值", "本级"]


async def _lines(
    session: AsyncSession, report: PeriodicReport
) -> tuple[str, list[reports.ConsolidatedLine], dict[int, str]]:
    lines = await reports.consolidated(session, report)
    wanted = {report.jurisdiction_code} | {s.code for x in lines for s in x.sources}
    rows = await session.execute(
        select(Jurisdiction.code, Jurisdiction.name).where(Jurisdiction.code.in_(wanted))
    )
    names = {int(r[0]): str(r[1]) for r in rows}
    tpl = reports.template(report.template)
    period = Period(report.first_month, report.last_month)
    code = report.jurisdiction_code
    title = (
        f"{names.get(code, '')}（{codes.format_code(code)}）"
        f"{tpl.zh} {period.label()}，{STATUS_ZH.get(report.status.value, report.status.value)}"
        + (f"，应报日期 {report.due_on.isoformat()}" if report.due_on else "")
    )
    return title, lines, names


def _own(report: PeriodicReport, item: reports.Item) -> int:
    return int(report.figures[item.key]["value"])


def filename(report: PeriodicReport, extension: str) -> str:
    tpl = reports.template(report.template)
    period = Period(report.first_month, report.last_month).label()
    return f"报告-{tpl.zh}-{codes.format_code(report.jurisdiction_code)}-{period}.{extension}"


async def to_csv(session: AsyncSession, report: PeriodicReport) -> str:
    """Money in yuan with two decimals, as the API writes it; the sources after the figures."""
    title, lines, names = await _lines(session, report)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([title])
    writer.writerow(HEADERS)

    def amount(item: reports.Item, value: int) -> str:
        return format_yuan(value, grouping=False) if item.money else str(value)

    for x in lines:
        own = _own(report, x.item)
        writer.writerow(
            [
                x.item.zh,
                amount(x.item, own),
                amount(x.item, x.value),
                "元" if x.item.money else "个",
            ]
        )
    writer.writerow([])
    writer.writerow(SOURCE_HEADERS)
    for x in lines:
        for s in x.sources:
            writer.writerow(
                [
                    x.item.zh,
                    codes.format_code(s.code),
                    safe_cell(names.get(s.code, "")),
                    amount(x.item, s.value),
                    "是" if s.own else "否",
                ]
            )
    return out.getvalue()


async def to_xlsx(session: AsyncSession, report: PeriodicReport) -> bytes:
    """Three sheets: the figures (own and consolidated), every source of each consolidated line,
    and the narrative. Counts as integers, money in yuan with ``#,##0.00``."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    title, lines, names = await _lines(session, report)
    tpl = reports.template(report.template)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "报告数据"
    sheet.append([title])
    sheet.append(HEADERS)
    for cell in sheet[2]:
        cell.font = Font(bold=True)

    def number(item: reports.Item, value: int) -> tuple[object, str]:
        return (Decimal(value) / 100, YUAN_FORMAT) if item.money else (value, "0")

    for x in lines:
        own, fmt = number(x.item, _own(report, x.item))
        total, _ = number(x.item, x.value)
        sheet.append([x.item.zh, own, total, "元" if x.item.money else "个"])
        for cell in sheet[sheet.max_row][1:3]:
            cell.number_format = fmt
    sheet.column_dimensions["A"].width = 30
    for column in "BC":
        sheet.column_dimensions[column].width = 20

    sources = book.create_sheet("汇总来源")
    sources.append(SOURCE_HEADERS)
    for cell in sources[1]:
        cell.font = Font(bold=True)
    for x in lines:
        for s in x.sources:
            value, fmt = number(x.item, s.value)
            sources.append(
                [
                    x.item.zh,
                    codes.format_code(s.code),
                    safe_cell(names.get(s.code, "")),
                    value,
                    "是" if s.own else "否",
                ]
            )
            sources.cell(sources.max_row, 4).number_format = fmt
    sources.column_dimensions["A"].width = 30
    sources.column_dimensions["C"].width = 24

    text = book.create_sheet("文字部分")
    text.append(["部分", "内容"])
    for cell in text[1]:
        cell.font = Font(bold=True)
    for _key, heading, body in reports.narrative_of(report, tpl):
        text.append([heading, safe_cell(body)])
    text.column_dimensions["B"].width = 80
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def export(
    session: AsyncSession, report: PeriodicReport, xlsx: bool
) -> tuple[str, str, bytes]:
    """(file name, media type, content)."""
    if xlsx:
        return filename(report, "xlsx"), XLSX_TYPE, await to_xlsx(session, report)
    return filename(report, "csv"), CSV_TYPE, (await to_csv(session, report)).encode("utf-8")
