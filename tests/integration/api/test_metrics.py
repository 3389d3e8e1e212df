"""``/metrics``: GraphQL operations by name, errors by code, the pool, the placeholders; and the
request log line naming the operation (never a token)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import pytest
import structlog
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.conftest import Database
from tests.support import bearer, settings_for
from xietong.app import create_app


def samples(exposition: str) -> dict[str, float]:
    """``name{labels}`` → value, from the text format."""
    found = {}
    for line in exposition.splitlines():
        if line and not line.startswith("#"):
            key, _, value = line.rpartition(" ")
            found[key] = float(value)
    return found


@pytest.fixture
async def client(seeded_db: Database) -> AsyncIterator[AsyncTestClient[Litestar]]:
    """An app of its own, so the counts below start at zero."""
    async with AsyncTestClient(create_app(settings_for(seeded_db))) as client:
        yield client


async def test_operations_errors_and_pool_are_exported(
    client: AsyncTestClient[Litestar],
) -> None:
    query = 'query JurisdictionCard { jurisdiction(code: "422825") { name } }'
    for _ in range(2):
        assert (await client.post("/graphql", json={"query": query})).status_code == 200
    await client.post("/graphql", json={"query": "{ jurisdiction(code: 1) { shoeSize } }"})

    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    values = samples(response.text)
    count = "xietong_graphql_operation_duration_seconds_count"
    assert values[count + '{operation="JurisdictionCard",type="query"}'] == 2
    assert (
        values[
            'xietong_graphql_errors_total{code="GRAPHQL_VALIDATION_FAILED",operation="anonymous"}'
        ]
        >= 1
    )
    assert values['xietong_http_requests_total{method="POST",route="/graphql",status="200"}'] == 3
    assert values["xietong_db_pool_size"] == 2  # settings_for: pool_size=2
    assert values["xietong_db_pool_checked_out"] == 0
    assert values["xietong_obligations_open"] == 0
    assert values["xietong_obligations_overdue"] == 0
    assert values["xietong_redis_up"] == 0  # settings_for configures no Redis
    assert "0 until the deadlines module fills it" in response.text


async def test_two_apps_in_one_process_keep_separate_registries(
    seeded_db: Database, client: AsyncTestClient[Litestar]
) -> None:
    async with AsyncTestClient(create_app(settings_for(seeded_db))) as other:
        await other.post("/graphql", json={"query": "query OnlyHere { jurisdictions { code } }"})
        assert "OnlyHere" in (await other.get("/metrics")).text
    assert "OnlyHere" not in (await client.get("/metrics")).text


async def test_operation_names_cannot_explode_the_label_set(
    client: AsyncTestClient[Litestar],
) -> None:
    for i in range(305):
        await client.post(
            "/graphql", json={"query": f'query Op{i} {{ jurisdiction(code: "1") {{ code }} }}'}
        )
    text = (await client.get("/metrics")).text
    assert 'operation="Op0"' in text
    assert 'operation="Op304"' not in text
    assert 'operation="other"' in text


async def test_the_request_line_names_the_operation_and_not_the_token(
    client: AsyncTestClient[Litestar], caplog: pytest.LogCaptureFixture
) -> None:
    # The request line is logged at INFO, whatever level an earlier test left the root at.
    caplog.set_level(logging.INFO, logger="xietong.http")
    query = 'query WhoIsXuanen { jurisdiction(code: "422825") { name } }'
    headers = bearer("xuanen.office")
    token = headers["authorization"].removeprefix("Bearer ")
    with structlog.testing.capture_logs() as logs:
        await client.post(
            "/graphql", json={"query": query}, headers={**headers, "x-request-id": "r-1"}
        )
        refused = await client.post(
            "/graphql", json={"query": query}, headers={"authorization": "Bearer SECRET-TOKEN"}
        )
    assert refused.status_code == 401
    line, refused_line = [entry for entry in logs if entry["event"] == "request"]
    assert line["operation"] == "WhoIsXuanen"
    assert line["status"] == 200
    assert (line["login"], line["jurisdiction"]) == ("xuanen.office", 422825)
    assert refused_line["status"] == 401
    assert token not in repr(logs)
    assert "SECRET-TOKEN" not in repr(logs)
    assert "宣恩" not in repr(logs)  # no response or request bodies either
