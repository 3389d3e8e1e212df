"""Attacks on the audit trail by someone with database access, each one detected or refused.

The table owner (a restored backup, a stolen migration password) can write anything, so what it
does must be *detected*: rewriting history and recomputing every hash (the MAC), truncating the
tail (a checkpoint), replacing or deleting the head. The application role (an injection, a bad
query) must be *refused* what it has no business doing (touching the heads, changing events) and
*detected* in what it can still do (appending a forged event in its own scope).
"""

from __future__ import annotations

import asyncio
import json
import secrets
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError, IntegrityError, ProgrammingError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from tests.conftest import TEST_SIGNER, Database
from tests.support import TEST_SERVER_SECRET
from xietong.access import scope as scopes
from xietong.audit import checkpoints as cps
from xietong.audit import service as audit
from xietong.audit.chain import Checkpoint, EventFields, event_hash, event_mac, key_id
from xietong.audit.enums import ActorKind
from xietong.audit.models import AuditEvent
from xietong.audit.service import ChainReport
from xietong.audit.signing import VerificationKeys
from xietong.db.engine import make_engine, make_sessionmaker, transaction
from xietong.jurisdictions import codes
from xietong.jurisdictions.codes import CodeRange
from xietong.keys import Keyring, Purpose

KEYRING = Keyring.of(TEST_SERVER_SECRET)
KEYS = VerificationKeys.of([KEYRING])
HUBEI, YUNNAN = 420000, 530000
XUANEN, ZENGDU, WUHUA = 422825, 421303, 530102


def unit_scope(code: int, actor: str = "xuanen.office") -> scopes.Scope:
    """What an office's request sets: read its subtree, write its own unit, as the actor its
    events name (row-level security refuses an event naming anyone else)."""
    return scopes.Scope(
        actor=actor, read=codes.subtree(code), write_code=code, jurisdiction_code=code
    )


NATIONAL = scopes.Scope(actor="test", read=CodeRange(0, 999999))


async def record(
    engine: AsyncEngine,
    jurisdiction_code: int,
    *,
    keyring: Keyring = KEYRING,
    scope: scopes.Scope | None = None,
    **overrides: Any,
) -> AuditEvent:
    values: dict[str, Any] = {
        "actor_kind": ActorKind.PERSON,
        "actor": "xuanen.office",
        "action": "grant.create",
        "object_type": "grant",
        "object_id": "g-1",
        "details": {"grantee": 530102},
    }
    values.update(overrides)
    async with transaction(make_sessionmaker(engine, keyring=keyring)) as session:
        if scope is not None:
            await scopes.apply(session, scope, TEST_SIGNER)
        return await audit.record(db_session=session, jurisdiction_code=jurisdiction_code, **values)


async def some_events(engine: AsyncEngine, n: int, code: int = XUANEN) -> list[AuditEvent]:
    return [await record(engine, code, object_id=f"g-{i}", details={"n": i}) for i in range(n)]


async def verify(
    engine: AsyncEngine,
    province_code: int = HUBEI,
    checkpoints: Sequence[Checkpoint] = (),
    keys: VerificationKeys = KEYS,
) -> ChainReport:
    async with transaction(make_sessionmaker(engine)) as session:
        return await audit.verify(
            db_session=session, province_code=province_code, keys=keys, checkpoints=checkpoints
        )


async def take_checkpoints(engine: AsyncEngine) -> list[Checkpoint]:
    async with transaction(make_sessionmaker(engine, keyring=KEYRING)) as session:
        return await cps.take(db_session=session)


async def execute(engine: AsyncEngine, sql: str, **params: Any) -> None:
    async with engine.begin() as conn:
        await conn.execute(text(sql), params)


async def chain_of(engine: AsyncEngine, province_code: int = HUBEI) -> list[AuditEvent]:
    async with transaction(make_sessionmaker(engine)) as session:
        found = await session.scalars(
            select(AuditEvent)
            .where(AuditEvent.province_code == province_code)
            .order_by(AuditEvent.id)
        )
        return list(found)


