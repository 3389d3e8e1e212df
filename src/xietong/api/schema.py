"""The schema, composed from each bounded context's queries (and, later, mutations)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    DisableIntrospection,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
    SchemaExtension,
)
from strawberry.schema.config import StrawberryConfig

from xietong.api.errors import ErrorShaping
from xietong.config import GraphQLSettings
from xietong.jurisdictions.graphql.queries import JurisdictionQueries
from xietong.observability.graphql import GraphQLMetrics


@strawberry.type(description="Everything that can be read. Lists are scoped to the caller.")
class Query(JurisdictionQueries):
    pass


class Schema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        """Strawberry logs every error with its trace; expected ones are not news, and
        ``ErrorShaping`` already logs the unexpected ones with the request id."""


def build_schema(settings: GraphQLSettings | None = None) -> strawberry.Schema:
    settings = settings or GraphQLSettings()
    # Factories, not instances: strawberry builds fresh extensions for every request.
    extensions: list[Callable[[], SchemaExtension]] = [
        GraphQLMetrics,  # first: it exits last, so it sees the codes ErrorShaping gives
        ErrorShaping,
        lambda: QueryDepthLimiter(max_depth=settings.max_depth),
        lambda: MaxAliasesLimiter(max_alias_count=settings.max_aliases),
        lambda: MaxTokensLimiter(max_token_count=settings.max_tokens),
    ]
    if not settings.introspection:
        extensions.append(DisableIntrospection)
    return Schema(
        query=Query,
        extensions=extensions,
        config=StrawberryConfig(auto_camel_case=True),
    )


def schema_sdl() -> str:
    return build_schema().as_str() + "\n"
