"""A statement that rides along with the transaction's ``BEGIN``: one round trip, not two.

SQLAlchemy's asyncpg adapter opens a transaction lazily, with a ``BEGIN`` sent just before the
transaction's first statement (a simple-protocol query of its own). A request that must set
something for its transaction first (the signed scope, ``access.scope.apply``) would otherwise
pay a round trip for the ``BEGIN`` and another for the ``set_config``. ``PreludeConnection``
appends a *prelude* to that ``BEGIN`` instead, in the same simple-query message, and a request
that ends up sending no statement at all (everything it read was cached) sends nothing.

The prelude is consumed by the next ``BEGIN`` on that connection and by nothing else. The pool
clears it whenever the connection is returned (``forget_on_checkin``), so a prelude one request
left unsent can never reach another request's transaction.

``begin_soon`` sends the ``BEGIN`` and its prelude at once instead of with the first statement,
and returns while they travel: for a prelude that must be known to have succeeded before the
request answers (a remembered caller's confirmation), whose round trip the request spends
preparing its work.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable, Coroutine
from typing import Any

import asyncpg
from sqlalchemy import Connection, event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session
from sqlalchemy.pool import Pool
from sqlalchemy.util import await_


class PreludeConnection(asyncpg.Connection):  # type: ignore[misc]
    """asyncpg's connection, able to send one statement together with the next ``BEGIN``."""

    __slots__ = ("_prelude",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._prelude: str | None = None

    def defer(self, statement: str) -> None:
        """Send ``statement`` (literal SQL, no parameters) right after the next ``BEGIN``, in the
        same message. A later ``defer`` before that replaces it."""
        self._prelude = statement

    def forget(self) -> None:
        self._prelude = None

    @property
    def pending(self) -> str | None:
        return self._prelude

    async def execute(
        self,
        query: str,
        *args: Any,
        timeout: float | None = None,  # noqa: ASYNC109 (asyncpg's own signature)
    ) -> str:
        prelude = self._prelude
        if prelude is None or args or not query.startswith("BEGIN"):
            return await super().execute(query, *args, timeout=timeout)  # type: ignore[no-any-return]
        self._prelude = None
        try:
            return await super().execute(f"{query} {prelude}", timeout=timeout)  # type: ignore[no-any-return]
        except BaseException:
            # The BEGIN may have succeeded and the prelude failed, leaving a transaction the
            # caller does not know about: this connection is not fit for reuse.
            self.terminate()
            raise


def pending_prelude(driver_connection: object) -> str | None:
    """The prelude waiting on this asyncpg connection (tests; None for other connections)."""
    return driver_connection.pending if isinstance(driver_connection, PreludeConnection) else None


def forget_on_checkin(pool: Pool) -> None:
    """Clear any unsent prelude whenever a connection goes back to ``pool``."""
    event.listen(pool, "checkin", _forget)


def _forget(dbapi_connection: Any, _record: object) -> None:
    driver = getattr(dbapi_connection, "driver_connection", None)
    if isinstance(driver, PreludeConnection):
        driver.forget()


async def begin_soon(session: AsyncSession, prelude: Callable[[int], str]) -> asyncio.Task[None]:
    """Send the session's ``BEGIN`` now, with ``prelude(backend pid)`` in the same message,
    rather than just before the first statement, and return while it travels: the task that
    ends with its answer. For a prelude whose failure must be known before anything is
    answered (``access.authentication``'s confirmation of a remembered caller): the request
    prepares its work meanwhile (a round trip is ~0.2 ms; building a query's context and plan
    takes about as long), instead of one after the other.

    Nothing can run on the connection before the answer: the adapter's execution lock, which
    every statement takes (SQLAlchemy's cursors and ``db.driver``), is held until then. A prelude
    that fails closes the connection (``PreludeConnection.execute``), so a statement waiting
    behind it fails too, and never runs without what the prelude set. Commit and rollback do not
    take that lock: **await the task before the transaction ends** (and before relying on what
    the prelude confirms); it raises the adapter's error if the ``BEGIN`` or the prelude failed.

    The prelude is built from the connection's backend pid in the same step, since what it
    carries is signed for that connection (one switch into SQLAlchemy's greenlet). SQLAlchemy's
    asyncpg adapter starts its transaction lazily and offers no public way to start it early, so
    this calls the adapter's own ``_start_transaction`` (the method its cursor calls first) under
    its own ``_execute_mutex`` (``test_prelude`` pins both)."""
    return await session.run_sync(_begin_session, prelude)


BEGUN = "xietong.begun"
"""``session.info`` key: the transaction ``begin_soon`` began and its connection, so that
``db.driver`` can reach the connection without another switch into SQLAlchemy's greenlet."""


def _begin_session(session: Session, prelude: Callable[[int], str]) -> asyncio.Task[None]:
    connection = session.connection()
    began = _begin(connection, prelude)
    # The transaction weakly: it holds the session, whose ``info`` this is (no cycle).
    session.info[BEGUN] = (weakref.ref(session.get_transaction()), connection)
    return began


def _begin(connection: Connection, prelude: Callable[[int], str]) -> asyncio.Task[None]:
    adapted: Any = connection.connection.dbapi_connection
    driver = adapted.driver_connection
    if not isinstance(driver, PreludeConnection) or adapted._transaction is not None:
        raise RuntimeError("begin_soon needs a PreludeConnection before its transaction began")
    lock: asyncio.Lock = adapted._execute_mutex
    # Free on a connection whose transaction has not begun, so taken at once: no statement can
    # slip in between this and the task below.
    await_(lock.acquire())
    try:
        driver.defer(prelude(driver.get_server_pid()))
    except BaseException:
        lock.release()
        raise
    return _started_now(_start(adapted, lock))


async def _start(adapted: Any, lock: asyncio.Lock) -> None:
    try:
        await adapted._start_transaction()
    finally:
        lock.release()


def _started_now(coro: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
    """``coro`` run at once up to its first wait (the ``BEGIN`` written to the socket), then on
    as a task: a task made with ``create_task`` would not start before the caller next waits,
    which for a request is its first statement, too late to overlap anything. (Python 3.12's
    eager tasks do this; 3.11 has none.)"""
    try:
        waiting = coro.send(None)
    except BaseException as exc:  # done, or failed, without waiting (a closed connection)
        return asyncio.get_running_loop().create_task(_settled(exc))
    return asyncio.get_running_loop().create_task(_resumed(coro, waiting))


async def _resumed(coro: Coroutine[Any, Any, None], waiting: Any) -> None:
    """Drive ``coro`` on from where ``_started_now`` left it, as a task steps a coroutine: wait
    for what it waits for, then resume it (it reads the outcome itself)."""
    while True:
        try:
            if waiting is None:
                await asyncio.sleep(0)  # a bare yield: give the loop a turn
            else:
                # As a task does with what a coroutine yields: the flag says "yielded by an
                # await", and a future cannot be awaited again while it is set.
                waiting._asyncio_future_blocking = False
                await waiting
        except BaseException:  # the coroutine reads the outcome itself, as it resumes
            pass
        try:
            waiting = coro.send(None)
        except StopIteration:
            return


async def _settled(exc: BaseException) -> None:
    if not isinstance(exc, StopIteration):
        raise exc
