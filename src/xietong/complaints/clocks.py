"""A move's clock effects, applied through the one deadline engine (``deadlines.obligations``).

Nothing here computes a date: the transition table says which rule opens, is met, cancelled,
paused or resumed; this module says who owes it (the office, the receiving or the competent
department, or the respondent), to whom, and from which of the complaint's dates it counts, and
calls the obligations service.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from xietong.complaints.models import Complaint
from xietong.complaints.transitions import ClockEffect, Effect, Owing, Start
from xietong.deadlines import obligations
from xietong.deadlines.clock import Clock
from xietong.deadlines.enums import ObligationStatus, OwingParty, PauseReason
from xietong.deadlines.models import Obligation
from xietong.jurisdictions.enums import DepartmentKind
from xietong.jurisdictions.models import Department

MATTER_TYPE = "complaint"

COUNTERPARTY = {
    OwingParty.COMPLAINANT: "投诉人",
    OwingParty.SUPERVISION_OFFICE: "协同监管办公室",
    OwingParty.RESPONDENT: "被投诉人",
    OwingParty.COMPETENT_DEPARTMENT: "主管部门",
    OwingParty.TRANSFER_RECEIVER: "主管部门",
    OwingParty.TRANSFER_SENDER: "协同监管办公室",
}


def matter(complaint: Complaint) -> obligations.MatterRef:
    return obligations.MatterRef(MATTER_TYPE, complaint.id)


async def office_of(db_session: AsyncSession, jurisdiction_code: int) -> Department | None:
    """The supervision office of a jurisdiction (every seed unit has one)."""
    found: Department | None = await db_session.scalar(
        select(Department)
        .where(
            Department.jurisdiction_code == jurisdiction_code,
            Department.kind == DepartmentKind.SUPERVISION_OFFICE,
            Department.active.is_(True),
        )
        .order_by(Department.key)
        .limit(1)
    )
    return found


@dataclass(frozen=True, slots=True)
class Pausing:
    """What a pause or resume records: the reason (for examinations, the move's), the document
    that started or ended it, and the notice to the complainant."""

    reason: PauseReason | None
    document: str
    notice: str | None = None


def _start(complaint: Complaint, start: Start, today: date) -> date:
    dates = {
        Start.RECEIVED: complaint.received_on,
        Start.AT_OFFICE: complaint.at_office_on,
        Start.REVIEW: complaint.review_on,
        Start.TODAY: today,
    }
    found = dates[start]
    return found if found is not None else today


async def _owing(db_session: AsyncSession, complaint: Complaint, owing: Owing) -> uuid.UUID | None:
    if owing is Owing.RECEIVING_DEPARTMENT:
        return complaint.receiving_department_id
    if owing is Owing.COMPETENT_DEPARTMENT:
        return complaint.handling_department_id
    if owing is Owing.OFFICE:
        office = await office_of(db_session, complaint.jurisdiction_code)
        return None if office is None else office.id
    return None  # the respondent (招标人, 采购人) is outside the system


async def apply(
    db_session: AsyncSession,
    *,
    complaint: Complaint,
    effects: tuple[ClockEffect, ...],
    pausing: Pausing | None,
    reason_text: str,
    clock: Clock,
    actor: str,
) -> list[str]:
    """Apply ``effects`` in order; what was done, for the audit event (``"open TB.decision"``)."""
    ref = matter(complaint)
    today = clock.today()
    done: list[str] = []

    async def unfinished(rule_id: str) -> bool:
        rows = await obligations.of_matter(db_session, ref)
        return any(
            r.rule_id == rule_id and r.status in (ObligationStatus.OPEN, ObligationStatus.OVERDUE)
            for r in rows
        )

    for effect in effects:
        rule = effect.rule
        if effect.effect in (Effect.OPEN, Effect.OPEN_AND_MEET):
            assert rule is not None
            assert effect.owing is not None
            assert effect.start is not None
            started = today if rule.counted_from is not None else None
            counted = _start(complaint, effect.start, today)
            await obligations.open_obligation(
                db_session,
                rule_id=rule.id,
                matter=ref,
                owing_jurisdiction_code=complaint.jurisdiction_code,
                owing_department_id=await _owing(db_session, complaint, effect.owing),
                counterparty=COUNTERPARTY.get(rule.owed_to),
                # Acceptance dates back to receipt: opened today, counted from the receipt.
                started_on=started or counted,
                counted_from=counted if started else None,
                clock=clock,
                actor=actor,
            )
            done.append(f"open {rule.id}")
        if effect.effect in (Effect.MEET, Effect.OPEN_AND_MEET):
            assert rule is not None
            if await unfinished(rule.id):
                await obligations.meet(
                    db_session, matter=ref, rule_id=rule.id, clock=clock, actor=actor
                )
                done.append(f"meet {rule.id}")
        elif effect.effect is Effect.CANCEL:
            assert rule is not None
            if await obligations.cancel(
                db_session,
                matter=ref,
                rule_id=rule.id,
                reason=reason_text,
                clock=clock,
                actor=actor,
            ):
                done.append(f"cancel {rule.id}")
        elif effect.effect in (Effect.PAUSE, Effect.RESUME):
            assert pausing is not None
            reason = effect.reason or pausing.reason
            assert reason is not None
            if effect.effect is Effect.PAUSE:
                touched = await obligations.pause(
                    db_session,
                    matter=ref,
                    reason=reason,
                    document=pausing.document,
                    notice=pausing.notice,
                    clock=clock,
                    actor=actor,
                )
            else:
                touched = await obligations.resume(
                    db_session,
                    matter=ref,
                    reason=reason,
                    document=pausing.document,
                    clock=clock,
                    actor=actor,
                )
            done.append(
                f"{effect.effect.value} {reason.value}: "
                + (", ".join(sorted(r.rule_id for r in touched)) or "-")
            )
    return done


async def of_complaint(db_session: AsyncSession, complaint: Complaint) -> list[Obligation]:
    return await obligations.of_matter(db_session, matter(complaint))
