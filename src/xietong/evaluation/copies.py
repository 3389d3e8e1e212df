"""Copying an investigation's result to the host sites concerned (抄送, R-12), as an action with
a receiving side.

The home copies — a person (``evaluationInvestigationCopy``), or the worker where the home
configured automatic copying for the session (``copy_due``, run by ``evaluation.copies``). Each
host concerned receives one ``EvaluationCopy`` in its own jurisdiction: the result, the seats of
its own site the result concerns (it knows who sat there; the home does not) and the decision;
its supervising departments list it (``evaluationCopies``) and acknowledge it
(``evaluationCopyAcknowledge``). The copy also grants the host a read of the investigation, and
meets the home's ``R12.copy_to_host`` clock; an overdue copy is escalated to the home's superior
office by the deadline engine's sweep like any overdue clock. Nothing here commits.
"""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, Select, and_, func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from xietong.access import grants
from xietong.access.actions import Action, ObjectType
from xietong.access.scope import Scope, in_span
from xietong.access.scope_token import ScopeSigner
from xietong.deadlines import obligations
from xietong.deadlines.clock import Clock
from xietong.deadlines.obligations import MatterRef
from xietong.evaluation import results, service
from xietong.evaluation.enums import InvestigationState
from xietong.evaluation.errors import EvaluationErrorCode as Code
from xietong.evaluation.models import (
    EvaluationCopy,
    EvaluationInvestigation,
    EvaluationSeat,
    EvaluationSession,
)
from xietong.jurisdictions import codes
from xietong.jurisdictions.codes import CodeRange

COPY_MATTER = "evaluation_copy"
INBOX_KEYS = (EvaluationCopy.copied_at, EvaluationCopy.id)
"""Newest first (``paginate(..., descending=True)``)."""


def copies_visible(scope: Scope) -> ColumnElement[bool]:
    """The host's copies (its subtree), and those the home side sent: row-level security's rule."""
    if not scope.app_wall:
        return true()
    return or_(
        service._in(scope, EvaluationCopy.jurisdiction_code),
        service._in(scope, EvaluationCopy.home_jurisdiction_code),
    )


def received_query(
    scope: Scope, span: CodeRange, unacknowledged: bool | None
) -> Select[EvaluationCopy]:
    """Copies received by the hosts of ``span`` (the caller's reach): the host's inbox."""
    query = select(EvaluationCopy).where(
        in_span(EvaluationCopy.jurisdiction_code, span), copies_visible(scope)
    )
    if unacknowledged is True:
        query = query.where(EvaluationCopy.acknowledged_at.is_(None))
    elif unacknowledged is False:
        query = query.where(EvaluationCopy.acknowledged_at.is_not(None))
    return query


async def copies_of(
    db_session: AsyncSession, scope: Scope, investigation_id: uuid.UUID
) -> list[EvaluationCopy]:
    rows = await db_session.scalars(
        select(EvaluationCopy)
        .where(EvaluationCopy.investigation_id == investigation_id, copies_visible(scope))
        .order_by(EvaluationCopy.jurisdiction_code)
    )
    return list(rows)


async def get_copy(
    db_session: AsyncSession, scope: Scope, copy_id: uuid.UUID, *, lock: bool = False
) -> EvaluationCopy | None:
    query = select(EvaluationCopy).where(EvaluationCopy.id == copy_id, copies_visible(scope))
    if lock:
        query = query.with_for_update()
    found: EvaluationCopy | None = await db_session.scalar(query)
    return found


