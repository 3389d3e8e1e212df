"""Operator-loaded calendar years: a deadline reaching into a year nobody loaded is provisional,
becomes exact when the year is loaded, and a correction moves a deadline in force only with an
audit event. The 2027 used here is the made-up test fixture, labelled as such in its header."""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import TEST_SERVER_SECRET, Database
from tests.integration.deadlines.conftest import PLAUSIBLE_2027, Db
from xietong.cli import main
from xietong.deadlines import calendar_ops
from xietong.deadlines import obligations as svc
from xietong.deadlines.calendar_file import read_year_file
from xietong.deadlines.clock import ManualClock
from xietong.deadlines.obligations import MatterRef
from xietong.paths import default_tenants_dir

XUANEN = 422825


async def open_decision(db: Db, clock: ManualClock) -> uuid.UUID:
    async with db.as_unit(XUANEN, "xuanen.housing") as session:
        row = await svc.open_obligation(
            session,
            rule_id="TB.decision",
            matter=MatterRef("complaint", uuid.uuid4()),
            owing_jurisdiction_code=XUANEN,
            owing_department_id=await db.department("xuanen-housing"),
            counterparty=None,
            started_on=date(2026, 12, 10),
            counted_from=date(2026, 12, 8),
            clock=clock,
            actor="xuanen.housing",
        )
    assert row.provisional  # 2027 is covered by no notice yet: weekends only
    assert row.due_on == date(2027, 1, 19)
    return row.id


async def load(db: Db, path: Path, clock: ManualClock) -> calendar_ops.LoadReport:
    async with db.owner_sessions() as session, session.begin():
        return await calendar_ops.load(session, read_year_file(path), by="ops.li", clock=clock)


async def test_a_provisional_deadline_becomes_exact_when_its_year_is_loaded(
    db: Db, tmp_path: Path
) -> None:
    clock = ManualClock.on(date(2026, 12, 10))
    decision = await open_decision(db, clock)

    report = await load(db, PLAUSIBLE_2027, clock)
    assert (report.changed, report.version, report.recomputed.moved) == (True, 1, 1)
    row = await db.rows(
        "SELECT due_on, provisional, calendar_version FROM obligation WHERE id = :i",
        i=decision,
    )
    # New Year's Day 2027 is a holiday after all: one working day later, and exact now.
    assert row[0][:2] == (date(2027, 1, 20), False)
    events = await db.rows(
        "SELECT actor, details FROM audit_event WHERE action = 'obligation.recompute' "
        "AND object_id = :i",
        i=str(decision),
    )
    assert len(events) == 1
    actor, details = events[0]
    assert actor == calendar_ops.CALENDAR_ACTOR
    assert isinstance(details, dict)
    assert details["old"]["due_on"] == "2027-01-19"
    assert details["new"]["due_on"] == "2027-01-20"
    assert details["old"]["provisional"] is True
    assert details["new"]["provisional"] is False
    assert details["cause"] == "calendar.load 2027 v1"
    loads = await db.rows(
        "SELECT jurisdiction_code, details->>'loaded_by' FROM audit_event "
        "WHERE action = 'calendar.load' ORDER BY jurisdiction_code"
    )
    assert loads == [(410000, "ops.li"), (420000, "ops.li"), (530000, "ops.li")]

    # The same dates again: nothing happens.
    again = await load(db, PLAUSIBLE_2027, clock)
    assert (again.changed, again.version) == (False, 1)
    assert await db.scalar("SELECT count(*) FROM audit_event WHERE action = 'calendar.load'") == 3

    # A correction (New Year's holiday one day longer) moves the deadline again, audited.
    corrected = tmp_path / "2027.yaml"
    corrected.write_text(
        PLAUSIBLE_2027.read_text(encoding="utf-8").replace(
            "    from: 2027-01-01\n    to: 2027-01-03", "    from: 2027-01-01\n    to: 2027-01-04"
        ),
        encoding="utf-8",
    )
    fixed = await load(db, corrected, clock)
    assert (fixed.changed, fixed.version, fixed.recomputed.moved) == (True, 2, 1)
    assert await db.scalar("SELECT due_on FROM obligation WHERE id = :i", i=decision) == date(
        2027, 1, 21
    )
    moves = await db.rows(
        "SELECT details->'old'->>'due_on', details->'new'->>'due_on' FROM audit_event "
        "WHERE action = 'obligation.recompute' AND object_id = :i ORDER BY id",
        i=str(decision),
    )
    assert moves == [("2027-01-19", "2027-01-20"), ("2027-01-20", "2027-01-21")]


