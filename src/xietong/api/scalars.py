"""GraphQL scalars for validated input: the rules of ``xietong.inputs``, applied while GraphQL
coerces arguments and variables, before any resolver runs.

A resolver therefore receives a code as an ``int`` that is a well-formed GB/T 2260 code, text that
is NFC, printable and bounded, and instants that carry an offset; it never parses input itself.
A value that breaks a rule is refused with ``InvalidScalarInput``: a GraphQL error whose
``extensions`` say ``code: BAD_USER_INPUT`` plus the rule's ``reason``, with a bilingual message
that quotes at most a short, escaped preview of the value, and whose original error is a
``ScalarInputRejected`` (both ``BadUserInput`` and ``ValueError``). graphql-core keeps the
extensions when it wraps the error for a variable ("Variable '$c' has invalid value: …"), so the
error boundary can classify both the inline and the variable form by either.

``Date`` and ``DateTime`` keep their usual names; they replace strawberry's lenient parsers.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any, NewType

import strawberry
from graphql import GraphQLError, ValueNode, value_from_ast_untyped
from strawberry.types.scalar import ScalarDefinition

from xietong import inputs
from xietong.api.errors import BadUserInput
from xietong.inputs import CHINA, InputRejected, TextRule
from xietong.inputs.temporal import MAX_YEAR, MIN_YEAR

JurisdictionCode = NewType("JurisdictionCode", int)
"""A GB/T 2260 code; resolvers receive it as an ``int``."""
ShortText = NewType("ShortText", str)
LongText = NewType("LongText", str)
Login = NewType("Login", str)
Base64 = NewType("Base64", bytes)
"""A file, sent as standard base64; resolvers receive the decoded ``bytes``."""


class ScalarInputRejected(BadUserInput, ValueError):
    """The rule's refusal as the error boundary classifies it: an ``ApiError`` with code
    ``BAD_USER_INPUT`` (and the rule's ``reason``), and a ``ValueError`` with a bilingual message,
    which is how graphql-core and the boundary recognise a scalar's own refusal of a value."""


class InvalidScalarInput(GraphQLError):
    """A value refused by an input rule while GraphQL coerced it: always ``BAD_USER_INPUT``."""

    def __init__(self, rejected: InputRejected, scalar: str, node: ValueNode | None = None) -> None:
        extensions = {"reason": rejected.reason, "type": scalar}
        super().__init__(
            rejected.message,
            nodes=node,
            original_error=ScalarInputRejected(rejected.message, **extensions),
            extensions={"code": "BAD_USER_INPUT", **extensions},
        )


def _scalar(
    name: str, description: str, rule: Callable[[Any], Any], serialize: Callable[[Any], Any]
) -> ScalarDefinition:
    def parse_value(value: Any) -> Any:
        try:
            return rule(value)
        except InputRejected as exc:
            raise InvalidScalarInput(exc, name) from None

    def parse_literal(node: ValueNode, variables: dict[str, Any] | None = None) -> Any:
        try:
            return rule(value_from_ast_untyped(node, variables))
        except InputRejected as exc:
            raise InvalidScalarInput(exc, name, node) from None
        except ValueError:  # an integer literal too long for Python to read
            raise InvalidScalarInput(
                InputRejected("数值过大（number too large）", reason="OUT_OF_RANGE"), name, node
            ) from None

    return strawberry.scalar(
        name=name,
        description=description,
        serialize=serialize,
        parse_value=parse_value,
        parse_literal=parse_literal,
    )


def _text(rule: TextRule) -> Callable[[Any], str]:
    return lambda value: inputs.clean_text(value, rule)


def _serialize_datetime(value: datetime) -> str:
    # Instants are shown in China time; the offset keeps them unambiguous for any client.
    return (value.astimezone(CHINA) if value.tzinfo is not None else value).isoformat()


SCALARS: Mapping[object, ScalarDefinition] = {
    JurisdictionCode: _scalar(
        "JurisdictionCode",
        'A GB/T 2260 jurisdiction code: exactly six ASCII digits, e.g. "422825" (宣恩县). '
        "Full-width and other digits are refused.",
        inputs.jurisdiction_code,
        lambda code: f"{code:06d}",
    ),
    ShortText: _scalar(
        "ShortText",
        f"A name or title: one line, at most {inputs.SHORT_TEXT.max_length:,} characters, "
        "NFC-normalised, without control characters; surrounding spaces are dropped.",
        _text(inputs.SHORT_TEXT),
        str,
    ),
    LongText: _scalar(
        "LongText",
        f"A reason or note: at most {inputs.LONG_TEXT.max_length:,} characters, line breaks and "
        "tabs allowed, NFC-normalised, without other control characters.",
        _text(inputs.LONG_TEXT),
        str,
    ),
    Login: _scalar(
        "Login",
        f"A sign-in name, e.g. `xuanen.office`: at most {inputs.IDENTIFIER.max_length} "
        "characters, no spaces or control characters.",
        _text(inputs.IDENTIFIER),
        str,
    ),
    Base64: _scalar(
        "Base64",
        "A file's content in standard base64 (RFC 4648, padded, no line breaks), at most "
        f"{inputs.MAX_BASE64_BYTES // 1024} KiB decoded (and within the request body limit).",
        inputs.base64_bytes,
        lambda content: base64.b64encode(content).decode("ascii"),
    ),
    datetime: _scalar(
        "DateTime",
        "An instant in ISO 8601 with its offset from UTC, e.g. 2026-11-26T09:30:00+08:00 "
        f"(a time without an offset is refused), years {MIN_YEAR}–{MAX_YEAR}. "
        "Answers are given in China time (+08:00).",
        inputs.aware_datetime,
        _serialize_datetime,
    ),
    date: _scalar(
        "Date",
        "A calendar day in China (Asia/Shanghai), written YYYY-MM-DD, e.g. 2026-11-26; "
        f"years {MIN_YEAR}–{MAX_YEAR}.",
        inputs.china_day,
        date.isoformat,
    ),
}
"""Every custom scalar, for ``StrawberryConfig(scalar_map=…)``."""
