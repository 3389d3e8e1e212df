"""The audit trail's rules, pure: no database, no settings, so an auditor can re-implement (and
check) every one of them from this file alone.

**Hash.** An event's hash is ``sha256(prev_hash + canonical(fields))`` in lowercase hex, where
``prev_hash`` is the hex hash of the previous event in the same province ("" for a province's
first event) and ``canonical`` is the event's fields (everything but ``id``, the hashes and the
MAC) as canonical JSON: keys sorted, no spaces, UTF-8 without ``\\u`` escapes, the instant as
ISO 8601 in UTC with microseconds and an explicit ``+00:00``, ``None`` as ``null``.

``details`` is limited to what survives a round trip through PostgreSQL ``jsonb`` unchanged, so the
hash recomputed from a stored row equals the one computed before it was written: objects with text
keys, arrays, text, integers, booleans and null. Floats are refused (``jsonb`` rewrites ``1e20`` and
``-0.0``); so are NUL characters (``jsonb`` cannot store them).

**Chain.** A province's events, in ``id`` order, must each name the previous one's hash as
``prev_hash`` (the first names none). The database's chain head (``audit_chain``) names the last
event, its hash and how many events the chain holds.

**MAC.** The hash alone proves nothing against someone who can write the table: they can rewrite
an event and recompute every later hash. So each event also carries ``mac``, the lowercase hex
``HMAC-SHA256(K, hash)`` (the ASCII bytes of the hex hash), and ``key_id``, naming K. K is 32
bytes derived from the server secret S, which never enters the database:
``K = HKDF-SHA256(ikm=S (UTF-8), salt=none, info="xietong/audit-mac", length=32)``
(``xietong.keys``). A key's id is the first 16 hex digits of ``HMAC-SHA256(K, "xietong key id")``:
it names the key without revealing it, and changes when the secret is rotated, so events signed
before a rotation still verify with the retired secret. **An event without a MAC, with a key id
no known key has, or whose MAC does not match its hash, never verifies**, whatever its hash.

**Checkpoint.** A MAC proves an event was written by the key holder, not that later events were
not deleted: removing the tail leaves a shorter, valid chain. So the head of each province's
chain is exported, now and then, to a place outside the database, as one JSON object per line::

    {"event_count": 57, "key_id": "…", "kind": "xietong.audit.checkpoint",
     "last_event_id": 1234, "last_hash": "…", "province_code": 420000,
     "signature": "…", "taken_at": "2026-11-26T04:00:00.000000+00:00", "v": 1}

``signature`` is the lowercase hex ``HMAC-SHA256(C, canonical JSON of every other member)`` with
``C = HKDF-SHA256(S, info="xietong/audit-checkpoint")`` and ``key_id`` naming C (same rule as
above). A checkpoint holds when the database still has event ``last_event_id`` in that province,
with hash ``last_hash``, as the ``event_count``-th event of the chain. A checkpoint whose event is
gone, or has another hash or position, means history after it was truncated or rewritten.

What this cannot prove: events recorded after the newest checkpoint can be deleted unnoticed, and
whoever holds the server secret can forge anything. See ``docs/audit.md``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any


class NotCanonical(ValueError):
    """A field cannot be hashed reproducibly (a naive instant, a float in ``details``…)."""


@dataclass(frozen=True, slots=True)
class EventFields:
    """What an event's hash covers."""

    occurred_at: datetime
    province_code: int
    jurisdiction_code: int
    actor_kind: str
    actor: str
    action: str
    object_type: str
    object_id: str | None
    details: Mapping[str, Any]


def utc_instant(value: datetime) -> datetime:
    """The same instant in UTC; a naive datetime is refused rather than guessed at."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise NotCanonical(f"occurred_at {value.isoformat()} has no time zone")
    return value.astimezone(UTC)


def _text(value: str, where: str) -> str:
    if "\x00" in value:
        raise NotCanonical(f"{where} contains a NUL character")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise NotCanonical(f"{where} is not valid Unicode text") from exc
    return str.__str__(value)  # a plain str, whatever subclass (enum…) came in


def plain_json(value: Any, where: str = "details") -> Any:
    """A copy of ``value`` made of plain JSON types that ``jsonb`` stores and returns unchanged."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, str):
        return _text(value, where)
    if isinstance(value, Mapping):
        result: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise NotCanonical(f"{where} has a key that is not text: {key!r}")
            result[_text(key, f"{where} key")] = plain_json(item, f"{where}.{key}")
        return result
    if isinstance(value, list | tuple):
        return [plain_json(item, f"{where}[{i}]") for i, item in enumerate(value)]
    if isinstance(value, float):
        raise NotCanonical(f"{where} is a float; pass an integer or a decimal string")
    raise NotCanonical(f"{where} is a {type(value).__name__}, not a JSON value")


def plain_details(details: Mapping[str, Any]) -> dict[str, Any]:
    """``details`` as a plain JSON object (see ``plain_json``)."""
    if not isinstance(details, Mapping):
        raise NotCanonical("details must be a JSON object")
    result: dict[str, Any] = plain_json(details)
    return result


