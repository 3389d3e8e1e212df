"""Alembic, driven from Python: `xietong migrate` and the readiness probe share this code."""

from __future__ import annotations

import asyncio
import functools

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.script.revision import RevisionError
from alembic.util import CommandError
from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import AsyncEngine

from xietong.db.engine import async_url, make_engine
from xietong.paths import migrations_dir


def alembic_config(url: str, *, app_role: str | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    cfg.set_main_option("path_separator", "os")
    cfg.attributes["url"] = async_url(url)
    cfg.attributes["app_role"] = app_role
    return cfg


def head_revision() -> str | None:
    script = ScriptDirectory.from_config(alembic_config("postgresql://localhost/unused"))
    return script.get_current_head()


@functools.cache
def known_revisions() -> frozenset[str]:
    """Every revision this code ships; a database at any other one was migrated by a newer
    release."""
    script = ScriptDirectory.from_config(alembic_config("postgresql://localhost/unused"))
    return frozenset(rev.revision for rev in script.walk_revisions())


def _upgrade(url: str, revision: str, app_role: str | None) -> None:
    command.upgrade(alembic_config(url, app_role=app_role), revision)


def _downgrade(url: str, revision: str, app_role: str | None) -> None:
    command.downgrade(alembic_config(url, app_role=app_role), revision)


async def upgrade(url: str, revision: str = "head", *, app_role: str | None = None) -> None:
    # Alembic's env.py runs its own event loop; keep it off ours.
    await asyncio.to_thread(_upgrade, url, revision, app_role)


async def downgrade(url: str, revision: str, *, app_role: str | None = None) -> None:
    await asyncio.to_thread(_downgrade, url, revision, app_role)


async def downgrade_plan(url: str, revision: str) -> list[tuple[str, str]]:
    """The revisions a downgrade to ``revision`` (``-1``, ``base``, an id) would undo, newest
    first, as (id, what it created). Raises ``ValueError`` for a revision that does not apply."""
    engine = make_engine(url, pool_size=1)
    try:
        current = await current_revision(engine)
    finally:
        await engine.dispose()
    if current is None:
        return []
    script = ScriptDirectory.from_config(alembic_config(url))
    try:
        steps = list(script.iterate_revisions(current, revision))
    except (RevisionError, CommandError) as exc:
        raise ValueError(str(exc)) from None
    return [(step.revision, (step.doc or "").strip()) for step in steps if step is not None]


def _current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


async def current_revision(engine: AsyncEngine) -> str | None:
    async with engine.connect() as conn:
        return await conn.run_sync(_current)


# The application may add to these, never change or remove (the audit trail, R-15).
APPEND_ONLY_TABLES = ("audit_event",)


def grant_app_role(connection: Connection, app_role: str) -> None:
    """Give the application role data access to every table, and nothing more.

    Run after each upgrade so new tables are covered; the role owns nothing, so row-level
    security applies to it.
    """
    exists = connection.execute(
        text("SELECT 1 FROM pg_roles WHERE rolname = :role"), {"role": app_role}
    ).scalar()
    if not exists:
        return
    quoted = connection.dialect.identifier_preparer.quote(app_role)
    connection.execute(text(f"GRANT USAGE ON SCHEMA public TO {quoted}"))
    connection.execute(
        text(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {quoted}")
    )
    connection.execute(text(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {quoted}"))
    connection.execute(text(f"GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO {quoted}"))
    for table in APPEND_ONLY_TABLES:
        if connection.execute(text("SELECT to_regclass(:t)"), {"t": table}).scalar():
            connection.execute(text(f"REVOKE UPDATE, DELETE ON {table} FROM {quoted}"))
