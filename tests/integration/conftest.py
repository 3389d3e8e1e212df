from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from tests.conftest import Database
from tests.support import GraphQLClient, QueryCounter, counting, graphql_client


@pytest.fixture(scope="session")
async def gql(seeded_db: Database) -> AsyncIterator[GraphQLClient]:
    """GraphQL over HTTP against the shared seeded database. Read-only tests only."""
    async with graphql_client(seeded_db) as client:
        yield client


@pytest.fixture
async def fresh_gql(fresh_db: Database) -> AsyncIterator[GraphQLClient]:
    """GraphQL against a private seeded database, for tests that write."""
    async with graphql_client(fresh_db) as client:
        yield client


@pytest.fixture
def count_queries(gql: GraphQLClient) -> Iterator[QueryCounter]:
    """Counts SQL statements the app issues during a test (N+1 guard)."""
    with counting(gql.app) as counter:
        yield counter
