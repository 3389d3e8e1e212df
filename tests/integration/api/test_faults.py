"""Faults: PostgreSQL frozen, killed and back; Redis killed. The application reaches the real
servers through a proxy (``tests/proxy.py``) that plays the fault, so the shared servers never
stop. Every request must end in seconds with a coded answer, and service must come back without
a restart.

The bounds below (a few seconds) are not speed measurements: they tell a hang from an answer.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from tests.conftest import Database
from tests.proxy import TcpProxy, proxy_to
from tests.support import bearer, error_codes, settings_for
from xietong.api.errors import is_unavailable
from xietong.app import create_app
from xietong.config import DatabaseSettings, RedisSettings, ServerSettings, Settings
from xietong.db.engine import asyncpg_dsn, make_engine

QUERY = '{ people(under: "422825", first: 1) { totalCount } }'
SLACK_S = 2.0
"""Beyond the configured deadline, what a loaded test machine may add before the answer."""


def via(proxy: TcpProxy, db: Database, **database: Any) -> Settings:
    settings = settings_for(db)
    return dataclasses.replace(
        settings,
        database=dataclasses.replace(settings.database, url=proxy.url(db.app_url), **database),
    )


def quick(settings: Settings) -> Settings:
    """Short timeouts, so that the frozen cases take a second or two."""
    return dataclasses.replace(
        settings,
        database=dataclasses.replace(
            settings.database, statement_timeout_ms=800, connect_timeout_ms=800
        ),
        server=dataclasses.replace(settings.server, request_timeout_ms=1500),
    )


@asynccontextmanager
async def serving(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The app in this event loop (Litestar's test client runs it in a thread of its own and
    blocks on each request), so that the proxy runs beside it and requests can overlap."""
    app = create_app(settings)
    async with (
        app.lifespan(),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://xietong.test", timeout=30
        ) as client,
    ):
        yield client


async def ask(client: httpx.AsyncClient) -> tuple[int, dict[str, Any], float]:
    started = time.perf_counter()
    response = await client.post("/graphql", json={"query": QUERY}, headers=bearer("xuanen.office"))
    return response.status_code, response.json(), time.perf_counter() - started


def assert_unavailable(status: int, body: dict[str, Any]) -> None:
    assert status == 503, body
    assert error_codes(body) == ["SERVICE_UNAVAILABLE"]
    assert "data" not in body
    assert "（" in body["errors"][0]["message"]  # bilingual


async def assert_serving(client: httpx.AsyncClient) -> None:
    status, body, _ = await ask(client)
    assert status == 200, body
    assert body["data"]["people"]["totalCount"] > 0


@pytest.fixture
async def db_proxy(seeded_db: Database) -> AsyncIterator[TcpProxy]:
    async with proxy_to(seeded_db.app_url) as proxy:
        yield proxy


async def test_a_frozen_database_answers_503_in_seconds_and_recovers_when_thawed(
    db_proxy: TcpProxy, seeded_db: Database
) -> None:
    settings = quick(via(db_proxy, seeded_db))
    deadline_s = settings.server.request_timeout_ms / 1000
    async with serving(settings) as client:
        await assert_serving(client)  # the pool now holds a connection
        db_proxy.freeze()
        try:
            (status, body, seconds), live, ready = await asyncio.gather(
                ask(client), client.get("/health/live"), client.get("/health/ready")
            )
            assert_unavailable(status, body)
            assert seconds < deadline_s + SLACK_S
            assert live.status_code == 200  # the process itself never stopped answering
            assert ready.status_code == 503
            assert ready.json()["database"] == "unreachable"
            # A new connection is no better while it stays frozen.
            status, body, seconds = await ask(client)
            assert_unavailable(status, body)
            assert seconds < deadline_s + SLACK_S
        finally:
            db_proxy.thaw()
        await assert_serving(client)
        assert (await client.get("/health/ready")).status_code == 200


