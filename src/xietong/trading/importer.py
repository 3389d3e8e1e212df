"""``xietong import KIND FILE``: a CSV or ``.xlsx`` file through the same checks as the API.

The file is read whole (UTF-8, with or without a BOM, or GB18030 as Excel saves CSV on Chinese
Windows; or the first sheet of a workbook), its header row mapped to fields (API names or Chinese
headers: 项目编号, 项目名称, 预算金额（元）…), and its rows sent in batches of 1,000 through
``ingest`` as the person named by ``--as``, under that person's scope, power list and row-level
security, leaving one audit event per batch. The whole file is one transaction: every row
applies, or none does and the bad rows are listed.

Spreadsheets carry no time zone: a time written without an offset (``2026-03-02 09:00``, or a
date-time cell) is read as China time, the service's; a time with an offset keeps it.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from xietong.access import scope as scopes
from xietong.access.authentication import person_principal
from xietong.access.guard import Guard
from xietong.access.policy import load_authorizer
from xietong.access.principal import Principal
from xietong.access.scope_token import ScopeSigner
from xietong.inputs import CHINA
from xietong.trading.ingest import ingest
from xietong.trading.rows import MAX_BATCH, Kind, RowProblem, duplicates, header_map

MAX_FILE_BYTES = 64 * 1024 * 1024
SHOWN = 50
"""Bad rows printed; the rest are counted."""

NATURAL_KEYS: dict[Kind, tuple[str, ...]] = {
    Kind.PROJECTS: ("sourceSystem", "sourceId"),
    Kind.BIDS: ("projectCode", "bidderCreditCode"),
    Kind.AWARDS: ("projectCode",),
    Kind.REPORTS: ("projectCode", "sourceId"),
    Kind.APPROVED: ("approvalNumber",),
}


class FileProblem(Exception):
    """The file cannot be read as a table of this kind (exit code 2)."""


@dataclass(slots=True)
class ImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    """Row indexes are 0-based positions among the file's data rows."""

    @property
    def ok(self) -> bool:
        return not self.problems


def _decode(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            return data.decode("gb18030")
        except UnicodeDecodeError:
            raise FileProblem(
                "文件既不是UTF-8也不是GB18030编码（save the file as UTF-8 CSV）"
            ) from None


_NAIVE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?")


def _cell(value: Any) -> Any:
    """A spreadsheet cell as the row parsers read it: numbers as exact text, times in China
    time when they carry no zone, blank as missing."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        # The shortest text that reads back as the same float: what the spreadsheet shows.
        return format(Decimal(repr(value)), "f")
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=CHINA)
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = value.strip()
        if _NAIVE.fullmatch(text):
            return text.replace(" ", "T") + "+08:00"
        return value
    return str(value)


def read_table(path: Path) -> tuple[list[str], list[list[Any]]]:
    """The header row and the data rows of a CSV or ``.xlsx`` file."""
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise FileProblem(f"文件超过 {MAX_FILE_BYTES // 2**20} MB（the file is too large）")
        data = path.read_bytes()
    except OSError as exc:
        raise FileProblem(f"无法读取文件（cannot read {path}: {exc.strerror}）") from None
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        rows = _xlsx_rows(data)
    elif path.suffix.lower() in (".csv", ".txt"):
        rows = list(csv.reader(io.StringIO(_decode(data), newline="")))
    else:
        raise FileProblem("只支持 .csv 和 .xlsx 文件（only .csv and .xlsx files）")
    rows = [r for r in rows if any(c not in (None, "") for c in r)]
    if not rows:
        raise FileProblem("文件为空（the file has no rows）")
    header = ["" if c is None else str(c).strip() for c in rows[0]]
    return header, rows[1:]


def _xlsx_rows(data: bytes) -> list[list[Any]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise FileProblem(
            f"不是有效的 .xlsx 文件（not a workbook: {type(exc).__name__}）"
        ) from None
    sheet = book.worksheets[0]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    book.close()
    return rows


def raw_rows(
    kind: Kind, header: Sequence[str], rows: Sequence[Sequence[Any]], today: date
) -> list[dict[str, Any]]:
    columns, unknown = header_map(kind, header, today=today)
    if unknown:
        raise FileProblem(
            "无法识别的列：" + "、".join(unknown[:10]) + f"（unknown columns for {kind.value}）"
        )
    return [
        {name: _cell(row[i]) if i < len(row) else None for i, name in columns.items()}
        for row in rows
    ]


async def signed_in_as(session: AsyncSession, login: str, signer: ScopeSigner) -> Guard | None:
    """A guard for an active person, outside any request: their scope is signed and set on
    the transaction, their roles and power list decide; None if there is no such person."""
    principal = await person_principal(session, login, signer)
    return None if principal is None else await guard_for(session, principal, signer)


async def guard_for(session: AsyncSession, principal: Principal, signer: ScopeSigner) -> Guard:
    scope = scopes.Scope.of(principal)
    await scopes.apply(session, scope, signer)
    return Guard(principal, scope, await load_authorizer(session), session)


async def import_rows(
    guard: Guard,
    kind: Kind,
    jurisdiction_code: int,
    raws: Sequence[dict[str, Any]],
    *,
    progress: Callable[[int], None] = lambda n: None,
) -> ImportReport:
    """Every batch of the file through ``ingest``, in the caller's transaction; the caller
    commits only if the report is ``ok``."""
    report = ImportReport(rows=len(raws))
    keys = NATURAL_KEYS[kind]
    report.problems += duplicates(
        raws,
        lambda r: (
            tuple(str(r.get(k) or "").strip().upper() for k in keys)
            if all(r.get(k) for k in keys)
            else None
        ),
        keys[-1],
    )
    for start in range(0, len(raws), MAX_BATCH):
        chunk = raws[start : start + MAX_BATCH]
        result, problems = await ingest(guard, kind, jurisdiction_code, chunk)
        report.problems += [
            RowProblem(
                start + p.index if p.index >= 0 else -1, p.field, p.code, p.message, p.position
            )
            for p in problems
        ]
        if result is not None:
            report.created += len(result.created)
            report.updated += len(result.updated)
            report.unchanged += result.unchanged
        progress(len(chunk))
    report.problems.sort(key=lambda p: p.index)
    return report


def describe(problem: RowProblem) -> str:
    """One line per bad row: its line in the file (the header is line 1)."""
    where = "整个文件" if problem.index < 0 else f"第{problem.index + 2}行"
    column = f" {problem.field}" if problem.field else ""
    return f"{where}{column}: [{problem.code.value}] {problem.message}"


def lines(report: ImportReport) -> Iterator[str]:
    for problem in report.problems[:SHOWN]:
        yield describe(problem)
    more = len(report.problems) - SHOWN
    if more > 0:
        yield f"… 另有 {more} 个问题未列出（and {more} more problem(s)）"
