"""PostgreSQL's own wall around obligations, pauses, notifications and calendar data: arbitrary
SQL as the application role, with and without a signed scope."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from tests.conftest import Database
from tests.support import signed_scope
from xietong.db.engine import make_engine

XUANEN, ENSHI, ANYANG = 422825, 422800, 410522


@pytest.fixture
async def app(fresh_db: Database) -> AsyncIterator[AsyncEngine]:
    owner = make_engine(fresh_db.owner_url, pool_size=1)
    async with owner.begin() as conn:
        for code in (XUANEN, ENSHI, ANYANG):
            department = await conn.scalar(
                text(
                    "SELECT id FROM department WHERE jurisdiction_code = :c "
                    "AND kind = 'supervision_office'"
                ),
                {"c": code},
            )
            obligation = await conn.scalar(
                text(
                    "INSERT INTO obligation (id, rule_id, matter_type, matter_id, "
                    "jurisdiction_code, province_code, owing_department_id, started_on, "
                    "counted_from, unit, amount, due_on, provisional, calendar_version, "
                    "calendar_jurisdiction, created_by) VALUES (gen_random_uuid(), "
                    "'R7.report_to_office', 'complaint', gen_random_uuid(), :c, :p, :d, "
                    "'2026-09-30', '2026-09-30', 'working_days', 3, '2026-10-10', false, "
                    "'cal1-x', :c, 'seed') RETURNING id"
                ),
                {"c": code, "p": code - code % 10000, "d": department},
            )
            await conn.execute(
                text(
                    "INSERT INTO obligation_pause (id, obligation_id, jurisdiction_code, "
                    "province_code, reason, started_on, started_document, ended_on, "
                    "ended_document, created_by, ended_by) VALUES (gen_random_uuid(), :o, :c, "
                    ":p, 'testing', '2026-10-01', '委托书', '2026-10-02', '报告', 'seed', 'seed')"
                ),
                {"o": obligation, "c": code, "p": code - code % 10000},
            )
            await conn.execute(
                text(
                    "INSERT INTO notification (id, jurisdiction_code, province_code, "
                    "recipient_department_id, kind, obligation_id, rule_id, "
                    "source_jurisdiction_code, due_on, idempotency_key, created_by, created_at) "
                    "VALUES (gen_random_uuid(), :c, :p, :d, 'overdue', :o, 'R7.report_to_office',"
                    " :c, '2026-10-10', :k, 'system:seed', now())"
                ),
                {
                    "c": code,
                    "p": code - code % 10000,
                    "d": department,
                    "o": obligation,
                    "k": f"seed:{obligation}",
                },
            )
    await owner.dispose()
    engine = make_engine(fresh_db.app_url, pool_size=1)
    yield engine
    await engine.dispose()


TABLES = ("obligation", "obligation_pause", "notification")


async def codes_in(conn: AsyncConnection, table: str) -> set[int]:
    return set((await conn.scalars(text(f"SELECT jurisdiction_code FROM {table}"))).all())


async def department_of(conn: AsyncConnection, code: int) -> uuid.UUID:
    found = await conn.scalar(
        text(
            "SELECT id FROM department WHERE jurisdiction_code = :c AND kind = 'supervision_office'"
        ),
        {"c": code},
    )
    assert isinstance(found, uuid.UUID)
    return found


async def attempt(conn: AsyncConnection, sql: str, **scope: object) -> None:
    """``sql`` in a transaction of its own under a signed scope."""
    async with conn.begin():
        await signed_scope(conn, **scope)
        await conn.execute(text(sql))


async def test_reads(app: AsyncEngine) -> None:
    async with app.connect() as conn:
        async with conn.begin():
            for table in TABLES:
                assert await codes_in(conn, table) == set(), table  # no scope: nothing
        async with conn.begin():
            await signed_scope(conn, read=(ENSHI, ENSHI + 99), write=ENSHI)
            # Clocks and pauses are read up the chain; an inbox only in its own unit.
            assert await codes_in(conn, "obligation") == {ENSHI, XUANEN}
            assert await codes_in(conn, "obligation_pause") == {ENSHI, XUANEN}
            assert await codes_in(conn, "notification") == {ENSHI}
        async with conn.begin():
            await signed_scope(conn, read=(XUANEN, XUANEN), write=XUANEN)
            for table in TABLES:
                assert await codes_in(conn, table) == {XUANEN}, table


async def test_writes_stay_in_the_write_unit_and_the_allowed_columns(app: AsyncEngine) -> None:
    async with app.connect() as conn:
        async with conn.begin():
            await signed_scope(conn, read=(ENSHI, ENSHI + 99), write=ENSHI, actor="enshi.office")
            moved = await conn.execute(
                text("UPDATE obligation SET status = 'met', met_on = '2026-10-09'")
            )
            assert moved.rowcount == 1  # its own clock, not the county's it can read
            ended = await conn.execute(
                text("UPDATE obligation_pause SET ended_on = '2026-10-03', ended_by = 'x'")
            )
            assert ended.rowcount == 0  # pauses end once
        for sql in (
            "UPDATE obligation SET rule_id = 'TB.decision'",  # who owes what never changes
            "UPDATE obligation SET jurisdiction_code = 422825",
            "DELETE FROM obligation",
            "DELETE FROM notification",
            "UPDATE notification SET kind = 'warning'",
            "INSERT INTO calendar_override VALUES (422800, '2026-10-09', 420000, 'closed', 'x')",
            "INSERT INTO local_promise VALUES (422800, 'R7.report_to_office', 420000, 1, "
            "'working_days', 'x')",
            "UPDATE calendar_year SET notice = 'x'",
            "UPDATE deadline_config SET token = gen_random_uuid()",
        ):
            with pytest.raises(DBAPIError, match="permission denied"):
                await attempt(conn, sql, read=(ENSHI, ENSHI + 99), write=ENSHI)
        for sql in (
            # A clock for the county, a notification credited to someone else.
            "INSERT INTO obligation (id, rule_id, matter_type, matter_id, jurisdiction_code, "
            "province_code, started_on, counted_from, unit, amount, due_on, provisional, "
            "calendar_version, calendar_jurisdiction, created_by) VALUES (gen_random_uuid(), "
            "'R7.report_to_office', 'complaint', gen_random_uuid(), 422825, 420000, "
            "'2026-09-30', '2026-09-30', 'working_days', 3, '2026-10-10', false, 'x', 422825, "
            "'enshi.office')",
            "INSERT INTO notification (id, jurisdiction_code, province_code, kind, obligation_id, "
            "rule_id, source_jurisdiction_code, due_on, idempotency_key, created_by, created_at) "
            "SELECT gen_random_uuid(), 422800, 420000, 'overdue', id, rule_id, 422800, "
            "'2026-10-10', 'forged', 'system:deadlines.sweep', now() FROM obligation LIMIT 1",
        ):
            with pytest.raises(DBAPIError, match="row-level security"):
                await attempt(
                    conn, sql, read=(ENSHI, ENSHI + 99), write=ENSHI, actor="enshi.office"
                )


async def test_only_the_recipient_department_marks_a_notification_read(app: AsyncEngine) -> None:
    async with app.connect() as conn:
        async with conn.begin():
            office = await department_of(conn, XUANEN)
            housing = await conn.scalar(
                text("SELECT id FROM department WHERE key = 'xuanen-housing'")
            )
        mark = text("UPDATE notification SET read_at = now(), read_by = :who")
        async with conn.begin():
            await signed_scope(
                conn,
                read=(XUANEN, XUANEN),
                write=XUANEN,
                department=housing,
                actor="xuanen.housing",
            )
            assert (await conn.execute(mark, {"who": "xuanen.housing"})).rowcount == 0
        async with conn.begin():  # read-only roles have no write unit
            await signed_scope(conn, read=(XUANEN, XUANEN), department=office, actor="x")
            assert (await conn.execute(mark, {"who": "x"})).rowcount == 0
        own = {"read": (XUANEN, XUANEN), "write": XUANEN, "department": office}
        with pytest.raises(DBAPIError, match="row-level security"):  # in someone else's name
            await attempt(
                conn,
                "UPDATE notification SET read_at = now(), read_by = 'xuanen.office2'",
                actor="xuanen.office",
                **own,
            )
        async with conn.begin():
            await signed_scope(
                conn, read=(XUANEN, XUANEN), write=XUANEN, department=office, actor="xuanen.office"
            )
            assert (await conn.execute(mark, {"who": "xuanen.office"})).rowcount == 1
        with pytest.raises(DBAPIError):  # and never unread again
            await attempt(
                conn,
                "UPDATE notification SET read_at = NULL, read_by = NULL",
                actor="xuanen.office",
                **own,
            )
