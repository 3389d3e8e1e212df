"""GraphQL over HTTP: every answer from /graphql is a GraphQL response with a code, with the
status the GraphQL-over-HTTP specification gives it (its audit list, graphql/graphql-http, is the
checklist for the matrix below), and a refused request costs no database work."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from tests.conftest import Database
from tests.support import GraphQLClient, counting, graphql_client
from xietong.config import GraphQLSettings

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
TYPENAME = {"query": "{ __typename }"}


async def post(
    gql: GraphQLClient,
    body: object = None,
    *,
    content: bytes | None = None,
    accept: str | None = JSON,
    content_type: str | None = JSON,
) -> httpx.Response:
    headers = {}
    if accept is not None:
        headers["accept"] = accept
    if content_type is not None:
        headers["content-type"] = content_type
    if content is None and body is not None:
        content = json.dumps(body).encode()
    return await gql.http.post("/graphql", content=content or b"", headers=headers)


def refused(response: httpx.Response, code: str = "BAD_USER_INPUT") -> dict[str, Any]:
    """A GraphQL response without data: coded, bilingual, no internals."""
    assert response.headers["content-type"].split(";")[0] in (JSON, GRAPHQL_RESPONSE)
    assert response.headers["content-type"].endswith("charset=utf-8")
    body: dict[str, Any] = response.json()
    assert "data" not in body, body
    assert [e["extensions"]["code"] for e in body["errors"]] == [code] * len(body["errors"])
    for error in body["errors"]:
        assert any("\u4e00" <= c <= "\u9fff" for c in error["message"]), error
        assert "（" in error["message"]
    assert "Traceback" not in response.text
    return body


REQUEST_ERRORS = {
    # name: (body as sent, expected code)
    "missing query": ({"notquery": "{ __typename }"}, "BAD_USER_INPUT"),
    "object query": ({"query": {"obj": "ect"}}, "BAD_USER_INPUT"),
    "number query": ({"query": 0}, "BAD_USER_INPUT"),
    "boolean query": ({"query": False}, "BAD_USER_INPUT"),
    "array query": ({"query": ["array"]}, "BAD_USER_INPUT"),
    "object operationName": ({**TYPENAME, "operationName": {"obj": "ect"}}, "BAD_USER_INPUT"),
    "number operationName": ({**TYPENAME, "operationName": 0}, "BAD_USER_INPUT"),
    "array operationName": ({**TYPENAME, "operationName": ["a"]}, "BAD_USER_INPUT"),
    "string variables": ({**TYPENAME, "variables": "string"}, "BAD_USER_INPUT"),
    "number variables": ({**TYPENAME, "variables": 0}, "BAD_USER_INPUT"),
    "array variables": ({**TYPENAME, "variables": ["a"]}, "BAD_USER_INPUT"),
    "string extensions": ({**TYPENAME, "extensions": "string"}, "BAD_USER_INPUT"),
    "array extensions": ({**TYPENAME, "extensions": ["a"]}, "BAD_USER_INPUT"),
    "not JSON": (b'{ "not a JSON', "BAD_USER_INPUT"),
    "the string x": (b'"x"', "BAD_USER_INPUT"),
    "null": (b"null", "BAD_USER_INPUT"),
    "empty body": (b"", "BAD_USER_INPUT"),
    "invalid UTF-8": (b'{"query": "\xff\xfe"}', "BAD_USER_INPUT"),
    "100,000-deep JSON": (b"[" * 100_000 + b"]" * 100_000, "BAD_USER_INPUT"),
    "100,000-deep variables": (
        b'{"query": "{ __typename }", "variables": {"a": '
        + b"[" * 100_000
        + b"]" * 100_000
        + b"}}",
        "BAD_USER_INPUT",
    ),
    "5,000-digit number": (
        b'{"query": "{ __typename }", "variables": {"n": ' + b"9" * 5000 + b"}}",
        "BAD_USER_INPUT",
    ),
    "parse failure": ({"query": "{"}, "GRAPHQL_PARSE_FAILED"),
    "validation failure": ({"query": "{ shoeSize }"}, "GRAPHQL_VALIDATION_FAILED"),
    "missing variable": (
        {
            "query": "query($c: JurisdictionCode!) { jurisdiction(code: $c) { code } }",
            "variables": {},
        },
        "BAD_USER_INPUT",
    ),
    "null for non-null": (
        {
            "query": "query($c: JurisdictionCode!) { jurisdiction(code: $c) { code } }",
            "variables": {"c": None},
        },
        "BAD_USER_INPUT",
    ),
    "wrong type": (
        {
            "query": "query($c: JurisdictionCode!) { jurisdiction(code: $c) { code } }",
            "variables": {"c": [1]},
        },
        "BAD_USER_INPUT",
    ),
    "unknown enum value": (
        {
            "query": "query($l: JurisdictionLevel) { jurisdictions(level: $l) { code } }",
            "variables": {"l": "X"},
        },
        "BAD_USER_INPUT",
    ),
    "5,000-digit first": (
        {"query": "{ people(first: %s) { totalCount } }" % ("9" * 5000)},
        "GRAPHQL_VALIDATION_FAILED",
    ),
    "unknown operation": ({**TYPENAME, "operationName": "Nope"}, "BAD_USER_INPUT"),
    "too deep": (
        {
            "query": '{ jurisdiction(code: "422825") { '
            + "parent { " * 11
            + "code"
            + " }" * 11
            + " } }"
        },
        "QUERY_TOO_COSTLY",
    ),
}


@pytest.mark.parametrize("case", sorted(REQUEST_ERRORS))
@pytest.mark.parametrize(("accept", "status"), [(JSON, 200), (GRAPHQL_RESPONSE, 400)])
async def test_a_request_that_cannot_run_is_a_coded_error_without_data(
    gql: GraphQLClient, case: str, accept: str, status: int
) -> None:
    sent, code = REQUEST_ERRORS[case]
    with counting(gql.app) as statements:
        if isinstance(sent, bytes):
            response = await post(gql, content=sent, accept=accept)
        else:
            response = await post(gql, sent, accept=accept)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(accept)
    refused(response, code)
    assert statements.count == 0  # refused before a connection was taken


@pytest.mark.parametrize("accept", [None, "*/*", JSON, "application/*", "text/html, */*;q=0.8"])
async def test_application_json_unless_the_client_asks_for_graphql_response_json(
    gql: GraphQLClient, accept: str | None
) -> None:
    response = await post(gql, TYPENAME, accept=accept)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    assert response.json() == {"data": {"__typename": "Query"}}


@pytest.mark.parametrize(
    "accept",
    [
        GRAPHQL_RESPONSE,
        f"{GRAPHQL_RESPONSE}, {JSON}",
        f"{JSON}, {GRAPHQL_RESPONSE}",
        f"{JSON};q=0.5, {GRAPHQL_RESPONSE}",
    ],
)
async def test_graphql_response_json_when_accepted(gql: GraphQLClient, accept: str) -> None:
    response = await post(gql, TYPENAME, accept=accept)
    assert response.status_code == 200
    assert response.headers["content-type"] == f"{GRAPHQL_RESPONSE}; charset=utf-8"


async def test_an_accept_naming_neither_type_is_406(gql: GraphQLClient) -> None:
    response = await post(gql, TYPENAME, accept="text/plain")
    assert response.status_code == 406
    refused(response)
    response = await post(gql, TYPENAME, accept=f"{JSON};q=0, {GRAPHQL_RESPONSE};q=0")
    assert response.status_code == 406


@pytest.mark.parametrize(
    "content_type",
    [
        None,
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data",
        "application/json; charset=latin-1",
        "application/graphql",
    ],
)
async def test_a_body_that_is_not_utf8_json_is_415(
    gql: GraphQLClient, content_type: str | None
) -> None:
    response = await post(gql, TYPENAME, content_type=content_type)
    assert response.status_code == 415
    refused(response)


async def test_utf8_json_with_a_charset_is_fine(gql: GraphQLClient) -> None:
    response = await post(gql, TYPENAME, content_type="application/json; charset=UTF-8")
    assert response.json() == {"data": {"__typename": "Query"}}


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
async def test_other_methods_are_405_in_graphql_shape(gql: GraphQLClient, method: str) -> None:
    response = await gql.http.request(method, "/graphql", json=TYPENAME)
    assert response.status_code == 405
    assert "POST" in response.headers["allow"]
    refused(response)


async def test_get_runs_queries_but_not_mutations(gql: GraphQLClient) -> None:
    response = await gql.http.get(
        "/graphql",
        params={
            "query": "query($c: JurisdictionCode!) { jurisdiction(code: $c) { name } }",
            "variables": json.dumps({"c": "422825"}),
        },
    )
    assert response.json() == {"data": {"jurisdiction": {"name": "宣恩县"}}}
    response = await gql.http.get(
        "/graphql",
        params={"query": 'mutation { apiKeyRevoke(input: {id: "x"}) { errors { code } } }'},
        headers={"accept": GRAPHQL_RESPONSE},
    )
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    refused(response)
    response = await gql.http.get("/graphql", params={**TYPENAME, "variables": "{oops"})
    refused(response)
    response = await gql.http.get("/graphql", headers={"accept": JSON})
    refused(response)  # no query and not a browser


async def test_a_body_over_the_limit_is_413(seeded_db: Database) -> None:
    async with graphql_client(seeded_db, graphql=GraphQLSettings(max_body_bytes=10_000)) as gql:
        response = await post(gql, {"query": "{ __typename }", "variables": {"x": "y" * 20_000}})
    assert response.status_code == 413
    refused(response)


async def test_a_9_mb_input_is_never_echoed_back(seeded_db: Database) -> None:
    huge = "4" * 9_000_000
    settings = GraphQLSettings(max_body_bytes=16_000_000)
    async with graphql_client(seeded_db, graphql=settings) as gql:
        for variables in ({"c": huge}, {"c": 4}, {"c": [huge]}):
            response = await post(
                gql,
                {
                    "query": "query($c: JurisdictionCode!) { jurisdiction(code: $c) { code } }",
                    "variables": variables,
                },
            )
            assert len(response.content) < 2_000, len(response.content)
            assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        literal = await post(
            gql, {"query": '{ jurisdiction(code: "%s") { code } }' % ("4" * 60_000)}
        )
        assert len(literal.content) < 2_000
        assert literal.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_lone_surrogates_and_nul_never_break_the_answer(gql: GraphQLClient) -> None:
    """What the edge itself decodes; values reaching resolvers are the input rules' business."""
    variables = b'{"query": "query($c: JurisdictionCode!) { jurisdiction(code: $c) { code } }", '
    response = await post(gql, content=variables + b'"variables": {"c": "\\ud800"}}')
    refused(response)
    for query in ['{ jurisdiction(code: "\\ud800") { code } }', "{ __typename \u0000 }"]:
        response = await post(gql, {"query": query})
        refused(response, "GRAPHQL_PARSE_FAILED")
        response.content.decode("utf-8")  # always valid UTF-8


