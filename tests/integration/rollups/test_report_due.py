"""Reports fall due for every unit, whether or not it drafted: opening a period gives each unit
its draft and its clock on the deadline engine, so the one sweep reminds a county that never
wrote a word, marks it overdue and escalates it to its city; the province's completeness shows
it missing."""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import io
from collections.abc import AsyncIterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import text

from tests.conftest import TEST_SERVER_SECRET, Database
from tests.integration.rollups.support import World, apply, make_world
from tests.support import GraphQLClient, graphql_client
from xietong.cli import main
from xietong.config import DatabaseSettings, Settings
from xietong.db.engine import make_engine, make_sessionmaker
from xietong.deadlines import sweep
from xietong.deadlines.clock import ManualClock
from xietong.jobs.queue import load_jobs
from xietong.keys import Keyring
from xietong.rollups import reports, reports_due
from xietong.rollups.jobs import DUE_JOB, due_schedule
from xietong.rollups.service import Period, PeriodKind

H1 = Period.of(PeriodKind.HALF_YEAR, 2026, 1)
LATE, SUBMITTER = 410721, 410522  # 新乡县 never drafts; 安阳县 submits in time
COMPLETENESS = """
query { reportCompleteness(template: HALF_YEAR, period: {year: 2026, number: 1},
                           jurisdiction: "410000", wholeSubtree: true) {
    submittedRate missing { code } children { jurisdiction { code } status dueOn onTime } } }"""


@pytest.mark.parametrize(
    ("kind", "today", "expected"),
    [
        (PeriodKind.MONTH, date(2026, 7, 1), Period.of(PeriodKind.MONTH, 2026, 6)),
        (PeriodKind.MONTH, date(2026, 1, 31), Period.of(PeriodKind.MONTH, 2025, 12)),
        (PeriodKind.HALF_YEAR, date(2026, 7, 1), H1),
        (PeriodKind.HALF_YEAR, date(2026, 6, 30), Period.of(PeriodKind.HALF_YEAR, 2025, 2)),
        (PeriodKind.HALF_YEAR, date(2027, 1, 1), Period.of(PeriodKind.HALF_YEAR, 2026, 2)),
        (PeriodKind.QUARTER, date(2026, 5, 3), Period.of(PeriodKind.QUARTER, 2026, 1)),
        (PeriodKind.YEAR, date(2026, 12, 31), Period.of(PeriodKind.YEAR, 2025)),
        (PeriodKind.YEAR, date(2027, 1, 1), Period.of(PeriodKind.YEAR, 2026)),
    ],
)
def test_the_period_that_ended_last(kind: PeriodKind, today: date, expected: Period) -> None:
    assert reports_due.last_ended(kind, today) == expected


@pytest.fixture(scope="module")
async def world(pg_admin_url: str, seeded_template: Database) -> AsyncIterator[World]:
    async with make_world(pg_admin_url, seeded_template, "d") as w:
        async with w.engine.begin() as conn:
            # Days from 2025-11-20: 50+ is in the first half of 2026.
            rows = [
                {
                    "unit": unit,
                    "category": "construction",
                    "method": "open_tender",
                    "industry": "housing",
                    "budget": 1_234_567 * (i + 1),
                    "separated": False,
                    "day": 50 + 3 * i,
                }
                for unit, n in ((SUBMITTER, 3), (410500, 2))
                for i in range(n)
            ]
            await apply(conn, w, ("projects", rows))
        yield w


