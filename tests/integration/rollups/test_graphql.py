"""The rollup query: a province's drill-down equals the ground truth; a county cannot roll up its
sibling (through both walls, and through PostgreSQL's alone); bad arguments are coded errors."""

from __future__ import annotations

import base64
import csv
import io
from collections.abc import AsyncIterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from sqlalchemy import text

from tests.conftest import Database
from tests.integration.rollups.support import World, apply, make_world
from tests.support import GraphQLClient, error_codes, graphql_client

ROLLUP = """
query($m: RollupMetric!, $j: JurisdictionCode, $p: RollupPeriodInput!, $g: RollupGroupBy) {
  rollup(metric: $m, jurisdiction: $j, period: $p, groupBy: $g) {
    metric title jurisdictionCode period { first last label } groupBy asOf
    total { count sums { name yuan } savingsRate }
    lines { key label count sums { name yuan } savingsRate jurisdiction { code } }
  }
}"""
YEARS = {"kind": "MONTHS", "year": 2025, "number": 1, "lastYear": 2026, "lastMonth": 12}


@dataclass
class Setup:
    world: World
    clients: dict[str, GraphQLClient]


def _rows(units: list[int], category: str = "construction") -> list[dict[str, Any]]:
    return [
        {
            "unit": u,
            "category": category,
            "method": "open_tender",
            "industry": "housing",
            "budget": 1_000_000 + 1000 * i,
            "separated": i % 2 == 0,
            "day": 10 * i,
        }
        for i, u in enumerate(units)
    ]


@pytest.fixture(scope="module")
async def setup(pg_admin_url: str, seeded_template: Database) -> AsyncIterator[Setup]:
    async with make_world(pg_admin_url, seeded_template, "g") as w:
        async with w.engine.begin() as conn:
            await apply(conn, w, ("projects", _rows([410522, 410522, 410581, 410500, 410721])))
            await apply(conn, w, ("projects", _rows([410000, 410581], "land_use_rights")))
            for i in range(4):
                await apply(conn, w, ("award", i, 900_000 + i, 30 + i))
            await apply(conn, w, ("state", 1, "awarded"))
            await apply(conn, w, ("complaint", 410522, "tendering", 5))
            await apply(conn, w, ("complaint", 410581, "procurement", 6))
        async with graphql_client(w.db) as both, graphql_client(w.db) as alone:
            alone.app.state.app_wall = False
            yield Setup(w, {"both": both, "alone": alone})


async def _truth(w: World, sql: str) -> dict[str, tuple[int, int]]:
    async with w.engine.connect() as conn:
        return {r[0]: (r[1], r[2]) for r in await conn.execute(text(sql))}


async def test_a_province_drills_down_to_the_ground_truth(setup: Setup) -> None:
    data = await setup.clients["both"].data(
        ROLLUP,
        {"m": "PROJECTS", "j": "410000", "p": YEARS, "g": "JURISDICTION"},
        login="henan.office",
    )
    got = {
        line["key"]: (line["count"], line["sums"][0]["yuan"]) for line in data["rollup"]["lines"]
    }
    truth = await _truth(
        setup.world,
        "SELECT lpad((CASE WHEN jurisdiction_code / 100 % 100 = 90 THEN jurisdiction_code "
        "ELSE jurisdiction_code - jurisdiction_code % 100 END)::text, 6, '0'), count(*), "
        "sum(budget_fen)::bigint FROM project WHERE jurisdiction_code BETWEEN 410000 AND 419999 "
        "GROUP BY 1",
    )
    assert got == {k: (n, f"{s // 100}.{s % 100:02d}") for k, (n, s) in truth.items()}
    assert set(got) == {"410000", "410500", "410700"}
    assert data["rollup"]["total"]["count"] == sum(n for n, _ in truth.values())
    assert data["rollup"]["period"]["label"] == "2025-01～2026-12"
    assert data["rollup"]["asOf"].endswith("+08:00")


async def test_a_city_breaks_down_by_county_and_by_dimension(setup: Setup) -> None:
    client = setup.clients["both"]
    by_county = await client.data(
        ROLLUP,
        {"m": "PROJECTS", "j": "410500", "p": YEARS, "g": "JURISDICTION"},
        login="anyang.office",
    )
    counts = {line["key"]: line["count"] for line in by_county["rollup"]["lines"]}
    assert counts == {"410500": 1, "410522": 2, "410581": 2}
    labels = {line["key"]: line["label"] for line in by_county["rollup"]["lines"]}
    assert labels["410522"] == "安阳县"
    by_category = await client.data(
        ROLLUP,
        {"m": "PROJECTS", "j": "410500", "p": YEARS, "g": "CATEGORY"},
        login="anyang.office",
    )
    lines = {line["label"]: line["count"] for line in by_category["rollup"]["lines"]}
    assert lines == {"工程建设": 4, "土地使用权出让": 1}
    awards = await client.data(
        ROLLUP, {"m": "AWARDS", "j": "410500", "p": YEARS}, login="anyang.office"
    )
    total = awards["rollup"]["total"]
    assert total["count"] >= 1
    assert 0 < total["savingsRate"] < 1


