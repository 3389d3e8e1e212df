"""Per-request GraphQL context: the caller, its scope, one database session (one transaction)."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any, Protocol, Self, TypeVar, cast

import structlog
from litestar import Request
from litestar.datastructures import State
from litestar.exceptions import NotAuthorizedException, ServiceUnavailableException
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.litestar import BaseContext
from strawberry.types import Info as StrawberryInfo

from xietong.access import scope as scopes
from xietong.access.authentication import sign_in
from xietong.access.guard import Guard
from xietong.access.principal import Principal
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


Info = StrawberryInfo[Context, None]

CALLER_STATE_KEY = "caller"


async def provide_context(
    request: Request[Any, Any, Any], state: State
) -> AsyncGenerator[Context, None]:
    """Sign the caller in, compute the scope once, set it on the transaction (one round trip
    in the usual case: ``access.authentication.sign_in``), and hand over.

    The transaction commits when the request ends and rolls back on error; mutations run in
    savepoints inside it so a refused mutation changes nothing.
    """
    if state.authorizer is None:
        raise ServiceUnavailableException(detail="访问策略尚未加载（policy not loaded yet）")
    async with state.sessions() as session, session.begin():
        app_wall = state.get("app_wall", True)
        try:
            principal, scope = await sign_in(
                session,
                authorization=request.headers.get("authorization"),
                api_key=request.headers.get("x-api-key"),
                tokens=state.tokens,
                signer=state.scope_signer,
                scope_of=lambda p: scopes.Scope.of(p, app_wall=app_wall),
                hints=state.sign_in_hints,
            )
        except InvalidCredentials as exc:
            raise NotAuthorizedException(detail=str(exc)) from None
        caller = {"login": principal.actor, "jurisdiction": principal.jurisdiction_code}
        structlog.contextvars.bind_contextvars(**caller)  # lines logged while serving it
        request.scope.setdefault("state", {})[CALLER_STATE_KEY] = caller  # the request line
        guard = Guard(principal, scope, state.authorizer, session)
        yield Context(
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
        )
