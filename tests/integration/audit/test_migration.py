"""Migration 0005 on a database that already holds audit events (recorded without MACs)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import text

from tests.conftest import Database
from tests.integration.audit.test_tamper import KEYRING, XUANEN, record, verify
from xietong.audit.chain import EventFields, event_hash
from xietong.db import migrate
from xietong.db.engine import make_engine


async def test_events_recorded_before_macs_never_verify_and_the_chain_goes_on(
    empty_db: Database,
) -> None:
    await migrate.upgrade(empty_db.owner_url, "0003", app_role="xietong_app")
    engine = make_engine(empty_db.owner_url, pool_size=1)
    try:
        legacy: list[tuple[int, str]] = []
        prev: str | None = None
        async with engine.begin() as conn:
            units = [
                (420000, "province", None),
                (422800, "city", 420000),
                (XUANEN, "county", 422800),
            ]
            for code, level, parent in units:
                await conn.execute(
                    text(
                        "INSERT INTO jurisdiction (code, name, level, parent_code, province_code)"
                        " VALUES (:c, :name, :l, :p, 420000)"
                    ),
                    {"c": code, "name": str(code), "l": level, "p": parent},
                )
            for n in range(2):  # what record() wrote before 0005: no key id, no MAC
                fields = EventFields(
                    occurred_at=datetime.now(UTC),
                    province_code=420000,
                    jurisdiction_code=XUANEN,
                    actor_kind="system",
                    actor="system",
                    action="legacy.event",
                    object_type="legacy",
                    object_id=str(n),
                    details={},
                )
                hash_ = event_hash(prev, fields)
                event_id = await conn.scalar(
                    text(
                        "INSERT INTO audit_event (occurred_at, province_code, jurisdiction_code,"
                        " actor_kind, actor, action, object_type, object_id, details, prev_hash,"
                        " hash) VALUES (:at, 420000, :j, 'system', 'system', 'legacy.event',"
                        " 'legacy', :oid, '{}', :prev, :hash) RETURNING id"
                    ),
                    {
                        "at": fields.occurred_at,
                        "j": XUANEN,
                        "oid": str(n),
                        "prev": prev,
                        "hash": hash_,
                    },
                )
                legacy.append((event_id, hash_))
                prev = hash_
            await conn.execute(
                text(
                    "INSERT INTO audit_chain (province_code, last_event_id, last_hash)"
                    " VALUES (420000, :id, :h)"
                ),
                {"id": legacy[-1][0], "h": legacy[-1][1]},
            )

        await migrate.upgrade(empty_db.owner_url, app_role="xietong_app")
        async with engine.connect() as conn:
            count = await conn.scalar(text("SELECT event_count FROM audit_chain"))
            validated = await conn.scalar(
                text(
                    "SELECT convalidated FROM pg_constraint WHERE conname = 'ck_audit_event_signed'"
                )
            )
        assert count == 2
        assert validated is False  # the old events keep no MAC; new ones must have one

        new = await record(engine, XUANEN, keyring=KEYRING)
        assert new.prev_hash == legacy[-1][1]
        report = await verify(engine)
        assert not report.ok
        assert report.first_broken_id == legacy[0][0]
        assert report.problem is not None
        assert "carries no MAC" in report.problem
    finally:
        await engine.dispose()
