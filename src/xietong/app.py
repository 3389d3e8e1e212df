"""The Litestar application: GraphQL at /graphql, health probes, one transaction per request."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import structlog
from litestar import Litestar, MediaType, Request, Response
from litestar.datastructures import State
from litestar.exceptions import HTTPException
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from xietong.access.authentication import SignInHints
from xietong.access.policy import reload_if_changed
from xietong.access.scope_token import ScopeSigner
from xietong.access.tokens import TokenService
from xietong.access.watcher import PolicyWatcher
from xietong.api.http import http_exception_response, make_controller
from xietong.api.middleware import request_id_middleware
from xietong.config import Settings
from xietong.db.engine import make_engine, make_sessionmaker
from xietong.db.migrate import head_revision
from xietong.health import HealthController
from xietong.home import graphiql_html, home, static_files
from xietong.keys import Keyring
from xietong.observability.endpoint import MetricsController, observability_lifespan
from xietong.observability.metrics import Metrics
from xietong.schema import build_schema

log = structlog.get_logger("xietong.app")


def _internal_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """Outside GraphQL: log the trace, show only the request id. On /graphql every answer is a
    GraphQL response, even for what Litestar refuses before our handler (another method)."""
    if request.url.path.rstrip("/") == "/graphql":
        if not isinstance(exc, HTTPException):
            log.error("unhandled error", path=request.url.path, exc_info=exc)
            exc = HTTPException(status_code=HTTP_500_INTERNAL_SERVER_ERROR)
        return http_exception_response(request, exc)
    if isinstance(exc, HTTPException):
        return Response(
            {"error": exc.detail, "status": exc.status_code},
            status_code=exc.status_code,
            media_type=MediaType.JSON,
        )
    request_id = request.scope.get("state", {}).get("request_id")
    log.error("unhandled error", path=request.url.path, exc_info=exc)
    return Response(
        {"error": "internal error", "requestId": request_id},
        status_code=HTTP_500_INTERNAL_SERVER_ERROR,
        media_type=MediaType.JSON,
    )


def create_app(settings: Settings) -> Litestar:
    if settings.database.url is None:
        raise ValueError("create_app needs a database URL (the CLI resolves embedded servers)")
    database_url = settings.database.url

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        engine = make_engine(database_url, settings=settings.database, pre_ping=False)
        app.state.engine = engine
        # Sessions carry the keyring, so audit events recorded in a request are signed.
        app.state.sessions = sessions = make_sessionmaker(
            engine, keyring=Keyring.from_settings(settings)
        )
        app.state.tokens = TokenService.from_settings(settings)
        app.state.scope_signer = ScopeSigner.from_keyring(Keyring.from_settings(settings))
        app.state.sign_in_hints = SignInHints()

        async def reload_policy() -> bool:
            async with sessions() as session:
                fresh = await reload_if_changed(session, app.state.authorizer)
            if fresh is not None:
                app.state.authorizer = fresh
            return fresh is not None

        app.state.authorizer = None
        try:
            await reload_policy()
        except Exception:  # the database may be down at start; readiness reports it
            log.exception("could not load the access policy; will retry when the database is back")
        watcher = PolicyWatcher(
            database_url, reload_policy, reload_on_connect=app.state.authorizer is None
        )
        watcher.start()
        app.state.policy_watcher = watcher
        if settings.server.freeze_heap:
            # What start-up made lives as long as the process; a collector pass that walks it
            # anyway lands in some request (bench obligations: a third of the p95).
            gc.collect()
            gc.freeze()
        try:
            yield
        finally:
            await watcher.stop()
            await engine.dispose()

    schema = build_schema(settings.graphql)
    # GraphiQL's page and assets come from the package (no CDN), only where it is on.
    graphql = make_controller(schema, graphiql=graphiql_html if settings.graphql.graphiql else None)
    handlers: list[Any] = [graphql, HealthController, MetricsController, home]
    if settings.graphql.graphiql:
        handlers.append(static_files())
    return Litestar(
        route_handlers=handlers,
        lifespan=[lifespan, observability_lifespan],
        middleware=[request_id_middleware],
        exception_handlers={Exception: _internal_error},
        state=State(
            {
                "settings": settings,
                "head_revision": head_revision(),
                "metrics": Metrics(),
                "schema": schema,  # its document cache: schema.documents
            }
        ),
        request_max_body_size=settings.graphql.max_body_bytes,
        debug=False,  # never render tracebacks to clients
        openapi_config=None,
        logging_config=None,  # xietong.logging configures everything
    )
