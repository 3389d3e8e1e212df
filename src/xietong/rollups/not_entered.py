"""The dated 应进未进 snapshot (R-16, XINXIANG 18 通报), and what the rollups count of it.

The list itself is a rule no trigger can keep (fuzzy name matching, a grace period, the
province's catalogue): ``trading.disclosure.not_entered_list`` computes it when asked. Once a
day the worker (``rollups.not_entered``) — or an operator, ``xietong rollup not-entered`` —
**takes** it for every unit with a supervision office: the unit's **own** approved projects
(those of its subtree's units are in their own snapshots, so a subtree's sum counts each once),
checked against the trading projects its office sees, written as rows of
``not_entered_snapshot`` dated ``taken_on`` (China date). The ``projects_not_entered`` metric
counts those rows like any base table.

Like the deadline sweep and ``reports_due``, it signs a system scope per unit (read its subtree,
write it alone) and acts as that unit's office, so row-level security checks every row it
writes. The rows are insert-only (the application deletes nothing): a unit's snapshot of a date
is written whole in one transaction, under a transaction lock of (unit, date), or not at all —
a date already taken is skipped, so a run killed half-way, repeated or run twice at once leaves
one snapshot per unit and date, the first. A unit with nothing overdue writes no row; taking it
again recomputes it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import exists, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from xietong.access.principal import Department, Principal, PrincipalKind
from xietong.access.scope import Scope, apply
from xietong.access.scope_token import ScopeSigner
from xietong.audit import service as audit
from xietong.audit.enums import ActorKind
from xietong.db.engine import keyring_of, transaction
from xietong.deadlines.clock import Clock
from xietong.jurisdictions import codes
from xietong.jurisdictions.codes import CodeRange
from xietong.jurisdictions.enums import DepartmentKind
from xietong.trading.disclosure import not_entered_list
from xietong.trading.models import NotEnteredSnapshot

ACTOR = "system:rollups.not_entered"
PLAN_SCOPE = Scope.system_plan(ACTOR)

# Units whose office keeps a 应进未进 list: active, with an active supervision office.
UNITS = text(
    """
    SELECT DISTINCT ON (j.code) j.code, d.id, d.key, d.name
      FROM jurisdiction j
      JOIN department d ON d.jurisdiction_code = j.code
                       AND d.kind = 'supervision_office' AND d.active
     WHERE j.retired_on IS NULL AND j.code BETWEEN :lo AND :hi
     ORDER BY j.code, d.key
    """
)


def unit_scope(code: int, office: uuid.UUID) -> Scope:
    return Scope.system_unit(ACTOR, code, office)


def office_principal(code: int, office: uuid.UUID, key: str, name: str) -> Principal:
    """The unit's office, as whom the list is computed (it reads the unit's classified
    projects, as the office does when it asks)."""
    return Principal(
        kind=PrincipalKind.PERSON,
        actor=ACTOR,
        name=name,
        jurisdiction_code=code,
        department=Department(office, key, name, DepartmentKind.SUPERVISION_OFFICE, None),
    )


@dataclass(frozen=True, slots=True)
class Taken:
    units: int
    """Units whose snapshot of the date this run wrote (with at least one line)."""
    lines: int
    skipped: int
    """Units whose snapshot of the date was already taken."""


async def take_unit(
    session: AsyncSession, *, code: int, principal: Principal, scope: Scope, on: date
) -> int | None:
    """Write ``code``'s snapshot of ``on``; None when that date is already taken."""
    # One writer per (unit, date); the lock ends with the transaction.
    await session.execute(
        select(func.pg_advisory_xact_lock(func.hashtextextended(f"not_entered:{code}:{on}", 0)))
    )
    taken = await session.scalar(
        select(
            exists().where(
                NotEnteredSnapshot.jurisdiction_code == code, NotEnteredSnapshot.taken_on == on
            )
        )
    )
    if taken:
        return None
    found = await not_entered_list(
        db_session=session,
        scope=scope,
        principal=principal,
        span=CodeRange(code, code),
        today=on,
    )
    session.add_all(
        NotEnteredSnapshot(
            jurisdiction_code=code,
            province_code=codes.province_of(code),
            taken_on=on,
            approval_number=line.approved.approval_number,
            name=line.approved.name,
            amount_fen=line.approved.amount_fen,
            category=line.approved.category,
            industry=line.approved.industry,
            approved_on=line.approved.approved_on,
            rule_code=line.rule.code,
            rule_name=line.rule.name,
            rule_basis=line.rule.basis,
            due_on=line.due_on,
            days_overdue=line.days_overdue,
            recorded_by=ACTOR,
        )
        for line in found
    )
    await session.flush()
    return len(found)


async def take(
    sessions: async_sessionmaker[AsyncSession],
    *,
    clock: Clock,
    on: date | None = None,
    under: int | None = None,
) -> Taken:
    """Every unit's (of ``under``'s subtree, or everywhere) snapshot of ``on`` (default today,
    China date); one transaction and, when it lists anything, one audit event per unit."""
    day = on or clock.today()
    span = codes.subtree(under) if under is not None else CodeRange(0, 999999)
    async with transaction(sessions) as session:
        signer = ScopeSigner.from_keyring(keyring_of(session))
        await apply(session, PLAN_SCOPE, signer)
        units = (await session.execute(UNITS, {"lo": span.lo, "hi": span.hi})).all()
    written = lines = skipped = 0
    for code, office, key, name in units:
        scope = unit_scope(code, office)
        async with transaction(sessions) as session:
            await apply(session, scope, signer)
            count = await take_unit(
                session,
                code=code,
                principal=office_principal(code, office, key, name),
                scope=scope,
                on=day,
            )
            if count is None:
                skipped += 1
            elif count:
                written += 1
                lines += count
                await audit.record(
                    db_session=session,
                    jurisdiction_code=code,
                    actor_kind=ActorKind.SYSTEM,
                    actor=ACTOR,
                    action="not_entered.snapshot",
                    object_type="not_entered_snapshot",
                    object_id=f"{code}:{day.isoformat()}",
                    details={"taken_on": day.isoformat(), "lines": count},
                    occurred_at=clock.now(),
                )
    return Taken(written, lines, skipped)
