from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import event

from tests.conftest import Database
from xietong.app import create_app
from xietong.config import AuthSettings, DatabaseSettings, Environment, Settings

TEST_SECRET = "test-signing-secret-that-is-long-enough-for-hs256"


def settings_for(db: Database, **overrides: Any) -> Settings:
    return dataclasses.replace(
        Settings(env=Environment.TEST),
        database=DatabaseSettings(url=db.app_url, migration_url=db.owner_url, pool_size=2),
        auth=AuthSettings(jwt_secret=TEST_SECRET),
        **overrides,
    )


class GraphQLClient:
    def __init__(self, client: AsyncTestClient[Litestar]) -> None:
        self.http = client

    async def __call__(
        self, query: str, variables: dict[str, Any] | None = None, **headers: str
    ) -> dict[str, Any]:
        response = await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def data(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        body = await self(query, variables)
        assert "errors" not in body, body["errors"]
        data: dict[str, Any] = body["data"]
        return data

    @property
    def app(self) -> Litestar:
        return self.http.app


@pytest.fixture(scope="session")
async def gql(seeded_db: Database) -> AsyncIterator[GraphQLClient]:
    """GraphQL over HTTP against the shared, read-only seeded database."""
    async with AsyncTestClient(create_app(settings_for(seeded_db))) as client:
        yield GraphQLClient(client)


class QueryCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(gql: GraphQLClient) -> Iterator[QueryCounter]:
    """Counts SQL statements the app issues during a test (N+1 guard)."""
    counter = QueryCounter()
    engine = gql.app.state.engine.sync_engine

    def before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        counter.statements.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield counter
    finally:
        event.remove(engine, "before_cursor_execute", before)
