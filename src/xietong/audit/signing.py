"""Which keys sign the audit trail and which verify it.

Signing uses the current server secret's keys only: the audit key for event MACs, the checkpoint
key for checkpoints (``xietong.keys.Purpose``), each named by its key id. Verifying accepts those
and the keys of retired secrets (``XIETONG_AUDIT_RETIRED_SECRET_KEYS``), so rotating the server
secret does not orphan what the old one signed: every event and checkpoint names its key.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from xietong.audit.chain import key_id
from xietong.config import Settings
from xietong.keys import Keyring, Purpose


@dataclass(frozen=True, slots=True)
class SigningKey:
    key_id: str
    key: bytes = field(repr=False)

    @classmethod
    def of(cls, keyring: Keyring, purpose: Purpose) -> SigningKey:
        key = keyring.key(purpose)
        return cls(key_id(key), key)


@dataclass(frozen=True, slots=True)
class VerificationKeys:
    """Key id → key, for event MACs and for checkpoint signatures."""

    events: Mapping[str, bytes] = field(repr=False)
    checkpoints: Mapping[str, bytes] = field(repr=False)

    @classmethod
    def of(cls, keyrings: Iterable[Keyring]) -> VerificationKeys:
        rings = list(keyrings)
        return cls(
            events={k.key_id: k.key for k in (SigningKey.of(r, Purpose.AUDIT) for r in rings)},
            checkpoints={
                k.key_id: k.key for k in (SigningKey.of(r, Purpose.CHECKPOINT) for r in rings)
            },
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> VerificationKeys:
        """The current secret's keys and every retired secret's."""
        retired = [Keyring.of(secret) for secret in settings.audit.retired_secret_keys]
        return cls.of([Keyring.from_settings(settings), *retired])