async def test_a_killed_database_answers_503_within_5_s_and_the_next_query_after_it_is_back_works(
    db_proxy: TcpProxy, seeded_db: Database
) -> None:
    settings = via(db_proxy, seeded_db)  # the documented defaults
    async with serving(settings) as client:
        await assert_serving(client)
        await db_proxy.cut()
        status, body, seconds = await ask(client)
        assert_unavailable(status, body)
        assert seconds < 5
        ready = await client.get("/health/ready")
        assert ready.status_code == 503
        assert (await client.get("/health/live")).status_code == 200
        await db_proxy.restore()
        await assert_serving(client)  # no restart
        assert (await client.get("/health/ready")).status_code == 200


async def test_a_pooled_connection_the_server_dropped_is_replaced_without_an_error(
    seeded_db: Database, pg_admin_url: str
) -> None:
    """The pool does not ping connections as they leave it: a request whose pooled connection
    died while idle (a server restart, an idle timeout) retries its first statement on a fresh
    one, and the caller never notices."""
    async with serving(settings_for(seeded_db)) as client:
        await assert_serving(client)  # the pool now holds a connection
        owner = await asyncpg.connect(asyncpg_dsn(pg_admin_url))
        try:
            killed = await owner.fetchval(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE datname = $1 AND usename = 'xietong_app' AND pid <> pg_backend_pid()",
                seeded_db.name,
            )
        finally:
            await owner.close()
        assert killed >= 1
        await asyncio.sleep(0.1)
        await assert_serving(client)
        status, body, _ = await ask(client)
        assert status == 200, body


async def test_an_anonymous_typename_opens_no_transaction_but_a_signed_in_one_still_signs_in(
    db_proxy: TcpProxy, seeded_db: Database
) -> None:
    """``{ __typename }`` and schema-only queries need no database; credentials sent with one
    are still checked against it (a deactivated caller is refused whatever it asks)."""
    async with serving(via(db_proxy, seeded_db)) as client:
        await assert_serving(client)  # the policy is loaded
        await db_proxy.cut()
        try:
            anonymous = await client.post("/graphql", json={"query": "{ __typename }"})
            assert anonymous.status_code == 200
            assert anonymous.json() == {"data": {"__typename": "Query"}}
            signed_in = await client.post(
                "/graphql", json={"query": "{ __typename }"}, headers=bearer("xuanen.office")
            )
            assert_unavailable(signed_in.status_code, signed_in.json())
            data = await client.post(
                "/graphql",
                json={"query": '{ jurisdiction(code: "422825") { departments { key } } }'},
            )
            assert_unavailable(data.status_code, data.json())
            # the tree itself is held in the process (jurisdictions.cache): no database needed
            cached = await client.post(
                "/graphql", json={"query": '{ jurisdiction(code: "422825") { code } }'}
            )
            assert cached.json() == {"data": {"jurisdiction": {"code": "422825"}}}
        finally:
            await db_proxy.restore()


async def test_an_api_that_starts_while_the_database_is_down_serves_once_it_is_up(
    db_proxy: TcpProxy, seeded_db: Database
) -> None:
    await db_proxy.cut()
    async with serving(via(db_proxy, seeded_db)) as client:
        status, body, seconds = await ask(client)
        assert_unavailable(status, body)  # not even the access policy could be loaded
        assert seconds < 5
        await db_proxy.restore()
        for _ in range(100):  # the policy watcher retries with backoff, then loads it
            status, body, _ = await ask(client)
            if status == 200:
                break
            assert_unavailable(status, body)
            await asyncio.sleep(0.1)
        assert status == 200, body


