"""sign-in confirmed with the transaction's BEGIN: ``xietong_sign_in_confirm``

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-27 08:00:00.000000

A process that has signed a caller in before sends that caller's scope together with the
transaction's ``BEGIN`` (``access.authentication.sign_in``) and asks PostgreSQL, in the same
message, to confirm the caller is still who the process remembers: the row ``xietong_sign_in``
returns now must hash (md5 of the whole row, as the full sign-in reported it) to the fingerprint
sent. Anything else — a deactivated person, new roles, a move, another department — raises
``XT401`` and the request signs in again from scratch on a fresh connection. So the caller is
still checked on every request, as before, with one round trip fewer.

The function runs with the caller's rights: it only calls ``xietong_sign_in``, which the
application role may already call, and answers nothing but whether the row matched.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STALE = "XT401"
"""The SQLSTATE of a remembered caller who has changed (the application treats any failure of
the confirmation alike: a full sign-in on a fresh connection)."""


def upgrade() -> None:
    op.execute(
        f"""CREATE FUNCTION public.xietong_sign_in_confirm(p_token text, p_fingerprint text)
           RETURNS void LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
           SET search_path = pg_catalog, pg_temp AS $$
           BEGIN
             IF NOT EXISTS (SELECT 1 FROM public.xietong_sign_in(p_token) s
                            WHERE pg_catalog.md5(s::text) = p_fingerprint) THEN
               RAISE EXCEPTION 'the caller changed since this process signed it in'
                 USING ERRCODE = '{STALE}';
             END IF;
           END
           $$"""
    )
    op.execute("REVOKE ALL ON FUNCTION public.xietong_sign_in_confirm(text, text) FROM PUBLIC")


def downgrade() -> None:
    op.execute("DROP FUNCTION IF EXISTS public.xietong_sign_in_confirm(text, text)")
