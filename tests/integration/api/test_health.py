from __future__ import annotations

from litestar.testing import AsyncTestClient
from sqlalchemy import text

from tests.conftest import Database
from tests.support import GraphQLClient, settings_for
from xietong.app import create_app
from xietong.db import migrate
from xietong.db.engine import make_engine


async def test_live_and_ready(gql: GraphQLClient) -> None:
    live = await gql.http.get("/health/live")
    assert live.status_code == 200
    assert live.json() == {"status": "ok"}
    ready = await gql.http.get("/health/ready")
    assert ready.status_code == 200
    assert ready.json()["migrations"]["current"] == migrate.head_revision()
    assert ready.headers["x-request-id"]


async def test_not_ready_when_migrations_lag(empty_db: Database) -> None:
    async with AsyncTestClient(create_app(settings_for(empty_db))) as client:
        response = await client.get("/health/ready")
    assert response.status_code == 503
    assert response.json()["migrations"] == {"current": None, "head": migrate.head_revision()}


async def test_not_ready_when_the_database_is_unreachable(seeded_db: Database) -> None:
    unreachable = Database(
        name="x", owner_url=seeded_db.owner_url, app_url="postgresql://nobody@127.0.0.1:9/none"
    )
    async with AsyncTestClient(create_app(settings_for(unreachable))) as client:
        ready = await client.get("/health/ready")
        live = await client.get("/health/live")
    assert ready.status_code == 503
    assert ready.json()["database"] == "unreachable"
    assert live.status_code == 200


async def test_request_ids_are_echoed(gql: GraphQLClient) -> None:
    response = await gql.http.get("/health/live", headers={"x-request-id": "abc-123"})
    assert response.headers["x-request-id"] == "abc-123"
    response = await gql.http.get("/health/live", headers={"x-request-id": "bad id\n"})
    assert response.headers["x-request-id"] != "bad id\n"


async def test_ready_when_a_newer_release_has_migrated(fresh_db: Database) -> None:
    """Rolling upgrade: the hook migrated to a revision this (old) code does not know; the old
    pods keep serving until the new ones are ready."""
    engine = make_engine(fresh_db.owner_url, pool_size=1)
    try:
        async with engine.begin() as conn:
            await conn.execute(text("UPDATE alembic_version SET version_num = 'f00dfacefeed'"))
    finally:
        await engine.dispose()
    async with AsyncTestClient(create_app(settings_for(fresh_db))) as client:
        response = await client.get("/health/ready")
    assert response.status_code == 200, response.text
    assert response.json()["migrations"]["newer"] is True