async def test_the_fragment_bomb_is_refused_without_touching_the_database(
    gql: GraphQLClient,
) -> None:
    bomb = (
        "query{...F0}"
        + "".join(f"fragment F{i} on Query{{...F{i + 1} ...F{i + 1}}}" for i in range(20))
        + "fragment F20 on Query{__typename}"
    )
    with counting(gql.app) as statements:
        response = await post(gql, {"query": bomb})
    (error,) = refused(response, "QUERY_TOO_COSTLY")["errors"]
    assert error["extensions"]["cost"] == 2**20
    assert statements.count == 0
    assert (await gql.http.get("/health/live")).status_code == 200


async def test_unauthenticated_is_401_in_graphql_shape(gql: GraphQLClient) -> None:
    response = await gql.http.post(
        "/graphql", json=TYPENAME, headers={"authorization": "Bearer nonsense"}
    )
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    refused(response, "UNAUTHENTICATED")


async def test_the_policy_not_loaded_yet_is_503(gql: GraphQLClient) -> None:
    authorizer = gql.app.state.authorizer
    gql.app.state.authorizer = None
    try:
        response = await post(gql, TYPENAME)
    finally:
        gql.app.state.authorizer = authorizer
    assert response.status_code == 503
    assert response.headers["retry-after"]
    refused(response, "SERVICE_UNAVAILABLE")


