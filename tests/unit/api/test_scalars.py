"""The scalars apply the input rules while GraphQL coerces input, in both forms a client may use,
and answer with ``BAD_USER_INPUT``, a bilingual message and no echo of a huge value."""

from __future__ import annotations

import json
from typing import Any

import pytest

from xietong.schema import build_schema

SCHEMA = build_schema()

# Long values stay under the document's 64 KiB (``xietong.api.documents``) when written inline, so
# that the scalar, not the document size limit, refuses them in both forms.
CASES: list[tuple[str, str, Any, str]] = [
    ("JurisdictionCode!", "jurisdiction(code: $v) { code }", "42282²", "JURISDICTION_CODE"),
    ("JurisdictionCode!", "jurisdiction(code: $v) { code }", "４２２８２５", "JURISDICTION_CODE"),
    ("JurisdictionCode!", "jurisdiction(code: $v) { code }", 422825, "JURISDICTION_CODE"),
    ("JurisdictionCode!", "jurisdiction(code: $v) { code }", "x" * 20_000, "JURISDICTION_CODE"),
    (
        "Login!",
        'explainAccess(login: $v, action: READ, objectId: "x") { allowed }',
        "a\x00",
        "CONTROL_CHARACTER",
    ),
    (
        "Login!",
        'explainAccess(login: $v, action: READ, objectId: "x") { allowed }',
        "x" * 20_000,
        "TOO_LONG",
    ),
]


def _run(query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    result = SCHEMA.execute_sync(query, variable_values=variables)
    assert result.errors, result
    return {
        "errors": [{"message": e.message, "extensions": e.extensions} for e in result.errors or []]
    }


@pytest.mark.parametrize(("type_", "field", "value", "reason"), CASES)
def test_refused_as_a_variable_and_inline(type_: str, field: str, value: Any, reason: str) -> None:
    as_variable = _run(f"query($v: {type_}) {{ {field} }}", {"v": value})
    inline = _run("{ " + field.replace("$v", json.dumps(value)) + " }")
    for body in (as_variable, inline):
        (error,) = body["errors"]
        assert error["extensions"]["code"] == "BAD_USER_INPUT"
        assert error["extensions"]["reason"] == reason
        assert "（" in error["message"]  # Chinese first, English in parentheses
        assert len(json.dumps(body)) < 1000


def test_datetimes_need_an_offset() -> None:
    query = (
        'mutation($v: DateTime!) { grantCreate(input: {objectId: "x", granteeJurisdiction: '
        '"530102", actions: [READ], reason: "r", expiresAt: $v}) { errors { code } } }'
    )
    (error,) = _run(query, {"v": "2026-12-01T00:00:00"})["errors"]
    assert error["extensions"]["reason"] == "NAIVE_DATETIME"
    (error,) = _run(query, {"v": "9999-12-31T23:59:59-12:00"})["errors"]
    assert error["extensions"]["reason"] == "OUT_OF_RANGE"


def test_a_lone_surrogate_in_a_variable_is_refused_without_echo() -> None:
    body = _run(
        "mutation($v: LongText) { officerAvailabilitySet(input: "
        '{officerId: "x", available: false, reason: $v}) { errors { code } } }',
        {"v": "\ud800" * 9},
    )
    (error,) = body["errors"]
    assert error["extensions"]["reason"] == "SURROGATE"
    json.dumps(body).encode()  # encodable: no surrogate in the answer
