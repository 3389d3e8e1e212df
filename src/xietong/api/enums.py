"""One way to expose a domain enum to GraphQL: a description for the type and for every value.

The enums themselves live in each context's ``enums.py`` and know nothing of GraphQL; an
integrator reading the schema needs each value's Chinese name and meaning, so a value without a
description is refused when the schema is built, not discovered by a linter later.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import TypeVar

import strawberry

E = TypeVar("E", bound=Enum)


def graphql_enum(
    cls: type[E], *, description: str, values: Mapping[E, str], name: str | None = None
) -> type[E]:
    """Register ``cls`` with strawberry, describing the type and each of its values."""
    missing = [member.name for member in cls if not values.get(member)]
    if missing:
        raise TypeError(f"{cls.__name__}: describe every value for GraphQL; missing {missing}")
    strawberry.enum(cls, name=name, description=description)
    definition = getattr(cls, "__strawberry_definition__")  # noqa: B009  set by strawberry.enum
    for value in definition.values:
        value.description = values[cls[value.name]]
    return cls
