"""The scope travels with the transaction's BEGIN (``db.prelude``, ``access.scope.apply``): one
round trip for both, none when nothing is read, and never into another request's transaction."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor

import asyncpg
import pytest
from bench.roundtrips import RoundTripCounter, counting
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from tests.conftest import TEST_SIGNER, Database
from xietong.access import scope as scopes
from xietong.access.principal import ANONYMOUS
from xietong.db.engine import asyncpg_dsn, make_engine, make_sessionmaker
from xietong.db.prelude import begin_soon, pending_prelude

ANON = scopes.Scope.of(ANONYMOUS)
READ_SCOPE = "SELECT current_setting('xietong.scope', true)"
CLAIMS = "SELECT xietong_read_lo()"


@pytest.fixture
async def counted(seeded_db: Database) -> AsyncIterator[tuple[AsyncEngine, RoundTripCounter]]:
    async with counting(seeded_db.app_url) as counter:
        engine = make_engine(counter.url(seeded_db.app_url), pool_size=1, pre_ping=False)
        try:
            async with engine.connect() as warm:  # connect and introspect outside the count
                await warm.execute(text("SELECT 1"))
            yield engine, counter
        finally:
            await engine.dispose()


async def test_the_scope_costs_no_round_trip_of_its_own(
    counted: tuple[AsyncEngine, RoundTripCounter],
) -> None:
    engine, counter = counted
    sessions = make_sessionmaker(engine)
    scope = scopes.Scope(actor="x", read=scopes.codes.subtree(422825))

    async def transaction(*, scoped: bool) -> tuple[int, str | None]:
        before = counter.round_trips
        async with sessions() as session, session.begin():
            if scoped:
                await scopes.apply(session, scope, TEST_SIGNER)
                assert counter.round_trips == before  # nothing sent yet
            token = await session.scalar(text(READ_SCOPE))
            if scoped:  # the database accepts it: the read range is the signed one
                assert await session.scalar(text(CLAIMS)) == scope.read.lo  # type: ignore[union-attr]
            else:
                await session.scalar(text(CLAIMS))
        return counter.round_trips - before, token

    await transaction(scoped=False)  # prepares both statements on the one connection
    bare, unset = await transaction(scoped=False)
    scoped, token = await transaction(scoped=True)
    assert unset in (None, "")
    signed = TEST_SIGNER.read(token or "")
    assert signed is not None
    assert signed.claims == scope.claims()
    assert scoped == bare == 4  # BEGIN (with the scope), two statements, COMMIT


async def test_a_request_that_reads_nothing_sends_nothing(
    counted: tuple[AsyncEngine, RoundTripCounter],
) -> None:
    engine, counter = counted
    sessions = make_sessionmaker(engine)
    before = counter.round_trips
    async with sessions() as session, session.begin():
        await scopes.apply(session, ANON, TEST_SIGNER)
    assert counter.round_trips == before  # no BEGIN, no set_config, no COMMIT


async def test_an_unsent_scope_never_reaches_the_next_transaction(
    counted: tuple[AsyncEngine, RoundTripCounter],
) -> None:
    engine, _ = counted
    sessions = make_sessionmaker(engine)
    office = scopes.Scope(actor="xuanen.office", read=scopes.codes.subtree(422825))
    async with sessions() as session, session.begin():
        await scopes.apply(session, office, TEST_SIGNER)
        raw = await (await session.connection()).get_raw_connection()
        driver = raw.driver_connection
        assert pending_prelude(driver) is not None
    # the pool has one connection: the next transaction runs on the same backend
    assert pending_prelude(driver) is None
    async with sessions() as session, session.begin():
        again = await (await session.connection()).get_raw_connection()
        assert again.driver_connection is driver
        assert await session.scalar(text(READ_SCOPE)) in (None, "")
        assert await session.scalar(text(CLAIMS)) is None


async def test_a_scope_applied_mid_transaction_is_a_statement_and_replaces_the_first(
    counted: tuple[AsyncEngine, RoundTripCounter],
) -> None:
    engine, _ = counted
    sessions = make_sessionmaker(engine)
    first = scopes.Scope(actor="a", read=scopes.codes.subtree(422825))
    second = scopes.Scope(actor="b", read=scopes.codes.subtree(420000))
    async with sessions() as session, session.begin():
        await scopes.apply(session, first, TEST_SIGNER)
        assert await session.scalar(text(CLAIMS)) == first.read.lo  # type: ignore[union-attr]
        await scopes.apply(session, second, TEST_SIGNER)
        raw = await (await session.connection()).get_raw_connection()
        assert pending_prelude(raw.driver_connection) is None
        token = await session.scalar(text(READ_SCOPE))
        signed = TEST_SIGNER.read(token)
        assert signed is not None
        assert signed.claims == second.claims()
    async with sessions() as session, session.begin():
        assert await session.scalar(text(READ_SCOPE)) in (None, "")


async def test_a_rolled_back_transaction_takes_its_scope_with_it(
    counted: tuple[AsyncEngine, RoundTripCounter],
) -> None:
    engine, _ = counted
    sessions = make_sessionmaker(engine)
    async with sessions() as session:
        await session.begin()
        await scopes.apply(session, scopes.Scope(actor="a"), TEST_SIGNER)
        assert await session.scalar(text(READ_SCOPE))
        await session.rollback()
        assert await session.scalar(text(READ_SCOPE)) in (None, "")
        await session.rollback()


async def test_a_scope_set_before_any_connection_checks_none_out_and_ends_with_its_transaction(
    counted: tuple[AsyncEngine, RoundTripCounter],
) -> None:
    engine, counter = counted
    sessions = make_sessionmaker(engine)
    office = scopes.Scope(actor="xuanen.office", read=scopes.codes.subtree(422825))
    before = counter.round_trips
    async with sessions() as session:
        async with session.begin():
            await scopes.apply(session, office, TEST_SIGNER)
            assert engine.pool.checkedout() == 0  # type: ignore[attr-defined]
        assert counter.round_trips == before
        async with session.begin():  # the same session, a new transaction: no scope
            assert await session.scalar(text(READ_SCOPE)) in (None, "")
            assert await session.scalar(text(CLAIMS)) is None


async def test_a_token_that_would_need_quoting_is_never_inlined(
    counted: tuple[AsyncEngine, RoundTripCounter],
) -> None:
    engine, _ = counted
    sessions = make_sessionmaker(engine)
    odd = scopes.Scope(actor="o'brien\\", read=scopes.codes.subtree(422825))
    async with sessions() as session, session.begin():
        await scopes.apply(session, odd, TEST_SIGNER)
        token = await session.scalar(text(READ_SCOPE))  # set as a bind parameter instead
        signed = TEST_SIGNER.read(token)
        assert signed is not None
        assert signed.claims.actor == "o'brien\\"
        raw = await (await session.connection()).get_raw_connection()
        assert pending_prelude(raw.driver_connection) is None


async def test_begin_soon_sends_the_begin_and_its_prelude_in_one_round_trip(
    counted: tuple[AsyncEngine, RoundTripCounter],
) -> None:
    """What a remembered caller's request starts with (``access.authentication._confirm``)."""
    engine, counter = counted
    sessions = make_sessionmaker(engine)
    async with sessions() as session, session.begin():
        await session.connection()  # checked out: nothing sent yet
        before = counter.round_trips
        probe = "SELECT set_config('xietong.probe', 'set', true);"
        await (await begin_soon(session, lambda _pid: probe))
        assert counter.round_trips == before + 1
        assert await session.scalar(text("SELECT current_setting('xietong.probe')")) == "set"
        assert counter.round_trips == before + 2  # the transaction was begun once, not twice
    async with sessions() as session:  # transaction-local: gone with the transaction
        assert await session.scalar(text("SELECT current_setting('xietong.probe', true)")) in (
            None,
            "",
        )


