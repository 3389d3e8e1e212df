"""audit trail the application role cannot rewrite: MACs on events, chain heads out of its hands

Revision ID: 0005
Revises: 0003
Create Date: 2026-11-26 13:00:00.000000

Events gain ``key_id`` and ``mac`` (``xietong.audit.chain``); the database cannot compute a MAC
(the key never enters it) but refuses a new event without one. The chain heads (``audit_chain``)
become the owner's alone: the application role loses every privilege on the table, which gets
row-level security with only the owner's ``maintenance`` policy. The application reaches the heads
through ``SECURITY DEFINER`` functions owned by the table owner, with a fixed ``search_path`` and
schema-qualified names:

- ``xietong_audit_head(province)`` locks the province's head (creating it for a province's first
  event) and returns the last event's id and hash, for a province the caller's scope lies in;
- the ``advance_chain`` trigger, after every insert into ``audit_event``, moves the head to the
  new event only if it links to the current head. Insert and advance cannot be separated, so no
  orphan event can take the head's successor slot (``prev_hash`` is unique) and jam a province;
- ``xietong_audit_heads()`` lists the heads (id, hash, count) of the provinces the caller's read
  range covers, for signed checkpoints (``xietong audit checkpoint``).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


UP = [
    # New events must carry a MAC; events recorded before this revision have none, so the
    # constraint is validated only where there are none (then it is an ordinary CHECK).
    "ALTER TABLE public.audit_event ADD CONSTRAINT ck_audit_event_signed"
    " CHECK (key_id IS NOT NULL AND mac IS NOT NULL) NOT VALID",
    """DO $$ BEGIN
         IF NOT EXISTS (SELECT 1 FROM public.audit_event) THEN
           ALTER TABLE public.audit_event VALIDATE CONSTRAINT ck_audit_event_signed;
         END IF;
       END $$""",
    """UPDATE public.audit_chain c SET event_count = (
         SELECT count(*) FROM public.audit_event e
         WHERE e.province_code = c.province_code AND e.id <= c.last_event_id)""",
    """CREATE FUNCTION public.xietong_audit_head(p_province integer)
       RETURNS TABLE (head_event_id bigint, head_hash text)
       LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
       DECLARE
         -- The caller's scope, read by the functions every row-level policy reads (0003).
         v_write integer := public.xietong_write_code();
         v_read integer := public.xietong_read_lo();
       BEGIN
         IF p_province IS NULL OR p_province <= 0 OR p_province % 10000 <> 0 THEN
           RAISE EXCEPTION 'xietong_audit_head: % is not a province code', p_province
             USING ERRCODE = 'invalid_parameter_value';
         END IF;
         -- The province of the caller's write unit or read range; the table owner (tenant
         -- loads, maintenance) anywhere. `current_user` is this function's owner.
         IF (pg_catalog.pg_has_role(session_user, current_user, 'USAGE')
             OR p_province = v_write - v_write % 10000
             OR p_province = v_read - v_read % 10000) IS NOT TRUE THEN
           RAISE EXCEPTION 'xietong_audit_head: province % is outside the caller''s scope',
             p_province USING ERRCODE = 'insufficient_privilege';
         END IF;
         INSERT INTO public.audit_chain (province_code) VALUES (p_province)
           ON CONFLICT (province_code) DO NOTHING;
         IF FOUND AND EXISTS (
             SELECT 1 FROM public.audit_event e WHERE e.province_code = p_province) THEN
           RAISE EXCEPTION 'the audit chain head of province % is missing although the province'
             ' has events; run `xietong audit verify` and restore the head', p_province
             USING ERRCODE = 'data_corrupted';
         END IF;
         RETURN QUERY
           SELECT c.last_event_id, c.last_hash FROM public.audit_chain c
           WHERE c.province_code = p_province FOR UPDATE;
       END $$""",
    """CREATE FUNCTION public.xietong_audit_heads()
       RETURNS TABLE (province_code integer, last_event_id bigint, last_hash text,
                      event_count bigint)
       LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
         SELECT c.province_code, c.last_event_id, c.last_hash, c.event_count
         FROM public.audit_chain c
         WHERE pg_catalog.pg_has_role(session_user, current_user, 'USAGE')
            OR c.province_code BETWEEN public.xietong_read_lo() AND public.xietong_read_hi()
         ORDER BY c.province_code
       $$""",
    """CREATE FUNCTION public.xietong_audit_advance() RETURNS trigger
       LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
       DECLARE
         v_id bigint;
         v_hash text;
       BEGIN
         INSERT INTO public.audit_chain (province_code) VALUES (NEW.province_code)
           ON CONFLICT (province_code) DO NOTHING;
         SELECT c.last_event_id, c.last_hash INTO v_id, v_hash FROM public.audit_chain c
         WHERE c.province_code = NEW.province_code FOR UPDATE;
         IF NEW.prev_hash IS DISTINCT FROM v_hash OR NEW.id <= v_id THEN
           RAISE EXCEPTION 'audit event % does not follow the head of province %''s chain'
             ' (event %)', NEW.id, NEW.province_code, v_id
             USING ERRCODE = 'integrity_constraint_violation';
         END IF;
         UPDATE public.audit_chain c
         SET last_event_id = NEW.id, last_hash = NEW.hash, event_count = c.event_count + 1
         WHERE c.province_code = NEW.province_code;
         RETURN NULL;
       END $$""",
    "CREATE TRIGGER advance_chain AFTER INSERT ON public.audit_event"
    " FOR EACH ROW EXECUTE FUNCTION public.xietong_audit_advance()",
    "REVOKE ALL ON FUNCTION public.xietong_audit_head(integer) FROM PUBLIC",
    "REVOKE ALL ON FUNCTION public.xietong_audit_heads() FROM PUBLIC",
    "REVOKE ALL ON FUNCTION public.xietong_audit_advance() FROM PUBLIC",
    # `xietong.db.migrate.grant_app_role` revokes the application role's privileges on it.
    "REVOKE ALL ON TABLE public.audit_chain FROM PUBLIC",
    "ALTER TABLE public.audit_chain ENABLE ROW LEVEL SECURITY",
    "ALTER TABLE public.audit_chain FORCE ROW LEVEL SECURITY",
    "CREATE POLICY maintenance ON public.audit_chain TO CURRENT_USER USING (true) WITH CHECK (true)",
]

DOWN = [
    "DROP POLICY maintenance ON public.audit_chain",
    "ALTER TABLE public.audit_chain NO FORCE ROW LEVEL SECURITY",
    "ALTER TABLE public.audit_chain DISABLE ROW LEVEL SECURITY",
    "DROP TRIGGER advance_chain ON public.audit_event",
    "DROP FUNCTION public.xietong_audit_advance()",
    "DROP FUNCTION public.xietong_audit_heads()",
    "DROP FUNCTION public.xietong_audit_head(integer)",
    "ALTER TABLE public.audit_event DROP CONSTRAINT ck_audit_event_signed",
]


def upgrade() -> None:
    op.add_column("audit_event", sa.Column("key_id", sa.Text(), nullable=True))
    op.add_column("audit_event", sa.Column("mac", sa.Text(), nullable=True))
    op.add_column(
        "audit_chain",
        sa.Column("event_count", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
    )
    for statement in UP:
        op.execute(statement)


def downgrade() -> None:
    for statement in DOWN:
        op.execute(statement)
    op.drop_column("audit_chain", "event_count")
    op.drop_column("audit_event", "mac")
    op.drop_column("audit_event", "key_id")
