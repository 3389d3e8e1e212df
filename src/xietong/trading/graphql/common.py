"""What trading mutations share around ``xietong.trading.ingest``: rows from input objects, and
payload errors with the row index."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from xietong.trading.graphql.types import TradingError
from xietong.trading.rows import RowProblem


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def plain_rows(items: Sequence[Any]) -> list[dict[str, Any]]:
    """Strawberry input objects as rows keyed by their API (camelCase) names."""
    return [
        {_camel(f.name): getattr(item, f.name) for f in dataclasses.fields(item)} for item in items
    ]


def errors(problems: Sequence[RowProblem]) -> list[TradingError]:
    """Row problems as payload errors (index null for the whole input)."""
    return [
        TradingError(
            index=None if p.index < 0 else p.index,
            field=p.field,
            code=p.code,
            message=p.message,
            position=p.position,
        )
        for p in problems
    ]
