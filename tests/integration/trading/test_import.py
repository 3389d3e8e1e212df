"""``xietong import KIND FILE``: Chinese headers, CSV and .xlsx, all or nothing, exit codes."""

from __future__ import annotations

import asyncio
import csv
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from openpyxl import Workbook
from sqlalchemy import text

from tests.conftest import TEST_SERVER_SECRET, Database
from tests.integration.trading.support import AGENCY, TENDERER, bidder
from xietong.cli import main
from xietong.db.engine import make_engine

HEADERS = [
    "来源系统",
    "来源编号",
    "项目编号",
    "项目名称",
    "项目类别",
    "所属行业",
    "交易方式",
    "招标人统一社会信用代码",
    "招标人",
    "代理机构统一社会信用代码",
    "代理机构",
    "预算金额(元)",  # half-width parentheses: headers are compared after NFKC
    "是否涉密",
    "登记时间",
]


def _project(n: int, **changes: str) -> list[str]:
    row = {
        "来源系统": "XXJY",
        "来源编号": f"F-{n}",
        "项目编号": f"XXF-{n:05d}",
        "项目名称": f"新乡县第{n}号道路改造工程",
        "项目类别": "工程建设",
        "所属行业": "交通运输",
        "交易方式": "公开招标",
        "招标人统一社会信用代码": TENDERER,
        "招标人": "新乡县交通运输局",
        "代理机构统一社会信用代码": AGENCY,
        "代理机构": "河南华信招标代理有限公司",
        "预算金额(元)": "1,250,000.00",
        "是否涉密": "否",
        "登记时间": "2026-03-02 09:00",  # no zone in a spreadsheet: China time
    }
    row.update(changes)
    return [row[h] for h in HEADERS]


def _csv(path: Path, rows: list[list[str]], encoding: str = "utf-8-sig") -> Path:
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADERS)
        writer.writerows(rows)
    return path


@pytest.fixture
def cli(fresh_db: Database, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("XIETONG_DATABASE_URL", fresh_db.app_url)
    monkeypatch.setenv("XIETONG_SECRET_KEY", TEST_SERVER_SECRET)

    def invoke(*args: str) -> Any:
        return CliRunner().invoke(main, ["import", *args])

    return invoke


def _sql(db: Database, query: str) -> int:
    """Run one statement as the owner (these tests are synchronous: the command runs its own
    event loop)."""

    async def go() -> int:
        engine = make_engine(db.owner_url, pool_size=1)
        try:
            async with engine.begin() as conn:
                return int((await conn.execute(text(query))).scalar() or 0)
        finally:
            await engine.dispose()

    return asyncio.run(go())


def test_a_csv_with_chinese_headers_imports_and_again_changes_nothing(
    fresh_db: Database, cli: Any, tmp_path: Path
) -> None:
    path = _csv(tmp_path / "projects.csv", [_project(1), _project(2)], encoding="gb18030")
    result = cli("projects", str(path), "--as", "xinxiangxian.centre")
    assert result.exit_code == 0, result.output
    assert "2 row(s) checked: 2 were created" in result.output
    assert _sql(fresh_db, "SELECT count(*) FROM project") == 2
    assert (
        _sql(fresh_db, "SELECT count(*) FROM project WHERE registered_at = '2026-03-02T01:00:00Z'")
        == 2
    )
    again = cli("projects", str(path), "--as", "xinxiangxian.centre")
    assert "0 were created, 0 updated, 2 unchanged" in again.output
    assert _sql(fresh_db, "SELECT count(*) FROM audit_event WHERE action = 'project.register'") == 1


def test_one_bad_row_in_a_workbook_imports_nothing_and_is_named(
    fresh_db: Database, cli: Any, tmp_path: Path
) -> None:
    setup = _csv(tmp_path / "p.csv", [_project(1)])
    assert cli("projects", str(setup), "--as", "xinxiangxian.centre").exit_code == 0
    _sql(fresh_db, "UPDATE project SET state = 'bidding' RETURNING 1")  # open for bids
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["项目编号", "投标人统一社会信用代码", "投标人", "投标报价（元）", "递交时间"])
    for n in range(60):
        sheet.append([f"XXF-{1:05d}", bidder(n), f"投标人{n}", 1_200_000 + n, "2026-03-20 09:00"])
    sheet.cell(row=38, column=2, value=bidder(36)[:17] + "0")  # a mistyped credit code
    path = tmp_path / "bids.xlsx"
    book.save(path)
    result = cli("bids", str(path), "--as", "xinxiangxian.centre")
    assert result.exit_code == 1, result.output
    assert "第38行 bidderCreditCode: [INVALID_CREDIT_CODE]" in result.output
    assert _sql(fresh_db, "SELECT count(*) FROM bid") == 0
    sheet.cell(row=38, column=2, value=bidder(36))
    book.save(path)
    result = cli("bids", str(path), "--as", "xinxiangxian.centre")
    assert result.exit_code == 0, result.output
    assert _sql(fresh_db, "SELECT count(*) FROM bid") == 60


def test_many_bad_rows_list_fifty_and_a_count(fresh_db: Database, cli: Any, tmp_path: Path) -> None:
    rows = [_project(n, **({"预算金额(元)": "一百万"} if n % 20 == 0 else {})) for n in range(1200)]
    result = cli("projects", str(_csv(tmp_path / "p.csv", rows)), "--as", "xinxiangxian.centre")
    assert result.exit_code == 1
    problems = [line for line in result.output.splitlines() if "INVALID_AMOUNT" in line]
    assert len(problems) == 50
    assert "另有 10 个问题未列出" in result.output
    assert _sql(fresh_db, "SELECT count(*) FROM project") == 0


def test_access_and_usage_exit_codes(cli: Any, tmp_path: Path) -> None:
    path = _csv(tmp_path / "p.csv", [_project(1)])
    refused = cli("projects", str(path), "--as", "xinxiangxian.office")
    assert refused.exit_code == 3, refused.output
    elsewhere = cli(
        "projects", str(path), "--as", "xinxiangxian.centre", "--jurisdiction", "410700"
    )
    assert elsewhere.exit_code == 3
    unknown = cli("projects", str(path), "--as", "nobody.nowhere")
    assert unknown.exit_code == 2
    odd = tmp_path / "odd.csv"
    odd.write_text("项目编号,颜色\nX,红\n", encoding="utf-8")
    columns = cli("projects", str(odd), "--as", "xinxiangxian.centre")
    assert columns.exit_code == 2
    assert "颜色" in columns.output
