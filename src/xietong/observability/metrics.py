"""Prometheus metrics: one ``Metrics`` object per process role (API app or worker).

Every collector lives in a registry of its own rather than prometheus_client's global one, so a
test can build several apps in one process without "duplicated timeseries" errors.

Several uvicorn workers share one pod and one ``/metrics``: when ``PROMETHEUS_MULTIPROC_DIR`` is
set (``xietong serve`` sets it for you when it starts more than one worker; the chart points it at
an emptyDir), prometheus_client writes each process's values to files there and a scrape, whichever
worker answers it, adds them up. That is why every gauge below declares how processes combine.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead
from sqlalchemy.ext.asyncio import AsyncEngine

CONTENT_TYPE = CONTENT_TYPE_LATEST

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"

# Latency buckets for an API whose reads should answer in tens of milliseconds
# (docs/architecture.md §1.5).
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
JOB_BUCKETS = (0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 15.0, 60.0, 300.0)

ANONYMOUS = "anonymous"
OTHER = "other"
HTTP_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "-"})

_OPERATION_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")


def multiprocess_dir() -> str | None:
    """prometheus_client decides at import time; this mirrors its test."""
    return os.environ.get(MULTIPROC_ENV) or None


class BoundedLabels:
    """Operation names come from clients, so a client could mint a new time series per request.

    The first ``limit`` well-formed names are kept; later ones, and anything that is not a GraphQL
    name, are counted under ``other``. Integrators' operations are a few dozen, well below it.
    """

    def __init__(self, limit: int = 300) -> None:
        self._limit = limit
        self._seen: set[str] = set()
        self._lock = threading.Lock()

    def __call__(self, name: str | None) -> str:
        if not name:
            return ANONYMOUS
        if name in self._seen:  # a set only grows: no lock needed to find a name in it
            return name
        if not _OPERATION_NAME.match(name):
            return OTHER
        with self._lock:
            if name in self._seen:
                return name
            if len(self._seen) >= self._limit:
                return OTHER
            self._seen.add(name)
            return name


@dataclass(frozen=True, slots=True)
class HttpRoutes:
    """Paths recorded as they are; every other path is ``other`` (no unbounded labels)."""

    known: frozenset[str] = frozenset({"/graphql", "/health/live", "/health/ready", "/metrics"})

    def __call__(self, path: str) -> str:
        return path if path in self.known else OTHER


class Metrics:
    """The collectors of one process. Build one per app (and one in the worker)."""

    def __init__(self, *, multiprocess: str | None = None) -> None:
        # In multiprocess mode values go to files whatever registry a collector joins, and the
        # scrape reads the files; registering the live collectors too would count them twice.
        self.multiprocess = multiprocess if multiprocess is not None else multiprocess_dir()
        self.registry = CollectorRegistry(auto_describe=True)
        registry = self.registry
        self.operation_label = BoundedLabels()
        self.route_label = HttpRoutes()
        # A request's series, found by its labels: prometheus_client's ``labels()`` checks and
        # locks on every call (~5 µs each, four a request). Every label is bounded (routes,
        # methods, statuses, operation names, error codes), so this stays small.
        self._series: dict[tuple[Any, ...], Any] = {}

        self.http_requests = Counter(
            "xietong_http_requests",
            "HTTP requests answered, by route (known paths only) and status code.",
            ["route", "method", "status"],
            registry=registry,
        )
        self.http_duration = Histogram(
            "xietong_http_request_duration_seconds",
            "Time to answer an HTTP request, by route.",
            ["route"],
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.graphql_duration = Histogram(
            "xietong_graphql_operation_duration_seconds",
            "GraphQL operations by operation name and type (query, mutation); _count is the "
            "number of requests. Names beyond the first 300 are counted as 'other'.",
            ["operation", "type"],
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.graphql_errors = Counter(
            "xietong_graphql_errors",
            "Errors returned in GraphQL responses, by operation and extensions.code.",
            ["operation", "code"],
            registry=registry,
        )
        # Pool gauges: per process, summed over the live processes of a pod.
        self.db_pool_size = Gauge(
            "xietong_db_pool_size",
            "Connections the SQLAlchemy pool keeps open (pool_size), summed over processes.",
            registry=registry,
            multiprocess_mode="livesum",
        )
        self.db_pool_checked_out = Gauge(
            "xietong_db_pool_checked_out",
            "Connections in use by a request or job right now, summed over processes.",
            registry=registry,
            multiprocess_mode="livesum",
        )
        self.db_pool_checked_in = Gauge(
            "xietong_db_pool_checked_in",
            "Idle connections waiting in the pool, summed over processes.",
            registry=registry,
            multiprocess_mode="livesum",
        )
        self.db_pool_overflow = Gauge(
            "xietong_db_pool_overflow",
            "Connections opened beyond pool_size (negative: pool not yet full), summed.",
            registry=registry,
            multiprocess_mode="livesum",
        )
        # Registered now so dashboards and alerts can be written against them; the deadlines
        # context (docs/architecture.md §4) sets them from its sweep. Until it lands they stay 0.
        self.obligations_open = Gauge(
            "xietong_obligations_open",
            "Statutory obligations not yet met (0 until the deadlines module fills it).",
            registry=registry,
            multiprocess_mode="max",
        )
        self.obligations_overdue = Gauge(
            "xietong_obligations_overdue",
            "Obligations past their deadline and not met (0 until the deadlines module fills it).",
            registry=registry,
            multiprocess_mode="max",
        )
        self.job_runs = Counter(
            "xietong_job_runs",
            "Background job runs started, by job name.",
            ["job"],
            registry=registry,
        )
        self.job_failures = Counter(
            "xietong_job_failures",
            "Background job runs that raised, by job name (arq may retry them).",
            ["job"],
            registry=registry,
        )
        self.job_duration = Histogram(
            "xietong_job_duration_seconds",
            "Time a background job run took, by job name.",
            ["job"],
            buckets=JOB_BUCKETS,
            registry=registry,
        )
        self.worker_last_heartbeat = Gauge(
            "xietong_worker_last_heartbeat_seconds",
            "Unix time of the most recent heartbeat job any arq worker ran (0: never seen). "
            "Alert when time() minus this exceeds a few minutes: no worker is running jobs.",
            registry=registry,
            multiprocess_mode="max",
        )
        self.workers_seen = Gauge(
            "xietong_workers_seen",
            "Distinct workers that ran the heartbeat in the last 5 minutes.",
            registry=registry,
            multiprocess_mode="mostrecent",
        )
        self.redis_up = Gauge(
            "xietong_redis_up",
            "1 if Redis answered at the last scrape, 0 if not (jobs wait; nothing is lost).",
            registry=registry,
            multiprocess_mode="mostrecent",
        )
        self.obligations_open.set(0)
        self.obligations_overdue.set(0)

    # --- recording -------------------------------------------------------------------------

    def _of(self, metric: Any, *labels: str) -> Any:
        key = (metric, *labels)
        found = self._series.get(key)
        if found is None:
            found = self._series[key] = metric.labels(*labels)
        return found

    def observe_http(self, *, path: str, method: str, status: int, seconds: float) -> None:
        route = self.route_label(path)
        method = method if method in HTTP_METHODS else OTHER  # the client's word, bounded
        self._of(self.http_requests, route, method, str(status)).inc()
        self._of(self.http_duration, route).observe(seconds)

    def observe_operation(
        self, *, name: str | None, kind: str, seconds: float, error_codes: Iterable[str]
    ) -> None:
        operation = self.operation_label(name)
        self._of(self.graphql_duration, operation, kind).observe(seconds)
        for code in error_codes:
            self._of(self.graphql_errors, operation, code).inc()

    def observe_pool(self, engine: AsyncEngine) -> None:
        """Read the pool's counters (cheap, no I/O); called at scrape time and periodically."""
        pool = engine.sync_engine.pool
        # Only QueuePool-like pools report these; NullPool (one-off commands) has nothing to say.
        for gauge, attribute in (
            (self.db_pool_size, "size"),
            (self.db_pool_checked_out, "checkedout"),
            (self.db_pool_checked_in, "checkedin"),
            (self.db_pool_overflow, "overflow"),
        ):
            reader = getattr(pool, attribute, None)
            if callable(reader):
                gauge.set(float(reader()))

    def observe_heartbeats(self, beats: dict[str, float] | None, *, now: float) -> None:
        """``beats``: worker id → unix time of its last heartbeat; ``None``: Redis unreachable."""
        if beats is None:
            self.redis_up.set(0)
            return
        self.redis_up.set(1)
        self.worker_last_heartbeat.set(max(beats.values(), default=0.0))
        self.workers_seen.set(sum(1 for seen in beats.values() if now - seen <= 300))

    # --- exposition ------------------------------------------------------------------------

    def exposition(self) -> bytes:
        if self.multiprocess:
            registry = CollectorRegistry()
            MultiProcessCollector(registry, path=self.multiprocess)  # type: ignore[no-untyped-call]
            return generate_latest(registry)
        return generate_latest(self.registry)

    def process_exit(self) -> None:
        """Forget this process's live gauges, so a restarted worker's old values stop counting."""
        if self.multiprocess:
            mark_process_dead(os.getpid(), self.multiprocess)  # type: ignore[no-untyped-call]


def prepare_multiprocess_dir(path: str) -> None:
    """Empty the directory before the first worker starts: values from a previous run of the
    container (an emptyDir survives a container restart) would otherwise be added in again."""
    os.makedirs(path, exist_ok=True)
    for entry in os.scandir(path):
        if entry.is_file() and entry.name.endswith(".db"):
            os.unlink(entry.path)
