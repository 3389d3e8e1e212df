"""Parsed and validated documents, cached by their text, and the checks each request adds.

``DocumentCache.prepare`` turns a document's text into its syntax tree and every error that does
not depend on the request: the token limit (while parsing), the depth, alias and cost limits
(``xietong.api.limits``, linear in the document, before any standard rule runs) and graphql-core's
validation. The result is kept in an LRU keyed by the text, bounded in entries and in tokens (so
in memory), and the same operation sent again costs one dictionary lookup.

``DocumentCache.check`` adds what depends on the request: which operation to run, its variables
coerced to their declared types (``BAD_USER_INPUT`` when they do not fit), and the cost limit
again when a ``first`` given as a variable decides it. The HTTP edge calls it before opening a
database transaction; ``UsePreparedDocument`` makes strawberry's execution reuse the cached tree.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLError,
    GraphQLSchema,
    GraphQLSyntaxError,
    NonNullTypeNode,
    OperationDefinitionNode,
    OperationType,
    VariableDefinitionNode,
    parse,
    validate,
)
from graphql.execution.values import get_variable_values
from graphql.validation import ASTValidationRule, NoSchemaIntrospectionCustomRule, specified_rules
from strawberry.extensions import SchemaExtension
from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule
from strawberry.schema.validation_rules.one_of import OneOfInputValidationRule

from xietong.api import limits
from xietong.api.errors import (
    BAD_USER_INPUT,
    bounded,
    coded_by_a_scalar,
    coded_error,
    value_problem,
    variable_error,
)
from xietong.config import GraphQLSettings

MAX_DOCUMENT_CHARS = 64 * 1024
"""Longer documents are refused before parsing. The token limit bounds what a document says;
this bounds comments and white space, which are not tokens, and what the cache keeps."""

MAX_CACHED_TOKENS = 100_000
"""The cache's second bound, besides its number of entries: the tokens of the documents it keeps.
A parsed document takes about 750 bytes per token, so this caps the cache near 75 MB even when
every document sent is a different one at the token limit; ordinary documents (a few hundred
tokens) fill the entries first."""

MAX_VARIABLE_ERRORS = 20
"""Coercion stops after this many problems (a list of 10,000 bad values gives 20 errors)."""

PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"


@dataclass(frozen=True, slots=True)
class PreparedOperation:
    node: OperationDefinitionNode
    measures: limits.Measures
    """Upper bounds, with every ``first`` given as a variable at its maximum."""
    needs_database: bool = True
    """False for a query that asks only for ``__typename`` and the schema (``__schema``,
    ``__type``): it runs without a transaction (``api.context``)."""


_META_FIELDS = frozenset({"__typename", "__schema", "__type"})


def _needs_database(definition: OperationDefinitionNode) -> bool:
    if definition.operation is not OperationType.QUERY:
        return True
    return not all(
        isinstance(selection, FieldNode) and selection.name.value in _META_FIELDS
        for selection in definition.selection_set.selections
    )


@dataclass(frozen=True, slots=True)
class PreparedDocument:
    document: DocumentNode | None
    """None when the document is refused (it did not parse, broke a limit or is invalid)."""

    errors: tuple[GraphQLError, ...]
    """Parse, limit and validation errors, each with its code; empty for a valid document."""

    operations: Mapping[str | None, PreparedOperation]
    """By name (None for an anonymous operation); filled only for a valid document."""

    operation_names: tuple[str | None, ...] = ()
    """The names of the document's operations, also when it is refused (for metrics and logs)."""


@dataclass(frozen=True, slots=True)
class CacheInfo:
    hits: int
    misses: int
    maxsize: int
    currsize: int
    tokens: int


def _tokens(document: DocumentNode | None) -> int:
    """How many tokens a parsed document holds on to (its location keeps the token chain)."""
    token = document.loc.start_token if document is not None and document.loc else None
    count = 0
    while token is not None:
        count += 1
        token = token.next
    return count


class _Lru:
    """Least recently used first out, bounded in entries and in tokens."""

    def __init__(self, max_entries: int, max_tokens: int) -> None:
        self.max_entries, self.max_tokens = max_entries, max_tokens
        self.entries: OrderedDict[str, tuple[PreparedDocument, int]] = OrderedDict()
        self.tokens = self.hits = self.misses = 0

    def get(self, key: str) -> PreparedDocument | None:
        found = self.entries.get(key)
        if found is None:
            self.misses += 1
            return None
        self.hits += 1
        self.entries.move_to_end(key)
        return found[0]

    def put(self, key: str, value: PreparedDocument, tokens: int) -> None:
        if self.max_entries <= 0 or tokens > self.max_tokens:
            return
        self.entries[key] = (value, tokens)
        self.tokens += tokens
        while len(self.entries) > self.max_entries or self.tokens > self.max_tokens:
            _, (_, evicted) = self.entries.popitem(last=False)
            self.tokens -= evicted

    def info(self) -> CacheInfo:
        return CacheInfo(self.hits, self.misses, self.max_entries, len(self.entries), self.tokens)