async def test_a_county_that_never_drafted_is_reminded_escalated_and_missing(world: World) -> None:
    engine = make_engine(world.db.app_url, pool_size=2)
    sessions = make_sessionmaker(engine, keyring=Keyring.of(TEST_SERVER_SECRET))
    tpl = reports.template("half_year")
    try:
        opened = await reports_due.open_period(
            sessions, tpl=tpl, period=H1, clock=ManualClock.on(date(2026, 7, 1)), under=410000
        )
        assert opened.units > 2
        again = await reports_due.open_period(
            sessions, tpl=tpl, period=H1, clock=ManualClock.on(date(2026, 7, 2)), under=410000
        )
        assert again.units == 0  # once per unit and period
        async with world.engine.connect() as conn:
            clocks = {
                r.jurisdiction_code: r
                for r in await conn.execute(
                    text(
                        "SELECT o.jurisdiction_code, o.due_on, o.escalate_to, o.status, "
                        "d.kind AS owner, p.status AS report FROM obligation o "
                        "JOIN periodic_report p ON p.id = o.matter_id "
                        "JOIN department d ON d.id = o.owing_department_id "
                        "WHERE o.rule_id = 'R17.report_upward'"
                    )
                )
            }
            outside = await conn.scalar(
                text("SELECT count(*) FROM periodic_report WHERE province_code <> 410000")
            )
        assert outside == 0  # only the subtree asked for
        assert clocks[LATE].due_on == date(2026, 7, 21)  # 15 working days after 30 June
        assert clocks[LATE].escalate_to == 410700
        assert clocks[LATE].owner == "supervision_office"
        assert clocks[LATE].report == "draft"  # prefilled, waiting for the county

        async with graphql_client(world.db) as gql:
            gql.app.state.clock = ManualClock.on(date(2026, 7, 10))
            body = await gql.data(
                "mutation($i: ReportDraftInput!) { reportDraft(input: $i) { report { id "
                "events { action } } errors { code } } }",
                {"i": {"template": "HALF_YEAR", "period": {"year": 2026, "number": 1}}},
                login="anyangxian.office",
            )
            drafted = body["reportDraft"]
            assert drafted["errors"] == []
            assert [e["action"] for e in drafted["report"]["events"]] == ["due", "draft"]
            done = await gql.data(
                "mutation($i: ReportRefInput!) { reportSubmit(input: $i) { errors { code } } }",
                {"i": {"id": drafted["report"]["id"]}},
                login="anyangxian.office",
            )
            assert done["reportSubmit"]["errors"] == []

            # The sweep the day after the due date: the late county is told, then its city.
            await sweep.run(sessions, clock=ManualClock.on(date(2026, 7, 22)))
            async with world.engine.connect() as conn:
                sent = {
                    (r.kind, r.jurisdiction_code, r.source_jurisdiction_code, r.office)
                    for r in await conn.execute(
                        text(
                            "SELECT n.kind, n.jurisdiction_code, n.source_jurisdiction_code, "
                            "d.kind AS office FROM notification n "
                            "JOIN department d ON d.id = n.recipient_department_id "
                            "WHERE n.rule_id = 'R17.report_upward'"
                        )
                    )
                }
                status = await conn.scalar(
                    text(
                        "SELECT status FROM obligation WHERE rule_id = 'R17.report_upward' "
                        "AND jurisdiction_code = :c"
                    ),
                    {"c": LATE},
                )
            assert status == "overdue"
            assert ("overdue", LATE, LATE, "supervision_office") in sent
            assert ("escalation", 410700, LATE, "supervision_office") in sent
            assert not {s for s in sent if s[2] == SUBMITTER}  # it was in time

            gql.app.state.clock = ManualClock.on(date(2026, 7, 22))
            whole = (await gql.data(COMPLETENESS, login="henan.office"))["reportCompleteness"]
            assert str(LATE) in {m["code"] for m in whole["missing"]}
            assert str(SUBMITTER) not in {m["code"] for m in whole["missing"]}
            by_code = {c["jurisdiction"]["code"]: c for c in whole["children"]}
            assert by_code[str(LATE)]["status"] == "DRAFT"
            assert by_code[str(LATE)]["onTime"] is False
            assert by_code[str(SUBMITTER)]["onTime"] is True
            assert whole["submittedRate"] < 1

            # The submitted report as a workbook: the same figures the API answers.
            await _the_workbook_equals_the_api(gql)
    finally:
        await engine.dispose()


EXPORT = """
query($f: RollupExportFormat!) {
  periodicReport(template: HALF_YEAR, period: {year: 2026, number: 1}, jurisdiction: "410522") {
    figures { title value } consolidated { title value }
    export(format: $f) { filename contentType content }
  }
}"""


async def _the_workbook_equals_the_api(gql: GraphQLClient) -> None:
    from openpyxl import load_workbook

    read = (await gql.data(EXPORT, {"f": "XLSX"}, login="anyang.office"))["periodicReport"]
    file = read["export"]
    assert file["filename"].endswith(".xlsx")
    book = load_workbook(io.BytesIO(base64.b64decode(file["content"])))
    assert book.sheetnames == ["报告数据", "汇总来源", "文字部分"]
    sheet = book["报告数据"]
    assert "安阳县" in str(sheet["A1"].value)
    assert [c.value for c in sheet[2]] == ["项目", "本级数值", "汇总数值", "计量"]
    in_book = {r[0]: r[1] for r in sheet.iter_rows(min_row=3, values_only=True)}
    api = {x["title"]: x["value"] for x in read["figures"]}
    assert len(in_book) == len(api) > 0
    for title, value in api.items():
        assert Decimal(str(in_book[title])) == Decimal(value), title
    assert api["交易项目数"] == "3"
    assert Decimal(api["交易项目预算金额（元）"]) > 0
    budget = next(c for c in sheet["A"] if c.value == "交易项目预算金额（元）")
    assert sheet.cell(budget.row, 2).number_format == "#,##0.00"
    text_sheet = book["文字部分"]
    assert [c.value for c in text_sheet[1]] == ["部分", "内容"]
    csv_file = (await gql.data(EXPORT, {"f": "CSV"}, login="anyang.office"))["periodicReport"][
        "export"
    ]
    assert csv_file["contentType"].startswith("text/csv")
    assert "交易项目数,3,3,个" in csv_file["content"]


