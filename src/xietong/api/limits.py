"""What one operation may ask for, measured before anything runs, in time linear in the document.

A naive walk expands fragments where they are spread: ``query { ...F0 }`` with ``fragment Fi on
Query { ...Fi+1 ...Fi+1 }`` is 20 short lines and 2^20 selections. Here every operation and
fragment is walked once, without recursion; a fragment's measures are combined into each spread
of it with arithmetic, so a spread costs one multiplication however large the fragment is. The
numbers are those of the expanded operation (capped at ``CAP``), so a limit refuses the bomb above
before any rule that expands fragments (graphql-core's own, or execution) ever sees it.

The three measures, per operation:

**Depth** is the number of fields on the longest path from the operation's root to a leaf,
counting both: ``{ jurisdiction(code: "422825") { name } }`` has depth 2, and
``{ jurisdiction(code: "422825") { parent { parent { name } } } }`` depth 4. Fragments and inline
fragments are not fields: their fields count where they are spread. Introspection (``__schema``,
``__type``, ``__typename`` and everything below them) is not counted: the schema bounds it, and
the cost below still applies. ``max_depth`` 10 accepts depth 10 and refuses depth 11.

**Aliases** is the number of aliased fields, a fragment's counted once per spread.

**Cost** is how many objects the operation could touch. Every field costs 1 for each parent
object it is resolved on. A connection multiplies what is below it by its ``first`` (default 20,
at most 100); the fields of a connection itself (its page) are not multiplied again; any other list
counts as 10 (all are bounded reference lists: children, departments, roles), except
introspection lists, which the schema bounds (1). A ``first`` given as a variable counts as 100
until the request's variables are known; then as its value.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    get_nullable_type,
)
from graphql.type.introspection import SchemaMetaFieldDef, TypeMetaFieldDef

from xietong.api.errors import coded_error
from xietong.api.pagination import DEFAULT_FIRST, MAX_FIRST

LIST_FACTOR = 10
CAP = 2**53 - 1
"""Measures saturate here (the largest integer a JavaScript client reads exactly)."""

LIMIT_CODE = "QUERY_TOO_COSTLY"

_Composite = GraphQLObjectType | GraphQLInterfaceType


@dataclass(frozen=True, slots=True)
class Measures:
    depth: int
    aliases: int
    cost: int
    cost_uses_variables: bool
    """Whether ``cost`` assumed the maximum for a ``first`` given as a variable."""


@dataclass(slots=True)
class _Spread:
    name: str
    multiplier: int
    depth: int
    counts_depth: bool


@dataclass(slots=True)
class _Local:
    """One definition's own selections, with its spreads left as references."""

    depth: int = 0
    aliases: int = 0
    cost: int = 0
    uses_variables: bool = False
    spreads: list[_Spread] = field(default_factory=list)


def _cap(value: int) -> int:
    return value if value < CAP else CAP


def _composite(schema: GraphQLSchema, name: str | None) -> _Composite | None:
    found = schema.get_type(name) if name else None
    return found if isinstance(found, _Composite) else None


class _Walker:
    def __init__(self, schema: GraphQLSchema, variables: Mapping[str, Any] | None) -> None:
        self.schema = schema
        self.variables = variables  # None: before the request's variables are known

    def first(self, node: FieldNode) -> tuple[int, bool]:
        """The page size a connection field asks for, and whether a variable gives it."""
        for argument in node.arguments or ():
            if argument.name.value != "first":
                continue
            value = argument.value
            if isinstance(value, IntValueNode):
                digits = value.value.lstrip("-")
                if value.value.startswith("-"):
                    return 1, False
                # A 5,000-digit literal is refused by validation; never convert it here.
                return (
                    MAX_FIRST if len(digits) > 6 else max(1, min(int(digits), MAX_FIRST))
                ), False
            if isinstance(value, VariableNode):
                if self.variables is None:
                    return MAX_FIRST, True
                given = self.variables.get(value.name.value)
                if given is None:
                    return DEFAULT_FIRST, True
                if isinstance(given, int) and not isinstance(given, bool):
                    return max(1, min(given, MAX_FIRST)), True
            return MAX_FIRST, False
        return DEFAULT_FIRST, False

    def local(self, selection_set: SelectionSetNode, parent: _Composite | None) -> _Local:
        found = _Local()
        stack: list[tuple[SelectionSetNode, _Composite | None, int, int, bool]] = [
            (selection_set, parent, 1, 0, True)
        ]
        while stack:
            selections, parent_type, multiplier, depth, counts_depth = stack.pop()
            for selection in selections.selections:
                if isinstance(selection, FieldNode):
                    self._field(
                        selection, parent_type, multiplier, depth, counts_depth, found, stack
                    )
                elif isinstance(selection, InlineFragmentNode):
                    condition = selection.type_condition
                    target = _composite(self.schema, condition.name.value) if condition else None
                    stack.append(
                        (
                            selection.selection_set,
                            target or (None if condition else parent_type),
                            multiplier,
                            depth,
                            counts_depth,
                        )
                    )
                elif isinstance(selection, FragmentSpreadNode):
                    found.spreads.append(
                        _Spread(selection.name.value, multiplier, depth, counts_depth)
                    )
        return found

    def _field(
        self,
        node: FieldNode,
        parent: _Composite | None,
        multiplier: int,
        depth: int,
        counts_depth: bool,
        found: _Local,
        stack: list[tuple[SelectionSetNode, _Composite | None, int, int, bool]],
    ) -> None:
        name = node.name.value
        if node.alias is not None:
            found.aliases += 1
        found.cost = _cap(found.cost + multiplier)
        introspection = name.startswith("__")
        if counts_depth and not introspection:
            depth += 1
            found.depth = max(found.depth, depth)
        if node.selection_set is None:
            return
        definition: GraphQLField | None
        if name == "__schema":
            definition = SchemaMetaFieldDef
        elif name == "__type":
            definition = TypeMetaFieldDef
        else:
            definition = parent.fields.get(name) if parent is not None else None
        if definition is None:
            return  # unknown fields are reported by validation
        named: GraphQLNamedType = get_named_type(definition.type)
        factor = 1
        if named.name.endswith("Connection"):
            factor, uses_variables = self.first(node)
            found.uses_variables |= uses_variables
        elif parent is not None and parent.name.endswith("Connection"):
            factor = 1  # a page's items: already counted by the connection's `first`
        elif isinstance(get_nullable_type(definition.type), GraphQLList):
            factor = 1 if named.name.startswith("__") else LIST_FACTOR
        target = named if isinstance(named, _Composite) else None
        stack.append(
            (
                node.selection_set,
                target,
                _cap(multiplier * factor),
                depth,
                counts_depth and not introspection,
            )
        )


