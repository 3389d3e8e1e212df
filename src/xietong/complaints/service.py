"""Complaints: filing, the moves of the transition table, tracking, lists and the timeline.

Plain functions over a session; they never commit (the request owns the transaction). Every move
goes through ``make_move``: the table decides whether it is legal and what it does to the clocks;
this module records the facts, applies the clocks through the obligations service, issues the
notice and appends the audit event, all in the caller's transaction.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    exists,
    func,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from xietong.access.actions import Action, ObjectType
from xietong.access.errors import AccessDenied
from xietong.access.models import DepartmentPower
from xietong.access.scope import Scope
from xietong.audit import service as audit
from xietong.audit.enums import ActorKind
from xietong.audit.models import AuditEvent
from xietong.complaints import clocks, grounds, notices, routing, tracking, transitions
from xietong.complaints.attachments import CheckedFile
from xietong.complaints.enums import (
    ComplaintAction,
    ComplaintCategory,
    ComplaintOutcome,
    ComplaintRegime,
    ComplaintStatus,
    NoticeKind,
    Party,
    RefusalGround,
)
from xietong.complaints.errors import ComplaintError, ComplaintErrorCode
from xietong.complaints.models import Complaint, ComplaintAttachment, ComplaintNotice
from xietong.db.engine import keyring_of
from xietong.deadlines.clock import Clock
from xietong.deadlines.enums import ObligationStatus, OwingParty, PauseReason
from xietong.deadlines.models import Obligation
from xietong.deadlines.rules import RULES_BY_ID
from xietong.jurisdictions import codes
from xietong.jurisdictions.codes import CodeRange
from xietong.jurisdictions.enums import DepartmentKind, Industry
from xietong.jurisdictions.models import Department, Jurisdiction
from xietong.keys import Purpose
from xietong.trading.enums import ProjectCategory
from xietong.trading.supervision import DepartmentView

S = ComplaintStatus
A = ComplaintAction
C = ComplaintErrorCode

MAX_PER_CLIENT_PER_HOUR = 5
"""Complaints one client address may file in one unit within an hour."""
MAX_PER_UNIT_PER_DAY = 500
"""Complaints one unit accepts from the public within a day (a flood is refused, not stored)."""
RECEIVING_KINDS = frozenset(
    {DepartmentKind.SUPERVISION_OFFICE, DepartmentKind.INDUSTRY, DepartmentKind.FINANCE}
)
"""Where the public may file: the office, or an industry (or finance) department."""
_RUNNING = (ObligationStatus.OPEN, ObligationStatus.OVERDUE)
EXAMINATIONS = frozenset({PauseReason.TESTING, PauseReason.APPRAISAL, PauseReason.EXPERT_REVIEW})

FILING: dict[ComplaintStatus, tuple[transitions.ClockEffect, ...]] = {
    S.RECEIVED: (
        transitions.open_(
            "R7.report_to_office",
            transitions.Owing.RECEIVING_DEPARTMENT,
            transitions.Start.RECEIVED,
        ),
    ),
    S.AT_OFFICE: (
        transitions.open_("R9.transfer", transitions.Owing.OFFICE, transitions.Start.AT_OFFICE),
    ),
}
"""The clocks a filing starts, by where it lands: a department reports it to the office in 3
working days (R-7); the office hands it over in writing within 5 (R-9's 完成移送)."""

NOTICE_CODES = {
    NoticeKind.ACCEPTANCE: "SL",
    NoticeKind.REFUSAL: "BY",
    NoticeKind.CORRECTION: "BZ",
    NoticeKind.REDIRECT: "GZ",
    NoticeKind.DECISION: "JD",
}
"""Document numbers: ``<tracking code>-<kind><n>``
(SL 受理, BY 不予受理, BZ 补正, GZ 告知, JD 决定)."""


@dataclass(frozen=True, slots=True)
class Actor:
    """Who makes a move, as the audit trail and the party check see it."""

    name: str
    kind: ActorKind
    department_id: uuid.UUID | None = None
    department_kind: DepartmentKind | None = None
    jurisdiction_code: int | None = None

    @classmethod
    def public(cls, code: str) -> Actor:
        return cls(name=tracking.actor(code), kind=ActorKind.ANONYMOUS)


@dataclass(frozen=True, slots=True)
class Filing:
    jurisdiction_code: int
    receiving_department_id: uuid.UUID
    regime: ComplaintRegime
    category: ComplaintCategory
    title: str
    body: str
    project_code: str | None
    entity_credit_code: str | None
    entity_name: str | None
    knew_on: date | None
    anonymous: bool
    filer_name: str | None
    filer_contact: str | None
    attachments: Sequence[CheckedFile] = ()


@dataclass(frozen=True, slots=True)
class Move:
    """A move and what it says; only the fields its action reads are used."""

    action: ComplaintAction
    department_id: uuid.UUID | None = None
    industry: Industry | None = None
    project_category: ProjectCategory | None = None
    ground: RefusalGround | None = None
    text: str | None = None
    """The explanation (refusal), where to go (redirect), the decision, or what to correct."""
    reply_by: date | None = None
    pause_reason: PauseReason | None = None
    document: str | None = None
    """The document that starts or ends a pause (检测委托书, 补正材料…)."""
    satisfied: bool | None = None
    comment: str | None = None


@dataclass
class _Outcome:
    changes: dict[str, Any] = field(default_factory=dict)
    pausing: clocks.Pausing | None = None
    details: dict[str, Any] = field(default_factory=dict)
    notice: dict[str, str] = field(default_factory=dict)
    cancel_reason: str = ""


def client_hash(db_session: AsyncSession, address: str | None) -> str | None:
    """A keyed hash of a client's address (the address itself is never stored)."""
    if not address:
        return None
    key = keyring_of(db_session).key(Purpose.PUBLIC_CLIENT)
    return hmac.new(key, address.encode("utf-8", "replace"), hashlib.sha256).hexdigest()


# Reading ----------------------------------------------------------------------------------------


def _visible(scope: Scope) -> ColumnElement[bool]:
    return scope.visible(
        Complaint.jurisdiction_code, object_type=ObjectType.COMPLAINT, object_id=Complaint.id
    )


async def get(
    *, db_session: AsyncSession, scope: Scope, complaint_id: uuid.UUID, lock: bool = False
) -> Complaint | None:
    query = select(Complaint).where(Complaint.id == complaint_id, _visible(scope))
    if lock:
        query = query.with_for_update()
    found: Complaint | None = await db_session.scalar(query)
    return found


def _unfinished_clock(today: date) -> ColumnElement[bool]:
    return and_(
        Obligation.matter_type == clocks.MATTER_TYPE,
        Obligation.matter_id == Complaint.id,
        Obligation.status.in_((ObligationStatus.OPEN, ObligationStatus.OVERDUE)),
    )


def complaints_query(
    *,
    scope: Scope,
    span: CodeRange,
    today: date,
    status: Sequence[ComplaintStatus] = (),
    regime: ComplaintRegime | None = None,
    department_id: uuid.UUID | None = None,
    overdue: bool | None = None,
    due_before: date | None = None,
    rule_id: str | None = None,
) -> Select[Complaint]:
    """Complaints in ``span`` the caller may see, filtered. Clock filters look at the matter's
    unfinished obligations: ``overdue`` (one is past its legal due date), ``due_before`` (one
    falls due on or before that day), ``rule_id`` (one runs under that rule)."""
    query = select(Complaint).where(
        _visible(scope), scope.within(Complaint.jurisdiction_code, span)
    )
    if status:
        query = query.where(Complaint.status.in_(list(status)))
    if regime is not None:
        query = query.where(Complaint.regime == regime)
    if department_id is not None:
        query = query.where(
            or_(
                Complaint.handling_department_id == department_id,
                Complaint.receiving_department_id == department_id,
            )
        )
    late = or_(
        Obligation.status == ObligationStatus.OVERDUE,
        and_(Obligation.due_on < today, Obligation.paused.is_(False)),
    )
    if overdue is not None:
        late_clock = exists().where(_unfinished_clock(today), late)
        query = query.where(late_clock if overdue else ~late_clock)
    if due_before is not None:
        query = query.where(
            exists().where(_unfinished_clock(today), Obligation.due_on <= due_before)
        )
    if rule_id is not None:
        query = query.where(exists().where(_unfinished_clock(today), Obligation.rule_id == rule_id))
    return query


async def attachments_of(
    *, db_session: AsyncSession, complaint_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[ComplaintAttachment]]:
    found: dict[uuid.UUID, list[ComplaintAttachment]] = {i: [] for i in complaint_ids}
    rows = await db_session.scalars(
        select(ComplaintAttachment)
        .where(ComplaintAttachment.complaint_id.in_(list(complaint_ids)))
        .order_by(ComplaintAttachment.created_at, ComplaintAttachment.id)
    )
    for row in rows:
        found[row.complaint_id].append(row)
    return found


async def notices_of(
    *, db_session: AsyncSession, complaint_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[ComplaintNotice]]:
    found: dict[uuid.UUID, list[ComplaintNotice]] = {i: [] for i in complaint_ids}
    rows = await db_session.scalars(
        select(ComplaintNotice)
        .where(ComplaintNotice.complaint_id.in_(list(complaint_ids)))
        .order_by(ComplaintNotice.issued_on, ComplaintNotice.created_at, ComplaintNotice.id)
    )
    for row in rows:
        found[row.complaint_id].append(row)
    return found


async def timeline(*, db_session: AsyncSession, complaint: Complaint) -> list[AuditEvent]:
    """Every step of the complaint, from the audit trail: its own events and those of its
    clocks (opened, met, paused, resumed, cancelled, marked overdue), in the order recorded."""
    obligation_ids = [str(o.id) for o in await clocks.of_complaint(db_session, complaint)]
    rows = await db_session.scalars(
        select(AuditEvent)
        .where(
            or_(
                and_(
                    AuditEvent.object_type == ObjectType.COMPLAINT.value,
                    AuditEvent.object_id == str(complaint.id),
                ),
                and_(
                    AuditEvent.object_type == "obligation",
                    AuditEvent.object_id.in_(obligation_ids),
                ),
            )
        )
        .order_by(AuditEvent.id)
    )
    return list(rows)


# Filing -----------------------------------------------------------------------------------------


async def receiving_department(
    db_session: AsyncSession, jurisdiction_code: int, department_id: uuid.UUID | None
) -> Department:
    """Where a filing lands: the named department (an active office, industry or finance
    department of that unit), or the unit's supervision office."""
    if department_id is None:
        office = await clocks.office_of(db_session, jurisdiction_code)
        if office is None:
            raise ComplaintError(
                C.NOT_FOUND,
                "该行政区划没有受理投诉举报的协同监管办公室（no office takes complaints here）",
                field="jurisdiction",
            )
        return office
    found: Department | None = await db_session.scalar(
        select(Department).where(Department.id == department_id, Department.active.is_(True))
    )
    if found is None or found.jurisdiction_code != jurisdiction_code:
        raise ComplaintError(
            C.NOT_FOUND,
            "该行政区划没有这个部门（no such department in that jurisdiction）",
            field="departmentId",
        )
    if found.kind not in RECEIVING_KINDS:
        raise ComplaintError(
            C.INVALID,
            "投诉举报只能向协同监管办公室或行业监管部门提出"
            "（file with the supervision office or an industry department）",
            field="departmentId",
        )
    return found


async def _check_rate(
    db_session: AsyncSession, jurisdiction_code: int, client: str | None, now: datetime
) -> None:
    recent = select(func.count()).where(
        Complaint.jurisdiction_code == jurisdiction_code,
        Complaint.received_at > now - timedelta(days=1),
    )
    if (await db_session.scalar(recent) or 0) >= MAX_PER_UNIT_PER_DAY:
        raise ComplaintError(
            C.RATE_LIMITED,
            "该单位今日收到的网上投诉举报已达上限，请明日再提交或到现场提交"
            "（this unit has received too many online complaints today）",
        )
    if client is None:
        return
    mine = select(func.count()).where(
        Complaint.jurisdiction_code == jurisdiction_code,
        Complaint.client_hash == client,
        Complaint.received_at > now - timedelta(hours=1),
    )
    if (await db_session.scalar(mine) or 0) >= MAX_PER_CLIENT_PER_HOUR:
        raise ComplaintError(
            C.RATE_LIMITED,
            f"提交过于频繁：每小时最多提交{MAX_PER_CLIENT_PER_HOUR}件，请稍后再试"
            f"（at most {MAX_PER_CLIENT_PER_HOUR} complaints an hour from one client）",
        )


async def file(
    db_session: AsyncSession,
    *,
    filing: Filing,
    code: str,
    secret: str,
    client: str | None,
    clock: Clock,
) -> Complaint:
    """File a complaint under the public scope for ``code`` (``public.sign``): stored, its first
    clock opened, the filing in the audit trail."""
    now = clock.now()
    await _check_rate(db_session, filing.jurisdiction_code, client, now)
    receiving = await db_session.get_one(Department, filing.receiving_department_id)
    at_office = receiving.kind is DepartmentKind.SUPERVISION_OFFICE
    today = clock.today()
    complaint = Complaint(
        id=uuid.uuid4(),
        jurisdiction_code=filing.jurisdiction_code,
        province_code=codes.province_of(filing.jurisdiction_code),
        tracking_code=code,
        secret_hash=tracking.secret_hash(secret),
        regime=filing.regime,
        category=filing.category,
        project_code=filing.project_code,
        entity_credit_code=filing.entity_credit_code,
        entity_name=filing.entity_name,
        title=filing.title,
        body=filing.body,
        knew_on=filing.knew_on,
        anonymous=filing.anonymous,
        filer_name=filing.filer_name,
        filer_contact=filing.filer_contact,
        status=S.AT_OFFICE if at_office else S.RECEIVED,
        receiving_department_id=receiving.id,
        received_at=now,
        received_on=today,
        at_office_on=today if at_office else None,
        client_hash=client,
        created_by=tracking.actor(code),
        created_at=now,
        updated_at=now,
        correction_requested=False,
        suspended=False,
        reopen_count=0,
    )
    db_session.add(complaint)
    await db_session.flush()
    for checked in filing.attachments:
        db_session.add(_attachment(complaint, checked))
    await db_session.flush()
    actor = Actor.public(code)
    done = await clocks.apply(
        db_session,
        complaint=complaint,
        effects=FILING[complaint.status],
        pausing=None,
        reason_text="",
        clock=clock,
        actor=actor.name,
    )
    await _record(
        db_session,
        complaint,
        actor,
        "complaint.file",
        clock,
        {
            "to": complaint.status.value,
            "regime": complaint.regime.value,
            "category": complaint.category.value,
            "anonymous": complaint.anonymous,
            "receiving_department": receiving.key,
            "attachments": [
                {"sha256": f.sha256, "size": f.size, "media_type": f.media_type}
                for f in filing.attachments
            ],
            "clocks": done,
        },
    )
    return complaint


def _attachment(complaint: Complaint, checked: CheckedFile) -> ComplaintAttachment:
    return ComplaintAttachment(
        id=uuid.uuid4(),
        complaint_id=complaint.id,
        jurisdiction_code=complaint.jurisdiction_code,
        province_code=complaint.province_code,
        filename=checked.filename,
        media_type=checked.media_type,
        size=checked.size,
        sha256=checked.sha256,
        content=checked.content,
        created_by=complaint.created_by,
    )


# Public tracking --------------------------------------------------------------------------------


async def track(db_session: AsyncSession, code: str, secret: str) -> dict[str, Any] | None:
    """What the filer may see of their complaint, or None (a wrong code or secret look alike).
    No scope is needed: the definer function checks the secret (migration 0008)."""
    code, secret = tracking.normalise(code), tracking.normalise(secret)
    if not tracking.looks_like_code(code) or not tracking.looks_like_secret(secret):
        return None
    found: dict[str, Any] | None = await db_session.scalar(
        text("SELECT xietong_complaint_track(:code, :hash)"),
        {"code": code, "hash": tracking.secret_hash(secret)},
    )
    return found


async def tracked_notice(
    db_session: AsyncSession, code: str, secret: str, notice_id: uuid.UUID
) -> bytes | None:
    code, secret = tracking.normalise(code), tracking.normalise(secret)
    content: bytes | None = await db_session.scalar(
        text("SELECT xietong_complaint_notice(:code, :hash, :notice)"),
        {"code": code, "hash": tracking.secret_hash(secret), "notice": notice_id},
    )
    return content


# Moves ------------------------------------------------------------------------------------------


def facts_of(complaint: Complaint, move: Move) -> transitions.Facts:
    return transitions.Facts(
        regime=complaint.regime,
        anonymous=complaint.anonymous,
        correction_requested=complaint.correction_requested,
        suspended=complaint.suspended,
        respondent_notified=complaint.respondent_notified_on is not None,
        respondent_answered=complaint.respondent_answered_on is not None,
        outcome=complaint.outcome,
        handled_by_department=complaint.handling_department_id is not None,
        rated=complaint.rated_at is not None,
        reopened=complaint.reopen_count > 0,
        satisfied=move.satisfied,
    )


def plan(complaint: Complaint, move: Move) -> transitions.Transition:
    """The table's row for this move, or its coded refusal."""
    return transitions.resolve(complaint.status, move.action, facts_of(complaint, move))


def _check_party(row: transitions.Transition, complaint: Complaint, actor: Actor) -> None:
    ok = {
        Party.PUBLIC: actor.name == tracking.actor(complaint.tracking_code),
        Party.OFFICE: actor.department_kind is DepartmentKind.SUPERVISION_OFFICE
        and actor.jurisdiction_code == complaint.jurisdiction_code,
        Party.RECEIVING_DEPARTMENT: actor.department_id == complaint.receiving_department_id,
        Party.COMPETENT_DEPARTMENT: actor.department_id is not None
        and actor.department_id == complaint.handling_department_id,
    }[row.party]
    if not ok:
        who = {
            Party.PUBLIC: "投诉人",
            Party.OFFICE: "协同监管办公室",
            Party.RECEIVING_DEPARTMENT: "收到该投诉举报的部门",
            Party.COMPETENT_DEPARTMENT: "承办该投诉举报的主管部门",
        }[row.party]
        raise ComplaintError(
            C.NOT_YOUR_COMPLAINT,
            f"“{row.action.zh}”应由{who}办理（this move belongs to the {row.party.value}）",
        )


def _required(value: str | None, field: str, what: str) -> str:
    if value is None or not value.strip():
        raise ComplaintError(C.INVALID, f"请填写{what}（{field} is required）", field=field)
    return value


async def _departments(db_session: AsyncSession, jurisdiction_code: int) -> list[DepartmentView]:
    rows = (
        await db_session.execute(
            select(Department, func.array_agg(DepartmentPower.power_code))
            .outerjoin(DepartmentPower, DepartmentPower.department_id == Department.id)
            .where(Department.jurisdiction_code == jurisdiction_code, Department.active.is_(True))
            .group_by(Department.id)
            .order_by(Department.key)
        )
    ).all()
    return [
        DepartmentView(
            key=d.key,
            name=d.name,
            kind=d.kind,
            industry=d.industry,
            powers=frozenset(p for p in powers if p is not None),
        )
        for d, powers in rows
    ]


async def _prepare(
    db_session: AsyncSession, complaint: Complaint, move: Move, today: date
) -> _Outcome:
    """What the move records on the complaint (beyond the status), by action."""
    action = move.action
    out = _Outcome()
    if action is A.REPORT:
        out.changes = {"at_office_on": today}
    elif action is A.ASSIGN:
        named = None
        if move.department_id is not None:
            department = await db_session.get(Department, move.department_id)
            if department is None or department.jurisdiction_code != complaint.jurisdiction_code:
                raise ComplaintError(
                    C.NOT_FOUND, "本辖区没有该部门（no such department here）", field="departmentId"
                )
            named = department.key
        chosen = routing.competent_department(
            regime=complaint.regime,
            category=move.project_category or complaint.project_category,
            industry=move.industry or complaint.industry,
            departments=await _departments(db_session, complaint.jurisdiction_code),
            named=named,
        )
        department_id = await db_session.scalar(
            select(Department.id).where(Department.key == chosen.key)
        )
        out.changes = {
            "handling_department_id": department_id,
            "handed_on": today,
            "review_on": today,
            "industry": move.industry or complaint.industry or chosen.industry,
            "project_category": move.project_category or complaint.project_category,
        }
        out.details = {"department": chosen.key}
    elif action is A.ACCEPT:
        out.changes = {"accepted_on": today}
    elif action is A.REQUEST_CORRECTION:
        items = _required(move.text, "text", "须补正的事项")
        if move.reply_by is None or move.reply_by <= today:
            raise ComplaintError(
                C.INVALID,
                "请给出今天以后的补正期限（give a reply-by date after today）",
                field="replyBy",
            )
        out.changes = {"correction_requested": True, "correction_items": items}
        number = _next_number(complaint, NoticeKind.CORRECTION, 1)
        out.pausing = clocks.Pausing(
            PauseReason.CORRECTION, f"补正通知书 {number}", f"请于{move.reply_by}前补正：{items}"
        )
        out.notice = {"correction_items": items, "reply_by": notices.china_day(move.reply_by)}
        out.cancel_reason = (
            "通知补正：收到完整投诉书后重新起算（counted again from the completed complaint）"
        )
    elif action is A.RESUME:
        if complaint.status is S.CORRECTION:
            document = _required(move.document, "document", "补正材料名称或编号")
            out.changes = {"review_on": today, "correction_items": None}
            out.pausing = clocks.Pausing(PauseReason.CORRECTION, document)
        else:
            document = _required(move.document, "document", "检验、检测、鉴定结论或评审意见")
            out.changes = {"pause_reason": None}
            out.pausing = clocks.Pausing(complaint.pause_reason, document)
        out.details = {"document": document}
    elif action is A.PAUSE:
        if move.pause_reason not in EXAMINATIONS:
            raise ComplaintError(
                C.PAUSE_REASON_INVALID,
                "办理中只能因检验、检测、鉴定或专家评审暂停计时"
                "（only testing, appraisal or expert review pause a complaint being handled）",
                field="reason",
            )
        document = _required(move.document, "document", "委托书或通知的名称、编号")
        out.changes = {"pause_reason": move.pause_reason}
        out.pausing = clocks.Pausing(move.pause_reason, document, move.text)
        out.details = {"reason": move.pause_reason.value, "document": document}
    elif action is A.REFUSE:
        if move.ground is None:
            raise ComplaintError(
                C.INVALID, "请选择不予受理的法定理由（choose a ground）", field="ground"
            )
        legal = grounds.ground(complaint.regime, move.ground, anonymous=complaint.anonymous)
        explanation = move.text.strip() if move.text and move.text.strip() else legal.reason
        out.changes = {
            "refusal_ground": legal.ground,
            "answer": f"不予受理：{explanation}（依据{legal.citation}）",
            "concluded_on": today,
            "correction_items": None,
        }
        if complaint.status is S.CORRECTION:
            out.pausing = clocks.Pausing(
                PauseReason.CORRECTION, "补正期限届满未补正或补正不符合规定"
            )
        out.notice = {"ground_reason": explanation, "ground_citation": legal.citation}
        out.details = {"ground": legal.ground.value}
    elif action is A.REDIRECT:
        where = _required(move.text, "text", "有管辖权的部门")
        out.changes = {
            "redirect_to": where,
            "answer": f"不属于本机关管辖，请向{where}提出投诉。",
            "concluded_on": today,
        }
        out.notice = {"redirect_to": where}
        out.cancel_reason = "告知投诉人向有管辖权的部门投诉（redirected）"
        if complaint.status is S.AT_OFFICE:
            out.changes["closed_on"] = today
    elif action is A.SUSPEND_PROCUREMENT:
        out.changes = {"suspended": True}
    elif action is A.RESUME_PROCUREMENT:
        out.changes = {"suspended": False}
    elif action is A.NOTIFY_RESPONDENT:
        out.changes = {"respondent_notified_on": today}
    elif action is A.RESPONDENT_ANSWERED:
        out.changes = {"respondent_answered_on": today}
    elif action is A.DECIDE:
        decision = _required(move.text, "text", "处理决定")
        out.changes = {"answer": decision, "concluded_on": today, "suspended": False}
        out.notice = {"decision": decision}
        out.cancel_reason = "已作出处理决定（decided）"
    elif action is A.FEEDBACK:
        out.changes = {"closed_on": today}
    elif action is A.RATE:
        out.changes = {"satisfied": move.satisfied, "rating_comment": move.comment}
        out.details = {"satisfied": move.satisfied}
    return out


def _next_number(complaint: Complaint, kind: NoticeKind, n: int) -> str:
    return f"{complaint.tracking_code}-{NOTICE_CODES[kind]}{n}"


async def make_move(
    db_session: AsyncSession,
    *,
    complaint: Complaint,
    move: Move,
    actor: Actor,
    clock: Clock,
    authorize: Callable[[Action], Awaitable[object]] | None = None,
) -> Complaint:
    """Make ``move`` on ``complaint`` (locked by the caller): the table's row, the party, the
    guard's decision (``authorize`` with the row's permission; the public needs none), the facts,
    the clocks, the notice and the audit event. Raises ``ComplaintError`` for a refused move."""
    row = plan(complaint, move)
    if authorize is not None and row.party is not Party.PUBLIC:
        await authorize(row.permission)
    _check_party(row, complaint, actor)
    today = clock.today()
    before = complaint.status
    out = await _prepare(db_session, complaint, move, today)
    changes: dict[str, Any] = {"status": row.next, **out.changes}
    if row.outcome is not None:
        changes["outcome"] = row.outcome
    if move.action is A.RATE:
        changes["rated_at"] = clock.now()
        if row.next is not S.CLOSED:  # reopened (12345: handled again once)
            changes.update(_reopening(complaint, today))
    changes["updated_at"] = clock.now()
    written = await db_session.scalar(
        update(Complaint)
        .where(Complaint.id == complaint.id)
        .values(**changes)
        .returning(Complaint)
        .execution_options(populate_existing=True)
    )
    if written is None:
        # Row-level security refused the write: the application's checks should have.
        raise AccessDenied("数据库拒绝修改该辖区的数据（write refused by row-level security）")
    complaint = written
    effects = row.effects_for(complaint.regime)
    done = await clocks.apply(
        db_session,
        complaint=complaint,
        effects=effects,
        pausing=out.pausing,
        reason_text=out.cancel_reason or row.action.zh,
        clock=clock,
        actor=actor.name,
    )
    details: dict[str, Any] = {
        "from": before.value,
        "to": complaint.status.value,
        "clocks": done,
        **out.details,
    }
    if row.notice is not None:
        notice = await _issue(db_session, complaint, row, out, actor, clock)
        details["notice"] = {
            "kind": notice.kind.value,
            "number": notice.number,
            "sha256": notice.sha256,
        }
    await _record(db_session, complaint, actor, f"complaint.{move.action.value}", clock, details)
    return complaint


def _reopening(complaint: Complaint, today: date) -> dict[str, Any]:
    changes: dict[str, Any] = {
        "reopen_count": complaint.reopen_count + 1,
        "satisfied": None,
        "rated_at": None,
        "closed_on": None,
        "concluded_on": None,
        "outcome": None,
    }
    if complaint.outcome is ComplaintOutcome.DECIDED:
        changes["review_on"] = today
        changes["accepted_on"] = today
    elif complaint.handling_department_id is not None:
        changes.update(review_on=today, refusal_ground=None, redirect_to=None)
    else:
        changes.update(at_office_on=today, redirect_to=None)
    return changes


async def _record(
    db_session: AsyncSession,
    complaint: Complaint,
    actor: Actor,
    action: str,
    clock: Clock,
    details: dict[str, Any],
) -> None:
    await audit.record(
        db_session=db_session,
        jurisdiction_code=complaint.jurisdiction_code,
        actor_kind=actor.kind,
        actor=actor.name,
        action=action,
        object_type=ObjectType.COMPLAINT.value,
        object_id=str(complaint.id),
        details={"tracking_code": complaint.tracking_code, **details},
        occurred_at=clock.now(),
    )


# Notices ----------------------------------------------------------------------------------------


def _clause(obligation: Obligation | None, rule_id: str) -> notices.Clause:
    rule = RULES_BY_ID[rule_id]
    if obligation is None:
        return notices.Clause.of(rule, "不适用")
    if obligation.status is ObligationStatus.CANCELLED:
        due = "收到完整投诉书后重新起算"
    else:
        due = notices.due_text(
            obligation.due_on,
            met_on=obligation.met_on,
            provisional=obligation.provisional,
        )
    return notices.Clause.of(rule, due)


async def _issue(
    db_session: AsyncSession,
    complaint: Complaint,
    row: transitions.Transition,
    out: _Outcome,
    actor: Actor,
    clock: Clock,
) -> ComplaintNotice:
    kind = row.notice
    assert kind is not None
    issuer_id = (
        complaint.handling_department_id
        if row.party is Party.COMPETENT_DEPARTMENT
        else actor.department_id
    )
    assert issuer_id is not None
    issuer = await db_session.get_one(Department, issuer_id)
    place = await db_session.get_one(Jurisdiction, complaint.jurisdiction_code)
    clocks_now = await clocks.of_complaint(db_session, complaint)
    latest: dict[str, Obligation] = {}
    for o in clocks_now:  # oldest first; of a rule's clocks, the one still running wins
        known = latest.get(o.rule_id)
        if known is None or known.status not in _RUNNING or o.status in _RUNNING:
            latest[o.rule_id] = o
    cited = [
        e.rule_id
        for e in row.effects_for(complaint.regime)
        if e.rule_id is not None and RULES_BY_ID[e.rule_id].owed_to is OwingParty.COMPLAINANT
    ]
    cited = list(dict.fromkeys(cited))
    count = await db_session.scalar(
        select(func.count()).where(
            ComplaintNotice.complaint_id == complaint.id, ComplaintNotice.kind == kind
        )
    )
    number = _next_number(complaint, kind, (count or 0) + 1)
    subject = " ".join(
        part
        for part in (
            f"项目（编号 {complaint.project_code}）" if complaint.project_code else "",
            f"{complaint.entity_name or '市场主体'}"
            f"（统一社会信用代码 {complaint.entity_credit_code}）"
            if complaint.entity_credit_code
            else "",
        )
        if part
    )
    facts = notices.NoticeFacts(
        number=number,
        authority=issuer.name if place.name in issuer.name else f"{place.name}{issuer.name}",
        issued_on=notices.china_day(clock.today()),
        filer=complaint.filer_name or "投诉人（匿名）",
        tracking_code=complaint.tracking_code,
        received_on=notices.china_day(complaint.received_on),
        subject=subject,
        regime=complaint.regime.zh,
        title=complaint.title,
        review_on=notices.china_day(complaint.review_on) if complaint.review_on else "",
        clauses=tuple(_clause(latest.get(r), r) for r in cited),
        **out.notice,  # type: ignore[arg-type]
    )
    content = notices.render(kind, facts)
    notice = ComplaintNotice(
        id=uuid.uuid4(),
        complaint_id=complaint.id,
        jurisdiction_code=complaint.jurisdiction_code,
        province_code=complaint.province_code,
        kind=kind,
        number=number,
        issued_on=clock.today(),
        issued_by_department_id=issuer.id,
        rule_ids=cited,
        filename=notices.filename(kind, number),
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
        created_by=actor.name,
    )
    db_session.add(notice)
    await db_session.flush()
    return notice
