from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, text

from tests.conftest import Database
from xietong.db import migrate
from xietong.db.engine import make_engine
from xietong.db.models import metadata


def _diff(conn: Connection) -> list[Any]:
    return list(compare_metadata(MigrationContext.configure(conn), metadata))


async def test_upgrade_downgrade_upgrade(empty_db: Database) -> None:
    engine = make_engine(empty_db.owner_url, pool_size=1)
    try:
        await migrate.upgrade(empty_db.owner_url, app_role="xietong_app")
        assert await migrate.current_revision(engine) == migrate.head_revision()
        async with engine.connect() as conn:
            assert await conn.run_sync(_diff) == [], "models and migrations disagree"

        await migrate.downgrade(empty_db.owner_url, "base")
        assert await migrate.current_revision(engine) is None
        async with engine.connect() as conn:
            tables = await conn.scalar(
                text(
                    "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' "
                    "AND tablename <> 'alembic_version'"
                )
            )
        assert tables == 0

        await migrate.upgrade(empty_db.owner_url, app_role="xietong_app")
        assert await migrate.current_revision(engine) == migrate.head_revision()
    finally:
        await engine.dispose()


async def test_the_app_role_can_read_but_owns_nothing(seeded_db: Database) -> None:
    engine = make_engine(seeded_db.app_url, pool_size=1)
    try:
        async with engine.connect() as conn:
            assert await conn.scalar(text("SELECT count(*) FROM jurisdiction")) == 14
            owned = await conn.scalar(
                text("SELECT count(*) FROM pg_tables WHERE tableowner = current_user")
            )
            bypass = await conn.scalar(
                text("SELECT rolbypassrls OR rolsuper FROM pg_roles WHERE rolname = current_user")
            )
        assert owned == 0
        assert bypass is False
    finally:
        await engine.dispose()