def fields_of(event: AuditEvent, details: dict[str, Any]) -> EventFields:
    return EventFields(
        occurred_at=event.occurred_at,
        province_code=event.province_code,
        jurisdiction_code=event.jurisdiction_code,
        actor_kind=event.actor_kind,
        actor=event.actor,
        action=event.action,
        object_type=event.object_type,
        object_id=event.object_id,
        details=details,
    )


async def rewrite_history(
    owner_engine: AsyncEngine,
    start: int,
    change: Callable[[dict[str, Any]], dict[str, Any]],
    *,
    mac_key: bytes | None = None,
) -> None:
    """As the owner: change event ``start`` of 湖北's chain and recompute every later hash (and,
    given a key, every MAC), then point the head at the new last hash: a consistent chain."""
    chain = await chain_of(owner_engine)
    prev = chain[start - 1].hash if start else None
    async with owner_engine.begin() as conn:
        for i, event in enumerate(chain[start:]):
            details = change(event.details) if i == 0 else event.details
            new_hash = event_hash(prev, fields_of(event, details))
            await conn.execute(
                text(
                    "UPDATE audit_event SET details = CAST(:details AS jsonb), prev_hash = :prev,"
                    " hash = :hash, key_id = :kid, mac = :mac WHERE id = :id"
                ),
                {
                    "details": json.dumps(details),
                    "prev": prev,
                    "hash": new_hash,
                    "kid": key_id(mac_key) if mac_key else event.key_id,
                    "mac": event_mac(mac_key, new_hash) if mac_key else event.mac,
                    "id": event.id,
                },
            )
            prev = new_hash
        await conn.execute(
            text("UPDATE audit_chain SET last_hash = :h WHERE province_code = :p"),
            {"h": prev, "p": HUBEI},
        )


# --- The owner: whatever it writes, verification finds -------------------------------------


@pytest.mark.parametrize(
    ("mac_key", "problem"),
    [
        (None, "has a MAC that does not match its hash"),
        (secrets.token_bytes(32), "none of the known keys"),
    ],
    ids=["old-macs-kept", "macs-from-the-attackers-own-key"],
)
async def test_rewriting_history_and_recomputing_every_hash_is_caught_by_the_mac(
    owner_engine: AsyncEngine, mac_key: bytes | None, problem: str
) -> None:
    events = await some_events(owner_engine, 6)
    await rewrite_history(owner_engine, 2, lambda d: {**d, "n": 99}, mac_key=mac_key)

    report = await verify(owner_engine)
    assert not report.ok
    assert report.first_broken_id == events[2].id
    assert report.checked == 3  # links and hashes all hold: only the MAC tells
    assert report.problem is not None
    assert problem in report.problem


async def test_a_truncated_tail_is_caught_by_a_checkpoint_taken_before(
    owner_engine: AsyncEngine,
) -> None:
    events = await some_events(owner_engine, 6)
    checkpoints = await take_checkpoints(owner_engine)
    assert [(c.province_code, c.last_event_id, c.event_count) for c in checkpoints] == [
        (HUBEI, events[-1].id, 6)
    ]
    assert await verify(owner_engine, checkpoints=checkpoints) == ChainReport(
        HUBEI, 6, True, None, None, checkpoints=1
    )
    await some_events(owner_engine, 2)

    # The owner drops the newest four events and moves the head back: a valid, shorter chain.
    await execute(owner_engine, "DELETE FROM audit_event WHERE id > :id", id=events[3].id)
    await execute(
        owner_engine,
        "UPDATE audit_chain SET last_event_id = :id, last_hash = :h, event_count = 4"
        " WHERE province_code = 420000",
        id=events[3].id,
        h=events[3].hash,
    )
    assert (await verify(owner_engine)).ok  # without a checkpoint nothing shows
    later = await take_checkpoints(owner_engine)  # taken after the truncation: it agrees

    report = await verify(owner_engine, checkpoints=[*checkpoints, *later])
    assert not report.ok
    assert report.first_broken_id == events[5].id
    assert report.problem is not None
    assert "no longer in the chain" in report.problem
    assert report.checkpoints == 1  # the later one held


