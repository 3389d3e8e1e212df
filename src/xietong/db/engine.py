"""Engines and sessions. Services receive an ``AsyncSession`` and never commit; the request or
job that owns the transaction does."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

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


def make_engine(url: str, *, pool_size: int = 10, echo: bool = False) -> AsyncEngine:
    return create_async_engine(
        async_url(url),
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        echo=echo,
        connect_args={"server_settings": {"application_name": "xietong"}},
    )


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
