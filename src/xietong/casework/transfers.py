"""Case transfers (案件移送, R-9): send with materials, the receiver's receipt (回执), acceptance,
return with reasons, forwarding to the competent level (the sender told), the result, closing.

Plain functions over a session; they never commit. Each move is checked against
``transitions.TRANSFER_MOVES`` (and the side making it), records its facts, moves the clocks
through the obligations service — each owed by its side, on its side's calendar — and appends an
audit event, all in the caller's transaction. The receiver works through the grant the send
created; the sender's clock that the receipt meets is met under a system scope of the sender's
unit (``common.acting_for``), never by widening the receiver's reach.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from xietong.access.actions import ObjectType
from xietong.access.scope import Scope
from xietong.audit.enums import ActorKind
from xietong.casework import common, documents, granted
from xietong.casework.common import Actor, Switch
from xietong.casework.enums import DocumentKind, TransferGround, TransferMove, TransferStatus
from xietong.casework.errors import CaseworkError
from xietong.casework.errors import CaseworkErrorCode as C
from xietong.casework.models import CaseMaterial, CaseTransfer, Lead
from xietong.casework.transitions import TRANSFER_MOVES, Side, check
from xietong.complaints.attachments import CheckedFile
from xietong.complaints.models import Complaint
from xietong.deadlines import obligations
from xietong.deadlines.clock import Clock
from xietong.deadlines.errors import ObligationNotFound
from xietong.deadlines.obligations import MatterRef
from xietong.deadlines.rules import get_rule
from xietong.jurisdictions import codes
from xietong.jurisdictions.codes import CodeRange
from xietong.jurisdictions.models import Department, Jurisdiction

MATTER = "transfer"
RECEIPT_ACTOR = "system:casework.receipt"
"""Who meets the sender's R9.transfer clock when the receiver signs the receipt."""

Authorize = Callable[[Side], Awaitable[object]]


def matter(transfer: CaseTransfer) -> MatterRef:
    return MatterRef(MATTER, transfer.id)


@dataclass(frozen=True, slots=True)
class Sending:
    receiver_jurisdiction_code: int
    receiver_department_id: uuid.UUID
    ground: TransferGround
    title: str
    facts: str
    discovered_on: date
    complaint_id: uuid.UUID | None = None
    lead_id: uuid.UUID | None = None
    files: Sequence[CheckedFile] = ()


DOCUMENT_CODES = {
    DocumentKind.TRANSFER_LETTER: "YSH",
    DocumentKind.RECEIPT: "HZ",
    DocumentKind.RETURN_LETTER: "TH",
    DocumentKind.FORWARD_NOTICE: "ZS",
    DocumentKind.RESULT_REPLY: "HG",
}
"""Document numbers: ``<transfer number>-<code>`` (YSH 移送函, HZ 回执, TH 退回, ZS 转送,
HG 回告)."""


async def _document(
    session: AsyncSession,
    transfer: CaseTransfer,
    kind: DocumentKind,
    actor: Actor,
    *,
    to_department: uuid.UUID,
    body: str,
    rule_id: str,
    materials: Sequence[CaseMaterial] = (),
    today: date,
) -> None:
    await documents.issue(
        session,
        kind=kind,
        matter_type=MATTER,
        matter_id=transfer.id,
        matter_jurisdiction_code=transfer.jurisdiction_code,
        number=f"{transfer.number}-{DOCUMENT_CODES[kind]}",
        issued_on=today,
        issuer=actor,
        recipient=await documents.full_name(session, to_department),
        subject=transfer.title,
        body=body,
        basis=get_rule(rule_id).citation,
        materials=materials,
    )


async def get(
    db_session: AsyncSession, *, scope: Scope, transfer_id: uuid.UUID, lock: bool = False
) -> CaseTransfer | None:
    query = select(CaseTransfer).where(
        CaseTransfer.id == transfer_id, granted.visible(scope, CaseTransfer)
    )
    if lock:
        query = query.with_for_update()
    found: CaseTransfer | None = await db_session.scalar(query)
    return found


def transfers_query(
    *,
    scope: Scope,
    span: CodeRange | None,
    incoming: bool,
    status: Sequence[TransferStatus],
    complaint_id: uuid.UUID | None = None,
) -> Select[CaseTransfer]:
    """Outgoing: sent by units of ``span``. Incoming: transfers granted to the caller's unit."""
    where = granted.listed(
        scope,
        CaseTransfer,
        receiver_unit=CaseTransfer.receiver_jurisdiction_code,
        span=span,
        incoming=incoming,
    )
    if status:
        where.append(CaseTransfer.status.in_(list(status)))
    if complaint_id is not None:
        where.append(CaseTransfer.complaint_id == complaint_id)
    return select(CaseTransfer).where(and_(*where))