async def test_a_rewrite_made_with_the_key_is_caught_by_a_checkpoint_taken_before(
    owner_engine: AsyncEngine,
) -> None:
    """Even the key holder cannot rewrite what a checkpoint already covers."""
    events = await some_events(owner_engine, 5)
    checkpoints = await take_checkpoints(owner_engine)
    await rewrite_history(
        owner_engine, 1, lambda d: {**d, "n": -1}, mac_key=KEYRING.key(Purpose.AUDIT)
    )
    assert (await verify(owner_engine)).ok
    report = await verify(owner_engine, checkpoints=checkpoints)
    assert not report.ok
    assert report.first_broken_id == events[-1].id
    assert report.problem is not None
    assert "with another hash" in report.problem


async def test_a_province_whose_whole_chain_is_gone_is_caught_by_its_checkpoint(
    owner_engine: AsyncEngine,
) -> None:
    events = await some_events(owner_engine, 3)
    checkpoints = await take_checkpoints(owner_engine)
    await execute(owner_engine, "DELETE FROM audit_event")
    await execute(owner_engine, "DELETE FROM audit_chain")
    report = await verify(owner_engine, checkpoints=checkpoints)
    assert not report.ok
    assert report.first_broken_id == events[-1].id


async def test_events_signed_before_a_key_rotation_verify_with_the_retired_key(
    owner_engine: AsyncEngine,
) -> None:
    rotated = Keyring.of(TEST_SERVER_SECRET + "-rotated")
    before = await record(owner_engine, XUANEN)
    after = await record(owner_engine, XUANEN, keyring=rotated)
    assert before.key_id != after.key_id
    assert (await verify(owner_engine, keys=VerificationKeys.of([rotated, KEYRING]))).ok
    report = await verify(owner_engine, keys=VerificationKeys.of([rotated]))
    assert report.first_broken_id == before.id
    assert report.problem is not None
    assert f"names key {before.key_id!r}" in report.problem


async def test_an_unsigned_event_never_verifies(owner_engine: AsyncEngine) -> None:
    """Even correctly linked and hashed (the owner lifted the database's own refusal)."""
    (first,) = await some_events(owner_engine, 1)
    fields = fields_of(first, {"forged": True})
    await execute(owner_engine, "ALTER TABLE audit_event DROP CONSTRAINT ck_audit_event_signed")
    await execute(
        owner_engine,
        "INSERT INTO audit_event (occurred_at, province_code, jurisdiction_code, actor_kind,"
        " actor, action, object_type, object_id, details, prev_hash, hash)"
        " VALUES (:at, 420000, 422825, 'person', 'xuanen.office', 'grant.create', 'grant',"
        " :object_id, '{\"forged\": true}', :prev, :hash)",
        at=first.occurred_at,
        object_id=first.object_id,
        prev=first.hash,
        hash=event_hash(first.hash, fields),
    )
    report = await verify(owner_engine)
    assert not report.ok
    assert report.checked == 2
    assert report.problem is not None
    assert "carries no MAC" in report.problem


async def test_a_deleted_head_stops_recording_with_a_clear_error(
    owner_engine: AsyncEngine,
) -> None:
    await some_events(owner_engine, 2)
    await execute(owner_engine, "DELETE FROM audit_chain WHERE province_code = 420000")
    with pytest.raises(DBAPIError, match="head of province 420000 is missing"):
        await record(owner_engine, XUANEN)
    assert (await verify(owner_engine, YUNNAN)).ok
    await record(owner_engine, WUHUA)  # other provinces carry on


# --- The application role: refused, or detected --------------------------------------------


@pytest.fixture
async def app_engine(fresh_db: Database) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(fresh_db.app_url, pool_size=2)
    yield engine
    await engine.dispose()