async def test_the_daily_job_opens_each_templates_last_ended_period(world: World) -> None:
    assert DUE_JOB in load_jobs().jobs
    assert due_schedule(Settings()) is None
    schedule = due_schedule(
        dataclasses.replace(Settings(), database=DatabaseSettings(url="postgresql://x@h/d"))
    )
    assert schedule is not None
    assert schedule.hour == frozenset({0})
    engine = make_engine(world.db.app_url, pool_size=2)
    sessions = make_sessionmaker(engine, keyring=Keyring.of(TEST_SERVER_SECRET))
    try:
        # Alone (-k) nothing was opened before; after the first test the half year was.
        half_year = 0 if await _opened_before(world) else 3
        opened = await reports_due.open_ended(
            sessions, clock=ManualClock.on(date(2026, 7, 1)), under=410500
        )
        # 安阳市 and its two counties owe June's 评定分离 report and 2025's annual one.
        assert {k: v.units for k, v in opened.items()} == {
            "annual": 3,
            "half_year": half_year,
            "separated_monthly": 3,
        }
        async with world.engine.connect() as conn:
            months = set(
                (
                    await conn.execute(
                        text(
                            "SELECT template, first_month FROM periodic_report "
                            "WHERE jurisdiction_code = 410581"
                        )
                    )
                ).all()
            )
        assert {("annual", 202501), ("separated_monthly", 202606)} <= {tuple(m) for m in months}
    finally:
        await engine.dispose()


async def _opened_before(world: World) -> bool:
    async with world.engine.connect() as conn:
        found = await conn.scalar(
            text(
                "SELECT count(*) FROM periodic_report WHERE template = 'half_year' "
                "AND jurisdiction_code = 410581"
            )
        )
    return bool(found)


async def _cli(db: Database, monkeypatch: pytest.MonkeyPatch, *args: str) -> Result:
    monkeypatch.setenv("XIETONG_DATABASE_URL", db.app_url)
    monkeypatch.setenv("XIETONG_SECRET_KEY", TEST_SERVER_SECRET)
    # The command runs its own event loop: in a thread, beside this test's.
    return await asyncio.to_thread(CliRunner().invoke, main, ["rollup", "report", *args])


async def test_the_cli_writes_the_reports_workbook_under_the_same_rule(
    world: World, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    engine = make_engine(world.db.app_url, pool_size=2)
    sessions = make_sessionmaker(engine, keyring=Keyring.of(TEST_SERVER_SECRET))
    try:
        await reports_due.open_period(
            sessions,
            tpl=reports.template("half_year"),
            period=H1,
            clock=ManualClock.on(date(2026, 7, 1)),
            under=410500,
        )
    finally:
        await engine.dispose()
    out = tmp_path / "report.xlsx"
    common = ("--template", "half_year", "--period", "2026-H1", "--out", str(out))
    done = await _cli(
        world.db, monkeypatch, *common, "--jurisdiction", "410522", "--as", "anyang.office"
    )
    assert done.exit_code == 0, done.output
    sheet = load_workbook(out)["报告数据"]
    rows = {r[0]: r[1] for r in sheet.iter_rows(min_row=3, values_only=True)}
    assert rows["交易项目数"] == 3
    # A sibling county may not read it; its own county may.
    refused = await _cli(
        world.db, monkeypatch, *common, "--jurisdiction", "410522", "--as", "linzhou.office"
    )
    assert refused.exit_code == 3, refused.output
    own = await _cli(world.db, monkeypatch, *common, "--as", "anyangxian.office")
    assert own.exit_code == 0, own.output
    missing = await _cli(
        world.db,
        monkeypatch,
        "--template",
        "annual",
        "--period",
        "2024",
        "--out",
        str(out),
        "--jurisdiction",
        "410522",
        "--system",
    )
    assert missing.exit_code == 4, missing.output
    bad = await _cli(
        world.db,
        monkeypatch,
        "--template",
        "half_year",
        "--period",
        "2026-Q1",
        "--out",
        str(out),
        "--system",
        "--jurisdiction",
        "410522",
    )
    assert bad.exit_code == 2, bad.output
