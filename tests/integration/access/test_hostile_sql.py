"""The second wall against SQL the application did not mean to run.

Everything here runs as the application role, with arbitrary SQL, as an injection or a
compromised dependency would: no scope, a scope it set itself (the old plain settings, or a token
it made up, tampered with, replayed from another connection, or kept past its expiry), a
session-level setting, a temp table named like a real one. PostgreSQL must return no row outside
a scope the application signed, accept no write, and change no policy, key or power list.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from tests.conftest import APP_ROLE, TEST_SIGNER, Database
from tests.support import backend_pid, scope_token, signed_scope
from xietong.access import scope as scopes
from xietong.access.scope_token import TOKEN_TTL, ScopeSigner
from xietong.db.engine import make_engine, make_sessionmaker, transaction
from xietong.jurisdictions import codes

TABLES = ["person", "person_role", "officer_pool_member", "api_key", "access_grant", "audit_event"]
# What an attacker must not change: the policy's inputs, keys, people, the audit trail.
WATCHED = [
    "jurisdiction",
    "department",
    "department_power",
    "policy_version",
    "person",
    "person_role",
    "officer_pool_member",
    "api_key",
    "access_grant",
    "audit_event",
    "audit_chain",
    "alembic_version",
    "xietong_private.scope_key",
]
COUNTY = (422825, 422825)
EVERYWHERE = (110000, 999999)


@pytest.fixture
async def owner(fresh_db: Database) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(fresh_db.owner_url, pool_size=1)
    yield engine
    await engine.dispose()


@pytest.fixture
async def app(fresh_db: Database) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(fresh_db.app_url, pool_size=1)
    yield engine
    await engine.dispose()


async def snapshot(owner: AsyncEngine) -> dict[str, str]:
    """A digest of every watched table, read as the owner (who sees every row)."""
    found = {}
    async with owner.connect() as conn:
        for table in WATCHED:
            found[table] = await conn.scalar(
                text(
                    f"SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) "
                    f"FROM {table} t"
                )
            )
    return found


async def counts(conn: AsyncConnection) -> dict[str, int]:
    return {t: await conn.scalar(text(f"SELECT count(*) FROM {t}")) for t in TABLES}


async def status(conn: AsyncConnection, token: str) -> str:
    found: str = await conn.scalar(text("SELECT xietong_scope_status(:t)"), {"t": token})
    return found


async def test_without_a_signed_scope_nothing_is_visible(
    app: AsyncEngine, owner: AsyncEngine
) -> None:
    before = await snapshot(owner)
    nothing = dict.fromkeys(TABLES, 0)
    forged = ScopeSigner(b"an attacker's guess at the key, 32 bytes or more!")
    async with app.connect() as conn:
        pid = await backend_pid(conn)
        await conn.rollback()
        attempts: dict[str, tuple[str, str]] = {}
        valid = scope_token(pid, read=COUNTY, write=422825, actor="xuanen.office")
        body, _, mac = valid.rpartition(".")
        parts = body.split(":")
        parts[4:6] = [str(EVERYWHERE[0]), str(EVERYWHERE[1])]
        attempts["tampered"] = (":".join(parts) + "." + mac, "bad-signature")
        attempts["made-up key"] = (
            scope_token(pid, read=EVERYWHERE, write=422825, signer=forged),
            "unknown-key",
        )
        # the attacker's own key under the real key's id
        fake_id = scope_token(pid, read=EVERYWHERE, signer=forged).replace(
            forged.key_id, TEST_SIGNER.key_id, 1
        )
        attempts["made-up key, real id"] = (fake_id, "bad-signature")
        attempts["replayed from another connection"] = (
            scope_token(pid + 1, read=EVERYWHERE, write=422825),
            "other-connection",
        )
        attempts["expired"] = (
            scope_token(pid, read=EVERYWHERE, now=time.time() - TOKEN_TTL - 5),
            "expired",
        )
        attempts["empty"] = ("", "missing")
        attempts["garbage"] = ("x" * 5000, "malformed")
        attempts["no mac"] = (body, "malformed")
        for name, (token, expected) in attempts.items():
            async with conn.begin():
                assert await status(conn, token) == expected, name
                for local in ("false", "true"):  # session-level or transaction-local
                    await conn.execute(
                        text(f"SELECT set_config('xietong.scope', :t, {local})"), {"t": token}
                    )
                    assert await counts(conn) == nothing, name
                write = await conn.execute(text("UPDATE officer_pool_member SET available = false"))
                assert write.rowcount == 0, name
        async with conn.begin():
            # the scope of 0003: plain settings the role can set itself
            for setting, value in {
                "xietong.read_lo": "110000",
                "xietong.read_hi": "999999",
                "xietong.write_code": "422825",
                "xietong.jurisdiction": "422825",
            }.items():
                await conn.execute(
                    text("SELECT set_config(:s, :v, false)"), {"s": setting, "v": value}
                )
            await conn.execute(text("SELECT set_config('xietong.scope', '', false)"))
            assert await counts(conn) == nothing
            with pytest.raises(DBAPIError, match="row-level security"):
                async with conn.begin_nested():
                    await conn.execute(
                        text(
                            "INSERT INTO api_key (id, prefix, secret_hash, name, "
                            "jurisdiction_code, province_code, roles, created_by) VALUES "
                            "(gen_random_uuid(), 'evil', 'h', 'x', 422825, 420000, "
                            "ARRAY['integrator'], 'test')"
                        )
                    )
    assert await snapshot(owner) == before


async def test_a_valid_scope_reaches_only_its_subtree(app: AsyncEngine) -> None:
    async with app.connect() as conn, conn.begin():
        await signed_scope(conn, read=COUNTY, write=422825, actor="xuanen.office")
        for table in TABLES:
            column = "object_jurisdiction_code" if table == "access_grant" else "jurisdiction_code"
            outside = await conn.scalar(
                text(f"SELECT count(*) FROM {table} WHERE {column} NOT BETWEEN :lo AND :hi"),
                {"lo": COUNTY[0], "hi": COUNTY[1]},
            )
            assert outside == 0, table
        assert await conn.scalar(text("SELECT count(*) FROM person")) > 0


async def test_a_session_level_scope_does_not_outlive_its_transaction(
    fresh_db: Database,
) -> None:
    """A leaked province-wide token set at session level on a pooled connection: the next
    request on that connection sees its own scope only, and then nothing is left behind."""
    engine = make_engine(fresh_db.app_url, pool_size=1)
    try:
        async with engine.connect() as conn, conn.begin():
            await conn.execute(
                text("SELECT set_config('xietong.scope', :t, false)"),
                {"t": scope_token(await backend_pid(conn), read=(420000, 429999))},
            )
        async with transaction(make_sessionmaker(engine)) as session:  # the same connection
            county = scopes.Scope(actor="xuanen.office", read=codes.subtree(422825))
            await scopes.apply(session, county, TEST_SIGNER)
            seen = set((await session.scalars(text("SELECT jurisdiction_code FROM person"))).all())
        assert seen == {422825}
        async with engine.connect() as conn, conn.begin():
            assert await conn.scalar(text("SELECT current_setting('xietong.scope', true)")) == ""
            assert await conn.scalar(text("SELECT count(*) FROM person")) == 0
    finally:
        await engine.dispose()


async def test_a_temp_table_named_like_a_real_one_changes_nothing(
    fresh_db: Database, pg_admin_url: str, app: AsyncEngine
) -> None:
    async with app.connect() as conn, conn.begin():
        with pytest.raises(DBAPIError, match="permission denied to create temporary tables"):
            await conn.execute(text("CREATE TEMP TABLE access_grant (object_id uuid)"))
    # Even with TEMPORARY (which migrate takes away), the functions cannot be fooled: their
    # search_path puts pg_temp last and every name is schema-qualified.
    admin = make_engine(pg_admin_url.rsplit("/", 1)[0] + f"/{fresh_db.name}", pool_size=1)
    try:
        async with admin.begin() as conn:
            await conn.execute(text(f"GRANT TEMPORARY ON DATABASE {fresh_db.name} TO {APP_ROLE}"))
        async with app.connect() as conn, conn.begin():
            foreign = uuid.uuid4()
            await conn.execute(
                text(
                    f"CREATE TEMP TABLE access_grant AS SELECT '{foreign}'::uuid AS object_id, "
                    "'person'::text AS object_type, ARRAY['read'] AS actions, "
                    "NULL::timestamptz AS revoked_at, now() - interval '1 day' AS starts_at, "
                    "now() + interval '1 day' AS expires_at, 422825 AS grantee_jurisdiction_code,"
                    " NULL::uuid AS grantee_department_id"
                )
            )
            await conn.execute(text("SET LOCAL search_path = pg_temp, public"))
            await signed_scope(conn, read=COUNTY, write=422825, jurisdiction=422825)
            assert await conn.scalar(text("SELECT count(*) FROM access_grant")) == 1  # its own
            granted = await conn.scalar(text("SELECT xietong_granted_ids('person', 'read')"))
            assert granted == []
            outside = await conn.scalar(
                text("SELECT count(*) FROM public.person WHERE jurisdiction_code <> 422825")
            )
            assert outside == 0
    finally:
        async with admin.begin() as conn:
            await conn.execute(
                text(f"REVOKE TEMPORARY ON DATABASE {fresh_db.name} FROM {APP_ROLE}")
            )
        await admin.dispose()


# (statement, what PostgreSQL answers): an error message fragment, or "0 rows".
WRITES = [
    ("UPDATE department_power SET position = position + 1", "permission denied"),
    ("DELETE FROM department_power", "permission denied"),
    (
        "INSERT INTO department_power SELECT id, 'OFFICE-GRANTS', 99 FROM department LIMIT 1",
        "permission denied",
    ),
    ("UPDATE jurisdiction SET name = 'x'", "permission denied"),
    ("UPDATE department SET active = false", "permission denied"),
    ("UPDATE person SET active = false", "permission denied"),
    (
        "INSERT INTO person_role SELECT id, 'supervision_office', 422825, 420000 FROM person "
        "LIMIT 1",
        "permission denied",
    ),
    ("UPDATE policy_version SET version = version + 1", "permission denied"),
    ("SELECT * FROM xietong_private.scope_key", "permission denied for schema"),
    ("SELECT xietong_private.scope_check('x')", "permission denied for schema"),
    ("UPDATE alembic_version SET version_num = 'x'", "permission denied"),
    ("DELETE FROM api_key", "permission denied"),
    ("DELETE FROM access_grant", "permission denied"),
    ("DELETE FROM audit_event", "permission denied"),
    ("DELETE FROM officer_pool_member", "permission denied"),
    ("TRUNCATE person", "permission denied"),
    ("CREATE TABLE public.evil (a int)", "permission denied"),
    (
        "CREATE OR REPLACE FUNCTION public.xietong_read_lo() RETURNS integer "
        "LANGUAGE sql AS 'SELECT 110000'",
        "permission denied",
    ),
    ("ALTER TABLE person DISABLE ROW LEVEL SECURITY", "must be owner"),
    ("DROP POLICY scoped_read ON person", "must be owner"),
    ("SET ROLE xietong_owner", "permission denied"),
    ("UPDATE api_key SET name = 'x'", "permission denied"),
    ("UPDATE officer_pool_member SET certificate = 'x'", "permission denied"),
    (
        "UPDATE officer_pool_member SET available = false WHERE jurisdiction_code <> 422825",
        "0 rows",
    ),
    (  # un-revoke: a revoked key is out of reach for updates
        "UPDATE api_key SET revoked_at = NULL, revoked_by = NULL WHERE revoked_at IS NOT NULL",
        "0 rows",
    ),
    ("UPDATE api_key SET revoked_at = NULL, revoked_by = NULL", "row-level security"),
    (
        "UPDATE api_key SET revoked_at = now(), revoked_by = 'someone.else' "
        "WHERE revoked_at IS NULL",
        "row-level security",
    ),
    (
        "INSERT INTO api_key (id, prefix, secret_hash, name, jurisdiction_code, province_code, "
        "roles, created_by) VALUES (gen_random_uuid(), 'evil1', 'h1', 'x', 422825, 420000, "
        "ARRAY['supervision_office'], 'xuanen.office')",
        "ck_api_key_roles_allowed",
    ),
    (
        "INSERT INTO api_key (id, prefix, secret_hash, name, jurisdiction_code, province_code, "
        "roles, created_by) VALUES (gen_random_uuid(), 'evil2', 'h2', 'x', 422825, 420000, "
        "ARRAY['integrator'], 'someone.else')",
        "row-level security",
    ),
    (
        "INSERT INTO api_key (id, prefix, secret_hash, name, jurisdiction_code, province_code, "
        "roles, created_by) VALUES (gen_random_uuid(), 'evil3', 'h3', 'x', 410000, 410000, "
        "ARRAY['integrator'], 'xuanen.office')",
        "row-level security",
    ),
    (
        "INSERT INTO access_grant (id, object_type, object_id, object_jurisdiction_code, "
        "province_code, grantee_jurisdiction_code, actions, include_related, reason, starts_at, "
        "expires_at, created_by) SELECT gen_random_uuid(), 'person', id, 410000, 410000, 422825,"
        " ARRAY['read'], false, 'x', now(), now() + interval '1 day', 'xuanen.office' "
        "FROM department LIMIT 1",
        "row-level security",
    ),
    (
        "INSERT INTO audit_event (occurred_at, province_code, jurisdiction_code, actor_kind, "
        "actor, action, object_type, hash) VALUES (now(), 420000, 422825, 'person', "
        "'someone.else', 'x', 'x', md5('x'))",
        "row-level security",
    ),
]


async def test_no_write_reaches_what_the_scope_does_not_allow(
    app: AsyncEngine, owner: AsyncEngine
) -> None:
    async with owner.begin() as conn:  # keys in the caller's own unit: one revoked, one live
        await conn.execute(
            text(
                "INSERT INTO api_key (id, prefix, secret_hash, name, jurisdiction_code, "
                "province_code, roles, created_by, revoked_at, revoked_by) VALUES "
                "(gen_random_uuid(), 'revoked', 'hr', 'x', 422825, 420000, ARRAY['integrator'],"
                " 'xuanen.office', now(), 'xuanen.office'), (gen_random_uuid(), 'live', 'hl', "
                "'x', 422825, 420000, ARRAY['integrator'], 'xuanen.office', NULL, NULL)"
            )
        )
    before = await snapshot(owner)
    for statement, expected in WRITES:
        async with app.connect() as conn:
            try:
                async with conn.begin():
                    await signed_scope(conn, read=COUNTY, write=422825, actor="xuanen.office")
                    result = await conn.execute(text(statement))
                    outcome = f"{result.rowcount} rows"
            except DBAPIError as exc:
                outcome = str(exc.orig)
        assert expected in outcome, (statement, outcome)
    assert await snapshot(owner) == before


async def test_sign_in_answers_only_for_a_signed_active_login(
    app: AsyncEngine, owner: AsyncEngine
) -> None:
    async with owner.begin() as conn:
        await conn.execute(text("UPDATE person SET active = false WHERE login = 'xuanen.water'"))
    forged = ScopeSigner(b"an attacker's guess at the key, 32 bytes or more!")

    async def sign_in(conn: AsyncConnection, token: str) -> list[str]:
        rows = await conn.scalars(text("SELECT login FROM xietong_sign_in(:t)"), {"t": token})
        return list(rows)

    async with app.connect() as conn, conn.begin():
        pid = await backend_pid(conn)
        assert await sign_in(conn, scope_token(pid, actor="xuanen.office")) == ["xuanen.office"]
        assert await sign_in(conn, scope_token(pid, actor="xuanen.water")) == []  # deactivated
        assert await sign_in(conn, scope_token(pid, actor="henan.office", signer=forged)) == []
        assert await sign_in(conn, scope_token(pid + 1, actor="henan.office")) == []
        assert await sign_in(conn, "henan.office") == []
        keys = await conn.execute(text("SELECT * FROM xietong_api_key_sign_in(md5('guess'))"))
        assert keys.all() == []
        missing = await conn.scalar(text("SELECT to_regprocedure('xietong_person_by_login(text)')"))
        assert missing is None  # 0003's lookup, which answered for any login, is gone
