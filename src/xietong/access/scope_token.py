"""The signed scope: what PostgreSQL checks before row-level security lets a row through.

The application computes the caller's scope (``access.scope.Scope``) and hands it to PostgreSQL as
one text setting, ``xietong.scope``, set transaction-locally. The value is a token::

    v1:<key id>:<backend pid>:<expires>:<read lo>:<read hi>:<write code>:<jurisdiction>:
        <department>:<actor>.<mac>      (one line)

``mac`` is HMAC-SHA256 (hex) of everything before the last dot, keyed with the scope key
(``keys.Purpose.SCOPE``), which ``xietong migrate`` installs in a schema the application role
cannot read. SECURITY DEFINER functions (migration 0004) recompute the MAC with PostgreSQL's
built-in ``sha256()`` and hand the policies the claims only when the token is

- signed with an installed key (the key id says which, so a key can be rotated),
- for *this* connection (the backend pid), so a token seen elsewhere cannot be replayed, and
- not expired at the transaction's start (``TOKEN_TTL``), so a stashed one soon dies.

An empty field means "none" (no read range: no rows; no write code: no writes). The actor comes
last so it may contain ``:``. Everything is ASCII digits, hex and the actor's text, so the token
can travel as a bind parameter, or later be sent along with a transaction's first statement.
"""

from __future__ import annotations

import hashlib
import hmac
import time
import uuid
from dataclasses import dataclass

from xietong.db.scope_keys import ScopeKeyMaterial
from xietong.keys import Keyring, Purpose

FORMAT = "v1"
SETTING = "xietong.scope"
"""The one setting PostgreSQL reads the token from (``current_setting('xietong.scope')``)."""
TOKEN_TTL = 60
"""Seconds a token stays valid: it is checked against the transaction's start, so this only
needs to cover the moment between signing and the first statement, plus clock skew between the
application and PostgreSQL (keep both on NTP). A replayed token dies with it."""
_BLOCK = 64  # SHA-256's block size: HMAC pads the key to it

STATUS_HINTS = {
    "unknown-key": "the database does not hold this process's scope key: XIETONG_SECRET_KEY "
    "differs from the one `xietong migrate` installed. Run `xietong migrate` with this "
    "XIETONG_SECRET_KEY (or give this process the migrated one)",
    "retired-key": "this process's scope key was replaced more than an hour ago by a migration "
    "with another XIETONG_SECRET_KEY; restart it with that secret, or run `xietong migrate` with "
    "this one to reinstate it",
    "expired": f"a freshly signed scope is already expired: this host's clock and "
    f"PostgreSQL's differ by more than {TOKEN_TTL} s; synchronise them (NTP)",
    "other-connection": "the scope was signed for another connection: a pooler in transaction "
    "mode between the application and PostgreSQL? Connect directly or use session pooling",
}
"""What to do when PostgreSQL's ``xietong_scope_status(token)`` is not ``ok``."""


def key_id(key: bytes) -> str:
    """A public name for a scope key (it reveals nothing about the key)."""
    return hashlib.sha256(b"xietong/scope-key-id/" + key).hexdigest()[:12]


@dataclass(frozen=True, slots=True)
class ScopeClaims:
    """What a token says; None fields are empty (no range, no write, no unit)."""

    actor: str
    read_lo: int | None = None
    read_hi: int | None = None
    write_code: int | None = None
    jurisdiction_code: int | None = None
    department_id: uuid.UUID | None = None

    def fields(self) -> list[str]:
        def text(value: object) -> str:
            return "" if value is None else str(value)

        return [
            text(self.read_lo),
            text(self.read_hi),
            text(self.write_code),
            text(self.jurisdiction_code),
            text(self.department_id),
            self.actor,
        ]


@dataclass(frozen=True, slots=True)
class SignedScope:
    """A token taken apart (for tests and diagnostics; PostgreSQL does its own checking)."""

    key_id: str
    pid: int
    expires: int
    claims: ScopeClaims


class ScopeSigner:
    """Signs scopes with the scope key. One per process; cheap to call per transaction."""

    def __init__(self, key: bytes) -> None:
        if len(key) < 32:
            raise ValueError("the scope key must have at least 256 bits")
        self._key = key
        self.key_id = key_id(key)

    @classmethod
    def from_keyring(cls, keyring: Keyring) -> ScopeSigner:
        return cls(keyring.key(Purpose.SCOPE))

    def material(self) -> ScopeKeyMaterial:
        """The key as PostgreSQL stores it (``xietong migrate`` installs it): HMAC's two padded
        keys, key XOR ipad and key XOR opad. With only ``sha256()`` built in, PostgreSQL computes
        HMAC as ``sha256(outer || sha256(inner || message))``."""
        padded = self._key.ljust(_BLOCK, b"\0")
        return ScopeKeyMaterial(
            key_id=self.key_id,
            inner_pad=bytes(b ^ 0x36 for b in padded),
            outer_pad=bytes(b ^ 0x5C for b in padded),
        )

    def sign(self, claims: ScopeClaims, *, pid: int, now: float | None = None) -> str:
        if "\0" in claims.actor:
            raise ValueError("an actor cannot contain NUL")
        expires = int(now if now is not None else time.time()) + TOKEN_TTL
        body = ":".join([FORMAT, self.key_id, str(pid), str(expires), *claims.fields()])
        return f"{body}.{self._mac(body)}"

    def read(self, token: str) -> SignedScope | None:
        """The token's contents if this signer made it (expiry and pid are not checked)."""
        body, dot, mac = token.rpartition(".")
        if not dot or not hmac.compare_digest(mac.encode(), self._mac(body).encode()):
            return None
        parts = body.split(":")
        if len(parts) < 10 or parts[0] != FORMAT or parts[1] != self.key_id:
            return None

        def number(value: str) -> int | None:
            return int(value) if value else None

        return SignedScope(
            key_id=parts[1],
            pid=int(parts[2]),
            expires=int(parts[3]),
            claims=ScopeClaims(
                actor=":".join(parts[9:]),
                read_lo=number(parts[4]),
                read_hi=number(parts[5]),
                write_code=number(parts[6]),
                jurisdiction_code=number(parts[7]),
                department_id=uuid.UUID(parts[8]) if parts[8] else None,
            ),
        )

    def _mac(self, body: str) -> str:
        return hmac.new(self._key, body.encode("utf-8"), hashlib.sha256).hexdigest()