async def test_a_mutation_cut_short_by_a_frozen_database_changes_nothing(
    fresh_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The database freezes in the middle of a mutation: the caller hears 503, and when the
    database is back, nothing of the mutation is there."""
    from xietong.access import apikeys

    async with proxy_to(fresh_db.app_url) as proxy:
        settings = quick(via(proxy, fresh_db))
        revoke = apikeys.revoke

        async def revoke_then_freeze(**kwargs: Any) -> Any:
            result = await revoke(**kwargs)
            proxy.freeze()  # the audit event and the commit will not get through
            return result

        async with serving(settings) as client:
            created = (
                await client.post(
                    "/graphql",
                    json={
                        "query": 'mutation { apiKeyCreate(input: {name: "erp", '
                        'jurisdiction: "422825", roles: [INTEGRATOR]}) { apiKey { id } } }'
                    },
                    headers=bearer("xuanen.office"),
                )
            ).json()
            key_id = created["data"]["apiKeyCreate"]["apiKey"]["id"]
            monkeypatch.setattr(apikeys, "revoke", revoke_then_freeze)
            try:
                response = await client.post(
                    "/graphql",
                    json={
                        "query": "mutation($id: ID!) { apiKeyRevoke(input: {id: $id}) "
                        "{ apiKey { revokedAt } } }",
                        "variables": {"id": key_id},
                    },
                    headers=bearer("xuanen.office"),
                )
            finally:
                proxy.thaw()
            assert_unavailable(response.status_code, response.json())
    engine = make_engine(fresh_db.owner_url, pool_size=1)
    try:
        async with engine.connect() as conn:
            revoked = await conn.scalar(
                text("SELECT count(*) FROM api_key WHERE revoked_at IS NOT NULL")
            )
            events = await conn.scalar(
                text("SELECT count(*) FROM audit_event WHERE action = 'apiKey.revoke'")
            )
    finally:
        await engine.dispose()
    assert (revoked, events) == (0, 0)


async def test_a_slow_statement_is_cancelled_by_the_statement_timeout(
    seeded_db: Database,
) -> None:
    settings = settings_for(seeded_db)
    settings = dataclasses.replace(
        settings,
        database=dataclasses.replace(settings.database, statement_timeout_ms=200),
    )
    engine = make_engine(settings.database.url or "", settings=settings.database)
    try:
        async with engine.connect() as conn:
            started = time.perf_counter()
            with pytest.raises(DBAPIError) as raised:
                await conn.execute(text("SELECT pg_sleep(5)"))
            assert time.perf_counter() - started < 3
        assert is_unavailable(raised.value)  # answered SERVICE_UNAVAILABLE, not INTERNAL_ERROR
        async with engine.connect() as conn:  # and the pool still works
            assert await conn.scalar(text("SELECT 1")) == 1
    finally:
        await engine.dispose()


async def test_a_killed_redis_does_not_stop_the_api_and_is_used_again_when_back(
    seeded_db: Database, redis_url: str
) -> None:
    async with proxy_to(redis_url) as redis_proxy:
        settings = dataclasses.replace(
            settings_for(seeded_db), redis=RedisSettings(url=redis_proxy.url(redis_url))
        )
        async with serving(settings) as client:
            assert "xietong_redis_up 1.0" in (await client.get("/metrics")).text
            await redis_proxy.cut()
            await assert_serving(client)  # Redis only wakes jobs up; GraphQL never needs it
            started = time.perf_counter()
            metrics = await client.get("/metrics")
            assert metrics.status_code == 200
            assert time.perf_counter() - started < 5
            assert "xietong_redis_up 0.0" in metrics.text
            assert (await client.get("/health/ready")).status_code == 200
            await redis_proxy.restore()
            assert "xietong_redis_up 1.0" in (await client.get("/metrics")).text


def test_the_defaults_answer_a_stopped_database_within_5_s() -> None:
    """The documented budget: a connection attempt and the request deadline."""
    database, server = DatabaseSettings(), ServerSettings()
    assert database.connect_timeout_ms < 5000
    assert server.request_timeout_ms <= 5000
    assert database.statement_timeout_ms < server.request_timeout_ms
