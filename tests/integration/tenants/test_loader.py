"""Loading tenant files against a real PostgreSQL: idempotent, history-keeping, all-or-nothing."""

from __future__ import annotations

import copy
import os
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.conftest import ROOT, Database
from xietong.db.engine import make_sessionmaker, transaction
from xietong.paths import default_tenants_dir
from xietong.tenants.declaration import TenantFileError
from xietong.tenants.loader import LoadReport, load_tenants

TABLES = [
    "jurisdiction",
    "jurisdiction_version",
    "department",
    "person",
    "person_role",
    "officer_pool_member",
]


async def snapshot(engine: AsyncEngine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every tenant table, timestamps included."""
    result: dict[str, list[tuple[Any, ...]]] = {}
    async with engine.connect() as conn:
        for table in TABLES:
            rows = await conn.execute(text(f"SELECT * FROM {table} ORDER BY 1, 2"))
            result[table] = [tuple(r) for r in rows]
    return result


async def load(engine: AsyncEngine, *files: Path, today: date | None = None) -> LoadReport:
    async with transaction(make_sessionmaker(engine)) as session:
        return await load_tenants(session, files, today=today)


def seed(name: str) -> dict[str, Any]:
    return yaml.safe_load((default_tenants_dir() / name).read_text(encoding="utf-8"))


def write(tmp_path: Path, name: str, doc: dict[str, Any]) -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


async def test_loading_twice_leaves_identical_rows(owner_engine: AsyncEngine) -> None:
    before = await snapshot(owner_engine)  # the template was loaded once already
    report = await load(owner_engine, *sorted(default_tenants_dir().glob("*.yaml")))
    assert report.unchanged, report.summary()
    assert await snapshot(owner_engine) == before
    assert len(before["jurisdiction"]) == 14


async def test_a_changed_file_updates_rows_and_keeps_history(
    owner_engine: AsyncEngine, tmp_path: Path
) -> None:
    doc = seed("hubei.yaml")
    xuanen = next(j for j in doc["jurisdictions"] if j["code"] == "422825")
    xuanen["name"] = "宣恩新县"
    office = next(p for p in doc["people"] if p["login"] == "xuanen.office")
    office["name"] = "向明"
    report = await load(owner_engine, write(tmp_path, "hubei.yaml", doc), today=date(2026, 12, 1))
    assert report.updated == {"jurisdictions": 1, "people": 1}
    assert not report.created
    assert not report.retired

    async with owner_engine.connect() as conn:
        name = await conn.scalar(text("SELECT name FROM jurisdiction WHERE code = 422825"))
        versions = (
            await conn.execute(
                text(
                    "SELECT name, valid_from, valid_to FROM jurisdiction_version "
                    "WHERE code = 422825 "
                    "ORDER BY valid_from NULLS FIRST"
                )
            )
        ).all()
        person = await conn.scalar(text("SELECT name FROM person WHERE login = 'xuanen.office'"))
    assert name == "宣恩新县"
    assert person == "向明"
    assert [tuple(v) for v in versions] == [
        ("宣恩县", None, date(2026, 12, 1)),
        ("宣恩新县", date(2026, 12, 1), None),
    ]
    # and loading the changed file again changes nothing
    assert (await load(owner_engine, tmp_path / "hubei.yaml")).unchanged


async def test_a_person_removed_from_the_file_is_deactivated_not_deleted(
    owner_engine: AsyncEngine, tmp_path: Path
) -> None:
    doc = seed("hubei.yaml")
    doc["people"] = [p for p in doc["people"] if p["login"] != "xuanen.office3"]
    report = await load(owner_engine, write(tmp_path, "hubei.yaml", doc))
    assert report.retired == {"people": 1}
    async with owner_engine.connect() as conn:
        row = (
            await conn.execute(
                text(
                    "SELECT p.active, o.active FROM person p JOIN officer_pool_member o "
                    "ON o.person_id = p.id WHERE p.login = 'xuanen.office3'"
                )
            )
        ).one()
    assert tuple(row) == (False, False)
    # putting the person back reactivates the same row
    report = await load(owner_engine, default_tenants_dir() / "hubei.yaml")
    assert report.updated == {"people": 1, "officers": 1}


async def test_a_jurisdiction_removed_from_the_file_is_retired(
    owner_engine: AsyncEngine, tmp_path: Path
) -> None:
    doc = seed("yunnan.yaml")
    doc["jurisdictions"] = [j for j in doc["jurisdictions"] if j["code"] != "530102"]
    doc["departments"] = [d for d in doc["departments"] if d["jurisdiction"] != "530102"]
    keep = {d["key"] for d in doc["departments"]}
    doc["people"] = [p for p in doc["people"] if p["department"] in keep]
    report = await load(owner_engine, write(tmp_path, "yunnan.yaml", doc), today=date(2027, 1, 1))
    assert report.retired["jurisdictions"] == 1
    async with owner_engine.connect() as conn:
        retired = await conn.scalar(text("SELECT retired_on FROM jurisdiction WHERE code=530102"))
        people = await conn.scalar(
            text("SELECT count(*) FROM person WHERE jurisdiction_code = 530102 AND active")
        )
    assert retired == date(2027, 1, 1)
    assert people == 0


@pytest.mark.parametrize(
    ("mutation", "fragment"),
    [
        (lambda d: d["jurisdictions"][2].update(parent="422900"), "does not match the code"),
        (lambda d: d["jurisdictions"][2].update(code="4228251"), "six ASCII digits"),
        (lambda d: d["jurisdictions"][2].update(level="city"), "is a county code"),
        (lambda d: d["people"].append(copy.deepcopy(d["people"][0])), "duplicate login"),
        (
            lambda d: [
                p.pop("officer", None) for p in d["people"] if p["department"] == "xuanen-water"
            ],
            "at least 2",
        ),
    ],
    ids=[
        "unknown-parent",
        "malformed-code",
        "level-mismatch",
        "duplicate-login",
        "too-few-officers",
    ],
)
async def test_a_broken_file_changes_nothing(
    owner_engine: AsyncEngine, tmp_path: Path, mutation: Any, fragment: str
) -> None:
    doc = seed("hubei.yaml")
    doc["people"][0]["name"] = "改过的名字"  # a valid change that must not land either
    mutation(doc)
    before = await snapshot(owner_engine)
    with pytest.raises(TenantFileError) as caught:
        await load(owner_engine, write(tmp_path, "hubei.yaml", doc))
    assert any(fragment in str(p) and "hubei.yaml" in str(p) for p in caught.value.problems)
    assert await snapshot(owner_engine) == before


async def test_a_login_taken_by_another_province_is_refused_whole(
    owner_engine: AsyncEngine, tmp_path: Path
) -> None:
    doc = seed("yunnan.yaml")
    doc["people"][-1]["login"] = "xuanen.office"  # already 湖北's, loaded in another run
    doc["people"][0]["name"] = "改过的名字"
    before = await snapshot(owner_engine)
    with pytest.raises(TenantFileError, match="already belongs to province 420000"):
        await load(owner_engine, write(tmp_path, "yunnan.yaml", doc))
    assert await snapshot(owner_engine) == before


def test_cli_refuses_a_broken_file_with_a_clear_message(fresh_db: Database, tmp_path: Path) -> None:
    doc = seed("henan.yaml")
    index = next(i for i, j in enumerate(doc["jurisdictions"]) if j["code"] == "410522")
    doc["jurisdictions"][index]["parent"] = "410700"  # 安阳县 under 新乡市: wrong prefix
    path = write(tmp_path, "henan.yaml", doc)
    env = {
        **os.environ,
        "XIETONG_DATABASE_URL": fresh_db.app_url,
        "XIETONG_MIGRATION_DATABASE_URL": fresh_db.owner_url,
    }
    result = subprocess.run(
        [sys.executable, "-m", "xietong", "tenants", "load", str(path)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )
    assert result.returncode == 1
    assert (
        f"{path}: jurisdictions[{index}] (410522 安阳县): parent 410700 does not match"
        in result.stderr
    )
    assert "nothing was changed" in result.stderr
    assert "Traceback" not in result.stderr

    again = subprocess.run(
        [sys.executable, "-m", "xietong", "tenants", "load"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )
    assert again.returncode == 0, again.stderr
    assert "nothing changed" in again.stdout
