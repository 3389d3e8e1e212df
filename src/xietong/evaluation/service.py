"""Remote cross-region evaluation (R-12): the rules, knowing nothing of GraphQL.

The home site (the project's jurisdiction, 主场) schedules a session with one or more host sites
(副场, any other jurisdiction, any province), starts and finishes it, and investigates expert
conduct; each site seats its own experts; a host hands over its records. Walls:

- **Sealed until the start.** A host sees its own site row (number, time, seats) but not the
  session or the project; the home side does not see which hosts there are (host sites and seats
  are revealed at the start).
- **During the window** a host's office and centre read the session, their unit's own seats and
  experts through grants on the session, one per department (``access.grants``; row-level
  security's ``granted`` arm), opened at the start and revoked when the follow-up window ends
  (``close_windows``, run by the worker).
- **Sealed identities.** An expert row belongs to the site that seated the expert: the home side
  never reads a host expert's identity, only the seat.

Clocks are the deadline engine's obligations: ``R12.copy_to_host`` (the home copies an
investigation's result about host experts within 7 working days), ``REMOTE.handover_records``
(a host hands over its records within 5 working days of the end) and ``REMOTE.fault_repair``
(4 hours). Every change is audited in the transaction that makes it; nothing here commits.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, any_, exists, false, func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from xietong.access import grants
from xietong.access import scope as scopes
from xietong.access.actions import Action, ObjectType
from xietong.access.models import AccessGrant
from xietong.access.scope import Scope, granted_ids, in_span
from xietong.access.scope_token import ScopeSigner
from xietong.audit import service as audit
from xietong.deadlines import obligations
from xietong.deadlines.arithmetic import add_working_days
from xietong.deadlines.clock import Clock
from xietong.deadlines.obligations import MatterRef, actor_kind_of
from xietong.deadlines.store import calendar_state
from xietong.evaluation import results
from xietong.evaluation.enums import InvestigationState, SessionState, SiteRole
from xietong.evaluation.errors import EvaluationError
from xietong.evaluation.errors import EvaluationErrorCode as Code
from xietong.evaluation.models import (
    EvaluationExpert,
    EvaluationFault,
    EvaluationInvestigation,
    EvaluationRecording,
    EvaluationSeat,
    EvaluationSession,
    EvaluationSite,
)
from xietong.jurisdictions import codes
from xietong.jurisdictions.codes import CodeRange
from xietong.jurisdictions.enums import DepartmentKind
from xietong.jurisdictions.models import Department, Jurisdiction
from xietong.trading.models import Expert, Project

SYSTEM_ACTOR = "system:evaluation"
"""Who opens a host's clock at the end of a session (in the host's unit) and closes windows."""

COPY_RULE = "R12.copy_to_host"
HANDOVER_RULE = "REMOTE.handover_records"
FAULT_RULE = "REMOTE.fault_repair"
PRE_START_RULE = "REMOTE.pre_start_decision"
PRE_START_MARGIN = timedelta(hours=2)
"""A fault more than this before the scheduled start is the tenderer's to decide on."""

SESSION_MATTER = "evaluation"
SITE_MATTER = "evaluation_site"
INVESTIGATION_MATTER = "evaluation_investigation"
FAULT_MATTER = "evaluation_fault"

DEFAULT_FOLLOW_UP_DAYS = 30
"""Working days a host keeps its grant after the session ends (configurable per session)."""
GRANT_HARD_STOP = timedelta(days=grants.MAX_GRANT_DAYS)
"""A grant's own expiry: a stop behind the window, which closes it much earlier (revocation)."""
MAX_SEATS = 99
MAX_HOSTS = 9


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts: the signed actor, their unit and department."""

    name: str
    jurisdiction_code: int | None
    department_id: uuid.UUID | None


@dataclass(frozen=True, slots=True)
class HostRequest:
    jurisdiction_code: int
    seats: int


def _err(code: Code, message: str, field: str | None = None) -> EvaluationError:
    return EvaluationError(code, message, field=field)


async def _audit(
    db_session: AsyncSession,
    *,
    jurisdiction_code: int,
    actor: str,
    action: str,
    object_type: str,
    object_id: uuid.UUID,
    details: dict[str, object],
    now: datetime,
) -> None:
    await audit.record(
        db_session=db_session,
        jurisdiction_code=jurisdiction_code,
        actor_kind=actor_kind_of(actor),
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        details=details,
        occurred_at=now,
    )


# Visibility: the application's wall, the same predicates row-level security applies. -----------


def _in(scope: Scope, column: Any) -> ColumnElement[bool]:
    if scope.read is None:
        return false()
    found: ColumnElement[bool] = column.between(scope.read.lo, scope.read.hi)
    return found


def _granted_session(column: Any, action: Action = Action.READ) -> ColumnElement[bool]:
    found: ColumnElement[bool] = column == any_(granted_ids(ObjectType.EVALUATION, action))
    return found


def sessions_visible(scope: Scope, today: date) -> ColumnElement[bool]:
    """Sessions of the caller's subtree; or granted to it, while its window has not ended."""
    if not scope.app_wall:
        return true()
    granted = and_(
        _granted_session(EvaluationSession.id),
        or_(EvaluationSession.window_until.is_(None), EvaluationSession.window_until >= today),
    )
    return or_(_in(scope, EvaluationSession.jurisdiction_code), granted)


def _started(session_id: Any) -> ColumnElement[bool]:
    """The session has started: other sites are revealed to the home side from then on."""
    return exists().where(
        EvaluationSession.id == session_id, EvaluationSession.started_at.is_not(None)
    )


def sites_visible(scope: Scope) -> ColumnElement[bool]:
    if not scope.app_wall:
        return true()
    return or_(
        _in(scope, EvaluationSite.jurisdiction_code),
        and_(
            _in(scope, EvaluationSite.session_jurisdiction_code),
            _started(EvaluationSite.session_id),
        ),
    )


