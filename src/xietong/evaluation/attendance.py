"""Attendance per seat (签到、签退、缺席, R-12): a site's staff record an expert's arrival,
departure or absence at their own seats — the home at its own, a host through its live grant on
the session (like conduct records, ``conduct.py``). A record names the seat, never the expert:
the home side reads every record of its session by seat (a host expert stays sealed); a host
reads its own during its window only. Nothing here commits.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ColumnElement, and_, or_, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from xietong.access.scope import Scope
from xietong.deadlines.clock import Clock
from xietong.evaluation import service
from xietong.evaluation.enums import AttendanceKind, SessionState
from xietong.evaluation.errors import EvaluationErrorCode as Code
from xietong.evaluation.models import EvaluationAttendance, EvaluationSeat, EvaluationSession
from xietong.jurisdictions import codes

ATTENDANCE_MATTER = "evaluation_attendance"
UNIQUE_VIOLATION = "23505"
# Departures are still recorded once the session has ended (the experts leave after it).
_OPEN = (SessionState.STARTED, SessionState.PAUSED)
_ENDED = (SessionState.FINISHED, SessionState.ABORTED)


def attendance_visible(scope: Scope) -> ColumnElement[bool]:
    """Row-level security's rule (migration 0016): the recording site's own (the home's always,
    a host's during its window), and every record of the home side's sessions."""
    if not scope.app_wall:
        return true()
    row = EvaluationAttendance
    return or_(
        and_(
            service._in(scope, row.jurisdiction_code),
            or_(
                row.jurisdiction_code == row.session_jurisdiction_code,
                service._granted_session(row.session_id),
            ),
        ),
        service._in(scope, row.session_jurisdiction_code),
    )


async def attendance_of(
    db_session: AsyncSession, scope: Scope, session_id: uuid.UUID
) -> list[EvaluationAttendance]:
    rows = await db_session.scalars(
        select(EvaluationAttendance)
        .where(EvaluationAttendance.session_id == session_id, attendance_visible(scope))
        .order_by(EvaluationAttendance.occurred_at, EvaluationAttendance.id)
    )
    return list(rows)


async def record(
    db_session: AsyncSession,
    *,
    actor: service.Actor,
    seat: EvaluationSeat,
    kind: AttendanceKind,
    occurred_at: datetime | None,
    clock: Clock,
) -> EvaluationAttendance:
    """Record an arrival, departure or absence at one of the caller's own seats."""
    if actor.jurisdiction_code != seat.site_jurisdiction_code:
        raise service._err(
            Code.NOT_YOUR_SITE,
            "只能记录本场地席位的考勤（a site records its own seats）",
            "seatId",
        )
    session = await db_session.scalar(
        select(EvaluationSession).where(EvaluationSession.id == seat.session_id)
    )
    if session is None:
        raise service._err(Code.NOT_FOUND, "没有该评标场次（no such session）", "seatId")
    allowed = _OPEN + _ENDED if kind is AttendanceKind.DEPARTED else _OPEN
    service._state(session, allowed, "记录考勤")
    now = clock.now()
    when = occurred_at or now
    if when.tzinfo is None or when > now or (session.started_at and when < session.started_at):
        raise service._err(
            Code.INVALID,
            "考勤时间应在评标开始之后、当前时间之前（after the start, not in the future）",
            "occurredAt",
        )
    earlier = list(
        await db_session.scalars(
            select(EvaluationAttendance.kind).where(EvaluationAttendance.seat_id == seat.id)
        )
    )
    # One arrival, one departure after it, or an absence instead of both.
    if kind in earlier or (
        (kind is AttendanceKind.ABSENT and AttendanceKind.ARRIVED in earlier)
        or (kind is AttendanceKind.ARRIVED and AttendanceKind.ABSENT in earlier)
        or (kind is AttendanceKind.DEPARTED and AttendanceKind.ARRIVED not in earlier)
    ):
        raise service._err(
            Code.ILLEGAL_STATE,
            "考勤记录与该席位已有记录不符（arrive once, depart after arriving, or be absent）",
            "kind",
        )
    row = EvaluationAttendance(
        id=uuid.uuid4(),
        session_id=session.id,
        seat_id=seat.id,
        jurisdiction_code=seat.site_jurisdiction_code,
        province_code=codes.province_of(seat.site_jurisdiction_code),
        session_jurisdiction_code=session.jurisdiction_code,
        seat_label=seat.label,
        kind=kind,
        occurred_at=when,
        recorded_by=actor.name,
        created_at=now,
    )
    try:
        # In a savepoint: a concurrent record of the same kind at the seat (the unique key) is
        # refused like a sequential one, not a server error.
        async with db_session.begin_nested():
            db_session.add(row)
            await db_session.flush()
    except IntegrityError as exc:
        if getattr(exc.orig, "sqlstate", None) != UNIQUE_VIOLATION:
            raise
        raise service._err(
            Code.ILLEGAL_STATE, "该席位已有同类考勤记录（already recorded）", "kind"
        ) from None
    await service._audit(
        db_session,
        jurisdiction_code=seat.site_jurisdiction_code,
        actor=actor.name,
        action="evaluation.attendanceRecord",
        object_type=ATTENDANCE_MATTER,
        object_id=row.id,
        details={
            "session_id": str(session.id),
            "seat": seat.label,
            "kind": kind.value,
            "occurred_at": when.isoformat(),
        },
        now=now,
    )
    return row
