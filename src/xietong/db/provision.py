"""Create the database and its two roles on a server we administer (embedded demo, test suite).

Production databases are provisioned by their operators; this module mirrors what they are asked
to do in ``helm/README.md``: one role that owns the tables and runs migrations, one application role
that owns nothing and so stays subject to row-level security.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass

import asyncpg
from sqlalchemy.engine import URL, make_url

from xietong.db.engine import asyncpg_dsn

_ALREADY_THERE = (
    asyncpg.DuplicateObjectError,
    asyncpg.DuplicateDatabaseError,
    asyncpg.UniqueViolationError,
)
_IDENT = re.compile(r"^[a-z_][a-z0-9_]*$")


@dataclass(frozen=True, slots=True)
class ProvisionedDatabase:
    owner_url: str
    app_url: str
    name: str


def _ident(name: str) -> str:
    if not _IDENT.match(name):
        raise ValueError(f"unsafe SQL identifier: {name!r}")
    return name


def _with(url: URL, *, database: str, username: str) -> str:
    return url.set(database=database, username=username, password="").render_as_string(
        hide_password=False
    )


async def provision(
    admin_url: str,
    database: str,
    *,
    owner_role: str = "xietong_owner",
    app_role: str = "xietong_app",
    template: str | None = None,
    recreate: bool = False,
) -> ProvisionedDatabase:
    """Ensure ``database`` exists, owned by ``owner_role``, with ``app_role`` able to connect.

    Roles are created without passwords: the servers we provision trust local connections.
    """
    url = make_url(admin_url)
    database, owner_role, app_role = _ident(database), _ident(owner_role), _ident(app_role)
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        for role in (owner_role, app_role):
            exists = await conn.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", role)
            if not exists:
                # Another process (a second test worker) may create it at the same moment.
                with contextlib.suppress(*_ALREADY_THERE):
                    await conn.execute(
                        f"CREATE ROLE {role} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE"
                    )
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", database)
        if exists and recreate:
            await conn.execute(f"DROP DATABASE {database} WITH (FORCE)")
            exists = False
        if not exists:
            source = f" TEMPLATE {_ident(template)}" if template else ""
            with contextlib.suppress(*_ALREADY_THERE):
                await conn.execute(f"CREATE DATABASE {database} OWNER {owner_role}{source}")
            await conn.execute(f"GRANT CONNECT ON DATABASE {database} TO {app_role}")
        # PostgreSQL lets PUBLIC create temp tables (which could shadow names) and schemas in a
        # new database; `migrate` takes that away too, but a copy of a template starts afresh.
        await conn.execute(f"REVOKE CREATE, TEMPORARY ON DATABASE {database} FROM PUBLIC")
    finally:
        await conn.close()
    # The public schema must belong to the owner so migrations can create tables in it.
    conn = await asyncpg.connect(asyncpg_dsn(url.set(database=database)))
    try:
        await conn.execute(f"ALTER SCHEMA public OWNER TO {owner_role}")
        await conn.execute(f"GRANT USAGE ON SCHEMA public TO {app_role}")
    finally:
        await conn.close()
    return ProvisionedDatabase(
        owner_url=_with(url, database=database, username=owner_role),
        app_url=_with(url, database=database, username=app_role),
        name=database,
    )


async def drop(admin_url: str, database: str) -> None:
    url = make_url(admin_url)
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        await conn.execute(f"DROP DATABASE IF EXISTS {_ident(database)} WITH (FORCE)")
    finally:
        await conn.close()