def seats_visible(scope: Scope) -> ColumnElement[bool]:
    if not scope.app_wall:
        return true()
    return or_(
        and_(
            _in(scope, EvaluationSeat.jurisdiction_code),
            or_(
                EvaluationSeat.site_jurisdiction_code == EvaluationSeat.jurisdiction_code,
                _started(EvaluationSeat.session_id),
            ),
        ),
        and_(
            _in(scope, EvaluationSeat.site_jurisdiction_code),
            _granted_session(EvaluationSeat.session_id),
        ),
    )


def experts_visible(scope: Scope) -> ColumnElement[bool]:
    if not scope.app_wall:
        return true()
    return and_(
        _in(scope, EvaluationExpert.jurisdiction_code),
        or_(
            EvaluationExpert.jurisdiction_code == EvaluationExpert.session_jurisdiction_code,
            _granted_session(EvaluationExpert.session_id),
        ),
    )


def investigations_visible(scope: Scope) -> ColumnElement[bool]:
    if not scope.app_wall:
        return true()
    return or_(
        _in(scope, EvaluationInvestigation.jurisdiction_code),
        EvaluationInvestigation.id
        == any_(granted_ids(ObjectType.EVALUATION_INVESTIGATION, Action.READ)),
    )


async def get_session(
    db_session: AsyncSession,
    scope: Scope,
    session_id: uuid.UUID,
    today: date,
    *,
    lock: bool = False,
) -> EvaluationSession | None:
    query = select(EvaluationSession).where(
        EvaluationSession.id == session_id, sessions_visible(scope, today)
    )
    if lock:
        query = query.with_for_update()
    found: EvaluationSession | None = await db_session.scalar(query)
    return found


def sessions_query(scope: Scope, today: date, span: CodeRange | None) -> object:
    """Sessions the caller sees: of ``span`` (its reach) or granted to it, newest first."""
    query = select(EvaluationSession).where(sessions_visible(scope, today))
    if span is not None:
        query = query.where(
            or_(
                in_span(EvaluationSession.jurisdiction_code, span),
                _granted_session(EvaluationSession.id),
            )
        )
    return query


async def sites_of(
    db_session: AsyncSession, scope: Scope, session_ids: Sequence[uuid.UUID]
) -> list[EvaluationSite]:
    rows = await db_session.scalars(
        select(EvaluationSite)
        .where(EvaluationSite.session_id.in_(session_ids), sites_visible(scope))
        .order_by(EvaluationSite.role, EvaluationSite.jurisdiction_code)
    )
    return list(rows)


async def seats_of(
    db_session: AsyncSession, scope: Scope, session_ids: Sequence[uuid.UUID]
) -> list[EvaluationSeat]:
    rows = await db_session.scalars(
        select(EvaluationSeat)
        .where(EvaluationSeat.session_id.in_(session_ids), seats_visible(scope))
        .order_by(EvaluationSeat.label)
    )
    return list(rows)


async def experts_of(
    db_session: AsyncSession, scope: Scope, seat_ids: Sequence[uuid.UUID]
) -> list[tuple[EvaluationExpert, Expert]]:
    rows = await db_session.execute(
        select(EvaluationExpert, Expert)
        .join(Expert, Expert.id == EvaluationExpert.expert_id)
        .where(EvaluationExpert.seat_id.in_(seat_ids), experts_visible(scope))
    )
    return [(e, x) for e, x in rows.all()]


async def investigations_of(
    db_session: AsyncSession, scope: Scope, session_ids: Sequence[uuid.UUID]
) -> list[EvaluationInvestigation]:
    rows = await db_session.scalars(
        select(EvaluationInvestigation)
        .where(EvaluationInvestigation.session_id.in_(session_ids), investigations_visible(scope))
        .order_by(EvaluationInvestigation.created_at)
    )
    return list(rows)


async def faults_of(
    db_session: AsyncSession, scope: Scope, session_ids: Sequence[uuid.UUID]
) -> list[EvaluationFault]:
    rows = await db_session.scalars(
        select(EvaluationFault)
        .where(
            EvaluationFault.session_id.in_(session_ids),
            _in(scope, EvaluationFault.jurisdiction_code),
        )
        .order_by(EvaluationFault.started_at, EvaluationFault.id)
    )
    return list(rows)


def hostings_query(scope: Scope, span: CodeRange) -> object:
    """A host's sites: what it knows of the sessions it hosts, before and after the start."""
    return (
        select(EvaluationSite)
        .where(
            EvaluationSite.role == SiteRole.HOST,
            in_span(EvaluationSite.jurisdiction_code, span),
            sites_visible(scope),
        )
        .order_by(EvaluationSite.scheduled_start.desc(), EvaluationSite.id)
    )


async def get_site(
    db_session: AsyncSession, scope: Scope, site_id: uuid.UUID, *, lock: bool = False
) -> EvaluationSite | None:
    query = select(EvaluationSite).where(EvaluationSite.id == site_id, sites_visible(scope))
    if lock:
        query = query.with_for_update()
    found: EvaluationSite | None = await db_session.scalar(query)
    return found


async def get_investigation(
    db_session: AsyncSession, scope: Scope, investigation_id: uuid.UUID, *, lock: bool = False
) -> EvaluationInvestigation | None:
    query = select(EvaluationInvestigation).where(
        EvaluationInvestigation.id == investigation_id, investigations_visible(scope)
    )
    if lock:
        query = query.with_for_update()
    found: EvaluationInvestigation | None = await db_session.scalar(query)
    return found


