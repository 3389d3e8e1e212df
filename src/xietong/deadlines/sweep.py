"""The sweep: warn, mark overdue, notify the owner, escalate one level up (R-18).

Run every minute by the worker (``deadlines.jobs``). Each obligation row already carries the days
something happens to it (``warn_on``, ``remind_on``, ``next_alert_on``, computed when the clock
opened, paused, resumed or was recomputed), so a sweep is set-based SQL over the few rows whose day
has come, never a recomputation of every clock.

**Scopes.** The worker connects as the application role, never the owner, and signs a system
scope for each unit of work, exactly as a request does for a person:

- *plan*: read everything (``0``–``999999``), write nothing — which units have work today;
- *unit J*: read J's subtree, write J alone, actor ``system:deadlines.sweep``. In it, J's own
  clocks are marked overdue and J's departments notified; and J's supervision office is told of
  overdue clocks owed by the units directly below J (read through the subtree range, written as
  notifications in J). So every row a transaction writes lies in its one write unit, and
  row-level security checks the sweep like any caller.

**Idempotence.** Notifications have a unique key (``kind:obligation:due date``) and are inserted
with ``ON CONFLICT DO NOTHING``; a batch's notifications, its status changes and the obligations'
next days commit together. A worker killed mid-sweep leaves whole batches done or not done; the
next sweep (any worker, after any Redis) does the rest, and nothing is sent twice. Obligations are
taken with ``FOR UPDATE SKIP LOCKED`` so a sweep never waits on a clerk's transaction.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from xietong.access.scope import Scope, apply
from xietong.access.scope_token import ScopeSigner
from xietong.audit import service as audit
from xietong.audit.enums import ActorKind
from xietong.db.engine import keyring_of, transaction
from xietong.deadlines.clock import Clock
from xietong.jurisdictions import codes

SWEEP_ACTOR = "system:deadlines.sweep"
"""The signed actor of every sweep transaction (and of what it writes)."""

PLAN_SCOPE = Scope.system_plan(SWEEP_ACTOR)
"""Reads every unit's obligations to find work; writes nothing."""

DEFAULT_BATCH = 2000
"""Obligations per transaction: bounds locks, statement time and the work a kill can undo."""

MAX_AUDITED_IDS = 200
"""Ids listed in one batch's audit event (the count is always exact)."""


def unit_scope(code: int) -> Scope:
    """The sweep's scope for one unit: read its subtree, write in it alone."""
    return Scope.system_unit(SWEEP_ACTOR, code)


_UNFINISHED = "status IN ('open', 'overdue') AND NOT paused"
_O_UNFINISHED = "o.status IN ('open', 'overdue') AND NOT o.paused"
# Past the legal due date; an hour clock (``due_at``) the moment after its due instant.
_O_LATE = "(o.due_on < :today OR o.due_at < :now)"

# Units with a running clock whose day has come, and levels above with overdue clocks below
# them: a loose index scan (one probe per unit), not a scan of every clock.
PLAN = text(
    f"""
    WITH RECURSIVE units(code) AS (
        SELECT min(jurisdiction_code) FROM obligation WHERE {_UNFINISHED}
        UNION ALL
        SELECT (SELECT min(o.jurisdiction_code) FROM obligation o
                 WHERE {_O_UNFINISHED} AND o.jurisdiction_code > u.code)
          FROM units u WHERE u.code IS NOT NULL
    ), parents(code) AS (
        SELECT min(escalate_to) FROM obligation WHERE {_UNFINISHED} AND escalate_to IS NOT NULL
        UNION ALL
        SELECT (SELECT min(o.escalate_to) FROM obligation o
                 WHERE {_O_UNFINISHED} AND o.escalate_to > p.code)
          FROM parents p WHERE p.code IS NOT NULL
    )
    SELECT code FROM units u
     WHERE code IS NOT NULL AND EXISTS (
           SELECT 1 FROM obligation o
            WHERE o.jurisdiction_code = u.code AND {_O_UNFINISHED} AND o.next_alert_on <= :today)
    UNION
    SELECT code FROM parents p
     WHERE code IS NOT NULL AND EXISTS (
           SELECT 1 FROM obligation o
            WHERE o.escalate_to = p.code AND {_O_UNFINISHED} AND {_O_LATE})
    ORDER BY code
    """
)