async def injected(
    app_engine: AsyncEngine, scope: scopes.Scope | None, sql: str, **params: Any
) -> list[Any]:
    """Run ``sql`` as the application role inside a transaction whose scope the application
    set (an injection in a request), and commit."""
    async with transaction(make_sessionmaker(app_engine)) as session:
        if scope is not None:
            await scopes.apply(session, scope, TEST_SIGNER)
        result = await session.execute(text(sql), params)
        return list(result.all()) if result.returns_rows else []


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM audit_chain",
        "UPDATE audit_chain SET last_hash = 'f00d' WHERE province_code = 420000",
        "DELETE FROM audit_chain WHERE province_code = 420000",
        "INSERT INTO audit_chain (province_code) VALUES (110000)",
        "TRUNCATE audit_chain",
        "UPDATE audit_event SET actor = 'x'",
        "DELETE FROM audit_event",
        "TRUNCATE audit_event",
        "ALTER TABLE audit_event DISABLE TRIGGER advance_chain",
        "DROP TRIGGER advance_chain ON audit_event",
        "CREATE OR REPLACE FUNCTION xietong_audit_advance() RETURNS trigger"
        " LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$",
    ],
)
async def test_the_app_role_cannot_touch_the_heads_or_change_events(
    app_engine: AsyncEngine, owner_engine: AsyncEngine, sql: str
) -> None:
    await some_events(owner_engine, 2)
    with pytest.raises(DBAPIError, match=r"permission denied|must be owner"):
        await injected(app_engine, unit_scope(420000), sql)
    assert (await verify(owner_engine)).ok


async def test_what_the_app_role_holds_on_the_audit_trail(app_engine: AsyncEngine) -> None:
    """The allow-list: INSERT and SELECT (for RETURNING, under row-level security) on events,
    nothing on the heads, and the two functions that serve them."""
    kinds = ["SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER"]
    async with app_engine.connect() as conn:
        held = {
            table: [
                kind
                for kind in kinds
                if await conn.scalar(
                    text("SELECT has_table_privilege(current_user, :t, :k)"),
                    {"t": table, "k": kind},
                )
            ]
            for table in ("audit_event", "audit_chain")
        }
        functions = {
            f: await conn.scalar(
                text("SELECT has_function_privilege(current_user, :f, 'EXECUTE')"), {"f": f}
            )
            for f in ("xietong_audit_head(integer)", "xietong_audit_heads()")
        }
        sequence = await conn.scalar(
            text("SELECT has_sequence_privilege(current_user, 'audit_event_id_seq', 'USAGE')")
        )
    assert held == {"audit_event": ["SELECT", "INSERT"], "audit_chain": []}
    assert functions == {"xietong_audit_head(integer)": True, "xietong_audit_heads()": True}
    assert sequence is True


async def test_the_trigger_needs_no_privilege_of_the_inserter(
    app_engine: AsyncEngine, owner_engine: AsyncEngine
) -> None:
    """So the application role's allow-list can leave ``xietong_audit_advance()`` out."""
    await execute(
        owner_engine,
        "REVOKE EXECUTE ON FUNCTION xietong_audit_advance() FROM PUBLIC, xietong_app",
    )
    for _ in range(2):
        await record(app_engine, XUANEN, scope=unit_scope(XUANEN))
    assert await verify(owner_engine) == ChainReport(HUBEI, 2, True, None, None)


@pytest.mark.parametrize("how", ["mac-guessed-for-the-real-key", "mac-from-its-own-key"])
async def test_a_forged_event_appended_as_the_app_role_never_verifies(
    app_engine: AsyncEngine, owner_engine: AsyncEngine, how: str
) -> None:
    first = await record(app_engine, XUANEN, scope=unit_scope(XUANEN))
    forged_fields = EventFields(
        occurred_at=datetime.now(UTC),
        province_code=HUBEI,
        jurisdiction_code=XUANEN,
        actor_kind="person",
        actor="xuanen.office",  # the scope's actor: naming anyone else is refused (below)
        action="apiKey.create",
        object_type="api_key",
        object_id="forged",
        details={},
    )
    own_key = secrets.token_bytes(32)
    async with transaction(make_sessionmaker(app_engine)) as session:
        await scopes.apply(session, unit_scope(XUANEN), TEST_SIGNER)
        # Everything below is SQL the application did not mean to run.
        prev = (
            await session.execute(text("SELECT head_hash FROM xietong_audit_head(420000)"))
        ).scalar_one()
        visible_key_id = await session.scalar(
            text("SELECT key_id FROM audit_event ORDER BY id DESC LIMIT 1")
        )
        forged_hash = event_hash(prev, forged_fields)
        if how == "mac-from-its-own-key":
            kid, mac = key_id(own_key), event_mac(own_key, forged_hash)
        else:
            kid, mac = visible_key_id, secrets.token_hex(32)
        forged_id = await session.scalar(
            text(
                "INSERT INTO audit_event (occurred_at, province_code, jurisdiction_code,"
                " actor_kind, actor, action, object_type, object_id, details, prev_hash, hash,"
                " key_id, mac) VALUES (:at, 420000, 422825, 'person', 'xuanen.office',"
                " 'apiKey.create', 'api_key', 'forged', '{}', :prev, :hash, :kid, :mac)"
                " RETURNING id"
            ),
            {
                "at": forged_fields.occurred_at,
                "prev": prev,
                "hash": forged_hash,
                "kid": kid,
                "mac": mac,
            },
        )
    assert prev == first.hash
    # The chain goes on (no jam), but verification stops at the forgery.
    after = await record(app_engine, XUANEN, scope=unit_scope(XUANEN))
    assert after.prev_hash == forged_hash
    report = await verify(owner_engine)
    assert not report.ok
    assert report.first_broken_id == forged_id
    assert report.problem is not None
    assert (
        "none of the known keys" if how == "mac-from-its-own-key" else "does not match"
    ) in report.problem