async def get_fault(
    db_session: AsyncSession, scope: Scope, fault_id: uuid.UUID, *, lock: bool = False
) -> EvaluationFault | None:
    query = select(EvaluationFault).where(
        EvaluationFault.id == fault_id, _in(scope, EvaluationFault.jurisdiction_code)
    )
    if lock:
        query = query.with_for_update()
    found: EvaluationFault | None = await db_session.scalar(query)
    return found


# Scheduling, starting, finishing. --------------------------------------------------------------


def _home_only(session: EvaluationSession, actor: Actor, what: str) -> None:
    if actor.jurisdiction_code != session.jurisdiction_code:
        raise _err(
            Code.NOT_YOUR_SITE,
            f"只有主场（项目所在地）可以{what}（only the home site may do this）",
        )


def _state(session: EvaluationSession, allowed: Sequence[SessionState], what: str) -> None:
    if session.state not in allowed:
        raise _err(
            Code.ILLEGAL_STATE,
            f"评标场次当前状态（{session.state.value}）不能{what}"
            "（the session's state does not allow this）",
        )


async def schedule(
    db_session: AsyncSession,
    *,
    scope: Scope,
    actor: Actor,
    project: Project,
    number: str,
    scheduled_start: datetime,
    scheduled_end: datetime,
    home_seats: int,
    hosts: Sequence[HostRequest],
    follow_up_days: int,
    clock: Clock,
    auto_copy: bool = False,
    drawn: bool = False,
) -> EvaluationSession:
    """A session of ``project`` at its home site and ``hosts``, sealed until it starts.
    ``auto_copy``: the worker copies investigation results to the hosts (``copies``)."""
    home = project.jurisdiction_code
    if actor.jurisdiction_code != home or not scope.can_write(home):
        raise _err(
            Code.NOT_YOUR_SITE,
            "只有项目所在地可以安排评标（only the project's jurisdiction schedules it）",
            "projectId",
        )
    if scheduled_end <= scheduled_start:
        raise _err(
            Code.INVALID,
            "评标结束时间应晚于开始时间（the end must be after the start）",
            "scheduledEnd",
        )
    if not 1 <= follow_up_days <= 120:
        raise _err(
            Code.INVALID, "后续期限为1至120个工作日（1 to 120 working days）", "followUpDays"
        )
    if not hosts:
        raise _err(Code.INVALID, "至少一个评标客场（at least one host site）", "hosts")
    if len(hosts) > MAX_HOSTS:
        raise _err(Code.INVALID, f"至多{MAX_HOSTS}个评标客场（too many host sites）", "hosts")
    seen = {home}
    for i, host in enumerate(hosts):
        if host.jurisdiction_code in seen:
            raise _err(
                Code.HOST_NOT_ELSEWHERE,
                "评标客场应为主场以外的行政区划，且不重复（a host is another jurisdiction, named "
                "once）",
                f"hosts.{i}.jurisdiction",
            )
        seen.add(host.jurisdiction_code)
    for i, seats in enumerate([home_seats, *(h.seats for h in hosts)]):
        if not 1 <= seats <= MAX_SEATS:
            field = "homeSeats" if i == 0 else f"hosts.{i - 1}.seats"
            raise _err(Code.INVALID, f"席位数为1至{MAX_SEATS}（1 to {MAX_SEATS} seats）", field)
    known = set(
        await db_session.scalars(
            select(Jurisdiction.code).where(
                Jurisdiction.code.in_([h.jurisdiction_code for h in hosts]),
                Jurisdiction.retired_on.is_(None),
            )
        )
    )
    for i, host in enumerate(hosts):
        if host.jurisdiction_code not in known:
            raise _err(
                Code.NOT_FOUND, "没有该行政区划（unknown jurisdiction）", f"hosts.{i}.jurisdiction"
            )
    taken = await db_session.scalar(
        select(EvaluationSession.id).where(
            EvaluationSession.jurisdiction_code == home, EvaluationSession.number == number
        )
    )
    if taken is not None:
        raise _err(Code.NUMBER_TAKEN, "本辖区已有该场次编号（the number is taken）", "number")
    now = clock.now()
    session = EvaluationSession(
        id=uuid.uuid4(),
        jurisdiction_code=home,
        province_code=codes.province_of(home),
        number=number,
        project_id=project.id,
        scheduled_start=scheduled_start,
        scheduled_end=scheduled_end,
        state=SessionState.SCHEDULED,
        follow_up_days=follow_up_days,
        auto_copy=auto_copy,
        created_by=actor.name,
        created_at=now,
        updated_at=now,
    )
    db_session.add(session)
    await db_session.flush()
    sites = [(home, home_seats, SiteRole.HOME)] + [
        (h.jurisdiction_code, h.seats, SiteRole.HOST) for h in hosts
    ]
    for index, (code, seats, role) in enumerate(sites):
        site = EvaluationSite(
            id=uuid.uuid4(),
            session_id=session.id,
            jurisdiction_code=code,
            province_code=codes.province_of(code),
            session_jurisdiction_code=home,
            role=role,
            seats=seats,
            session_number=number,
            scheduled_start=scheduled_start,
            scheduled_end=scheduled_end,
            created_by=actor.name,
            created_at=now,
        )
        db_session.add(site)
        await db_session.flush()
        # A seat label names the site by its place in the session, never by its jurisdiction.
        prefix = "主场" if role is SiteRole.HOME else f"副场{index}"
        db_session.add_all(
            EvaluationSeat(
                id=uuid.uuid4(),
                session_id=session.id,
                site_id=site.id,
                jurisdiction_code=home,
                province_code=codes.province_of(home),
                site_jurisdiction_code=code,
                label=f"{prefix}-{n:02d}",
                created_by=actor.name,
                created_at=now,
            )
            for n in range(1, seats + 1)
        )
    await db_session.flush()
    # Host jurisdictions are not named in the trail until the start (四不知).
    await _audit(
        db_session,
        jurisdiction_code=home,
        actor=actor.name,
        action="evaluation.schedule",
        object_type=SESSION_MATTER,
        object_id=session.id,
        details={
            "number": number,
            "project_id": str(project.id),
            "home_seats": home_seats,
            "host_sites": len(hosts),
            "host_seats": sum(h.seats for h in hosts),
            "auto_copy": auto_copy,
            "hosts_drawn": drawn,
        },
        now=now,
    )
    return session


