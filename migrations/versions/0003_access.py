"""access: API keys, grants, power lists, officer availability; row-level security

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 00:18:19.909356
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Row-level security: the database's own wall. Each transaction of the application sets its scope
# with set_config(..., true) (xietong.access.scope.apply); a missing setting reads as NULL, and
# NULL bounds match no row, so an unscoped transaction sees nothing. The role that runs this
# migration (the table owner) keeps full access through the `maintenance` policies: it loads
# tenants and runs maintenance; the application connects as a role that owns nothing.
SETTINGS = {
    "xietong_read_lo": ("integer", "xietong.read_lo"),
    "xietong_read_hi": ("integer", "xietong.read_hi"),
    "xietong_write_code": ("integer", "xietong.write_code"),
    "xietong_jurisdiction": ("integer", "xietong.jurisdiction"),
    "xietong_department": ("uuid", "xietong.department"),
}
IN_SCOPE = "{col} BETWEEN xietong_read_lo() AND xietong_read_hi()"
# table -> (read predicate, write predicate or None when the application never writes it)
POLICIES = {
    "person": (
        IN_SCOPE.format(col="jurisdiction_code")
        + " OR id = ANY (xietong_granted_ids('person', 'read'))",
        None,
    ),
    "person_role": (
        IN_SCOPE.format(col="jurisdiction_code")
        + " OR person_id = ANY (xietong_granted_ids('person', 'read'))",
        None,
    ),
    "officer_pool_member": (
        IN_SCOPE.format(col="jurisdiction_code")
        + " OR person_id = ANY (xietong_granted_ids('officer_pool', 'read'))",
        "jurisdiction_code = xietong_write_code()",
    ),
    "api_key": (
        IN_SCOPE.format(col="jurisdiction_code"),
        IN_SCOPE.format(col="jurisdiction_code") + " AND xietong_write_code() IS NOT NULL",
    ),
    "access_grant": (
        IN_SCOPE.format(col="object_jurisdiction_code")
        + " OR "
        + IN_SCOPE.format(col="grantee_jurisdiction_code"),
        "object_jurisdiction_code = xietong_write_code()",
    ),
    "audit_event": (
        IN_SCOPE.format(col="jurisdiction_code"),
        IN_SCOPE.format(col="jurisdiction_code") + " OR jurisdiction_code = xietong_write_code()",
    ),
}
# Tables the application only appends to.
INSERT_ONLY = {"audit_event"}

RLS_UP: list[str] = [
    *(
        f"""CREATE FUNCTION {name}() RETURNS {type_} LANGUAGE sql STABLE PARALLEL SAFE
            AS $$ SELECT NULLIF(current_setting('{setting}', true), '')::{type_} $$"""
        for name, (type_, setting) in SETTINGS.items()
    ),
    # Ids of objects of one type granted to the caller's jurisdiction (or department) for one
    # action, live now. Used by the policies below and by the application's own filter, so the
    # two walls share one definition of a grant.
    """CREATE FUNCTION xietong_granted_ids(p_type text, p_action text) RETURNS uuid[]
       LANGUAGE sql STABLE PARALLEL SAFE AS $$
         SELECT coalesce(array_agg(g.object_id), '{}')
         FROM access_grant g
         WHERE g.object_type = p_type AND p_action = ANY (g.actions)
           AND g.revoked_at IS NULL AND g.starts_at <= now() AND g.expires_at > now()
           AND g.grantee_jurisdiction_code = xietong_jurisdiction()
           AND (g.grantee_department_id IS NULL OR g.grantee_department_id = xietong_department())
       $$""",
    # Authentication happens before a scope exists: these definer functions return exactly one
    # person or key, and nothing else, to the application role.
    """CREATE FUNCTION xietong_person_by_login(p_login text)
       RETURNS TABLE (id uuid, login text, name text, active boolean, jurisdiction_code integer,
                      department_id uuid, department_key text, department_name text,
                      department_kind text, department_industry text, roles text[])
       LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
         SELECT p.id, p.login, p.name, p.active, p.jurisdiction_code,
                d.id, d.key, d.name, d.kind, d.industry,
                coalesce((SELECT array_agg(r.role || '@' || r.jurisdiction_code ORDER BY r.role)
                          FROM person_role r WHERE r.person_id = p.id), '{}')
         FROM person p JOIN department d ON d.id = p.department_id
         WHERE p.login = p_login
       $$""",
    """CREATE FUNCTION xietong_api_key_by_hash(p_hash text)
       RETURNS TABLE (id uuid, prefix text, name text, jurisdiction_code integer, roles text[],
                      expires_at timestamptz, revoked_at timestamptz)
       LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
         SELECT k.id, k.prefix, k.name, k.jurisdiction_code, k.roles::text[], k.expires_at,
                k.revoked_at
         FROM api_key k WHERE k.secret_hash = p_hash
       $$""",
    # Last-used time, written at most once a minute per key so reads stay reads.
    """CREATE FUNCTION xietong_api_key_used(p_id uuid) RETURNS void
       LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
         UPDATE api_key SET last_used_at = now()
         WHERE id = p_id AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')
       $$""",
    *(
        f"REVOKE ALL ON FUNCTION {f} FROM PUBLIC"
        for f in (
            "xietong_person_by_login(text)",
            "xietong_api_key_by_hash(text)",
            "xietong_api_key_used(uuid)",
        )
    ),
]
for _table, (_read, _write) in POLICIES.items():
    RLS_UP += [
        f"ALTER TABLE {_table} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {_table} FORCE ROW LEVEL SECURITY",
        f"CREATE POLICY maintenance ON {_table} TO CURRENT_USER USING (true) WITH CHECK (true)",
        f"CREATE POLICY scoped_read ON {_table} FOR SELECT USING ({_read})",
    ]
    if _write is not None:
        RLS_UP.append(f"CREATE POLICY scoped_insert ON {_table} FOR INSERT WITH CHECK ({_write})")
        if _table not in INSERT_ONLY:
            RLS_UP.append(
                f"CREATE POLICY scoped_update ON {_table} FOR UPDATE "
                f"USING ({_write}) WITH CHECK ({_write})"
            )

RLS_DOWN: list[str] = [
    *(
        stmt
        for _table in POLICIES
        for stmt in (
            f"DROP POLICY IF EXISTS maintenance ON {_table}",
            f"DROP POLICY IF EXISTS scoped_read ON {_table}",
            f"DROP POLICY IF EXISTS scoped_insert ON {_table}",
            f"DROP POLICY IF EXISTS scoped_update ON {_table}",
            f"ALTER TABLE {_table} NO FORCE ROW LEVEL SECURITY",
            f"ALTER TABLE {_table} DISABLE ROW LEVEL SECURITY",
        )
    ),
    "DROP FUNCTION xietong_api_key_used(uuid)",
    "DROP FUNCTION xietong_api_key_by_hash(text)",
    "DROP FUNCTION xietong_person_by_login(text)",
    "DROP FUNCTION xietong_granted_ids(text, text)",
    *(f"DROP FUNCTION {name}()" for name in SETTINGS),
]


def upgrade() -> None:
    op.create_table(
        "api_key",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("jurisdiction_code", sa.Integer(), nullable=False),
        sa.Column("province_code", sa.Integer(), nullable=False),
        sa.Column("roles", sa.ARRAY(sa.String(length=32)), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by", sa.String(length=64), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["jurisdiction_code"],
            ["jurisdiction.code"],
            name=op.f("fk_api_key_jurisdiction_code_jurisdiction"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_key")),
        sa.UniqueConstraint("prefix", name=op.f("uq_api_key_prefix")),
        sa.UniqueConstraint("secret_hash", name=op.f("uq_api_key_secret_hash")),
    )
    op.create_index(
        op.f("ix_api_key_jurisdiction_code"), "api_key", ["jurisdiction_code"], unique=False
    )
    op.create_table(
        "access_grant",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column(
            "object_type",
            sa.Enum(
                "person",
                "officer_pool",
                "api_key",
                "grant",
                "audit_event",
                "access",
                "project",
                "complaint",
                "lead",
                "case",
                "inspection",
                "credit_record",
                "rollup",
                "report",
                "disclosure",
                "consultation",
                name="object_type",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("object_id", sa.UUID(), nullable=False),
        sa.Column("object_jurisdiction_code", sa.Integer(), nullable=False),
        sa.Column("province_code", sa.Integer(), nullable=False),
        sa.Column("grantee_jurisdiction_code", sa.Integer(), nullable=False),
        sa.Column("grantee_department_id", sa.UUID(), nullable=True),
        sa.Column("actions", sa.ARRAY(sa.String(length=32)), nullable=False),
        sa.Column("include_related", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by", sa.String(length=64), nullable=True),
        sa.CheckConstraint("expires_at > starts_at", name=op.f("ck_access_grant_period")),
        sa.ForeignKeyConstraint(
            ["grantee_department_id"],
            ["department.id"],
            name=op.f("fk_access_grant_grantee_department_id_department"),
        ),
        sa.ForeignKeyConstraint(
            ["grantee_jurisdiction_code"],
            ["jurisdiction.code"],
            name=op.f("fk_access_grant_grantee_jurisdiction_code_jurisdiction"),
        ),
        sa.ForeignKeyConstraint(
            ["object_jurisdiction_code"],
            ["jurisdiction.code"],
            name=op.f("fk_access_grant_object_jurisdiction_code_jurisdiction"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_grant")),
    )
    op.create_index(
        op.f("ix_access_grant_grantee_jurisdiction_code"),
        "access_grant",
        ["grantee_jurisdiction_code"],
        unique=False,
    )
    op.create_index(
        "ix_access_grant_object", "access_grant", ["object_type", "object_id"], unique=False
    )
    op.create_table(
        "department_power",
        sa.Column("department_id", sa.UUID(), nullable=False),
        sa.Column("power_code", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["department.id"],
            name=op.f("fk_department_power_department_id_department"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("department_id", "power_code", name=op.f("pk_department_power")),
    )
    op.add_column(
        "officer_pool_member",
        sa.Column("available", sa.Boolean(), server_default=sa.text("true"), nullable=False),
    )
    op.add_column("officer_pool_member", sa.Column("unavailable_reason", sa.Text(), nullable=True))
    for statement in RLS_UP:
        op.execute(statement)


def downgrade() -> None:
    for statement in RLS_DOWN:
        op.execute(statement)
    op.drop_column("officer_pool_member", "unavailable_reason")
    op.drop_column("officer_pool_member", "available")
    op.drop_table("department_power")
    op.drop_index("ix_access_grant_object", table_name="access_grant")
    op.drop_index(op.f("ix_access_grant_grantee_jurisdiction_code"), table_name="access_grant")
    op.drop_table("access_grant")
    op.drop_index(op.f("ix_api_key_jurisdiction_code"), table_name="api_key")
    op.drop_table("api_key")