async def test_the_database_refuses_unsigned_or_unlinked_events_from_the_app_role(
    app_engine: AsyncEngine, owner_engine: AsyncEngine
) -> None:
    first = await record(app_engine, XUANEN, scope=unit_scope(XUANEN))
    insert = (
        "INSERT INTO audit_event (occurred_at, province_code, jurisdiction_code, actor_kind,"
        " actor, action, object_type, prev_hash, hash, key_id, mac)"
        " VALUES (now(), 420000, 422825, 'system', :actor, 'x.y', 'x', :prev, :hash, :kid, :mac)"
    )
    cases = [
        # no MAC at all
        {"prev": first.hash, "hash": "1" * 64, "kid": None, "mac": None},
        # not the head's successor: an orphan that would take a real event's place
        {"prev": "f" * 64, "hash": "2" * 64, "kid": "k", "mac": "m"},
        # a second first event
        {"prev": None, "hash": "3" * 64, "kid": "k", "mac": "m"},
    ]
    for params in cases:
        with pytest.raises(IntegrityError):
            await injected(app_engine, unit_scope(XUANEN), insert, actor="xuanen.office", **params)
    # An event naming someone other than the signed scope's actor: row-level security refuses it.
    with pytest.raises(ProgrammingError, match="row-level security"):
        await injected(
            app_engine,
            unit_scope(XUANEN),
            insert,
            actor="hubei.office",
            prev=first.hash,
            hash="4" * 64,
            kid="k",
            mac="m",
        )
    assert await verify(owner_engine) == ChainReport(HUBEI, 1, True, None, None)


async def test_the_app_role_reaches_only_heads_in_its_scope(
    app_engine: AsyncEngine, owner_engine: AsyncEngine
) -> None:
    await record(owner_engine, XUANEN)
    await record(owner_engine, WUHUA)
    head = "SELECT head_event_id FROM xietong_audit_head(:p)"
    heads = "SELECT province_code FROM xietong_audit_heads()"

    for scope, province in [(None, HUBEI), (unit_scope(XUANEN), YUNNAN)]:
        with pytest.raises(DBAPIError, match="outside the caller's scope"):
            await injected(app_engine, scope, head, p=province)
    with pytest.raises(DBAPIError, match="not a province code"):
        await injected(app_engine, unit_scope(XUANEN), head, p=XUANEN)
    assert len(await injected(app_engine, unit_scope(XUANEN), head, p=HUBEI)) == 1

    assert await injected(app_engine, None, heads) == []
    assert await injected(app_engine, unit_scope(XUANEN), heads) == []  # reads one county
    assert await injected(app_engine, unit_scope(HUBEI), heads) == [(HUBEI,)]
    assert await injected(app_engine, NATIONAL, heads) == [(HUBEI,), (YUNNAN,)]