async def _sites(db_session: AsyncSession, session: EvaluationSession) -> list[EvaluationSite]:
    rows = await db_session.scalars(
        select(EvaluationSite)
        .where(EvaluationSite.session_id == session.id)
        .order_by(EvaluationSite.role, EvaluationSite.jurisdiction_code)
    )
    return list(rows)


async def start(
    db_session: AsyncSession,
    *,
    session: EvaluationSession,
    actor: Actor,
    clock: Clock,
) -> EvaluationSession:
    """Start: host sites and seats are revealed to the home side, and each host's supervision
    office and trading centre receive a grant on this session (read its seats and experts, seat
    its experts, record at its seats) — nothing else of the project, nobody else of the unit."""
    _home_only(session, actor, "开始评标")
    _state(session, (SessionState.SCHEDULED,), "开始")
    if await _open_faults(db_session, session):
        raise _err(
            Code.ILLEGAL_STATE,
            "开始前发生的故障尚未排除或未经招标人决定（a fault before the start is still open）",
        )
    now = clock.now()
    session.state = SessionState.STARTED
    session.started_at = now
    session.updated_at = now
    await db_session.flush()  # from here the home side sees the host sites and their seats
    hosts = [s for s in await _sites(db_session, session) if s.role is SiteRole.HOST]
    for site in hosts:
        for department in await host_grantees(db_session, site.jurisdiction_code):
            grant = await grants.create(
                db_session=db_session,
                object_type=ObjectType.EVALUATION,
                object_id=session.id,
                object_jurisdiction_code=session.jurisdiction_code,
                grantee_jurisdiction_code=site.jurisdiction_code,
                grantee_department_id=department,
                actions=(Action.READ, Action.HANDLE),
                include_related=True,
                reason=f"远程异地评标副场：场次 {session.number}（R-12）",
                starts_at=now,
                expires_at=now + GRANT_HARD_STOP,
                created_by=actor.name,
            )
            await _audit(
                db_session,
                jurisdiction_code=session.jurisdiction_code,
                actor=actor.name,
                action="grant.create",
                object_type="grant",
                object_id=grant.id,
                details={
                    "object_type": ObjectType.EVALUATION.value,
                    "object_id": str(session.id),
                    "grantee": site.jurisdiction_code,
                    "grantee_department": str(department),
                    "actions": [Action.READ.value, Action.HANDLE.value],
                },
                now=now,
            )
    await _audit(
        db_session,
        jurisdiction_code=session.jurisdiction_code,
        actor=actor.name,
        action="evaluation.start",
        object_type=SESSION_MATTER,
        object_id=session.id,
        details={"number": session.number, "hosts": [s.jurisdiction_code for s in hosts]},
        now=now,
    )
    return session


HOST_GRANTEE_KINDS = (DepartmentKind.SUPERVISION_OFFICE, DepartmentKind.TRADING_CENTRE)
"""The departments of a host unit that receive the session's grant: the office supervises the
site, the centre runs it (both hold ``evaluation:handle``). Not the host's industry departments:
the project's industry is supervised by the home's (谁主管谁监管); the host's industry department
only receives a result copied to its unit (``evaluationCopies``, its own unit, no grant)."""


async def host_grantees(db_session: AsyncSession, unit: int) -> list[uuid.UUID]:
    """The active departments of ``unit`` that receive a hosted session's grant, office first."""
    rows = await db_session.execute(
        select(Department.id, Department.kind).where(
            Department.jurisdiction_code == unit,
            Department.kind.in_(HOST_GRANTEE_KINDS),
            Department.active.is_(True),
        )
    )
    ordered = sorted(rows.all(), key=lambda r: (HOST_GRANTEE_KINDS.index(r.kind), str(r.id)))
    return [r.id for r in ordered]


@asynccontextmanager
async def acting_as_system(
    db_session: AsyncSession,
    signer: ScopeSigner,
    *,
    unit: int,
    caller: Scope,
    department_id: uuid.UUID | None = None,
) -> AsyncIterator[Scope]:
    """For the rest of the block, the system's scope in ``unit`` (read its subtree, write in
    it alone): how the end of a session opens the host's own clock in the host's unit, which
    the home's caller may not write. The caller's scope afterwards, whatever happened.
    ``department_id``: act as that department of the unit, to read through a grant made to it
    (a host's grants on a session name its departments, ``host_grantees``)."""
    system = Scope.system_unit(SYSTEM_ACTOR, unit, department_id)
    async with scopes.acting_as(db_session, system, signer, caller=caller):
        yield system


async def open_matters(db_session: AsyncSession, session_id: uuid.UUID) -> int:
    """Matters of the session still open: investigations open, or ended with a copy owed."""
    count = await db_session.scalar(
        select(func.count())
        .select_from(EvaluationInvestigation)
        .where(
            EvaluationInvestigation.session_id == session_id,
            or_(
                EvaluationInvestigation.state == InvestigationState.OPEN,
                and_(
                    EvaluationInvestigation.state == InvestigationState.ENDED,
                    func.cardinality(EvaluationInvestigation.host_codes) > 0,
                ),
            ),
        )
    )
    return int(count or 0)


