"""What access control adds to one GraphQL request, and what the signed scope adds to that.

The same request (an office listing 20 officers of its pool) is sent through the application in
four configurations, interleaved round by round in one run so machine noise hits all alike:

- ``without``: the principal handed in ready-made, no scope, every decision allowed, no
  application filter, connected as the table owner (whose policy lets every row through);
- ``plain``: access control as before migration 0004 — the scope as plain settings the policies
  read directly, the caller looked up through ``xietong_person_by_login`` and cached for 60 s
  (a database at revision 0003, and the old sign-in reproduced below);
- ``signed``: as shipped — the signed scope, and the caller looked up on every request (so a
  deactivation takes effect at once), in the same round trip as setting the scope;
- ``signed, 2 trips``: the same with the per-process sign-in hints off, so the lookup and the
  scope take a round trip each (what the hints save).

Reported: median and p90 per request for each; ratios to ``without`` and of the signed
configurations to ``plain``, paired within each round (the median of the per-round ratios, with
quartiles), because on a shared machine the load drifts between rounds. Requests go through the
ASGI app in-process (no sockets), so the figures are the application's own cost.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import statistics
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, asynccontextmanager, contextmanager
from typing import Any
from unittest import mock

import httpx
from litestar import Litestar
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from bench.database import seeded_database
from xietong import logging as xlogging
from xietong.access import authentication as authentication_module
from xietong.access import guard as guard_module
from xietong.access import policy as policy_module
from xietong.access import scope as scope_module
from xietong.access.policy import Decision
from xietong.access.principal import Principal
from xietong.access.scope_token import ScopeSigner
from xietong.access.tokens import TokenService
from xietong.api import context as context_module
from xietong.app import create_app
from xietong.config import AuthSettings, DatabaseSettings, Environment, Settings
from xietong.keys import Keyring

SECRET = "bench-signing-secret-of-sufficient-length-0000"
SERVER_SECRET = "bench-server-secret-of-sufficient-length-0000"
QUERY = '{ officerPool(jurisdiction: "422825", first: 20) { nodes { certificate speciality } } }'
ROUNDS = 40
PER_ROUND = 15
CACHE_TTL_S = 60.0  # the principal cache this issue removed


def _settings(url: str) -> Settings:
    return dataclasses.replace(
        Settings(env=Environment.TEST),
        database=DatabaseSettings(url=url, pool_size=4),
        auth=AuthSettings(jwt_secret=SECRET),
        secret_key=SERVER_SECRET,
        log_level="WARNING",
    )


@asynccontextmanager
async def _lifespan(app: Litestar) -> AsyncIterator[None]:
    async with app.lifespan():  # startup and shutdown hooks, in this event loop
        yield


@contextmanager
def _without_access(principal: Principal) -> Iterator[None]:
    """Skip authentication, scope and enforcement: the baseline."""

    async def sign_in(*_: Any, scope_of: Callable[[Principal], Any], **__: Any) -> Any:
        return principal, scope_of(principal)

    async def decide(self: Any, *_: Any, **__: Any) -> Decision:
        return Decision(allowed=True, reach=guard_module.Reach.SUBTREE)

    with (
        mock.patch.object(context_module, "sign_in", sign_in),
        mock.patch.object(guard_module.Guard, "decide", decide),
        mock.patch.object(scope_module.Scope, "visible", return_value=scope_module.true()),
    ):
        yield


@contextmanager
def _plain_scope() -> Iterator[None]:
    """Access control as before 0004: plain settings, 0003's lookup, the 60 s principal cache."""
    cache: dict[str, tuple[float, Principal]] = {}

    async def sign_in(
        session: AsyncSession,
        *,
        authorization: str,
        tokens: TokenService,
        scope_of: Callable[[Principal], scope_module.Scope],
        **_: Any,
    ) -> tuple[Principal, scope_module.Scope]:
        login = tokens.verify(authorization.removeprefix("Bearer "))
        hit = cache.get(login)
        if hit is not None and hit[0] > time.monotonic():
            principal = hit[1]
        else:
            row = (
                (
                    await session.execute(
                        text("SELECT * FROM xietong_person_by_login(:login)"), {"login": login}
                    )
                )
                .mappings()
                .one()
            )
            principal = authentication_module.person_principal_of(dict(row))
            cache[login] = (time.monotonic() + CACHE_TTL_S, principal)
        scope = scope_of(principal)
        values = {
            "xietong.actor": scope.actor,
            "xietong.read_lo": str(scope.read.lo) if scope.read else "",
            "xietong.read_hi": str(scope.read.hi) if scope.read else "",
            "xietong.write_code": "" if scope.write_code is None else str(scope.write_code),
            "xietong.jurisdiction": str(scope.jurisdiction_code or ""),
            "xietong.department": str(scope.department_id or ""),
        }
        await session.execute(
            select(*(func.set_config(name, value, True) for name, value in values.items()))
        )
        return principal, scope

    async def no_version(_: AsyncSession) -> None:
        return None

    with (
        mock.patch.object(context_module, "sign_in", sign_in),
        mock.patch.object(policy_module, "policy_version", no_version),
    ):
        yield


