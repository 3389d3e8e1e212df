"""``xietong tenants load`` on a very broken file: a short report, exit 1, no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import Database
from xietong.cli import main


def test_a_broken_file_prints_fifty_problems_and_a_count(
    seeded_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    people = "".join(f"  - login: p{i}\n    name: 人{i}\n    department: x\n" for i in range(3000))
    path = tmp_path / "hubei.yaml"
    path.write_text(
        'jurisdictions:\n  - code: "420000"\n    name: 湖北省\n    level: province\n'
        f"people:\n{people}",
        encoding="utf-8",
    )
    monkeypatch.setenv("XIETONG_DATABASE_URL", seeded_db.owner_url)
    result = CliRunner().invoke(main, ["tenants", "load", str(path)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].startswith("Tenant files refused; nothing was changed")
    assert len(lines) == 1 + 50 + 1
    assert lines[-1].strip() == "… and 2,950 more problem(s)（另有2950个问题未列出）"
    assert "Traceback" not in result.output


def test_a_directory_is_refused_with_a_message(
    seeded_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XIETONG_DATABASE_URL", seeded_db.owner_url)
    result = CliRunner().invoke(main, ["tenants", "load", str(tmp_path)])
    assert result.exit_code == 1
    assert "is a directory, not a tenant file" in result.output
    assert "Traceback" not in result.output