def side_of(transfer: CaseTransfer, actor: Actor) -> Side | None:
    return granted.side(
        actor,
        sender=(transfer.jurisdiction_code, transfer.sender_department_id),
        receiver=(transfer.receiver_jurisdiction_code, transfer.receiver_department_id),
    )


async def _parties(
    session: AsyncSession, sending: Sending, actor: Actor
) -> tuple[Jurisdiction, Department, Department]:
    found = await granted.parties(
        session,
        actor,
        receiver_unit_code=sending.receiver_jurisdiction_code,
        receiver_department_id=sending.receiver_department_id,
        fields=("receiverJurisdiction", "receiverDepartmentId"),
        messages=(
            "须以部门身份移送（a department sends a case）",
            "本辖区内的案件由协同监管办公室交办，不作移送（within a unit the office hands "
            "matters over）",
        ),
    )
    return found.receiver_unit, found.receiver, found.sender


async def _visible(
    session: AsyncSession, model: type[Complaint] | type[Lead], ident: uuid.UUID, field: str
) -> uuid.UUID:
    found = await session.scalar(select(model.id).where(model.id == ident))
    if found is None:
        raise CaseworkError(C.NOT_FOUND, "引用的事项不存在（no such matter）", field=field)
    return ident


async def send(
    db_session: AsyncSession,
    *,
    sending: Sending,
    actor: Actor,
    clock: Clock,
    forwarded_from: CaseTransfer | None = None,
) -> CaseTransfer:
    """Send a case with its materials to another unit's department: the transfer, the grant that
    opens exactly it to that department, and the sender's R9.transfer clock (5 working days from
    receipt or discovery, ZENGDU 13), met when the receiver signs the receipt."""
    receiver_unit, receiver, sender = await _parties(db_session, sending, actor)
    today, now = clock.today(), clock.now()
    common.not_after_today(sending.discovered_on, today, "discoveredOn")
    if sending.complaint_id is not None:
        await _visible(db_session, Complaint, sending.complaint_id, "complaintId")
    if sending.lead_id is not None:
        await _visible(db_session, Lead, sending.lead_id, "leadId")
    # The grant first: the row names it, and nobody may change that afterwards.
    transfer_id = uuid.uuid4()
    number = common.new_number("YS", actor.jurisdiction_code, today)
    grant = await common.open_to(
        db_session,
        object_id=transfer_id,
        object_jurisdiction_code=actor.jurisdiction_code,
        grantee_jurisdiction_code=receiver_unit.code,
        grantee_department_id=receiver.id,
        reason=f"案件移送 {number}（ZENGDU 13）",
        now=now,
        actor=actor,
    )
    transfer = CaseTransfer(
        id=transfer_id,
        jurisdiction_code=actor.jurisdiction_code,
        province_code=codes.province_of(actor.jurisdiction_code),
        number=number,
        grant_id=grant.id,
        sender_department_id=sender.id,
        receiver_jurisdiction_code=receiver_unit.code,
        receiver_province_code=codes.province_of(receiver_unit.code),
        receiver_department_id=receiver.id,
        ground=sending.ground,
        title=sending.title,
        facts=sending.facts,
        discovered_on=sending.discovered_on,
        sent_on=today,
        complaint_id=sending.complaint_id,
        lead_id=sending.lead_id,
        forwarded_from_id=None if forwarded_from is None else forwarded_from.id,
        status=TransferStatus.SENT,
        created_by=actor.name,
    )
    db_session.add(transfer)
    await db_session.flush()
    stored = await common.store_materials(
        db_session,
        matter_type=MATTER,
        matter_id=transfer.id,
        jurisdiction_code=actor.jurisdiction_code,
        files=sending.files,
        actor=actor,
    )
    await obligations.open_obligation(
        db_session,
        rule_id="R9.transfer",
        matter=matter(transfer),
        owing_jurisdiction_code=actor.jurisdiction_code,
        owing_department_id=sender.id,
        counterparty=f"{receiver_unit.name}{receiver.name}",
        started_on=sending.discovered_on,
        clock=clock,
        actor=actor.name,
    )
    await _document(
        db_session,
        transfer,
        DocumentKind.TRANSFER_LETTER,
        actor,
        to_department=receiver.id,
        body=sending.facts,
        rule_id="R9.transfer",
        materials=stored,
        today=today,
    )
    await common.record(
        db_session,
        actor,
        action="transfer.send",
        object_type=ObjectType.CASE,
        object_id=transfer.id,
        jurisdiction_code=actor.jurisdiction_code,
        details={
            "number": transfer.number,
            "receiver": receiver_unit.code,
            "receiver_department": str(receiver.id),
            "ground": sending.ground.value,
            "forwarded_from": None if forwarded_from is None else str(forwarded_from.id),
            "materials": [{"filename": m.filename, "sha256": m.sha256} for m in stored],
            "digest": common.digest([m.sha256 for m in stored]),
        },
    )
    await db_session.flush()
    return transfer


