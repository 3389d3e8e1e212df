"""Audit events against a real PostgreSQL: chained per province, tampering found, no forks."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.conftest import Database
from tests.support import TEST_SERVER_SECRET
from xietong.audit import service as audit
from xietong.audit.chain import NotCanonical
from xietong.audit.enums import ActorKind
from xietong.audit.models import AuditEvent
from xietong.audit.service import ChainReport
from xietong.audit.signing import VerificationKeys
from xietong.db.engine import NoKeyring, make_engine, make_sessionmaker, transaction
from xietong.keys import Keyring

KEYRING = Keyring.of(TEST_SERVER_SECRET)
KEYS = VerificationKeys.of([KEYRING])
HUBEI, YUNNAN = 420000, 530000
XUANEN, WUHUA = 422825, 530102  # 宣恩县 (湖北), 五华区 (云南)


async def record(engine: AsyncEngine, jurisdiction_code: int, **overrides: Any) -> AuditEvent:
    values: dict[str, Any] = {
        "actor_kind": ActorKind.PERSON,
        "actor": "xuanen.office",
        "action": "grant.create",
        "object_type": "grant",
        "object_id": "g-1",
        "details": {"grantee": 530102, "actions": ["read"]},
    }
    values.update(overrides)
    async with transaction(make_sessionmaker(engine, keyring=KEYRING)) as session:
        return await audit.record(db_session=session, jurisdiction_code=jurisdiction_code, **values)


async def verify(engine: AsyncEngine, province_code: int) -> ChainReport:
    async with transaction(make_sessionmaker(engine)) as session:
        return await audit.verify(db_session=session, province_code=province_code, keys=KEYS)


async def execute(engine: AsyncEngine, sql: str, **params: Any) -> None:
    async with engine.begin() as conn:
        await conn.execute(text(sql), params)


async def seven_events(engine: AsyncEngine) -> list[AuditEvent]:
    """Five in 湖北 and two in 云南, interleaved."""
    events = []
    for i in range(7):
        code = WUHUA if i in (1, 4) else XUANEN
        events.append(await record(engine, code, object_id=f"g-{i}", details={"n": i}))
    return events


async def test_events_chain_per_province_and_verify(owner_engine: AsyncEngine) -> None:
    assert await verify(owner_engine, HUBEI) == ChainReport(HUBEI, 0, True, None, None)
    events = await seven_events(owner_engine)
    hubei = [e for e in events if e.province_code == HUBEI]
    yunnan = [e for e in events if e.province_code == YUNNAN]
    assert [e.prev_hash for e in hubei] == [None, *(e.hash for e in hubei[:-1])]
    assert [e.prev_hash for e in yunnan] == [None, yunnan[0].hash]

    async with transaction(make_sessionmaker(owner_engine)) as session:
        assert await audit.provinces(db_session=session) == [HUBEI, YUNNAN]
    assert await verify(owner_engine, HUBEI) == ChainReport(HUBEI, 5, True, None, None)
    assert await verify(owner_engine, YUNNAN) == ChainReport(YUNNAN, 2, True, None, None)
    async with owner_engine.connect() as conn:
        heads = (await conn.execute(text("SELECT * FROM audit_chain ORDER BY 1"))).all()
    assert [tuple(h) for h in heads] == [
        (HUBEI, hubei[-1].id, hubei[-1].hash, 5),
        (YUNNAN, yunnan[-1].id, yunnan[-1].hash, 2),
    ]


async def test_the_stored_row_rehashes_to_the_recorded_hash(owner_engine: AsyncEngine) -> None:
    """What jsonb and timestamptz return hashes as what went in: unicode, nesting, nulls."""
    await record(
        owner_engine,
        XUANEN,
        actor_kind=ActorKind.API_KEY,
        actor="xt_3f9a",
        object_id=None,
        details={"名称": "宣恩县住建局", "nested": {"z": [1, None, True], "a": {}}, "big": 2**70},
    )
    assert (await verify(owner_engine, HUBEI)).ok


async def test_an_edited_row_is_reported(owner_engine: AsyncEngine) -> None:
    events = await seven_events(owner_engine)
    target = events[3]
    await execute(
        owner_engine,
        "UPDATE audit_event SET details = details || '{\"n\": 99}' WHERE id = :id",
        id=target.id,
    )
    report = await verify(owner_engine, HUBEI)
    assert not report.ok
    assert report.first_broken_id == target.id
    assert report.problem == f"event {target.id} was changed after it was recorded"
    assert report.checked == 3  # the two before it verified
    assert (await verify(owner_engine, YUNNAN)).ok


async def test_a_deleted_middle_row_breaks_the_link(owner_engine: AsyncEngine) -> None:
    events = await seven_events(owner_engine)
    hubei = [e for e in events if e.province_code == HUBEI]
    await execute(owner_engine, "DELETE FROM audit_event WHERE id = :id", id=hubei[2].id)
    report = await verify(owner_engine, HUBEI)
    assert not report.ok
    assert report.first_broken_id == hubei[3].id
    assert report.problem is not None
    assert "deleted or reordered" in report.problem


@pytest.mark.parametrize(
    ("tamper", "problem"),
    [
        ("DELETE FROM audit_event WHERE id = :last", "which is missing"),
        ("UPDATE audit_chain SET last_hash = 'f00d' WHERE province_code = 420000", "head's hash"),
        ("DELETE FROM audit_chain WHERE province_code = 420000", "does not name event"),
        (
            "UPDATE audit_chain SET last_event_id = :before, last_hash = "
            "(SELECT hash FROM audit_event WHERE id = :before) WHERE province_code = 420000",
            "beyond the chain head",
        ),
    ],
    ids=["deleted-last-row", "head-hash", "head-missing", "head-behind"],
)
async def test_a_head_that_does_not_match_the_last_row_is_reported(
    owner_engine: AsyncEngine, tamper: str, problem: str
) -> None:
    events = await seven_events(owner_engine)
    hubei = [e for e in events if e.province_code == HUBEI]
    params = {"last": hubei[-1].id, "before": hubei[-2].id}
    await execute(owner_engine, tamper, **{k: v for k, v in params.items() if f":{k}" in tamper})
    report = await verify(owner_engine, HUBEI)
    assert not report.ok, report
    assert report.problem is not None
    assert problem in report.problem
    assert report.first_broken_id == hubei[-1].id


async def test_the_database_refuses_a_fork(owner_engine: AsyncEngine) -> None:
    first, second = await record(owner_engine, XUANEN), await record(owner_engine, XUANEN)
    for prev in (first.prev_hash, second.prev_hash):  # a second genesis, a second successor
        with pytest.raises(IntegrityError):
            await execute(
                owner_engine,
                "INSERT INTO audit_event (occurred_at, province_code, jurisdiction_code,"
                " actor_kind, actor, action, object_type, prev_hash, hash, key_id, mac)"
                " VALUES (now(), 420000, 422825, 'system', 'system', 'x.y', 'x', :prev, :hash,"
                " 'k', 'm')",
                prev=prev,
                hash="0" * 64,
            )


@pytest.fixture
async def engines(fresh_db: Database) -> AsyncIterator[list[AsyncEngine]]:
    """Two engines, as two processes would have."""
    engines = [make_engine(fresh_db.owner_url, pool_size=2) for _ in range(2)]
    yield engines
    for engine in engines:
        await engine.dispose()


async def test_concurrent_writers_in_one_province_serialize(
    engines: list[AsyncEngine], owner_engine: AsyncEngine
) -> None:
    per_writer = 15

    async def writer(engine: AsyncEngine, name: str) -> None:
        for i in range(per_writer):
            async with transaction(make_sessionmaker(engine, keyring=KEYRING)) as session:
                await audit.record(
                    db_session=session,
                    jurisdiction_code=XUANEN if i % 2 else 421303,
                    actor_kind=ActorKind.SYSTEM,
                    actor=name,
                    action="case.touch",
                    object_type="case",
                    object_id=f"{name}-{i}",
                )
                await asyncio.sleep(0)  # hold the lock across a scheduling point

    await asyncio.gather(*(writer(e, f"w{n}") for n, e in enumerate(engines)))

    report = await verify(owner_engine, HUBEI)
    assert report == ChainReport(HUBEI, 2 * per_writer, True, None, None)
    async with owner_engine.connect() as conn:
        actors = (
            await conn.execute(text("SELECT DISTINCT actor FROM audit_event ORDER BY 1"))
        ).scalars()
        successors = await conn.scalar(
            text("SELECT max(n) FROM (SELECT count(*) AS n FROM audit_event GROUP BY prev_hash) c")
        )
    assert list(actors) == ["w0", "w1"]
    assert successors == 1  # no event is followed by two


async def test_a_province_waits_only_for_its_own_chain(engines: list[AsyncEngine]) -> None:
    """While one 湖北 transaction holds its chain, 云南 records and 湖北 waits."""
    await record(engines[0], XUANEN)  # 湖北 has a chain head already
    sessions = make_sessionmaker(engines[0], keyring=KEYRING)
    others = make_sessionmaker(engines[1], keyring=KEYRING)
    async with transaction(sessions) as holding:
        await audit.record(
            db_session=holding,
            jurisdiction_code=XUANEN,
            actor_kind=ActorKind.SYSTEM,
            actor="system",
            action="tenants.load",
            object_type="tenant",
        )
        async with transaction(others) as session:
            await audit.record(
                db_session=session,
                jurisdiction_code=WUHUA,
                actor_kind=ActorKind.SYSTEM,
                actor="system",
                action="tenants.load",
                object_type="tenant",
            )  # does not block

        async def hubei() -> None:
            async with transaction(others) as session:
                await audit.record(
                    db_session=session,
                    jurisdiction_code=XUANEN,
                    actor_kind=ActorKind.SYSTEM,
                    actor="system",
                    action="tenants.load",
                    object_type="tenant",
                )

        waiting = asyncio.create_task(hubei())
        await asyncio.sleep(0.3)
        assert not waiting.done()
    await asyncio.wait_for(waiting, timeout=10)
    assert (await verify(engines[0], HUBEI)).checked == 3


async def test_timeline_returns_an_objects_events_in_order(owner_engine: AsyncEngine) -> None:
    await record(owner_engine, XUANEN, object_id="g-7", action="grant.create")
    await record(owner_engine, WUHUA, object_id="g-8", action="grant.create")
    await record(owner_engine, WUHUA, object_id="g-7", action="grant.use")
    await record(owner_engine, XUANEN, object_id="g-7", action="grant.revoke")
    async with transaction(make_sessionmaker(owner_engine)) as session:
        events = await audit.timeline(db_session=session, object_type="grant", object_id="g-7")
        none = await audit.timeline(db_session=session, object_type="case", object_id="g-7")
    assert [e.action for e in events] == ["grant.create", "grant.use", "grant.revoke"]
    assert [e.id for e in events] == sorted(e.id for e in events)
    assert events[0].actor_kind is ActorKind.PERSON
    assert events[0].details == {"grantee": 530102, "actions": ["read"]}
    assert none == []


async def test_what_cannot_be_hashed_is_refused_before_anything_is_written(
    owner_engine: AsyncEngine,
) -> None:
    with pytest.raises(NotCanonical, match="float"):
        await record(owner_engine, XUANEN, details={"amount": 12.5})
    async with owner_engine.connect() as conn:
        assert await conn.scalar(text("SELECT count(*) FROM audit_chain")) == 0


async def test_a_session_without_a_keyring_cannot_record(owner_engine: AsyncEngine) -> None:
    """An unsigned event would never verify, so none is written."""
    with pytest.raises(NoKeyring, match="carries no keyring"):
        async with transaction(make_sessionmaker(owner_engine)) as session:
            await audit.record(
                db_session=session,
                jurisdiction_code=XUANEN,
                actor_kind=ActorKind.SYSTEM,
                actor="system",
                action="x.y",
                object_type="x",
            )
    async with owner_engine.connect() as conn:
        assert await conn.scalar(text("SELECT count(*) FROM audit_chain")) == 0
