"""What authentication + scope + enforcement add to one GraphQL request.

The same request (an office listing 20 officers of its pool) is sent through the same application
in two configurations, interleaved in one run so machine noise hits both alike:

- *with*: a bearer token verified and looked up, the scope computed and set on the transaction,
  Casbin consulted, the application filter applied, PostgreSQL row-level security in force;
- *without*: the principal handed in ready-made, no scope settings, every decision allowed, no
  application filter, connected as the table owner (whose policy lets every row through).

Reported: median and p90 per request for each, and the ratio with/without. Requests go through
the ASGI app in-process (no sockets), so the figures are the application's own cost.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import statistics
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any
from unittest import mock

import httpx
from litestar import Litestar

from bench.database import seeded_database
from xietong import logging as xlogging
from xietong.access import guard as guard_module
from xietong.access import scope as scope_module
from xietong.access.policy import Decision
from xietong.access.tokens import TokenService
from xietong.api import context as context_module
from xietong.app import create_app
from xietong.config import AuthSettings, DatabaseSettings, Environment, Settings

SECRET = "bench-signing-secret-of-sufficient-length-0000"
QUERY = '{ officerPool(jurisdiction: "422825", first: 20) { nodes { certificate speciality } } }'
ROUNDS = 20
PER_ROUND = 25


def _settings(url: str) -> Settings:
    return dataclasses.replace(
        Settings(env=Environment.TEST),
        database=DatabaseSettings(url=url, pool_size=4),
        auth=AuthSettings(jwt_secret=SECRET),
        log_level="WARNING",
    )


@asynccontextmanager
async def _lifespan(app: Litestar) -> AsyncIterator[None]:
    async with app.lifespan():  # startup and shutdown hooks, in this event loop
        yield


@contextmanager
def _without_access(principal: Any) -> Any:
    """Skip authentication, scope and enforcement: the baseline."""

    async def authenticate(*_: Any, **__: Any) -> Any:
        return principal

    async def apply(*_: Any, **__: Any) -> None:
        return None

    async def decide(self: Any, *_: Any, **__: Any) -> Decision:
        return Decision(allowed=True, reach=guard_module.Reach.SUBTREE)

    with (
        mock.patch.object(context_module, "authenticate", authenticate),
        mock.patch.object(scope_module, "apply", apply),
        mock.patch.object(guard_module.Guard, "decide", decide),
        mock.patch.object(scope_module.Scope, "visible", return_value=scope_module.true()),
    ):
        yield


async def _time(client: httpx.AsyncClient, headers: dict[str, str], n: int) -> list[float]:
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        response = await client.post("/graphql", json={"query": QUERY}, headers=headers)
        samples.append(time.perf_counter() - started)
        body = response.json()
        if "errors" in body or not body["data"]["officerPool"]["nodes"]:
            raise RuntimeError(f"benchmark request failed: {body}")
    return samples


async def run() -> dict[str, Any]:
    async with seeded_database() as db:
        with_app = create_app(_settings(db.app_url))
        without_app = create_app(_settings(db.owner_url))
        token = TokenService(AuthSettings(jwt_secret=SECRET), SECRET).issue("xuanen.office")
        headers = {"authorization": f"Bearer {token}"}
        async with _lifespan(with_app), _lifespan(without_app):
            with_client = httpx.AsyncClient(
                transport=httpx.ASGITransport(app=with_app), base_url="http://bench"
            )
            without_client = httpx.AsyncClient(
                transport=httpx.ASGITransport(app=without_app), base_url="http://bench"
            )
            # the principal the baseline is handed: the same person, looked up once
            async with with_app.state.sessions() as session:
                from xietong.access.authentication import person_principal

                principal = await person_principal(session, "xuanen.office")
            await _time(with_client, headers, 20)  # warm up both
            with _without_access(principal):
                await _time(without_client, {}, 20)
            timings: dict[str, list[float]] = {"with": [], "without": []}
            for _ in range(ROUNDS):
                timings["with"] += await _time(with_client, headers, PER_ROUND)
                with _without_access(principal):
                    timings["without"] += await _time(without_client, {}, PER_ROUND)
            await with_client.aclose()
            await without_client.aclose()

    def stats(xs: list[float]) -> dict[str, float]:
        xs = sorted(xs)
        return {
            "median_ms": round(statistics.median(xs) * 1000, 3),
            "p90_ms": round(xs[int(len(xs) * 0.9)] * 1000, 3),
            "n": len(xs),
        }

    result = {name: stats(xs) for name, xs in timings.items()}
    result["ratio_median"] = round(result["with"]["median_ms"] / result["without"]["median_ms"], 3)
    result["added_median_ms"] = round(
        result["with"]["median_ms"] - result["without"]["median_ms"], 3
    )
    return result


def main() -> None:
    xlogging.configure("WARNING")
    result = asyncio.run(run())
    print("access overhead: authentication + scope + enforcement per request")
    print(json.dumps(result, indent=2))
