"""What every trading mutation does around its service call: who acts in which lifecycle role,
one savepoint for all rows, payload errors with the row index."""

from __future__ import annotations

import dataclasses
import re
import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from sqlalchemy.exc import IntegrityError

from xietong.access.actions import Action, ObjectType
from xietong.access.errors import AccessDenied
from xietong.access.roles import Role
from xietong.api.context import Context
from xietong.api.errors import ApiError
from xietong.api.mutations import FOREIGN_KEY_VIOLATION
from xietong.deadlines.clock import SYSTEM_CLOCK
from xietong.trading.errors import TradingError, TradingErrorCode
from xietong.trading.graphql.types import TradingError as TradingErrorType
from xietong.trading.rows import RowProblem, RowsRefused
from xietong.trading.service import Writer

T = TypeVar("T")

TRADING_ROLES = (Role.TRADING_CENTRE, Role.INTEGRATOR)


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def plain_rows(items: Sequence[Any]) -> list[dict[str, Any]]:
    """Strawberry input objects as rows keyed by their API (camelCase) names."""
    rows = []
    for item in items:
        values = {f.name: getattr(item, f.name) for f in dataclasses.fields(item)}
        rows.append({_camel(k): v for k, v in values.items()})
    return rows


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _role_held(ctx: Context, jurisdiction_code: int, wanted: Sequence[Role]) -> Role | None:
    held = {a.role for a in ctx.principal.roles if a.jurisdiction_code == jurisdiction_code}
    return next((r for r in wanted if r in held), None)


async def acting_role(
    ctx: Context,
    jurisdiction_code: int,
    *,
    supervisors: Sequence[uuid.UUID] | None = None,
) -> Role:
    """The lifecycle role the caller acts in on a project of ``jurisdiction_code``: the trading
    centre or an integrator (``project:report``), or — where ``supervisors`` is given — one of
    the project's supervising departments (``project:supervise``, gated by its published power
    list). Anything else is refused (a top-level ``FORBIDDEN``/``POWER_NOT_LISTED``)."""
    trading = await ctx.guard.decide(ObjectType.PROJECT, Action.REPORT, jurisdiction_code)
    if trading.allowed:
        return _role_held(ctx, ctx.principal.jurisdiction_code or 0, TRADING_ROLES) or (
            Role.INTEGRATOR
        )
    if supervisors is not None:
        supervising = await ctx.guard.decide(
            ObjectType.PROJECT, Action.SUPERVISE, jurisdiction_code
        )
        department = ctx.principal.department
        if supervising.allowed and department is not None and department.id in supervisors:
            return Role.INDUSTRY_SUPERVISOR
        if supervising.code == "POWER_NOT_LISTED":
            raise AccessDenied(supervising.message, code=supervising.code)
    raise AccessDenied(trading.message, code=trading.code or "FORBIDDEN")


async def registering_role(ctx: Context, jurisdiction_code: int) -> Role:
    """Registration is the trading centre's (or its system's) move: ``project:create``."""
    await ctx.guard.require(ObjectType.PROJECT, Action.CREATE, jurisdiction_code)
    return _role_held(ctx, ctx.principal.jurisdiction_code or 0, TRADING_ROLES) or Role.INTEGRATOR


def writer(ctx: Context, role: Role) -> Writer:
    return Writer(actor=ctx.scope.actor, role=role, now=SYSTEM_CLOCK.now())


async def apply_rows(
    ctx: Context, body: Callable[[], Awaitable[T]]
) -> tuple[T | None, list[TradingErrorType]]:
    """Run ``body`` in a savepoint: its result, or nothing and every problem (by row). A
    ``TradingError`` the body raises outside a batch belongs to the whole input (index null);
    the lifecycle's ``FORBIDDEN`` is an access refusal and stays top-level."""
    savepoint = await ctx.db.begin_nested()
    try:
        result = await body()
    except RowsRefused as exc:
        await savepoint.rollback()
        return None, errors(exc.problems)
    except TradingError as exc:
        await savepoint.rollback()
        if exc.error_code is TradingErrorCode.FORBIDDEN:
            raise AccessDenied(exc.message) from None
        return None, [
            TradingErrorType(index=None, field=exc.field, code=exc.error_code, message=exc.message)
        ]
    except IntegrityError as exc:
        await savepoint.rollback()
        if getattr(exc.orig, "sqlstate", None) != FOREIGN_KEY_VIOLATION:
            raise
        return None, [
            TradingErrorType(
                index=None,
                field=None,
                code=TradingErrorCode.NOT_FOUND,
                message="引用的记录不存在（a referenced record does not exist）",
            )
        ]
    except BaseException:
        await savepoint.rollback()
        raise
    await savepoint.commit()
    return result, []


def errors(problems: Sequence[RowProblem]) -> list[TradingErrorType]:
    return [
        TradingErrorType(
            index=None if p.index < 0 else p.index,
            field=p.field,
            code=p.code,
            message=p.message,
            position=p.position,
        )
        for p in problems
    ]


def refuse(error: ApiError | TradingError) -> list[TradingErrorType]:
    code = error.error_code if isinstance(error, TradingError) else TradingErrorCode.INVALID_VALUE
    field = error.field if isinstance(error, TradingError) else None
    return [TradingErrorType(index=None, field=field, code=code, message=error.message)]
