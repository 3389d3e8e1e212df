"""One way to page: keyset pagination behind opaque cursors, ``first`` capped at 100."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Generic, TypeVar

import strawberry
from sqlalchemy import Select, func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from xietong import inputs
from xietong.api.errors import BadUserInput

MAX_FIRST = 100
DEFAULT_FIRST = 20

T = TypeVar("T")
M = TypeVar("M")


@strawberry.type(description="Where this page ends, and whether another follows.")
class PageInfo:
    has_next_page: bool = strawberry.field(description="Whether `after: endCursor` gives more.")
    end_cursor: str | None = strawberry.field(
        description="Pass as `after` to get the next page; null on an empty page."
    )


@strawberry.type(description="A page of a list.")
class Connection(Generic[T]):
    nodes: list[T] = strawberry.field(description="The items of this page, in order.")
    page_info: PageInfo = strawberry.field(description="How to get the next page.")
    total_count: int = strawberry.field(description="How many items the whole list has.")


@dataclass(frozen=True, slots=True)
class Page(Generic[M]):
    rows: Sequence[M]
    has_next: bool
    end_cursor: str | None
    total: int


def _encode(values: Sequence[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps([str(v) for v in values]).encode()).decode()


MAX_CURSOR_LENGTH = 512  # ours are under 150 characters
_INT32 = re.compile(r"-?[0-9]{1,10}")


def _decode(cursor: str, width: int) -> list[str]:
    try:
        if len(cursor) <= MAX_CURSOR_LENGTH:
            values = json.loads(base64.urlsafe_b64decode(cursor.encode()))
            if isinstance(values, list) and len(values) == width:
                return [v for v in values if isinstance(v, str)]
    except ValueError:  # bad base64, bad UTF-8, bad JSON, a surrogate
        pass
    raise BadUserInput("分页游标无效（invalid cursor）", field="after")


def _parse(kind: type, text: str) -> Any:
    """A cursor value as its column's type; ``ValueError`` for anything the column could not hold
    (a cursor is client input: an out-of-range number or date would otherwise reach PostgreSQL)."""
    if kind is datetime:
        return inputs.aware_datetime(text)
    if kind is date:
        return inputs.china_day(text)
    if kind is int:
        if not _INT32.fullmatch(text) or not -(2**31) <= int(text) < 2**31:
            raise ValueError(text)
        return int(text)
    if kind is str:
        return inputs.clean_text(text, inputs.SHORT_TEXT)
    return kind(text)


def check_first(first: int | None) -> int:
    if first is None:
        return DEFAULT_FIRST
    if not 1 <= first <= MAX_FIRST:
        raise BadUserInput(
            f"first 应在 1 到 {MAX_FIRST} 之间（first must be 1–{MAX_FIRST}）", field="first"
        )
    return first


async def paginate(
    session: AsyncSession,
    query: Select[M],
    *,
    keys: Sequence[InstrumentedAttribute[Any]],
    first: int | None,
    after: str | None,
) -> Page[M]:
    """Rows of ``query`` ordered by ``keys`` (unique together), starting after ``after``."""
    limit = check_first(first)
    total = await session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    paged = query.order_by(*keys)
    if after is not None:
        raw = _decode(after, len(keys))
        try:
            values = [_parse(key.type.python_type, v) for key, v in zip(keys, raw, strict=True)]
        except ValueError:  # includes InputRejected
            raise BadUserInput("分页游标无效（invalid cursor）", field="after") from None
        paged = paged.where(tuple_(*keys) > tuple_(*values))
    rows = list((await session.scalars(paged.limit(limit + 1))).all())
    has_next = len(rows) > limit
    rows = rows[:limit]
    end = _encode([getattr(rows[-1], k.key) for k in keys]) if rows else None
    return Page(rows=rows, has_next=has_next, end_cursor=end, total=total or 0)


def connection(page: Page[Any], nodes: list[T]) -> Connection[T]:
    return Connection(
        nodes=nodes,
        page_info=PageInfo(has_next_page=page.has_next, end_cursor=page.end_cursor),
        total_count=page.total,
    )
