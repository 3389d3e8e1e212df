"""Per-request GraphQL context: one database session (one transaction), loaders, request id."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from dataclasses import dataclass
from typing import Any

from litestar import Request
from litestar.datastructures import State
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.litestar import BaseContext
from strawberry.types import Info as StrawberryInfo

from xietong.config import Settings
from xietong.jurisdictions.graphql.dataloaders import JurisdictionLoaders


@dataclass(frozen=True, slots=True)
class Loaders:
    """Every context's DataLoaders, created per request so caches never outlive it."""

    jurisdictions: JurisdictionLoaders

    @classmethod
    def create(cls, session: AsyncSession) -> Loaders:
        return cls(jurisdictions=JurisdictionLoaders.create(session))


class Context(BaseContext, kw_only=True):
    request_id: str
    db: AsyncSession
    settings: Settings
    loaders: Loaders


Info = StrawberryInfo[Context, None]


async def provide_context(
    request: Request[Any, Any, Any], state: State
) -> AsyncGenerator[Context, None]:
    """One transaction per request: committed when the request ends, rolled back on error."""
    async with state.sessions() as session, session.begin():
        yield Context(
            request_id=request.scope.get("state", {}).get("request_id", "-"),
            db=session,
            settings=state.settings,
            loaders=Loaders.create(session),
        )
