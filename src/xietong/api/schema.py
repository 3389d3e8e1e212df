"""The GraphQL schema kit: our ``Schema`` class and how any composition of roots is built.

Which contexts make up the API is decided at the top, in ``xietong.schema`` (the composition
root beside ``app.py``), so every import here points down.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import GraphQLError
from strawberry import Schema as StrawberrySchema
from strawberry.extensions import SchemaExtension
from strawberry.schema.config import StrawberryConfig

from xietong.api.documents import DocumentCache, UsePreparedDocument
from xietong.api.errors import ErrorShaping
from xietong.api.scalars import SCALARS
from xietong.config import GraphQLSettings
from xietong.observability.graphql import GraphQLMetrics


class Schema(StrawberrySchema):
    documents: DocumentCache
    """Parsed and validated documents with the limits applied; the HTTP edge checks each request
    against it before opening a transaction, and execution reuses what it cached."""

    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        """Strawberry logs every error with its trace; expected ones are not news, and
        ``ErrorShaping`` already logs the unexpected ones with the request id."""


def build(query: type, mutation: type, settings: GraphQLSettings | None = None) -> Schema:
    settings = settings or GraphQLSettings()
    # Factories, not instances: strawberry builds fresh extensions for every request.
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
        config=StrawberryConfig(auto_camel_case=True, scalar_map=SCALARS),
    )
    schema.documents = DocumentCache(schema._schema, settings)
    return schema