async def test_a_county_cannot_roll_up_its_sibling(setup: Setup) -> None:
    args = {"m": "PROJECTS", "j": "410581", "p": YEARS}
    body = await setup.clients["both"](ROLLUP, args, login="anyangxian.office")
    assert error_codes(body) == ["FORBIDDEN"], body
    # With the application's wall off, PostgreSQL's row-level security alone sums nothing of
    # the sibling's.
    alone = await setup.clients["alone"].data(ROLLUP, args, login="anyangxian.office")
    assert alone["rollup"]["total"]["count"] == 0
    own = await setup.clients["both"].data(
        ROLLUP, {**args, "j": "410522"}, login="anyangxian.office"
    )
    assert own["rollup"]["total"]["count"] == 2
    # Nor can it sum its city (its superior) or the province.
    for code in ("410500", "410000"):
        body = await setup.clients["both"](ROLLUP, {**args, "j": code}, login="anyangxian.office")
        assert error_codes(body) == ["FORBIDDEN"], body


@pytest.mark.parametrize(
    ("variables", "field"),
    [
        ({"m": "BIDS", "p": YEARS, "g": "CATEGORY"}, "groupBy"),
        ({"m": "PROJECTS", "p": {"kind": "MONTH", "year": 2026, "number": 13}}, "period.number"),
        ({"m": "PROJECTS", "p": {"kind": "QUARTER", "year": 2026, "number": 5}}, "period"),
        ({"m": "PROJECTS", "p": {"kind": "MONTHS", "year": 2026}}, "period.lastMonth"),
        (
            {
                "m": "PROJECTS",
                "p": {
                    "kind": "MONTHS",
                    "year": 2026,
                    "number": 5,
                    "lastYear": 2026,
                    "lastMonth": 2,
                },
            },
            "period",
        ),
        ({"m": "PROJECTS", "j": "419999", "p": YEARS}, "jurisdiction"),
    ],
)
async def test_bad_arguments_are_coded(setup: Setup, variables: dict[str, Any], field: str) -> None:
    body = await setup.clients["both"](ROLLUP, variables, login="henan.office")
    assert body["data"] is None, body
    assert body["errors"][0]["extensions"]["code"] in ("BAD_USER_INPUT", "NOT_FOUND"), body
    assert body["errors"][0]["extensions"].get("field") == field, body


EXPORT = """
query($m: RollupMetric!, $j: JurisdictionCode, $p: RollupPeriodInput!, $g: RollupGroupBy,
      $f: RollupExportFormat) {
  rollupExport(metric: $m, jurisdiction: $j, period: $p, groupBy: $g, format: $f) {
    filename contentType content
  }
}"""


@pytest.mark.parametrize(
    ("metric", "group_by"), [("AWARDS", "JURISDICTION"), ("PROJECTS", "STATE")]
)
async def test_the_exported_workbook_and_csv_total_what_the_api_answers(
    setup: Setup, metric: str, group_by: str
) -> None:
    variables = {"m": metric, "j": "410000", "p": YEARS, "g": group_by}
    client = setup.clients["both"]
    answer = (await client.data(ROLLUP, variables, login="henan.office"))["rollup"]
    sums = [Decimal(s["yuan"]) for s in answer["total"]["sums"]]

    found = await client.data(EXPORT, {**variables, "f": "XLSX"}, login="henan.office")
    exported = found["rollupExport"]
    assert exported["filename"].endswith(".xlsx")
    book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(exported["content"])))
    sheet = book.active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][:3] == (
        f"{'下级行政区' if group_by == 'JURISDICTION' else '项目状态'}代码",
        "下级行政区" if group_by == "JURISDICTION" else "项目状态",
        "数量",
    )
    total = rows[-1]
    assert total[1] == "合计"
    assert total[2] == answer["total"]["count"]
    assert [Decimal(str(v)).quantize(Decimal("0.01")) for v in total[3 : 3 + len(sums)]] == sums
    assert len(rows) == 3 + len(answer["lines"])
    assert sum(r[2] for r in rows[2:-1]) == answer["total"]["count"]

    found = await client.data(EXPORT, {**variables, "f": "CSV"}, login="henan.office")
    lines = list(csv.reader(io.StringIO(found["rollupExport"]["content"])))
    assert lines[-1][1] == "合计"
    assert int(lines[-1][2]) == answer["total"]["count"]
    assert [Decimal(v) for v in lines[-1][3 : 3 + len(sums)]] == sums
    assert sum(int(r[2]) for r in lines[2:-1]) == answer["total"]["count"]


async def test_a_county_cannot_export_its_sibling(setup: Setup) -> None:
    body = await setup.clients["both"](
        EXPORT, {"m": "PROJECTS", "j": "410581", "p": YEARS}, login="anyangxian.office"
    )
    assert error_codes(body) == ["FORBIDDEN"], body
