"""Per-request GraphQL context: the caller, its scope, one database session (one transaction)."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from dataclasses import dataclass
from typing import Any

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
from xietong.access.tokens import InvalidCredentials
from xietong.config import Settings
from xietong.jurisdictions.graphql.dataloaders import JurisdictionLoaders
from xietong.people.graphql.dataloaders import PeopleLoaders


@dataclass(frozen=True, slots=True)
class Loaders:
    """Every context's DataLoaders, created per request so caches never outlive it."""

    jurisdictions: JurisdictionLoaders
    people: PeopleLoaders

    @classmethod
    def create(cls, session: AsyncSession, guard: Guard) -> Loaders:
        return cls(
            jurisdictions=JurisdictionLoaders.create(session),
            people=PeopleLoaders.create(session, guard),
        )


class Context(BaseContext, kw_only=True):
    request_id: str
    db: AsyncSession
    settings: Settings
    loaders: Loaders
    principal: Principal
    scope: scopes.Scope
    guard: Guard


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
            loaders=Loaders.create(session, guard),
            principal=principal,
            scope=scope,
            guard=guard,
        )