@dataclass(frozen=True, slots=True)
class Checked:
    """A request's document, the operation it runs, and why it may not run (if it may not)."""

    prepared: PreparedDocument
    operation: PreparedOperation | None
    errors: list[GraphQLError]


def _parse_error(error: GraphQLSyntaxError, max_tokens: int) -> GraphQLError:
    message = error.message
    if "Document contains more than" in message:
        return coded_error(
            f"查询过长：超过 {max_tokens} 个词法单元（the document has more than {max_tokens} "
            "tokens）",
            limits.LIMIT_CODE,
            limit="tokens",
            max=max_tokens,
        )
    if "nested too deeply" in message:
        return coded_error(
            "查询嵌套过深（the document is nested too deeply）", limits.LIMIT_CODE, limit="nesting"
        )
    return coded_error(
        f"查询语法错误（{message}）", PARSE_FAILED, source=error.source, positions=error.positions
    )


def _validation_error(error: GraphQLError) -> GraphQLError:
    ours, english = value_problem(error)
    scalar = coded_by_a_scalar(error)
    if scalar is not None:
        # A scalar of ours refused a literal: its code (BAD_USER_INPUT) and reason, as when
        # the same value comes as a variable.
        code = str(scalar.pop("code"))
        return coded_error(ours or error.message, code, nodes=error.nodes, **scalar)
    if ours is not None:
        message = f"参数值无效：{bounded(ours, 300)}"
    else:
        message = f"查询未通过校验（{english}）"
    return coded_error(message, VALIDATION_FAILED, nodes=error.nodes)


def _refused(
    errors: Sequence[GraphQLError], names: tuple[str | None, ...] = ()
) -> PreparedDocument:
    """A refused document as the cache keeps it: its errors, located by position in the text,
    and not its syntax tree, which would pin every node and token of it."""
    detached = tuple(
        GraphQLError(e.message, source=e.source, positions=e.positions, extensions=e.extensions)
        for e in errors
    )
    return PreparedDocument(document=None, errors=detached, operations={}, operation_names=names)


def _missing(definition: VariableDefinitionNode, variables: Mapping[str, Any]) -> bool:
    """A required variable sent as nothing or null (and without a default)."""
    return (
        isinstance(definition.type, NonNullTypeNode)
        and definition.default_value is None
        and variables.get(definition.variable.name.value) is None
    )


