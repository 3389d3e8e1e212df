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
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from xietong.db import privileges
from xietong.db.engine import async_url, make_engine
from xietong.db.scope_keys import ScopeKeyMaterial
from xietong.paths import migrations_dir


def alembic_config(
    url: str, *, app_role: str | None = None, scope_key: ScopeKeyMaterial | None = None
) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    cfg.set_main_option("path_separator", "os")
    cfg.attributes["url"] = async_url(url)
    cfg.attributes["app_role"] = app_role
    cfg.attributes["scope_key"] = scope_key
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


def _upgrade(
    url: str, revision: str, app_role: str | None, scope_key: ScopeKeyMaterial | None
) -> None:
    command.upgrade(alembic_config(url, app_role=app_role, scope_key=scope_key), revision)


def _downgrade(url: str, revision: str, app_role: str | None) -> None:
    command.downgrade(alembic_config(url, app_role=app_role), revision)


async def upgrade(
    url: str,
    revision: str = "head",
    *,
    app_role: str | None = None,
    scope_key: ScopeKeyMaterial | None = None,
) -> None:
    """Upgrade, then (same transaction) apply the application role's privileges and install
    the scope key PostgreSQL verifies scopes with (``xietong.db.scope_keys``)."""
    # Alembic's env.py runs its own event loop; keep it off ours.
    await asyncio.to_thread(_upgrade, url, revision, app_role, scope_key)


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


def grant_app_role(connection: Connection, app_role: str) -> None:
    """Give the application role exactly its allow-list (``xietong.db.privileges``).

    Run after each upgrade so new tables are covered; the role owns nothing, so row-level
    security applies to it.
    """
    privileges.apply(connection, app_role)