def measure(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables: Mapping[str, Any] | None = None,
) -> Measures:
    """The operation's measures; ``variables=None`` gives the upper bound before they are known."""
    walker = _Walker(schema, variables)
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    locals_: dict[str, _Local] = {}
    totals: dict[str, Measures] = {}

    def local_of(name: str) -> _Local:
        if name not in locals_:
            fragment = fragments[name]
            target = _composite(schema, fragment.type_condition.name.value)
            locals_[name] = walker.local(fragment.selection_set, target)
        return locals_[name]

    def combine(own: _Local) -> Measures:
        depth, aliases, cost, uses = own.depth, own.aliases, own.cost, own.uses_variables
        for spread in own.spreads:
            total = totals.get(spread.name)
            if total is None:
                continue  # unknown, or closing a cycle: validation reports both
            if spread.counts_depth and total.depth:
                depth = max(depth, spread.depth + total.depth)
            aliases = _cap(aliases + total.aliases)
            cost = _cap(cost + spread.multiplier * total.cost)
            uses |= total.cost_uses_variables
        return Measures(depth=depth, aliases=aliases, cost=cost, cost_uses_variables=uses)

    # Depth-first over the spreads without recursion, so that a fragment is totalled after
    # every fragment it spreads (a spread that closes a cycle adds nothing).
    def total(name: str) -> None:
        path = [(name, iter(local_of(name).spreads))]
        on_path = {name}
        while path:
            current, spreads = path[-1]
            for spread in spreads:
                child = spread.name
                if child in fragments and child not in totals and child not in on_path:
                    path.append((child, iter(local_of(child).spreads)))
                    on_path.add(child)
                    break
            else:
                path.pop()
                on_path.discard(current)
                totals[current] = combine(local_of(current))

    root = walker.local(operation.selection_set, schema.get_root_type(operation.operation))
    for spread in root.spreads:
        if spread.name in fragments and spread.name not in totals:
            total(spread.name)
    return combine(root)


@dataclass(frozen=True, slots=True)
class Limits:
    max_depth: int
    max_aliases: int
    max_cost: int


def static_errors(
    measures: Measures, limits: Limits, operation: OperationDefinitionNode
) -> list[GraphQLError]:
    """Depth and alias limits; the cost limit too when no variable can lower the cost."""
    errors = []
    if measures.depth > limits.max_depth:
        errors.append(
            coded_error(
                f"查询嵌套过深：深度 {measures.depth}，上限 {limits.max_depth}"
                f"（query depth {measures.depth} exceeds the limit of {limits.max_depth}）",
                LIMIT_CODE,
                nodes=[operation],
                limit="depth",
                value=measures.depth,
                max=limits.max_depth,
            )
        )
    if measures.aliases > limits.max_aliases:
        errors.append(
            coded_error(
                f"别名过多：{measures.aliases} 个，上限 {limits.max_aliases}"
                f"（{measures.aliases} aliases exceed the limit of {limits.max_aliases}）",
                LIMIT_CODE,
                nodes=[operation],
                limit="aliases",
                value=measures.aliases,
                max=limits.max_aliases,
            )
        )
    if not measures.cost_uses_variables:
        errors += cost_errors(measures, limits, operation)
    return errors


def cost_errors(
    measures: Measures, limits: Limits, operation: OperationDefinitionNode
) -> list[GraphQLError]:
    if measures.cost <= limits.max_cost:
        return []
    cost = measures.cost
    return [
        coded_error(
            f"查询过大：估计涉及 {cost} 个对象，上限 {limits.max_cost}；请减小 first 或分页"
            f"（query cost {cost} exceeds {limits.max_cost}）",
            LIMIT_CODE,
            nodes=[operation],
            limit="cost",
            cost=cost,
            maxCost=limits.max_cost,
        )
    ]
