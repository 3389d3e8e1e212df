"""Request ids and one structured log line per request (with its metrics).

The line carries the request id, method, path, status, duration and, for GraphQL, the operation
name; the access layer binds ``login`` and ``jurisdiction`` as structlog contextvars, which the
renderer adds. Never the Authorization header, a token or a request body.
"""

from __future__ import annotations

import logging
import os
import re
import time

import structlog
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from xietong.observability.graphql import OPERATION_STATE_KEY
from xietong.observability.metrics import Metrics

log = structlog.get_logger("xietong.http")
_stdlib_log = logging.getLogger("xietong.http")

_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def request_id_middleware(app: ASGIApp) -> ASGIApp:
    """Take a sane ``X-Request-Id`` from the caller or make one; echo it; bind it for logging."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        incoming = next((v for k, v in scope["headers"] if k == b"x-request-id"), b"")
        given = incoming.decode("latin-1")
        # 128 random bits as 32 hex digits, as uuid4().hex gave, without building a UUID.
        request_id = given if _SAFE_ID.match(given) else os.urandom(16).hex()
        scope.setdefault("state", {})["request_id"] = request_id
        structlog.contextvars.bind_contextvars(request_id=request_id)
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [
                    *message.get("headers", []),
                    (b"x-request-id", request_id.encode()),
                ]
            await send(message)

        try:
            await app(scope, receive, send_with_id)
        finally:
            path = scope["path"]
            seconds = time.perf_counter() - started
            metrics = getattr(scope["app"].state, "metrics", None) if "app" in scope else None
            if isinstance(metrics, Metrics):
                metrics.observe_http(
                    path=path, method=scope.get("method", "-"), status=status, seconds=seconds
                )
            # Probes and scrapes every few seconds would drown the lines that matter.
            level = "debug" if path.startswith(("/health", "/metrics")) else "info"
            # structlog runs its processors before the stdlib level filter: skip them for a
            # line nobody will see (production logs at WARNING; ~40 µs a request).
            if _stdlib_log.isEnabledFor(logging.DEBUG if level == "debug" else logging.INFO):
                state = scope.get("state", {})
                operation = state.get(OPERATION_STATE_KEY)
                caller = state.get("caller") or {}
                getattr(log, level)(
                    "request",
                    method=scope.get("method"),
                    path=path,
                    status=status,
                    duration_ms=round(seconds * 1000, 1),
                    **({"operation": operation} if operation else {}),
                    **caller,  # login (never a token) and jurisdiction, set by api.context
                )
            structlog.contextvars.clear_contextvars()

    return middleware
