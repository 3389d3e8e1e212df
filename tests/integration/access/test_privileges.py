"""Every privilege the application role holds, read from the catalogs, is on the allow-list
(``xietong.db.privileges.APP_ROLE``) — and everything on the list is held.

Effective privileges (``has_*_privilege``), so grants to PUBLIC and through role membership
count too: tables and views, columns, sequences, functions, schemas, the database, large
objects, server parameters; and the role's own attributes and memberships.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection

from tests.conftest import APP_ROLE, Database
from xietong.db.engine import make_engine
from xietong.db.privileges import APP_ROLE as ALLOWED
from xietong.db.privileges import Privilege

SYSTEM = (
    "n.nspname NOT IN ('pg_catalog', 'information_schema') "
    "AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'"
)
QUERIES = {
    "table": f"""
        SELECT c.oid::regclass::text, p
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        CROSS JOIN unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE',
                                'REFERENCES', 'TRIGGER']) p
        WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND {SYSTEM}
          AND has_table_privilege(:role, c.oid, p)""",
    "column": f"""
        SELECT c.oid::regclass::text || '.' || a.attname, p
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
        CROSS JOIN unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'REFERENCES']) p
        WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND {SYSTEM}
          AND has_column_privilege(:role, c.oid, a.attnum, p)
          AND NOT has_table_privilege(:role, c.oid, p)""",
    "sequence": f"""
        SELECT c.oid::regclass::text, p
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        CROSS JOIN unnest(ARRAY['USAGE', 'SELECT', 'UPDATE']) p
        WHERE c.relkind = 'S' AND {SYSTEM} AND has_sequence_privilege(:role, c.oid, p)""",
    "function": f"""
        SELECT p.oid::regprocedure::text, 'EXECUTE' FROM pg_proc p
        JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE {SYSTEM} AND has_function_privilege(:role, p.oid, 'EXECUTE')""",
    "schema": f"""
        SELECT n.nspname, p FROM pg_namespace n CROSS JOIN unnest(ARRAY['USAGE', 'CREATE']) p
        WHERE {SYSTEM} AND has_schema_privilege(:role, n.oid, p)""",
    "database": """
        SELECT '', p FROM unnest(ARRAY['CONNECT', 'CREATE', 'TEMPORARY']) p
        WHERE has_database_privilege(:role, current_database(), p)""",
    "large object": """
        SELECT m.oid::text, 'OWNS' FROM pg_largeobject_metadata m
        WHERE m.lomowner = CAST(:role AS regrole)
        UNION ALL
        SELECT m.oid::text, a.privilege_type FROM pg_largeobject_metadata m,
               aclexplode(m.lomacl) a WHERE a.grantee IN (0, CAST(:role AS regrole))""",
    "parameter": """
        SELECT p.parname, a.privilege_type FROM pg_parameter_acl p, aclexplode(p.paracl) a
        WHERE a.grantee IN (0, CAST(:role AS regrole))""",
}


@pytest.fixture
async def admin(pg_admin_url: str, seeded_db: Database) -> AsyncIterator[AsyncConnection]:
    url = make_url(pg_admin_url).set(database=seeded_db.name)
    engine = make_engine(url.render_as_string(hide_password=False), pool_size=1)
    async with engine.connect() as conn:
        yield conn
    await engine.dispose()


async def held(conn: AsyncConnection, role: str) -> set[Privilege]:
    found = set()
    for kind, query in QUERIES.items():
        for name, privilege in (await conn.execute(text(query), {"role": role})).all():
            found.add(Privilege(kind, name, privilege))
    return found


async def test_the_app_role_holds_exactly_its_allow_list(admin: AsyncConnection) -> None:
    found = await held(admin, APP_ROLE)
    allowed = set(ALLOWED.entries())
    assert sorted(found - allowed) == [], "privileges the allow-list does not name"
    assert sorted(allowed - found) == [], "allow-list entries that are not granted"
    print("\n".join(f"{p.kind:9} {p.privilege:8} {p.name}" for p in sorted(found)))


async def test_the_app_role_is_nobody_special(admin: AsyncConnection) -> None:
    role = (
        await admin.execute(
            text(
                "SELECT rolsuper, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls, "
                "rolinherit FROM pg_roles WHERE rolname = :r"
            ),
            {"r": APP_ROLE},
        )
    ).one()
    assert tuple(role[:5]) == (False, False, False, False, False)
    member_of = (
        await admin.scalars(
            text(
                "SELECT roleid::regrole::text FROM pg_auth_members "
                "WHERE member = CAST(:r AS regrole)"
            ),
            {"r": APP_ROLE},
        )
    ).all()
    assert member_of == []
    owns = await admin.scalar(
        text(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            f"WHERE c.relowner = CAST(:r AS regrole) AND {SYSTEM}"
        ),
        {"r": APP_ROLE},
    )
    assert owns == 0


async def test_a_grant_outside_the_list_is_noticed(admin: AsyncConnection) -> None:
    """The listing is not blind: a stray grant shows up (rolled back at once)."""
    async with admin.begin() as tx:
        await admin.execute(text(f"GRANT UPDATE (name) ON department TO {APP_ROLE}"))
        await admin.execute(text("GRANT EXECUTE ON FUNCTION xietong_policy_changed() TO PUBLIC"))
        extra = await held(admin, APP_ROLE) - set(ALLOWED.entries())
        await tx.rollback()
    assert extra == {
        Privilege("column", "department.name", "UPDATE"),
        Privilege("function", "xietong_policy_changed()", "EXECUTE"),
    }