async def test_an_unexpected_failure_outside_resolvers_is_500_with_the_request_id_only(
    gql: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from xietong.api import http

    def broken(*_: object) -> None:
        raise RuntimeError("relation secret_table does not exist")

    monkeypatch.setattr(http, "_transaction", broken)
    response = await gql.http.post("/graphql", json=TYPENAME, headers={"x-request-id": "req-7"})
    assert response.status_code == 500
    (error,) = refused(response, "INTERNAL_ERROR")["errors"]
    assert error["extensions"]["requestId"] == "req-7"
    assert "secret_table" not in response.text


async def test_refusals_are_counted_in_the_metrics(seeded_db: Database) -> None:
    async with graphql_client(seeded_db) as gql:
        await post(gql, {"query": "query Broken { shoeSize }"})
        await post(gql, content=b"null")
        text = (await gql.http.get("/metrics")).text
    assert (
        'xietong_graphql_errors_total{code="GRAPHQL_VALIDATION_FAILED",operation="Broken"} 1.0'
        in text
    )
    assert 'xietong_graphql_errors_total{code="BAD_USER_INPUT",operation="anonymous"} 1.0' in text


async def test_a_document_sent_again_is_neither_parsed_nor_validated_again(
    seeded_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    from xietong.api import documents

    parsed: list[str] = []
    parse = documents.parse

    def counting_parse(source: str, **kwargs: Any) -> Any:
        parsed.append(source)
        return parse(source, **kwargs)

    monkeypatch.setattr(documents, "parse", counting_parse)
    query = "query Card($c: JurisdictionCode!) { jurisdiction(code: $c) { name } }"
    async with graphql_client(seeded_db) as gql:
        for code, name in [("422825", "宣恩县"), ("420000", "湖北省"), ("422825", "宣恩县")]:
            assert (await gql.data(query, {"c": code})) == {"jurisdiction": {"name": name}}
        assert (await gql(query, {}))["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        info = gql.app.state.schema.documents.cache_info()
    assert parsed == [query]  # once, for four requests with different variables
    assert info.misses == 1
    assert info.hits >= 3  # the edge's checks; execution looks the document up again


async def test_graphiql_for_a_browser_only_where_it_is_on(seeded_db: Database) -> None:
    html = {"accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    async with graphql_client(seeded_db) as gql:
        page = await gql.http.get("/graphql", headers=html)
        assert page.headers["content-type"].startswith("text/html")
        assert "graphiql" in page.text.lower()
    closed = GraphQLSettings(graphiql=False, introspection=False)
    async with graphql_client(seeded_db, graphql=closed) as gql:
        refused(await gql.http.get("/graphql", headers=html))  # no page; a coded answer
