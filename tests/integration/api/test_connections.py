"""Lists follow the Relay connection specification, so Relay-style clients can page them."""

from __future__ import annotations

from typing import Any

from tests.support import GraphQLClient, counting, error_codes

PAGE = """query($after: String) {
  people(under: "420000", first: 50, after: $after) {
    edges { cursor node { login } }
    nodes { login }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}"""


async def _page(gql: GraphQLClient, after: str | None) -> dict[str, Any]:
    data = await gql.data(PAGE, {"after": after}, login="hubei.office")
    page: dict[str, Any] = data["people"]
    return page


async def test_edges_cursors_and_page_info_walk_the_list(gql: GraphQLClient) -> None:
    seen: list[str] = []
    after = None
    pages = 0
    while True:
        page = await _page(gql, after)
        edges, info = page["edges"], page["pageInfo"]
        assert [e["node"] for e in edges] == page["nodes"]
        assert info["startCursor"] == edges[0]["cursor"]
        assert info["endCursor"] == edges[-1]["cursor"]
        assert info["hasPreviousPage"] is (pages > 0)
        seen += [e["node"]["login"] for e in edges]
        pages += 1
        if not info["hasNextPage"]:
            break
        after = info["endCursor"]
    assert pages == 3
    assert len(seen) == len(set(seen)) == 126

    # Any edge's cursor continues right after that edge.
    first = await _page(gql, None)
    middle = first["edges"][9]
    rest = await _page(gql, middle["cursor"])
    assert rest["edges"][0]["node"] == first["edges"][10]["node"]


async def test_an_empty_page_has_no_cursors(gql: GraphQLClient) -> None:
    data = await gql.data(
        '{ apiKeys(under: "422825") { edges { cursor } totalCount '
        "pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }",
        login="xuanen.office",
    )
    assert data["apiKeys"] == {
        "edges": [],
        "totalCount": 0,
        "pageInfo": {
            "hasNextPage": False,
            "hasPreviousPage": False,
            "startCursor": None,
            "endCursor": None,
        },
    }


async def test_total_count_and_has_previous_page_cost_a_query_only_when_asked(
    gql: GraphQLClient,
) -> None:
    base = '{ people(under: "420000", first: 5%s) { edges { node { login } } %s } }'
    cursor = (await _page(gql, None))["pageInfo"]["endCursor"]
    counts = {}
    for name, extra in {
        "plain": ("", ""),
        "total": ("", "totalCount"),
        "previous": (f', after: "{cursor}"', "pageInfo { hasPreviousPage }"),
        "plain after": (f', after: "{cursor}"', ""),
    }.items():
        with counting(gql.app) as counter:
            await gql.data(base % extra, login="hubei.office")
        counts[name] = counter.count
    assert counts["total"] == counts["plain"] + 1
    assert counts["previous"] == counts["plain after"] + 1


async def test_edges_cost_what_nodes_cost(gql: GraphQLClient) -> None:
    """The cost limit counts a page's items once, whichever way they are selected."""
    inner = "roles { jurisdiction { children { departments { powers { code } } } } }"
    costs = []
    for shape in (f"nodes {{ {inner} }}", f"edges {{ cursor node {{ {inner} }} }}"):
        body = await gql(f"{{ people(first: 100) {{ {shape} }} }}", login="hubei.office")
        assert error_codes(body) == ["QUERY_TOO_COSTLY"]
        costs.append(body["errors"][0]["extensions"]["cost"])
    assert costs[1] <= costs[0] + 2 * 100  # + an edge and its cursor per item, not a factor
