"""Recording, verifying and reading audit events. Functions over a session; they never commit:
the request or job that owns the transaction does, so an event lands exactly when its change does.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Text, func, select, type_coerce
from sqlalchemy.ext.asyncio import AsyncSession

from xietong.audit.chain import (
    Checkpoint,
    EventFields,
    NotCanonical,
    canonical,
    event_hash,
    event_mac,
    mac_matches,
    plain_details,
    utc_instant,
)
from xietong.audit.enums import ActorKind
from xietong.audit.models import AuditChain, AuditEvent
from xietong.audit.signing import SigningKey, VerificationKeys
from xietong.db.engine import keyring_of
from xietong.jurisdictions.codes import province_of
from xietong.keys import Purpose


@dataclass(frozen=True, slots=True)
class ChainReport:
    """The outcome of recomputing one province's chain."""

    province_code: int
    checked: int
    """Events recomputed (up to and including the first broken one)."""
    ok: bool
    first_broken_id: int | None
    """The first event that does not verify (for a bad chain head: the event the head should
    name, or the first event past it; for a checkpoint that does not hold: the event it names)."""
    problem: str | None
    checkpoints: int = 0
    """Checkpoints of this province that held (up to the first problem)."""


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

    The event carries a MAC made with the audit key of the keyring the session was made with
    (``xietong.db.engine.make_sessionmaker(engine, keyring=…)``, as the API and the worker make
    theirs): without one this raises ``NoKeyring`` and writes nothing, because an unsigned event
    would never verify.

    The province's chain head stays locked (``xietong_audit_head``, a ``SECURITY DEFINER``
    function: the application role cannot touch the head itself) until the transaction ends, so
    writers in one province queue behind each other while other provinces never wait: record as
    late in the unit of work as is convenient. Inserting the event moves the head to it (a
    trigger, which refuses an event that does not link to the head). Needs READ COMMITTED
    (PostgreSQL's default); under REPEATABLE READ a concurrent writer makes this fail with a
    serialization error. The caller's scope must lie in the event's province.

    Raises ``NotCanonical`` (a ``ValueError``) for details or an instant that cannot be hashed
    reproducibly, before taking the lock.
    """
    if not actor or not action or not object_type:
        raise ValueError("an audit event needs an actor, an action and an object type")
    signer = SigningKey.of(keyring_of(db_session), Purpose.AUDIT)
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

    head = func.xietong_audit_head(province_code).table_valued("head_event_id", "head_hash")
    prev_hash = (await db_session.execute(select(head.c.head_hash))).scalar_one()
    hash_ = event_hash(prev_hash, fields)
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
        prev_hash=prev_hash,
        hash=hash_,
        key_id=signer.key_id,
        mac=event_mac(signer.key, hash_),
    )
    db_session.add(event)
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
    AuditEvent.key_id,
    AuditEvent.mac,
)


def _when(checkpoint: Checkpoint) -> str:
    return f"the checkpoint taken at {checkpoint.taken_at.isoformat(timespec='seconds')}"


def _mac_problem(
    event_id: int, stored_hash: str, key_id: str | None, mac: str | None, keys: VerificationKeys
) -> str | None:
    if key_id is None or mac is None:
        return (
            f"event {event_id} carries no MAC: it was written outside xietong (or before "
            "migration 0005), so nothing proves who wrote it"
        )
    key = keys.events.get(key_id)
    if key is None:
        return (
            f"event {event_id} names key {key_id!r}, which is none of the known keys (forged, or "
            "signed with a retired secret missing from XIETONG_AUDIT_RETIRED_SECRET_KEYS)"
        )
    if not mac_matches(key, stored_hash, mac):
        return (
            f"event {event_id} has a MAC that does not match its hash: it was forged or "
            "rewritten by someone without the server secret"
        )
    return None


async def verify(
    *,
    db_session: AsyncSession,
    province_code: int,
    keys: VerificationKeys,
    checkpoints: Iterable[Checkpoint] = (),
) -> ChainReport:
    """Check a province's chain in ``id`` order: links, hashes, MACs, the chain head, and that
    every checkpoint given for the province still holds. Stops at the first problem and names it.

    Finds an edited event (its hash no longer matches its fields), a deleted or reordered one (the
    next event's ``prev_hash`` no longer links), an event written or rewritten without the server
    secret (no MAC, an unknown key, a MAC that does not match, which is what rewriting history
    and recomputing every hash leaves), a chain head that does not name the last event, and a
    truncated tail or history rewritten with the key (a checkpoint naming an event that is gone,
    or has another hash or position). Reads in batches, so memory does not grow with the chain.

    ``checkpoints`` must already be known genuine (signature checked, ``xietong.audit.checkpoints
    .read_checkpoints``); those of other provinces are ignored.

    Run it as a role that sees the whole province (the table owner, as ``xietong audit verify``
    does): under row-level security a narrower scope sees gaps and reports them as breaks.

    Events recorded after the newest checkpoint can still be deleted unnoticed; take checkpoints
    often (``docs/audit.md``).
    """
    pending: dict[int, list[Checkpoint]] = defaultdict(list)
    for checkpoint in checkpoints:
        if checkpoint.province_code == province_code:
            pending[checkpoint.last_event_id].append(checkpoint)
    held = 0

    def broken(checked: int, event_id: int | None, problem: str) -> ChainReport:
        return ChainReport(province_code, checked, False, event_id, problem, held)

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
        (object_type, object_id, details, prev_hash, stored_hash, key_id, mac) = row[7:]
        checked += 1
        problem: str | None = None
        if prev_hash != last_hash:
            after = "the start of the chain" if last_id is None else f"event {last_id}"
            problem = f"event {event_id} does not follow {after}: an event was deleted or reordered"
        else:
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
                if event_hash(prev_hash, fields) != stored_hash:
                    problem = f"event {event_id} was changed after it was recorded"
            except NotCanonical as exc:
                problem = f"event {event_id} cannot be hashed: {exc}"
        problem = problem or _mac_problem(event_id, stored_hash, key_id, mac, keys)
        for checkpoint in pending.pop(event_id, []):
            if problem is not None:
                break
            if checkpoint.last_hash != stored_hash:
                problem = (
                    f"{_when(checkpoint)} names event {event_id} with another hash: history up "
                    "to it was rewritten"
                )
            elif checkpoint.event_count != checked:
                problem = (
                    f"{_when(checkpoint)} counts {checkpoint.event_count} events up to event "
                    f"{event_id}; the chain now has {checked}: events were removed or inserted"
                )
            else:
                held += 1
        if problem is not None:
            await rows.close()
            return broken(checked, event_id, problem)
        last_id, last_hash = event_id, stored_hash

    # Read the head after the events: it only moves forward, so it names the last event read or,
    # if someone recorded meanwhile, a later one that must exist by now.
    head = (
        await db_session.execute(
            select(AuditChain.last_event_id, AuditChain.last_hash, AuditChain.event_count).where(
                AuditChain.province_code == province_code
            )
        )
    ).one_or_none()
    head_id: int | None = None if head is None else head.last_event_id
    head_hash: str | None = None if head is None else head.last_hash
    head_count: int = 0 if head is None else head.event_count
    if head_id == last_id:
        if head_hash != last_hash:
            return broken(checked, last_id, f"the chain head's hash is not event {last_id}'s")
        if head is not None and head_count != checked:
            return broken(
                checked,
                last_id,
                f"the chain head counts {head_count} events; the chain has {checked}",
            )
    elif head_id is None:
        return broken(checked, last_id, f"the chain head does not name event {last_id}, the last")
    elif last_id is None or head_id > last_id:
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
        # else: recorded meanwhile
    else:
        beyond = await db_session.scalar(
            select(func.min(AuditEvent.id)).where(
                AuditEvent.province_code == province_code, AuditEvent.id > head_id
            )
        )
        return broken(
            checked, beyond, f"event {beyond} lies beyond the chain head (event {head_id})"
        )

    if pending:  # checkpoints naming events the chain no longer has
        event_id = min(pending)
        return broken(
            checked,
            event_id,
            f"{_when(pending[event_id][0])} names event {event_id}, which is no longer in the "
            "chain: its tail was truncated (or the database restored from an older backup)",
        )
    return ChainReport(province_code, checked, True, None, None, held)


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