async def stretch_window(
    db_session: AsyncSession, session_id: uuid.UUID, clock: Clock
) -> EvaluationSession | None:
    """Re-count the hosts' follow-up window after a matter of the session opened or closed:
    open-ended (NULL) while one is open, else ``follow_up_days`` working days from today — never
    shorter than before. Only an ended session whose window still runs (not past, not closed) is
    touched: a window that has ended stays ended."""
    session: EvaluationSession | None = await db_session.scalar(
        select(EvaluationSession).where(EvaluationSession.id == session_id).with_for_update()
    )
    today = clock.today()
    if (
        session is None
        or session.ended_at is None
        or session.window_closed_at is not None
        or (session.window_until is not None and session.window_until < today)
    ):
        return session
    if await open_matters(db_session, session_id):
        until: date | None = None
    else:
        until = await window_end(
            db_session, session.jurisdiction_code, today, session.follow_up_days
        )
        if session.window_until is not None:
            until = max(until, session.window_until)
    if until != session.window_until:
        session.window_until = until
        session.updated_at = clock.now()
        await db_session.flush()
    return session


async def window_end(
    db_session: AsyncSession, jurisdiction_code: int, day: date, days: int
) -> date:
    """The last day of a follow-up window: ``days`` working days after ``day`` on the home
    site's calendar (the engine's arithmetic)."""
    state = await calendar_state(db_session)
    calendar = state.calendars.for_jurisdiction(jurisdiction_code)
    due = add_working_days(calendar, day, days).due
    return due if due is not None else day + timedelta(days=days)


async def finish(
    db_session: AsyncSession,
    *,
    session: EvaluationSession,
    actor: Actor,
    scope: Scope,
    signer: ScopeSigner,
    clock: Clock,
) -> EvaluationSession:
    """End the evaluation: the follow-up window starts, and each host owes the home its records
    (``REMOTE.handover_records``, on the host's calendar, opened in the host's unit)."""
    _home_only(session, actor, "结束评标")
    _state(session, (SessionState.STARTED, SessionState.PAUSED), "结束")
    if await _open_faults(db_session, session):
        raise _err(
            Code.ILLEGAL_STATE,
            "故障尚未排除，不能结束评标；排除故障或终止评标（a fault is open: end it or abort）",
        )
    return await _close(
        db_session,
        session=session,
        state=SessionState.FINISHED,
        actor=actor,
        scope=scope,
        signer=signer,
        clock=clock,
    )


async def abort(
    db_session: AsyncSession,
    *,
    session: EvaluationSession,
    actor: Actor,
    scope: Scope,
    signer: ScopeSigner,
    clock: Clock,
) -> EvaluationSession:
    """Abort (a fault not fixed in time): the records are sealed and a new committee
    re-evaluates — which resolves the open faults' clocks (``REMOTE.fault_repair``, late if past
    4 hours). The hosts still hand over what they recorded; the window runs as after an end."""
    _home_only(session, actor, "终止评标")
    _state(session, (SessionState.STARTED, SessionState.PAUSED), "终止")
    for fault in await _open_faults(db_session, session):
        await _end_fault(
            db_session,
            fault=fault,
            actor=actor,
            clock=clock,
            sealed=True,
            rule=fault_rule(session, fault),
        )
    return await _close(
        db_session,
        session=session,
        state=SessionState.ABORTED,
        actor=actor,
        scope=scope,
        signer=signer,
        clock=clock,
    )


async def _close(
    db_session: AsyncSession,
    *,
    session: EvaluationSession,
    state: SessionState,
    actor: Actor,
    scope: Scope,
    signer: ScopeSigner,
    clock: Clock,
) -> EvaluationSession:
    now, today = clock.now(), clock.today()
    session.state = state
    session.ended_at = now
    # Open-ended while a matter of the session is open; counted from the day the last closes.
    session.window_until = (
        None
        if await open_matters(db_session, session.id)
        else await window_end(db_session, session.jurisdiction_code, today, session.follow_up_days)
    )
    session.updated_at = now
    await db_session.flush()
    await _audit(
        db_session,
        jurisdiction_code=session.jurisdiction_code,
        actor=actor.name,
        action="evaluation.finish" if state is SessionState.FINISHED else "evaluation.abort",
        object_type=SESSION_MATTER,
        object_id=session.id,
        details={
            "number": session.number,
            "window_until": None if session.window_until is None else str(session.window_until),
        },
        now=now,
    )
    home_name = await db_session.scalar(
        select(Jurisdiction.name).where(Jurisdiction.code == session.jurisdiction_code)
    )
    hosts = [s for s in await _sites(db_session, session) if s.role is SiteRole.HOST]
    for site in hosts:
        async with acting_as_system(db_session, signer, unit=site.jurisdiction_code, caller=scope):
            await obligations.open_obligation(
                db_session,
                rule_id=HANDOVER_RULE,
                matter=MatterRef(SITE_MATTER, site.id),
                owing_jurisdiction_code=site.jurisdiction_code,
                owing_department_id=None,
                counterparty=f"{home_name}（主场）",
                started_on=today,
                clock=clock,
                actor=SYSTEM_ACTOR,
            )
    return session


# Faults (the 4-hour rule) -------------------------------------------------------------------


async def _open_faults(
    db_session: AsyncSession, session: EvaluationSession
) -> list[EvaluationFault]:
    rows = await db_session.scalars(
        select(EvaluationFault)
        .where(EvaluationFault.session_id == session.id, EvaluationFault.ended_at.is_(None))
        .order_by(EvaluationFault.started_at)
        .with_for_update()
    )
    return list(rows)


