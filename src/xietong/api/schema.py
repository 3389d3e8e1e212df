"""The GraphQL schema kit: our ``Schema`` class and how any composition of roots is built.

Which contexts make up the API is decided at the top, in ``xietong.schema`` (the composition
root beside ``app.py``), so every import here points down.
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import structlog
from graphql import ExecutionResult as CoreResult
from graphql import GraphQLError, GraphQLObjectType, execute
from strawberry import Schema as StrawberrySchema
from strawberry.execution import optimized_is_awaitable
from strawberry.extensions import SchemaExtension
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.name_converter import NameConverter as StrawberryNameConverter
from strawberry.types.field import StrawberryField

from xietong.api.documents import Checked, DocumentCache, UsePreparedDocument
from xietong.api.errors import ErrorShaping, shape
from xietong.api.execution import Execution, mark_leaf
from xietong.api.scalars import SCALARS
from xietong.config import GraphQLSettings
from xietong.observability.graphql import MAX_LOGGED_NAME, OPERATION_STATE_KEY, GraphQLMetrics
from xietong.observability.metrics import Metrics


@dataclass(slots=True)
class Outcome:
    """What an executed operation gives the HTTP edge: ``data`` and coded ``errors``."""

    data: dict[str, Any] | None
    errors: list[GraphQLError]


class Schema(StrawberrySchema):
    documents: DocumentCache
    """Parsed and validated documents with the limits applied; the HTTP edge checks each request
    against it before opening a transaction, and execution reuses what it cached."""

    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        """Strawberry logs every error with its trace; expected ones are not news, and
        ``ErrorShaping`` already logs the unexpected ones with the request id."""

    async def run(
        self,
        checked: Checked,
        variables: Mapping[str, Any] | None,
        context: Any,
        *,
        metrics: Metrics | None = None,
        state: dict[str, Any] | None = None,
    ) -> Outcome:
        """Execute a checked operation (``DocumentCache.check`` found no error) on graphql-core
        directly, with what our three extensions do on strawberry's path, minus its per-request
        machinery (execution context, extension runners, middleware manager: ~0.4 ms).

        The document is the cached, validated one; graphql-core still coerces the variables
        (the check already refused any that do not fit). Errors are shaped as ``ErrorShaping``
        does; the operation is timed and counted as ``GraphQLMetrics`` does.
        """
        started = time.perf_counter()
        operation = checked.operation
        assert operation is not None
        assert checked.prepared.document is not None
        node = operation.node
        name = node.name.value if node.name else None
        if name:
            structlog.contextvars.bind_contextvars(operation=name[:MAX_LOGGED_NAME])
            if state is not None:
                state[OPERATION_STATE_KEY] = name[:MAX_LOGGED_NAME]
        result = execute(
            self._schema,
            checked.prepared.document,
            variable_values=dict(variables) if variables is not None else None,
            operation_name=name,
            context_value=context,
            is_awaitable=optimized_is_awaitable,  # type: ignore[arg-type]
            executor_class=self.execution_context_class,
        )
        if inspect.isawaitable(result):
            result = await result
        assert isinstance(result, CoreResult)
        request_id = getattr(context, "request_id", None)
        errors = [shape(error, request_id) for error in result.errors or ()]
        if metrics is not None:
            metrics.observe_operation(
                name=name,
                kind=node.operation.value,
                seconds=time.perf_counter() - started,
                error_codes=[str((e.extensions or {}).get("code", "UNKNOWN")) for e in errors],
            )
        return Outcome(result.data, errors)


class NameConverter(StrawberryNameConverter):
    """strawberry's, remembering each name it camel-cases: it converts every argument's name
    again on every call of a field (~2 µs an argument, a regular expression each)."""

    def __init__(self) -> None:
        super().__init__(auto_camel_case=True)
        self._names: dict[str, str] = {}

    def apply_naming_config(self, name: str) -> str:
        found = self._names.get(name)
        if found is None:
            found = self._names[name] = super().apply_naming_config(name)
        return found


def _direct(field: StrawberryField, info_class: type[Any]) -> Callable[..., Any] | None:
    """A resolver that calls a field method ``def f(self) -> T`` or ``def f(self, info) -> T``
    (sync or async) directly, without strawberry's per-field wrapper (argument conversion, the
    extension chain, an extra coroutine for async fields: ~10 µs a field, and ``myWork``'s page
    has 220); None for any field that takes arguments or has extensions (permissions)."""
    resolver = field.base_resolver
    if resolver is None or field.extensions or field.arguments or resolver.self_parameter is None:
        return None
    parameters = list(resolver.signature.parameters)
    info = resolver.info_parameter
    method: Callable[..., Any] = resolver.wrapped_func  # type: ignore[assignment]
    if len(parameters) == 1:

        def resolve(source: Any, _info: Any) -> Any:
            return method(source)

        resolve.plain = not resolver.is_async  # type: ignore[attr-defined]
        return resolve
    if len(parameters) == 2 and info is not None and parameters[1] == info.name:

        def resolve_with_info(source: Any, raw: Any) -> Any:
            return method(source, info_class(_raw_info=raw, _field=field))

        return resolve_with_info
    return None


def _attribute(field: StrawberryField) -> Callable[..., Any]:
    """A resolver reading a field without a resolver off its source, as strawberry's does."""
    read, name = field.default_resolver, field.python_name

    def resolve(source: Any, _info: Any) -> Any:
        return read(source, name)

    resolve.plain = True  # type: ignore[attr-defined]
    return resolve


def _direct_resolvers(schema: Schema) -> int:
    """Install ``_direct`` resolvers on every object type's plain fields, and let ``Execution``
    take its short path for the scalar ones that need no info; how many direct resolvers."""
    count = 0
    converter = schema.schema_converter
    for graphql_type in schema._schema.type_map.values():
        if not isinstance(graphql_type, GraphQLObjectType) or graphql_type.name.startswith("__"):
            continue
        for graphql_field in graphql_type.fields.values():
            definition = (graphql_field.extensions or {}).get("strawberry-definition")
            if not isinstance(definition, StrawberryField):
                continue
            if converter._get_field_exception_handlers(definition):
                continue  # strawberry turns this field's errors into results: keep its wrapper
            if definition.is_basic_field:
                mark_leaf(graphql_field, _attribute(definition))
                continue
            direct = _direct(definition, schema.config.info_class)
            if direct is not None:
                graphql_field.resolve = direct
                count += 1
                if getattr(direct, "plain", False):
                    mark_leaf(graphql_field, direct)
    return count


def build(query: type, mutation: type, settings: GraphQLSettings | None = None) -> Schema:
    settings = settings or GraphQLSettings()
    # Factories, not instances: strawberry builds fresh extensions for every request.
    # (The HTTP edge runs operations through ``Schema.run``, which does the same work.)
    extensions: list[Callable[[], SchemaExtension]] = [
        GraphQLMetrics,  # first: it exits last, so it sees the codes ErrorShaping gives
        ErrorShaping,
        # Parsing, limits (depth, aliases, tokens, cost), validation and introspection rules.
        lambda: UsePreparedDocument(schema.documents),
    ]
    schema = Schema(
        query=query,
        mutation=mutation,
        extensions=extensions,
        config=StrawberryConfig(name_converter=NameConverter(), scalar_map=SCALARS),
        execution_context_class=Execution,
    )
    schema.documents = DocumentCache(schema._schema, settings)
    _direct_resolvers(schema)
    return schema