async def test_a_prelude_that_fails_at_begin_closes_its_connection(
    counted: tuple[AsyncEngine, RoundTripCounter],
) -> None:
    engine, _ = counted
    sessions = make_sessionmaker(engine)
    async with sessions() as session:
        raw = await (await session.connection()).get_raw_connection()
        with pytest.raises(Exception, match="division by zero"):
            await (await begin_soon(session, lambda _pid: "SELECT 1/0;"))
        assert raw.driver_connection.is_closed()  # type: ignore[union-attr]
        await session.invalidate()
    async with sessions() as session:  # the pool hands out a fresh one
        assert await session.scalar(text("SELECT 1")) == 1


def _activity_seen_elsewhere(url: str, pid: int) -> tuple[str, str]:
    """What PostgreSQL says backend ``pid`` is doing, asked from another thread with its own
    event loop: the test's loop does not run meanwhile, so nothing of its own can be sent."""

    async def ask() -> tuple[str, str]:
        conn = await asyncpg.connect(asyncpg_dsn(url))
        try:
            row = await conn.fetchrow(
                "SELECT state, query FROM pg_stat_activity WHERE pid = $1", pid
            )
        finally:
            await conn.close()
        assert row is not None
        return row["state"], row["query"]

    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, ask()).result()


@pytest.fixture
async def sessions(seeded_db: Database) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions on a pool of one connection of the application role, not pinged."""
    engine = make_engine(seeded_db.app_url, pool_size=1, pre_ping=False)
    try:
        yield make_sessionmaker(engine)
    finally:
        await engine.dispose()


async def test_begin_soon_has_sent_its_begin_when_it_returns_and_statements_wait_behind_it(
    seeded_db: Database, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """What a remembered caller's request starts with (``access.authentication._confirm``): the
    request prepares its work while the BEGIN and its prelude travel."""
    async with sessions() as session:
        raw = await (await session.connection()).get_raw_connection()
        pid = raw.driver_connection.get_server_pid()  # type: ignore[union-attr]
        prelude = "SELECT pg_sleep(0.5); SELECT set_config('xietong.probe', 'set', true);"
        began = await begin_soon(session, lambda _pid: prelude)
        # Sent before this loop ran again: a task left to start later would not have been.
        state, query = _activity_seen_elsewhere(seeded_db.app_url, pid)
        assert state == "active"
        assert query.startswith("BEGIN")
        assert "pg_sleep" in query
        assert not began.done()
        # The statement waits for the BEGIN's answer and runs in its transaction.
        assert await session.scalar(text("SELECT current_setting('xietong.probe')")) == "set"
        assert began.done()
        await began
        await session.commit()


async def test_a_statement_behind_a_failing_prelude_fails_and_never_runs_without_it(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session:
        raw = await (await session.connection()).get_raw_connection()
        driver = raw.driver_connection
        began = await begin_soon(session, lambda _pid: "SELECT pg_sleep(0.2); SELECT 1/0;")
        with pytest.raises(DBAPIError):  # its connection was closed under it
            await session.scalar(text("SELECT current_setting('xietong.scope', true)"))
        with pytest.raises(Exception, match="division by zero"):
            await began
        assert driver.is_closed()  # type: ignore[union-attr]
    async with sessions() as session:  # the pool hands out a fresh one
        assert await session.scalar(text("SELECT 1")) == 1


async def test_a_begin_soon_cancelled_on_its_way_closes_its_connection(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """The request's deadline, while the BEGIN waits on a database that does not answer: waiting
    for it is cancelled, which cancels the BEGIN too, and its connection, in an unknown state,
    is closed rather than reused."""
    async with sessions() as session:
        raw = await (await session.connection()).get_raw_connection()
        driver = raw.driver_connection
        began = await begin_soon(session, lambda _pid: "SELECT pg_sleep(3);")
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.2):
                await began
        assert began.cancelled()
        assert driver.is_closed()  # type: ignore[union-attr]
        await session.invalidate()
    async with sessions() as session:
        assert await session.scalar(text("SELECT 1")) == 1
