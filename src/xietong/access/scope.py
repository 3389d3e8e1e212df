"""The caller's scope: computed once per request, applied twice.

Once in the application, as an SQL predicate on every list and lookup (``Scope.visible``); once in
PostgreSQL, as row-level security reading the same numbers from a signed, transaction-local token
(``apply``; ``scope_token`` explains the token). Either wall alone keeps a county out of its
sibling's rows. The grant arm of both is the same SQL function,
``xietong_granted_ids(object_type, action)`` (migration 0004).
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Connection,
    any_,
    cast,
    event,
    false,
    func,
    or_,
    select,
    text,
    true,
)
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute, Session, SessionTransaction

from xietong.access.actions import Action, ObjectType
from xietong.access.principal import Principal
from xietong.access.scope_token import SETTING, ScopeClaims, ScopeSigner
from xietong.db.prelude import PreludeConnection
from xietong.jurisdictions import codes


@dataclass(frozen=True, slots=True)
class Scope:
    actor: str
    read: codes.CodeRange | None = None
    """Everything the caller may read: its jurisdiction's subtree."""
    write_code: int | None = None
    """The one jurisdiction the caller may write in (casework is local); None for read-only."""
    jurisdiction_code: int | None = None
    department_id: uuid.UUID | None = None
    app_wall: bool = True
    """False only under the test hook ``app.state.app_wall = False``: the application then
    filters nothing by jurisdiction, so the isolation tests prove PostgreSQL's wall alone."""

    @classmethod
    def of(cls, principal: Principal, *, app_wall: bool = True) -> Scope:
        own = principal.jurisdiction_code
        if own is None:
            return cls(actor=principal.actor, app_wall=app_wall)
        return cls(
            app_wall=app_wall,
            actor=principal.actor,
            read=codes.subtree(own),
            write_code=None if principal.read_only else own,
            jurisdiction_code=own,
            department_id=principal.department.id if principal.department else None,
        )

    @classmethod
    def system_plan(cls, actor: str) -> Scope:
        """A system job's planning scope: reads every unit, writes nothing."""
        return cls(actor=actor, read=codes.CodeRange(0, 999999))

    @classmethod
    def system_unit(cls, actor: str, code: int, department_id: uuid.UUID | None = None) -> Scope:
        """A system job acting for one unit: reads its subtree, writes in it alone."""
        return cls(
            actor=actor,
            read=codes.subtree(code),
            write_code=code,
            jurisdiction_code=code,
            department_id=department_id,
        )

    def claims(self) -> ScopeClaims:
        """What PostgreSQL's wall reads (signed by ``apply``)."""
        return ScopeClaims(
            actor=self.actor,
            read_lo=self.read.lo if self.read else None,
            read_hi=self.read.hi if self.read else None,
            write_code=self.write_code,
            jurisdiction_code=self.jurisdiction_code,
            department_id=self.department_id,
        )

    def visible(
        self,
        jurisdiction: InstrumentedAttribute[int],
        *,
        object_type: ObjectType | None = None,
        object_id: InstrumentedAttribute[uuid.UUID] | None = None,
    ) -> ColumnElement[bool]:
        """The application's wall: rows in the caller's subtree, or granted to it."""
        if not self.app_wall:
            return true()
        if self.read is None:
            return false()
        read = self.read
        if object_type is None or object_id is None:
            return in_span(jurisdiction, read)
        found: ColumnElement[bool] = built(
            ("visible", id(jurisdiction), read.lo, read.hi, object_type, id(object_id)),
            lambda: or_(
                in_span(jurisdiction, read),
                object_id == any_(granted_ids(object_type, Action.READ)),
            ),
        )
        return found

    def within(
        self, jurisdiction: InstrumentedAttribute[int], span: codes.CodeRange
    ) -> ColumnElement[bool]:
        """The application's range filter for a role's reach (``Guard.reach``/``span``); off
        with the application wall, like ``visible``."""
        if not self.app_wall:
            return true()
        return in_span(jurisdiction, span)

    def can_write(self, jurisdiction_code: int) -> bool:
        return jurisdiction_code == self.write_code


_BUILT: dict[tuple[object, ...], Any] = {}
_BUILT_LIMIT = 16_384


def built(key: tuple[object, ...], build: Callable[[], Any]) -> Any:
    """A filter (or a whole statement) built once and reused by every request that needs it.
    SQLAlchemy takes tens of microseconds to build ``column BETWEEN lo AND hi`` on a mapped
    attribute (coercion, annotation), and every list of every request built the same few again;
    expressions are immutable, so one object serves all. Keys hold ``id()`` of mapped
    attributes, which live as long as their classes, and plain values. Bounded: cleared when
    full."""
    found = _BUILT.get(key)
    if found is None:
        if len(_BUILT) >= _BUILT_LIMIT:
            _BUILT.clear()
        found = _BUILT[key] = build()
    return found


