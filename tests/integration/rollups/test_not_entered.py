"""The dated 应进未进 snapshot: taken per unit by the daily job, once per unit and date, equal to
the list each county's office computes; the ``projects_not_entered`` rollup of a city is the sum
of its counties' snapshots of the month's first day, and other days are kept but not counted."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date
from typing import Any

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.conftest import TEST_SERVER_SECRET, Database
from tests.integration.trading.support import api_key, key_headers
from tests.integration.trading.test_not_entered import PUSH, approved
from tests.support import GraphQLClient
from xietong.access.scope import apply
from xietong.access.scope_token import ScopeSigner
from xietong.cli import main
from xietong.db.engine import keyring_of, make_engine, make_sessionmaker, transaction
from xietong.deadlines.clock import ManualClock
from xietong.jobs.queue import load_jobs
from xietong.keys import Keyring
from xietong.rollups import not_entered
from xietong.rollups.jobs import NOT_ENTERED_JOB
from xietong.trading.enums import ProjectCategory
from xietong.trading.models import NotEnteredSnapshot

LIST = """
query($j: JurisdictionCode!, $d: Date) {
  notEnteredProjects(jurisdiction: $j, asOf: $d) { approvalNumber dueOn daysOverdue rule { code } }
}"""
ROLLUP = """
query($j: JurisdictionCode, $p: RollupPeriodInput!, $g: RollupGroupBy) {
  rollup(metric: PROJECTS_NOT_ENTERED, jurisdiction: $j, period: $p, groupBy: $g) {
    total { count sums { name yuan } } lines { key count sums { yuan } }
  }
}"""
JUNE = {"kind": "MONTH", "year": 2026, "number": 6}
FIRST, LATER = date(2026, 6, 1), date(2026, 6, 15)
# Anyang's counties and their offices.
COUNTIES = {410522: "anyangxian.office", 410581: "linzhou.office"}


def _approvals(code: int) -> list[dict[str, Any]]:
    def number(n: int) -> str:
        return f"2601-{code}-04-01-00000{n}"

    return [
        approved(number(1), f"{code}第一小学运动场", "8000000"),
        approved(number(2), f"{code}第二小学围墙", "3000000"),  # below the threshold
        approved(
            number(3),
            f"{code}中小学智慧教室设备采购",
            "2000000",
            category="GOVERNMENT_PROCUREMENT",
            industry=None,
        ),
        approved(number(4), f"{code}东干渠清淤", "5000000", industry="WATER"),
    ][: 4 if code == 410522 else 2]


async def _snapshot(db: Database, on: date) -> dict[int, list[tuple[str, date, int, str]]]:
    engine = make_engine(db.owner_url, pool_size=1)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(
                text(
                    "SELECT jurisdiction_code, approval_number, due_on, days_overdue, rule_code "
                    "FROM not_entered_snapshot WHERE taken_on = :d "
                    "ORDER BY jurisdiction_code, due_on, approval_number"
                ),
                {"d": on},
            )
            found: dict[int, list[tuple[str, date, int, str]]] = {}
            for code, number, due, days, rule in rows:
                found.setdefault(code, []).append((number, due, days, rule))
            return found
    finally:
        await engine.dispose()


async def _cli(db: Database, monkeypatch: pytest.MonkeyPatch, *args: str) -> Result:
    monkeypatch.setenv("XIETONG_DATABASE_URL", db.app_url)
    monkeypatch.setenv("XIETONG_SECRET_KEY", TEST_SERVER_SECRET)
    return await asyncio.to_thread(CliRunner().invoke, main, ["rollup", "not-entered", *args])


async def test_the_snapshot_is_the_list_taken_once_and_the_rollup_sums_it(
    fresh_db: Database, fresh_gql: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    amounts: dict[int, int] = {}
    for code in COUNTIES:
        rows = _approvals(code)
        headers = key_headers(await api_key(fresh_db, code))
        pushed = await fresh_gql(
            PUSH, {"i": {"jurisdiction": str(code), "rows": rows}}, headers=headers
        )
        assert pushed["data"]["approvedProjectsPush"]["created"] == len(rows), pushed

    assert NOT_ENTERED_JOB in load_jobs().jobs
    engine = make_engine(fresh_db.app_url, pool_size=2)
    sessions = make_sessionmaker(engine, keyring=Keyring.of(TEST_SERVER_SECRET))
    try:
        clock = ManualClock.on(FIRST)
        taken = await not_entered.take(sessions, clock=clock, under=410500)
        snapshot = await _snapshot(fresh_db, FIRST)
        assert taken.units == len(COUNTIES)
        assert taken.skipped == 0
        assert (
            taken.lines == sum(len(v) for v in snapshot.values()) == 3 + 1
        )  # 410522: the 运动场, the 设备采购, the 清淤; 410581: the 运动场
        # Each county's snapshot is the list its office computes for that date.
        for code, login in COUNTIES.items():
            body = await fresh_gql(LIST, {"j": str(code), "d": FIRST.isoformat()}, login=login)
            listed = body["data"]["notEnteredProjects"]
            assert [
                (
                    e["approvalNumber"],
                    date.fromisoformat(e["dueOn"]),
                    e["daysOverdue"],
                    e["rule"]["code"],
                )
                for e in listed
            ] == snapshot.get(code, [])
        assert set(snapshot) == set(COUNTIES)  # the city's own list is empty: no row

        # Idempotent: the same date again, or twice at once, writes nothing more.
        again = await not_entered.take(sessions, clock=clock, under=410500)
        assert (again.units, again.lines) == (0, 0)
        assert again.skipped == len(COUNTIES)
        assert await _snapshot(fresh_db, FIRST) == snapshot
        # Insert-only for the application: it may not change or delete a date's snapshot.
        for statement in (
            "DELETE FROM not_entered_snapshot",
            "UPDATE not_entered_snapshot SET days_overdue = 1",
        ):
            async with engine.connect() as conn:
                with pytest.raises(DBAPIError, match="permission denied"):
                    await conn.execute(text(statement))
        # A later day is kept for a 通报, but the month counts its first day's standing.
        later = await not_entered.take(sessions, clock=ManualClock.on(LATER), under=410500)
        assert later.lines == taken.lines
    finally:
        await engine.dispose()

    for code in COUNTIES:
        amounts[code] = sum(
            int(a["investment"])
            for a in _approvals(code)
            if a["approvalNumber"] in {n for n, *_ in snapshot.get(code, [])}
        )
    body = await fresh_gql(
        ROLLUP, {"j": "410500", "p": JUNE, "g": "JURISDICTION"}, login="anyang.office"
    )
    rollup = body["data"]["rollup"]
    assert rollup["total"]["count"] == sum(len(v) for v in snapshot.values())
    assert rollup["total"]["sums"] == [{"name": "amount", "yuan": f"{sum(amounts.values())}.00"}]
    by_county = {line["key"]: line["count"] for line in rollup["lines"] if line["count"]}
    assert by_county == {str(code): len(v) for code, v in snapshot.items()}
    # A county reads its own, and not its sibling's.
    own = await fresh_gql(ROLLUP, {"j": "410522", "p": JUNE}, login="anyangxian.office")
    assert own["data"]["rollup"]["total"]["count"] == len(snapshot[410522])
    sibling = await fresh_gql(ROLLUP, {"j": "410581", "p": JUNE}, login="anyangxian.office")
    assert sibling["errors"][0]["extensions"]["code"] == "FORBIDDEN"

    # The operator's command: the same job, for a date and a subtree.
    done = await _cli(fresh_db, monkeypatch, "--on", "2026-06-15", "--jurisdiction", "410500")
    assert done.exit_code == 0, done.output
    assert "0 line(s) in 0 unit(s); 2 unit(s) already taken" in done.output
    july = await _cli(fresh_db, monkeypatch, "--on", "2026-07-01", "--jurisdiction", "410522")
    assert july.exit_code == 0, july.output
    assert "3 line(s) in 1 unit(s)" in july.output
    assert len((await _snapshot(fresh_db, date(2026, 7, 1)))[410522]) == 3
    bad = await _cli(fresh_db, monkeypatch, "--on", "2026-13-01")
    assert bad.exit_code == 2


async def _write_as_county(
    sessions: async_sessionmaker[AsyncSession], row: NotEnteredSnapshot
) -> None:
    async with transaction(sessions) as session:
        signer = ScopeSigner.from_keyring(keyring_of(session))
        await apply(session, not_entered.unit_scope(410522, uuid.uuid4()), signer)
        session.add(row)


async def test_a_unit_scope_writes_its_own_snapshot_only(fresh_db: Database) -> None:
    engine = make_engine(fresh_db.app_url, pool_size=1)
    sessions = make_sessionmaker(engine, keyring=Keyring.of(TEST_SERVER_SECRET))

    def line(code: int, recorded_by: str = not_entered.ACTOR) -> NotEnteredSnapshot:
        return NotEnteredSnapshot(
            jurisdiction_code=code,
            province_code=410000,
            taken_on=FIRST,
            approval_number="2601-X",
            name="项目",
            amount_fen=1,
            category=ProjectCategory.CONSTRUCTION,
            industry=None,
            approved_on=date(2026, 1, 1),
            rule_code="HN-GC-01",
            rule_name="规则",
            rule_basis="依据",
            due_on=date(2026, 2, 1),
            days_overdue=120,
            recorded_by=recorded_by,
        )

    try:
        # The county's system scope may not write its sibling's snapshot, nor under another
        # actor's name: PostgreSQL's policy refuses both.
        for row in (line(410581), line(410522, recorded_by="someone")):
            with pytest.raises(DBAPIError, match="row-level security"):
                await _write_as_county(sessions, row)
        await _write_as_county(sessions, line(410522))
    finally:
        await engine.dispose()
    assert list(await _snapshot(fresh_db, FIRST)) == [410522]
