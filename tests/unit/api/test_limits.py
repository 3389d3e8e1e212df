"""Depth, aliases and cost, measured in one pass however fragments are spread."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import OperationDefinitionNode, parse
from hypothesis import given, settings
from hypothesis import strategies as st

from xietong.api import limits
from xietong.schema import build_schema

SCHEMA = build_schema()._schema


def measure(query: str, variables: dict[str, Any] | None = None) -> limits.Measures:
    document = parse(query)
    (operation,) = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    return limits.measure(SCHEMA, document, operation, variables)


def nested(levels: int) -> str:
    """An operation of exactly ``levels`` fields from the root to the leaf."""
    return (
        '{ jurisdiction(code: "422825") { '
        + "parent { " * (levels - 2)
        + "name"
        + " }" * (levels - 2)
        + " } }"
    )


@pytest.mark.parametrize("levels", [2, 3, 10, 11, 40])
def test_depth_counts_the_fields_from_the_root_to_the_leaf(levels: int) -> None:
    assert measure(nested(levels)).depth == levels


def test_the_documented_examples() -> None:
    assert measure('{ jurisdiction(code: "422825") { name } }').depth == 2
    assert measure('{ jurisdiction(code: "422825") { parent { parent { name } } } }').depth == 4
    assert measure("{ jurisdictions { code } }").depth == 2


def test_fragments_count_where_they_are_spread() -> None:
    query = """{ jurisdiction(code: "422825") { ...Up } }
               fragment Up on Jurisdiction { parent { ... on Jurisdiction { parent { name } } } }"""
    assert measure(query).depth == 4
    assert measure(query.replace("...Up", "code ...Up")).depth == 4


def test_introspection_adds_no_depth() -> None:
    assert measure("{ __schema { types { fields { type { ofType { name } } } } } }").depth == 0
    assert measure('{ __typename jurisdiction(code: "1") { __typename } }').depth == 1


def test_aliases_are_counted_per_spread() -> None:
    query = """{ a: jurisdiction(code: "1") { ...F } b: jurisdiction(code: "2") { ...F } }
               fragment F on Jurisdiction { x: code y: name }"""
    assert measure(query).aliases == 2 + 2 * 2


def test_cost_multiplies_by_first_and_lists() -> None:
    # people 1, then 20 people: nodes 20, login 20, roles 20, and 10 roles each: role 200
    assert measure("{ people { nodes { login roles { role } } } }").cost == 1 + 20 * 3 + 200
    assert measure("{ people(first: 3) { totalCount } }").cost == 1 + 3


def test_a_variable_first_counts_as_100_until_its_value_is_known() -> None:
    query = "query($n: Int) { people(first: $n) { nodes { login } } }"
    bound = measure(query)
    assert (bound.cost, bound.cost_uses_variables) == (1 + 2 * 100, True)
    assert measure(query, {"n": 5}).cost == 1 + 2 * 5
    assert measure(query, {"n": None}).cost == 1 + 2 * 20  # null: the default page
    assert measure(query, {}).cost == 1 + 2 * 20


def test_a_huge_first_literal_is_never_converted() -> None:
    assert measure("{ people(first: %s) { totalCount } }" % ("9" * 5000)).cost == 1 + 100


def fragment_bomb(levels: int, leaf: str = "__typename") -> str:
    return (
        "query{...F0}"
        + "".join(f"fragment F{i} on Query{{...F{i + 1} ...F{i + 1}}}" for i in range(levels))
        + f"fragment F{levels} on Query{{{leaf}}}"
    )


def test_the_fragment_bomb_is_measured_as_its_expansion_without_expanding_it() -> None:
    assert measure(fragment_bomb(20)).cost == 2**20
    # 2^300 selections: only arithmetic on fragments can finish this; the measure saturates.
    assert measure(fragment_bomb(300)).cost == limits.CAP
    assert measure(fragment_bomb(300, 'jurisdiction(code: "1") { parent { name } }')).depth == 3


def test_cycles_and_unknown_fragments_add_nothing() -> None:
    cyclic = """{ ...A } fragment A on Query { me { login } ...B }
                fragment B on Query { ...A jurisdictions { code } }"""
    found = measure(cyclic)
    assert (found.depth, found.cost) == (2, 2 + 1 + 10)
    assert measure("{ ...Missing __typename }").cost == 1


# A property: for any fragments spread any number of times, the one-pass measures equal those of
# the same operation with every spread replaced by the fragment's body (the naive expansion).

FIELDS = ["code", "name", "parent", "children", "ancestors"]


@st.composite
def fragment_dags(draw: st.DrawFn) -> tuple[str, str]:
    """(document with fragments, the same with every spread inlined)."""
    count = draw(st.integers(1, 5))
    bodies: list[str] = [""] * count

    def selections(index: int, depth: int) -> str:
        parts = []
        for _ in range(draw(st.integers(1, 3))):
            kind = draw(st.sampled_from(["leaf", "object", "spread"]))
            alias = draw(st.sampled_from(["", "", "a: ", "b: "]))
            if kind == "spread" and index + 1 < count:
                parts.append(f"...F{draw(st.integers(index + 1, count - 1))}")
            elif kind == "object" and depth < 3:
                field = draw(st.sampled_from(FIELDS[2:]))
                parts.append(f"{alias}{field} {{ {selections(index, depth + 1)} }}")
            else:
                parts.append(f"{alias}{draw(st.sampled_from(FIELDS[:2]))}")
        return " ".join(parts)

    for index in reversed(range(count)):
        bodies[index] = selections(index, 0)
    root = '{ jurisdiction(code: "422825") { ...F0 } }'
    fragments = " ".join(f"fragment F{i} on Jurisdiction {{ {b} }}" for i, b in enumerate(bodies))

    expanded = [""] * count
    for index in reversed(range(count)):  # spreads point only to later fragments
        body = bodies[index]
        for later in range(index + 1, count):
            body = body.replace(f"...F{later}", "... on Jurisdiction { " + expanded[later] + " }")
        expanded[index] = body

    return f"{root} {fragments}", root.replace(
        "...F0", "... on Jurisdiction { " + expanded[0] + " }"
    )


@settings(max_examples=150, deadline=None)
@given(fragment_dags())
def test_one_pass_equals_the_naive_expansion(documents: tuple[str, str]) -> None:
    with_fragments, expanded = documents
    assert measure(with_fragments) == measure(expanded)
