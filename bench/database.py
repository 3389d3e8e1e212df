"""A seeded database for benchmarks: the configured server, or the embedded one."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import ExitStack, asynccontextmanager
from pathlib import Path
from unittest import mock

from xietong.db import migrate
from xietong.db.engine import make_engine, make_sessionmaker, transaction
from xietong.db.provision import ProvisionedDatabase, drop, provision
from xietong.db.scope_keys import ScopeKeyMaterial
from xietong.paths import default_tenants_dir
from xietong.tenants import loader
from xietong.tenants.loader import load_tenants, tenant_files

ROOT = Path(__file__).resolve().parents[1]


@asynccontextmanager
async def seeded_database(
    scope_key: ScopeKeyMaterial, revision: str = "head"
) -> AsyncIterator[ProvisionedDatabase]:
    admin = os.environ.get("XIETONG_BENCH_DATABASE_URL") or os.environ.get(
        "XIETONG_TEST_DATABASE_URL"
    )
    server = None
    if not admin:
        from xietong import embedded

        server = embedded.start_server(ROOT / ".xietong" / "bench")
        admin = server.admin_url
    name = f"xt_bench_{uuid.uuid4().hex[:8]}"
    try:
        db = await provision(admin, name)
        await migrate.upgrade(db.owner_url, revision, app_role="xietong_app", scope_key=scope_key)
        engine = make_engine(db.owner_url, pool_size=1)
        with ExitStack() as stack:
            if revision != "head":
                # Today's loader also writes what later revisions added (the trading catalogue,
                # the calendars): an old database gets the jurisdictions, departments, people.
                stack.enter_context(mock.patch.object(loader._Sync, "_catalogue", _nothing))
                stack.enter_context(
                    mock.patch.object(loader.store, "sync_declaration", _nothing_changed)
                )
                stack.enter_context(mock.patch.object(loader.store, "lock", _nothing_changed))
            async with transaction(make_sessionmaker(engine)) as session:
                await load_tenants(session, tenant_files([], default_tenants_dir()))
        await engine.dispose()
        yield db
    finally:
        await drop(admin, name)
        if server is not None:
            server.stop()


async def _nothing(*_: object) -> None:
    return None


async def _nothing_changed(*_: object) -> bool:
    return False
