"""``xietong rollup export``: the workbook a person or an operator exports opens with openpyxl and
its lines and total equal the API's; the person's access decides as for the API; bad arguments
are usage errors."""

from __future__ import annotations

import asyncio
import csv
from collections.abc import AsyncIterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner, Result

from tests.conftest import TEST_SERVER_SECRET, Database
from tests.integration.rollups.support import World, apply, make_world
from tests.support import GraphQLClient, graphql_client
from xietong.cli import main

ROLLUP = """
query($m: RollupMetric!, $j: JurisdictionCode, $p: RollupPeriodInput!, $g: RollupGroupBy) {
  rollup(metric: $m, jurisdiction: $j, period: $p, groupBy: $g) {
    total { count sums { name yuan } } lines { key label count sums { name yuan } }
  }
}"""
YEARS = {"kind": "MONTHS", "year": 2025, "number": 1, "lastYear": 2026, "lastMonth": 12}
PERIOD = "2025-01..2026-12"


@dataclass
class Setup:
    world: World
    gql: GraphQLClient


@pytest.fixture(scope="module")
async def setup(pg_admin_url: str, seeded_template: Database) -> AsyncIterator[Setup]:
    async with make_world(pg_admin_url, seeded_template, "c") as w:
        rows = [
            {
                "unit": unit,
                "category": category,
                "method": "open_tender",
                "industry": "housing",
                "budget": 1_000_000 + 1234 * i,
                "separated": False,
                "day": 10 * i,
            }
            for i, (unit, category) in enumerate(
                [
                    (410522, "construction"),
                    (410522, "land_use_rights"),
                    (410581, "construction"),
                    (410500, "construction"),
                    (410721, "government_procurement"),
                ]
            )
        ]
        async with w.engine.begin() as conn:
            await apply(conn, w, ("projects", rows))
            for i in range(3):
                await apply(conn, w, ("award", i, 900_000 + 7 * i, 40 + i))
            await apply(conn, w, ("transfer", 410522, 410721, "crime", 3))
            await apply(conn, w, ("transfer_move", 0, "received", 4))
        async with graphql_client(w.db) as gql:
            yield Setup(w, gql)


async def _cli(db: Database, monkeypatch: pytest.MonkeyPatch, *args: str) -> Result:
    monkeypatch.setenv("XIETONG_DATABASE_URL", db.app_url)
    monkeypatch.setenv("XIETONG_SECRET_KEY", TEST_SERVER_SECRET)
    # The command runs its own event loop: in a thread, beside this test's.
    return await asyncio.to_thread(CliRunner().invoke, main, ["rollup", "export", *args])


async def _api(setup: Setup, login: str, metric: str, code: str, group: str) -> dict[str, Any]:
    variables = {"m": metric, "j": code, "p": YEARS, "g": group}
    found: dict[str, Any] = (await setup.gql.data(ROLLUP, variables, login=login))["rollup"]
    return found


def _money(value: object) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


@pytest.mark.parametrize(
    ("who", "metric", "code", "group"),
    [
        (("--as", "henan.office"), "awards", "410000", "jurisdiction"),
        (("--as", "anyang.office"), "projects", "410500", "category"),
        (("--system",), "projects", "410000", "jurisdiction"),
        (("--system",), "transfers_received", "410700", "jurisdiction"),
    ],
)
async def test_the_workbook_equals_the_api(
    setup: Setup,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    who: tuple[str, ...],
    metric: str,
    code: str,
    group: str,
) -> None:
    out = tmp_path / "rollup.xlsx"
    args = [*who, "--metric", metric, "--jurisdiction", code, "--period", PERIOD]
    result = await _cli(setup.world.db, monkeypatch, *args, "--group-by", group, "--out", str(out))
    assert result.exit_code == 0, result.output
    # The API's answer, asked by the office of the same unit.
    office = {"410000": "henan.office", "410500": "anyang.office", "410700": "xinxiang.office"}
    answer = await _api(setup, office[code], metric.upper(), code, group.upper())
    assert answer["total"]["count"] > 0

    sheet = openpyxl.load_workbook(out).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    total = rows[-1]
    assert total[1] == "合计"
    assert total[2] == answer["total"]["count"]
    sums = [Decimal(s["yuan"]) for s in answer["total"]["sums"]]
    assert [_money(v) for v in total[3 : 3 + len(sums)]] == sums
    lines = {str(r[0]): (r[2], [_money(v) for v in r[3 : 3 + len(sums)]]) for r in rows[2:-1]}
    assert lines == {
        ln["key"]: (ln["count"], [Decimal(s["yuan"]) for s in ln["sums"]]) for ln in answer["lines"]
    }
    assert f"total {answer['total']['count']}" in result.output


async def test_csv_as_a_person(
    setup: Setup, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    out = tmp_path / "rollup.csv"
    args = ["--as", "anyangxian.office", "--metric", "PROJECTS", "--period", PERIOD]
    result = await _cli(setup.world.db, monkeypatch, *args, "--format", "csv", "--out", str(out))
    assert result.exit_code == 0, result.output
    answer = await _api(setup, "anyangxian.office", "PROJECTS", "410522", "CATEGORY")
    lines = list(csv.reader(out.read_text(encoding="utf-8").splitlines()))
    assert lines[-1][1] == "合计"
    assert int(lines[-1][2]) == answer["total"]["count"] == 2
    assert Decimal(lines[-1][3]) == Decimal(answer["total"]["sums"][0]["yuan"])


@pytest.mark.parametrize(
    ("args", "code"),
    [
        # A county cannot export its sibling, nor its city: refused as by the API.
        (("--as", "anyangxian.office", "--jurisdiction", "410581"), 3),
        (("--as", "anyangxian.office", "--jurisdiction", "410500"), 3),
        (("--as", "nobody.here", "--jurisdiction", "410500"), 2),
        (("--as", "henan.office", "--system", "--jurisdiction", "410500"), 2),
        (("--system",), 2),
        (("--system", "--jurisdiction", "410500", "--group-by", "regime"), 2),
        (("--system", "--jurisdiction", "410500", "--metric", "nothing"), 2),
        (("--system", "--jurisdiction", "410500", "--period", "2026-13"), 2),
        (("--system", "--jurisdiction", "410500", "--period", "2026-Q5"), 2),
    ],
)
async def test_refusals(
    setup: Setup,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    args: tuple[str, ...],
    code: int,
) -> None:
    out = tmp_path / "refused.xlsx"
    defaults = {"--metric": "projects", "--period": PERIOD}
    given = [*args]
    for option, value in defaults.items():
        if option not in args:
            given += [option, value]
    result = await _cli(setup.world.db, monkeypatch, *given, "--out", str(out))
    assert result.exit_code == code, result.output
    assert not out.exists()
