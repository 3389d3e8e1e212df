"""signed scope: row-level security PostgreSQL verifies; owner-written policy version; key rules

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 09:00:00.000000

0003 read the caller's scope from plain settings, which any SQL running as the application role
could set itself. Here the scope is one signed token (``xietong.access.scope_token``): SECURITY
DEFINER functions check its HMAC with a key kept in ``xietong_private`` (which the application
role cannot read; ``xietong migrate`` installs the key), that it was signed for this connection,
and that it has not expired. Every policy is rewritten through ``xietong.db.rls``.

Also: authentication-time functions that answer only for a signed login (unknown and deactivated
look the same) or a key's secret hash; a policy version written only by the owner (triggers on
jurisdictions, departments and power lists), so a NOTIFY from anyone else reloads nothing; API-key
roles limited to the key roles; the day a key's creator left; a grant's department must belong to
the grantee jurisdiction.
"""

import importlib.util
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

import sqlalchemy as sa
from alembic import op

from xietong.db import rls

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _revision_0003() -> ModuleType:
    """0003's statements, to drop its policies here and restore them exactly on downgrade."""
    path = Path(__file__).with_name("0003_access.py")
    spec = importlib.util.spec_from_file_location("xietong_migration_0003", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SAFE = "SET search_path = pg_catalog, pg_temp"
"""Every function here: no name can be shadowed (pg_temp last; relations schema-qualified)."""
KEY_ROLES = ("integrator", "trading_centre", "leadership")

FUNCTIONS_UP: list[str] = [
    "CREATE SCHEMA xietong_private",
    "REVOKE ALL ON SCHEMA xietong_private FROM PUBLIC",
    """CREATE TABLE xietong_private.scope_key (
         key_id text PRIMARY KEY,
         inner_pad bytea NOT NULL CHECK (octet_length(inner_pad) = 64),
         outer_pad bytea NOT NULL CHECK (octet_length(outer_pad) = 64),
         installed_at timestamptz NOT NULL DEFAULT now(),
         retired_at timestamptz
       )""",
    # The one check: (status, claims). 'ok' only for a token signed with an installed key (a
    # retired one stays valid for an hour, for rolling upgrades), for this backend, unexpired at
    # the transaction's start. Casts run only after the MAC holds, so bad input cannot raise.
    # PL/pgSQL (plans cached per session) and no regular expression: policies call it a few
    # times per statement.
    f"""CREATE FUNCTION xietong_private.scope_check(p_token text, OUT status text,
                                                     OUT claims text[])
       LANGUAGE plpgsql STABLE PARALLEL RESTRICTED {SAFE} AS $$
       DECLARE
         v_body text := pg_catalog.left(p_token, -65);
         v_parts text[];
         v_key record;
       BEGIN
         IF p_token IS NULL OR p_token = '' THEN
           status := 'missing';
           RETURN;
         END IF;
         v_parts := pg_catalog.string_to_array(v_body, ':');
         IF pg_catalog.length(p_token) NOT BETWEEN 80 AND 1000
            OR pg_catalog.substr(p_token, pg_catalog.length(p_token) - 64, 1) <> '.'
            OR pg_catalog.cardinality(v_parts) < 10 OR v_parts[1] <> 'v1' THEN
           status := 'malformed';
           RETURN;
         END IF;
         SELECT k.inner_pad, k.outer_pad, k.retired_at INTO v_key
           FROM xietong_private.scope_key k WHERE k.key_id = v_parts[2];
         IF NOT FOUND THEN
           status := 'unknown-key';
           RETURN;
         END IF;
         IF v_key.retired_at < pg_catalog.now() - interval '1 hour' THEN
           status := 'retired-key';
           RETURN;
         END IF;
         -- HMAC-SHA256 from sha256() (no pgcrypto needed), as lowercase hex. Digests of the two
         -- MACs are compared, not the MACs: equality stops at the first differing byte, and
         -- nobody controls where two digests first differ.
         IF pg_catalog.sha256(pg_catalog.convert_to(pg_catalog.encode(pg_catalog.sha256(
                v_key.outer_pad || pg_catalog.sha256(
                  v_key.inner_pad || pg_catalog.convert_to(v_body, 'UTF8'))), 'hex'), 'UTF8'))
            <> pg_catalog.sha256(pg_catalog.convert_to(pg_catalog.right(p_token, 64), 'UTF8'))
         THEN
           status := 'bad-signature';
           RETURN;
         END IF;
         IF v_parts[3] <> pg_catalog.pg_backend_pid()::text THEN
           status := 'other-connection';
           RETURN;
         END IF;
         IF v_parts[4]::bigint < pg_catalog.date_part('epoch', pg_catalog.now()) THEN
           status := 'expired';
           RETURN;
         END IF;
         status := 'ok';
         claims := v_parts;
       END
       $$""",
    # For the readiness probe: why a token would not verify here ('ok', 'unknown-key',
    # 'expired'…), so a key mismatch is reported as one. Tells nothing about the key.
    f"""CREATE FUNCTION public.xietong_scope_status(p_token text) RETURNS text
       LANGUAGE plpgsql STABLE PARALLEL RESTRICTED SECURITY DEFINER {SAFE} AS $$
       BEGIN
         RETURN (xietong_private.scope_check(p_token)).status;
       END
       $$""",
    # What the policies read, one claim each (NULL when the token does not verify).
    *(
        f"""CREATE FUNCTION public.{name}() RETURNS {type_}
           LANGUAGE plpgsql STABLE PARALLEL RESTRICTED SECURITY DEFINER {SAFE} AS $$
           BEGIN
             RETURN NULLIF((xietong_private.scope_check(
                      pg_catalog.current_setting('xietong.scope', true))).claims[{index}],
                      '')::{type_};
           END
           $$"""
        for name, type_, index in (
            ("xietong_read_lo", "integer", 5),
            ("xietong_read_hi", "integer", 6),
            ("xietong_write_code", "integer", 7),
            ("xietong_jurisdiction", "integer", 8),
            ("xietong_department", "uuid", 9),
        )
    ),
    f"""CREATE FUNCTION public.xietong_actor() RETURNS text
       LANGUAGE plpgsql STABLE PARALLEL RESTRICTED SECURITY DEFINER {SAFE} AS $$
       BEGIN
         RETURN pg_catalog.array_to_string((xietong_private.scope_check(
                  pg_catalog.current_setting('xietong.scope', true))).claims[10:], ':');
       END
       $$""",
    # Ids of objects of one type granted to the signed caller's unit (or department) for one
    # action, live now: the grant arm of both walls.
    f"""CREATE FUNCTION public.xietong_granted_ids(p_type text, p_action text) RETURNS uuid[]
       LANGUAGE plpgsql STABLE PARALLEL RESTRICTED SECURITY DEFINER {SAFE} AS $$
       DECLARE
         v_claims text[] := (xietong_private.scope_check(
                               pg_catalog.current_setting('xietong.scope', true))).claims;
       BEGIN
         IF v_claims IS NULL OR v_claims[8] = '' THEN
           RETURN '{{}}';
         END IF;
         RETURN coalesce((
           SELECT pg_catalog.array_agg(g.object_id)
           FROM public.access_grant g
           WHERE g.grantee_jurisdiction_code = v_claims[8]::integer
             AND g.object_type = p_type AND p_action = ANY (g.actions)
             AND g.revoked_at IS NULL
             AND g.starts_at <= pg_catalog.now() AND g.expires_at > pg_catalog.now()
             AND (g.grantee_department_id IS NULL
                  OR g.grantee_department_id = NULLIF(v_claims[9], '')::uuid)), '{{}}');
       END
       $$""",
    # Sign-in, before any scope exists. The application verified the bearer token and signs
    # the login (a scope token with the login as actor) for this connection; only then does
    # this answer, and only for an active person: unknown and deactivated look the same.
    f"""CREATE FUNCTION public.xietong_sign_in(p_token text)
       RETURNS TABLE (id uuid, login text, name text, jurisdiction_code integer,
                      department_id uuid, department_key text, department_name text,
                      department_kind text, department_industry text, roles text[])
       LANGUAGE plpgsql STABLE PARALLEL RESTRICTED SECURITY DEFINER {SAFE} AS $$
       DECLARE
         v_claims text[] := (xietong_private.scope_check(p_token)).claims;
       BEGIN
         IF v_claims IS NULL THEN
           RETURN;
         END IF;
         RETURN QUERY
           SELECT p.id, p.login::text, p.name, p.jurisdiction_code,
                  d.id, d.key::text, d.name, d.kind::text, d.industry::text,
                  coalesce((SELECT pg_catalog.array_agg(r.role || '@' || r.jurisdiction_code
                                                        ORDER BY r.role)
                            FROM public.person_role r WHERE r.person_id = p.id), '{{}}')
           FROM public.person p JOIN public.department d ON d.id = p.department_id
           WHERE p.login = pg_catalog.array_to_string(v_claims[10:], ':') AND p.active;
       END
       $$""",
    # An API key by the hash of its secret (only its holder can compute that), marking it used
    # at most once a minute.
    f"""CREATE FUNCTION public.xietong_api_key_sign_in(p_hash text)
       RETURNS TABLE (id uuid, prefix text, name text, jurisdiction_code integer,
                      roles text[], expires_at timestamptz, revoked_at timestamptz)
       LANGUAGE plpgsql VOLATILE SECURITY DEFINER {SAFE} AS $$
       BEGIN
         UPDATE public.api_key k SET last_used_at = pg_catalog.now()
         WHERE k.secret_hash = p_hash AND k.revoked_at IS NULL
           AND (k.expires_at IS NULL OR k.expires_at > pg_catalog.now())
           AND (k.last_used_at IS NULL
                OR k.last_used_at < pg_catalog.now() - interval '1 minute');
         RETURN QUERY
           SELECT k.id, k.prefix::text, k.name, k.jurisdiction_code, k.roles::text[],
                  k.expires_at, k.revoked_at
           FROM public.api_key k WHERE k.secret_hash = p_hash;
       END
       $$""",
    # The policy version moves when the owner changes what the policy is built from; processes
    # reload only when it has moved, so a NOTIFY sent by anyone else costs one cheap read.
    f"""CREATE FUNCTION public.xietong_policy_changed() RETURNS trigger
       LANGUAGE plpgsql {SAFE} AS $$
       BEGIN
         IF pg_catalog.current_setting('xietong.policy_changed', true)
            IS DISTINCT FROM 'yes' THEN
           UPDATE public.policy_version SET version = version + 1, changed_at = pg_catalog.now();
           PERFORM pg_catalog.set_config('xietong.policy_changed', 'yes', true);
           PERFORM pg_catalog.pg_notify('xietong_policy', 'changed');
         END IF;
         RETURN NULL;
       END
       $$""",
    *(
        stmt
        for table in ("jurisdiction", "department", "department_power")
        for stmt in (
            f"CREATE TRIGGER policy_changed AFTER INSERT OR UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION public.xietong_policy_changed()",
            f"CREATE TRIGGER policy_truncated AFTER TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION public.xietong_policy_changed()",
        )
    ),
    # A key whose creator is deactivated (left the office) is marked, so the office can find
    # and revoke it; cleared if the person comes back.
    f"""CREATE FUNCTION public.xietong_person_active_changed() RETURNS trigger
       LANGUAGE plpgsql {SAFE} AS $$
       BEGIN
         IF NEW.active THEN
           UPDATE public.api_key SET creator_left_at = NULL
           WHERE created_by = NEW.login AND creator_left_at IS NOT NULL;
         ELSE
           UPDATE public.api_key SET creator_left_at = pg_catalog.now()
           WHERE created_by = NEW.login AND creator_left_at IS NULL;
         END IF;
         RETURN NULL;
       END
       $$""",
    "CREATE TRIGGER api_key_creator_left AFTER UPDATE OF active ON person FOR EACH ROW "
    "WHEN (OLD.active IS DISTINCT FROM NEW.active) "
    "EXECUTE FUNCTION public.xietong_person_active_changed()",
    """UPDATE api_key k SET creator_left_at = now()
       WHERE NOT EXISTS (SELECT 1 FROM person p WHERE p.login = k.created_by AND p.active)""",
]

FUNCTIONS_DOWN: list[str] = [
    "DROP TRIGGER api_key_creator_left ON person",
    "DROP FUNCTION public.xietong_person_active_changed()",
    *(
        f"DROP TRIGGER {trigger} ON {table}"
        for table in ("jurisdiction", "department", "department_power")
        for trigger in ("policy_changed", "policy_truncated")
    ),
    "DROP FUNCTION public.xietong_policy_changed()",
    "DROP FUNCTION public.xietong_api_key_sign_in(text)",
    "DROP FUNCTION public.xietong_sign_in(text)",
    "DROP FUNCTION public.xietong_granted_ids(text, text)",
    "DROP FUNCTION public.xietong_actor()",
    *(
        f"DROP FUNCTION public.{name}()"
        for name in (
            "xietong_read_lo",
            "xietong_read_hi",
            "xietong_write_code",
            "xietong_jurisdiction",
            "xietong_department",
        )
    ),
    "DROP FUNCTION public.xietong_scope_status(text)",
    "DROP SCHEMA xietong_private CASCADE",
]

# Every tenant table's policies. Reads: the caller's subtree, or objects granted to it. Writes:
# casework in the caller's own unit; API keys anywhere in the subtree by a caller that may write;
# records name the signed caller as creator, revoker or actor; revocation only ever revokes.
POLICIES = [
    rls.TenantPolicy(
        "person",
        read=rls.any_of(rls.in_read_scope("jurisdiction_code"), rls.granted("id", "person")),
    ),
    rls.TenantPolicy(
        "person_role",
        read=rls.any_of(rls.in_read_scope("jurisdiction_code"), rls.granted("person_id", "person")),
    ),
    rls.TenantPolicy(
        "officer_pool_member",
        read=rls.any_of(
            rls.in_read_scope("jurisdiction_code"), rls.granted("person_id", "officer_pool")
        ),
        update=rls.in_write_unit("jurisdiction_code"),
    ),
    rls.TenantPolicy(
        "api_key",
        read=rls.in_read_scope("jurisdiction_code"),
        insert=rls.all_of(
            rls.in_read_scope("jurisdiction_code"),
            rls.may_write(),
            rls.is_actor("created_by"),
            rls.is_null("revoked_at", "revoked_by", "last_used_at", "creator_left_at"),
        ),
        update=rls.all_of(
            rls.in_read_scope("jurisdiction_code"), rls.may_write(), rls.is_null("revoked_at")
        ),
        update_check=rls.all_of(
            rls.in_read_scope("jurisdiction_code"),
            rls.may_write(),
            rls.is_not_null("revoked_at"),
            rls.is_actor("revoked_by"),
        ),
    ),
    rls.TenantPolicy(
        "access_grant",
        read=rls.any_of(
            rls.in_read_scope("object_jurisdiction_code"),
            rls.in_read_scope("grantee_jurisdiction_code"),
        ),
        insert=rls.all_of(
            rls.in_write_unit("object_jurisdiction_code"),
            rls.is_actor("created_by"),
            rls.is_null("revoked_at", "revoked_by"),
        ),
        update=rls.all_of(rls.in_write_unit("object_jurisdiction_code"), rls.is_null("revoked_at")),
        update_check=rls.all_of(
            rls.in_write_unit("object_jurisdiction_code"),
            rls.is_not_null("revoked_at"),
            rls.is_actor("revoked_by"),
        ),
    ),
    rls.TenantPolicy(
        "audit_event",
        read=rls.in_read_scope("jurisdiction_code"),
        insert=rls.all_of(
            rls.any_of(
                rls.in_read_scope("jurisdiction_code"), rls.in_write_unit("jurisdiction_code")
            ),
            rls.is_actor("actor"),
        ),
    ),
]


def upgrade() -> None:
    for statement in _revision_0003().RLS_DOWN:
        op.execute(statement)
    op.create_table(
        "policy_version",
        sa.Column("id", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column(
            "changed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("id = 1", name=op.f("ck_policy_version_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_version")),
    )
    op.execute("INSERT INTO policy_version (id, version) VALUES (1, 1)")
    op.add_column(
        "api_key", sa.Column("creator_left_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.create_index(op.f("ix_api_key_created_by"), "api_key", ["created_by"], unique=False)
    allowed = ", ".join(f"'{r}'" for r in KEY_ROLES)
    op.create_check_constraint(
        op.f("ck_api_key_roles_allowed"),
        "api_key",
        f"roles::text[] <@ ARRAY[{allowed}]::text[] AND cardinality(roles) > 0",
    )
    op.create_unique_constraint(
        op.f("uq_department_id_jurisdiction_code"), "department", ["id", "jurisdiction_code"]
    )
    op.drop_constraint(
        "fk_access_grant_grantee_department_id_department", "access_grant", type_="foreignkey"
    )
    op.create_foreign_key(
        op.f("fk_access_grant_grantee_department_id_department"),
        "access_grant",
        "department",
        ["grantee_department_id", "grantee_jurisdiction_code"],
        ["id", "jurisdiction_code"],
    )
    for statement in FUNCTIONS_UP:
        op.execute(statement)
    for policy in POLICIES:
        for statement in policy.create():
            op.execute(statement)


def downgrade() -> None:
    for policy in POLICIES:
        for statement in policy.drop():
            op.execute(statement)
    for statement in FUNCTIONS_DOWN:
        op.execute(statement)
    op.drop_constraint(
        "fk_access_grant_grantee_department_id_department", "access_grant", type_="foreignkey"
    )
    op.create_foreign_key(
        op.f("fk_access_grant_grantee_department_id_department"),
        "access_grant",
        "department",
        ["grantee_department_id"],
        ["id"],
    )
    op.drop_constraint(op.f("uq_department_id_jurisdiction_code"), "department", type_="unique")
    op.drop_constraint(op.f("ck_api_key_roles_allowed"), "api_key", type_="check")
    op.drop_index(op.f("ix_api_key_created_by"), table_name="api_key")
    op.drop_column("api_key", "creator_left_at")
    op.drop_table("policy_version")
    for statement in _revision_0003().RLS_UP:
        op.execute(statement)
