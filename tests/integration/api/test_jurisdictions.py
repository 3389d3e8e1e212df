from __future__ import annotations

from tests.support import GraphQLClient, QueryCounter


async def test_xuanen_answers_with_its_ancestors_root_first(gql: GraphQLClient) -> None:
    data = await gql.data('{ jurisdiction(code: "422825") { code name level ancestors { code } } }')
    assert data["jurisdiction"] == {
        "code": "422825",
        "name": "宣恩县",
        "level": "COUNTY",
        "ancestors": [{"code": "420000"}, {"code": "422800"}],
    }


async def test_parent_children_and_departments(gql: GraphQLClient) -> None:
    data = await gql.data(
        """{ jurisdiction(code: "422800") {
              name parent { code level } children { code name }
              departments { key kind industry jurisdiction { code } } } }"""
    )
    j = data["jurisdiction"]
    assert j["name"] == "恩施土家族苗族自治州"
    assert j["parent"] == {"code": "420000", "level": "PROVINCE"}
    assert {"code": "422825", "name": "宣恩县"} in j["children"]
    kinds = {d["kind"] for d in j["departments"]}
    assert {"SUPERVISION_OFFICE", "TRADING_CENTRE", "FINANCE", "POLICE"} <= kinds
    assert all(d["jurisdiction"]["code"] == "422800" for d in j["departments"])
    finance = next(d for d in j["departments"] if d["kind"] == "FINANCE")
    assert finance["industry"] == "PROCUREMENT"


async def test_province_has_no_parent_or_ancestors(gql: GraphQLClient) -> None:
    data = await gql.data(
        '{ jurisdiction(code: "530000") { name parent { code } ancestors { code } } }'
    )
    assert data["jurisdiction"] == {"name": "云南省", "parent": None, "ancestors": []}


async def test_unknown_code_is_null(gql: GraphQLClient) -> None:
    assert (await gql.data('{ jurisdiction(code: "110000") { code } }'))["jurisdiction"] is None


async def test_malformed_code_is_a_clear_error(gql: GraphQLClient) -> None:
    body = await gql('{ jurisdiction(code: "42282") { code } }')
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "six ASCII digits" in error["message"]
    assert "Traceback" not in str(body)


async def test_list_by_level_and_subtree(gql: GraphQLClient) -> None:
    data = await gql.data('{ jurisdictions(level: COUNTY, under: "410000") { code } }')
    assert [j["code"] for j in data["jurisdictions"]] == ["410522", "410581", "410721"]
    data = await gql.data('{ jurisdictions(under: "421300") { code name } }')
    assert data["jurisdictions"] == [{"code": "421303", "name": "曾都区"}]
    data = await gql.data("{ jurisdictions(level: PROVINCE) { code } }")
    assert [j["code"] for j in data["jurisdictions"]] == ["410000", "420000", "530000"]


async def test_history_starts_with_the_current_name(gql: GraphQLClient) -> None:
    data = await gql.data(
        '{ jurisdiction(code: "410581") { history { name parentCode validFrom validTo } } }'
    )
    assert data["jurisdiction"]["history"] == [
        {"name": "林州市", "parentCode": "410500", "validFrom": None, "validTo": None}
    ]


async def test_listing_a_province_is_not_n_plus_one(
    gql: GraphQLClient, count_queries: QueryCounter
) -> None:
    await gql.data(
        """{ jurisdictions(under: "420000") {
              code parent { code } ancestors { code } children { code }
              departments { name jurisdiction { name } } } }"""
    )
    # one for the list, then one batch per relation (parents, children, departments)
    assert count_queries.count <= 5, count_queries.statements