async def _begin(
    transfer: CaseTransfer, move: TransferMove, actor: Actor, authorize: Authorize
) -> None:
    transition = check(TRANSFER_MOVES, move, transfer.status, side_of(transfer, actor))
    await authorize(transition.side)


async def _audit(
    session: AsyncSession,
    transfer: CaseTransfer,
    actor: Actor,
    move: TransferMove,
    before: TransferStatus,
    **details: object,
) -> None:
    await common.record(
        session,
        actor,
        action=f"transfer.{move.value}",
        object_type=ObjectType.CASE,
        object_id=transfer.id,
        jurisdiction_code=actor.jurisdiction_code,
        details={
            "number": transfer.number,
            "from": before.value,
            "to": transfer.status.value,
            **details,
        },
    )


async def receive(
    db_session: AsyncSession,
    *,
    transfer: CaseTransfer,
    actor: Actor,
    clock: Clock,
    switch: Switch,
    authorize: Authorize,
    material_hashes: Sequence[str] | None,
) -> CaseTransfer:
    """The receiver signs the receipt (签收, 回执) for the materials it got, by their hashes: the
    transfer is complete (the sender's R9.transfer met) and the receiver's 5 working days to
    return an out-of-scope case begin (ZENGDU 13, 14)."""
    await _begin(transfer, TransferMove.RECEIVE, actor, authorize)
    materials = await common.materials_of(db_session, transfer.id)
    hashes = [m.sha256 for m in materials]
    if material_hashes is not None and [h.strip().lower() for h in material_hashes] != hashes:
        raise CaseworkError(
            C.INVALID,
            "回执所列材料与移送材料不一致（the receipt's hashes differ from the materials）",
            field="materialHashes",
        )
    before, today = transfer.status, clock.today()
    transfer.status = TransferStatus.RECEIVED
    transfer.received_on = today
    transfer.received_by = actor.name
    transfer.receipt_digest = common.digest(hashes)
    transfer.updated_at = clock.now()
    await db_session.flush()
    sender_name = await _department_name(db_session, transfer.sender_department_id)
    await obligations.open_obligation(
        db_session,
        rule_id="R9.return_out_of_scope",
        matter=matter(transfer),
        owing_jurisdiction_code=actor.jurisdiction_code,
        owing_department_id=transfer.receiver_department_id,
        counterparty=sender_name,
        started_on=today,
        clock=clock,
        actor=actor.name,
    )
    await _document(
        db_session,
        transfer,
        DocumentKind.RECEIPT,
        actor,
        to_department=transfer.sender_department_id,
        body=f"签收人：{actor.name}",
        rule_id="R9.transfer",
        materials=materials,
        today=today,
    )
    await _audit(
        db_session,
        transfer,
        actor,
        TransferMove.RECEIVE,
        before,
        digest=transfer.receipt_digest,
        materials=hashes,
    )
    async with common.acting_for(
        db_session, switch, jurisdiction_code=transfer.jurisdiction_code, actor=RECEIPT_ACTOR
    ):
        # Already met or cancelled: the receipt is still recorded.
        with contextlib.suppress(ObligationNotFound):
            await obligations.meet(
                db_session,
                matter=matter(transfer),
                rule_id="R9.transfer",
                clock=clock,
                actor=RECEIPT_ACTOR,
            )
        await common.record(
            db_session,
            Actor(RECEIPT_ACTOR, ActorKind.SYSTEM, transfer.jurisdiction_code, None),
            action="transfer.receipt",
            object_type=ObjectType.CASE,
            object_id=transfer.id,
            jurisdiction_code=transfer.jurisdiction_code,
            details={
                "number": transfer.number,
                "received_by": actor.name,
                "receiver": actor.jurisdiction_code,
                "digest": transfer.receipt_digest,
            },
        )
    return transfer


async def _department_name(session: AsyncSession, department_id: uuid.UUID) -> str:
    name = await session.scalar(select(Department.name).where(Department.id == department_id))
    return name or "移送部门"


