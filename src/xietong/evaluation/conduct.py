"""Expert conduct events (评标专家行为记录, R-12): a site's staff record what they see at their
own seats — late, absent, phone use, canvassing, leaving the seat — and each record becomes a lead
(问题线索, R-8) at the home site's supervision office, which supervises every expert's conduct,
host experts included. The lead is registered by the leads service (``casework.leads``), in the
home's unit, under the home's system scope (``service.acting_as_system``): a host's staff may not
write in the home's unit, and the home learns the seat, never the expert (sealed identities).

The record itself belongs to the recording site (like an expert row): a host records it through
its live grant on the session; the home side reads every record of its session, by seat. Nothing
here commits.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ColumnElement, and_, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from xietong.access.scope import Scope
from xietong.access.scope_token import ScopeSigner
from xietong.audit.enums import ActorKind
from xietong.casework import common as casework
from xietong.casework import leads
from xietong.casework.enums import LeadSource
from xietong.deadlines.clock import CHINA, Clock
from xietong.evaluation import service
from xietong.evaluation.enums import CONDUCT_NAMES, ConductKind, SessionState
from xietong.evaluation.errors import EvaluationErrorCode as Code
from xietong.evaluation.models import EvaluationConduct, EvaluationSeat, EvaluationSession
from xietong.jurisdictions import codes
from xietong.jurisdictions.enums import DepartmentKind
from xietong.jurisdictions.models import Department, Jurisdiction
from xietong.trading.models import Project

CONDUCT_MATTER = "evaluation_conduct"


def conduct_visible(scope: Scope) -> ColumnElement[bool]:
    """Row-level security's rule: the recording site's own (the home's always, a host's during
    its window), and every record of the home side's sessions."""
    if not scope.app_wall:
        return true()
    return or_(
        and_(
            service._in(scope, EvaluationConduct.jurisdiction_code),
            or_(
                EvaluationConduct.jurisdiction_code == EvaluationConduct.session_jurisdiction_code,
                service._granted_session(EvaluationConduct.session_id),
            ),
        ),
        service._in(scope, EvaluationConduct.session_jurisdiction_code),
    )


async def conduct_of(
    db_session: AsyncSession, scope: Scope, session_id: uuid.UUID
) -> list[EvaluationConduct]:
    rows = await db_session.scalars(
        select(EvaluationConduct)
        .where(EvaluationConduct.session_id == session_id, conduct_visible(scope))
        .order_by(EvaluationConduct.occurred_at, EvaluationConduct.id)
    )
    return list(rows)


async def record(
    db_session: AsyncSession,
    *,
    scope: Scope,
    signer: ScopeSigner,
    actor: service.Actor,
    seat: EvaluationSeat,
    kind: ConductKind,
    note: str,
    occurred_at: datetime | None,
    clock: Clock,
) -> EvaluationConduct:
    """Record a conduct event at one of the caller's own seats during the session, and register
    it as a lead at the home's office."""
    if actor.jurisdiction_code != seat.site_jurisdiction_code:
        raise service._err(
            Code.NOT_YOUR_SITE,
            "只能记录本场地席位上的专家行为（a site records its own seats）",
            "seatId",
        )
    session = await db_session.scalar(
        select(EvaluationSession).where(EvaluationSession.id == seat.session_id)
    )
    if session is None:
        raise service._err(Code.NOT_FOUND, "没有该评标场次（no such session）", "seatId")
    service._state(session, (SessionState.STARTED, SessionState.PAUSED), "记录专家行为")
    now = clock.now()
    when = occurred_at or now
    if when.tzinfo is None or when > now or (session.started_at and when < session.started_at):
        raise service._err(
            Code.INVALID,
            "行为发生时间应在评标开始之后、当前时间之前（during the session, not in the future）",
            "occurredAt",
        )
    home = session.jurisdiction_code
    site_name = await db_session.scalar(
        select(Jurisdiction.name).where(Jurisdiction.code == seat.site_jurisdiction_code)
    )
    async with service.acting_as_system(db_session, signer, unit=home, caller=scope):
        office = await db_session.scalar(
            select(Department.id).where(
                Department.jurisdiction_code == home,
                Department.kind == DepartmentKind.SUPERVISION_OFFICE,
            )
        )
        project_code = await db_session.scalar(
            select(Project.project_code).where(Project.id == session.project_id)
        )
        lead = await leads.register(
            db_session,
            registration=leads.Registration(
                source=LeadSource.WITNESSING,
                title=f"评标专家{CONDUCT_NAMES[kind]}（场次 {session.number}，席位 {seat.label}）",
                facts=f"{when.astimezone(CHINA):%Y-%m-%d %H:%M}，"
                f"{site_name or seat.site_jurisdiction_code}评标场地记录：{note}",
                serious=kind is ConductKind.CANVASSING,
                found_on=clock.today(),
                project_code=project_code,
            ),
            actor=casework.Actor(
                name=service.SYSTEM_ACTOR,
                kind=ActorKind.SYSTEM,
                jurisdiction_code=home,
                department_id=office,
            ),
            clock=clock,
        )
    row = EvaluationConduct(
        id=uuid.uuid4(),
        session_id=session.id,
        seat_id=seat.id,
        jurisdiction_code=seat.site_jurisdiction_code,
        province_code=codes.province_of(seat.site_jurisdiction_code),
        session_jurisdiction_code=home,
        seat_label=seat.label,
        kind=kind,
        note=note,
        occurred_at=when,
        lead_id=lead.id,
        recorded_by=actor.name,
        created_at=now,
    )
    db_session.add(row)
    await db_session.flush()
    await service._audit(
        db_session,
        jurisdiction_code=seat.site_jurisdiction_code,
        actor=actor.name,
        action="evaluation.conductRecord",
        object_type=CONDUCT_MATTER,
        object_id=row.id,
        details={
            "session_id": str(session.id),
            "seat": seat.label,
            "kind": kind.value,
            "lead_id": str(lead.id),
        },
        now=now,
    )
    return row
