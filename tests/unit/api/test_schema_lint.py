"""The exported schema, held to what integrators' tools expect.

CI also runs the standard linter, ``graphql-schema-linter`` (npm), with the rules configured in
``.ci/package.json``; ``make test`` must work on a machine with only Python, so this test applies
the same rules to ``graphql/schema.graphql`` itself, and a few stricter ones the linter lacks
(edge types, cursors, ``totalCount``). Both read the rule list from ``.ci/package.json``, so they
cannot drift apart: a rule configured there without a check here fails this test.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    build_schema,
    get_named_type,
    is_specified_scalar_type,
)

from tests.conftest import ROOT
from xietong.paths import schema_file

DEFAULT_DEPRECATION = "No longer supported"

Rule = Callable[[GraphQLSchema], Iterator[str]]


def _types(schema: GraphQLSchema) -> Iterator[tuple[str, GraphQLNamedType]]:
    for name, gtype in sorted(schema.type_map.items()):
        if not name.startswith("__") and not is_specified_scalar_type(gtype):
            yield name, gtype


def _fields(schema: GraphQLSchema) -> Iterator[tuple[str, GraphQLField]]:
    for name, gtype in _types(schema):
        if isinstance(gtype, GraphQLObjectType | GraphQLInterfaceType):
            for fname, field in gtype.fields.items():
                yield f"{name}.{fname}", field


def types_have_descriptions(schema: GraphQLSchema) -> Iterator[str]:
    for name, gtype in _types(schema):
        if not gtype.description:
            yield f"type {name} has no description"


def fields_have_descriptions(schema: GraphQLSchema) -> Iterator[str]:
    for path, field in _fields(schema):
        if not field.description:
            yield f"field {path} has no description"


def arguments_have_descriptions(schema: GraphQLSchema) -> Iterator[str]:
    for path, field in _fields(schema):
        for arg, definition in field.args.items():
            if not definition.description:
                yield f"argument {path}({arg}) has no description"


def enum_values_have_descriptions(schema: GraphQLSchema) -> Iterator[str]:
    for name, gtype in _types(schema):
        if isinstance(gtype, GraphQLEnumType):
            for value, definition in gtype.values.items():
                if not definition.description:
                    yield f"enum value {name}.{value} has no description"


def input_object_values_have_descriptions(schema: GraphQLSchema) -> Iterator[str]:
    for name, gtype in _types(schema):
        if isinstance(gtype, GraphQLInputObjectType):
            for fname, field in gtype.fields.items():
                if not field.description:
                    yield f"input field {name}.{fname} has no description"


def deprecations_have_a_reason(schema: GraphQLSchema) -> Iterator[str]:
    for path, field in _fields(schema):
        if field.deprecation_reason in ("", DEFAULT_DEPRECATION):
            yield f"field {path} is deprecated without a reason"
    for name, gtype in _types(schema):
        if isinstance(gtype, GraphQLEnumType):
            for value, definition in gtype.values.items():
                if definition.deprecation_reason in ("", DEFAULT_DEPRECATION):
                    yield f"enum value {name}.{value} is deprecated without a reason"


def _is(field_type: object, text: str) -> bool:
    return str(field_type) == text


def relay_connection_types_spec(schema: GraphQLSchema) -> Iterator[str]:
    """Relay: a *Connection is an object with `edges: [XEdge]` and `pageInfo: PageInfo!`; each
    edge has `node` and `cursor: String!`. Ours also: `nodes` matches the edges' nodes and
    `totalCount` is `Int!`, when present."""
    for name, gtype in _types(schema):
        if not name.endswith("Connection"):
            continue
        if not isinstance(gtype, GraphQLObjectType):
            yield f"{name} ends in Connection but is not an object type"
            continue
        fields = gtype.fields
        if "pageInfo" not in fields or not _is(fields["pageInfo"].type, "PageInfo!"):
            yield f"{name}.pageInfo must be PageInfo!"
        edges = fields.get("edges")
        if edges is None:
            yield f"{name} has no edges"
            continue
        edges_type = edges.type.of_type if isinstance(edges.type, GraphQLNonNull) else edges.type
        if not isinstance(edges_type, GraphQLList):
            yield f"{name}.edges must be a list, not {edges.type}"
            continue
        edge = get_named_type(edges_type)
        if not isinstance(edge, GraphQLObjectType) or not edge.name.endswith("Edge"):
            yield f"{name}.edges must list an object type named …Edge, not {edge}"
            continue
        if "node" not in edge.fields:
            yield f"{edge.name} has no node"
        if "cursor" not in edge.fields or not _is(edge.fields["cursor"].type, "String!"):
            yield f"{edge.name}.cursor must be String!"
        if "nodes" in fields and "node" in edge.fields:
            node = get_named_type(edge.fields["node"].type)
            if get_named_type(fields["nodes"].type) is not node:
                yield f"{name}.nodes lists another type than {edge.name}.node"
        if "totalCount" in fields and not _is(fields["totalCount"].type, "Int!"):
            yield f"{name}.totalCount must be Int!"


def relay_connection_arguments_spec(schema: GraphQLSchema) -> Iterator[str]:
    """Relay: a field returning a connection takes `first: Int` and `after: String` (forward
    paging) and/or `last: Int` and `before: String` (backward)."""
    for path, field in _fields(schema):
        if not get_named_type(field.type).name.endswith("Connection"):
            continue
        args = field.args
        forward = "first" in args and "after" in args
        backward = "last" in args and "before" in args
        if not (forward or backward):
            yield f"{path} returns a connection without first/after or last/before"
        for count in ("first", "last"):
            if count in args and get_named_type(args[count].type).name != "Int":
                yield f"{path}({count}) must be an Int"
        for cursor in ("after", "before"):
            if cursor in args and not _is(args[cursor].type, "String"):
                yield f"{path}({cursor}) must be a nullable String (a cursor)"


def relay_page_info_spec(schema: GraphQLSchema) -> Iterator[str]:
    """Relay: `PageInfo { hasPreviousPage: Boolean! hasNextPage: Boolean! startCursor: String
    endCursor: String }`."""
    page_info = schema.get_type("PageInfo")
    if not isinstance(page_info, GraphQLObjectType):
        yield "there is no PageInfo object type"
        return
    wanted = {
        "hasPreviousPage": "Boolean!",
        "hasNextPage": "Boolean!",
        "startCursor": "String",
        "endCursor": "String",
    }
    for fname, ftype in wanted.items():
        field = page_info.fields.get(fname)
        if field is None or not _is(field.type, ftype):
            yield f"PageInfo.{fname} must be {ftype}"


RULES: dict[str, Rule] = {
    "types-have-descriptions": types_have_descriptions,
    "fields-have-descriptions": fields_have_descriptions,
    "arguments-have-descriptions": arguments_have_descriptions,
    "enum-values-have-descriptions": enum_values_have_descriptions,
    "input-object-values-have-descriptions": input_object_values_have_descriptions,
    "deprecations-have-a-reason": deprecations_have_a_reason,
    "relay-connection-types-spec": relay_connection_types_spec,
    "relay-connection-arguments-spec": relay_connection_arguments_spec,
    "relay-page-info-spec": relay_page_info_spec,
}


def configured_rules() -> list[str]:
    config = json.loads((ROOT / ".ci" / "package.json").read_text(encoding="utf-8"))
    rules: list[str] = config["graphql-schema-linter"]["rules"]
    return rules


def test_every_rule_ci_lints_with_is_checked_here() -> None:
    assert sorted(configured_rules()) == sorted(RULES)


@pytest.mark.parametrize("rule", sorted(RULES))
def test_the_exported_schema_keeps_the_rule(rule: str) -> None:
    schema = build_schema(schema_file().read_text(encoding="utf-8"))
    assert list(RULES[rule](schema)) == []


BAD = '''
"""Has one."""
type Query {
  "Listed."
  people(n: Int): PersonConnection!
  """Old."""
  old: String @deprecated
}
type Person { name: String }
"""A page."""
type PersonConnection { nodes: [Person!]! pageInfo: PageInfo! totalCount: Int }
"""Pages."""
type PageInfo { hasNextPage: Boolean! endCursor: String }
"""Levels."""
enum Level { PROVINCE }
"""Input."""
input PersonInput { name: String }
'''


@pytest.mark.parametrize("rule", sorted(RULES))
def test_each_rule_finds_what_it_is_about(rule: str) -> None:
    """The checks are not vacuous: each one catches its problem in a schema that has it."""
    assert list(RULES[rule](build_schema(BAD)))
