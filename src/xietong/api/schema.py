"""The schema, composed from each bounded context's queries (and, later, mutations)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.schema.config import StrawberryConfig

from xietong.access.graphql import enums as _enums  # noqa: F401  registers shared enums
from xietong.access.graphql.mutations import AccessMutations
from xietong.access.graphql.queries import AccessQueries
from xietong.access.registry import register_objects
from xietong.api.documents import DocumentCache, UsePreparedDocument
from xietong.api.errors import ErrorShaping
from xietong.api.scalars import SCALARS
from xietong.config import GraphQLSettings
from xietong.jurisdictions.graphql.queries import JurisdictionQueries
from xietong.observability.graphql import GraphQLMetrics
from xietong.people.graphql.mutations import PeopleMutations
from xietong.people.graphql.queries import PeopleQueries

register_objects()


@strawberry.type(description="Everything that can be read. Lists are scoped to the caller.")
class Query(JurisdictionQueries, PeopleQueries, AccessQueries):
    pass


@strawberry.type(
    description="Everything that changes something. Each mutation is one "
    "transaction and leaves an audit event; refused input comes back in the "
    "payload's `errors`, refused access as a top-level error."
)
class Mutation(PeopleMutations, AccessMutations):
    pass


class Schema(strawberry.Schema):
    documents: DocumentCache
    """Parsed and validated documents with the limits applied; the HTTP edge checks each request
    against it before opening a transaction, and execution reuses what it cached."""

    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        """Strawberry logs every error with its trace; expected ones are not news, and
        ``ErrorShaping`` already logs the unexpected ones with the request id."""


def build_schema(settings: GraphQLSettings | None = None) -> Schema:
    settings = settings or GraphQLSettings()
    # Factories, not instances: strawberry builds fresh extensions for every request.
    extensions: list[Callable[[], SchemaExtension]] = [
        GraphQLMetrics,  # first: it exits last, so it sees the codes ErrorShaping gives
        ErrorShaping,
        # Parsing, limits (depth, aliases, tokens, cost), validation and introspection rules.
        lambda: UsePreparedDocument(schema.documents),
    ]
    schema = Schema(
        query=Query,
        mutation=Mutation,
        extensions=extensions,
        config=StrawberryConfig(auto_camel_case=True, scalar_map=SCALARS),
    )
    schema.documents = DocumentCache(schema._schema, settings)
    return schema


def schema_sdl() -> str:
    return build_schema().as_str() + "\n"
