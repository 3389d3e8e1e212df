"""An investigation's result in the record of each expert it concerns, kept at the expert's own
library (R-12: 专家所在地 knows what its expert did elsewhere). Written by the side that knows
who sat in the seat: the home for its own experts when the investigation ends, each host for its
experts when the result is copied to it (under the host's system scope, in the same
transaction). Read by that side only (row-level security: the library's subtree). Nothing here
commits."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import ColumnElement, false, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from xietong.access.scope import Scope
from xietong.deadlines.clock import Clock
from xietong.evaluation.models import (
    EvaluationExpert,
    EvaluationExpertResult,
    EvaluationInvestigation,
    EvaluationSeat,
)
from xietong.jurisdictions import codes


async def record_for_site(
    db_session: AsyncSession,
    *,
    investigation: EvaluationInvestigation,
    site_code: int,
    session_number: str,
    actor: str,
    clock: Clock,
) -> list[EvaluationExpertResult]:
    """The result, in the record of every expert ``site_code`` seated in the investigation's
    seats. The caller acts in ``site_code`` and reads its own expert rows."""
    seated = (
        await db_session.execute(
            select(EvaluationExpert.expert_id, EvaluationSeat.label)
            .join(EvaluationSeat, EvaluationSeat.id == EvaluationExpert.seat_id)
            .where(
                EvaluationExpert.seat_id.in_(list(investigation.seat_ids)),
                EvaluationExpert.jurisdiction_code == site_code,
            )
            .order_by(EvaluationSeat.label)
        )
    ).all()
    now, today = clock.now(), clock.today()
    rows = [
        EvaluationExpertResult(
            id=uuid.uuid4(),
            expert_id=expert_id,
            investigation_id=investigation.id,
            jurisdiction_code=site_code,
            province_code=codes.province_of(site_code),
            home_jurisdiction_code=investigation.jurisdiction_code,
            session_number=session_number,
            seat_label=label,
            subject=investigation.subject,
            result=investigation.result or "",
            decision=investigation.decision or "",
            recorded_on=today,
            created_by=actor,
            created_at=now,
        )
        for expert_id, label in seated
    ]
    db_session.add_all(rows)
    await db_session.flush()
    return rows


def results_visible(scope: Scope) -> ColumnElement[bool]:
    if not scope.app_wall:
        return true()
    if scope.read is None:
        return false()
    found: ColumnElement[bool] = EvaluationExpertResult.jurisdiction_code.between(
        scope.read.lo, scope.read.hi
    )
    return found


async def results_of(
    db_session: AsyncSession, scope: Scope, expert_ids: Sequence[uuid.UUID]
) -> list[EvaluationExpertResult]:
    rows = await db_session.scalars(
        select(EvaluationExpertResult)
        .where(EvaluationExpertResult.expert_id.in_(list(expert_ids)), results_visible(scope))
        .order_by(EvaluationExpertResult.recorded_on, EvaluationExpertResult.id)
    )
    return list(rows)