COUNTS = text(
    "SELECT count(*) AS open, "
    "count(*) FILTER (WHERE due_on < :today OR due_at < :now) AS overdue "
    "FROM obligation WHERE status IN ('open', 'overdue')"
)

# One batch of a unit's own clocks whose day has come: the notifications due today (unless
# already sent), the status (overdue the day after the legal due date), and the next day.
OWN_BATCH = text(
    f"""
    WITH due AS (
        SELECT id, status AS was FROM obligation
         WHERE jurisdiction_code = :unit AND {_UNFINISHED} AND next_alert_on <= :today
         ORDER BY next_alert_on, id
         LIMIT :batch
         FOR UPDATE SKIP LOCKED
    ), sent AS (
        INSERT INTO notification (id, jurisdiction_code, province_code, recipient_department_id,
                                  kind, obligation_id, rule_id, source_jurisdiction_code, due_on,
                                  idempotency_key, created_by, created_at)
        SELECT gen_random_uuid(), o.jurisdiction_code, o.province_code, o.owing_department_id,
               k.kind, o.id, o.rule_id, o.jurisdiction_code, k.due,
               k.kind || ':' || o.id || ':' || k.due, :actor, :now
          FROM obligation o
          JOIN due ON due.id = o.id
         CROSS JOIN LATERAL (VALUES
               ('last_day', o.remind_on, COALESCE(o.promised_due_on, o.due_on)),
               ('warning', o.warn_on, COALESCE(o.promised_due_on, o.due_on)),
               ('overdue', CASE WHEN o.due_at IS NULL THEN o.due_on + 1
                                WHEN o.due_at < :now THEN o.due_on END, o.due_on))
               AS k(kind, at, due)
         WHERE k.at <= :today
           AND (k.kind = 'overdue' OR :today <= k.due)
        ON CONFLICT (idempotency_key) DO NOTHING
        RETURNING kind
    ), moved AS (
        UPDATE obligation o
           SET status = CASE WHEN {_O_LATE} THEN 'overdue' ELSE o.status END,
               -- An hour clock not yet due is looked at again on every sweep of its day.
               next_alert_on = CASE WHEN o.due_at >= :now THEN o.due_on ELSE
                               (SELECT min(v.d) FROM (VALUES (o.remind_on), (o.warn_on),
                                                            (o.due_on + 1)) AS v(d)
                                 WHERE v.d > :today) END,
               updated_at = :now
          FROM due
         WHERE o.id = due.id
        RETURNING o.id, due.was, o.status
    )
    SELECT 'row' AS what, id::text AS value, (was <> status)::text AS extra FROM moved
    UNION ALL
    SELECT 'sent', kind, NULL FROM sent
    """
)

# One batch of overdue clocks of the units directly below this one, not yet escalated to it.
ESCALATION_BATCH = text(
    f"""
    WITH office AS (
        SELECT id FROM department
         WHERE jurisdiction_code = :unit AND kind = 'supervision_office' AND active
         ORDER BY key
         LIMIT 1
    ), late AS (
        SELECT o.id, o.due_on, o.rule_id, o.jurisdiction_code FROM obligation o
         WHERE o.escalate_to = :unit AND {_O_UNFINISHED}
           AND {_O_LATE}
           AND NOT EXISTS (
               SELECT 1 FROM notification n
                WHERE n.idempotency_key = 'escalation:' || o.id || ':' || o.due_on)
         ORDER BY o.due_on, o.id
         LIMIT :batch
    )
    INSERT INTO notification (id, jurisdiction_code, province_code, recipient_department_id, kind,
                              obligation_id, rule_id, source_jurisdiction_code, due_on,
                              idempotency_key, created_by, created_at)
    SELECT gen_random_uuid(), :unit, :province, (SELECT id FROM office), 'escalation', late.id,
           late.rule_id, late.jurisdiction_code, late.due_on,
           'escalation:' || late.id || ':' || late.due_on, :actor, :now
      FROM late
    ON CONFLICT (idempotency_key) DO NOTHING
    RETURNING id
    """
)