def in_span(column: InstrumentedAttribute[int], span: codes.CodeRange) -> ColumnElement[bool]:
    """``column BETWEEN span.lo AND span.hi``: a subtree of jurisdiction codes (built once)."""
    result: ColumnElement[bool] = built(
        ("span", id(column), span.lo, span.hi), lambda: column.between(span.lo, span.hi)
    )
    return result


@functools.cache
def granted_ids(object_type: ObjectType, action: Action) -> ColumnElement[list[uuid.UUID]]:
    """Ids granted to the caller, as a scalar subquery: computed once per statement, and usable
    as an index condition (``id = ANY (...)``).

    The expression has no parameters (the function reads the signed scope), so one object per
    (type, action) serves every request: building it anew cost each list ~0.1 ms."""
    # The cast keeps `= ANY (array)` from being read as `= ANY (subquery)`.
    ids = ARRAY(UUID(as_uuid=True))
    subquery = select(
        func.xietong_granted_ids(object_type.value, action.value, type_=ids)
    ).scalar_subquery()
    found: ColumnElement[list[uuid.UUID]] = cast(subquery, ids)  # type: ignore[arg-type]
    return found


async def backend_pid(session: AsyncSession) -> int:
    """The PostgreSQL backend serving this session's transaction (a local lookup)."""
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    pid: int = raw.driver_connection.get_server_pid()  # type: ignore[union-attr]
    return pid


SET_SCOPE = (
    # Clear any session-level value first (it would outlive the transaction on a pooled
    # connection), then set this transaction's token (a bind parameter named `token`).
    f"SELECT set_config('{SETTING}', '', false) AS scope_cleared, "
    f"set_config('{SETTING}', :token, true) AS scope_set"
)
_APPLY = text(SET_SCOPE)


def inline_scope(token: str) -> str | None:
    """``SET_SCOPE`` with the token as a literal, for a simple-protocol message; None when the
    token holds a character that would need escaping (never, for the tokens signed here: digits,
    hex, ``:`` and a login; but a quote must never reach SQL text)."""
    if "'" in token or "\\" in token or "\x00" in token:
        return None
    return SET_SCOPE.replace(":token", f"'{token}'") + ";"


_PENDING = "xietong.pending_scope"
"""Where a scope set before the session has a connection waits (``Session.info``)."""


async def apply(session: AsyncSession, scope: Scope, signer: ScopeSigner) -> None:
    """Sign the scope for this connection and set it for the current transaction only.

    Nothing is sent at once. Before the session holds a connection, the scope waits on the
    session and is signed for the connection it then gets (``_on_connection``); before the
    transaction's first statement, it is sent in the same message as its ``BEGIN``
    (``db.prelude``). A request that reads nothing from the database therefore checks out no
    connection and sends nothing. Once the transaction has begun, it is a statement."""
    if not _connected(session.sync_session):
        session.info[_PENDING] = (scope.claims(), signer)
        return
    connection = await session.connection()
    await connection.run_sync(_set, scope.claims(), signer)


def _connected(session: Session) -> bool:
    transaction = session.get_transaction()
    # SessionTransaction keeps the connections it has begun on; none yet: nothing checked out.
    return transaction is not None and bool(transaction._connections)


def _set(connection: Connection, claims: ScopeClaims, signer: ScopeSigner) -> None:
    driver = connection.connection.driver_connection
    assert driver is not None
    token = signer.sign(claims, pid=driver.get_server_pid())
    if isinstance(driver, PreludeConnection) and not driver.is_in_transaction():
        inline = inline_scope(token)
        if inline is not None:
            driver.defer(inline)
            return
    connection.execute(_APPLY, {"token": token})


@event.listens_for(Session, "after_begin")
def _on_connection(session: Session, _transaction: object, connection: Connection) -> None:
    """The session got its connection: the waiting scope is signed for it."""
    pending = session.info.pop(_PENDING, None)
    if pending is not None:
        _set(connection, *pending)


@event.listens_for(Session, "after_transaction_end")
def _on_end(session: Session, transaction: SessionTransaction) -> None:
    """A scope set for a transaction that never used a connection ends with it."""
    if transaction.parent is None:
        session.info.pop(_PENDING, None)


@asynccontextmanager
async def acting_as(
    session: AsyncSession, scope: Scope, signer: ScopeSigner, *, caller: Scope
) -> AsyncIterator[Scope]:
    """Sign ``scope`` for the rest of the block, then the caller's own scope again, whatever
    happened (a savepoint rolled back restores the setting too: it is transaction-local). The
    one way a request acts, for one step, in a narrow scope that is not its caller's: the
    public's filing, a receipt meeting the sender's clock, a host's clock opened by the home."""
    await apply(session, scope, signer)
    try:
        yield scope
    finally:
        await apply(session, caller, signer)


async def scope_status(session: AsyncSession, signer: ScopeSigner) -> str:
    """Whether a scope this process signs verifies in this database: ``ok``, or why not
    (``scope_token.STATUS_HINTS`` says what to do)."""
    token = signer.sign(ScopeClaims(actor="probe"), pid=await backend_pid(session))
    status: str = await session.scalar(text("SELECT xietong_scope_status(:t)"), {"t": token})
    return status
