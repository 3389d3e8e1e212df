from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date

import pytest

from tests.conftest import Database
from tests.support import GraphQLClient, graphql_client
from xietong.deadlines.clock import ManualClock

START = date(2026, 9, 21)  # a Monday, a week before National Day


@pytest.fixture
async def clock() -> ManualClock:
    return ManualClock.on(START)


@pytest.fixture
async def egql(fresh_db: Database, clock: ManualClock) -> AsyncIterator[GraphQLClient]:
    """GraphQL on a private database, the application reading ``clock``."""
    async with graphql_client(fresh_db) as client:
        client.app.state.clock = clock
        yield client