@dataclass(slots=True)
class SweepReport:
    """What one sweep did."""

    units: int = 0
    transactions: int = 0
    notified: Counter[str] = field(default_factory=Counter)
    marked_overdue: int = 0
    open: int = 0
    overdue: int = 0
    counted: bool = False
    seconds: float = 0.0
    plan_seconds: float = 0.0
    escalation_seconds: float = 0.0

    @property
    def sent(self) -> int:
        return sum(self.notified.values())


@dataclass(frozen=True, slots=True)
class BatchResult:
    rows: int
    sent: Counter[str]
    marked_overdue: list[str]


async def plan(db_session: AsyncSession, today: date, now: datetime) -> list[int]:
    """Units with a clock whose day has come, or with overdue clocks below them."""
    rows = await db_session.scalars(PLAN, {"today": today, "now": now})
    return [int(c) for c in rows.all()]


async def own_batch(
    db_session: AsyncSession, unit: int, *, today: date, now: datetime, batch: int
) -> BatchResult:
    """One batch of ``unit``'s own clocks (the session's scope must write in ``unit``)."""
    rows = (
        await db_session.execute(
            OWN_BATCH,
            {"unit": unit, "today": today, "now": now, "batch": batch, "actor": SWEEP_ACTOR},
        )
    ).all()
    taken = [r.value for r in rows if r.what == "row"]
    overdue = [r.value for r in rows if r.what == "row" and r.extra == "true"]
    sent = Counter(r.value for r in rows if r.what == "sent")
    if overdue:
        await audit.record(
            db_session=db_session,
            jurisdiction_code=unit,
            actor_kind=ActorKind.SYSTEM,
            actor=SWEEP_ACTOR,
            action="obligations.overdue",
            object_type="obligation",
            details={
                "count": len(overdue),
                "ids": sorted(overdue)[:MAX_AUDITED_IDS],
                "on": today.isoformat(),
            },
            occurred_at=now,
        )
    return BatchResult(len(taken), sent, overdue)


async def escalation_batch(
    db_session: AsyncSession, unit: int, *, today: date, now: datetime, batch: int
) -> int:
    """One batch of escalations to ``unit``'s office; the number written."""
    rows = (
        await db_session.execute(
            ESCALATION_BATCH,
            {
                "unit": unit,
                "province": codes.province_of(unit),
                "today": today,
                "now": now,
                "batch": batch,
                "actor": SWEEP_ACTOR,
            },
        )
    ).all()
    return len(rows)


async def run(
    sessions: async_sessionmaker[AsyncSession],
    *,
    clock: Clock,
    batch: int = DEFAULT_BATCH,
    count: bool = True,
) -> SweepReport:
    """One sweep over every unit with work, each batch its own transaction under the unit's
    signed scope. Safe to run twice at once and to kill at any point. ``count``: also count
    open and overdue clocks (for the metrics; a scan of every open clock, so not every minute)."""
    started = time.perf_counter()
    report = SweepReport()
    today, now = clock.today(), clock.now()
    async with transaction(sessions) as session:
        signer = ScopeSigner.from_keyring(keyring_of(session))
        await apply(session, PLAN_SCOPE, signer)
        units = await plan(session, today, now)
        if count:
            counts = (await session.execute(COUNTS, {"today": today, "now": now})).one()
            report.open, report.overdue = int(counts.open), int(counts.overdue)
            report.counted = True
    report.units = len(units)
    report.plan_seconds = time.perf_counter() - started
    for unit in units:
        scope = unit_scope(unit)
        while True:
            async with transaction(sessions) as session:
                await apply(session, scope, signer)
                result = await own_batch(session, unit, today=today, now=now, batch=batch)
            report.transactions += 1
            report.notified.update(result.sent)
            report.marked_overdue += len(result.marked_overdue)
            if result.rows < batch:
                break
        escalating = time.perf_counter()
        while True:
            async with transaction(sessions) as session:
                await apply(session, scope, signer)
                written = await escalation_batch(session, unit, today=today, now=now, batch=batch)
            report.transactions += 1
            report.notified["escalation"] += written
            if written < batch:
                break
        report.escalation_seconds += time.perf_counter() - escalating
    report.seconds = time.perf_counter() - started
    return report
