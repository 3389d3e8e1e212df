"""The error shape clients see: ``errors[].extensions.code`` and a message a clerk understands.

Expected problems are raised as ``ApiError`` subclasses and pass through unchanged. Anything else
is logged with its stack trace on the server and reaches the client only as ``INTERNAL_ERROR``
with the request id, never as a trace or an SQL message. A database that cannot be reached or
does not answer in time is ``SERVICE_UNAVAILABLE``, not an internal error.

Every message is Chinese first with English in parentheses, and bounded (``MAX_MESSAGE_CHARS``):
a message that quotes the caller's input never sends a large input back.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from typing import Any

import asyncpg
import structlog
from graphql import GraphQLError, Node, Source, VariableDefinitionNode
from sqlalchemy import exc as sa_exc
from strawberry.extensions import SchemaExtension

log = structlog.get_logger("xietong.api")

MAX_MESSAGE_CHARS = 500
"""Longer messages are cut (with an ellipsis); so are string values in ``extensions``."""

MAX_EXTENSION_CHARS = 200

BAD_USER_INPUT = "BAD_USER_INPUT"
SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"
INTERNAL_ERROR = "INTERNAL_ERROR"

UNAVAILABLE_MESSAGE = (
    "数据库暂时无法访问或未及时响应，请稍后重试"
    "（service unavailable: the database is unreachable or did not answer in time）"
)


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
    code = BAD_USER_INPUT


class NotFound(ApiError):
    code = "NOT_FOUND"


class ServiceUnavailable(ApiError):
    code = SERVICE_UNAVAILABLE

    def __init__(self, message: str = UNAVAILABLE_MESSAGE, **extensions: Any) -> None:
        super().__init__(message, **extensions)


def bounded(text: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    """``text``, cut to ``limit`` characters."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _bounded_extensions(extensions: dict[str, Any]) -> dict[str, Any]:
    return {
        key: bounded(value, MAX_EXTENSION_CHARS) if isinstance(value, str) else value
        for key, value in extensions.items()
    }


def coded_error(
    message: str,
    code: str,
    *,
    nodes: list[Node] | Node | None = None,
    path: Any = None,
    source: Source | None = None,
    positions: Collection[int] | None = None,
    **extensions: Any,
) -> GraphQLError:
    """A GraphQL error with a code and a bounded message."""
    return GraphQLError(
        bounded(message),
        nodes=nodes,
        source=source,
        positions=positions,
        path=path,
        extensions=_bounded_extensions({"code": code, **extensions}),
    )


INSUFFICIENT_PRIVILEGE = "42501"
_UNAVAILABLE_SQLSTATES = ("08", "53", "57P01", "57P02", "57P03", "57014")
"""Connection exceptions, insufficient resources (too many connections), shutdowns, and a query
cancelled, which is how the statement timeout ends a statement."""


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """The exception and every exception it wraps, outermost first."""
    seen: set[int] = set()
    todo: list[BaseException] = [exc]
    while todo:
        current = todo.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        wrapped = (
            getattr(current, "original_error", None),  # graphql-core
            getattr(current, "orig", None),  # SQLAlchemy
            current.__cause__,
            current.__context__,
        )
        for inner in wrapped:
            if isinstance(inner, BaseException):
                todo.append(inner)


def _sqlstate(exc: BaseException) -> str | None:
    """PostgreSQL's SQLSTATE of a (wrapped) driver error, if any."""
    for inner in _chain(exc):
        code = getattr(inner, "sqlstate", None)
        if isinstance(code, str):
            return code
    return None


def is_unavailable(exc: BaseException) -> bool:
    """Whether ``exc`` means the database could not be reached or did not answer in time."""
    for inner in _chain(exc):
        if isinstance(inner, TimeoutError | sa_exc.TimeoutError | ConnectionError):
            return True  # a timeout of ours, asyncpg's, or the pool's; a refused or reset socket
        if isinstance(inner, OSError) and not isinstance(inner, FileNotFoundError):
            return True  # unreachable host, DNS failure
        if isinstance(inner, sa_exc.DBAPIError) and inner.connection_invalidated:
            return True
        if isinstance(inner, asyncpg.InterfaceError | asyncpg.PostgresConnectionError):
            return True  # "connection is closed", "connection was closed in the middle of…"
        code = getattr(inner, "sqlstate", None)
        if isinstance(code, str) and code.startswith(_UNAVAILABLE_SQLSTATES):
            return True
    return False


def _has_chinese(text: str) -> bool:
    return any("\u4e00" <= char <= "\u9fff" for char in text)