def _integer(value: int, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise NotCanonical(f"{where} must be an integer")
    return int(value)


def canonical(fields: EventFields) -> bytes:
    """The bytes an event's hash covers. Dict key order never matters; every value does."""
    document = {
        "occurred_at": utc_instant(fields.occurred_at).isoformat(timespec="microseconds"),
        "province_code": _integer(fields.province_code, "province_code"),
        "jurisdiction_code": _integer(fields.jurisdiction_code, "jurisdiction_code"),
        "actor_kind": _text(fields.actor_kind, "actor_kind"),
        "actor": _text(fields.actor, "actor"),
        "action": _text(fields.action, "action"),
        "object_type": _text(fields.object_type, "object_type"),
        "object_id": None if fields.object_id is None else _text(fields.object_id, "object_id"),
        "details": plain_details(fields.details),
    }
    return canonical_json(document)


def canonical_json(document: Mapping[str, Any]) -> bytes:
    """Compact JSON with sorted keys, UTF-8 without ``\\u`` escapes: one byte string per value."""
    return json.dumps(
        document, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def event_hash(prev_hash: str | None, fields: EventFields) -> str:
    """``sha256(prev_hash or "" + canonical(fields))`` as lowercase hex."""
    digest = hashlib.sha256((prev_hash or "").encode("utf-8"))
    digest.update(canonical(fields))
    return digest.hexdigest()


# --- MACs -----------------------------------------------------------------------------------

KEY_ID_LABEL = b"xietong key id"


def key_id(key: bytes) -> str:
    """A key's public name: the first 16 hex digits of ``HMAC-SHA256(key, "xietong key id")``."""
    return hmac.new(key, KEY_ID_LABEL, hashlib.sha256).hexdigest()[:16]


def _hmac(key: bytes, message: bytes) -> str:
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def _same(a: str, b: str) -> bool:
    # compare_digest wants ASCII text; a tampered row may hold anything.
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


def event_mac(key: bytes, hash_: str) -> str:
    """``HMAC-SHA256(key, hash)`` over the hex hash's bytes, as lowercase hex."""
    return _hmac(key, hash_.encode("utf-8"))


def mac_matches(key: bytes, hash_: str, mac: str) -> bool:
    return _same(event_mac(key, hash_), mac)


# --- Checkpoints ----------------------------------------------------------------------------

CHECKPOINT_KIND = "xietong.audit.checkpoint"
CHECKPOINT_VERSION = 1
CHECKPOINT_MEMBERS = frozenset(
    {
        "v",
        "kind",
        "province_code",
        "last_event_id",
        "last_hash",
        "event_count",
        "taken_at",
        "key_id",
        "signature",
    }
)


class NotACheckpoint(ValueError):
    """A line that is not a well-formed checkpoint (whatever its signature)."""


def _instant_text(value: datetime) -> str:
    return utc_instant(value).isoformat(timespec="microseconds")


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A province's chain head at one moment, signed (see the module docstring)."""

    province_code: int
    last_event_id: int
    last_hash: str
    event_count: int
    taken_at: datetime
    key_id: str = ""
    signature: str = ""

    def document(self) -> dict[str, Any]:
        """Every member but the signature: what the signature covers."""
        return {
            "v": CHECKPOINT_VERSION,
            "kind": CHECKPOINT_KIND,
            "province_code": self.province_code,
            "last_event_id": self.last_event_id,
            "last_hash": self.last_hash,
            "event_count": self.event_count,
            "taken_at": _instant_text(self.taken_at),
            "key_id": self.key_id,
        }

    def signed(self, key: bytes) -> Checkpoint:
        unsigned = replace(self, key_id=key_id(key), signature="")
        return replace(unsigned, signature=_hmac(key, canonical_json(unsigned.document())))

    def signature_matches(self, key: bytes) -> bool:
        return key_id(key) == self.key_id and _same(
            _hmac(key, canonical_json(self.document())), self.signature
        )

    def to_line(self) -> str:
        """One line of canonical JSON (no newline)."""
        return canonical_json({**self.document(), "signature": self.signature}).decode("utf-8")

    @classmethod
    def from_line(cls, line: str) -> Checkpoint:
        """Parse one line; raises ``NotACheckpoint`` saying what is wrong. Checks the form only:
        call ``signature_matches`` with the key named by ``key_id``."""
        try:
            value = json.loads(line)
        except ValueError as exc:
            raise NotACheckpoint(f"not JSON ({exc})") from None
        if not isinstance(value, dict):
            raise NotACheckpoint("not a JSON object")
        if set(value) != CHECKPOINT_MEMBERS:
            raise NotACheckpoint("members are not exactly " + ", ".join(sorted(CHECKPOINT_MEMBERS)))
        if value["v"] != CHECKPOINT_VERSION or value["kind"] != CHECKPOINT_KIND:
            raise NotACheckpoint(f"not a version {CHECKPOINT_VERSION} {CHECKPOINT_KIND}")
        for name in ("province_code", "last_event_id", "event_count"):
            if isinstance(value[name], bool) or not isinstance(value[name], int):
                raise NotACheckpoint(f"{name} is not an integer")
        for name in ("last_hash", "taken_at", "key_id", "signature"):
            if not isinstance(value[name], str):
                raise NotACheckpoint(f"{name} is not text")
        try:
            taken_at = datetime.fromisoformat(value["taken_at"])
            canonical_time = _instant_text(taken_at)
        except (ValueError, NotCanonical):
            raise NotACheckpoint("taken_at is not an ISO 8601 instant with a time zone") from None
        if canonical_time != value["taken_at"]:
            raise NotACheckpoint("taken_at is not written in UTC with microseconds")
        return cls(
            province_code=value["province_code"],
            last_event_id=value["last_event_id"],
            last_hash=value["last_hash"],
            event_count=value["event_count"],
            taken_at=taken_at,
            key_id=value["key_id"],
            signature=value["signature"],
        )
