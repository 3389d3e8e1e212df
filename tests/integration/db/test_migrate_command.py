"""`xietong migrate downgrade -1` as the README writes it, and what `xietong migrate` puts back."""

from __future__ import annotations

import asyncio

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from tests.conftest import Database
from xietong.cli import main
from xietong.db import migrate
from xietong.db.engine import make_engine


async def _power_rows(url: str) -> int | None:
    engine = make_engine(url, pool_size=1)
    try:
        async with engine.connect() as conn:
            if await conn.scalar(text("SELECT to_regclass('department_power')")) is None:
                return None
            return int(await conn.scalar(text("SELECT count(*) FROM department_power")) or 0)
    finally:
        await engine.dispose()


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, fresh_db: Database) -> CliRunner:
    # In-process CLI: keep it from reconfiguring this test process's logging.
    monkeypatch.setattr("xietong.cli.xlogging.configure", lambda *a, **k: None)
    monkeypatch.setenv("XIETONG_DATABASE_URL", fresh_db.owner_url)
    monkeypatch.delenv("XIETONG_MIGRATION_DATABASE_URL", raising=False)
    monkeypatch.delenv("XIETONG_TENANTS_DIR", raising=False)
    return CliRunner()


def test_downgrade_warns_and_upgrade_brings_the_power_lists_back(
    cli: CliRunner, fresh_db: Database
) -> None:
    before = asyncio.run(_power_rows(fresh_db.owner_url))
    assert before

    # Down to just below the revision that created the power lists (several steps since).
    result = cli.invoke(main, ["migrate", "downgrade", "0002"])
    assert result.exit_code == 0, result.output
    assert "A downgrade drops data（降级会删除数据）" in result.output
    assert "0003  access: API keys, grants, power lists" in result.output
    assert "Database downgraded to 0002." in result.output
    assert asyncio.run(_power_rows(fresh_db.owner_url)) is None

    result = cli.invoke(main, ["migrate"])
    assert result.exit_code == 0, result.output
    assert "Restored the power lists of 114 department(s)" in result.output
    assert asyncio.run(_power_rows(fresh_db.owner_url)) == before

    # Nothing is missing any more: a second run restores nothing.
    result = cli.invoke(main, ["migrate"])
    assert result.exit_code == 0, result.output
    assert "Restored" not in result.output


def test_a_downgrade_past_base_is_refused_with_a_clear_message(
    cli: CliRunner, fresh_db: Database
) -> None:
    result = cli.invoke(main, ["migrate", "downgrade", "-99"])
    assert result.exit_code == 2, result.output
    assert "Relative revision -99" in result.output
    assert "Traceback" not in result.output
    engine = make_engine(fresh_db.owner_url, pool_size=1)

    async def current() -> str | None:
        try:
            return await migrate.current_revision(engine)
        finally:
            await engine.dispose()

    assert asyncio.run(current()) == migrate.head_revision()


def test_a_department_that_no_longer_matches_its_file_is_left_to_tenants_load(
    cli: CliRunner, fresh_db: Database
) -> None:
    assert cli.invoke(main, ["migrate", "downgrade", "0002"]).exit_code == 0

    async def rename() -> None:
        engine = make_engine(fresh_db.owner_url, pool_size=1)
        try:
            async with engine.begin() as conn:
                await conn.execute(
                    text("UPDATE department SET name = '另一个部门' WHERE key = 'xuanen-housing'")
                )
        finally:
            await engine.dispose()

    asyncio.run(rename())
    result = cli.invoke(main, ["migrate"])
    assert result.exit_code == 0, result.output
    assert "Restored the power lists of 113 department(s)" in result.output
    assert "1 department(s) have no power list and differ from the tenant files" in result.output


def test_downgrade_minus_one_as_the_readme_writes_it(cli: CliRunner, fresh_db: Database) -> None:
    head = migrate.head_revision()
    result = cli.invoke(main, ["migrate", "downgrade", "-1"])
    assert result.exit_code == 0, result.output
    assert "A downgrade drops data（降级会删除数据）" in result.output
    assert f"{head}  " in result.output  # the revision it undoes is listed
    assert cli.invoke(main, ["migrate"]).exit_code == 0
    engine = make_engine(fresh_db.owner_url, pool_size=1)

    async def current() -> str | None:
        try:
            return await migrate.current_revision(engine)
        finally:
            await engine.dispose()

    assert asyncio.run(current()) == head
