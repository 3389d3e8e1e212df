"""One path for every batch, whoever sends it: the GraphQL batch mutations and ``xietong import``.

``ingest`` asks access control who the caller acts as, checks every row (``rows.parse_rows``),
applies the batch through the service in one savepoint and records one audit event naming the
rows it created or changed — or applies nothing and returns every problem, by row.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.exc import IntegrityError

from xietong.access.actions import Action, ObjectType
from xietong.access.errors import AccessDenied
from xietong.access.guard import Guard
from xietong.access.roles import Role
from xietong.api.mutations import FOREIGN_KEY_VIOLATION
from xietong.deadlines.clock import SYSTEM_CLOCK, Clock
from xietong.trading import service
from xietong.trading.errors import TradingError, TradingErrorCode
from xietong.trading.rows import Kind, RowProblem, RowsRefused, parse_rows

T = TypeVar("T")

TRADING_ROLES = (Role.TRADING_CENTRE, Role.INTEGRATOR)

AUDIT_ACTIONS = {
    Kind.PROJECTS: ("project.register", ObjectType.PROJECT),
    Kind.BIDS: ("bid.record", ObjectType.PROJECT),
    Kind.AWARDS: ("award.record", ObjectType.PROJECT),
    Kind.REPORTS: ("report.file", ObjectType.PROJECT),
    Kind.APPROVED: ("approvedProject.push", ObjectType.APPROVED_PROJECT),
}


@dataclass(frozen=True, slots=True)
class Acting:
    """The lifecycle role the caller writes in, and for an industry department the department
    whose projects it may report on."""

    role: Role
    supervised_by: uuid.UUID | None = None


def _trading_role(guard: Guard) -> Role:
    principal = guard.principal
    held = {a.role for a in principal.roles if a.jurisdiction_code == principal.jurisdiction_code}
    return next((r for r in TRADING_ROLES if r in held), Role.INTEGRATOR)


async def acting(
    guard: Guard,
    kind: Kind | None,
    jurisdiction_code: int,
    *,
    supervisors: Sequence[uuid.UUID] | None = None,
) -> Acting:
    """Who the caller acts as, or a top-level refusal (``FORBIDDEN``, ``POWER_NOT_LISTED``).

    Registration is the trading centre's (or its system's): ``project:create``. Bids and awards
    are recorded by the trading side: ``project:report``. Reports (R-4), contracts and the
    performance steps are also filed by a supervising department (``project:supervise``, gated by
    its published power list): for a single project, one of ``supervisors``; for a batch of
    reports, only on the projects it supervises. Approved projects: ``approved_project:create``.
    """
    if kind is Kind.PROJECTS:
        await guard.require(ObjectType.PROJECT, Action.CREATE, jurisdiction_code)
        return Acting(_trading_role(guard))
    if kind is Kind.APPROVED:
        await guard.require(ObjectType.APPROVED_PROJECT, Action.CREATE, jurisdiction_code)
        return Acting(Role.INTEGRATOR)
    trading = await guard.decide(ObjectType.PROJECT, Action.REPORT, jurisdiction_code)
    if trading.allowed:
        return Acting(_trading_role(guard))
    if kind is Kind.REPORTS or supervisors is not None:
        supervising = await guard.decide(ObjectType.PROJECT, Action.SUPERVISE, jurisdiction_code)
        department = guard.principal.department
        if supervising.allowed and department is not None:
            if kind is Kind.REPORTS:
                return Acting(Role.INDUSTRY_SUPERVISOR, department.id)
            if supervisors is not None and department.id in supervisors:
                return Acting(Role.INDUSTRY_SUPERVISOR)
        if supervising.code == "POWER_NOT_LISTED":
            raise AccessDenied(supervising.message, code=supervising.code)
    raise AccessDenied(trading.message, code=trading.code or "FORBIDDEN")


async def in_savepoint(
    guard: Guard, body: Callable[[], Awaitable[T]]
) -> tuple[T | None, list[RowProblem]]:
    """``body`` in a savepoint: its result, or nothing and every problem. A ``TradingError``
    outside a batch belongs to the whole input (index -1); the lifecycle's ``FORBIDDEN`` is an
    access refusal and stays top-level; a foreign key that fails is ``NOT_FOUND``."""
    session = guard.session
    savepoint = await session.begin_nested()
    try:
        result = await body()
    except RowsRefused as exc:
        await savepoint.rollback()
        return None, exc.problems
    except TradingError as exc:
        await savepoint.rollback()
        if exc.error_code is TradingErrorCode.FORBIDDEN:
            raise AccessDenied(exc.message) from None
        return None, [
            RowProblem(-1, exc.field, exc.error_code, exc.message, exc.extensions.get("position"))
        ]
    except IntegrityError as exc:
        await savepoint.rollback()
        if getattr(exc.orig, "sqlstate", None) != FOREIGN_KEY_VIOLATION:
            raise
        return None, [
            RowProblem(
                -1,
                None,
                TradingErrorCode.NOT_FOUND,
                "引用的记录不存在（a referenced record does not exist）",
            )
        ]
    except BaseException:
        await savepoint.rollback()
        raise
    await savepoint.commit()
    return result, []


async def ingest(
    guard: Guard,
    kind: Kind,
    jurisdiction_code: int,
    raws: Sequence[Mapping[str, Any]],
    *,
    clock: Clock = SYSTEM_CLOCK,
) -> tuple[service.BatchResult | None, list[RowProblem]]:
    """Check and apply one batch (≤ 1,000 rows) of ``kind`` for ``jurisdiction_code``: all rows
    or none. Access refusals raise (``AccessDenied``); everything else is a problem by row."""
    who = await acting(guard, kind, jurisdiction_code)
    rows, problems = parse_rows(kind, raws, today=clock.today())
    if problems:
        return None, problems
    writer = service.Writer(actor=guard.scope.actor, role=who.role, now=clock.now())
    common: dict[str, Any] = {
        "db_session": guard.session,
        "jurisdiction_code": jurisdiction_code,
        "rows": rows,
        "writer": writer,
    }
    scoped = {**common, "scope": guard.scope, "principal": guard.principal}

    async def apply() -> service.BatchResult:
        result: service.BatchResult
        if kind is Kind.PROJECTS:
            result, touched = await service.register_projects(**scoped)
            result.projects = touched
        elif kind is Kind.BIDS:
            result = await service.record_bids(**scoped)
        elif kind is Kind.AWARDS:
            result = await service.record_awards(**scoped)
        elif kind is Kind.REPORTS:
            result, _ = await service.file_reports(**scoped, supervised_by=who.supervised_by)
        else:
            result = await service.push_approved(**common)
        if result.changed:
            action, object_type = AUDIT_ACTIONS[kind]
            single = result.created + result.updated
            await guard.audit(
                action=action,
                object_type=object_type,
                object_id=single[0] if len(single) == 1 else None,
                jurisdiction_code=jurisdiction_code,
                details=result.audit_details(len(rows)),
            )
        return result

    return await in_savepoint(guard, apply)