def value_problem(error: GraphQLError) -> tuple[str | None, str]:
    """What a scalar said about a value it refused, and graphql-core's message without it.

    A scalar of ours raises ``ValueError`` with a bilingual message, which is returned first.
    Anything else a parser raised (Python's own "Exceeds the limit (4300 digits)…") is internal
    text: it is cut out of graphql-core's message, which still says what was expected.
    """
    inner = next((e for e in _chain(error) if not isinstance(e, GraphQLError)), None)
    if not isinstance(inner, Exception):
        return None, error.message
    english = error.message.replace(f", but encountered error '{inner}'; found", ", found")
    if isinstance(inner, ValueError) and _has_chinese(str(inner)):
        return str(inner), english
    return None, english


def coded_by_a_scalar(error: GraphQLError) -> dict[str, Any] | None:
    """The extensions (code first) a scalar of ours gave its refusal, found inside ``error``.

    The input rules' scalars raise a GraphQL error coded ``BAD_USER_INPUT`` with the rule's
    ``reason``; graphql-core passes it on as it is (a literal) or wraps it (a variable)."""
    for inner in _chain(error):
        if isinstance(inner, GraphQLError) and (inner.extensions or {}).get("code"):
            return dict(inner.extensions or {})
    return None


def variable_error(error: GraphQLError, *, missing: bool = False) -> GraphQLError:
    """A variable the caller sent that does not fit its declared type, in our words."""
    definition = next(
        (node for node in error.nodes or () if isinstance(node, VariableDefinitionNode)), None
    )
    if definition is None:  # graphql-core stopped counting
        return coded_error(f"变量中的错误过多，其余未列出（{error.message}）", BAD_USER_INPUT)
    name = definition.variable.name.value
    ours, english = value_problem(error)
    if ours is not None:
        message = f"变量 ${name} 的值无效：{bounded(ours, 300)}"
    elif missing:
        message = f"缺少必填变量 ${name}（{english}）"
    else:
        message = f"变量 ${name} 的值无效（{english}）"
    extensions = coded_by_a_scalar(error) or {}
    extensions.pop("code", None)  # a variable that does not fit is always the caller's mistake
    extensions["variable"] = name
    return coded_error(message, BAD_USER_INPUT, nodes=error.nodes, **extensions)


class ErrorShaping(SchemaExtension):
    """Give every error a code; replace unexpected ones by a masked message."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        errors = getattr(result, "errors", None)
        if result is None or not errors:
            return
        request_id = getattr(self.execution_context.context, "request_id", None)
        result.errors = [shape(err, request_id) for err in errors]


def shape(error: GraphQLError, request_id: str | None) -> GraphQLError:
    """The error as a client may see it: coded, bilingual, bounded, no internals."""
    original = error.original_error
    if isinstance(original, ApiError):
        return coded_error(
            original.message,
            original.code,
            nodes=error.nodes,
            path=error.path,
            **original.extensions,
        )
    if original is None and (error.extensions or {}).get("code"):
        return error  # coded by us already (the document cache's checks)
    if any(isinstance(node, VariableDefinitionNode) for node in error.nodes or ()):
        return variable_error(error)  # variables coerced while executing
    if original is None:
        # Parsing, validation and limits: the message is about the query, safe to show.
        extensions = dict(error.extensions or {})
        code = extensions.pop("code", "GRAPHQL_VALIDATION_FAILED")
        return coded_error(error.message, code, nodes=error.nodes, path=error.path, **extensions)
    if isinstance(original, GraphQLError) and (original.extensions or {}).get("code"):
        extensions = dict(original.extensions or {})
        code = extensions.pop("code")
        return coded_error(error.message, code, nodes=error.nodes, path=error.path, **extensions)
    if is_unavailable(original):
        log.warning("database unavailable", path=error.path, error=type(original).__name__)
        return coded_error(
            UNAVAILABLE_MESSAGE, SERVICE_UNAVAILABLE, nodes=error.nodes, path=error.path
        )
    if _sqlstate(original) == INSUFFICIENT_PRIVILEGE:
        # Row-level security refused a write the application let through: an application bug,
        # but the answer to the caller is an ordinary refusal.
        log.error("write refused by row-level security", path=error.path, exc_info=original)
        return coded_error(
            "数据库拒绝在该辖区写入数据（refused by row-level security）",
            "FORBIDDEN",
            nodes=error.nodes,
            path=error.path,
        )
    log.error("unexpected error in resolver", path=error.path, exc_info=original)
    return internal_error(request_id, nodes=error.nodes, path=error.path)


def internal_error(
    request_id: str | None, *, nodes: list[Node] | None = None, path: Any = None
) -> GraphQLError:
    return coded_error(
        f"服务器内部错误，请稍后重试；如需协助请提供请求号 {request_id}（internal error）",
        INTERNAL_ERROR,
        nodes=nodes,
        path=path,
        requestId=request_id,
    )