class DocumentCache:
    def __init__(
        self, schema: GraphQLSchema, settings: GraphQLSettings, *, cache_size: int | None = None
    ) -> None:
        self.schema = schema
        self.settings = settings
        self.limits = limits.Limits(
            max_depth=settings.max_depth,
            max_aliases=settings.max_aliases,
            max_cost=settings.max_cost,
        )
        # Suggestions ("did you mean …?") name fields and values: as telling as introspection.
        self.hide_suggestions = not settings.suggestions
        rules: list[type[ASTValidationRule]] = [
            *specified_rules,
            MaybeNullValidationRule,
            OneOfInputValidationRule,
        ]
        if not settings.introspection:
            rules.append(NoSchemaIntrospectionCustomRule)
        self.rules: Sequence[type[ASTValidationRule]] = tuple(rules)
        size = settings.document_cache_size if cache_size is None else cache_size
        self._cache = _Lru(size, MAX_CACHED_TOKENS)

    def prepare(self, query: str) -> PreparedDocument:
        """The document for ``query``, from the cache when it was seen recently."""
        if len(query) > MAX_DOCUMENT_CHARS:
            error = coded_error(
                f"查询文本过长：{len(query)} 个字符，上限 {MAX_DOCUMENT_CHARS}"
                f"（the document has {len(query)} characters; at most {MAX_DOCUMENT_CHARS}）",
                limits.LIMIT_CODE,
                limit="characters",
                max=MAX_DOCUMENT_CHARS,
            )
            return PreparedDocument(document=None, errors=(error,), operations={})
        prepared = self._cache.get(query)
        if prepared is None:
            prepared = self._prepare(query)
            self._cache.put(query, prepared, _tokens(prepared.document))
        return prepared

    def cache_info(self) -> CacheInfo:
        return self._cache.info()

    def _prepare(self, query: str) -> PreparedDocument:
        try:
            document = parse(query, max_tokens=self.settings.max_tokens)
        except GraphQLSyntaxError as error:
            return PreparedDocument(
                document=None,
                errors=(_parse_error(error, self.settings.max_tokens),),
                operations={},
            )
        operations: dict[str | None, PreparedOperation] = {}
        limit_errors: list[GraphQLError] = []
        for definition in document.definitions:
            if not isinstance(definition, OperationDefinitionNode):
                continue
            measures = limits.measure(self.schema, document, definition)
            limit_errors += limits.static_errors(measures, self.limits, definition)
            name = definition.name.value if definition.name else None
            operations[name] = PreparedOperation(
                node=definition, measures=measures, needs_database=_needs_database(definition)
            )
        names = tuple(operations)
        if limit_errors:
            # Refused before the standard rules, some of which expand fragments.
            return _refused(limit_errors, names)
        errors = validate(self.schema, document, self.rules, hide_suggestions=self.hide_suggestions)
        if errors:
            return _refused([_validation_error(e) for e in errors], names)
        return PreparedDocument(
            document=document, errors=(), operations=operations, operation_names=names
        )

    def check_once(
        self,
        query: str,
        operation_name: str | None = None,
        variables: Mapping[str, Any] | None = None,
    ) -> Checked:
        """``check``, answered from this request's own earlier check of the very same query,
        operation and variables object (the HTTP edge checks before it executes): coercing a
        batch of 1,000 rows once more costs ~45 ms."""
        found = _LAST_CHECK.get()
        if (
            found is not None
            and found[0] is variables
            and found[1] == operation_name
            and found[2] == query
        ):
            return found[3]
        return self.check(query, operation_name, variables)

    def check(
        self,
        query: str,
        operation_name: str | None = None,
        variables: Mapping[str, Any] | None = None,
    ) -> Checked:
        """Everything that must hold before the operation may run for this request."""
        checked = self._check(query, operation_name, variables)
        _LAST_CHECK.set((variables, operation_name, query, checked))
        return checked

    def _check(
        self,
        query: str,
        operation_name: str | None = None,
        variables: Mapping[str, Any] | None = None,
    ) -> Checked:
        prepared = self.prepare(query)
        if prepared.errors or prepared.document is None:
            return Checked(prepared, None, list(prepared.errors))
        operation = self._select(prepared, operation_name)
        if isinstance(operation, GraphQLError):
            return Checked(prepared, None, [operation])
        inputs = dict(variables or {})
        coerced = get_variable_values(
            self.schema,
            operation.node.variable_definitions or (),
            inputs,
            max_errors=MAX_VARIABLE_ERRORS,
            hide_suggestions=self.hide_suggestions,
        )
        if isinstance(coerced, list):
            return Checked(
                prepared,
                operation,
                [
                    variable_error(
                        error,
                        missing=any(
                            _missing(node, inputs)
                            for node in error.nodes or ()
                            if isinstance(node, VariableDefinitionNode)
                        ),
                    )
                    for error in coerced
                ],
            )
        measures = operation.measures
        if measures.cost_uses_variables and measures.cost > self.limits.max_cost:
            # The upper bound is too much; the values actually sent may not be.
            measures = limits.measure(
                self.schema, prepared.document, operation.node, coerced.coerced
            )
            errors = limits.cost_errors(measures, self.limits, operation.node)
            if errors:
                return Checked(prepared, operation, errors)
        return Checked(prepared, operation, [])

    @staticmethod
    def _select(
        prepared: PreparedDocument, operation_name: str | None
    ) -> PreparedOperation | GraphQLError:
        operations = prepared.operations
        if operation_name is None:
            if len(operations) == 1:
                return next(iter(operations.values()))
            return coded_error(
                "文档包含多个操作，请用 operationName 指明执行哪一个"
                "（the document has several operations: say which one in operationName）",
                BAD_USER_INPUT,
            )
        found = operations.get(operation_name)
        if found is None:
            shown = bounded(operation_name, 64)
            return coded_error(
                f"文档中没有名为 {shown} 的操作（no operation named {shown} in the document）",
                BAD_USER_INPUT,
            )
        return found


_LAST_CHECK: ContextVar[tuple[Any, str | None, str, Checked] | None] = ContextVar(
    "xietong_last_check", default=None
)
"""The last check made in this task (one request): its variables object, operation, query."""


class UsePreparedDocument(SchemaExtension):
    """Strawberry's parse and validate steps, answered from the cache instead.

    A document with errors is answered with them (already coded). Variables are coerced again
    by graphql-core while executing; the HTTP edge has checked them already.
    """

    def __init__(self, documents: DocumentCache) -> None:
        self.documents = documents

    def on_parse(self) -> Any:
        context = self.execution_context
        if context.graphql_document is None and context.query:
            prepared = self.documents.prepare(context.query)
            if prepared.document is not None:
                context.graphql_document = prepared.document
        yield

    def on_validate(self) -> Any:
        context = self.execution_context
        if context.query:
            checked = self.documents.check_once(
                context.query, context.operation_name, context.variables
            )
            # Set even when empty: strawberry then skips validating what we validated.
            context.pre_execution_errors = checked.errors
        yield