async def record_fault(
    db_session: AsyncSession,
    *,
    session: EvaluationSession,
    actor: Actor,
    site: EvaluationSite,
    cause: str,
    started_at: datetime | None,
    clock: Clock,
) -> EvaluationFault:
    """A fault at one of the session's sites. During the evaluation the session pauses, and the
    home owes its repair — or the sealing of the records and a new committee — within 4 hours
    (``REMOTE.fault_repair``, an hour clock from the fault's start). Before the start: more than
    2 hours before the scheduled start, the tenderer decides (``REMOTE.pre_start_decision``,
    2 hours, recorded when the fault is ended); closer to the start, the 4-hour rule as during
    the evaluation. The session cannot start while such a fault is open."""
    _home_only(session, actor, "登记评标故障")
    _state(
        session,
        (SessionState.SCHEDULED, SessionState.STARTED, SessionState.PAUSED),
        "登记故障",
    )
    if site.session_id != session.id:
        raise _err(Code.NOT_FOUND, "本场次没有该场地（no such site in the session）", "siteId")
    now = clock.now()
    began = started_at or now
    if (
        began.tzinfo is None
        or began > now
        or (session.started_at is not None and began < session.started_at)
    ):
        raise _err(
            Code.INVALID,
            "故障开始时间应在评标开始之后、当前时间之前（the fault starts during the session, not "
            "in the future）",
            "startedAt",
        )
    fault = EvaluationFault(
        id=uuid.uuid4(),
        session_id=session.id,
        site_id=site.id,
        jurisdiction_code=session.jurisdiction_code,
        province_code=session.province_code,
        cause=cause,
        started_at=began,
        created_by=actor.name,
        created_at=now,
    )
    db_session.add(fault)
    if session.state is not SessionState.SCHEDULED:
        session.state = SessionState.PAUSED
        session.updated_at = now
    await db_session.flush()
    rule = fault_rule(session, fault)
    await obligations.open_obligation(
        db_session,
        rule_id=rule,
        matter=MatterRef(FAULT_MATTER, fault.id),
        owing_jurisdiction_code=session.jurisdiction_code,
        owing_department_id=actor.department_id,
        counterparty="招标人（评标委员会）" if rule == FAULT_RULE else "招标人（决定）",
        started_on=began.date(),
        started_at=began,
        clock=clock,
        actor=actor.name,
    )
    await _audit(
        db_session,
        jurisdiction_code=session.jurisdiction_code,
        actor=actor.name,
        action="evaluation.faultRecord",
        object_type=FAULT_MATTER,
        object_id=fault.id,
        details={"session_id": str(session.id), "started_at": began.isoformat(), "rule": rule},
        now=now,
    )
    return fault


def fault_rule(session: EvaluationSession, fault: EvaluationFault) -> str:
    """Which clock a fault runs: the tenderer's decision if it began before the start and more
    than 2 hours before the scheduled start; the 4-hour repair otherwise."""
    before_start = session.started_at is None or fault.started_at < session.started_at
    if before_start and session.scheduled_start - fault.started_at > PRE_START_MARGIN:
        return PRE_START_RULE
    return FAULT_RULE


async def _end_fault(
    db_session: AsyncSession,
    *,
    fault: EvaluationFault,
    actor: Actor,
    clock: Clock,
    sealed: bool,
    rule: str = FAULT_RULE,
    decision: str | None = None,
) -> EvaluationFault:
    now = clock.now()
    fault.ended_at = now
    fault.decision = decision
    await db_session.flush()
    met = await obligations.meet(
        db_session,
        matter=MatterRef(FAULT_MATTER, fault.id),
        rule_id=rule,
        clock=clock,
        actor=actor.name,
    )
    await _audit(
        db_session,
        jurisdiction_code=fault.jurisdiction_code,
        actor=actor.name,
        action="evaluation.faultEnd",
        object_type=FAULT_MATTER,
        object_id=fault.id,
        details={
            "ended_at": now.isoformat(),
            "sealed": sealed,
            "rule": rule,
            "decided": decision is not None,
            "late": met.due_at is not None and now > met.due_at,
        },
        now=now,
    )
    return fault


async def end_fault(
    db_session: AsyncSession,
    *,
    session: EvaluationSession,
    fault: EvaluationFault,
    actor: Actor,
    clock: Clock,
    decision: str | None = None,
) -> EvaluationSession:
    """The fault is fixed: its clock is met (late after 4 hours — then the home should have
    aborted); the session resumes when no fault is left open. A fault before the start that is
    the tenderer's to decide on ends with the tenderer's ``decision`` (required)."""
    _home_only(session, actor, "排除评标故障")
    if fault.ended_at is not None:
        raise _err(Code.ILLEGAL_STATE, "故障已排除（the fault has ended）", "id")
    rule = fault_rule(session, fault)
    if rule == PRE_START_RULE and decision is None:
        raise _err(
            Code.INVALID,
            "开始前2小时以上发生的故障由招标人决定：请填写招标人的决定（record the tenderer's "
            "decision）",
            "decision",
        )
    await _end_fault(
        db_session,
        fault=fault,
        actor=actor,
        clock=clock,
        sealed=False,
        rule=rule,
        decision=decision,
    )
    if session.state is SessionState.PAUSED and not await _open_faults(db_session, session):
        session.state = SessionState.STARTED
        session.updated_at = clock.now()
        await db_session.flush()
    return session


