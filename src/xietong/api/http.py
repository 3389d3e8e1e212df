"""GraphQL over HTTP at ``/graphql``: one error boundary for everything a client can send.

Every answer is a GraphQL response with ``errors[].extensions.code``, whatever arrived: a body
that is not JSON, not UTF-8, nested 100,000 deep, too large; a wrong content type or method; no
query; a document that does not parse, breaks a limit or fails validation; variables that do not
fit; a database that is down. The order is chosen so that a refusal costs nothing: the request is
read and checked (``DocumentCache.check``: parsing, limits, validation, variables) before a
database connection is taken, and everything after that runs under the request deadline.

Statuses follow the GraphQL-over-HTTP specification. The response is
``application/graphql-response+json`` when the client accepts it, else ``application/json``
(also for ``*/*`` or no ``Accept``). A request that cannot run (bad body or parameters, parse,
validation, limit and variable errors) has no ``data`` entry and status 400 in the first case,
200 in the second. Independent of the media type: 415 for a body that is not
``application/json``, 405 for another method or a mutation sent by GET, 406 for an ``Accept``
naming neither type, 413 for a body over ``XIETONG_GRAPHQL_MAX_BODY_BYTES``, 401 for bad
credentials, 503 (``SERVICE_UNAVAILABLE``) when the database cannot be reached or the deadline
passes, and 500 (``INTERNAL_ERROR``, with the request id only) for a bug.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from typing import Any

import msgspec
import structlog
from graphql import GraphQLError, OperationType
from litestar import Controller, MediaType, Request, Response, get, post
from litestar.background_tasks import BackgroundTask
from litestar.datastructures import State
from litestar.exceptions import (
    HTTPException,
    MethodNotAllowedException,
    NotAuthorizedException,
)
from litestar.exceptions.http_exceptions import RequestEntityTooLarge
from litestar.status_codes import (
    HTTP_200_OK,
    HTTP_400_BAD_REQUEST,
    HTTP_401_UNAUTHORIZED,
    HTTP_405_METHOD_NOT_ALLOWED,
    HTTP_406_NOT_ACCEPTABLE,
    HTTP_413_REQUEST_ENTITY_TOO_LARGE,
    HTTP_415_UNSUPPORTED_MEDIA_TYPE,
    HTTP_500_INTERNAL_SERVER_ERROR,
    HTTP_503_SERVICE_UNAVAILABLE,
)

from xietong.access.authentication import StaleSignIn
from xietong.api.context import Context, provide_context
from xietong.api.documents import Checked
from xietong.api.errors import (
    BAD_USER_INPUT,
    SERVICE_UNAVAILABLE,
    UNAVAILABLE_MESSAGE,
    ServiceUnavailable,
    bounded,
    coded_error,
    internal_error,
    is_unavailable,
)
from xietong.api.schema import Outcome, Schema
from xietong.observability.graphql import MAX_LOGGED_NAME, OPERATION_STATE_KEY
from xietong.observability.metrics import Metrics

log = structlog.get_logger("xietong.api.http")

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
JSON = "application/json"

RETRY_AFTER_S = 5
"""Sent with every 503: when a client may try again."""


class Refusal(Exception):
    """A request that does not run; answered as a GraphQL response without ``data``.

    ``status`` None means a request error, whose status the response's media type decides
    (200 for ``application/json``, 400 for ``application/graphql-response+json``).
    """

    def __init__(
        self,
        errors: list[GraphQLError],
        *,
        status: int | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(errors[0].message if errors else "refused")
        self.errors = errors
        self.status = status
        self.headers = dict(headers or {})

    @classmethod
    def because(
        cls,
        message: str,
        *,
        code: str = BAD_USER_INPUT,
        status: int | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Refusal:
        return cls([coded_error(message, code)], status=status, headers=headers)


def unavailable() -> Refusal:
    return Refusal.because(
        UNAVAILABLE_MESSAGE,
        code=SERVICE_UNAVAILABLE,
        status=HTTP_503_SERVICE_UNAVAILABLE,
        headers={"Retry-After": str(RETRY_AFTER_S)},
    )


def unauthenticated(message: str) -> Refusal:
    """Bad credentials never reach the resolvers."""
    return Refusal.because(
        message,
        code="UNAUTHENTICATED",
        status=HTTP_401_UNAUTHORIZED,
        headers={"WWW-Authenticate": "Bearer"},
    )


def negotiate(accept: str | None) -> str | None:
    """The response media type for this ``Accept`` header; None if it accepts neither."""
    if accept is None or not accept.strip():
        return JSON
    best: str | None = None
    best_q = 0.0
    for part in accept.split(","):
        media, *parameters = (piece.strip() for piece in part.split(";"))
        q = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        media = media.lower()
        if media == GRAPHQL_RESPONSE_JSON:
            candidate = GRAPHQL_RESPONSE_JSON
        elif media in {JSON, "application/*", "*/*"}:
            candidate = JSON
        else:
            continue
        # The specification's own type wins a tie.
        if q > best_q or (q == best_q and q > 0 and candidate == GRAPHQL_RESPONSE_JSON):
            best, best_q = candidate, q
    return best if best_q > 0 else None


@dataclass(frozen=True, slots=True)
class Params:
    """The GraphQL-over-HTTP request parameters."""

    query: str
    operation_name: str | None
    variables: dict[str, Any] | None


def _decode_json(raw: bytes | str, what: str) -> Any:
    try:
        return msgspec.json.decode(raw)
    except UnicodeDecodeError:
        reason = "不是 UTF-8 编码（not UTF-8）"
    except RecursionError:
        reason = "嵌套过深（nested too deeply）"
    except msgspec.ValidationError:
        reason = "数值超出范围（a number is out of range）"
    except msgspec.DecodeError as exc:
        reason = f"不是有效的 JSON（not valid JSON: {bounded(str(exc), 100)}）"
    raise Refusal.because(f"{what}{reason}")


def _params(data: Any, *, variables_as_text: bool = False) -> Params:
    if not isinstance(data, dict):
        raise Refusal.because(
            "请求正文必须是含 query 的 JSON 对象（the body must be a JSON object with a query）"
        )
    query = data.get("query")
    if query is None or query == "":
        raise Refusal.because("请求缺少 query（the request has no query）")
    if not isinstance(query, str):
        raise Refusal.because("query 必须是字符串（query must be a string）")
    operation_name = data.get("operationName")
    if operation_name == "":
        operation_name = None
    if operation_name is not None and not isinstance(operation_name, str):
        raise Refusal.because("operationName 必须是字符串（operationName must be a string）")
    variables = data.get("variables")
    if variables_as_text and isinstance(variables, str) and variables:
        variables = _decode_json(variables, "variables 参数")
    if variables is not None and not isinstance(variables, dict):
        raise Refusal.because("variables 必须是 JSON 对象（variables must be an object）")
    extensions = data.get("extensions")
    if variables_as_text and isinstance(extensions, str) and extensions:
        extensions = _decode_json(extensions, "extensions 参数")
    if extensions is not None and not isinstance(extensions, dict):
        raise Refusal.because("extensions 必须是 JSON 对象（extensions must be an object）")
    return Params(query=query, operation_name=operation_name, variables=variables)


async def read_post(request: Request[Any, Any, Any], max_body_bytes: int) -> Params:
    content_type = request.headers.get("content-type", "")
    media, *parameters = (piece.strip().lower() for piece in content_type.split(";"))
    charset = next(
        (p.partition("=")[2].strip('" ') for p in parameters if p.startswith("charset")), None
    )
    if media != JSON or charset not in (None, "utf-8", "utf8"):
        raise Refusal.because(
            "请求正文须为 application/json（UTF-8）（the body must be application/json in UTF-8）",
            status=HTTP_415_UNSUPPORTED_MEDIA_TYPE,
        )
    try:
        body = await request.body()
    except RequestEntityTooLarge:
        raise Refusal.because(
            f"请求正文过大：上限 {max_body_bytes} 字节"
            f"（the body is larger than {max_body_bytes} bytes）",
            status=HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        ) from None
    if not body.strip():
        raise Refusal.because("请求正文为空（the body is empty）")
    return _params(_decode_json(body, "请求正文"))


def read_get(request: Request[Any, Any, Any]) -> Params:
    # The first value of each parameter, as every server does.
    data = {key: values[0] for key, values in request.query_params.dict().items() if values}
    return _params(data, variables_as_text=True)


def _body(errors: list[GraphQLError], data: Any = None, *, executed: bool) -> dict[str, Any]:
    body: dict[str, Any] = {}
    if executed:
        body["data"] = data
    if errors:
        body["errors"] = [error.formatted for error in errors]
    return body


def _raw(value: object) -> Any:
    """JSON text a projected list built (``api.projection``), for ``json.dumps``."""
    if isinstance(value, msgspec.Raw):
        return json.loads(bytes(value))
    raise TypeError(type(value).__name__)


def graphql_response(
    body: dict[str, Any],
    *,
    media: str,
    status: int,
    headers: Mapping[str, str] | None = None,
    background: BackgroundTask | None = None,
) -> Response[bytes]:
    try:
        content = msgspec.json.encode(body)  # ~10x json.dumps on a page of 20
    except (UnicodeEncodeError, OverflowError, TypeError, msgspec.EncodeError):
        # What msgspec refuses, encoded as before. A lone surrogate can only come from the
        # caller (quoted in an error): never let it break the encoding of the answer.
        content = json.dumps(body, ensure_ascii=False, default=_raw).encode("utf-8", "replace")
    return Response(
        content,
        status_code=status,
        media_type=f"{media}; charset=utf-8",
        headers=dict(headers or {}),
        background=background,
    )


def refusal_response(refusal: Refusal, media: str) -> Response[bytes]:
    status = refusal.status
    if status is None:
        status = HTTP_400_BAD_REQUEST if media == GRAPHQL_RESPONSE_JSON else HTTP_200_OK
    return graphql_response(
        _body(refusal.errors, executed=False), media=media, status=status, headers=refusal.headers
    )


def http_exception_response(request: Request[Any, Any, Any], exc: HTTPException) -> Response[bytes]:
    """What Litestar refuses on /graphql before our handlers run (another method, say)."""
    media = negotiate(request.headers.get("accept")) or JSON
    if isinstance(exc, MethodNotAllowedException):
        refusal = Refusal.because(
            "/graphql 只接受 GET 和 POST（/graphql accepts GET and POST only）",
            status=HTTP_405_METHOD_NOT_ALLOWED,
            headers={"Allow": "GET, POST"},
        )
    elif isinstance(exc, NotAuthorizedException):
        refusal = unauthenticated(str(exc.detail))
    elif exc.status_code == HTTP_503_SERVICE_UNAVAILABLE:
        refusal = unavailable()
    elif exc.status_code < HTTP_500_INTERNAL_SERVER_ERROR:
        refusal = Refusal.because(
            f"请求无效（{bounded(str(exc.detail), 200)}）", status=exc.status_code
        )
    else:
        request_id = request.scope.get("state", {}).get("request_id")
        return graphql_response(
            _body([internal_error(request_id)], executed=False),
            media=media,
            status=HTTP_500_INTERNAL_SERVER_ERROR,
        )
    return refusal_response(refusal, media)


def _code(error: GraphQLError) -> str:
    return str((error.extensions or {}).get("code", "UNKNOWN"))


def _wants_html(request: Request[Any, Any, Any]) -> bool:
    return "query" not in request.query_params and "text/html" in request.headers.get("accept", "")


_provided = asynccontextmanager(provide_context)


@asynccontextmanager
async def _transaction(
    request: Request[Any, Any, Any], state: State, *, needs_database: bool = True
) -> AsyncIterator[Context]:
    """The request's context (caller, scope, one transaction), discarded on a database fault.

    A connection that timed out or broke is invalidated before the rollback, which would
    otherwise wait on it; the pool then opens a fresh one for the next request.
    """
    async with _provided(request, state, needs_database=needs_database) as context:
        context.request = request  # resolvers and extensions reach the app's state through it
        try:
            yield context
        except BaseException as exc:
            if isinstance(exc, asyncio.CancelledError | ServiceUnavailable) or is_unavailable(exc):
                await context.db.invalidate()
            raise


def make_controller(
    schema: Schema, *, graphiql: Callable[[], str] | None = None
) -> type[Controller]:
    """The ``/graphql`` controller for ``schema``; ``graphiql`` renders GraphiQL's page for a
    browser that asks for one (None: GraphiQL is off)."""

    class GraphQLController(Controller):
        path = "/graphql"
        include_in_schema = False

        @get("", cache=False)
        async def query_by_get(
            self, request: Request[Any, Any, Any], state: State
        ) -> Response[bytes] | Response[str]:
            """Queries only; GraphiQL for a browser asking for a page."""
            if graphiql is not None and _wants_html(request):
                return Response(graphiql(), media_type=MediaType.HTML)
            return await _serve(request, state, get=True)

        @post("", status_code=HTTP_200_OK)
        async def operation_by_post(
            self, request: Request[Any, Any, Any], state: State
        ) -> Response[bytes]:
            return await _serve(request, state, get=False)

    async def _serve(
        request: Request[Any, Any, Any], state: State, *, get: bool
    ) -> Response[bytes]:
        started = time.perf_counter()
        metrics: Metrics = state.metrics
        accepted = negotiate(request.headers.get("accept"))
        media = accepted or JSON
        operation_name: str | None = None
        kind = "unknown"
        try:
            if accepted is None:
                raise Refusal.because(
                    "只能以 application/json 或 application/graphql-response+json 应答"
                    "（Accept must allow application/json or application/graphql-response+json）",
                    status=HTTP_406_NOT_ACCEPTABLE,
                )
            params = (
                read_get(request)
                if get
                else await read_post(request, state.settings.graphql.max_body_bytes)
            )
            operation_name = params.operation_name
            checked = schema.documents.check(params.query, params.operation_name, params.variables)
            if checked.operation is not None:
                node = checked.operation.node
                kind = node.operation.value
                operation_name = node.name.value if node.name else operation_name
            elif operation_name is None and len(checked.prepared.operation_names) == 1:
                operation_name = checked.prepared.operation_names[0]  # named in the document
            if checked.errors:
                raise Refusal(checked.errors)
            assert checked.operation is not None
            if get and checked.operation.node.operation is not OperationType.QUERY:
                raise Refusal.because(
                    "GET 只能执行查询，变更请用 POST（GET runs queries only; send mutations by "
                    "POST）",
                    status=HTTP_405_METHOD_NOT_ALLOWED,
                    headers={"Allow": "POST"},
                )
            if operation_name:
                request.scope.setdefault("state", {})[OPERATION_STATE_KEY] = operation_name[
                    :MAX_LOGGED_NAME
                ]
            return await _execute(request, state, params, checked, media)
        except Refusal as refusal:
            metrics.observe_operation(
                name=operation_name,
                kind=kind,
                seconds=time.perf_counter() - started,
                error_codes=[_code(e) for e in refusal.errors],
            )
            return refusal_response(refusal, media)

    async def _execute(
        request: Request[Any, Any, Any],
        state: State,
        params: Params,
        checked: Checked,
        media: str,
    ) -> Response[bytes]:
        deadline = state.settings.server.request_timeout_ms / 1000
        request_id = request.scope.get("state", {}).get("request_id")
        assert checked.operation is not None
        query = checked.operation.node.operation is OperationType.QUERY
        needs_database = checked.operation.needs_database

        async def attempt() -> tuple[Outcome, Context, AsyncExitStack | None]:
            async with AsyncExitStack() as transaction:
                async with asyncio.timeout(deadline):
                    context = await transaction.enter_async_context(
                        _transaction(request, state, needs_database=needs_database)
                    )
                    if not query:
                        await context.confirmed()  # a mutation runs for a confirmed caller only
                    result = await schema.run(
                        checked,
                        params.variables,
                        context,
                        metrics=state.metrics,
                        state=request.scope.setdefault("state", {}),
                    )
                    # A query ran while the caller's confirmation travelled (its statements
                    # waited for it); nothing is answered to a caller it did not confirm.
                    await context.confirmed()
                    if any(_code(e) == SERVICE_UNAVAILABLE for e in result.errors):
                        # Nothing a request did is kept when the database failed under it.
                        raise ServiceUnavailable()
                # A query's answer is what it read in its snapshot: it is sent first and its
                # transaction ends after (one round trip fewer before the answer). A
                # mutation's transaction commits before anyone is told it happened.
                return result, context, transaction.pop_all() if query else None

        try:
            try:
                result, context, deferred = await attempt()
            except StaleSignIn:
                # The remembered caller has changed (or its connection was dead): whatever that
                # attempt computed is dropped, and the caller signs in afresh.
                result, context, deferred = await attempt()
        except NotAuthorizedException as exc:
            raise unauthenticated(str(exc.detail)) from None
        except ServiceUnavailable:
            # Not raised as a Refusal: Schema.run has counted this operation already.
            return refusal_response(unavailable(), media)
        except HTTPException as exc:
            if exc.status_code == HTTP_503_SERVICE_UNAVAILABLE:  # the policy is not loaded yet
                raise unavailable() from None
            raise
        except Exception as exc:
            if isinstance(exc, TimeoutError) or is_unavailable(exc):
                log.warning("database unavailable", error=type(exc).__name__)
                raise unavailable() from None
            log.error("unexpected error serving GraphQL", exc_info=exc)
            raise Refusal(
                [internal_error(request_id)], status=HTTP_500_INTERNAL_SERVER_ERROR
            ) from None
        try:
            body = _body(result.errors, result.data, executed=True)
            finish = None if deferred is None else BackgroundTask(_end, deferred, context, deadline)
            return graphql_response(body, media=media, status=HTTP_200_OK, background=finish)
        except BaseException:
            if deferred is not None:  # no answer, so nothing will end it after one
                await _end(deferred, context, deadline)
            raise

    return GraphQLController


async def _end(transaction: AsyncExitStack, context: Context, deadline: float) -> None:
    """End a query's transaction once its answer has gone (``_execute``). Reads lose nothing
    if this fails; what a query may write besides (an API key's last use) is bookkeeping."""
    try:
        async with asyncio.timeout(deadline):
            await transaction.aclose()
    except Exception as exc:
        log.warning("ending a query's transaction failed", error=type(exc).__name__)
        await context.db.invalidate()