async def test_a_tenant_files_closure_moves_open_deadlines_with_an_audit_event(
    db: Db, tmp_path: Path
) -> None:
    from xietong.tenants.loader import load_tenants

    clock = ManualClock.on(date(2026, 9, 30))
    async with db.as_unit(XUANEN, "xuanen.housing") as session:
        row = await svc.open_obligation(
            session,
            rule_id="TB.acceptance_decision",
            matter=MatterRef("complaint", uuid.uuid4()),
            owing_jurisdiction_code=XUANEN,
            owing_department_id=None,
            counterparty=None,
            started_on=clock.today(),
            clock=clock,
            actor="xuanen.housing",
        )
    assert row.due_on == date(2026, 10, 10)
    seed = default_tenants_dir() / "hubei.yaml"
    hubei = tmp_path / "hubei.yaml"
    hubei.write_text(
        seed.read_text(encoding="utf-8")
        + '\ndeadlines:\n  calendar:\n    - jurisdiction: "422825"\n      kind: closed\n'
        "      from: 2026-10-09\n      reason: 宣恩县防汛\n",
        encoding="utf-8",
    )
    async with db.owner_sessions() as session, session.begin():
        report = await load_tenants(session, [hubei], clock=clock)
    assert report.updated["obligations"] == 1
    assert await db.scalar("SELECT due_on FROM obligation WHERE id = :i", i=row.id) == date(
        2026, 10, 12
    )
    cause = await db.scalar(
        "SELECT details->>'cause' FROM audit_event WHERE action = 'obligation.recompute'"
    )
    assert cause == "tenants.load"
    # Loading the same file again changes nothing.
    async with db.owner_sessions() as session, session.begin():
        again = await load_tenants(session, [hubei], clock=clock)
    assert again.unchanged


def test_the_cli_loads_refuses_and_shows(
    fresh_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XIETONG_DATABASE_URL", fresh_db.owner_url)
    monkeypatch.setenv("XIETONG_SECRET_KEY", TEST_SERVER_SECRET)
    runner = CliRunner()
    shown = runner.invoke(main, ["calendar", "show", "2027"])
    assert shown.exit_code == 0, shown.output
    assert "NOT COVERED" in shown.output

    bad = tmp_path / "2027.yaml"
    bad.write_text(
        PLAUSIBLE_2027.read_text(encoding="utf-8").replace("2027-01-31", "2027-02-01"),
        encoding="utf-8",
    )
    refused = runner.invoke(main, ["calendar", "load", str(bad)])
    assert refused.exit_code == 1
    assert "nothing was changed" in refused.output
    assert "调休上班日应为周六或周日" in refused.output
    assert "Traceback" not in refused.output

    loaded = runner.invoke(main, ["calendar", "load", str(PLAUSIBLE_2027), "--by", "ops.li"])
    assert loaded.exit_code == 0, loaded.output
    assert "2027: loaded as version 1" in loaded.output
    shown = runner.invoke(main, ["calendar", "show", "2027", "--jurisdiction", "422825"])
    assert shown.exit_code == 0, shown.output
    assert "loaded notice, version 1, by ops.li" in shown.output
    assert "2027-01-31 周日 上班 春节调休上班 (loaded)" in shown.output
    assert "2027-02-05 周五 休息 春节 (loaded)" in shown.output
