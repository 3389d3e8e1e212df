"""A rollup as a file: ``.xlsx`` (Chinese headers, number formats) or CSV, with the same lines and
total the API answers (built from the same ``service.Rollup``)."""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from xietong.deadlines.clock import china_time
from xietong.jurisdictions import codes
from xietong.jurisdictions.models import Department, Jurisdiction
from xietong.rollups import service
from xietong.rollups.enums import DIMENSION_ZH
from xietong.trading.money import format_yuan

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
YUAN_FORMAT = "#,##0.00"
RATE_FORMAT = "0.00%"


@dataclass(frozen=True, slots=True)
class Row:
    key: str
    label: str
    line: service.Line


async def labelled(session: AsyncSession, result: service.Rollup) -> tuple[str, list[Row]]:
    """The unit's name and each line with its Chinese label (units and departments looked up)."""
    names: dict[str, str] = {}
    wanted = {result.jurisdiction_code}
    if result.group_by == service.JURISDICTION:
        wanted |= {int(line.key) for line in result.lines}
    for code, name in await session.execute(
        select(Jurisdiction.code, Jurisdiction.name).where(Jurisdiction.code.in_(wanted))
    ):
        names[codes.format_code(code)] = name
    if result.group_by == "department":
        ids = []
        for line in result.lines:
            try:
                ids.append(uuid.UUID(line.key))
            except ValueError:
                continue
        for ident, name in await session.execute(
            select(Department.id, Department.name).where(Department.id.in_(ids))
        ):
            names[str(ident)] = name
    rows = []
    for line in result.lines:
        if result.group_by in (service.JURISDICTION, "department"):
            label = names.get(line.key, line.key or "（未填）")
        else:
            assert result.group_by is not None
            label = result.metric.dimension(result.group_by).label(line.key)
        rows.append(Row(line.key, label, line))
    return names.get(codes.format_code(result.jurisdiction_code), ""), rows


def _headers(result: service.Rollup) -> list[str]:
    group = DIMENSION_ZH.get(result.group_by or "", "分组")
    headers = [f"{group}代码", group, "数量"]
    m = result.metric
    if m.sum_a_zh:
        headers.append(m.sum_a_zh)
    if m.sum_b_zh:
        headers.append(m.sum_b_zh)
    if _has_rate(result):
        headers.append("节资率")
    return headers


def _has_rate(result: service.Rollup) -> bool:
    return result.metric.sum_a_name == "award_amount" and result.metric.sum_b_name == "budget"


def _rate(line: service.Line) -> float | None:
    return None if line.sum_b <= 0 else round((line.sum_b - line.sum_a) / line.sum_b, 6)


def _title(result: service.Rollup, unit: str) -> str:
    return (
        f"{unit}（{codes.format_code(result.jurisdiction_code)}）{result.metric.zh} "
        f"{result.period.label()}，截至 {china_time(result.as_of).isoformat(timespec='seconds')}"
    )


def safe_cell(cell: str) -> str:
    # A cell starting with = + - @ is a formula to a spreadsheet (CSV injection): quote it.
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell


def to_csv(result: service.Rollup, unit: str, rows: list[Row]) -> str:
    """Money in yuan with two decimals, exactly as the API writes it."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_title(result, unit)])
    writer.writerow(_headers(result))

    def cells(key: str, label: str, line: service.Line) -> list[str]:
        found = [safe_cell(key), safe_cell(label), str(line.n)]
        if result.metric.sum_a_zh:
            found.append(format_yuan(line.sum_a, grouping=False))
        if result.metric.sum_b_zh:
            found.append(format_yuan(line.sum_b, grouping=False))
        if _has_rate(result):
            rate = _rate(line)
            found.append("" if rate is None else f"{rate:.6f}")
        return found

    for row in rows:
        writer.writerow(cells(row.key, row.label, row.line))
    writer.writerow(cells("", "合计", result.total))
    return out.getvalue()


def to_xlsx(result: service.Rollup, unit: str, rows: list[Row]) -> bytes:
    """Numbers as numbers (yuan with the ``#,##0.00`` format, rates as percentages), the total
    last, in bold."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = result.metric.zh[:31]
    sheet.append([_title(result, unit)])
    sheet.append(_headers(result))
    for cell in sheet[2]:
        cell.font = Font(bold=True)

    def append(key: str, label: str, line: service.Line, *, bold: bool = False) -> None:
        values: list[object] = [safe_cell(key), safe_cell(label), line.n]
        formats: list[str | None] = [None, None, "0"]
        if result.metric.sum_a_zh:
            values.append(Decimal(line.sum_a) / 100)
            formats.append(YUAN_FORMAT)
        if result.metric.sum_b_zh:
            values.append(Decimal(line.sum_b) / 100)
            formats.append(YUAN_FORMAT)
        if _has_rate(result):
            values.append(_rate(line))
            formats.append(RATE_FORMAT)
        sheet.append(values)
        for cell, number_format in zip(sheet[sheet.max_row], formats, strict=False):
            if number_format:
                cell.number_format = number_format
            if bold:
                cell.font = Font(bold=True)

    for row in rows:
        append(row.key, row.label, row.line)
    append("", "合计", result.total, bold=True)
    sheet.column_dimensions["B"].width = 24
    for column in "CDEF":
        sheet.column_dimensions[column].width = 18
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def filename(result: service.Rollup, extension: str) -> str:
    code = codes.format_code(result.jurisdiction_code)
    return f"汇总-{result.metric.zh}-{code}-{result.period.label()}.{extension}"
