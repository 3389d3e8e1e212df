"""Migrations run exactly once even when two migrators start together (a retried hook Job, an
operator's manual run): the second waits on an advisory lock, then finds nothing to do.

Two processes, as in a cluster: Alembic's ``context`` is process-global, so two in one process
would trip over each other rather than over the database."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT, Database, run
from tests.deploy.conftest import clean_env
from xietong.db import migrate
from xietong.db.engine import make_engine


def test_two_migrators_at_once(empty_db: Database) -> None:
    env = clean_env(
        database_url=empty_db.app_url,
        migration_database_url=empty_db.owner_url,
        log_json="true",
    )
    migrators = [
        subprocess.Popen(
            [sys.executable, "-m", "xietong", "migrate"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [m.communicate(timeout=120)[0] for m in migrators]
    assert [m.returncode for m in migrators] == [0, 0], outputs
    ran = [o.count("Running upgrade") for o in outputs]
    assert sorted(ran) == [0, len(migrate.known_revisions())], outputs
    assert run(revision(empty_db.owner_url)) == migrate.head_revision()


async def revision(url: str) -> str | None:
    engine = make_engine(url, pool_size=1)
    try:
        return await migrate.current_revision(engine)
    finally:
        await engine.dispose()
