"""One way to page: keyset pagination behind opaque cursors, ``first`` capped at 100.

Connections follow the Relay connection specification, so Relay-style clients page them without
adapters: ``edges { cursor node }`` (plus ``nodes``, the same items without cursors), a full
``PageInfo``, forward paging with ``first``/``after``. ``totalCount`` and ``hasPreviousPage``
cost a query each, so they are computed only when a client asks for them.
"""

from __future__ import annotations

import base64
import functools
import json
import operator
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Generic, TypeVar

import msgspec
import strawberry
from sqlalchemy import Integer, Select, bindparam, exists, func, select, tuple_
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.elements import ColumnElement

from xietong import inputs
from xietong.access.scope import built
from xietong.api.errors import BadUserInput
from xietong.db import driver
from xietong.db.driver import DriverStatement

MAX_FIRST = 100
DEFAULT_FIRST = 20

T = TypeVar("T")
M = TypeVar("M")


@strawberry.type(
    description="Where a page starts and ends, and whether items come before or after it "
    "(Relay PageInfo)."
)
class PageInfo:
    has_next_page: bool = strawberry.field(
        description="Whether items follow this page: pass `after: endCursor` to get them."
    )
    start_cursor: str | None = strawberry.field(
        resolver=lambda self: self._cursors[0] if self._cursors else None,
        description="Cursor of the first item of this page; null on an empty page.",
    )
    end_cursor: str | None = strawberry.field(
        resolver=lambda self: self._cursors[-1] if self._cursors else None,
        description="Cursor of the last item of this page; pass it as `after` for the next "
        "page. Null on an empty page.",
    )
    _cursors: strawberry.Private[Sequence[str]]
    _has_previous: strawberry.Private[Callable[[], Awaitable[bool]]]

    @strawberry.field(
        description="Whether items come before this page (only a page asked for with `after` "
        "can have any). Costs a query; computed only when asked for."
    )
    async def has_previous_page(self) -> bool:
        return await self._has_previous()


@strawberry.type(description="One item of a page, with the cursor that points at it.")
class Edge(Generic[T]):
    node: T = strawberry.field(description="The item.")
    cursor: str = strawberry.field(
        description="Opaque position of this item: pass it as `after` to continue after it."
    )


@strawberry.type(
    description="A page of a list (Relay connection): `edges` with cursors, or just `nodes`, "
    "and `pageInfo` to get the next page."
)
class Connection(Generic[T]):
    # Cursors are encoded only for a client that asks for edges (most ask for nodes).
    edges: list[Edge[T]] = strawberry.field(
        resolver=lambda self: [
            Edge(node=n, cursor=c) for n, c in zip(self.nodes, self._cursors, strict=True)
        ],
        description="The items of this page, in order, each with its cursor.",
    )
    nodes: list[T] = strawberry.field(
        description="The items of this page, in order (the `node` of each edge, without cursors)."
    )
    page_info: PageInfo = strawberry.field(description="How to get the next page.")
    _total: strawberry.Private[Callable[[], Awaitable[int]]]
    _cursors: strawberry.Private[Sequence[str]]

    @strawberry.field(
        description="How many items the whole list has. Costs a count query; computed only "
        "when asked for."
    )
    async def total_count(self) -> int:
        return await self._total()


class _Cursors(Sequence[str]):
    """The page's cursors, each encoded when first read (a page of 20 costs ~0.1 ms to encode
    in full, and most clients read two cursors at most, or none)."""

    __slots__ = ("_encoded", "_read", "_rows")

    def __init__(self, rows: Sequence[Any], read: Callable[[Any], Sequence[Any]]) -> None:
        self._rows, self._read = rows, read
        self._encoded: dict[int, str] = {}

    def __len__(self) -> int:
        return len(self._rows)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        position = range(len(self._rows))[index]  # IndexError as a list would raise it
        found = self._encoded.get(position)
        if found is None:
            found = self._encoded[position] = _encode(self._read(self._rows[position]))
        return found


@dataclass(frozen=True, slots=True)
class Page(Generic[M]):
    rows: Sequence[M]
    cursors: Sequence[str]
    has_next: bool
    has_previous: Callable[[], Awaitable[bool]]
    total: Callable[[], Awaitable[int]]