async def copy_to_hosts(
    db_session: AsyncSession,
    *,
    investigation: EvaluationInvestigation,
    actor: service.Actor,
    clock: Clock,
    scope: Scope,
    signer: ScopeSigner,
    automatic: bool = False,
) -> EvaluationInvestigation:
    """Copy the result to every host site concerned: one copy in each host's inbox (its own
    seats, the result, the decision), a read grant on the investigation, the clock met — in time
    or late. The caller acts in the home unit (a person, or the worker's system scope)."""
    if actor.jurisdiction_code != investigation.jurisdiction_code:
        raise service._err(
            Code.NOT_YOUR_SITE, "只有主场可以抄送（only the home site copies）", "id"
        )
    if investigation.state is not InvestigationState.ENDED or not investigation.host_codes:
        raise service._err(
            Code.ILLEGAL_STATE,
            "只有已结束且涉及客场专家的调查可以抄送（only an ended investigation about host "
            "experts is copied）",
            "id",
        )
    now, today = clock.now(), clock.today()
    number = await db_session.scalar(
        select(EvaluationSession.number).where(EvaluationSession.id == investigation.session_id)
    )
    seats = list(
        await db_session.execute(
            select(EvaluationSeat.site_jurisdiction_code, EvaluationSeat.label).where(
                EvaluationSeat.id.in_(list(investigation.seat_ids))
            )
        )
    )
    copied: list[str] = []
    for host in investigation.host_codes:
        labels = sorted(label for code, label in seats if code == host)
        row = EvaluationCopy(
            id=uuid.uuid4(),
            investigation_id=investigation.id,
            session_id=investigation.session_id,
            jurisdiction_code=host,
            province_code=codes.province_of(host),
            home_jurisdiction_code=investigation.jurisdiction_code,
            session_number=number or "",
            seat_labels=labels,
            subject=investigation.subject,
            result=investigation.result or "",
            decision=investigation.decision or "",
            automatic=automatic,
            copied_at=now,
            copied_by=actor.name,
        )
        db_session.add(row)
        await db_session.flush()
        copied.append(str(row.id))
        grant = await grants.create(
            db_session=db_session,
            object_type=ObjectType.EVALUATION_INVESTIGATION,
            object_id=investigation.id,
            object_jurisdiction_code=investigation.jurisdiction_code,
            grantee_jurisdiction_code=host,
            grantee_department_id=None,
            actions=(Action.READ,),
            include_related=False,
            reason="涉及客场评标专家的处理结果抄送（R-12）",
            starts_at=now,
            expires_at=now + service.GRANT_HARD_STOP,
            created_by=actor.name,
        )
        await service._audit(
            db_session,
            jurisdiction_code=investigation.jurisdiction_code,
            actor=actor.name,
            action="grant.create",
            object_type="grant",
            object_id=grant.id,
            details={
                "object_type": ObjectType.EVALUATION_INVESTIGATION.value,
                "object_id": str(investigation.id),
                "grantee": host,
                "actions": [Action.READ.value],
            },
            now=now,
        )
        await db_session.flush()
        # The host's experts concerned: the result in their record at the host's library,
        # written by the host's side (only it knows who sat there).
        # ...as the host's office (or centre): its grant on the session reads its expert rows.
        grantees = await service.host_grantees(db_session, host)
        async with service.acting_as_system(
            db_session,
            signer,
            unit=host,
            caller=scope,
            department_id=grantees[0] if grantees else None,
        ):
            await results.record_for_site(
                db_session,
                investigation=investigation,
                site_code=host,
                session_number=number or "",
                actor=service.SYSTEM_ACTOR,
                clock=clock,
            )
    investigation.state = InvestigationState.COPIED
    investigation.copied_on = today
    await db_session.flush()
    await obligations.meet(
        db_session,
        matter=MatterRef(service.INVESTIGATION_MATTER, investigation.id),
        rule_id=service.COPY_RULE,
        clock=clock,
        actor=actor.name,
    )
    await service._audit(
        db_session,
        jurisdiction_code=investigation.jurisdiction_code,
        actor=actor.name,
        action="evaluation.investigationCopy",
        object_type=service.INVESTIGATION_MATTER,
        object_id=investigation.id,
        details={
            "copied_on": today.isoformat(),
            "hosts": list(investigation.host_codes),
            "copies": copied,
            "automatic": automatic,
        },
        now=now,
    )
    await service.stretch_window(db_session, investigation.session_id, clock)
    return investigation


async def acknowledge(
    db_session: AsyncSession, *, copy: EvaluationCopy, actor: service.Actor, clock: Clock
) -> EvaluationCopy:
    """The host's department acknowledges receipt (签收), in the host's own audit chain."""
    if actor.jurisdiction_code != copy.jurisdiction_code:
        raise service._err(
            Code.NOT_YOUR_SITE, "只有收到抄送的客场可以签收（only the host copied signs）", "id"
        )
    if copy.acknowledged_at is not None:
        raise service._err(Code.ILLEGAL_STATE, "该抄送已签收（already acknowledged）", "id")
    now = clock.now()
    copy.acknowledged_at = now
    copy.acknowledged_by = actor.name
    await db_session.flush()
    await service._audit(
        db_session,
        jurisdiction_code=copy.jurisdiction_code,
        actor=actor.name,
        action="evaluation.copyAcknowledge",
        object_type=COPY_MATTER,
        object_id=copy.id,
        details={"investigation_id": str(copy.investigation_id), "seats": list(copy.seat_labels)},
        now=now,
    )
    return copy


# Automatic copying (the worker). ----------------------------------------------------------------


def _auto_due() -> ColumnElement[bool]:
    """Ended, about host experts, not yet copied, in a session whose home copies automatically."""
    return and_(
        EvaluationInvestigation.state == InvestigationState.ENDED,
        func.cardinality(EvaluationInvestigation.host_codes) > 0,
        EvaluationInvestigation.session_id.in_(
            select(EvaluationSession.id).where(EvaluationSession.auto_copy.is_(True))
        ),
    )


async def homes_with_copies_due(db_session: AsyncSession) -> list[int]:
    """Home units with a copy the worker owes (read under a plan scope)."""
    rows = await db_session.scalars(
        select(EvaluationInvestigation.jurisdiction_code).where(_auto_due()).distinct()
    )
    return list(rows)


async def copy_due(
    db_session: AsyncSession, *, home: int, clock: Clock, scope: Scope, signer: ScopeSigner
) -> list[uuid.UUID]:
    """Under the system scope of ``home``: copy every investigation the home set to be copied
    automatically. Rows locked and skipped if another worker holds them; the state moves to
    copied in the same transaction, so a second run copies nothing. Returns those copied."""
    due = list(
        await db_session.scalars(
            select(EvaluationInvestigation)
            .where(EvaluationInvestigation.jurisdiction_code == home, _auto_due())
            .order_by(EvaluationInvestigation.ended_on, EvaluationInvestigation.id)
            .with_for_update(skip_locked=True)
        )
    )
    actor = service.Actor(name=service.SYSTEM_ACTOR, jurisdiction_code=home, department_id=None)
    for investigation in due:
        await copy_to_hosts(
            db_session,
            investigation=investigation,
            actor=actor,
            clock=clock,
            scope=scope,
            signer=signer,
            automatic=True,
        )
    return [i.id for i in due]
