"""Hashing audit events, pure: no database, so an auditor can re-implement the rule from this
file alone.

An event's hash is ``sha256(prev_hash + canonical(fields))`` in lowercase hex, where ``prev_hash``
is the hex hash of the previous event in the same province ("" for a province's first event) and
``canonical`` is the event's fields (everything but ``id`` and the hashes) as canonical JSON:
keys sorted, no spaces, UTF-8 without ``\\u`` escapes, the instant as ISO 8601 in UTC with
microseconds and an explicit ``+00:00``, ``None`` as ``null``.

``details`` is limited to what survives a round trip through PostgreSQL ``jsonb`` unchanged, so the
hash recomputed from a stored row equals the one computed before it was written: objects with text
keys, arrays, text, integers, booleans and null. Floats are refused (``jsonb`` rewrites ``1e20`` and
``-0.0``); so are NUL characters (``jsonb`` cannot store them).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
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
    return json.dumps(
        document, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def event_hash(prev_hash: str | None, fields: EventFields) -> str:
    """``sha256(prev_hash or "" + canonical(fields))`` as lowercase hex."""
    digest = hashlib.sha256((prev_hash or "").encode("utf-8"))
    digest.update(canonical(fields))
    return digest.hexdigest()
