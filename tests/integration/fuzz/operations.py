"""Every place a client can put a value, read from the exported schema, and requests built there.

A *target* is one argument of one Query or Mutation field, or one field of an input-object
argument. A request puts a probe value at the target, as a variable or written inline, and fills
every other required position with a valid value (``Baseline``) so the probe is what gets judged.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    Undefined,
    build_schema,
    get_named_type,
    is_non_null_type,
)

from xietong.paths import schema_file

SCHEMA: GraphQLSchema = build_schema(schema_file().read_text(encoding="utf-8"))


class Missing:
    """Leave the position out (a required variable not sent, a required argument not written)."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING = Missing()


@dataclass(frozen=True)
class Raw:
    """A literal sent exactly as written, in the document or in the JSON body (e.g. a number of
    5,000 digits, which neither Python's ``json`` nor ``int`` will produce)."""

    text: str


@dataclass(frozen=True)
class Target:
    operation: str  # "query" or "mutation"
    field: str
    path: tuple[str, ...]  # ("under",) or ("input", "reason")
    type: GraphQLInputType

    @property
    def id(self) -> str:
        return f"{self.field}.{'.'.join(self.path)}"

    @property
    def named(self) -> str:
        return get_named_type(self.type).name


def targets(schema: GraphQLSchema = SCHEMA) -> list[Target]:
    found: list[Target] = []
    for operation, root in (("query", schema.query_type), ("mutation", schema.mutation_type)):
        assert isinstance(root, GraphQLObjectType)
        for name, fld in root.fields.items():
            for arg_name, arg in fld.args.items():
                found.append(Target(operation, name, (arg_name,), arg.type))
                inner = get_named_type(arg.type)
                if isinstance(inner, GraphQLInputObjectType):
                    found += [
                        Target(operation, name, (arg_name, f), spec.type)
                        for f, spec in inner.fields.items()
                    ]
    return found


@dataclass
class Baseline:
    """Valid values: by target id first, then by type name."""

    by_target: dict[str, Any]
    by_type: dict[str, Any]

    def value(self, target_id: str, gtype: GraphQLInputType) -> Any:
        if target_id in self.by_target:
            return self.by_target[target_id]
        nullable = gtype.of_type if isinstance(gtype, GraphQLNonNull) else gtype
        if isinstance(nullable, GraphQLList):
            return [self.value(target_id + "[]", nullable.of_type)]
        named = get_named_type(gtype)
        if isinstance(named, GraphQLEnumType):
            return Enum(next(iter(named.values)))
        if isinstance(named, GraphQLInputObjectType):
            return {
                name: self.value(f"{target_id}.{name}", spec.type)
                for name, spec in named.fields.items()
                if is_non_null_type(spec.type) and spec.default_value is Undefined
            }
        return self.by_type[named.name]


@dataclass
class Request:
    document: str
    body: str  # the JSON text sent
    target: Target
    form: str  # "variables" or "inline"
    value: Any = field(repr=False)


def build(target: Target, value: Any, form: str, baseline: Baseline, selection: str) -> Request:
    """The operation with ``value`` at ``target`` and valid values everywhere else it needs."""
    root = SCHEMA.query_type if target.operation == "query" else SCHEMA.mutation_type
    assert root is not None
    fld = root.fields[target.field]
    args: dict[str, Any] = {}
    for name, arg in fld.args.items():
        if is_non_null_type(arg.type) or name == target.path[0]:
            args[name] = baseline.value(f"{target.field}.{name}", arg.type)
    _place(args, target.path, _Slot())
    variables: dict[str, Any] = {}
    declaration = ""
    literal = ", ".join(
        f"{name}: {_literal(v, value, form)}"
        for name, v in args.items()
        if not (isinstance(v, _Slot) and form == "inline" and value is MISSING)
    )
    if form == "variables":
        declaration = f"($v: {target.type})"
        if value is not MISSING:
            variables["v"] = value
    head = f"{target.operation}{declaration}"
    document = f"{head} {{ {target.field}{f'({literal})' if literal else ''} {selection} }}"
    return Request(document, _json_body(document, variables), target, form, value)


class _Slot:
    """Where the probe goes."""


def _place(args: dict[str, Any], path: tuple[str, ...], slot: _Slot) -> None:
    if len(path) == 1:
        args[path[0]] = slot
        return
    inner = args.setdefault(path[0], {})
    if not isinstance(inner, dict):  # the argument itself was given a non-object baseline
        inner = args[path[0]] = {}
    inner[path[1]] = slot


def _literal(value: Any, probe: Any, form: str) -> str:
    """A GraphQL literal; the slot becomes ``$v`` or the probe written inline."""
    if isinstance(value, _Slot):
        return "$v" if form == "variables" else _literal(probe, probe, form)
    if isinstance(value, Raw):
        return value.text
    if isinstance(value, Enum):
        return value.name
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value) if isinstance(value, float) else str(value)
    if isinstance(value, str):
        return json.dumps(value)  # GraphQL's string escapes are JSON's
    if isinstance(value, list):
        return "[" + ", ".join(_literal(v, probe, form) for v in value) + "]"
    if isinstance(value, dict):
        inner = ", ".join(
            f"{k}: {_literal(v, probe, form)}"
            for k, v in value.items()
            if not (isinstance(v, _Slot) and form == "inline" and probe is MISSING)
        )
        return "{" + inner + "}"
    raise TypeError(value)


@dataclass(frozen=True)
class Enum:
    """An enum value written bare inline (``READ``); sent as its name in variables."""

    name: str


def jsonable(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.name
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    return value


def _json_body(document: str, variables: dict[str, Any]) -> str:
    """The request body; ``Raw`` values are spliced in as written."""
    raws: dict[str, str] = {}

    def encode(value: Any) -> Any:
        if isinstance(value, Raw):
            key = f"@@raw{len(raws)}@@"
            raws[key] = value.text
            return key
        if isinstance(value, list):
            return [encode(v) for v in value]
        if isinstance(value, dict):
            return {k: encode(v) for k, v in value.items()}
        return jsonable(value)

    text = json.dumps({"query": document, "variables": encode(variables)})
    for key, raw in raws.items():
        text = text.replace(json.dumps(key), raw)
    return text


def selection_for(target: Target) -> str:
    """The cheapest selection that still runs the resolver."""
    root = SCHEMA.query_type if target.operation == "query" else SCHEMA.mutation_type
    assert root is not None
    named = get_named_type(root.fields[target.field].type)
    if isinstance(named, GraphQLObjectType):
        if "errors" in named.fields:
            return "{ __typename errors { field code message } }"
        if "totalCount" in named.fields:
            return "{ totalCount }"
        return "{ __typename }"
    return ""


def iter_targets(operation: str | None = None) -> Iterator[Target]:
    return (t for t in targets() if operation is None or t.operation == operation)
