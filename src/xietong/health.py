"""Liveness and readiness for probes and operators."""

from __future__ import annotations

import asyncio
from typing import Any

import structlog
from litestar import Controller, Response, get
from litestar.datastructures import State
from litestar.status_codes import HTTP_200_OK, HTTP_503_SERVICE_UNAVAILABLE
from sqlalchemy import text

from xietong.access.scope_token import STATUS_HINTS, ScopeClaims, ScopeSigner
from xietong.db.migrate import known_revisions

READY_TIMEOUT_S = 3.0
SCOPE_OK = "ok"
log = structlog.get_logger("xietong.health")


async def _probe(state: State) -> tuple[str | None, str | None]:
    """The database's revision and, once the signed scope can exist there, whether a scope this
    process signs verifies (``scope_token``): a secret that differs from the migrated one makes
    every request see nothing, so it must show here, not as empty lists."""
    # Plain SQL rather than Alembic's MigrationContext, which logs two INFO lines per call:
    # a probe every few seconds would bury the log.
    async with state.engine.connect() as conn:
        if await conn.scalar(text("SELECT to_regclass('alembic_version')")) is None:
            return None, None
        revision: str | None = await conn.scalar(text("SELECT version_num FROM alembic_version"))
        if await conn.scalar(text("SELECT to_regprocedure('xietong_scope_status(text)')")) is None:
            return revision, None
        raw = await conn.get_raw_connection()
        signer: ScopeSigner = state.scope_signer
        token = signer.sign(
            ScopeClaims(actor="readiness-probe"),
            pid=raw.driver_connection.get_server_pid(),
        )
        status: str = await conn.scalar(
            text("SELECT xietong_scope_status(:token)"), {"token": token}
        )
        return revision, status


def _scope_problem(state: State, status: str | None) -> dict[str, str] | None:
    """None when scopes verify; else what to show, logged once per change (not every probe)."""
    problem = None
    if status is not None and status != SCOPE_OK:
        hint = STATUS_HINTS.get(status, "signed scopes do not verify in this database")
        problem = {"status": status, "keyId": state.scope_signer.key_id, "hint": hint}
    if state.get("scope_problem") != problem:
        state.scope_problem = problem
        if problem is not None:
            log.error("signed scopes do not verify; not ready", **problem)
        else:
            log.info("signed scopes verify")
    return problem


class HealthController(Controller):
    path = "/health"
    include_in_schema = False

    @get("/live", cache=False)
    async def live(self) -> dict[str, str]:
        """The process is up and serving; says nothing about its dependencies."""
        return {"status": "ok"}

    @get("/ready", cache=False)
    async def ready(self, state: State) -> Response[dict[str, Any]]:
        """Ready to take traffic: the database answers, verifies the scopes this process signs
        (same ``XIETONG_SECRET_KEY`` as the migration), and its schema is at the code's head, or
        at a revision this code does not know, i.e. a newer release has migrated it.

        The second case is a rolling upgrade: the pre-upgrade hook migrates first, and the old
        pods must keep serving until the new ones are ready (migrations are expand/contract,
        so the previous release works with the next schema; see helm/README.md)."""
        try:
            current, scope = await asyncio.wait_for(_probe(state), timeout=READY_TIMEOUT_S)
        except Exception as exc:  # any failure to reach the database means not ready
            return Response(
                {"status": "unavailable", "database": "unreachable", "error": type(exc).__name__},
                status_code=HTTP_503_SERVICE_UNAVAILABLE,
            )
        head = state.head_revision
        problem = _scope_problem(state, scope)
        if problem is not None:
            return Response(
                {
                    "status": "unavailable",
                    "database": "ok",
                    "migrations": {"current": current, "head": head},
                    "scope": problem,
                },
                status_code=HTTP_503_SERVICE_UNAVAILABLE,
            )
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
