"""A bare ASGI caller for in-process benchmarks: the application's own time, not a client's.

httpx's ``ASGITransport`` adds ~0.4–0.5 ms a request on this machine (a task per request, its
streams and models), as much as the raw SQL some benchmarks compare with, and it returns only
after the application has finished, background tasks included, although the answer was complete
before them (a query's transaction ends after its answer: ``api.http``). ``post`` hands the app
one ``http.request`` message and times until the last body message of the answer; it still
awaits the application to the end, so nothing it does afterwards overlaps the next request.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import msgspec


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    body: bytes
    seconds: float
    """From the call to the answer's last byte."""

    def json(self) -> Any:
        return msgspec.json.decode(self.body)


async def post(
    app: Any,
    path: str,
    payload: Any,
    headers: dict[str, str],
    *,
    answered: Callable[[], None] | None = None,
) -> Answer:
    """``payload`` as JSON to ``path``; ``answered`` is called as the answer's last byte goes
    (``tests/integration/api/test_query_transaction.py`` orders it against the commit)."""
    body = msgspec.json.encode(payload)
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"bench"),
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            *((k.lower().encode(), v.encode()) for k, v in headers.items()),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("bench", 80),
    }
    received = False
    status = 0
    chunks: list[bytes] = []
    done = 0.0

    async def receive() -> dict[str, Any]:
        nonlocal received
        if not received:
            received = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.Event().wait()  # the client never disconnects
        raise AssertionError("unreachable")

    async def send(message: dict[str, Any]) -> None:
        nonlocal status, done
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                done = time.perf_counter()
                if answered is not None:
                    answered()

    started = time.perf_counter()
    await app(scope, receive, send)
    return Answer(status, b"".join(chunks), done - started)
