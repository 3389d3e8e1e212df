"""Recording, verifying and reading audit events. Functions over a session; they never commit:
the request or job that owns the transaction does, so an event lands exactly when its change does.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Text, func, select, type_coerce
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from xietong.audit.chain import (
    EventFields,
    NotCanonical,
    canonical,
    event_hash,
    plain_details,
    utc_instant,
)
from xietong.audit.enums import ActorKind
from xietong.audit.models import AuditChain, AuditEvent
from xietong.jurisdictions.codes import province_of


@dataclass(frozen=True, slots=True)
class ChainReport:
    """The outcome of recomputing one province's chain."""

    province_code: int
    checked: int
    """Events recomputed (up to and including the first broken one)."""
    ok: bool
    first_broken_id: int | None
    """The first event that does not verify (for a bad chain head: the event the head should
    name, or the first event past it)."""
    problem: str | None


async def record(
    *,
    db_session: AsyncSession,
    jurisdiction_code: int,
    actor_kind: ActorKind,
    actor: str,
    action: str,
    object_type: str,
    object_id: str | None = None,
    details: Mapping[str, Any] | None = None,
    occurred_at: datetime | None = None,
) -> AuditEvent:
    """Append an event to its province's chain, in the caller's transaction.

    ``actor`` is a login, an API key's public prefix or "system"; ``action`` reads
    ``<object>.<verb>`` ("apiKey.create", "grant.create", "tenants.load").

    ``details`` holds only non-secret facts, because audit events are kept forever and shown to
    auditors: an API key's prefix, never its secret; who a case was transferred to, never what a
    complaint says or who filed an anonymous one. It must be a JSON object of text, integers,
    booleans, null, arrays and objects (floats are refused; see ``xietong.audit.chain``).

    The province's chain head stays locked (``SELECT … FOR UPDATE``) until the transaction ends, so
    writers in one province queue behind each other while other provinces never wait: record as
    late in the unit of work as is convenient. Needs READ COMMITTED (PostgreSQL's default); under
    REPEATABLE READ a concurrent writer makes this fail with a serialization error.

    Raises ``NotCanonical`` (a ``ValueError``) for details or an instant that cannot be hashed
    reproducibly, before taking the lock.
    """
    if not actor or not action or not object_type:
        raise ValueError("an audit event needs an actor, an action and an object type")
    province_code = province_of(jurisdiction_code)
    fields = EventFields(
        occurred_at=utc_instant(occurred_at or datetime.now(UTC)),
        province_code=province_code,
        jurisdiction_code=jurisdiction_code,
        actor_kind=ActorKind(actor_kind),
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=object_id,
        details=plain_details(details or {}),
    )
    canonical(fields)  # refuse what cannot be hashed before queuing for the lock

    await db_session.execute(
        pg_insert(AuditChain)
        .values(province_code=province_code)
        .on_conflict_do_nothing(index_elements=[AuditChain.province_code])
    )
    head = (
        await db_session.scalars(
            select(AuditChain)
            .where(AuditChain.province_code == province_code)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).one()

    event = AuditEvent(
        occurred_at=fields.occurred_at,
        province_code=province_code,
        jurisdiction_code=jurisdiction_code,
        actor_kind=ActorKind(actor_kind),
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=object_id,
        details=dict(fields.details),
        prev_hash=head.last_hash,
        hash=event_hash(head.last_hash, fields),
    )
    db_session.add(event)
    await db_session.flush()
    head.last_event_id = event.id
    head.last_hash = event.hash
    await db_session.flush()
    return event


_ROW = (
    AuditEvent.id,
    AuditEvent.occurred_at,
    AuditEvent.province_code,
    AuditEvent.jurisdiction_code,
    type_coerce(AuditEvent.actor_kind, Text),  # the stored text, even if no longer an ActorKind
    AuditEvent.actor,
    AuditEvent.action,
    AuditEvent.object_type,
    AuditEvent.object_id,
    AuditEvent.details,
    AuditEvent.prev_hash,
    AuditEvent.hash,
)


async def verify(*, db_session: AsyncSession, province_code: int) -> ChainReport:
    """Recompute every hash of a province's chain in ``id`` order and compare with the chain head.

    Finds an edited event (its hash no longer matches its fields), a deleted or reordered one (the
    next event's ``prev_hash`` no longer links), and a chain head that does not name the last
    event. Stops at the first problem. Reads in batches, so memory does not grow with the chain.

    Run it as a role that sees the whole province (the table owner, as ``xietong audit verify``
    does): under row-level security a narrower scope sees gaps and reports them as breaks.

    A hash chain proves that events were not changed *after* the fact only as far as its head is
    trusted: someone able to rewrite every later row and the head can forge a consistent chain.
    Publishing head hashes elsewhere (a report, another system) closes that gap.
    """

    def broken(checked: int, event_id: int | None, problem: str) -> ChainReport:
        return ChainReport(province_code, checked, False, event_id, problem)

    checked = 0
    last_id: int | None = None
    last_hash: str | None = None
    rows = await db_session.stream(
        select(*_ROW)
        .where(AuditEvent.province_code == province_code)
        .order_by(AuditEvent.id)
        .execution_options(yield_per=1000)
    )
    async for row in rows:
        (event_id, occurred_at, province, jurisdiction, kind, actor, action) = row[:7]
        (object_type, object_id, details, prev_hash, stored_hash) = row[7:]
        checked += 1
        if prev_hash != last_hash:
            await rows.close()
            after = "the start of the chain" if last_id is None else f"event {last_id}"
            return broken(
                checked,
                event_id,
                f"event {event_id} does not follow {after}: an event was deleted or reordered",
            )
        fields = EventFields(
            occurred_at=occurred_at,
            province_code=province,
            jurisdiction_code=jurisdiction,
            actor_kind=kind,
            actor=actor,
            action=action,
            object_type=object_type,
            object_id=object_id,
            details=details,
        )
        try:
            recomputed = event_hash(prev_hash, fields)
        except NotCanonical as exc:
            await rows.close()
            return broken(checked, event_id, f"event {event_id} cannot be hashed: {exc}")
        if recomputed != stored_hash:
            await rows.close()
            return broken(checked, event_id, f"event {event_id} was changed after it was recorded")
        last_id, last_hash = event_id, stored_hash

    # Read the head after the events: it only moves forward, so it names the last event read or,
    # if someone recorded meanwhile, a later one that must exist by now.
    head = (
        await db_session.execute(
            select(AuditChain.last_event_id, AuditChain.last_hash).where(
                AuditChain.province_code == province_code
            )
        )
    ).one_or_none()
    head_id, head_hash = (None, None) if head is None else (head.last_event_id, head.last_hash)
    if head_id == last_id:
        if head_hash != last_hash:
            return broken(checked, last_id, f"the chain head's hash is not event {last_id}'s")
        return ChainReport(province_code, checked, True, None, None)
    if head_id is None:
        return broken(checked, last_id, f"the chain head does not name event {last_id}, the last")
    if last_id is None or head_id > last_id:
        current = await db_session.scalar(
            select(AuditEvent.hash).where(
                AuditEvent.id == head_id, AuditEvent.province_code == province_code
            )
        )
        if current is None:
            return broken(
                checked, head_id, f"the chain head names event {head_id}, which is missing"
            )
        if current != head_hash:
            return broken(checked, head_id, f"the chain head's hash is not event {head_id}'s")
        return ChainReport(province_code, checked, True, None, None)  # recorded meanwhile
    beyond = await db_session.scalar(
        select(func.min(AuditEvent.id)).where(
            AuditEvent.province_code == province_code, AuditEvent.id > head_id
        )
    )
    return broken(checked, beyond, f"event {beyond} lies beyond the chain head (event {head_id})")


async def provinces(*, db_session: AsyncSession) -> list[int]:
    """Every province with a chain head or an event, ascending: what ``verify`` should cover."""
    codes = await db_session.scalars(
        select(AuditChain.province_code)
        .union(select(AuditEvent.province_code).distinct())
        .order_by("province_code")
    )
    return list(codes)


async def timeline(
    *, db_session: AsyncSession, object_type: str, object_id: str
) -> list[AuditEvent]:
    """Every event about one object, oldest first: the history a case page shows.

    Not scoped by jurisdiction: the caller checks the reader may see the object.
    """
    events = await db_session.scalars(
        select(AuditEvent)
        .where(AuditEvent.object_type == object_type, AuditEvent.object_id == object_id)
        .order_by(AuditEvent.id)
    )
    return list(events)
