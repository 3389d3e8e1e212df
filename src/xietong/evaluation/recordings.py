"""Audio/video record references per site (音视频资料, R-12): each site records where its
recording of the session is kept (a storage URI or an archive number), the span it covers and
the file's SHA-256, so the home can check what it receives. The references are part of the
site's records handover (``service.hand_over`` lists them in its audit). They belong to the
recording site (a host writes through its live grant); the home side reads every site's. Nothing
here commits.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime

from sqlalchemy import ColumnElement, and_, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from xietong.access.scope import Scope
from xietong.deadlines.clock import Clock
from xietong.evaluation import service
from xietong.evaluation.enums import SessionState
from xietong.evaluation.errors import EvaluationErrorCode as Code
from xietong.evaluation.models import EvaluationRecording, EvaluationSession, EvaluationSite
from xietong.jurisdictions import codes

RECORDING_MATTER = "evaluation_recording"
_SHA256 = re.compile(r"[0-9a-f]{64}")


def recordings_visible(scope: Scope) -> ColumnElement[bool]:
    """Row-level security's rule (migration 0016), the same as for conduct and attendance."""
    if not scope.app_wall:
        return true()
    row = EvaluationRecording
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


async def recordings_of(
    db_session: AsyncSession,
    scope: Scope,
    *,
    session_id: uuid.UUID | None = None,
    site_id: uuid.UUID | None = None,
) -> list[EvaluationRecording]:
    query = select(EvaluationRecording).where(recordings_visible(scope))
    if session_id is not None:
        query = query.where(EvaluationRecording.session_id == session_id)
    if site_id is not None:
        query = query.where(EvaluationRecording.site_id == site_id)
    rows = await db_session.scalars(
        query.order_by(EvaluationRecording.started_at, EvaluationRecording.id)
    )
    return list(rows)


async def record(
    db_session: AsyncSession,
    *,
    actor: service.Actor,
    site: EvaluationSite,
    reference: str,
    started_at: datetime,
    ended_at: datetime,
    sha256: str,
    clock: Clock,
) -> EvaluationRecording:
    """Record a reference to one of the caller's site's recordings, once the session has
    started and before the site has handed over its records."""
    if actor.jurisdiction_code != site.jurisdiction_code:
        raise service._err(
            Code.NOT_YOUR_SITE, "只能登记本场地的音视频资料（a site records its own）", "siteId"
        )
    if site.handed_over_on is not None:
        raise service._err(Code.ILLEGAL_STATE, "资料已移交（already handed over）", "siteId")
    session = await db_session.scalar(
        select(EvaluationSession).where(EvaluationSession.id == site.session_id)
    )
    if session is None:
        raise service._err(Code.NOT_FOUND, "没有该评标场次（no such session）", "siteId")
    service._state(
        session,
        (SessionState.STARTED, SessionState.PAUSED, SessionState.FINISHED, SessionState.ABORTED),
        "登记音视频资料",
    )
    digest = sha256.strip().lower()
    if not _SHA256.fullmatch(digest):
        raise service._err(Code.INVALID, "SHA-256 应为 64 位十六进制（64 hex digits）", "sha256")
    now = clock.now()
    if (
        started_at.tzinfo is None
        or ended_at.tzinfo is None
        or ended_at <= started_at
        or ended_at > now
        or (session.started_at is not None and ended_at <= session.started_at)
    ):
        raise service._err(
            Code.INVALID,
            "录制起止时间应先后有序、覆盖评标期间且不晚于当前（a span of the session, past）",
            "endedAt",
        )
    row = EvaluationRecording(
        id=uuid.uuid4(),
        session_id=session.id,
        site_id=site.id,
        jurisdiction_code=site.jurisdiction_code,
        province_code=codes.province_of(site.jurisdiction_code),
        session_jurisdiction_code=session.jurisdiction_code,
        reference=reference.strip(),
        started_at=started_at,
        ended_at=ended_at,
        sha256=digest,
        recorded_by=actor.name,
        created_at=now,
    )
    db_session.add(row)
    await db_session.flush()
    await service._audit(
        db_session,
        jurisdiction_code=site.jurisdiction_code,
        actor=actor.name,
        action="evaluation.recordingRecord",
        object_type=RECORDING_MATTER,
        object_id=row.id,
        details={"session_id": str(session.id), "reference": row.reference, "sha256": digest},
        now=now,
    )
    return row
