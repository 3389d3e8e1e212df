"""The server secret and the keys derived from it.

One secret, ``XIETONG_SECRET_KEY``, lives outside the database (an environment variable from a
Kubernetes Secret; in development a file generated under the data directory). Every purpose gets
its own 256-bit key derived from it with HKDF-SHA256, so a key handed to one party for one purpose
reveals nothing about the others: PostgreSQL holds the scope-verification key and can check the
scope the application signs, but cannot compute audit MACs or personal-id hashes, whose keys never
leave the application.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from xietong.config import DEV_KEY_PREFIX, Settings

MIN_SECRET_LENGTH = 32
DEV_SECRET_FILE = "server-secret"


class Purpose(StrEnum):
    """What a derived key is for; the value is part of the derivation, so never rename one."""

    SCOPE = "rls-scope"
    """Signs the caller's scope per transaction; PostgreSQL verifies it (row-level security)."""
    AUDIT = "audit-mac"
    """MACs on audit events, so a database writer cannot forge or rewrite one unnoticed."""
    CHECKPOINT = "audit-checkpoint"
    """Signs the exported checkpoints of each audit chain head."""
    PERSONAL_ID = "personal-id"
    """Keyed hashes of ID numbers (matching without storing the number)."""
    PUBLIC_CLIENT = "public-client"
    """Keyed hashes of public filers' addresses, to bound filing abuse without storing them."""


class SecretProblem(ValueError):
    """The server secret is missing or unfit for the environment."""


def dev_server_secret(data_dir: Path) -> str:
    """The development secret, generated on first use and kept so it survives a restart."""
    path = data_dir / DEV_SECRET_FILE
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    value = DEV_KEY_PREFIX + secrets.token_urlsafe(32)
    path.write_text(value + "\n", encoding="utf-8")
    path.chmod(0o600)
    return value


@dataclass(frozen=True)
class Keyring:
    """Keys derived from the server secret, one per ``Purpose``."""

    secret: bytes = field(repr=False)
    _cache: dict[Purpose, bytes] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def of(cls, secret: str) -> Keyring:
        if len(secret) < MIN_SECRET_LENGTH:
            raise SecretProblem(
                f"the server secret is {len(secret)} characters; at least {MIN_SECRET_LENGTH} "
                "are needed"
            )
        return cls(secret.encode("utf-8"))

    @classmethod
    def from_settings(cls, settings: Settings) -> Keyring:
        """``XIETONG_SECRET_KEY``, or outside production the generated development secret."""
        secret = settings.secret_key
        if secret is None:
            if settings.is_production:
                raise SecretProblem("XIETONG_SECRET_KEY must be set in production")
            secret = dev_server_secret(settings.data_dir)
        return cls.of(secret)

    def key(self, purpose: Purpose) -> bytes:
        cached = self._cache.get(purpose)
        if cached is None:
            cached = HKDF(
                algorithm=hashes.SHA256(),
                length=32,
                salt=None,
                info=b"xietong/" + purpose.value.encode("ascii"),
            ).derive(self.secret)
            self._cache[purpose] = cached
        return cached
