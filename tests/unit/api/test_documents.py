"""The document cache and the checks every request passes before it may run."""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any, NewType

import pytest
import strawberry
from graphql import GraphQLError
from hypothesis import given, settings
from hypothesis import strategies as st
from strawberry.schema.config import StrawberryConfig

from xietong.api import documents
from xietong.api.documents import MAX_DOCUMENT_CHARS, DocumentCache
from xietong.api.errors import MAX_MESSAGE_CHARS
from xietong.config import GraphQLSettings
from xietong.schema import build_schema

DOCUMENTS = build_schema().documents
JURISDICTION = "query($c: JurisdictionCode!) { jurisdiction(code: $c) { code } }"


def codes(errors: list[GraphQLError]) -> list[str]:
    return [str((e.extensions or {}).get("code")) for e in errors]


def check(query: str, variables: dict[str, Any] | None = None, name: str | None = None) -> Any:
    return DOCUMENTS.check(query, name, variables)


def assert_bilingual(errors: list[GraphQLError]) -> None:
    for error in errors:
        assert any("\u4e00" <= c <= "\u9fff" for c in error.message[:30]), error.message
        assert "（" in error.message, error.message  # English in parentheses
        assert len(error.message) <= MAX_MESSAGE_CHARS


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({}, "缺少必填变量 $c"),
        ({"c": None}, "缺少必填变量 $c"),
        ({"c": [1]}, "变量 $c 的值无效"),
        ({"c": {"x": 1}}, "变量 $c 的值无效"),
    ],
)
def test_variables_that_do_not_fit_are_bad_user_input(
    variables: dict[str, Any], message: str
) -> None:
    checked = check(JURISDICTION, variables)
    assert codes(checked.errors) == ["BAD_USER_INPUT"]
    assert checked.errors[0].message.startswith(message)
    assert checked.errors[0].extensions["variable"] == "c"
    assert_bilingual(checked.errors)


def test_an_unknown_enum_value_is_bad_user_input() -> None:
    checked = check(
        "query($l: JurisdictionLevel) { jurisdictions(level: $l) { code } }", {"l": "CONTINENT"}
    )
    assert codes(checked.errors) == ["BAD_USER_INPUT"]
    assert "CONTINENT" in checked.errors[0].message


def test_a_list_of_many_bad_values_gives_a_bounded_number_of_errors() -> None:
    checked = check(
        "mutation($i: ApiKeyCreateInput!) { apiKeyCreate(input: $i) { errors { code } } }",
        {"i": {"name": "erp", "jurisdiction": "422825", "roles": ["NOPE"] * 10_000}},
    )
    assert len(checked.errors) == documents.MAX_VARIABLE_ERRORS + 1  # and "too many"
    assert set(codes(checked.errors)) == {"BAD_USER_INPUT"}
    assert_bilingual(checked.errors)


def test_an_input_is_never_echoed_whole() -> None:
    huge = "4" * 900_000
    checked = check("query($n: Int) { people(first: $n) { totalCount } }", {"n": huge})
    assert codes(checked.errors) == ["BAD_USER_INPUT"]
    assert len(checked.errors[0].message) <= MAX_MESSAGE_CHARS
    checked = check("{ jurisdiction(code: %s) { code } }" % ("9" * 50_000))
    assert codes(checked.errors) == ["BAD_USER_INPUT"]  # the scalar refuses it
    assert len(checked.errors[0].message) <= MAX_MESSAGE_CHARS


def test_a_5000_digit_first_is_a_coded_error_without_pythons_text() -> None:
    checked = check("{ people(first: %s) { totalCount } }" % ("9" * 5000))
    assert codes(checked.errors) == ["GRAPHQL_VALIDATION_FAILED"]
    message = checked.errors[0].message
    assert "4300" not in message
    assert "sys." not in message
    assert_bilingual(checked.errors)


def test_syntax_errors_say_where() -> None:
    checked = check("{ jurisdiction(")
    assert codes(checked.errors) == ["GRAPHQL_PARSE_FAILED"]
    assert checked.errors[0].locations
    assert_bilingual(checked.errors)


def test_validation_errors_are_coded_and_bilingual() -> None:
    checked = check('{ jurisdiction(code: "422825") { shoeSize } }')
    assert codes(checked.errors) == ["GRAPHQL_VALIDATION_FAILED"]
    assert "shoeSize" in checked.errors[0].message
    assert_bilingual(checked.errors)


def nested(levels: int) -> str:
    return (
        '{ jurisdiction(code: "422825") { '
        + "parent { " * (levels - 2)
        + "name"
        + " }" * (levels - 2)
        + " } }"
    )


