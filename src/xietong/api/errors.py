"""The error shape clients see: ``errors[].extensions.code`` and a message a clerk understands.

Expected problems are raised as ``ApiError`` subclasses and pass through unchanged. Anything else
is logged with its stack trace on the server and reaches the client only as ``INTERNAL_ERROR``
with the request id, never as a trace or an SQL message.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import structlog
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

log = structlog.get_logger("xietong.api")


class ApiError(Exception):
    """An expected failure with a machine-readable code."""

    code = "BAD_REQUEST"

    def __init__(self, message: str, *, code: str | None = None, **extensions: Any) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.extensions = extensions


class BadUserInput(ApiError):
    code = "BAD_USER_INPUT"


class NotFound(ApiError):
    code = "NOT_FOUND"


class ErrorShaping(SchemaExtension):
    """Give every error a code; replace unexpected ones by a masked message."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        errors = getattr(result, "errors", None)
        if result is None or not errors:
            return
        request_id = getattr(self.execution_context.context, "request_id", None)
        result.errors = [_shape(err, request_id) for err in errors]


INSUFFICIENT_PRIVILEGE = "42501"


def _sqlstate(exc: BaseException) -> str | None:
    """PostgreSQL's SQLSTATE of a (wrapped) driver error, if any."""
    seen: BaseException | None = exc
    while seen is not None:
        code = getattr(seen, "sqlstate", None)
        if isinstance(code, str):
            return code
        seen = getattr(seen, "orig", None) or seen.__cause__
    return None


def _shape(error: GraphQLError, request_id: str | None) -> GraphQLError:
    original = error.original_error
    if isinstance(original, ApiError):
        return GraphQLError(
            original.message,
            nodes=error.nodes,
            path=error.path,
            extensions={"code": original.code, **original.extensions},
        )
    if original is None:
        # Parsing, validation and limits: the message is about the query, safe to show.
        extensions = dict(error.extensions or {})
        extensions.setdefault("code", "GRAPHQL_VALIDATION_FAILED")
        return GraphQLError(
            error.message, nodes=error.nodes, path=error.path, extensions=extensions
        )
    if isinstance(original, GraphQLError) and original.extensions:
        return error
    if _sqlstate(original) == INSUFFICIENT_PRIVILEGE:
        # Row-level security refused a write the application let through: an application bug,
        # but the answer to the caller is an ordinary refusal.
        log.error("write refused by row-level security", path=error.path, exc_info=original)
        return GraphQLError(
            "数据库拒绝在该辖区写入数据（refused by row-level security）",
            nodes=error.nodes,
            path=error.path,
            extensions={"code": "FORBIDDEN"},
        )
    log.error("unexpected error in resolver", path=error.path, exc_info=original)
    return GraphQLError(
        f"服务器内部错误，请稍后重试；如需协助请提供请求号 {request_id}（internal error）",
        nodes=error.nodes,
        path=error.path,
        extensions={"code": "INTERNAL_ERROR", "requestId": request_id},
    )
