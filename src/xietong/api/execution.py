"""Field execution with a short path for plain leaf fields.

A page of 20 nodes resolves 100–200 fields, most of them scalars read off a row (``id``,
``status``, ``due``). graphql-core gives each the full treatment: a resolve-info object of 16
entries, the argument check, the five-way type dispatch of ``complete_value``. For a field whose
resolver needs none of that — no arguments, no info, no extensions, not async, a scalar or enum
result — ``Execution`` calls the resolver and coerces the value itself, and hands anything
unusual (null where null is not allowed, an exception, an awaitable, a value the scalar refuses)
back to graphql-core, which resolves it again and reports it exactly as before. Such resolvers
read an attribute or compute from the row only, so resolving twice changes nothing.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from graphql import (
    GraphQLField,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfoHelpers,
    is_leaf_type,
)
from graphql.execution.collect_fields import FieldDetailsList
from graphql.pyutils import Path, Undefined
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from xietong.api.projection import Answered

LEAF = "xietong_leaf"
"""The attribute of a ``GraphQLField`` holding its ``Leaf`` plan (set by ``mark_leaf``)."""


@dataclass(frozen=True, slots=True)
class Leaf:
    resolve: Callable[[Any, Any], Any]
    """Called as ``resolve(source, None)``: it must not read its info."""
    coerce: Callable[[Any], Any]
    non_null: bool


def mark_leaf(field: GraphQLField, resolve: Callable[[Any, Any], Any]) -> bool:
    """Let ``Execution`` resolve ``field`` on the short path with ``resolve`` (a plain
    resolver that ignores its info: see the module's docstring); whether the field qualifies."""
    if field.args:
        return False
    output: GraphQLOutputType = field.type
    non_null = isinstance(output, GraphQLNonNull)
    named = output.of_type if isinstance(output, GraphQLNonNull) else output
    if not is_leaf_type(named):
        return False
    setattr(field, LEAF, Leaf(resolve, named.coerce_output_value, non_null))
    return True


class Execution(StrawberryGraphQLCoreExecutionContext):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # graphql-core keeps its own bound methods in ``async_helpers``: a reference cycle that
        # holds the execution, and through it the request's context, session and rows, until
        # the cyclic collector runs (half the garbage a signed-in request left it). The helpers
        # are only called while the execution runs, so a weak reference serves them.
        me = weakref.ref(self)

        def gather(values: Any) -> Any:
            return cast(Execution, me()).gather_async_work(values)

        def track(values: Any) -> None:
            cast(Execution, me()).track_async_work(values)

        self.async_helpers = GraphQLResolveInfoHelpers(gather=gather, track=track)

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: FieldDetailsList,
        path: Path,
        position_context: Any,
    ) -> Any:
        node = field_details_list[0].node
        field = parent_type.fields.get(node.name.value)
        leaf: Leaf | None = getattr(field, LEAF, None)
        if leaf is not None and not node.arguments and self.middleware_manager is None:
            try:
                result = leaf.resolve(source, None)
                if result is None:
                    if not leaf.non_null:
                        return None
                elif not isinstance(result, Exception) and not self.is_awaitable(result):
                    value = leaf.coerce(result)
                    if value is not None and value is not Undefined:
                        return value
                else:
                    close = getattr(result, "close", None)
                    if close is not None:
                        close()  # a coroutine nobody will await
            except Exception:
                pass  # graphql-core resolves it again and reports it
        return super().execute_field(
            parent_type, source, field_details_list, path, position_context
        )

    def complete_value(
        self,
        return_type: GraphQLOutputType,
        field_details_list: FieldDetailsList,
        info: Any,
        path: Path,
        result: Any,
        position_context: Any,
    ) -> Any:
        # A resolver that built its field's whole answer (``api.projection``): nothing to visit.
        if type(result) is Answered:
            return result.value
        return super().complete_value(
            return_type, field_details_list, info, path, result, position_context
        )
