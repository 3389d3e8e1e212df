"""Per-request GraphQL context: the caller, its scope, one database session (one transaction)."""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Protocol, Self, TypeVar, cast

import structlog
from litestar import Request
from litestar.datastructures import State
from litestar.exceptions import NotAuthorizedException, ServiceUnavailableException
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.litestar import BaseContext
from strawberry.types import Info as StrawberryInfo

from xietong.access import scope as scopes
from xietong.access.authentication import Confirmation, SignedIn, StaleSignIn, sign_in
from xietong.access.guard import Guard
from xietong.access.principal import ANONYMOUS, Principal
from xietong.access.scope_token import ScopeSigner
from xietong.access.tokens import InvalidCredentials
from xietong.config import Settings
from xietong.deadlines.clock import SYSTEM_CLOCK, Clock
from xietong.jurisdictions.graphql.dataloaders import JurisdictionLoaders
from xietong.people.graphql.dataloaders import PeopleLoaders


class LoaderGroup(Protocol):
    """A context's DataLoaders (``<Target>By<Key>Loader`` fields), built for one request."""

    @classmethod
    def create(cls, session: AsyncSession, guard: Guard) -> Self: ...


G = TypeVar("G", bound=LoaderGroup)


class Loaders:
    """Every context's DataLoaders, created on first use in a request so caches never outlive
    it. A context reaches its own group with ``ctx.loaders.of(TradingLoaders)``; nothing here
    changes when a context is added."""

    __slots__ = ("_groups", "_guard", "_session")

    def __init__(self, session: AsyncSession, guard: Guard) -> None:
        self._session = session
        self._guard = guard
        self._groups: dict[type[Any], Any] = {}

    def of(self, group: type[G]) -> G:
        found = self._groups.get(group)
        if found is None:
            found = self._groups[group] = group.create(self._session, self._guard)
        return cast(G, found)

    @property
    def jurisdictions(self) -> JurisdictionLoaders:
        return self.of(JurisdictionLoaders)

    @property
    def people(self) -> PeopleLoaders:
        return self.of(PeopleLoaders)


class Context(BaseContext, kw_only=True):
    request_id: str
    db: AsyncSession
    settings: Settings
    loaders: Loaders
    principal: Principal
    scope: scopes.Scope
    guard: Guard
    clock: Clock
    """What "now" is: the system clock, or a test's ``ManualClock`` (``app.state.clock``)."""
    signer: ScopeSigner
    """Signs scopes for this process (the public's narrow scope, ``complaints.public``)."""
    client: str | None
    """The caller's network address (bounding public filing), never stored as such."""
    confirmation: Confirmation | None = None
    """The database's confirmation of a remembered caller, still on its way (``confirmed``)."""

    async def confirmed(self) -> None:
        """Return once the database has confirmed the caller (at once when it already has);
        ``StaleSignIn`` if it did not. The request awaits this before it answers anything, and
        before a mutation runs."""
        if self.confirmation is not None:
            await self.confirmation.confirmed()


Info = StrawberryInfo[Context, None]

CALLER_STATE_KEY = "caller"


async def provide_context(
    request: Request[Any, Any, Any], state: State, *, needs_database: bool = True
) -> AsyncGenerator[Context, None]:
    """Sign the caller in, compute the scope once, set it on the transaction (one round trip
    in the usual case: ``access.authentication.sign_in``), and hand over.

    The transaction commits when the request ends and rolls back on error; mutations run in
    savepoints inside it so a refused mutation changes nothing.

    ``needs_database`` False (an operation that reads only ``__typename`` and the schema) from a
    caller without credentials opens no transaction at all: there is nobody to look up and
    nothing to read. The session is there but unused; were it used, it would run without a
    scope, which row-level security answers with no rows.
    """
    if state.authorizer is None:
        raise ServiceUnavailableException(detail="访问策略尚未加载（policy not loaded yet）")
    authorization = request.headers.get("authorization")
    api_key = request.headers.get("x-api-key")
    app_wall = state.get("app_wall", True)
    if not needs_database and not authorization and not api_key:
        session = state.sessions()  # not entered: nothing to close unless something used it
        try:
            yield _context(request, state, session, ANONYMOUS, scopes.Scope.of(ANONYMOUS))
        finally:
            if session.in_transaction():
                await session.close()
        return
    async with _signed_in(request, state, authorization, api_key, app_wall) as (session, signed):
        principal = signed.principal
        caller = {"login": principal.actor, "jurisdiction": principal.jurisdiction_code}
        structlog.contextvars.bind_contextvars(**caller)  # lines logged while serving it
        request.scope.setdefault("state", {})[CALLER_STATE_KEY] = caller  # the request line
        yield _context(
            request, state, session, principal, signed.scope, confirmation=signed.confirmation
        )


@asynccontextmanager
async def _signed_in(
    request: Request[Any, Any, Any],
    state: State,
    authorization: str | None,
    api_key: str | None,
    app_wall: bool,
) -> AsyncIterator[tuple[AsyncSession, SignedIn]]:
    """A transaction with the caller signed in and its scope set (or on its way, with a
    remembered caller's confirmation: ``SignedIn.confirmation``).

    The pool does not test connections as they leave it (``db.engine.make_engine``): when the
    first statement finds its connection dead (the server restarted, a proxy dropped it), it is
    tried once more on a fresh one. Nothing has run in the transaction yet, so nothing is lost.
    A remembered caller's dead connection shows later, as a ``StaleSignIn`` from
    ``Context.confirmed``, and the request retries then (``api.http``).
    """
    for attempt in (1, 2):
        handed_over = False
        try:
            # The session begins its transaction with its first use (``begin_soon`` or the
            # lookup), not with a ``session.begin()`` of its own: one switch into SQLAlchemy's
            # greenlet fewer. Leaving on an exception closes the session, which rolls back.
            async with state.sessions() as session:
                try:
                    signed = await sign_in(
                        session,
                        authorization=authorization,
                        api_key=api_key,
                        tokens=state.tokens,
                        signer=state.scope_signer,
                        scope_of=lambda p: scopes.Scope.of(p, app_wall=app_wall),
                        hints=state.sign_in_hints,
                    )
                except InvalidCredentials as exc:
                    raise NotAuthorizedException(detail=str(exc)) from None
                handed_over = True
                try:
                    yield session, signed
                except BaseException:
                    if signed.confirmation is not None:
                        # The rollback must not overtake the BEGIN still on its way.
                        await signed.confirmation.settled()
                    raise
                if signed.confirmation is not None:
                    await signed.confirmation.confirmed()
                await session.commit()
            return
        except StaleSignIn:
            if handed_over or attempt == 2:
                raise
        except DBAPIError as exc:
            if handed_over or attempt == 2 or not exc.connection_invalidated:
                raise


def _context(
    request: Request[Any, Any, Any],
    state: State,
    session: AsyncSession,
    principal: Principal,
    scope: scopes.Scope,
    *,
    confirmation: Confirmation | None = None,
) -> Context:
    guard = Guard(principal, scope, state.authorizer, session)
    return Context(
        request_id=request.scope.get("state", {}).get("request_id", "-"),
        db=session,
        settings=state.settings,
        loaders=Loaders(session, guard),
        principal=principal,
        scope=scope,
        guard=guard,
        clock=state.get("clock", SYSTEM_CLOCK),
        signer=state.scope_signer,
        client=request.client.host if request.client else None,
        confirmation=confirmation,
    )
