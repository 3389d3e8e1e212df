"""PostgreSQL's own wall, tested directly as the application role with a signed scope."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection

from tests.conftest import Database
from tests.support import signed_scope
from xietong.db.engine import make_engine

TABLES = ["person", "person_role", "officer_pool_member", "api_key", "access_grant", "audit_event"]


@pytest.fixture
async def app_conn(seeded_db: Database) -> AsyncIterator[AsyncConnection]:
    engine = make_engine(seeded_db.app_url, pool_size=1)
    async with engine.connect() as conn:
        yield conn
    await engine.dispose()


@pytest.mark.parametrize("table", TABLES)
async def test_an_unscoped_transaction_sees_no_row(app_conn: AsyncConnection, table: str) -> None:
    async with app_conn.begin():
        assert await app_conn.scalar(text(f"SELECT count(*) FROM {table}")) == 0


async def test_a_scope_sees_its_subtree_and_nothing_else(app_conn: AsyncConnection) -> None:
    async with app_conn.begin():
        await signed_scope(app_conn, read=(422800, 422899))
        codes = set((await app_conn.scalars(text("SELECT jurisdiction_code FROM person"))).all())
    assert codes == {422800, 422825}
    async with app_conn.begin():  # the setting was transaction-local
        assert await app_conn.scalar(text("SELECT count(*) FROM person")) == 0


async def test_writes_are_confined_to_the_own_jurisdiction(app_conn: AsyncConnection) -> None:
    async with app_conn.begin() as tx:
        await signed_scope(app_conn, read=(422800, 422899), write=422800)
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
        await signed_scope(app_conn, read=(422800, 422899), write=None)
        result = await app_conn.execute(
            text(
                "UPDATE officer_pool_member SET available = false WHERE jurisdiction_code = 422800"
            )
        )
        assert result.rowcount == 0
        await tx.rollback()


async def test_the_app_role_cannot_rewrite_the_audit_trail(app_conn: AsyncConnection) -> None:
    async with app_conn.begin():
        await signed_scope(app_conn, read=(420000, 429999), write=420000)
        with pytest.raises(DBAPIError, match="permission denied"):
            await app_conn.execute(text("UPDATE audit_event SET actor = 'x'"))


async def test_policies_check_the_scope_once_per_statement_and_use_the_indexes(
    app_conn: AsyncConnection,
) -> None:
    """The scope functions are InitPlans (evaluated once, then parameters $0, $1…), and those
    parameters bound index scans: the jurisdiction index and the primary key (grants)."""
    async with app_conn.begin():
        await signed_scope(app_conn, read=(422800, 422899))
        await app_conn.execute(text("SET LOCAL enable_seqscan = off"))  # a tiny table otherwise
        plan = "\n".join(
            (await app_conn.scalars(text("EXPLAIN ANALYZE SELECT * FROM person"))).all()
        )
    assert "InitPlan" in plan, plan
    assert "Index Cond: ((jurisdiction_code >= $0) AND (jurisdiction_code <= $1))" in plan, plan
    assert "Index Cond: (id = ANY ($2))" in plan, plan
    # each InitPlan ran once however many rows were read
    assert plan.count("loops=1)") >= plan.count("InitPlan"), plan