async def accept(
    db_session: AsyncSession,
    *,
    transfer: CaseTransfer,
    actor: Actor,
    clock: Clock,
    authorize: Authorize,
    decided_on: date | None,
) -> CaseTransfer:
    """The receiver accepts the case and reports it to the sender (回告受理): R9.acceptance_reply
    runs from the decision (5 working days, ZENGDU 15) and is met by this report; the return
    clock ends (accepted, not returned)."""
    await _begin(transfer, TransferMove.ACCEPT, actor, authorize)
    today = clock.today()
    decided = common.not_after_today(decided_on or today, today, "decidedOn")
    if transfer.received_on is not None and decided < transfer.received_on:
        raise CaseworkError(
            C.INVALID, "受理日期早于签收日期（decided before receipt）", field="decidedOn"
        )
    before = transfer.status
    await obligations.cancel(
        db_session,
        matter=matter(transfer),
        rule_id="R9.return_out_of_scope",
        reason="已受理（accepted）",
        clock=clock,
        actor=actor.name,
    )
    sender_name = await _department_name(db_session, transfer.sender_department_id)
    await obligations.open_obligation(
        db_session,
        rule_id="R9.acceptance_reply",
        matter=matter(transfer),
        owing_jurisdiction_code=actor.jurisdiction_code,
        owing_department_id=transfer.receiver_department_id,
        counterparty=sender_name,
        started_on=decided,
        clock=clock,
        actor=actor.name,
    )
    await obligations.meet(
        db_session,
        matter=matter(transfer),
        rule_id="R9.acceptance_reply",
        clock=clock,
        actor=actor.name,
    )
    transfer.status = TransferStatus.ACCEPTED
    transfer.accepted_on = today
    transfer.decided_on = decided
    transfer.updated_at = clock.now()
    await db_session.flush()
    await _audit(
        db_session, transfer, actor, TransferMove.ACCEPT, before, decided_on=decided.isoformat()
    )
    return transfer


async def return_(
    db_session: AsyncSession,
    *,
    transfer: CaseTransfer,
    actor: Actor,
    clock: Clock,
    authorize: Authorize,
    reason: str | None,
) -> CaseTransfer:
    """The receiver returns a case outside its duties with written reasons (退回, 5 working days
    from receipt, ZENGDU 14): its clock is met (late if late); the sender signs for the
    materials back by closing."""
    why = common.reason(reason, "reason")
    await _begin(transfer, TransferMove.RETURN, actor, authorize)
    before = transfer.status
    clock_row = await obligations.meet(
        db_session,
        matter=matter(transfer),
        rule_id="R9.return_out_of_scope",
        clock=clock,
        actor=actor.name,
    )
    transfer.status = TransferStatus.RETURNED
    transfer.returned_on = clock.today()
    transfer.return_reason = why
    transfer.updated_at = clock.now()
    await db_session.flush()
    await _document(
        db_session,
        transfer,
        DocumentKind.RETURN_LETTER,
        actor,
        to_department=transfer.sender_department_id,
        body=why,
        rule_id="R9.return_out_of_scope",
        today=clock.today(),
    )
    await _audit(
        db_session,
        transfer,
        actor,
        TransferMove.RETURN,
        before,
        late=clock_row.due_on is not None and clock_row.due_on < clock.today(),
    )
    return transfer