def test_max_depth_10_accepts_depth_10_and_refuses_11() -> None:
    assert check(nested(10)).errors == []
    refused = check(nested(11)).errors
    assert codes(refused) == ["QUERY_TOO_COSTLY"]
    assert refused[0].extensions == {
        "code": "QUERY_TOO_COSTLY",
        "limit": "depth",
        "value": 11,
        "max": 10,
    }
    assert refused[0].message.startswith("查询嵌套过深")
    assert_bilingual(refused)


def test_the_depth_limit_follows_its_setting() -> None:
    cache = DocumentCache(DOCUMENTS.schema, GraphQLSettings(max_depth=3))
    assert cache.check(nested(3)).errors == []
    assert codes(cache.check(nested(4)).errors) == ["QUERY_TOO_COSTLY"]


def test_aliases_tokens_and_size_are_limited_in_both_languages() -> None:
    aliases = " ".join(f'a{i}: jurisdiction(code: "422825") {{ code }}' for i in range(31))
    refused = check(f"{{ {aliases} }}").errors
    assert [e.extensions["limit"] for e in refused] == ["aliases"]
    tokens = check("{ " + "__typename " * 2001 + "}").errors
    assert [e.extensions["limit"] for e in tokens] == ["tokens"]
    size = check("{ __typename }" + " " * MAX_DOCUMENT_CHARS).errors
    assert [e.extensions["limit"] for e in size] == ["characters"]
    for errors in (refused, tokens, size):
        assert codes(errors) == ["QUERY_TOO_COSTLY"]
        assert_bilingual(errors)


def fragment_bomb(levels: int) -> str:
    return (
        "query{...F0}"
        + "".join(f"fragment F{i} on Query{{...F{i + 1} ...F{i + 1}}}" for i in range(levels))
        + f"fragment F{levels} on Query{{__typename}}"
    )


