"""Hashing audit events, pure: one canonical form per event, and every field counts."""

from __future__ import annotations

import dataclasses
import hashlib
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xietong.audit.chain import EventFields, NotCanonical, canonical, event_hash

WHEN = datetime(2026, 11, 26, 8, 30, 0, 120000, tzinfo=UTC)

EVENT = EventFields(
    occurred_at=WHEN,
    province_code=420000,
    jurisdiction_code=422825,
    actor_kind="person",
    actor="xuanen.office",
    action="apiKey.create",
    object_type="api_key",
    object_id="k_3f9a",
    details={"prefix": "k_3f9a", "roles": ["integrator"], "note": "宣恩县", "expires": None},
)


def test_canonical_form_is_compact_sorted_utf8_json() -> None:
    assert (
        canonical(EVENT)
        == (
            '{"action":"apiKey.create","actor":"xuanen.office","actor_kind":"person",'
            '"details":{"expires":null,"note":"宣恩县","prefix":"k_3f9a","roles":["integrator"]},'
            '"jurisdiction_code":422825,"object_id":"k_3f9a","object_type":"api_key",'
            '"occurred_at":"2026-11-26T08:30:00.120000+00:00","province_code":420000}'
        ).encode()
    )


def test_the_hash_is_sha256_of_the_previous_hash_and_the_canonical_bytes() -> None:
    first = event_hash(None, EVENT)
    assert first == hashlib.sha256(canonical(EVENT)).hexdigest()
    assert event_hash("", EVENT) == first
    second = event_hash(first, EVENT)
    assert second == hashlib.sha256(first.encode() + canonical(EVENT)).hexdigest()
    assert second != first


def test_dict_key_order_does_not_matter() -> None:
    reordered = dataclasses.replace(
        EVENT,
        details={"roles": ["integrator"], "expires": None, "prefix": "k_3f9a", "note": "宣恩县"},
    )
    assert canonical(reordered) == canonical(EVENT)
    nested = dataclasses.replace(EVENT, details={"a": {"y": 1, "x": 2}})
    assert canonical(nested) == canonical(
        dataclasses.replace(EVENT, details={"a": {"x": 2, "y": 1}})
    )


def test_an_instant_is_written_in_utc_with_microseconds() -> None:
    beijing = WHEN.astimezone(timezone(timedelta(hours=8)))
    assert canonical(dataclasses.replace(EVENT, occurred_at=beijing)) == canonical(EVENT)
    whole_second = dataclasses.replace(EVENT, occurred_at=WHEN.replace(microsecond=0))
    assert b'"occurred_at":"2026-11-26T08:30:00.000000+00:00"' in canonical(whole_second)


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"occurred_at": datetime(2026, 11, 26, 8, 30)}, "no time zone"),
        ({"details": {"amount": 1.5}}, "float"),
        ({"details": {"when": WHEN}}, "datetime"),
        ({"details": {1: "x"}}, "not text"),
        ({"details": {"text": "a\x00b"}}, "NUL"),
        ({"actor": "\ud800"}, "not valid Unicode"),
        ({"details": ["not", "an", "object"]}, "JSON object"),
        ({"province_code": True}, "integer"),
    ],
)
def test_what_jsonb_would_not_return_unchanged_is_refused(
    change: dict[str, Any], fragment: str
) -> None:
    with pytest.raises(NotCanonical, match=fragment):
        canonical(dataclasses.replace(EVENT, **change))


def test_enum_members_hash_as_their_value() -> None:
    from xietong.audit.enums import ActorKind

    as_enum = dataclasses.replace(
        EVENT, actor_kind=ActorKind.PERSON, details={"k": ActorKind.SYSTEM}
    )
    assert canonical(as_enum) == canonical(dataclasses.replace(EVENT, details={"k": "system"}))


# Property: changing any one field (or the previous hash) changes the hash.

texts = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=20)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | texts,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts, inner, max_size=4),
    max_leaves=10,
)
hashes = st.none() | st.text("0123456789abcdef", min_size=64, max_size=64)
FIELD_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "occurred_at": st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
    ),
    "province_code": st.integers(11, 82).map(lambda p: p * 10000),
    "jurisdiction_code": st.integers(110000, 829999),
    "actor_kind": st.sampled_from(["person", "api_key", "system", "anonymous"]),
    "actor": texts,
    "action": texts,
    "object_type": texts,
    "object_id": st.none() | texts,
    "details": st.dictionaries(texts, json_values, max_size=5),
}
events = st.builds(EventFields, **FIELD_VALUES)


@given(
    event=events, prev=hashes, field=st.sampled_from([*FIELD_VALUES, "prev_hash"]), data=st.data()
)
def test_changing_any_single_field_changes_the_hash(
    event: EventFields, prev: str | None, field: str, data: st.DataObject
) -> None:
    if field == "prev_hash":
        other = data.draw(hashes.filter(lambda h: (h or "") != (prev or "")), label="prev_hash")
        assert event_hash(other, event) != event_hash(prev, event)
        return
    current = getattr(event, field)
    value = data.draw(FIELD_VALUES[field].filter(lambda v: v != current), label=field)
    changed = dataclasses.replace(event, **{field: value})
    assert event_hash(prev, changed) != event_hash(prev, event)
