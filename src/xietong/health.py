"""Liveness and readiness for probes and operators."""

from __future__ import annotations

import asyncio
from typing import Any

from litestar import Controller, Response, get
from litestar.datastructures import State
from litestar.status_codes import HTTP_200_OK, HTTP_503_SERVICE_UNAVAILABLE
from sqlalchemy import text

from xietong.db.migrate import known_revisions

READY_TIMEOUT_S = 3.0


async def _probe(state: State) -> str | None:
    # Plain SQL rather than Alembic's MigrationContext, which logs two INFO lines per call:
    # a probe every few seconds would bury the log.
    async with state.engine.connect() as conn:
        if await conn.scalar(text("SELECT to_regclass('alembic_version')")) is None:
            return None
        revision: str | None = await conn.scalar(text("SELECT version_num FROM alembic_version"))
        return revision


class HealthController(Controller):
    path = "/health"
    include_in_schema = False

    @get("/live", cache=False)
    async def live(self) -> dict[str, str]:
        """The process is up and serving; says nothing about its dependencies."""
        return {"status": "ok"}

    @get("/ready", cache=False)
    async def ready(self, state: State) -> Response[dict[str, Any]]:
        """Ready to take traffic: the database answers and its schema is at the code's head, or
        at a revision this code does not know, i.e. a newer release has migrated it.

        The second case is a rolling upgrade: the pre-upgrade hook migrates first, and the old
        pods must keep serving until the new ones are ready (migrations are expand/contract,
        so the previous release works with the next schema; see helm/README.md)."""
        try:
            current = await asyncio.wait_for(_probe(state), timeout=READY_TIMEOUT_S)
        except Exception as exc:  # any failure to reach the database means not ready
            return Response(
                {"status": "unavailable", "database": "unreachable", "error": type(exc).__name__},
                status_code=HTTP_503_SERVICE_UNAVAILABLE,
            )
        head = state.head_revision
        if current is not None and current != head and current not in known_revisions():
            return Response(
                {
                    "status": "ok",
                    "database": "ok",
                    "migrations": {"current": current, "head": head, "newer": True},
                },
                status_code=HTTP_200_OK,
            )
        if current != head:
            return Response(
                {
                    "status": "unavailable",
                    "database": "ok",
                    "migrations": {"current": current, "head": head},
                },
                status_code=HTTP_503_SERVICE_UNAVAILABLE,
            )
        return Response(
            {"status": "ok", "database": "ok", "migrations": {"current": current, "head": head}},
            status_code=HTTP_200_OK,
        )
