"""The jurisdiction tree held in each process (``jurisdictions.cache``): the public lookup reads
no database, and a change by the owner shows once the policy reload has run."""

from __future__ import annotations

import asyncio

import asyncpg

from tests.conftest import Database
from tests.support import GraphQLClient, QueryCounter
from xietong.db.engine import asyncpg_dsn

LOOKUP = """{ jurisdiction(code: "422825") {
    code name level parent { code } ancestors { code name } children { code } } }"""


async def test_the_anonymous_lookup_reads_no_database(
    gql: GraphQLClient, count_queries: QueryCounter
) -> None:
    data = await gql.data(LOOKUP)
    assert data["jurisdiction"]["ancestors"] == [
        {"code": "420000", "name": "湖北省"},
        {"code": "422800", "name": "恩施土家族苗族自治州"},
    ]
    assert data["jurisdiction"]["parent"] == {"code": "422800"}
    assert count_queries.statements == []
    children = await gql.data('{ jurisdiction(code: "422800") { children { code } } }')
    assert {"code": "422825"} in children["jurisdiction"]["children"]
    assert count_queries.statements == []


async def test_an_unknown_code_still_asks_the_database(
    gql: GraphQLClient, count_queries: QueryCounter
) -> None:
    assert (await gql.data('{ jurisdiction(code: "110000") { code } }'))["jurisdiction"] is None
    assert len(count_queries.statements) == 1


async def test_a_rename_by_the_owner_shows_after_the_reload(
    fresh_db: Database, fresh_gql: GraphQLClient
) -> None:
    watcher = fresh_gql.app.state.policy_watcher
    await asyncio.wait_for(watcher.listening.wait(), timeout=10)
    reloads = watcher.reloads
    owner = await asyncpg.connect(asyncpg_dsn(fresh_db.owner_url))
    try:
        await owner.execute("UPDATE jurisdiction SET name = '宣恩县（新）' WHERE code = 422825")
    finally:
        await owner.close()
    for _ in range(100):
        if watcher.reloads > reloads:
            break
        await asyncio.sleep(0.05)
    else:
        raise AssertionError("the policy (and the tree) was not reloaded")
    data = await fresh_gql.data(
        '{ a: jurisdiction(code: "422825") { name } b: jurisdiction(code: "422800") '
        "{ children { code name } } }"
    )
    assert data["a"] == {"name": "宣恩县（新）"}
    assert {"code": "422825", "name": "宣恩县（新）"} in data["b"]["children"]
