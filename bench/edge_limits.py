"""What the GraphQL edge spends on hostile and on ordinary documents, and what the cache saves.

Through the ASGI app in-process (no sockets), interleaved in one run:

- *baseline*: ``{ __typename }``, the cheapest request that runs (a transaction, no rows);
- *bomb*: the 826-byte class of document ``query{...F0}`` with ``fragment Fi on Query
  {...Fi+1 ...Fi+1}`` for 20 levels, sent new each time (a comment makes every copy a cache
  miss), so each is parsed and measured from scratch; it must be refused, in well under 50 ms;
- *live during bombs*: ``/health/live`` while a second task sends bombs without pause;
- *typical, uncached* / *cached*: the README's jurisdiction query, new each time or the same
  text, which gives the document cache's effect on an ordinary request.

    python -m bench limits
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import json
import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from bench.database import seeded_database
from xietong import logging as xlogging
from xietong.app import create_app
from xietong.config import AuthSettings, DatabaseSettings, Environment, Settings

LEVELS = 20
TYPICAL = '{ jurisdiction(code: "422825") { code name level ancestors { code name } } }'
ROUNDS = 10
PER_ROUND = 20
_serial = itertools.count()


def bomb() -> str:
    """A fresh copy of the fragment bomb (the comment defeats the document cache)."""
    return (
        f"# {next(_serial)}\nquery{{...F0}}"
        + "".join(f"fragment F{i} on Query{{...F{i + 1} ...F{i + 1}}}" for i in range(LEVELS))
        + f"fragment F{LEVELS} on Query{{__typename}}"
    )


def _settings(url: str) -> Settings:
    return dataclasses.replace(
        Settings(env=Environment.TEST),
        database=DatabaseSettings(url=url, pool_size=4),
        auth=AuthSettings(jwt_secret="bench-signing-secret-of-sufficient-length-0000"),
        log_level="WARNING",
    )


async def _timed(
    call: Callable[[], Awaitable[httpx.Response]], check: Callable[[Any], bool]
) -> float:
    started = time.perf_counter()
    response = await call()
    seconds = time.perf_counter() - started
    if not check(response):
        raise RuntimeError(f"unexpected answer: {response.status_code} {response.text[:300]}")
    return seconds


def _stats(xs: list[float]) -> dict[str, float]:
    xs = sorted(xs)
    return {
        "median_ms": round(statistics.median(xs) * 1000, 3),
        "p99_ms": round(xs[min(len(xs) - 1, int(len(xs) * 0.99))] * 1000, 3),
        "max_ms": round(xs[-1] * 1000, 3),
        "n": len(xs),
    }


async def run() -> dict[str, Any]:
    async with seeded_database() as db:
        app = create_app(_settings(db.app_url))
        async with (
            app.lifespan(),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://bench"
            ) as client,
        ):

            def post(query: str) -> Callable[[], Awaitable[httpx.Response]]:
                return lambda: client.post("/graphql", json={"query": query})

            def ran(response: httpx.Response) -> bool:
                return response.status_code == 200 and "errors" not in response.json()

            def refused(response: httpx.Response) -> bool:
                errors = response.json().get("errors") or [{}]
                return errors[0].get("extensions", {}).get("code") == "QUERY_TOO_COSTLY"

            timings: dict[str, list[float]] = {
                "baseline": [],
                "bomb": [],
                "typical_uncached": [],
                "typical_cached": [],
            }
            for _ in range(3):  # warm up
                await _timed(post("{ __typename }"), ran)
                await _timed(post(bomb()), refused)
                await _timed(post(TYPICAL), ran)
            for _ in range(ROUNDS):
                for _ in range(PER_ROUND):
                    timings["baseline"].append(await _timed(post("{ __typename }"), ran))
                    timings["bomb"].append(await _timed(post(bomb()), refused))
                    fresh = f"# {next(_serial)}\n{TYPICAL}"
                    timings["typical_uncached"].append(await _timed(post(fresh), ran))
                    timings["typical_cached"].append(await _timed(post(TYPICAL), ran))

            # /health/live while bombs keep coming, side by side in the same event loop.
            stop = asyncio.Event()

            async def bombard() -> int:
                sent = 0
                while not stop.is_set():
                    await _timed(post(bomb()), refused)
                    sent += 1
                    # In-process requests never wait on a socket; yield as a server's would.
                    await asyncio.sleep(0)
                return sent

            bomber = asyncio.create_task(bombard())
            live: list[float] = []
            for _ in range(ROUNDS * PER_ROUND):
                live.append(
                    await _timed(lambda: client.get("/health/live"), lambda r: r.status_code == 200)
                )
                await asyncio.sleep(0)
            stop.set()
            bombs_meanwhile = await bomber

    result: dict[str, Any] = {name: _stats(xs) for name, xs in timings.items()}
    result["live_during_bombs"] = {**_stats(live), "bombs_meanwhile": bombs_meanwhile}
    base = result["baseline"]["median_ms"]
    result["ratio_bomb_to_baseline"] = round(result["bomb"]["median_ms"] / base, 3)
    result["ratio_cached_to_uncached"] = round(
        result["typical_cached"]["median_ms"] / result["typical_uncached"]["median_ms"], 3
    )
    return result


def main(argv: list[str]) -> int:
    xlogging.configure("WARNING")
    result = asyncio.run(run())
    print(f"GraphQL edge: a {LEVELS}-level fragment bomb, /health/live meanwhile, the cache")
    print(json.dumps(result, indent=2))
    return 0
