"""PostgreSQL's own wall, tested directly as the application role."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from tests.conftest import Database
from xietong.db.engine import make_engine

TABLES = ["person", "person_role", "officer_pool_member", "api_key", "access_grant", "audit_event"]


@pytest.fixture
async def app_conn(seeded_db: Database) -> AsyncIterator[AsyncConnection]:
    engine = make_engine(seeded_db.app_url, pool_size=1)
    async with engine.connect() as conn:
        yield conn
    await engine.dispose()


async def scoped(
    conn: AsyncConnection, lo: int | None, hi: int | None, write: int | None = None
) -> None:
    await conn.execute(
        text(
            "SELECT set_config('xietong.read_lo', :lo, true),"
            " set_config('xietong.read_hi', :hi, true),"
            " set_config('xietong.write_code', :w, true)"
        ),
        {
            "lo": "" if lo is None else str(lo),
            "hi": "" if hi is None else str(hi),
            "w": "" if write is None else str(write),
        },
    )


@pytest.mark.parametrize("table", TABLES)
async def test_an_unscoped_transaction_sees_no_row(app_conn: AsyncConnection, table: str) -> None:
    async with app_conn.begin():
        assert await app_conn.scalar(text(f"SELECT count(*) FROM {table}")) == 0


async def test_a_scope_sees_its_subtree_and_nothing_else(app_conn: AsyncConnection) -> None:
    async with app_conn.begin():
        await scoped(app_conn, 422800, 422899)
        codes = set((await app_conn.scalars(text("SELECT jurisdiction_code FROM person"))).all())
    assert codes == {422800, 422825}
    async with app_conn.begin():  # the setting was transaction-local
        assert await app_conn.scalar(text("SELECT count(*) FROM person")) == 0


async def test_writes_are_confined_to_the_own_jurisdiction(app_conn: AsyncConnection) -> None:
    async with app_conn.begin() as tx:
        await scoped(app_conn, 422800, 422899, write=422800)
        county = await app_conn.execute(
            text(
                "UPDATE officer_pool_member SET available = false WHERE jurisdiction_code = 422825"
            )
        )
        city = await app_conn.execute(
            text(
                "UPDATE officer_pool_member SET available = false WHERE jurisdiction_code = 422800"
            )
        )
        assert county.rowcount == 0  # visible (subtree) but not writable: casework is local
        assert city.rowcount > 0
        await tx.rollback()


async def test_read_only_scopes_cannot_write(app_conn: AsyncConnection) -> None:
    async with app_conn.begin() as tx:
        await scoped(app_conn, 422800, 422899, write=None)
        result = await app_conn.execute(
            text(
                "UPDATE officer_pool_member SET available = false WHERE jurisdiction_code = 422800"
            )
        )
        assert result.rowcount == 0
        await tx.rollback()


async def test_the_app_role_cannot_rewrite_the_audit_trail(app_conn: AsyncConnection) -> None:
    from sqlalchemy.exc import DBAPIError

    async with app_conn.begin():
        await scoped(app_conn, 420000, 429999, write=420000)
        with pytest.raises(DBAPIError, match="permission denied"):
            await app_conn.execute(text("UPDATE audit_event SET actor = 'x'"))


async def test_list_queries_use_the_indexes_under_rls(app_conn: AsyncConnection) -> None:
    async with app_conn.begin():
        await scoped(app_conn, 422800, 422899)
        plan = "\n".join(
            (await app_conn.scalars(text("EXPLAIN SELECT * FROM person WHERE login > ''"))).all()
        )
    assert "Index Scan" in plan, plan