def test_the_fragment_bomb_is_refused_before_any_rule_that_expands_fragments(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def must_not_run(*_: object, **__: object) -> list[GraphQLError]:
        raise AssertionError("the standard rules ran on a document over the limits")

    monkeypatch.setattr(documents, "validate", must_not_run)
    cache = DocumentCache(DOCUMENTS.schema, GraphQLSettings(max_tokens=100_000))
    for levels in (20, 400):  # the second is 2^400 selections once expanded
        (refused,) = cache.check(fragment_bomb(levels)).errors
        assert refused.extensions["code"] == "QUERY_TOO_COSTLY"
        assert refused.extensions["limit"] == "cost"
    assert cache.check(fragment_bomb(20)).errors[0].extensions["cost"] == 2**20


def test_a_variable_first_is_costed_with_the_value_sent() -> None:
    query = """query($n: Int) { people(first: $n) { nodes { roles { jurisdiction {
               children { code } } } } } }"""
    assert check(query, {"n": 2}).errors == []
    refused = check(query, {"n": 100}).errors
    assert codes(refused) == ["QUERY_TOO_COSTLY"]
    assert codes(check(query, {}).errors) == []  # null: the default page of 20


def test_the_operation_to_run_must_be_named_when_there_are_several() -> None:
    two = "query A { __typename } query B { __typename }"
    assert codes(check(two).errors) == ["BAD_USER_INPUT"]
    assert check(two, name="B").errors == []
    unknown = check(two, name="C" * 10_000).errors
    assert codes(unknown) == ["BAD_USER_INPUT"]
    assert len(unknown[0].message) < 300


def test_documents_are_cached_by_their_text_in_a_bounded_lru() -> None:
    cache = DocumentCache(DOCUMENTS.schema, GraphQLSettings(), cache_size=2)
    first = cache.prepare("{ a: __typename }")
    assert cache.prepare("{ a: __typename }") is first
    cache.prepare("{ b: __typename }")
    cache.prepare("{ c: __typename }")
    assert cache.prepare("{ a: __typename }") is not first  # evicted
    info = cache.cache_info()
    assert (info.hits, info.currsize, info.maxsize) == (1, 2, 2)


def test_refusals_are_cached_too_but_variable_checks_run_per_request() -> None:
    cache = DocumentCache(DOCUMENTS.schema, GraphQLSettings(), cache_size=4)
    assert cache.check(JURISDICTION, None, {"c": "422825"}).errors == []
    assert codes(cache.check(JURISDICTION, None, {}).errors) == ["BAD_USER_INPUT"]
    assert cache.check(JURISDICTION, None, {"c": "110000"}).errors == []
    assert cache.cache_info().misses == 1


def test_without_introspection_schema_questions_and_suggestions_are_refused() -> None:
    closed = DocumentCache(
        DOCUMENTS.schema, GraphQLSettings(introspection=False, suggestions=False)
    )
    assert set(codes(closed.check("{ __schema { types { name } } }").errors)) == {
        "GRAPHQL_VALIDATION_FAILED"
    }
    error = closed.check('{ jurisdiction(code: "1") { nam } }').errors[0]
    assert "name" not in error.message.replace("nam ", "").replace("'nam'", "")
    assert "Did you mean" not in error.message
    assert closed.check("{ __typename }").errors == []


# A scalar of ours refuses a value by raising ValueError with a bilingual message (the input
# rules module adds such scalars); the edge must answer it as the caller's mistake.

Digits = NewType("Digits", str)


def _digits(value: object) -> str:
    if not (isinstance(value, str) and value.isascii() and value.isdigit() and len(value) == 6):
        raise ValueError("须为六位数字（must be six ASCII digits）")
    return value


@strawberry.type
class _Query:
    @strawberry.field
    def echo(self, code: Digits) -> str:
        return str(code)


SCALARS = DocumentCache(
    strawberry.Schema(
        query=_Query,
        config=StrawberryConfig(
            scalar_map={
                Digits: strawberry.scalar(
                    name="Digits",
                    description="Six ASCII digits.",
                    serialize=str,
                    parse_value=_digits,
                )
            }
        ),
    )._schema,
    GraphQLSettings(),
)


def test_a_scalar_refusing_a_variable_is_bad_user_input_with_its_own_message() -> None:
    checked = SCALARS.check("query($c: Digits!) { echo(code: $c) }", None, {"c": "42282²"})
    assert codes(checked.errors) == ["BAD_USER_INPUT"]
    assert checked.errors[0].message == "变量 $c 的值无效：须为六位数字（must be six ASCII digits）"
    assert (
        SCALARS.check("query($c: Digits!) { echo(code: $c) }", None, {"c": "422825"}).errors == []
    )


def test_a_scalar_refusing_a_literal_is_a_validation_error_with_its_own_message() -> None:
    checked = SCALARS.check('{ echo(code: "４２２８２５") }')
    assert codes(checked.errors) == ["GRAPHQL_VALIDATION_FAILED"]
    assert checked.errors[0].message == "参数值无效：须为六位数字（must be six ASCII digits）"


@settings(max_examples=200, deadline=None)
@given(value=st.one_of(st.text(), st.integers(), st.floats(), st.lists(st.text(), max_size=5)))
def test_any_variable_value_gets_a_coded_bounded_answer(value: object) -> None:
    checked = check(JURISDICTION, {"c": value})
    if checked.errors:
        assert codes(checked.errors) == ["BAD_USER_INPUT"]
        assert_bilingual(checked.errors)


def test_settings_reach_the_cache() -> None:
    settings_ = dataclasses.replace(GraphQLSettings(), document_cache_size=7)
    assert DocumentCache(DOCUMENTS.schema, settings_).cache_info().maxsize == 7


def test_the_cache_is_bounded_in_tokens_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(documents, "MAX_CACHED_TOKENS", 100)
    cache = DocumentCache(DOCUMENTS.schema, GraphQLSettings(), cache_size=50)
    small = [f"{{ a{i}: __typename }}" for i in range(3)]  # 7 tokens with <SOF> and <EOF>
    for query in small:
        cache.prepare(query)
    assert (cache.cache_info().currsize, cache.cache_info().tokens) == (3, 21)
    large = "{ " + "__typename " * 95 + "}"
    cache.prepare(large)  # 99 tokens: the small ones make room
    assert (cache.cache_info().currsize, cache.cache_info().tokens) == (1, 99)
    assert cache.prepare(large) is cache.prepare(large)
    too_large = "{ " + "__typename " * 120 + "}"
    assert cache.prepare(too_large) is not cache.prepare(too_large)  # never kept


def test_an_impossible_date_in_variables_is_bad_user_input() -> None:
    checked = check(
        "mutation($i: ApiKeyCreateInput!) { apiKeyCreate(input: $i) { errors { code } } }",
        {
            "i": {
                "name": "erp",
                "jurisdiction": "422825",
                "roles": ["INTEGRATOR"],
                "expiresOn": "2025-02-30",
            }
        },
    )
    assert codes(checked.errors) == ["BAD_USER_INPUT"]
    assert "2025-02-30" in checked.errors[0].message
    assert_bilingual(checked.errors)


def test_executing_the_schema_directly_applies_the_same_checks() -> None:
    """Not only the HTTP edge: ``schema.execute`` answers from the same cache and limits."""
    schema = build_schema()
    result = asyncio.run(schema.execute(fragment_bomb(20)))
    assert result.data is None
    assert codes(list(result.errors or ())) == ["QUERY_TOO_COSTLY"]
    result = asyncio.run(schema.execute(JURISDICTION, variable_values={}))
    assert codes(list(result.errors or ())) == ["BAD_USER_INPUT"]
    assert asyncio.run(schema.execute("{ __typename }")).data == {"__typename": "Query"}
