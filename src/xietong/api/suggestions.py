"""No "Did you mean …?" in production: with introspection off, suggestions would still let a caller
rebuild the schema by guessing (``{ persn }`` → "Did you mean 'person'?").

graphql-core can leave them out of validation and of variable coercion (``hide_suggestions``);
strawberry does not pass the flag, so ``HiddenSuggestions`` validates the document itself with it,
and ``hidden_suggestions_kwargs`` gives execution the same flag.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql import validate
from strawberry.extensions import SchemaExtension
from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule
from strawberry.schema.validation_rules.one_of import OneOfInputValidationRule


class HiddenSuggestions(SchemaExtension):
    """Validate exactly as strawberry would, with suggestions left out of the messages."""

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        if (
            context.pre_execution_errors is None
            and context.graphql_document is not None
            and context.validation_rules
        ):
            # Setting the errors (even to []) tells strawberry validation has been done.
            context.pre_execution_errors = validate(
                context.schema._schema,
                context.graphql_document,
                (*context.validation_rules, MaybeNullValidationRule, OneOfInputValidationRule),
                hide_suggestions=True,
            )
        yield


def hidden_suggestions_kwargs(kwargs: dict[str, Any]) -> dict[str, Any]:
    """Execution's keyword arguments with suggestions hidden (variable coercion errors)."""
    return {**kwargs, "hide_suggestions": True}
