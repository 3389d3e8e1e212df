"""Count round trips to PostgreSQL: a TCP proxy that counts the server's ``ReadyForQuery``.

Every exchange that makes the client wait ends with exactly one ``ReadyForQuery`` ('Z'): a
simple query (``BEGIN``, ``COMMIT``, ``BEGIN; SELECT set_config(…)``), and each Sync of the
extended protocol (a prepare, a bind-and-execute). So the number of 'Z' messages the server
sends is the number of round trips the client waited for. Connect through ``url()`` with SSL
off (``ssl=disable``: the SSL negotiation's one-byte answer has no frame).

Used by ``bench path`` (round trips per request) and by the tests of ``db.prelude``.
"""

from __future__ import annotations

import asyncio
import contextlib
import struct
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.engine import make_url


class RoundTripCounter:
    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = 0
        self.round_trips = 0
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    def url(self, url: str) -> str:
        parsed = make_url(url).set(host="127.0.0.1", port=self.port)
        return parsed.update_query_dict({"ssl": "disable"}).render_as_string(False)

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _accept(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)  # type: ignore[arg-type]
        server_w: asyncio.StreamWriter | None = None
        try:
            server_r, server_w = await asyncio.open_connection(*self.target)
            await asyncio.gather(_pipe(client_r, server_w), self._count(server_r, client_w))
        except (OSError, asyncio.CancelledError, asyncio.IncompleteReadError):
            pass
        finally:
            self._tasks.discard(task)  # type: ignore[arg-type]
            for writer in (client_w, server_w):
                if writer is not None:
                    with contextlib.suppress(Exception):
                        writer.close()

    async def _count(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            head = await reader.readexactly(5)
            kind, length = head[:1], struct.unpack("!I", head[1:])[0]
            body = await reader.readexactly(length - 4)
            if kind == b"Z":
                self.round_trips += 1
            writer.write(head + body)
            await writer.drain()


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    while data := await reader.read(65536):
        writer.write(data)
        await writer.drain()
    writer.close()


@asynccontextmanager
async def counting(url: str) -> AsyncIterator[RoundTripCounter]:
    """A counter in front of the server of ``url``; connect to ``counter.url(url)``."""
    parsed = make_url(url)
    counter = RoundTripCounter(parsed.host or "127.0.0.1", parsed.port or 5432)
    await counter.start()
    try:
        yield counter
    finally:
        await counter.stop()
