"""Clients see codes and clear messages, never stack traces or internals."""

from __future__ import annotations

import pytest

from tests.support import GraphQLClient
from xietong.jurisdictions import service


async def test_unexpected_errors_are_masked_with_the_request_id(
    gql: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(**_: object) -> None:
        raise RuntimeError("relation secret_table does not exist")

    monkeypatch.setattr(service, "list_jurisdictions", broken)
    response = await gql.http.post(
        "/graphql",
        json={"query": "{ jurisdictions { code } }"},
        headers={"x-request-id": "req-42"},
    )
    body = response.json()
    (error,) = body["errors"]
    assert error["extensions"] == {"code": "INTERNAL_ERROR", "requestId": "req-42"}
    assert "secret_table" not in response.text
    assert "Traceback" not in response.text


async def test_invalid_queries_carry_a_code(gql: GraphQLClient) -> None:
    body = await gql('{ jurisdiction(code: "422825") { shoeSize } }')
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "shoeSize" in error["message"]


async def test_depth_is_limited_as_documented(gql: GraphQLClient) -> None:
    """max_depth 10: ten fields from the root to the leaf pass, eleven do not."""

    def nested(levels: int) -> str:
        return (
            '{ jurisdiction(code: "422825") { '
            + "parent { " * (levels - 2)
            + "code"
            + (" }" * (levels - 2))
            + " } }"
        )

    assert "errors" not in await gql(nested(10))
    body = await gql(nested(11))
    (error,) = body["errors"]
    assert error["extensions"] == {
        "code": "QUERY_TOO_COSTLY",
        "limit": "depth",
        "value": 11,
        "max": 10,
    }
    assert (
        error["message"]
        == "查询嵌套过深：深度 11，上限 10（query depth 11 exceeds the limit of 10）"
    )


async def test_aliases_are_limited(gql: GraphQLClient) -> None:
    aliases = " ".join(f'a{i}: jurisdiction(code: "422825") {{ code }}' for i in range(40))
    body = await gql(f"{{ {aliases} }}")
    assert body["errors"][0]["extensions"]["limit"] == "aliases"
    assert body["errors"][0]["message"].startswith("别名过多")
