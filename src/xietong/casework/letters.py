"""Assistance letters (协助办理函, R-10): the case, the help asked, why, and the evidence. The
helper signs for it; a letter outside its duties is returned within 5 working days of receipt
with the reason (ZENGDU 17), otherwise it helps and answers in writing; the requester closes it,
which ends the helper's grant. A return without a reason is not a move (ZENGDU 16: 不得无故推诿)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from xietong.access.actions import ObjectType
from xietong.access.scope import Scope
from xietong.casework import common, documents, granted
from xietong.casework.common import Actor
from xietong.casework.enums import DocumentKind, LetterMove, LetterStatus
from xietong.casework.models import AssistanceLetter, CaseMaterial
from xietong.casework.transitions import LETTER_MOVES, Side, check
from xietong.complaints.attachments import CheckedFile
from xietong.deadlines import obligations
from xietong.deadlines.clock import Clock
from xietong.deadlines.obligations import MatterRef
from xietong.deadlines.rules import ZENGDU, get_rule
from xietong.jurisdictions import codes
from xietong.jurisdictions.codes import CodeRange
from xietong.jurisdictions.models import Department

MATTER = "letter"
Authorize = Callable[[Side], Awaitable[object]]


def matter(letter: AssistanceLetter) -> MatterRef:
    return MatterRef(MATTER, letter.id)


@dataclass(frozen=True, slots=True)
class Request:
    helper_jurisdiction_code: int
    helper_department_id: uuid.UUID
    case_summary: str
    help_asked: str
    reasons: str
    files: Sequence[CheckedFile] = ()


DOCUMENT_CODES = {
    DocumentKind.ASSISTANCE_LETTER: "XH",
    DocumentKind.LETTER_RETURN: "TH",
    DocumentKind.LETTER_REPLY: "FH",
}


async def _document(
    session: AsyncSession,
    letter: AssistanceLetter,
    kind: DocumentKind,
    actor: Actor,
    *,
    to_department: uuid.UUID,
    body: str,
    basis: str,
    materials: Sequence[CaseMaterial] = (),
    today: date,
) -> None:
    await documents.issue(
        session,
        kind=kind,
        matter_type=MATTER,
        matter_id=letter.id,
        matter_jurisdiction_code=letter.jurisdiction_code,
        number=f"{letter.number}-{DOCUMENT_CODES[kind]}",
        issued_on=today,
        issuer=actor,
        recipient=await documents.full_name(session, to_department),
        subject=letter.case_summary[:60],
        body=body,
        basis=basis,
        materials=materials,
    )


async def get(
    db_session: AsyncSession, *, scope: Scope, letter_id: uuid.UUID, lock: bool = False
) -> AssistanceLetter | None:
    query = select(AssistanceLetter).where(
        AssistanceLetter.id == letter_id, granted.visible(scope, AssistanceLetter)
    )
    if lock:
        query = query.with_for_update()
    found: AssistanceLetter | None = await db_session.scalar(query)
    return found


def letters_query(
    *, scope: Scope, span: CodeRange, incoming: bool, status: Sequence[LetterStatus]
) -> Select[AssistanceLetter]:
    where = granted.listed(
        scope,
        AssistanceLetter,
        receiver_unit=AssistanceLetter.helper_jurisdiction_code,
        span=span,
        incoming=incoming,
    )
    if status:
        where.append(AssistanceLetter.status.in_(list(status)))
    return select(AssistanceLetter).where(and_(*where))


def side_of(letter: AssistanceLetter, actor: Actor) -> Side | None:
    return granted.side(
        actor,
        sender=(letter.jurisdiction_code, letter.requesting_department_id),
        receiver=(letter.helper_jurisdiction_code, letter.helper_department_id),
    )


async def send(
    db_session: AsyncSession, *, request: Request, actor: Actor, clock: Clock
) -> AssistanceLetter:
    """Send the letter with its evidence: the helper department alone gets a grant on it."""
    parties = await granted.parties(
        db_session,
        actor,
        receiver_unit_code=request.helper_jurisdiction_code,
        receiver_department_id=request.helper_department_id,
        fields=("helperJurisdiction", "helperDepartmentId"),
        messages=(
            "须以部门身份发函（a department sends a letter）",
            "本辖区内的协助由协同监管办公室协调（within a unit the office coordinates）",
        ),
    )
    helper_unit, helper, requester = parties.receiver_unit, parties.receiver, parties.sender
    today, now = clock.today(), clock.now()
    letter_id = uuid.uuid4()
    number = common.new_number("XC", actor.jurisdiction_code, today)
    grant = await common.open_to(
        db_session,
        object_id=letter_id,
        object_jurisdiction_code=actor.jurisdiction_code,
        grantee_jurisdiction_code=helper_unit.code,
        grantee_department_id=helper.id,
        reason=f"协助办理函 {number}（ZENGDU 16）",
        now=now,
        actor=actor,
    )
    letter = AssistanceLetter(
        id=letter_id,
        jurisdiction_code=actor.jurisdiction_code,
        province_code=codes.province_of(actor.jurisdiction_code),
        number=number,
        requesting_department_id=requester.id,
        helper_jurisdiction_code=helper_unit.code,
        helper_province_code=codes.province_of(helper_unit.code),
        helper_department_id=helper.id,
        case_summary=request.case_summary,
        help_asked=request.help_asked,
        reasons=request.reasons,
        sent_on=today,
        grant_id=grant.id,
        status=LetterStatus.SENT,
        created_by=actor.name,
    )
    db_session.add(letter)
    await db_session.flush()
    stored = await common.store_materials(
        db_session,
        matter_type=MATTER,
        matter_id=letter.id,
        jurisdiction_code=actor.jurisdiction_code,
        files=request.files,
        actor=actor,
    )
    await _document(
        db_session,
        letter,
        DocumentKind.ASSISTANCE_LETTER,
        actor,
        to_department=helper.id,
        body=f"案情：{request.case_summary}\n协助事项：{request.help_asked}\n理由：{request.reasons}",
        basis=f"{ZENGDU}第十六条",
        materials=stored,
        today=today,
    )
    await common.record(
        db_session,
        actor,
        action="letter.send",
        object_type=ObjectType.CASE,
        object_id=letter.id,
        jurisdiction_code=actor.jurisdiction_code,
        details={
            "number": number,
            "helper": helper_unit.code,
            "helper_department": str(helper.id),
            "materials": [{"filename": m.filename, "sha256": m.sha256} for m in stored],
        },
    )
    return letter


async def _begin(
    letter: AssistanceLetter, move: LetterMove, actor: Actor, authorize: Authorize
) -> LetterStatus:
    transition = check(LETTER_MOVES, move, letter.status, side_of(letter, actor))
    await authorize(transition.side)
    return letter.status


async def _audit(
    session: AsyncSession,
    letter: AssistanceLetter,
    actor: Actor,
    move: LetterMove,
    before: LetterStatus,
    **details: object,
) -> None:
    await common.record(
        session,
        actor,
        action=f"letter.{move.value}",
        object_type=ObjectType.CASE,
        object_id=letter.id,
        jurisdiction_code=actor.jurisdiction_code,
        details={
            "number": letter.number,
            "from": before.value,
            "to": letter.status.value,
            **details,
        },
    )


async def receive(
    db_session: AsyncSession,
    *,
    letter: AssistanceLetter,
    actor: Actor,
    clock: Clock,
    authorize: Authorize,
) -> AssistanceLetter:
    """The helper signs for the letter: its 5 working days to return an out-of-scope letter run
    from today (R10.return_letter, ZENGDU 17), on its own calendar."""
    before = await _begin(letter, LetterMove.RECEIVE, actor, authorize)
    today = clock.today()
    requester = await db_session.scalar(
        select(Department.name).where(Department.id == letter.requesting_department_id)
    )
    await obligations.open_obligation(
        db_session,
        rule_id="R10.return_letter",
        matter=matter(letter),
        owing_jurisdiction_code=actor.jurisdiction_code,
        owing_department_id=letter.helper_department_id,
        counterparty=requester or "发函部门",
        started_on=today,
        clock=clock,
        actor=actor.name,
    )
    letter.status = LetterStatus.RECEIVED
    letter.received_on = today
    letter.received_by = actor.name
    letter.updated_at = clock.now()
    await db_session.flush()
    await _audit(db_session, letter, actor, LetterMove.RECEIVE, before)
    return letter


async def return_(
    db_session: AsyncSession,
    *,
    letter: AssistanceLetter,
    actor: Actor,
    clock: Clock,
    authorize: Authorize,
    reason: str | None,
) -> AssistanceLetter:
    """Return a letter outside the helper's duties, with the reason: the clock is met (late if
    the 5 working days have passed)."""
    why = common.reason(reason, "reason")
    before = await _begin(letter, LetterMove.RETURN, actor, authorize)
    row = await obligations.meet(
        db_session,
        matter=matter(letter),
        rule_id="R10.return_letter",
        clock=clock,
        actor=actor.name,
    )
    letter.status = LetterStatus.RETURNED
    letter.returned_on = clock.today()
    letter.return_reason = why
    letter.updated_at = clock.now()
    await db_session.flush()
    late = row.due_on is not None and row.met_on is not None and row.met_on > row.due_on
    await _document(
        db_session,
        letter,
        DocumentKind.LETTER_RETURN,
        actor,
        to_department=letter.requesting_department_id,
        body=why,
        basis=get_rule("R10.return_letter").citation,
        today=clock.today(),
    )
    await _audit(db_session, letter, actor, LetterMove.RETURN, before, late=late)
    return letter


async def answer(
    db_session: AsyncSession,
    *,
    letter: AssistanceLetter,
    actor: Actor,
    clock: Clock,
    authorize: Authorize,
    text: str | None,
) -> AssistanceLetter:
    """The helper helps and answers in writing (复函): the return clock ends (not returned)."""
    what = common.text(text, "answer", "复函内容") or ""
    before = await _begin(letter, LetterMove.ANSWER, actor, authorize)
    await obligations.cancel(
        db_session,
        matter=matter(letter),
        rule_id="R10.return_letter",
        reason="已协助办理并复函（helped）",
        clock=clock,
        actor=actor.name,
    )
    letter.status = LetterStatus.ANSWERED
    letter.answered_on = clock.today()
    letter.answer = what
    letter.updated_at = clock.now()
    await db_session.flush()
    await _document(
        db_session,
        letter,
        DocumentKind.LETTER_REPLY,
        actor,
        to_department=letter.requesting_department_id,
        body=what,
        basis=f"{ZENGDU}第十六条",
        today=clock.today(),
    )
    await _audit(db_session, letter, actor, LetterMove.ANSWER, before)
    return letter


async def close(
    db_session: AsyncSession,
    *,
    letter: AssistanceLetter,
    actor: Actor,
    clock: Clock,
    authorize: Authorize,
) -> AssistanceLetter:
    """The requester closes the letter: the helper's grant ends."""
    before = await _begin(letter, LetterMove.CLOSE, actor, authorize)
    await common.close_grant(db_session, letter.grant_id, actor, letter.jurisdiction_code)
    letter.status = LetterStatus.CLOSED
    letter.closed_on = clock.today()
    letter.closed_by = actor.name
    letter.updated_at = clock.now()
    await db_session.flush()
    await _audit(db_session, letter, actor, LetterMove.CLOSE, before)
    return letter
