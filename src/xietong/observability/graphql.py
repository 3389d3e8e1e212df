"""A strawberry extension that times each operation and counts its errors by code.

It must come first in the schema's extension list: strawberry exits extensions in reverse order,
so the first one sees the result after ``ErrorShaping`` has given every error its code.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import structlog
from strawberry.extensions import SchemaExtension

from xietong.observability.metrics import Metrics

MAX_LOGGED_NAME = 100
"""A client-chosen ``operationName`` is logged, but no longer than this."""

OPERATION_STATE_KEY = "graphql_operation"
"""Where the operation name is left in the ASGI scope's state for the request log line."""


def _metrics(context: Any) -> Metrics | None:
    request = getattr(context, "request", None)
    if request is None:
        return None
    metrics = getattr(request.app.state, "metrics", None)
    return metrics if isinstance(metrics, Metrics) else None


def _scope_state(context: Any) -> dict[str, Any] | None:
    request = getattr(context, "request", None)
    if request is None:
        return None
    state: dict[str, Any] = request.scope.setdefault("state", {})
    return state


class GraphQLMetrics(SchemaExtension):
    """Operation name, type, duration and error codes: into metrics and the request's log line."""

    def on_execute(self) -> Iterator[None]:
        # After parsing, the name is known even when the client did not send operationName;
        # bind it so every line logged while resolving carries it.
        name = self.execution_context.operation_name
        if name:
            structlog.contextvars.bind_contextvars(operation=name[:MAX_LOGGED_NAME])
        yield

    def on_operation(self) -> Iterator[None]:
        started = time.perf_counter()
        yield
        context = self.execution_context.context
        name = self.execution_context.operation_name
        state = _scope_state(context)
        if state is not None and name:
            state[OPERATION_STATE_KEY] = name[:MAX_LOGGED_NAME]
        metrics = _metrics(context)
        if metrics is None:
            return
        try:
            kind = self.execution_context.operation_type.value
        except Exception:  # no document: the query did not parse
            kind = "unknown"
        result = self.execution_context.result
        errors = getattr(result, "errors", None) or []
        codes = [str((error.extensions or {}).get("code", "UNKNOWN")) for error in errors]
        metrics.observe_operation(
            name=name, kind=kind, seconds=time.perf_counter() - started, error_codes=codes
        )
