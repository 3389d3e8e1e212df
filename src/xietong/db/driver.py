"""A compiled statement run by asyncpg itself, on a session's connection, in its transaction.

For the one statement of a hot list (``api.pagination``'s projected pages): SQLAlchemy's
execution of a statement it has already compiled still costs ~0.15 ms of Python per call
(execution context, result metadata, the greenlet switch), as much as the round trip. Here the
statement is compiled once (``DriverStatement``), its parameters laid out once, and each call
fills in the few that change and runs asyncpg's prepared statement — the same one, from the same
per-connection cache, that SQLAlchemy's adapter would have used.

Like ``db.prelude``, this reaches into SQLAlchemy's asyncpg adapter (its execution lock, its
transaction and its statement cache; ``tests/integration/db/test_driver.py`` pins them). It
takes the execution lock first, so a ``BEGIN`` still on its way (``db.prelude.begin_soon``)
is answered before the statement goes. When the adapter has not begun its transaction (so a
prelude may be waiting for its ``BEGIN``), the statement goes through SQLAlchemy instead, which
begins it as usual.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.compiler import SQLCompiler

from xietong.db.prelude import BEGUN


@dataclass(slots=True)
class _Layout:
    sql: str
    template: list[Any]
    """Every positional argument, processed, as the first call had them."""
    slots: Sequence[tuple[int, str, Callable[[Any], Any] | None]]
    """Where the arguments named by the caller go, and their bind processors."""


@dataclass(slots=True)
class DriverStatement:
    """One compiled statement whose parameters, other than the ones each call names, are fixed
    (those of a statement built once: its department, its statuses)."""

    compiled: SQLCompiler
    _layouts: dict[frozenset[str], _Layout] = field(default_factory=dict)

    def arguments(self, given: Mapping[str, Any]) -> tuple[str, list[Any]]:
        """The SQL and its positional arguments with ``given`` filled in. Only scalar
        parameters may be given: the expansion of a list (``IN``) is fixed by the first call,
        with the values the statement was built with."""
        names = frozenset(given)
        layout = self._layouts.get(names)
        if layout is None:
            state = self.compiled.construct_expanded_state(dict(given))
            processors = state.processors
            order = state.positiontup or ()
            template = [
                processors[n](state.parameters[n]) if n in processors else state.parameters[n]
                for n in order
            ]
            if names & set(state.parameter_expansion):
                raise ValueError(f"lists cannot be given per call: {sorted(names)}")
            # As SQLAlchemy does, a name the statement does not use is ignored.
            slots = [(i, n, processors.get(n)) for i, n in enumerate(order) if n in names]
            layout = self._layouts[names] = _Layout(state.statement, template, slots)
            return layout.sql, template
        values = layout.template.copy()
        for position, name, process in layout.slots:
            value = given[name]
            values[position] = process(value) if process is not None else value
        return layout.sql, values


def _begun_on(session: AsyncSession) -> Any:
    """The connection ``begin_soon`` began the session's current transaction on, if it did."""
    remembered = session.info.get(BEGUN)
    if remembered is None:
        return None
    began, connection = remembered
    current = session.sync_session.get_transaction()
    if current is None or began() is not current or connection.invalidated:
        return None
    return connection


async def fetch(
    session: AsyncSession, statement: DriverStatement, given: Mapping[str, Any]
) -> Sequence[Sequence[Any]]:
    """The rows of ``statement`` (positional, in its column order) in the session's
    transaction."""
    sql, arguments = statement.arguments(given)
    sync: Any = _begun_on(session)
    if sync is None:
        sync = (await session.connection()).sync_connection
    adapted: Any = sync.connection.dbapi_connection
    dialect: Any = sync.dialect
    failed: Exception | None = None
    # The lock first: a ``BEGIN`` still on its way (``db.prelude.begin_soon``) holds it.
    async with adapted._execute_mutex:
        if adapted._transaction is not None:
            if sync._has_events or sync.engine._has_events:
                # Whoever listens for statements (the tests' counters, the benchmarks' capture)
                # hears this one as from SQLAlchemy's own execution (no cursor, no context).
                for listener in sync.dispatch.before_cursor_execute:
                    listener(sync, None, sql, tuple(arguments), None, False)
            try:
                prepared, _ = await adapted._prepare(sql, dialect._invalidate_schema_cache_asof)
                rows: Sequence[Sequence[Any]] = await prepared.fetch(*arguments)
            except Exception as error:
                failed = error
            else:
                return rows
    if failed is None:
        # No transaction yet (none was begun early, or its BEGIN failed and closed the
        # connection): SQLAlchemy begins it as usual, sending any prelude with its BEGIN.
        connection = await session.connection()
        return (await connection.exec_driver_sql(sql, tuple(arguments))).all()
    # As SQLAlchemy reports a failed statement: the adapter's DB-API error (which also forgets
    # a transaction a closed connection lost), wrapped in SQLAlchemy's, and a connection that
    # was cut is invalidated so the pool never hands it out again.
    base = dialect.loaded_dbapi.Error
    try:
        adapted._handle_exception(failed)
    except base as translated:
        cut = dialect.is_disconnect(translated, adapted, None)
        if cut:
            await (await session.connection()).invalidate(translated)
        raise DBAPIError.instance(
            sql, tuple(arguments), translated, base, connection_invalidated=cut
        ) from failed
    raise AssertionError("unreachable: the adapter raises")  # pragma: no cover
