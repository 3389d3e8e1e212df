"""Alembic environment: async engine, the project's metadata, the application role's grants
and the scope key."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import Connection, pool, text
from sqlalchemy.ext.asyncio import create_async_engine

from xietong.db import scope_keys
from xietong.db.migrate import grant_app_role
from xietong.models import metadata

config = context.config

MIGRATION_LOCK = 0x78696574  # "xiet": any constant shared by every migrator of this database


def run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        compare_type=True,
        transaction_per_migration=False,
    )
    with context.begin_transaction():
        # Two migrators at once (a hook Job retried while the first still runs, an operator's
        # manual run) queue here; the second then finds the schema at head and does nothing.
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        context.run_migrations()
        app_role = config.attributes.get("app_role")
        if app_role:
            grant_app_role(connection, app_role)
        scope_key = config.attributes.get("scope_key")
        if scope_key is not None:
            scope_keys.install(connection, scope_key)


async def run_async() -> None:
    url = config.attributes.get("url") or config.get_main_option("sqlalchemy.url")
    engine = create_async_engine(url, poolclass=pool.NullPool)
    async with engine.connect() as connection:
        await connection.run_sync(run_migrations)
    await engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline SQL generation is not supported; run `xietong migrate`")
asyncio.run(run_async())
