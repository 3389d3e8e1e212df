"""``GET /metrics`` and the app's observability lifespan.

The endpoint is for the cluster's Prometheus, not for the public (it names operations and
tenants): with ``XIETONG_METRICS_TOKEN`` set it answers only ``Authorization: Bearer <token>``,
and in production without a token it is off. The chart's Ingress routes only ``/graphql`` and the
optional NetworkPolicy admits scrapers from the monitoring namespace only.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import structlog
from litestar import Controller, Litestar, Request, Response, get
from litestar.datastructures import State

from xietong.config import Settings
from xietong.jobs.queue import JobQueue
from xietong.observability.metrics import CONTENT_TYPE, Metrics

log = structlog.get_logger("xietong.observability")

SCRAPE_REDIS_TIMEOUT_S = 1.0
POOL_REFRESH_S = 5.0


async def _heartbeats(queue: JobQueue | None) -> dict[str, float] | None:
    if queue is None:
        return None
    try:
        return await asyncio.wait_for(queue.heartbeats(), timeout=SCRAPE_REDIS_TIMEOUT_S)
    except Exception:  # Redis down must not fail the scrape; xietong_redis_up says it
        return None


def _refusal(request: Request[Any, Any, Any], settings: Settings) -> Response[bytes] | None:
    """Why this scrape is refused (a response to send), or None to serve it."""
    token = settings.server.metrics_token
    if token is None:
        if settings.is_production:  # off: production has no token configured
            return Response(b"not found\n", status_code=404, media_type="text/plain")
        return None
    scheme, _, given = (request.headers.get("authorization") or "").partition(" ")
    if scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode()):
        return None
    return Response(
        "需要监控令牌（metrics token required）\n".encode(),
        status_code=401,
        media_type="text/plain; charset=utf-8",
        headers={"WWW-Authenticate": "Bearer"},
    )


class MetricsController(Controller):
    path = "/metrics"
    include_in_schema = False

    @get("", cache=False)
    async def metrics(self, request: Request[Any, Any, Any], state: State) -> Response[bytes]:
        refused = _refusal(request, state.settings)
        if refused is not None:
            return refused
        metrics: Metrics = state.metrics
        metrics.observe_pool(state.engine)
        metrics.observe_heartbeats(await _heartbeats(state.get("queue")), now=time.time())
        return Response(metrics.exposition(), media_type=CONTENT_TYPE)


async def _refresh_pool(app: Litestar) -> None:
    while True:
        await asyncio.sleep(POOL_REFRESH_S)
        with contextlib.suppress(Exception):
            app.state.metrics.observe_pool(app.state.engine)


@asynccontextmanager
async def observability_lifespan(app: Litestar) -> AsyncIterator[None]:
    """The job queue (heartbeats; later, enqueueing) and, with several server processes, a
    periodic pool reading: a scrape is answered by one process, which can read only its own
    pool, so each process publishes its figures for the others to add up."""
    settings: Settings = app.state.settings
    metrics: Metrics = app.state.metrics
    if settings.is_production and settings.server.metrics_token is None:
        log.warning("/metrics is off: set XIETONG_METRICS_TOKEN to let Prometheus scrape it")
    queue = JobQueue.from_url(settings.redis.url) if settings.redis.url else None
    app.state.queue = queue
    metrics.observe_pool(app.state.engine)  # publish the pool's size before the first scrape
    refresher = asyncio.create_task(_refresh_pool(app)) if metrics.multiprocess else None
    try:
        yield
    finally:
        if refresher is not None:
            refresher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await refresher
        if queue is not None:
            await queue.close()
        metrics.process_exit()
