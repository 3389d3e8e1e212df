"""A static cost limit: how many objects an operation could touch, refused before it runs.

Every field costs 1 for each parent object it is resolved on. A connection multiplies what is
below it by its ``first`` (default 20; a variable counts as the maximum, 100); a plain list, all of
which are bounded reference lists (children, departments, roles), counts as 10. Depth, alias and
token limits come from strawberry; this rule bounds breadth.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLList,
    GraphQLNamedType,
    GraphQLObjectType,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
    get_named_type,
    get_nullable_type,
)

from xietong.api.pagination import DEFAULT_FIRST, MAX_FIRST

LIST_FACTOR = 10


def cost_rule(max_cost: int) -> type[ValidationRule]:
    class CostLimit(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            self.fragments = {
                d.name.value: d
                for d in context.document.definitions
                if isinstance(d, FragmentDefinitionNode)
            }

        def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
            schema = self.context.schema
            root = schema.get_root_type(node.operation)
            if root is None:
                return
            cost = self._selection_cost(node.selection_set, root, 1, set())
            if cost > max_cost:
                self.report_error(
                    GraphQLError(
                        f"查询过大：估计涉及 {cost} 个对象，上限 {max_cost}；请减小 first 或分页"
                        f"（query cost {cost} exceeds {max_cost}）",
                        node,
                        extensions={"code": "QUERY_TOO_COSTLY", "cost": cost, "maxCost": max_cost},
                    )
                )

        def _selection_cost(
            self,
            selection_set: SelectionSetNode | None,
            parent: GraphQLNamedType,
            multiplier: int,
            seen: set[str],
        ) -> int:
            if selection_set is None or not isinstance(parent, GraphQLObjectType):
                return 0
            total = 0
            for selection in selection_set.selections:
                if isinstance(selection, FieldNode):
                    total += self._field_cost(selection, parent, multiplier, seen)
                elif isinstance(selection, InlineFragmentNode):
                    target = parent
                    if selection.type_condition is not None:
                        found = self.context.schema.get_type(selection.type_condition.name.value)
                        target = found if isinstance(found, GraphQLObjectType) else parent
                    total += self._selection_cost(selection.selection_set, target, multiplier, seen)
                elif isinstance(selection, FragmentSpreadNode):
                    name = selection.name.value
                    fragment = self.fragments.get(name)
                    if fragment is None or name in seen:
                        continue
                    found = self.context.schema.get_type(fragment.type_condition.name.value)
                    target = found if isinstance(found, GraphQLObjectType) else parent
                    total += self._selection_cost(
                        fragment.selection_set, target, multiplier, seen | {name}
                    )
            return total

        def _field_cost(
            self, node: FieldNode, parent: GraphQLObjectType, multiplier: int, seen: set[str]
        ) -> int:
            definition = parent.fields.get(node.name.value)
            if definition is None:
                return multiplier  # unknown fields are reported by the standard rules
            named = get_named_type(definition.type)
            factor = 1
            if named.name.endswith("Connection"):
                factor = self._first(node)
            elif parent.name.endswith("Connection"):
                factor = 1  # a page's nodes: already counted by the connection's `first`
            elif isinstance(get_nullable_type(definition.type), GraphQLList):
                factor = LIST_FACTOR
            return multiplier + self._selection_cost(
                node.selection_set, named, multiplier * factor, seen
            )

        @staticmethod
        def _first(node: FieldNode) -> int:
            for argument in node.arguments or ():
                if argument.name.value != "first":
                    continue
                if isinstance(argument.value, IntValueNode):
                    return max(1, min(int(argument.value.value), MAX_FIRST))
                return MAX_FIRST  # a variable: assume the most it may be
            return DEFAULT_FIRST

    return CostLimit
