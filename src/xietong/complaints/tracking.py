"""Tracking codes and their secrets: what the filer keeps to follow the complaint.

The code (``TS`` and 10 characters) names the complaint on the phone and on notices; it is not a
secret. The secret (24 characters, 120 random bits) is shown once, in the filing's answer; only
its SHA-256 is stored, as for API keys: with that much randomness a plain hash cannot be
reversed or guessed, so no key is needed. Both use Crockford's base32 alphabet (no I, L, O, U),
so they can be read out and typed without confusion; input is case-insensitive.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_PREFIX = "TS"
CODE_BODY = 10
SECRET_LENGTH = 24
_CONFUSABLE = str.maketrans("OIL", "011")


def _random(length: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def new_code() -> str:
    return CODE_PREFIX + _random(CODE_BODY)


def new_secret() -> str:
    return _random(SECRET_LENGTH)


def normalise(value: str) -> str:
    """What the filer typed, as stored: spaces and dashes dropped, upper case, and the letters
    Crockford reads as digits (O→0, I/L→1)."""
    cleaned = value.strip().upper().replace("-", "").replace(" ", "")
    return cleaned.translate(_CONFUSABLE)


def looks_like_code(value: str) -> bool:
    return (
        len(value) == len(CODE_PREFIX) + CODE_BODY
        and value.startswith(CODE_PREFIX)
        and all(c in ALPHABET for c in value[len(CODE_PREFIX) :])
    )


def looks_like_secret(value: str) -> bool:
    return len(value) == SECRET_LENGTH and all(c in ALPHABET for c in value)


def secret_hash(secret: str) -> str:
    return hashlib.sha256(b"xietong/complaint-secret/" + secret.encode("ascii")).hexdigest()


def matches(secret: str, stored_hash: str) -> bool:
    return hmac.compare_digest(secret_hash(secret), stored_hash)


def actor(code: str) -> str:
    """The audit trail's (and the signed scope's) actor for the filer: ``public:<code>``."""
    return f"public:{code}"
