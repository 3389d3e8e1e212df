"""`xietong audit checkpoint` and `xietong audit verify` as an operator runs them."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from tests.conftest import ROOT, Database
from tests.integration.audit.test_tamper import WUHUA, XUANEN, execute, record
from tests.support import TEST_SERVER_SECRET


async def xietong(db: Database, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "XIETONG_DATABASE_URL": db.app_url,
        "XIETONG_MIGRATION_DATABASE_URL": db.owner_url,
        "XIETONG_SECRET_KEY": TEST_SERVER_SECRET,
    }
    return await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "xietong", "audit", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )


async def test_checkpoint_then_verify_and_each_exit_code(
    fresh_db: Database, owner_engine: AsyncEngine, tmp_path: Path
) -> None:
    events = [await record(owner_engine, XUANEN) for _ in range(3)]
    await record(owner_engine, WUHUA)
    path = tmp_path / "checkpoints.jsonl"

    taken = await xietong(fresh_db, "checkpoint", "--out", str(path))
    assert taken.returncode == 0, taken.stderr
    assert "Appended 2 checkpoint(s)" in taken.stderr
    assert len(path.read_text().splitlines()) == 2
    stdout = await xietong(fresh_db, "checkpoint")
    assert stdout.returncode == 0, stdout.stderr
    assert [line[:1] for line in stdout.stdout.splitlines()] == ["{", "{"]

    ok = await xietong(fresh_db, "verify", "--checkpoints", str(path))
    assert ok.returncode == 0, ok.stderr
    assert "420000: ok, 3 event(s) verified, 1 checkpoint(s) held" in ok.stdout
    assert "530000: ok, 1 event(s) verified, 1 checkpoint(s) held" in ok.stdout

    # An edited checkpoint line is not trusted, and says so: exit 3.
    lines = path.read_text().splitlines()
    edited = lines[0].replace('"event_count":3', '"event_count":2')
    path.write_text("\n".join([*lines, edited]) + "\n")
    tampered = await xietong(fresh_db, "verify", "--checkpoints", str(path))
    assert tampered.returncode == 3, tampered.stderr
    assert "line 3: the signature does not match" in tampered.stderr

    # The owner truncates 湖北's tail and moves the head back: exit 1, naming the event.
    await execute(owner_engine, "DELETE FROM audit_event WHERE id = :id", id=events[-1].id)
    await execute(
        owner_engine,
        "UPDATE audit_chain SET last_event_id = :id, last_hash = :h, event_count = 2"
        " WHERE province_code = 420000",
        id=events[-2].id,
        h=events[-2].hash,
    )
    broken = await xietong(fresh_db, "verify", "--checkpoints", str(path))
    assert broken.returncode == 1
    assert f"420000: BROKEN at event {events[-1].id}" in broken.stderr
    assert "truncated" in broken.stderr
    assert "530000: ok" in broken.stdout
    assert "Traceback" not in broken.stderr

    usage = await xietong(fresh_db, "verify", "--checkpoints", str(tmp_path / "missing"))
    assert usage.returncode == 2