async def test_a_temporary_table_cannot_stand_in_for_the_heads(
    app_engine: AsyncEngine, owner_engine: AsyncEngine
) -> None:
    first = await record(owner_engine, XUANEN)
    create = (
        "CREATE TEMP TABLE audit_chain (province_code integer, last_event_id bigint,"
        " last_hash text, event_count bigint) ON COMMIT DROP"
    )
    # The application role may create no temporary table at all (migrate revokes TEMPORARY)…
    with pytest.raises(ProgrammingError, match="temporary tables"):
        await injected(app_engine, unit_scope(XUANEN), create)
    # …and where an operator could not take TEMPORARY away (a database owned by another role),
    # the definer functions' fixed search_path still ignores a shadowing table.
    async with owner_engine.begin() as conn:
        database = await conn.scalar(text("SELECT current_database()"))
        await conn.execute(text(f'GRANT TEMPORARY ON DATABASE "{database}" TO xietong_app'))
    async with transaction(make_sessionmaker(app_engine)) as session:
        await scopes.apply(session, unit_scope(XUANEN), TEST_SIGNER)
        await session.execute(
            text(
                "CREATE TEMP TABLE audit_chain (province_code integer, last_event_id bigint,"
                " last_hash text, event_count bigint) ON COMMIT DROP"
            )
        )
        await session.execute(text("INSERT INTO audit_chain VALUES (420000, 1, 'fake', 1)"))
        real = (
            await session.execute(text("SELECT head_hash FROM xietong_audit_head(420000)"))
        ).scalar_one()
        listed = (await session.execute(text("SELECT last_hash FROM xietong_audit_heads()"))).all()
    assert real == first.hash
    assert listed == []  # a county's read range covers no province head


# --- Concurrency, as the application role ---------------------------------------------------


@pytest.fixture
async def app_engines(fresh_db: Database) -> AsyncIterator[list[AsyncEngine]]:
    """Two application engines, as two API processes would have."""
    engines = [make_engine(fresh_db.app_url, pool_size=2) for _ in range(2)]
    yield engines
    for engine in engines:
        await engine.dispose()


async def test_app_role_writers_in_one_province_serialize(
    app_engines: list[AsyncEngine], owner_engine: AsyncEngine
) -> None:
    per_writer = 12

    async def writer(engine: AsyncEngine, code: int) -> None:
        for i in range(per_writer):
            async with transaction(make_sessionmaker(engine, keyring=KEYRING)) as session:
                await scopes.apply(session, unit_scope(code, actor=f"w{code}"), TEST_SIGNER)
                await audit.record(
                    db_session=session,
                    jurisdiction_code=code,
                    actor_kind=ActorKind.SYSTEM,
                    actor=f"w{code}",
                    action="case.touch",
                    object_type="case",
                    object_id=f"{code}-{i}",
                )
                await asyncio.sleep(0)  # hold the lock across a scheduling point

    await asyncio.gather(writer(app_engines[0], XUANEN), writer(app_engines[1], ZENGDU))
    assert await verify(owner_engine) == ChainReport(HUBEI, 2 * per_writer, True, None, None)


async def test_an_app_role_writer_waits_only_for_its_own_province(
    app_engines: list[AsyncEngine], owner_engine: AsyncEngine
) -> None:
    await record(owner_engine, XUANEN)
    holding_sessions = make_sessionmaker(app_engines[0], keyring=KEYRING)
    others = make_sessionmaker(app_engines[1], keyring=KEYRING)

    async def record_in(session: AsyncSession, code: int) -> None:
        await scopes.apply(session, unit_scope(code, actor="system"), TEST_SIGNER)
        await audit.record(
            db_session=session,
            jurisdiction_code=code,
            actor_kind=ActorKind.SYSTEM,
            actor="system",
            action="case.touch",
            object_type="case",
        )

    async with transaction(holding_sessions) as holding:
        await record_in(holding, XUANEN)
        async with transaction(others) as session:
            await asyncio.wait_for(record_in(session, WUHUA), timeout=10)  # does not block

        async def hubei() -> None:
            async with transaction(others) as session:
                await record_in(session, ZENGDU)

        waiting = asyncio.create_task(hubei())
        await asyncio.sleep(0.3)
        assert not waiting.done()
    await asyncio.wait_for(waiting, timeout=10)
    assert (await verify(owner_engine)).checked == 3
    assert (await verify(owner_engine, YUNNAN)).ok
