"""``db.driver``: a compiled statement run by asyncpg on the session's connection answers what
SQLAlchemy would, in the same transaction, with the same errors, heard by the same listeners.
It reaches into SQLAlchemy's asyncpg adapter; these tests pin what it relies on."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import Integer, bindparam, event, func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.conftest import TEST_SIGNER, Database
from xietong.access import scope as scopes
from xietong.db.driver import DriverStatement, fetch
from xietong.db.engine import make_engine, make_sessionmaker
from xietong.db.prelude import begin_soon
from xietong.jurisdictions import codes
from xietong.jurisdictions.models import Jurisdiction


@pytest.fixture
async def engine(seeded_db: Database) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(seeded_db.app_url, pool_size=1)
    try:
        yield engine
    finally:
        await engine.dispose()


def statement(engine: AsyncEngine) -> DriverStatement:
    """Units under 湖北省 with codes in a list (expanded once) and above a given one."""
    query = (
        select(Jurisdiction.code, Jurisdiction.name)
        .where(
            Jurisdiction.code.in_([420000, 422800, 422825, 421300]),
            Jurisdiction.code > bindparam("above", type_=Integer),
        )
        .order_by(Jurisdiction.code)
        .limit(bindparam("limit", type_=Integer))
    )
    return DriverStatement(query.compile(dialect=engine.dialect))


async def test_the_rows_are_sqlalchemys_and_only_the_given_parameters_change(
    engine: AsyncEngine,
) -> None:
    sessions = make_sessionmaker(engine)
    compiled = statement(engine)
    scope = scopes.Scope(actor="x", read=codes.subtree(420000))
    async with sessions() as session, session.begin():
        await scopes.apply(session, scope, TEST_SIGNER)
        # Before its BEGIN the statement goes through SQLAlchemy, which sends the scope first.
        first = await fetch(session, compiled, {"above": 0, "limit": 10})
        assert [tuple(r) for r in first] == [
            (420000, "湖北省"),
            (421300, "随州市"),
            (422800, "恩施土家族苗族自治州"),
            (422825, "宣恩县"),
        ]
        # In the transaction: asyncpg itself, with the layout the first call made.
        sync: Any = (await session.connection()).sync_connection
        adapted = sync.connection.dbapi_connection
        assert adapted._transaction is not None
        later = await fetch(session, compiled, {"above": 421300, "limit": 1})
        assert [tuple(r) for r in later] == [(422800, "恩施土家族苗族自治州")]
        # The same transaction as SQLAlchemy's statements.
        xact = DriverStatement(select(func.txid_current()).compile(dialect=engine.dialect))
        ours = (await fetch(session, xact, {}))[0][0]
        assert ours == await session.scalar(text("SELECT txid_current()"))
    listed = next(n for n, b in compiled.compiled.binds.items() if b.expanding and n[0] != "%")
    with pytest.raises(ValueError, match="lists cannot be given"):
        compiled.arguments({"above": 0, "limit": 1, listed: [1, 2]})


async def test_a_failing_statement_raises_as_sqlalchemy_would_and_rolls_back(
    engine: AsyncEngine,
) -> None:
    sessions = make_sessionmaker(engine)
    compiled = statement(engine)
    async with sessions() as session:
        async with session.begin():
            await session.execute(text("SELECT 1"))
            with pytest.raises(DBAPIError, match="out of") as caught:
                await fetch(session, compiled, {"above": 2**40, "limit": 1})  # out of int4
            assert not caught.value.connection_invalidated
            await session.rollback()
        async with session.begin():  # the connection is fit for the next transaction
            assert [tuple(r) for r in await fetch(session, compiled, {"above": 0, "limit": 1})]
        with pytest.raises(DBAPIError):
            async with session.begin():
                await session.execute(text("SELECT 1/0"))


async def test_listeners_hear_the_statement(engine: AsyncEngine) -> None:
    heard: list[tuple[str, Any]] = []

    def before(_c: object, _cur: object, sql: str, parameters: Any, *_: object) -> None:
        heard.append((sql, parameters))

    event.listen(engine.sync_engine, "before_cursor_execute", before)
    try:
        sessions = make_sessionmaker(engine)
        compiled = statement(engine)
        async with sessions() as session, session.begin():
            await session.execute(text("SELECT 1"))
            await fetch(session, compiled, {"above": 7, "limit": 3})
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", before)
    sql, parameters = heard[-1]
    assert "FROM jurisdiction" in sql
    assert 7 in parameters
    assert 3 in parameters


async def test_after_begin_soon_the_statement_rides_the_transaction_it_began(
    engine: AsyncEngine,
) -> None:
    sessions = make_sessionmaker(engine)
    xact = DriverStatement(select(func.txid_current()).compile(dialect=engine.dialect))
    for _ in range(2):  # a second transaction of the same session is not the first one's
        async with sessions() as session:
            async with session.begin():
                await (await begin_soon(session, lambda pid: "SELECT 1"))
                ours = (await fetch(session, xact, {}))[0][0]
                assert ours == await session.scalar(text("SELECT txid_current()"))
            async with session.begin():
                again = (await fetch(session, xact, {}))[0][0]
                assert again != ours
                assert again == await session.scalar(text("SELECT txid_current()"))


async def test_a_statement_sent_while_the_begin_travels_waits_for_it_and_rides_it(
    engine: AsyncEngine,
) -> None:
    """``db.prelude.begin_soon`` returns with its BEGIN on its way: the page's statement takes
    the connection's lock after it, so it runs in that transaction, after its prelude."""
    sessions = make_sessionmaker(engine)
    probe = DriverStatement(
        select(func.current_setting("xietong.probe", True)).compile(dialect=engine.dialect)
    )
    async with sessions() as session:
        prelude = "SELECT pg_sleep(0.2); SELECT set_config('xietong.probe', 'set', true);"
        began = await begin_soon(session, lambda _pid: prelude)
        assert not began.done()
        assert (await fetch(session, probe, {}))[0][0] == "set"
        assert began.done()
        await began
        await session.commit()
