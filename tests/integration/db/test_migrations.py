from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, text

from tests.conftest import Database
from xietong.db import migrate
from xietong.db.engine import make_engine
from xietong.models import metadata


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


CATALOG = {
    "policies": "SELECT tablename, policyname, cmd, roles::text, qual, with_check "
    "FROM pg_policies WHERE schemaname = 'public' ORDER BY 1, 2",
    "rls": "SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class "
    "WHERE relnamespace = 'public'::regnamespace AND relkind = 'r' ORDER BY 1",
    "functions": "SELECT p.oid::regprocedure::text, p.prosecdef, p.proconfig::text, p.prosrc "
    "FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace ORDER BY 1",
    "constraints": "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
    "FROM pg_constraint WHERE connamespace = 'public'::regnamespace ORDER BY 1, 2",
    "columns": "SELECT table_name, column_name, data_type FROM information_schema.columns "
    "WHERE table_schema = 'public' ORDER BY 1, 2",
    "triggers": "SELECT tgrelid::regclass::text, tgname FROM pg_trigger WHERE NOT tgisinternal "
    "ORDER BY 1, 2",
    "schemas": "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'xietong%' ORDER BY 1",
}


async def _catalog(url: str) -> dict[str, list[tuple[Any, ...]]]:
    engine = make_engine(url, pool_size=1)
    try:
        async with engine.connect() as conn:
            return {
                name: [tuple(row) for row in (await conn.execute(text(query))).all()]
                for name, query in CATALOG.items()
            }
    finally:
        await engine.dispose()


async def test_downgrading_0004_restores_0003_exactly(
    empty_db: Database, fresh_db: Database
) -> None:
    """The signed scope's migration, undone, leaves the database as 0003 made it: the same
    policies, functions, constraints, columns and triggers."""
    await migrate.upgrade(empty_db.owner_url, "0003", app_role="xietong_app")
    straight = await _catalog(empty_db.owner_url)
    await migrate.downgrade(fresh_db.owner_url, "0003")  # a seeded database at head
    undone = await _catalog(fresh_db.owner_url)
    for name in CATALOG:
        assert undone[name] == straight[name], name
    assert straight["schemas"] == []
    assert any(p[1] == "scoped_read" for p in straight["policies"])
