"""Reload every process's policy when it changes: PostgreSQL LISTEN/NOTIFY, no extra service.

Triggers on the tables the policy is built from (jurisdictions, departments, power lists;
migration 0004) move ``policy_version`` and call ``pg_notify('xietong_policy', …)`` in the
writer's transaction; PostgreSQL delivers it on commit to every API process listening, which
rebuilds its authorizer if the version moved. Anyone connected can send a NOTIFY, so the message
itself is only a prompt to look: the application role cannot move the version. A lost connection
is re-established with backoff and followed by a check, so a notification missed while
disconnected costs nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import Awaitable, Callable

import asyncpg
import structlog

from xietong.db.engine import asyncpg_dsn

POLICY_CHANNEL = "xietong_policy"
_DEBOUNCE_S = 0.2
_KEEPALIVE_S = 30.0
_TIMEOUT_S = 10.0
"""A connection attempt or keep-alive query that takes longer means a frozen server: retry."""

log = structlog.get_logger("xietong.access.watcher")


def _set(event: asyncio.Event, *_: object) -> None:
    event.set()


class PolicyWatcher:
    def __init__(
        self, url: str, reload: Callable[[], Awaitable[bool]], *, reload_on_connect: bool = False
    ) -> None:
        self._dsn = asyncpg_dsn(url)
        self._reload_on_connect = reload_on_connect
        self._reload = reload
        self._task: asyncio.Task[None] | None = None
        self._pending: asyncio.TimerHandle | None = None
        self.reloads = 0
        """Reloads that changed the policy."""
        self.checks = 0
        """Notifications (and reconnects) acted on, whether or not the policy had changed."""
        self.listening = asyncio.Event()
        """Set while connected and listening (tests wait for it before notifying)."""

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="policy-watcher")

    async def stop(self) -> None:
        if self._pending:
            self._pending.cancel()
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def _notified(self, *_: object) -> None:
        # Debounce: a tenant load may notify once per file.
        if self._pending:
            self._pending.cancel()
        loop = asyncio.get_running_loop()
        self._pending = loop.call_later(_DEBOUNCE_S, lambda: asyncio.ensure_future(self._do()))

    async def _do(self) -> None:
        try:
            changed = await self._reload()
            self.checks += 1
            if changed:
                self.reloads += 1
                log.info("policy reloaded", reloads=self.reloads)
            else:
                log.debug("policy notification, version unchanged; nothing reloaded")
        except Exception:
            log.exception("policy reload failed; keeping the previous policy")

    async def _run(self) -> None:
        delay = 0.5
        while True:
            try:
                conn = await asyncpg.connect(self._dsn, timeout=_TIMEOUT_S)
            except (OSError, asyncpg.PostgresError) as exc:
                log.warning("policy watcher cannot connect; retrying", error=str(exc))
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30)
                continue
            try:
                await conn.add_listener(POLICY_CHANNEL, self._notified)
                self.listening.set()
                if self._reload_on_connect:
                    self._notified()  # a change may have been missed while disconnected
                self._reload_on_connect, delay = True, 0.5
                closed = asyncio.Event()
                conn.add_termination_listener(functools.partial(_set, closed))
                while not closed.is_set():
                    try:
                        await asyncio.wait_for(closed.wait(), timeout=_KEEPALIVE_S)
                    except TimeoutError:
                        # Notice a silently dead or frozen connection (TimeoutError is an OSError).
                        await conn.execute("SELECT 1", timeout=_TIMEOUT_S)
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                log.warning("policy watcher lost its connection; reconnecting", error=str(exc))
            finally:
                self.listening.clear()
                with contextlib.suppress(Exception):
                    await conn.close(timeout=_TIMEOUT_S)
