"""A request leaves nothing for the cyclic garbage collector: everything it made is freed by
reference counting when it ends. A reference cycle through the execution would keep the
request's context, session and rows until a collector pass, which then lands in some later
request (docs/decisions.md, "Served processes freeze their start-up heap")."""

from __future__ import annotations

import gc

from litestar.testing import AsyncTestClient

from tests.conftest import Database
from tests.support import GraphQLClient, settings_for
from xietong.app import create_app
from xietong.config import ServerSettings

REQUEST_SCOPED = {
    "litestar.connection.request.Request",
    "sqlalchemy.ext.asyncio.session.AsyncSession",
    "sqlalchemy.orm.session.Session",
}
"""Besides every type of ours (the execution, the context, its loaders and guard, the page)."""


async def test_a_signed_in_request_leaves_no_reference_cycle(gql: GraphQLClient) -> None:
    queries = [
        "{ __typename }",
        "{ myWork(first: 5) { nodes { id due overdue rule { id } } pageInfo { endCursor } } }",
        "{ myWork(first: 5) { nodes { id owingDepartment { key } } } }",
        "{ me { login roles { jurisdiction { name } } } }",
        '{ officerPool(jurisdiction: "422825", first: 3) { nodes { id person { name } } } }',
    ]
    for query in queries:  # warm: caches filled, statements prepared
        await gql.data(query, login="xuanen.housing")
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        for query in queries:
            await gql.data(query, login="xuanen.housing")
        gc.collect()
        left = {f"{type(o).__module__}.{type(o).__qualname__}" for o in gc.garbage}
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    kept = {name for name in left if name.startswith("xietong.") or name in REQUEST_SCOPED}
    assert kept == set()


async def test_a_served_application_freezes_what_start_up_made(seeded_db: Database) -> None:
    settings = settings_for(seeded_db, server=ServerSettings(freeze_heap=True))
    gc.unfreeze()
    try:
        async with AsyncTestClient(create_app(settings)):
            assert gc.get_freeze_count() > 10_000  # the schema, the policy, the rules…
    finally:
        gc.unfreeze()  # the rest of this test process is not a served one
    async with AsyncTestClient(create_app(settings_for(seeded_db))):
        assert gc.get_freeze_count() == 0  # applications made in tests leave it off
