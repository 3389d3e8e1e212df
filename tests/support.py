"""Helpers shared by the integration tests: an app per database, GraphQL calls as a person."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncConnection

from tests.conftest import TEST_SERVER_SECRET, TEST_SIGNER, Database
from xietong.access.scope_token import ScopeClaims, ScopeSigner
from xietong.access.tokens import TokenService
from xietong.app import create_app
from xietong.config import AuthSettings, DatabaseSettings, Environment, Settings

TEST_SECRET = "test-signing-secret-that-is-long-enough-for-hs256"


def settings_for(db: Database, **overrides: Any) -> Settings:
    return dataclasses.replace(
        Settings(env=Environment.TEST),
        database=DatabaseSettings(url=db.app_url, migration_url=db.owner_url, pool_size=2),
        auth=AuthSettings(jwt_secret=TEST_SECRET),
        secret_key=TEST_SERVER_SECRET,
        **overrides,
    )


_tokens = TokenService(AuthSettings(jwt_secret=TEST_SECRET), TEST_SECRET)


def bearer(login: str) -> dict[str, str]:
    return {"authorization": f"Bearer {_tokens.issue(login)}"}


class GraphQLClient:
    def __init__(self, client: AsyncTestClient[Litestar]) -> None:
        self.http = client

    async def __call__(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        login: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        all_headers = {**(bearer(login) if login else {}), **(headers or {})}
        response = await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=all_headers
        )
        assert response.status_code in (200, 401), response.text
        body: dict[str, Any] = response.json()
        return body

    async def data(
        self, query: str, variables: dict[str, Any] | None = None, *, login: str | None = None
    ) -> dict[str, Any]:
        body = await self(query, variables, login=login)
        assert "errors" not in body, body["errors"]
        data: dict[str, Any] = body["data"]
        return data

    @property
    def app(self) -> Litestar:
        return self.http.app


@asynccontextmanager
async def graphql_client(db: Database, **overrides: Any) -> AsyncIterator[GraphQLClient]:
    async with AsyncTestClient(create_app(settings_for(db, **overrides))) as client:
        yield GraphQLClient(client)


def error_codes(body: dict[str, Any]) -> list[str]:
    return [e.get("extensions", {}).get("code") for e in body.get("errors") or []]


class QueryCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)


@dataclasses.dataclass
class Counting:
    app: Litestar

    def __enter__(self) -> QueryCounter:
        self.counter = QueryCounter()
        event.listen(self.app.state.engine.sync_engine, "before_cursor_execute", self._before)
        return self.counter

    def __exit__(self, *_: object) -> None:
        event.remove(self.app.state.engine.sync_engine, "before_cursor_execute", self._before)

    def _before(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        self.counter.statements.append(statement)


def counting(app: Litestar) -> Counting:
    return Counting(app)


async def backend_pid(conn: AsyncConnection) -> int:
    pid: int = await conn.scalar(text("SELECT pg_backend_pid()"))
    return pid


def scope_token(
    pid: int,
    *,
    read: tuple[int, int] | None = None,
    write: int | None = None,
    jurisdiction: int | None = None,
    department: uuid.UUID | None = None,
    actor: str = "test",
    now: float | None = None,
    signer: ScopeSigner = TEST_SIGNER,
) -> str:
    """A scope as the application signs it (``xietong.access.scope_token``)."""
    claims = ScopeClaims(
        actor=actor,
        read_lo=read[0] if read else None,
        read_hi=read[1] if read else None,
        write_code=write,
        jurisdiction_code=jurisdiction if jurisdiction is not None else write,
        department_id=department,
    )
    return signer.sign(claims, pid=pid, now=now)


async def signed_scope(conn: AsyncConnection, **claims: Any) -> str:
    """Sign a scope for this connection and set it for the current transaction."""
    token = scope_token(await backend_pid(conn), **claims)
    await conn.execute(text("SELECT set_config('xietong.scope', :t, true)"), {"t": token})
    return token