async def forward(
    db_session: AsyncSession,
    *,
    transfer: CaseTransfer,
    actor: Actor,
    clock: Clock,
    authorize: Authorize,
    to_jurisdiction_code: int,
    to_department_id: uuid.UUID,
    reason: str | None,
) -> tuple[CaseTransfer, CaseTransfer]:
    """The receiver forwards the case to the competent level (转送) and the sender is told where
    it went and why (ZENGDU 14): a new transfer from the receiver's unit, with the same materials
    (same hashes) and its own receipt clock counted from this unit's receipt; the original shows
    the sender where the case went. Returns (original, onward)."""
    why = common.text(reason, "reason", "转送理由") or ""
    await _begin(transfer, TransferMove.FORWARD, actor, authorize)
    if to_jurisdiction_code == transfer.jurisdiction_code:
        raise CaseworkError(
            C.INVALID,
            "退回移送部门请用“退回”（to send it back, return it）",
            field="toJurisdiction",
        )
    materials = await common.materials_of(db_session, transfer.id)
    files = [CheckedFile(m.filename, m.media_type, m.content, m.sha256) for m in materials]
    onward = await send(
        db_session,
        sending=Sending(
            receiver_jurisdiction_code=to_jurisdiction_code,
            receiver_department_id=to_department_id,
            ground=TransferGround.NOT_COMPETENT,
            title=transfer.title,
            facts=transfer.facts,
            discovered_on=transfer.received_on or clock.today(),
            complaint_id=None,
            lead_id=None,
            files=files,
        ),
        actor=actor,
        clock=clock,
        forwarded_from=transfer,
    )
    before = transfer.status
    await obligations.cancel(
        db_session,
        matter=matter(transfer),
        rule_id="R9.return_out_of_scope",
        reason="已转送有管辖权的层级（forwarded）",
        clock=clock,
        actor=actor.name,
    )
    transfer.status = TransferStatus.FORWARDED
    transfer.forwarded_on = clock.today()
    transfer.forwarded_to_id = onward.id
    transfer.forwarded_to_jurisdiction_code = onward.receiver_jurisdiction_code
    transfer.forwarded_to_department_id = onward.receiver_department_id
    transfer.forward_reason = why
    transfer.updated_at = clock.now()
    await db_session.flush()
    to = await documents.full_name(db_session, onward.receiver_department_id)
    await _document(
        db_session,
        transfer,
        DocumentKind.FORWARD_NOTICE,
        actor,
        to_department=transfer.sender_department_id,
        body=f"转送至：{to}（{onward.number}）。\n理由：{why}",
        rule_id="R9.return_out_of_scope",
        today=clock.today(),
    )
    await _audit(
        db_session,
        transfer,
        actor,
        TransferMove.FORWARD,
        before,
        onward=str(onward.id),
        to=to_jurisdiction_code,
    )
    return transfer, onward


async def report(
    db_session: AsyncSession,
    *,
    transfer: CaseTransfer,
    actor: Actor,
    clock: Clock,
    authorize: Authorize,
    concluded_on: date,
    result: str | None,
) -> CaseTransfer:
    """The receiver reports the result to the sender (回告办理结果): R9.result_reply runs 10
    working days from the day handling finished (ZENGDU 15) and is met by this report."""
    what = common.text(result, "result", "办理结果") or ""
    await _begin(transfer, TransferMove.REPORT, actor, authorize)
    today = clock.today()
    common.not_after_today(concluded_on, today, "concludedOn")
    if transfer.accepted_on is not None and concluded_on < transfer.accepted_on:
        raise CaseworkError(
            C.INVALID, "办结日期早于受理日期（concluded before acceptance）", field="concludedOn"
        )
    before = transfer.status
    sender_name = await _department_name(db_session, transfer.sender_department_id)
    await obligations.open_obligation(
        db_session,
        rule_id="R9.result_reply",
        matter=matter(transfer),
        owing_jurisdiction_code=actor.jurisdiction_code,
        owing_department_id=transfer.receiver_department_id,
        counterparty=sender_name,
        started_on=concluded_on,
        clock=clock,
        actor=actor.name,
    )
    await obligations.meet(
        db_session,
        matter=matter(transfer),
        rule_id="R9.result_reply",
        clock=clock,
        actor=actor.name,
    )
    transfer.status = TransferStatus.REPORTED
    transfer.concluded_on = concluded_on
    transfer.result = what
    transfer.reported_on = today
    transfer.updated_at = clock.now()
    await db_session.flush()
    await _document(
        db_session,
        transfer,
        DocumentKind.RESULT_REPLY,
        actor,
        to_department=transfer.sender_department_id,
        body=what,
        rule_id="R9.result_reply",
        today=today,
    )
    await _audit(
        db_session,
        transfer,
        actor,
        TransferMove.REPORT,
        before,
        concluded_on=concluded_on.isoformat(),
    )
    return transfer


async def close(
    db_session: AsyncSession,
    *,
    transfer: CaseTransfer,
    actor: Actor,
    clock: Clock,
    authorize: Authorize,
) -> CaseTransfer:
    """The sender closes the transfer (办结): after a return it signs for the materials back,
    after forwarding it acknowledges where the case went, after the result it files it. The
    receiver's grant ends now: it no longer sees the case or its materials."""
    await _begin(transfer, TransferMove.CLOSE, actor, authorize)
    before = transfer.status
    await obligations.cancel(
        db_session,
        matter=matter(transfer),
        rule_id=None,
        reason="已办结（closed）",
        clock=clock,
        actor=actor.name,
    )
    await common.close_grant(db_session, transfer.grant_id, actor, transfer.jurisdiction_code)
    transfer.status = TransferStatus.CLOSED
    transfer.closed_on = clock.today()
    transfer.closed_by = actor.name
    transfer.updated_at = clock.now()
    await db_session.flush()
    await _audit(db_session, transfer, actor, TransferMove.CLOSE, before)
    return transfer