async def close_windows(db_session: AsyncSession, *, home: int, clock: Clock) -> list[uuid.UUID]:
    """Under the system scope of ``home``: end the follow-up window of every finished session
    whose window has passed — revoke the hosts' grants on it (row-level security stops them at
    once) and record it. Returns the sessions closed. Idempotent."""
    now, today = clock.now(), clock.today()
    due = list(
        await db_session.scalars(
            select(EvaluationSession)
            .where(
                EvaluationSession.jurisdiction_code == home,
                EvaluationSession.window_closed_at.is_(None),
                EvaluationSession.window_until < today,
            )
            .with_for_update(skip_locked=True)
        )
    )
    for session in due:
        live = await db_session.scalars(
            select(AccessGrant).where(
                AccessGrant.object_type == ObjectType.EVALUATION,
                AccessGrant.object_id == session.id,
                AccessGrant.revoked_at.is_(None),
            )
        )
        revoked = []
        for grant in live:
            grant.revoked_at = now
            grant.revoked_by = SYSTEM_ACTOR
            revoked.append(str(grant.id))
        session.window_closed_at = now
        session.updated_at = now
        await db_session.flush()
        await _audit(
            db_session,
            jurisdiction_code=home,
            actor=SYSTEM_ACTOR,
            action="evaluation.windowClose",
            object_type=SESSION_MATTER,
            object_id=session.id,
            details={"window_until": str(session.window_until), "grants_revoked": revoked},
            now=now,
        )
    return [s.id for s in due]


async def homes_with_windows_due(db_session: AsyncSession, today: date) -> list[int]:
    """Units with a follow-up window to close (read under a plan scope)."""
    rows = await db_session.scalars(
        select(EvaluationSession.jurisdiction_code)
        .where(EvaluationSession.window_closed_at.is_(None), EvaluationSession.window_until < today)
        .distinct()
    )
    return list(rows)


# Experts. --------------------------------------------------------------------------------------


async def seat_expert(
    db_session: AsyncSession,
    *,
    scope: Scope,
    actor: Actor,
    seat: EvaluationSeat,
    expert_id: uuid.UUID,
    clock: Clock,
) -> EvaluationExpert:
    """Seat an expert of the site's own library. Each site seats its own: the home before or
    during the session, a host once the session has started (through its grant)."""
    if actor.jurisdiction_code != seat.site_jurisdiction_code:
        raise _err(
            Code.NOT_YOUR_SITE,
            "只能为本场地的席位安排专家（a site seats its own experts）",
            "seatId",
        )
    session = await db_session.scalar(
        select(EvaluationSession).where(EvaluationSession.id == seat.session_id)
    )
    if session is None:
        raise _err(Code.NOT_FOUND, "没有该评标场次（no such session）", "seatId")
    allowed = (
        (SessionState.SCHEDULED, SessionState.STARTED, SessionState.PAUSED)
        if seat.site_jurisdiction_code == seat.jurisdiction_code
        else (SessionState.STARTED, SessionState.PAUSED)
    )
    _state(session, allowed, "安排专家")
    expert = await db_session.scalar(
        select(Expert).where(Expert.id == expert_id, _in(scope, Expert.jurisdiction_code))
    )
    if expert is None:
        raise _err(Code.NOT_FOUND, "本场地专家库中没有该专家（no such expert here）", "expertId")
    taken = await db_session.scalar(
        select(EvaluationExpert.id).where(
            or_(
                EvaluationExpert.seat_id == seat.id,
                and_(
                    EvaluationExpert.session_id == seat.session_id,
                    EvaluationExpert.expert_id == expert_id,
                ),
            )
        )
    )
    if taken is not None:
        raise _err(
            Code.SEAT_TAKEN,
            "该席位已有专家，或该专家已在本场次（the seat is taken or the expert already sits）",
            "seatId",
        )
    now = clock.now()
    row = EvaluationExpert(
        id=uuid.uuid4(),
        session_id=seat.session_id,
        seat_id=seat.id,
        expert_id=expert_id,
        jurisdiction_code=seat.site_jurisdiction_code,
        province_code=codes.province_of(seat.site_jurisdiction_code),
        session_jurisdiction_code=seat.jurisdiction_code,
        assigned_by=actor.name,
        created_at=now,
    )
    db_session.add(row)
    await db_session.flush()
    # In the seating site's own chain: the home's trail never names a host expert.
    await _audit(
        db_session,
        jurisdiction_code=seat.site_jurisdiction_code,
        actor=actor.name,
        action="evaluation.seatExpert",
        object_type=SESSION_MATTER,
        object_id=seat.session_id,
        details={"seat": seat.label, "expert_id": str(expert_id)},
        now=now,
    )
    return row


async def get_seat(
    db_session: AsyncSession, scope: Scope, seat_id: uuid.UUID
) -> EvaluationSeat | None:
    found: EvaluationSeat | None = await db_session.scalar(
        select(EvaluationSeat).where(EvaluationSeat.id == seat_id, seats_visible(scope))
    )
    return found


# Records handover (副场 → 主场). ----------------------------------------------------------------


async def hand_over(
    db_session: AsyncSession, *, site: EvaluationSite, actor: Actor, clock: Clock
) -> EvaluationSite:
    """The host has handed over its paper, electronic and audio/video records: meets its
    ``REMOTE.handover_records`` clock (late if after the due date)."""
    if site.role is not SiteRole.HOST or actor.jurisdiction_code != site.jurisdiction_code:
        raise _err(
            Code.NOT_YOUR_SITE, "只有该副场可以移交资料（only that host site hands over）", "siteId"
        )
    if site.handed_over_on is not None:
        raise _err(Code.ILLEGAL_STATE, "资料已移交（already handed over）", "siteId")
    session = await db_session.scalar(
        select(EvaluationSession.state).where(EvaluationSession.id == site.session_id)
    )
    if session not in (SessionState.FINISHED, SessionState.ABORTED):
        raise _err(Code.ILLEGAL_STATE, "评标结束后移交资料（hand over after the end）", "siteId")
    now = clock.now()
    site.handed_over_on = clock.today()
    await db_session.flush()
    await obligations.meet(
        db_session,
        matter=MatterRef(SITE_MATTER, site.id),
        rule_id=HANDOVER_RULE,
        clock=clock,
        actor=actor.name,
    )
    await _audit(
        db_session,
        jurisdiction_code=site.jurisdiction_code,
        actor=actor.name,
        action="evaluation.handOver",
        object_type=SITE_MATTER,
        object_id=site.id,
        details={
            "handed_over_on": site.handed_over_on.isoformat(),
            # What the home receives, to check against the files (``recordings.py``).
            "recordings": [
                {"reference": r.reference, "sha256": r.sha256}
                for r in await db_session.scalars(
                    select(EvaluationRecording)
                    .where(EvaluationRecording.site_id == site.id)
                    .order_by(EvaluationRecording.started_at, EvaluationRecording.id)
                )
            ],
        },
        now=now,
    )
    return site


