"""Hot lists answered by PostgreSQL: each node of a page built as JSON by the page's statement.

A page of 20 obligations through graphql-core costs ~0.6 ms of per-field execution and ~0.3 ms of
turning 21 rows of 25 columns into Python objects, three times what the statement costs. A node
type may declare a ``Projection``: how each of its fields reads as SQL over the row its list
selects (``id`` as the global id, a date as its ISO text, an enum as its GraphQL name, ``overdue``
as the same comparison the Python field makes). When a document selects, below a connection,
only fields its node type projects (with aliases, ``__typename``, fragments on the node's own
type), the list's resolver asks ``plan_connection`` for a plan, runs the same statement as
before (same scope, filters, keys and cursor) with ``json_build_object`` over those fields in
place of the columns, and returns the whole connection as an ``Answered`` value, which
``Execution`` passes through without visiting its fields. Anything else — a field without a
projection, a directive, a fragment on an interface, more than 50 fields in one object — takes
the ordinary path, with the same answer (``tests/integration/deadlines/test_projected_work.py``
compares the two over random selections and odd rows).

What PostGraphile does for every query, here only where a list is hot, so the rest of the API
keeps its ordinary resolvers and the projections stay few. ``XIETONG_GRAPHQL_PROJECTED_LISTS=0``
turns it off.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

import msgspec
from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLNamedType,
    GraphQLObjectType,
    InlineFragmentNode,
    SelectionSetNode,
    get_named_type,
)
from sqlalchemy import SQLColumnExpression, Text, case, cast, func, literal_column, type_coerce
from sqlalchemy.sql.elements import ColumnElement

from xietong.api.context import Info
from xietong.api.pagination import Page

MAX_FIELDS = 50
"""Fields one projected object may have: ``json_build_object`` takes at most 100 arguments."""

MAX_NODE_COLUMNS = 4
"""Differently shaped node selections one page may ask for (``nodes`` and ``edges { node }``,
aliases of them): each is a column of the statement."""

PLAN_CACHE_SIZE = 512

_NAME = re.compile(r"^[_A-Za-z][_0-9A-Za-z]*$")


@dataclass(frozen=True, slots=True)
class Projection:
    """How the fields of one GraphQL object type read as SQL over the row its list selects.

    A field is a SQL expression giving its JSON value exactly as the GraphQL field would (use
    ``global_id``, ``iso_date``, ``enum_name``), or the ``Projection`` of a non-null object it
    returns. ``params`` gives the values of the bind parameters the expressions use (the
    request's day, say), from the request's context."""

    type_name: str
    fields: Mapping[str, SQLColumnExpression[Any] | Projection]
    params: Callable[[Any], Mapping[str, Any]] | None = None


_PROJECTIONS: dict[str, Projection] = {}


def register(projection: Projection) -> Projection:
    """Declare ``projection`` for its type: every connection of that type may use it."""
    _PROJECTIONS[projection.type_name] = projection
    return projection


def quoted(text: str) -> ColumnElement[Any]:
    """A SQL string literal (our own names and values only, never input)."""
    return literal_column("'" + text.replace("'", "''") + "'")


def global_id(type_name: str, column: SQLColumnExpression[Any]) -> ColumnElement[Any]:
    """``to_global_id(type_name, uuid)`` in SQL: base64 of ``Type:uuid`` (PostgreSQL breaks
    base64 lines at 76 characters; the breaks are removed)."""
    text = func.convert_to(quoted(f"{type_name}:").op("||")(cast(column, Text)), quoted("UTF8"))
    return func.translate(func.encode(text, quoted("base64")), quoted("\n"), quoted(""))


def iso_date(column: SQLColumnExpression[Any]) -> ColumnElement[Any]:
    """A date as GraphQL's ``Date`` gives it (``date.isoformat()``); null stays null."""
    return func.to_char(column, quoted("YYYY-MM-DD"))


def enum_name(column: SQLColumnExpression[Any], enum: type[Enum]) -> ColumnElement[Any]:
    """A stored enum value (``text_enum``: the member's value) as its GraphQL name."""
    stored = type_coerce(column, Text)
    return case(*((stored == quoted(str(m.value)), quoted(m.name)) for m in enum))


class Answered:
    """A field's completed value, built by its resolver: ``Execution`` returns it as it is."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


# -- plans -----------------------------------------------------------------------------------

Part = tuple[str, str, Any]
"""One response key of a plan: (key, what, detail) — what is ``typename`` (detail: the name),
``nodes`` or ``node`` (detail: the node column), ``edges`` or ``pageInfo`` (detail: its parts),
or a field of those computed from the page (``cursor``, ``hasNextPage``, ``totalCount``…)."""


@dataclass(frozen=True, slots=True, eq=False)
class ConnectionPlan:
    """How to answer one connection field of one document from a page of JSON nodes."""

    columns: tuple[ColumnElement[Any], ...]
    """What the page's statement selects before its keys: one JSON object per node shape."""
    parts: tuple[Part, ...]
    projection: Projection
    needs_total: bool = False
    needs_previous: bool = False

    def params(self, context: Any) -> Mapping[str, Any]:
        bind = self.projection.params
        return bind(context) if bind is not None else {}

    async def answer(self, page: Page[Any]) -> Any:
        """The whole connection, completed (``Any``: the resolver's declared type is the
        connection's, which ``Execution`` never visits)."""
        rows = page.rows
        # Each node is JSON text, sent as it is (``msgspec.Raw``): never parsed, never encoded.
        nodes = [[msgspec.Raw(row[i]) for row in rows] for i in range(len(self.columns))]
        total = await page.total() if self.needs_total else None
        previous = await page.has_previous() if self.needs_previous else None
        known = {"hasNextPage": page.has_next, "hasPreviousPage": previous, "totalCount": total}
        return Answered(_build(self.parts, -1, nodes, page.cursors, known))


def _build(
    parts: Iterable[Part],
    position: int,
    nodes: list[list[msgspec.Raw]],
    cursors: Sequence[str],
    known: Mapping[str, Any],
) -> dict[str, Any]:
    """The answer for ``parts`` (of the edge at ``position``). A function of its own, not a
    closure calling itself: that would be a reference cycle holding the page until the cyclic
    collector ran."""
    out: dict[str, Any] = {}
    for key, what, detail in parts:
        if what == "typename":
            out[key] = detail
        elif what == "nodes":
            out[key] = nodes[detail]
        elif what == "edges":
            out[key] = [_build(detail, i, nodes, cursors, known) for i in range(len(cursors))]
        elif what == "node":
            out[key] = nodes[detail][position]
        elif what == "cursor":
            out[key] = cursors[position]
        elif what == "startCursor":  # encoded only when asked for (``_Cursors``)
            out[key] = cursors[0] if cursors else None
        elif what == "endCursor":
            out[key] = cursors[-1] if cursors else None
        elif what == "pageInfo":
            out[key] = _build(detail, -1, nodes, cursors, known)
        else:  # computed from the page
            out[key] = known[what]
    return out


_PLANS: dict[tuple[int, ...], tuple[Sequence[FieldNode], ConnectionPlan | None]] = {}


def plan_connection(info: Info) -> ConnectionPlan | None:
    """The plan for the connection field being resolved, or None for the ordinary path.

    Plans are kept per field of a cached document (its nodes stay the same objects while the
    document cache holds it); a plan never depends on variables, since any directive makes the
    field take the ordinary path."""
    if not info.context.settings.graphql.projected_lists:
        return None
    raw = info._raw_info
    nodes = raw.field_nodes
    key = tuple(map(id, nodes))
    cached = _PLANS.get(key)
    if cached is not None and all(a is b for a, b in zip(cached[0], nodes, strict=True)):
        return cached[1]
    found = _plan(get_named_type(raw.return_type), nodes, raw.fragments)
    if len(_PLANS) >= PLAN_CACHE_SIZE:
        _PLANS.clear()
    _PLANS[key] = (tuple(nodes), found)
    return found


_CONNECTION = frozenset({"__typename", "nodes", "edges", "pageInfo", "totalCount"})
_PAGE_INFO = frozenset({"hasNextPage", "hasPreviousPage", "startCursor", "endCursor"})


def _plan(
    connection: GraphQLNamedType,
    nodes: Sequence[FieldNode],
    fragments: Mapping[str, FragmentDefinitionNode],
) -> ConnectionPlan | None:
    if not isinstance(connection, GraphQLObjectType) or "nodes" not in connection.fields:
        return None
    node_type = get_named_type(connection.fields["nodes"].type)
    projection = _PROJECTIONS.get(node_type.name)
    if projection is None:
        return None
    columns: list[ColumnElement[Any]] = []

    def node_column(fields: list[FieldNode]) -> int | None:
        sql = _object(projection, fields, fragments)
        if sql is None or len(columns) >= MAX_NODE_COLUMNS:
            return None
        columns.append(sql)
        return len(columns) - 1

    wants: set[str] = set()

    def parts_of(
        owner: GraphQLNamedType, fields: list[FieldNode], allowed: Callable[[str], bool]
    ) -> tuple[Part, ...] | None:
        grouped = _collect(fields, owner.name, fragments)
        if grouped is None:
            return None
        parts: list[Part] = []
        for key, group in grouped.items():
            name = group[0].name.value
            if any(g.arguments for g in group) or not allowed(name):
                return None
            if name == "__typename":
                parts.append((key, "typename", owner.name))
                continue
            if name in ("nodes", "node"):
                index = node_column(group)
                if index is None:
                    return None
                parts.append((key, name, index))
            elif name in ("edges", "pageInfo"):
                assert isinstance(owner, GraphQLObjectType)
                inner = get_named_type(owner.fields[name].type)
                edge = name == "edges"
                sub = parts_of(
                    inner,
                    group,
                    (lambda n: n in ("__typename", "cursor", "node"))
                    if edge
                    else (lambda n: n == "__typename" or n in _PAGE_INFO),
                )
                if sub is None:
                    return None
                parts.append((key, name, sub))
            else:
                wants.add(name)
                parts.append((key, name, None))
        return tuple(parts)

    parts = parts_of(connection, list(nodes), lambda n: n in _CONNECTION)
    if parts is None:
        return None
    return ConnectionPlan(
        columns=tuple(cast(c, Text).label(f"projected_node_{i}") for i, c in enumerate(columns)),
        parts=parts,
        projection=projection,
        needs_total="totalCount" in wants,
        needs_previous="hasPreviousPage" in wants,
    )


def _object(
    projection: Projection,
    fields: list[FieldNode],
    fragments: Mapping[str, FragmentDefinitionNode],
) -> ColumnElement[Any] | None:
    """``json_build_object`` of the fields selected on ``projection``'s type, or None."""
    grouped = _collect(fields, projection.type_name, fragments)
    if grouped is None or not grouped or len(grouped) > MAX_FIELDS:
        return None
    arguments: list[SQLColumnExpression[Any]] = []
    for key, group in grouped.items():
        name = group[0].name.value
        if any(g.arguments for g in group):
            return None
        value: SQLColumnExpression[Any] | None
        if name == "__typename":
            value = quoted(projection.type_name)
        else:
            found = projection.fields.get(name)
            value = _object(found, group, fragments) if isinstance(found, Projection) else found
        if value is None:
            return None
        arguments += [quoted(key), value]
    return func.json_build_object(*arguments)


def _collect(
    fields: Sequence[FieldNode],
    type_name: str,
    fragments: Mapping[str, FragmentDefinitionNode],
) -> dict[str, list[FieldNode]] | None:
    """The selections below ``fields`` by response key, in the order GraphQL answers them:
    fragments on ``type_name`` itself expanded; None for anything that needs graphql-core (a
    directive, a fragment on another type, i.e. an interface)."""
    grouped: dict[str, list[FieldNode]] = {}

    def visit(selection_set: SelectionSetNode | None) -> bool:
        if selection_set is None:
            return False
        for selection in selection_set.selections:
            if selection.directives:
                return False
            if isinstance(selection, FieldNode):
                key = (selection.alias or selection.name).value
                if not _NAME.match(key):
                    return False
                grouped.setdefault(key, []).append(selection)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                if condition is not None and condition.name.value != type_name:
                    return False
                if not visit(selection.selection_set):
                    return False
            elif isinstance(selection, FragmentSpreadNode):
                fragment = fragments.get(selection.name.value)
                if (
                    fragment is None
                    or fragment.directives
                    or fragment.type_condition.name.value != type_name
                    or not visit(fragment.selection_set)
                ):
                    return False
            else:
                return False
        return True

    for node in fields:
        if not visit(node.selection_set):
            return None
    return grouped
