"""The scope key inside PostgreSQL: installed and rotated by ``xietong migrate``.

PostgreSQL checks every signed scope (``xietong.access.scope_token``) against the keys in
``xietong_private.scope_key``, a table in a schema the application role has no USAGE on. Keys are
named by an id derived from them, so the token says which one signed it:

- ``migrate`` makes the configured key current (idempotent: running it again changes nothing);
- a key that stops being current is *retired*: still accepted for ``ROTATION_GRACE`` so pods
  of the previous release keep working during a rolling upgrade, refused after that, and
  deleted a day later;
- running ``migrate`` with an old secret again (a rollback) reinstates that key.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Connection, text

ROTATION_GRACE = timedelta(hours=1)
"""How long a retired key still verifies (the ``interval '1 hour'`` of migration 0004)."""
TABLE = "xietong_private.scope_key"


@dataclass(frozen=True, slots=True)
class ScopeKeyMaterial:
    """What PostgreSQL needs to verify HMAC-SHA256 with its built-in ``sha256()``: the key's
    id and the key XOR-ed with HMAC's inner and outer pads."""

    key_id: str
    inner_pad: bytes
    outer_pad: bytes


def install(connection: Connection, key: ScopeKeyMaterial) -> bool:
    """Make ``key`` the current scope key, retire the others; True if anything changed.

    Runs as the table owner, in the migration's transaction. A database without the table (a
    revision before 0004) is left alone.
    """
    if connection.execute(text("SELECT to_regclass(:t)"), {"t": TABLE}).scalar() is None:
        return False
    added = connection.execute(
        text(
            f"INSERT INTO {TABLE} (key_id, inner_pad, outer_pad) VALUES (:id, :inner, :outer) "
            "ON CONFLICT (key_id) DO UPDATE SET retired_at = NULL, installed_at = now() "
            f"WHERE {TABLE}.retired_at IS NOT NULL"
        ),
        {"id": key.key_id, "inner": key.inner_pad, "outer": key.outer_pad},
    ).rowcount
    retired = connection.execute(
        text(f"UPDATE {TABLE} SET retired_at = now() WHERE key_id <> :id AND retired_at IS NULL"),
        {"id": key.key_id},
    ).rowcount
    connection.execute(
        text(f"DELETE FROM {TABLE} WHERE retired_at < now() - interval '1 day'"),
    )
    return bool(added or retired)
