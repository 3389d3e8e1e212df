"""The audit trail's scheduled job: signed checkpoints of every chain head.

On when ``XIETONG_AUDIT_CHECKPOINT_TARGET`` is set, every
``XIETONG_AUDIT_CHECKPOINT_INTERVAL_MINUTES`` (``xietong.config.AuditSettings``); it does what
``xietong audit checkpoint --out TARGET`` does, as the application role.
"""

from __future__ import annotations

import structlog

from xietong.access.scope import Scope, apply
from xietong.access.scope_token import ScopeSigner
from xietong.audit import checkpoints
from xietong.config import Settings
from xietong.db.engine import keyring_of, transaction
from xietong.jobs.queue import JobContext, Schedule, every, registry
from xietong.jurisdictions.codes import CodeRange

log = structlog.get_logger("xietong.audit")

CHECKPOINT_JOB = "audit.checkpoint"

CHECKPOINT_SCOPE = Scope(actor="system:audit.checkpoint", read=CodeRange(0, 999999))
"""Reads every province's head (``xietong_audit_heads()`` lists those the read range covers),
writes nothing."""


def checkpoint_schedule(settings: Settings) -> Schedule | None:
    target = settings.audit.checkpoint_target
    if not target:
        return None
    checkpoints.sink_for(target)  # an unusable target stops the worker at start, not at 3 a.m.
    return every(settings.audit.checkpoint_interval_minutes, CHECKPOINT_JOB)


@registry.cron_from_settings(CHECKPOINT_JOB, checkpoint_schedule, timeout_s=300)
async def checkpoint(ctx: JobContext) -> int:
    """Append one signed checkpoint per province to the target; the number written."""
    target = ctx.settings.audit.checkpoint_target
    if not target:
        log.warning("audit checkpoint skipped: XIETONG_AUDIT_CHECKPOINT_TARGET is not set")
        return 0
    if ctx.sessions is None:
        raise RuntimeError("the audit checkpoint job needs XIETONG_DATABASE_URL")
    sink = checkpoints.sink_for(target)
    async with transaction(ctx.sessions) as session:
        await apply(session, CHECKPOINT_SCOPE, ScopeSigner.from_keyring(keyring_of(session)))
        taken = await checkpoints.take(db_session=session)
    await sink.write([c.to_line() for c in taken])
    log.info("audit checkpoint written", provinces=len(taken), target=sink.describe())
    return len(taken)