# Investigations of expert conduct. ------------------------------------------------------


async def open_investigation(
    db_session: AsyncSession,
    *,
    session: EvaluationSession,
    actor: Actor,
    scope: Scope,
    seat_ids: Sequence[uuid.UUID],
    subject: str,
    clock: Clock,
) -> EvaluationInvestigation:
    """The home site investigates the conduct of the experts in ``seat_ids`` (host experts
    included: the home supervises every expert's conduct), without knowing who they are."""
    _home_only(session, actor, "调查专家行为")
    if actor.department_id is None:
        raise _err(Code.INVALID, "调查由部门开展（an investigation is a department's）")
    _state(
        session,
        (SessionState.STARTED, SessionState.PAUSED, SessionState.FINISHED, SessionState.ABORTED),
        "调查",
    )
    wanted = list(dict.fromkeys(seat_ids))
    if not 1 <= len(wanted) <= MAX_SEATS:
        raise _err(Code.INVALID, "请指明所涉席位（name the seats）", "seatIds")
    seats = list(
        await db_session.scalars(
            select(EvaluationSeat).where(
                EvaluationSeat.id.in_(wanted),
                EvaluationSeat.session_id == session.id,
                seats_visible(scope),
            )
        )
    )
    if len(seats) != len(wanted):
        raise _err(Code.NOT_FOUND, "本场次没有该席位（no such seat in the session）", "seatIds")
    hosts = sorted(
        {
            s.site_jurisdiction_code
            for s in seats
            if s.site_jurisdiction_code != session.jurisdiction_code
        }
    )
    now = clock.now()
    row = EvaluationInvestigation(
        id=uuid.uuid4(),
        session_id=session.id,
        jurisdiction_code=session.jurisdiction_code,
        province_code=session.province_code,
        department_id=actor.department_id,
        seat_ids=wanted,
        seat_labels=sorted(s.label for s in seats),
        host_codes=hosts,
        subject=subject,
        state=InvestigationState.OPEN,
        opened_on=clock.today(),
        created_by=actor.name,
        created_at=now,
    )
    db_session.add(row)
    await db_session.flush()
    await _audit(
        db_session,
        jurisdiction_code=session.jurisdiction_code,
        actor=actor.name,
        action="evaluation.investigationOpen",
        object_type=INVESTIGATION_MATTER,
        object_id=row.id,
        details={
            "session_id": str(session.id),
            "seats": sorted(s.label for s in seats),
            "hosts": hosts,
        },
        now=now,
    )
    await stretch_window(db_session, session.id, clock)
    return row


async def end_investigation(
    db_session: AsyncSession,
    *,
    investigation: EvaluationInvestigation,
    actor: Actor,
    result: str,
    decision: str,
    clock: Clock,
) -> EvaluationInvestigation:
    """The investigation ends with a result and a decision. If it concerns host experts, the
    home owes the hosts a copy within 7 working days (R-12, ``R12.copy_to_host``)."""
    if actor.jurisdiction_code != investigation.jurisdiction_code:
        raise _err(Code.NOT_YOUR_SITE, "只有主场可以结束调查（only the home site）", "id")
    if investigation.state is not InvestigationState.OPEN:
        raise _err(Code.ILLEGAL_STATE, "调查已结束（the investigation has ended）", "id")
    now, today = clock.now(), clock.today()
    investigation.state = InvestigationState.ENDED
    investigation.ended_on = today
    investigation.result = result
    investigation.decision = decision
    await db_session.flush()
    # The home's own experts concerned: the result in their record at the home's library.
    number = await db_session.scalar(
        select(EvaluationSession.number).where(EvaluationSession.id == investigation.session_id)
    )
    await results.record_for_site(
        db_session,
        investigation=investigation,
        site_code=investigation.jurisdiction_code,
        session_number=number or "",
        actor=actor.name,
        clock=clock,
    )
    await _audit(
        db_session,
        jurisdiction_code=investigation.jurisdiction_code,
        actor=actor.name,
        action="evaluation.investigationEnd",
        object_type=INVESTIGATION_MATTER,
        object_id=investigation.id,
        details={"ended_on": today.isoformat(), "hosts": list(investigation.host_codes)},
        now=now,
    )
    if investigation.host_codes:
        names = list(
            await db_session.scalars(
                select(Jurisdiction.name)
                .where(Jurisdiction.code.in_(investigation.host_codes))
                .order_by(Jurisdiction.code)
            )
        )
        await obligations.open_obligation(
            db_session,
            rule_id=COPY_RULE,
            matter=MatterRef(INVESTIGATION_MATTER, investigation.id),
            owing_jurisdiction_code=investigation.jurisdiction_code,
            owing_department_id=investigation.department_id,
            counterparty="、".join(names) + "（评标客场所在地行政监督部门）",
            started_on=today,
            clock=clock,
            actor=actor.name,
        )
    await stretch_window(db_session, investigation.session_id, clock)
    return investigation


async def department_of(db_session: AsyncSession, department_id: uuid.UUID) -> str | None:
    name: str | None = await db_session.scalar(
        select(Department.name).where(Department.id == department_id)
    )
    return name