@contextmanager
def _no_hints(app: Litestar) -> Iterator[None]:
    hints, app.state.sign_in_hints = app.state.sign_in_hints, None
    try:
        yield
    finally:
        app.state.sign_in_hints = hints


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


async def _grant_like_0003(url: str) -> None:
    """0003's migrate granted the application role data access to everything."""
    from xietong.db.engine import make_engine

    engine = make_engine(url, pool_size=1)
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO xietong_app"
            )
        )
        await conn.execute(text("GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO xietong_app"))
    await engine.dispose()


async def run(rounds: int = ROUNDS) -> dict[str, Any]:
    key = ScopeSigner.from_keyring(Keyring.of(SERVER_SECRET)).material()
    token = TokenService(AuthSettings(jwt_secret=SECRET), SECRET).issue("xuanen.office")
    async with seeded_database(key) as db, seeded_database(key, revision="0003") as old_db:
        await _grant_like_0003(old_db.owner_url)
        signed = create_app(_settings(db.app_url))
        without = create_app(_settings(db.owner_url))
        plain = create_app(_settings(old_db.app_url))
        async with _lifespan(signed), _lifespan(without):
            with _plain_scope():  # its startup loads the policy from a 0003 database
                plain_lifespan = _lifespan(plain)
                await plain_lifespan.__aenter__()
            try:
                return await _measure(signed, without, plain, token, rounds)
            finally:
                with _plain_scope():
                    await plain_lifespan.__aexit__(None, None, None)


async def _measure(
    signed: Litestar, without: Litestar, plain: Litestar, token: str, rounds: int
) -> Any:
    def client(app: Litestar) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench")

    # the principal the baseline is handed: the same person, looked up once
    async with signed.state.sessions() as session, session.begin():
        principal = await authentication_module.person_principal(
            session, "xuanen.office", signed.state.scope_signer
        )
    assert principal is not None
    bearer = {"authorization": f"Bearer {token}"}
    configurations: dict[
        str, tuple[Callable[[], AbstractContextManager[Any]], Litestar, dict[str, str]]
    ] = {
        "without": (lambda: _without_access(principal), without, {}),
        "plain": (_plain_scope, plain, bearer),
        "signed": (ExitStack, signed, bearer),
        "signed, 2 trips": (lambda: _no_hints(signed), signed, bearer),
    }
    clients = {name: client(app) for name, (_, app, _) in configurations.items()}
    measured: list[dict[str, list[float]]] = []
    try:
        for warming in (True, *([False] * rounds)):
            this_round = {}
            for name, (mode, _, headers) in configurations.items():
                with mode():
                    this_round[name] = await _time(
                        clients[name], headers, 20 if warming else PER_ROUND
                    )
            if not warming:
                measured.append(this_round)
    finally:
        for c in clients.values():
            await c.aclose()
    return _report(measured)


def _paired(rounds: list[dict[str, list[float]]], name: str, base: str) -> dict[str, float]:
    """The ratio of two configurations' medians within each round, summarised over rounds: on
    a shared machine the load drifts between rounds, and a paired ratio cancels that drift."""
    ratios = sorted(statistics.median(r[name]) / statistics.median(r[base]) for r in rounds)
    quartiles = statistics.quantiles(ratios, n=4)
    return {
        "median": round(statistics.median(ratios), 3),
        "q1": round(quartiles[0], 3),
        "q3": round(quartiles[2], 3),
    }


def _report(rounds: list[dict[str, list[float]]]) -> dict[str, Any]:
    timings = {name: [x for r in rounds for x in r[name]] for name in rounds[0]}

    def stats(xs: list[float]) -> dict[str, float]:
        xs = sorted(xs)
        return {
            "median_ms": round(statistics.median(xs) * 1000, 3),
            "p90_ms": round(xs[int(len(xs) * 0.9)] * 1000, 3),
            "n": len(xs),
        }

    result: dict[str, Any] = {name: stats(xs) for name, xs in timings.items()}
    result["ratio_to_without"] = {
        name: _paired(rounds, name, "without") for name in timings if name != "without"
    }
    plain = result["plain"]["median_ms"]
    result["signed_vs_plain"] = {
        name: {
            **_paired(rounds, name, "plain"),
            "added_median_ms": round(result[name]["median_ms"] - plain, 3),
        }
        for name in ("signed", "signed, 2 trips")
    }
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench access")
    parser.add_argument("--rounds", type=int, default=ROUNDS, help=f"default {ROUNDS}")
    args = parser.parse_args(argv or [])
    xlogging.configure("WARNING")
    result = asyncio.run(run(args.rounds))
    print("access overhead: authentication + scope + enforcement per request")
    print(json.dumps(result, indent=2))
