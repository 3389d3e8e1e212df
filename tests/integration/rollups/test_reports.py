"""Periodic reports upward: a county's report returned by its city with a reason, corrected and
resubmitted, consolidates into the city's (and equals the city's rollup); a level is accepted
only after all its children; a missing county shows in the province's completeness; a county
cannot read or review its sibling's report."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from sqlalchemy import text

from tests.conftest import Database
from tests.integration.rollups.support import World, apply, make_world
from tests.support import GraphQLClient, error_codes, graphql_client
from xietong.deadlines.clock import ManualClock

PERIOD = {"year": 2026, "number": 1}  # the first half of 2026
TODAY = date(2026, 7, 10)  # before the reports fall due (15 working days after June)
FIELDS = """
  id status version returnReason dueOn submittedOn
  figures { key value }
  consolidated { key value sources { jurisdiction { code } value own } }
  events { action reason version }
"""
DRAFT = (
    "mutation($i: ReportDraftInput!) { reportDraft(input: $i) { report { "
    + FIELDS
    + " } errors { code field message } } }"
)
SUBMIT = (
    "mutation($i: ReportRefInput!) { reportSubmit(input: $i) { report { id status version } "
    "errors { code field message } } }"
)
RETURN = (
    "mutation($i: ReportReasonInput!) { reportReturn(input: $i) { report { status returnReason "
    "} errors { code field message } } }"
)
ACCEPT = (
    "mutation($i: ReportRefInput!) { reportAccept(input: $i) { report { status } errors { code "
    "field message } } }"
)
REPORT = (
    "query($j: JurisdictionCode) { periodicReport(template: HALF_YEAR, period: {year: 2026, "
    "number: 1}, jurisdiction: $j) { " + FIELDS + " } }"
)
COMPLETENESS = """
query($j: JurisdictionCode, $w: Boolean!) {
  reportCompleteness(template: HALF_YEAR, period: {year: 2026, number: 1}, jurisdiction: $j,
                     wholeSubtree: $w) {
    expected submittedRate timelyRate acceptedRate missing { code }
    children { jurisdiction { code } status dueOn onTime }
  }
}"""
ROLLUP = """
query($j: JurisdictionCode!) {
  rollup(metric: PROJECTS, jurisdiction: $j, period: {kind: HALF_YEAR, year: 2026, number: 1}) {
    total { count sums { yuan } }
  }
}"""


@dataclass
class Setup:
    world: World
    gql: GraphQLClient


def _rows(unit: int, n: int, first_day: int) -> list[dict[str, Any]]:
    return [
        {
            "unit": unit,
            "category": "construction",
            "method": "open_tender",
            "industry": "housing",
            "budget": 1_000_000 * (i + 1),
            "separated": False,
            "day": first_day + 3 * i,
        }
        for i in range(n)
    ]


@pytest.fixture(scope="module")
async def setup(pg_admin_url: str, seeded_template: Database) -> AsyncIterator[Setup]:
    async with make_world(pg_admin_url, seeded_template, "r") as w:
        async with w.engine.begin() as conn:
            # Days from 2025-11-20: 50+ is 2026 (the period); 10 is 2025 (outside it).
            for unit, n in ((410522, 3), (410581, 2), (410500, 1), (410721, 2), (410000, 1)):
                await apply(conn, w, ("projects", _rows(unit, n, 50)))
            await apply(conn, w, ("projects", _rows(410522, 1, 10)))
        async with graphql_client(w.db) as gql:
            gql.app.state.clock = ManualClock.on(TODAY)
            yield Setup(w, gql)


async def _draft(s: Setup, login: str, **narrative: str) -> dict[str, Any]:
    body = await s.gql.data(
        DRAFT,
        {
            "i": {
                "template": "HALF_YEAR",
                "period": PERIOD,
                "narrative": [{"key": k, "text": v} for k, v in narrative.items()],
            }
        },
        login=login,
    )
    payload = body["reportDraft"]
    assert payload["errors"] == [], payload
    report: dict[str, Any] = payload["report"]
    return report


async def _do(s: Setup, mutation: str, field: str, login: str, **values: Any) -> dict[str, Any]:
    body = await s.gql.data(mutation, {"i": values}, login=login)
    payload: dict[str, Any] = body[field]
    return payload


def _value(report: dict[str, Any], key: str, part: str = "figures") -> str:
    return next(line["value"] for line in report[part] if line["key"] == key)


async def test_return_correct_resubmit_accept_consolidate(setup: Setup) -> None:
    s = setup
    county = await _draft(s, "anyangxian.office", summary="上半年工作概况")
    assert county["status"] == "DRAFT"
    assert _value(county, "projects") == "3"  # its own 2026 records; 2025's not counted
    assert county["dueOn"] == "2026-07-21"  # 15 working days after 30 June
    ok = await _do(s, SUBMIT, "reportSubmit", "anyangxian.office", id=county["id"])
    assert ok["errors"] == [] and ok["report"]["version"] == 1  # noqa: PT018
    # Submitted: locked.
    locked = await s.gql.data(
        DRAFT, {"i": {"template": "HALF_YEAR", "period": PERIOD}}, login="anyangxian.office"
    )
    assert locked["reportDraft"]["errors"][0]["code"] == "REPORT_LOCKED"

    # The city returns it with a reason; a return without one is refused.
    empty = await _do(s, RETURN, "reportReturn", "anyang.office", id=county["id"], reason=" ")
    assert empty["errors"][0]["code"] == "REASON_REQUIRED"
    back = await _do(
        s, RETURN, "reportReturn", "anyang.office", id=county["id"], reason="漏报一个项目"
    )
    assert back["report"] == {"status": "RETURNED", "returnReason": "漏报一个项目"}

    # The missing project is recorded; the county corrects and resubmits.
    async with s.world.engine.begin() as conn:
        await apply(conn, s.world, ("projects", _rows(410522, 1, 100)))
    corrected = await _draft(s, "anyangxian.office", problems="已补报")
    assert _value(corrected, "projects") == "4"
    again = await _do(s, SUBMIT, "reportSubmit", "anyangxian.office", id=county["id"])
    assert again["report"]["version"] == 2

    sibling = await _draft(s, "linzhou.office")
    await _do(s, SUBMIT, "reportSubmit", "linzhou.office", id=sibling["id"])
    city = await _draft(s, "anyang.office")
    await _do(s, SUBMIT, "reportSubmit", "anyang.office", id=city["id"])

    # The province cannot accept the city before the city has accepted its counties.
    early = await _do(s, ACCEPT, "reportAccept", "henan.office", id=city["id"])
    assert early["errors"][0]["code"] == "CHILDREN_NOT_ACCEPTED"
    for report in (county, sibling):
        done = await _do(s, ACCEPT, "reportAccept", "anyang.office", id=report["id"])
        assert done["report"] == {"status": "ACCEPTED"}, done
    accepted = await _do(s, ACCEPT, "reportAccept", "henan.office", id=city["id"])
    assert accepted["report"] == {"status": "ACCEPTED"}, accepted
    # Accepted: no longer returned.
    late = await _do(s, RETURN, "reportReturn", "anyang.office", id=county["id"], reason="再改")
    assert late["errors"][0]["code"] == "NOT_SUBMITTED"

    # The city's consolidated figures: its own plus both counties', each traced, and equal to
    # the live rollup of its subtree.
    read = (await s.gql.data(REPORT, {"j": "410500"}, login="henan.office"))["periodicReport"]
    line = next(x for x in read["consolidated"] if x["key"] == "projects")
    parts = {x["jurisdiction"]["code"]: (x["value"], x["own"]) for x in line["sources"]}
    assert parts == {"410500": ("1", True), "410522": ("4", False), "410581": ("2", False)}
    rollup = (await s.gql.data(ROLLUP, {"j": "410500"}, login="henan.office"))["rollup"]
    assert line["value"] == str(rollup["total"]["count"]) == "7"
    budget = next(x for x in read["consolidated"] if x["key"] == "projects_budget")
    assert budget["value"] == rollup["total"]["sums"][0]["yuan"]
    county_events = (await s.gql.data(REPORT, {"j": "410522"}, login="henan.office"))[
        "periodicReport"
    ]["events"]
    assert [(e["action"], e["reason"]) for e in county_events] == [
        ("draft", None),
        ("submit", None),
        ("return", "漏报一个项目"),
        ("correct", None),
        ("submit", None),
        ("accept", None),
    ]


async def test_a_missing_county_shows_in_the_provinces_completeness(setup: Setup) -> None:
    s = setup
    city = await _draft(s, "xinxiang.office")
    await _do(s, SUBMIT, "reportSubmit", "xinxiang.office", id=city["id"])
    whole = (await s.gql.data(COMPLETENESS, {"j": "410000", "w": True}, login="henan.office"))[
        "reportCompleteness"
    ]
    assert {m["code"] for m in whole["missing"]} >= {"410721"}
    assert whole["submittedRate"] < 1
    by_code = {c["jurisdiction"]["code"]: c for c in whole["children"]}
    assert by_code["410721"]["status"] is None
    assert by_code["410721"]["dueOn"] == "2026-07-21"
    assert by_code["410700"]["status"] == "SUBMITTED"
    assert by_code["410700"]["onTime"] is True
    # Drill down: the city of the missing county.
    below = (await s.gql.data(COMPLETENESS, {"j": "410700", "w": False}, login="henan.office"))[
        "reportCompleteness"
    ]
    assert below["expected"] == 1
    assert below["submittedRate"] == 0
    assert [m["code"] for m in below["missing"]] == ["410721"]
    # Its city cannot be accepted while the county is missing.
    refused = await _do(s, ACCEPT, "reportAccept", "henan.office", id=city["id"])
    assert refused["errors"][0]["code"] == "CHILDREN_NOT_ACCEPTED"
    assert "410721" in refused["errors"][0]["message"]


async def test_a_county_cannot_read_or_review_its_siblings_report(setup: Setup) -> None:
    s = setup
    body = await s.gql(REPORT, {"j": "410522"}, login="linzhou.office")
    assert error_codes(body) == ["FORBIDDEN"], body
    async with s.world.engine.connect() as conn:
        ident = await conn.scalar(
            text("SELECT id FROM periodic_report WHERE jurisdiction_code = 410522")
        )
    if ident is None:
        await _draft(s, "anyangxian.office")
        async with s.world.engine.connect() as conn:
            ident = await conn.scalar(
                text("SELECT id FROM periodic_report WHERE jurisdiction_code = 410522")
            )
    from xietong.api.ids import to_global_id

    body = await s.gql(
        RETURN,
        {"i": {"id": to_global_id("PeriodicReport", ident), "reason": "x"}},
        login="linzhou.office",
    )
    codes = error_codes(body) or [e["code"] for e in body["data"]["reportReturn"]["errors"]]
    assert codes in (["FORBIDDEN"], ["NOT_FOUND"]), body
