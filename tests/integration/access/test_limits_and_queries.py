"""Endpoint defaults (cost, first ≤ 100) and the number of SQL statements list resolvers issue."""

from __future__ import annotations

from tests.support import GraphQLClient, counting, error_codes


async def test_first_is_capped_at_100(gql: GraphQLClient) -> None:
    body = await gql("{ people(first: 101) { totalCount } }", login="hubei.office")
    assert error_codes(body) == ["BAD_USER_INPUT"]
    body = await gql(
        "query($n: Int) { people(first: $n) { totalCount } }", {"n": 0}, login="hubei.office"
    )
    assert error_codes(body) == ["BAD_USER_INPUT"]


async def test_a_costly_query_is_refused_before_it_runs(gql: GraphQLClient) -> None:
    query = """{ people(first: 100) { nodes { roles { jurisdiction { children {
                 departments { powers { code } } } } } } } }"""
    with counting(gql.app) as counter:
        body = await gql(query, login="hubei.office")
    assert error_codes(body) == ["QUERY_TOO_COSTLY"]
    assert body["errors"][0]["extensions"]["cost"] > body["errors"][0]["extensions"]["maxCost"]
    # only authentication and the scope were touched: the query itself never ran
    assert counter.count <= 3, counter.statements


async def test_paging_walks_the_whole_list_once(gql: GraphQLClient) -> None:
    seen: list[str] = []
    after = None
    while True:
        page = (
            await gql.data(
                'query($a: String) { people(under: "420000", first: 40, after: $a) { totalCount '
                "nodes { login } pageInfo { hasNextPage endCursor } } }",
                {"a": after},
                login="hubei.office",
            )
        )["people"]
        seen += [n["login"] for n in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)) == page["totalCount"] == 126
    body = await gql('{ people(after: "garbage") { totalCount } }', login="hubei.office")
    assert error_codes(body) == ["BAD_USER_INPUT"]


async def test_listing_people_with_relations_is_not_n_plus_one(gql: GraphQLClient) -> None:
    query = """{ people(under: "420000", first: 100) { nodes { login department { name }
                 jurisdiction { name } roles { role jurisdiction { code } }
                 officer { speciality department { name } } } } }"""
    with counting(gql.app) as counter:
        await gql.data(query, login="hubei.office")
    # auth + scope, count, page, then one batch per relation (departments, jurisdictions,
    # roles, officers) however many people are listed
    assert counter.count <= 10, counter.statements


async def test_officer_pool_with_people_is_not_n_plus_one(gql: GraphQLClient) -> None:
    query = """{ officerPool(jurisdiction: "420000", first: 100) { nodes { speciality
                 person { name roles { role } } department { name } jurisdiction { code } } } }"""
    with counting(gql.app) as counter:
        data = await gql.data(query, login="hubei.office")
    assert len(data["officerPool"]["nodes"]) == 100
    assert counter.count <= 10, counter.statements
