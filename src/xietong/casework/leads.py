"""Leads (问题线索, R-8): registered by the trading centre or a department, transferred by the
office to the competent department, verified jointly by several departments when serious (each
records its own finding), and disposed of: a penalty by the department, discipline inspection
(officials), the police (people who are not officials), or unfounded.

A lead stays in its unit: the office, the departments and the police of that unit work on it;
superiors read it. The text sets no period ("at once", 及时), so no clock runs."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, Select, and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from xietong.access.actions import ObjectType
from xietong.access.scope import Scope
from xietong.casework import common, documents
from xietong.casework.common import Actor
from xietong.casework.enums import DocumentKind, LeadDisposition, LeadSource, LeadStatus
from xietong.casework.errors import CaseworkError
from xietong.casework.errors import CaseworkErrorCode as C
from xietong.casework.models import Lead, LeadParticipant
from xietong.casework.transitions import LeadMove, check_lead
from xietong.complaints.models import Complaint
from xietong.deadlines.clock import Clock
from xietong.deadlines.rules import XUANEN, YUNNAN
from xietong.jurisdictions import codes
from xietong.jurisdictions.codes import CodeRange
from xietong.jurisdictions.enums import DepartmentKind

HANDLING_KINDS = frozenset({DepartmentKind.INDUSTRY, DepartmentKind.FINANCE})
RECIPIENT_KINDS: dict[LeadDisposition, frozenset[DepartmentKind]] = {
    LeadDisposition.PENALTY: HANDLING_KINDS,
    LeadDisposition.DISCIPLINE: frozenset({DepartmentKind.DISCIPLINE_INSPECTION}),
    LeadDisposition.POLICE: frozenset({DepartmentKind.POLICE}),
    LeadDisposition.UNFOUNDED: frozenset(),
}
"""Who a disposition goes to: the penalising department, 纪检监察, 公安; unfounded: nobody."""
MIN_PARTICIPANTS = 2


@dataclass(frozen=True, slots=True)
class Registration:
    source: LeadSource
    title: str
    facts: str
    serious: bool
    found_on: date
    project_code: str | None = None
    entity_name: str | None = None
    complaint_id: uuid.UUID | None = None


async def get(
    db_session: AsyncSession, *, scope: Scope, lead_id: uuid.UUID, lock: bool = False
) -> Lead | None:
    query = select(Lead).where(Lead.id == lead_id, scope.visible(Lead.jurisdiction_code))
    if lock:
        query = query.with_for_update()
    found: Lead | None = await db_session.scalar(query)
    return found


def leads_query(
    *, scope: Scope, span: CodeRange, status: Sequence[LeadStatus], complaint_id: uuid.UUID | None
) -> Select[Lead]:
    where: list[ColumnElement[bool]] = [
        scope.within(Lead.jurisdiction_code, span),
        scope.visible(Lead.jurisdiction_code),
    ]
    if status:
        where.append(Lead.status.in_(list(status)))
    if complaint_id is not None:
        where.append(Lead.complaint_id == complaint_id)
    return select(Lead).where(and_(*where))


async def participants_of(db_session: AsyncSession, lead_id: uuid.UUID) -> list[LeadParticipant]:
    rows = await db_session.scalars(
        select(LeadParticipant)
        .where(LeadParticipant.lead_id == lead_id)
        .order_by(LeadParticipant.created_at, LeadParticipant.id)
    )
    return list(rows)


async def _audit(
    session: AsyncSession, lead: Lead, actor: Actor, action: str, **details: object
) -> None:
    await common.record(
        session,
        actor,
        action=f"lead.{action}",
        object_type=ObjectType.LEAD,
        object_id=lead.id,
        jurisdiction_code=lead.jurisdiction_code,
        details={"number": lead.number, "status": lead.status.value, **details},
    )


async def register(
    db_session: AsyncSession, *, registration: Registration, actor: Actor, clock: Clock
) -> Lead:
    today = clock.today()
    common.not_after_today(registration.found_on, today, "foundOn")
    if registration.complaint_id is not None:
        found = await db_session.scalar(
            select(Complaint.id).where(
                Complaint.id == registration.complaint_id,
                Complaint.jurisdiction_code == actor.jurisdiction_code,
            )
        )
        if found is None:
            raise CaseworkError(
                C.NOT_FOUND, "本辖区没有该投诉举报（no such complaint here）", field="complaintId"
            )
    lead = Lead(
        id=uuid.uuid4(),
        jurisdiction_code=actor.jurisdiction_code,
        province_code=codes.province_of(actor.jurisdiction_code),
        number=common.new_number("XS", actor.jurisdiction_code, today),
        source=registration.source,
        title=registration.title,
        facts=registration.facts,
        serious=registration.serious,
        project_code=registration.project_code,
        entity_name=registration.entity_name,
        found_on=registration.found_on,
        registered_by_department_id=actor.department_id,
        complaint_id=registration.complaint_id,
        status=LeadStatus.REGISTERED,
        created_by=actor.name,
    )
    db_session.add(lead)
    await db_session.flush()
    await _audit(
        db_session,
        lead,
        actor,
        "register",
        source=registration.source.value,
        serious=registration.serious,
        complaint=None if registration.complaint_id is None else str(registration.complaint_id),
    )
    return lead


async def transfer(
    db_session: AsyncSession,
    *,
    lead: Lead,
    actor: Actor,
    clock: Clock,
    department_id: uuid.UUID,
) -> Lead:
    """The office transfers the lead to the competent department (谁主管谁监管)."""
    check_lead(LeadMove.TRANSFER, lead.status)
    department = await common.department(
        db_session, department_id, lead.jurisdiction_code, "departmentId"
    )
    if department.kind not in HANDLING_KINDS:
        raise CaseworkError(
            C.WRONG_RECIPIENT,
            "线索应移交行业监管部门或财政部门（to an industry or finance department）",
            field="departmentId",
        )
    lead.status = LeadStatus.TRANSFERRED
    lead.competent_department_id = department.id
    lead.transferred_on = clock.today()
    lead.updated_at = clock.now()
    await db_session.flush()
    await _audit(db_session, lead, actor, "transfer", department=str(department.id))
    return lead


async def verify_jointly(
    db_session: AsyncSession,
    *,
    lead: Lead,
    actor: Actor,
    clock: Clock,
    department_ids: Sequence[uuid.UUID],
) -> Lead:
    """The office organises joint verification (联合核查) with named departments of the unit."""
    check_lead(LeadMove.VERIFY_JOINTLY, lead.status)
    unique = list(dict.fromkeys(department_ids))
    if len(unique) < MIN_PARTICIPANTS:
        raise CaseworkError(
            C.PARTICIPANTS_REQUIRED,
            f"联合核查须至少{MIN_PARTICIPANTS}个部门参加（at least two departments）",
            field="departmentIds",
        )
    for i, ident in enumerate(unique):
        await common.department(db_session, ident, lead.jurisdiction_code, f"departmentIds.{i}")
    db_session.add_all(
        LeadParticipant(
            id=uuid.uuid4(),
            lead_id=lead.id,
            jurisdiction_code=lead.jurisdiction_code,
            province_code=lead.province_code,
            department_id=ident,
            created_by=actor.name,
        )
        for ident in unique
    )
    lead.status = LeadStatus.VERIFYING
    lead.verification_started_on = clock.today()
    lead.updated_at = clock.now()
    await db_session.flush()
    await _audit(db_session, lead, actor, "verify_jointly", departments=[str(i) for i in unique])
    return lead


async def record_finding(
    db_session: AsyncSession, *, lead: Lead, actor: Actor, clock: Clock, finding: str | None
) -> Lead:
    """A participant department records its own finding, once (row-level security lets only
    that department write it)."""
    text = common.text(finding, "finding", "核查意见") or ""
    check_lead(LeadMove.RECORD_FINDING, lead.status)
    mine = await db_session.scalar(
        select(LeadParticipant)
        .where(
            LeadParticipant.lead_id == lead.id,
            LeadParticipant.department_id == actor.department_id,
        )
        .with_for_update()
    )
    if mine is None or actor.department_id is None:
        raise CaseworkError(C.NOT_YOUR_MOVE, "贵部门未参加该线索的联合核查（not a participant）")
    if mine.finding is not None:
        raise CaseworkError(
            C.ILLEGAL_TRANSITION, "本部门已提出核查意见（finding already recorded）"
        )
    mine.finding = text
    mine.found_on = clock.today()
    mine.found_by = actor.name
    await db_session.flush()
    await _audit(db_session, lead, actor, "record_finding", department=str(mine.department_id))
    return lead


async def dispose(
    db_session: AsyncSession,
    *,
    lead: Lead,
    actor: Actor,
    clock: Clock,
    disposition: LeadDisposition,
    department_id: uuid.UUID | None,
    note: str | None,
) -> Lead:
    """Dispose of the lead, with its record: a penalty by the department, a transfer to
    discipline inspection or the police, or unfounded. A jointly verified lead needs every
    participant's finding first."""
    check_lead(LeadMove.DISPOSE, lead.status)
    why = common.text(note, "note", "处置意见") or ""
    if lead.status is LeadStatus.VERIFYING:
        pending = [p for p in await participants_of(db_session, lead.id) if p.finding is None]
        if pending:
            raise CaseworkError(
                C.FINDINGS_MISSING,
                f"尚有{len(pending)}个参加部门未提出核查意见（findings missing）",
            )
    kinds = RECIPIENT_KINDS[disposition]
    recipient = None
    if kinds:
        if department_id is None:
            raise CaseworkError(
                C.WRONG_RECIPIENT, "请指定接收机关（name the receiving body）", field="departmentId"
            )
        recipient = await common.department(
            db_session, department_id, lead.jurisdiction_code, "departmentId"
        )
        if recipient.kind not in kinds:
            raise CaseworkError(
                C.WRONG_RECIPIENT,
                f"“{disposition.zh}”的接收机关不是该部门（not the body this disposition goes to）",
                field="departmentId",
            )
    elif department_id is not None:
        raise CaseworkError(
            C.WRONG_RECIPIENT,
            "查无实据无需接收机关（unfounded goes nowhere）",
            field="departmentId",
        )
    lead.status = LeadStatus.DISPOSED
    lead.disposition = disposition
    lead.disposition_department_id = None if recipient is None else recipient.id
    lead.disposition_note = why
    lead.disposed_on = clock.today()
    lead.updated_at = clock.now()
    await db_session.flush()
    await documents.issue(
        db_session,
        kind=DocumentKind.LEAD_DISPOSITION,
        matter_type="lead",
        matter_id=lead.id,
        matter_jurisdiction_code=lead.jurisdiction_code,
        number=f"{lead.number}-CZ",
        issued_on=clock.today(),
        issuer=actor,
        recipient=(await documents.full_name(db_session, recipient.id) if recipient else "存档"),
        subject=lead.title,
        body=f"处置方式：{disposition.zh}\n{why}",
        basis=f"{XUANEN}三（三）；{YUNNAN}十",
    )
    await _audit(
        db_session,
        lead,
        actor,
        "dispose",
        disposition=disposition.value,
        department=None if recipient is None else str(recipient.id),
    )
    return lead