def _encode(values: Sequence[Any]) -> str:
    # Compact JSON (msgspec, ~10x json.dumps); ``_decode`` reads any JSON, so cursors handed out
    # before, with spaces, still work.
    return base64.urlsafe_b64encode(msgspec.json.encode([str(v) for v in values])).decode()


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
    descending: bool = False,
    columns_only: bool = False,
    project: Sequence[ColumnElement[Any]] | None = None,
    params: Mapping[str, Any] | None = None,
) -> Page[M]:
    """Rows of ``query`` ordered by ``keys`` (unique together), starting after ``after``;
    ``descending`` lists the largest first (an inbox, newest first).

    ``columns_only``: the page's rows are read-only rows of the entity's mapped columns, read by
    attribute name as the entity's would be, instead of ORM objects — for hot lists whose node
    types read columns only (no relationship, no method of the model, no change): an ORM object
    costs ~10 µs to build and track, a row almost nothing.

    ``project``: the rows are these columns (labelled; maybe none) and then the keys, nothing
    else of the entity (``api.projection``: nodes built by PostgreSQL); ``params`` gives the
    values of the bind parameters they use."""
    limit = check_first(first)
    values: list[Any] = []
    if after is not None:
        raw = _decode(after, len(keys))
        try:
            values = [_parse(key.type.python_type, v) for key, v in zip(keys, raw, strict=True)]
        except ValueError:  # includes InputRejected
            raise BadUserInput("分页游标无效（invalid cursor）", field="after") from None
    read: Callable[[Any], Sequence[Any]]
    if project is not None:
        rows: list[Any] = await _projected_rows(
            session, query, keys, descending, project, params, limit, values
        )
        read = operator.itemgetter(slice(len(project), None))  # the keys follow the projection
    else:
        names = [k.key for k in keys]
        read = lambda row: [getattr(row, n) for n in names]  # noqa: E731
        paged = query.order_by(None).order_by(*_ordering(keys, descending))
        if values:
            paged = paged.where(_beyond(keys, tuple_(*values), descending))
        if columns_only:
            paged = paged.with_only_columns(*_columns(query), maintain_column_froms=True)
            rows = list((await session.execute(paged.limit(limit + 1))).all())
        else:
            rows = list((await session.scalars(paged.limit(limit + 1))).all())
    has_next = len(rows) > limit
    rows = rows[:limit]

    async def total() -> int:
        counted = select(func.count()).select_from(query.order_by(None).subquery())
        return await session.scalar(counted, params) or 0

    async def has_previous() -> bool:
        if not values:
            return False
        position = tuple_(*values)
        before = query.order_by(None).where(
            tuple_(*keys) >= position if descending else tuple_(*keys) <= position
        )
        return bool(await session.scalar(select(exists(before)), params))

    return Page(
        rows=rows,
        cursors=_Cursors(rows, read),
        has_next=has_next,
        has_previous=has_previous,
        total=total,
    )


def _ordering(keys: Sequence[InstrumentedAttribute[Any]], descending: bool) -> list[Any]:
    return [k.desc() for k in keys] if descending else list(keys)


def _beyond(
    keys: Sequence[InstrumentedAttribute[Any]], position: Any, descending: bool
) -> ColumnElement[bool]:
    """Rows after ``position`` in the page order."""
    row = tuple_(*keys)
    beyond: ColumnElement[bool] = row < position if descending else row > position
    return beyond


async def _projected_rows(
    session: AsyncSession,
    query: Select[Any],
    keys: Sequence[InstrumentedAttribute[Any]],
    descending: bool,
    project: Sequence[ColumnElement[Any]],
    params: Mapping[str, Any] | None,
    limit: int,
    values: Sequence[Any],
) -> list[Any]:
    """The page's rows of ``project`` and the keys. The paged statement is built once per query,
    projection and direction, with the cursor and the limit as parameters: SQLAlchemy derives a
    statement's cache key on every execution of a new statement object (~0.5 ms for a page of
    JSON nodes), and once for one it has seen."""

    dialect = session.get_bind().dialect

    def build() -> tuple[Sequence[ColumnElement[Any]], DriverStatement, DriverStatement]:
        ordered = (
            query.order_by(None)
            .order_by(*_ordering(keys, descending))
            .with_only_columns(*project, *keys, maintain_column_froms=True)
        )
        after = tuple_(*(bindparam(f"page_after_{i}", type_=k.type) for i, k in enumerate(keys)))
        cursor = _beyond(keys, after, descending)
        limited = bindparam("page_limit", type_=Integer)
        # ``project`` stays referenced by the entry, so its id is not reused while it lives.
        return (
            project,
            DriverStatement(ordered.limit(limited).compile(dialect=dialect)),
            DriverStatement(ordered.where(cursor).limit(limited).compile(dialect=dialect)),
        )

    key = ("paged", query, *map(id, keys), descending, id(project), type(dialect))
    _, first, later = built(key, build)
    given = {**(params or {}), "page_limit": limit + 1}
    given.update((f"page_after_{i}", v) for i, v in enumerate(values))
    return list(await driver.fetch(session, later if values else first, given))


def _columns(query: Select[Any]) -> tuple[Any, ...]:
    return _row_columns(query.column_descriptions[0]["entity"])


@functools.cache
def _row_columns(entity: type) -> tuple[Any, ...]:
    """What a row of ``entity`` selects so that its names are the entity's attribute names: its
    table (one element in the statement's cache key, which SQLAlchemy computes for every
    execution; 35 attributes would make it 35) and any column property beyond the table's own
    columns; every attribute one by one when an attribute is named unlike its column."""
    mapper: Any = sa_inspect(entity)
    table = mapper.local_table
    extra: list[Any] = []
    for attribute in mapper.column_attrs:
        columns = attribute.columns
        if len(columns) == 1 and columns[0].table is table:
            if columns[0].key != attribute.key:
                return tuple(getattr(entity, a.key) for a in mapper.column_attrs)
        else:
            extra.append(getattr(entity, attribute.key))
    return (table, *extra)


def connection(page: Page[Any], nodes: list[T]) -> Connection[T]:
    """The page as a connection; ``nodes`` are the page's rows mapped to GraphQL types."""
    return Connection(
        nodes=nodes,
        page_info=PageInfo(
            has_next_page=page.has_next,
            _cursors=page.cursors,
            _has_previous=page.has_previous,
        ),
        _total=page.total,
        _cursors=page.cursors,
    )
