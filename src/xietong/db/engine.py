"""Engines and sessions. Services receive an ``AsyncSession`` and never commit; the request or
job that owns the transaction does.

The API and the worker pass their ``DatabaseSettings``, which bound every database call: a
connection attempt and a wait for a pooled connection (``connect_timeout_ms``), every statement
on the server (``statement_timeout``) and, one second later, on the client, which is what ends a
call to a server that stopped answering altogether. A connection that timed out on the client, or
was cut, is discarded together with every pooled connection older than it, so the first request
after the database comes back opens fresh ones: recovery needs no restart.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, ExceptionContext, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from xietong.config import DatabaseSettings
from xietong.db.prelude import PreludeConnection, forget_on_checkin
from xietong.keys import Keyring


def async_url(url: str) -> str:
    """Accept plain ``postgresql://`` URLs (what operators and pgserver write) and use asyncpg."""
    parsed = make_url(url)
    if parsed.drivername in {"postgresql", "postgres", "postgresql+psycopg", "postgresql+psycopg2"}:
        parsed = parsed.set(drivername="postgresql+asyncpg")
    return parsed.render_as_string(hide_password=False)


def asyncpg_dsn(url: str | URL) -> str:
    """A DSN for asyncpg used directly (LISTEN, provisioning, checks): it knows no
    SQLAlchemy driver names."""
    parsed = make_url(url) if isinstance(url, str) else url
    return parsed.set(drivername="postgresql").render_as_string(hide_password=False)


CLIENT_GRACE_S = 1.0
"""How much longer than the server's statement timeout the client waits for an answer."""


def make_engine(
    url: str,
    *,
    pool_size: int = 10,
    echo: bool = False,
    settings: DatabaseSettings | None = None,
    pre_ping: bool = True,
) -> AsyncEngine:
    """An engine; with ``settings`` (API, worker), one whose every call is bounded in time.

    One-off commands (migrations, tenant loads) pass none: an operator watches them.

    ``pre_ping`` tests every connection as it leaves the pool (SQLAlchemy's ping on asyncpg is
    ``BEGIN``, ``;``, ``ROLLBACK``: three round trips). The API turns it off and instead retries
    a request's first statement once on a fresh connection when the pooled one turns out dead
    (``api.context``), which is the same recovery without the cost on every request.
    """
    server_settings = {"application_name": "xietong"}
    # PreludeConnection: a transaction's first setting travels with its BEGIN (db.prelude).
    connect_args: dict[str, object] = {
        "server_settings": server_settings,
        "connection_class": PreludeConnection,
    }
    options: dict[str, object] = {}
    if settings is not None:
        pool_size, echo = settings.pool_size, settings.echo
        server_settings["statement_timeout"] = str(settings.statement_timeout_ms)
        connect_args["timeout"] = settings.connect_timeout_ms / 1000
        connect_args["command_timeout"] = settings.statement_timeout_ms / 1000 + CLIENT_GRACE_S
        options["pool_timeout"] = settings.connect_timeout_ms / 1000
    engine = create_async_engine(
        async_url(url),
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=pre_ping,
        echo=echo,
        connect_args=connect_args,
        **options,
    )
    event.listen(engine.sync_engine, "handle_error", _discard_on_client_timeout)
    event.listen(engine.sync_engine.pool, "invalidate", _close_at_once)
    forget_on_checkin(engine.sync_engine.pool)
    return engine


def _close_at_once(dbapi_connection: Any, *_: object) -> None:
    """An invalidated connection is dropped without the goodbye SQLAlchemy would otherwise wait
    two seconds for: its server is gone, frozen, or mid-way through something we abandoned."""
    driver = getattr(dbapi_connection, "_connection", None)  # the asyncpg connection
    if driver is not None and not driver.is_closed():
        driver.terminate()


def _discard_on_client_timeout(context: ExceptionContext) -> None:
    """A call the client gave up on (its timeout, or the request's deadline cancelling it)
    leaves the connection in an unknown state: treat it as cut, so SQLAlchemy closes it (and
    the pooled connections older than it) instead of reusing it."""
    if isinstance(context.original_exception, TimeoutError | asyncio.CancelledError):
        context.is_disconnect = True


KEYRING_INFO = "xietong.keyring"
"""Where a session carries the keyring (``Session.info``); see ``make_sessionmaker``."""


class NoKeyring(RuntimeError):
    """The session was made without a keyring, so it cannot sign (e.g. audit events)."""


def make_sessionmaker(
    engine: AsyncEngine, *, keyring: Keyring | None = None
) -> async_sessionmaker[AsyncSession]:
    """Sessions on ``engine``. With ``keyring``, every session carries it (``keyring_of``): this
    is how code that must sign with a key held outside the database (an audit event's MAC) gets
    it, without threading it through every caller. Create sessions that may record a change
    with the process's keyring (the API, the worker, the CLI do); read-only tooling needs none.
    """
    info = {} if keyring is None else {KEYRING_INFO: keyring}
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=True, info=info)


def keyring_of(session: AsyncSession) -> Keyring:
    """The keyring the session was made with; ``NoKeyring`` if none."""
    keyring = session.info.get(KEYRING_INFO)
    if not isinstance(keyring, Keyring):
        raise NoKeyring(
            "this database session carries no keyring; make its sessionmaker with "
            "make_sessionmaker(engine, keyring=Keyring.from_settings(settings))"
        )
    return keyring


@asynccontextmanager
async def transaction(
    sessions: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    """One unit of work: commits when the block ends normally, rolls back on any exception."""
    async with sessions() as session, session.begin():
        yield session
