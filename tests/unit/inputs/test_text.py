"""Text rules: NFC, no controls or surrogates, bounded, and blank means nothing visible."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xietong.inputs import IDENTIFIER, LONG_TEXT, SHORT_TEXT, InputRejected, clean_text, is_blank

# Every code point, surrogates included: what a hostile JSON body can carry.
ANY_TEXT = st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=300)


@given(ANY_TEXT, st.sampled_from([SHORT_TEXT, LONG_TEXT, IDENTIFIER]))
def test_text_is_clean_or_refused_with_a_short_message(value: str, rule: object) -> None:
    try:
        text = clean_text(value, rule)  # type: ignore[arg-type]
    except InputRejected as exc:
        refused = exc
    else:
        refused = None
    if refused is not None:
        assert len(refused.message) < 300
        assert refused.reason
        return
    assert unicodedata.is_normalized("NFC", text)
    assert len(text) <= rule.max_length  # type: ignore[attr-defined]
    allowed = "\n\t" if rule is LONG_TEXT else ""
    for ch in text:
        assert unicodedata.category(ch) not in {"Cs"}
        assert unicodedata.category(ch) != "Cc" or ch in allowed
    assert clean_text(text, rule) == text  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "value",
    [
        "a\x00b",  # NUL: PostgreSQL refuses it in text
        "\ud800",  # a lone surrogate: not text
        "red\x1b[31mtext",  # an ANSI escape
        "bell\x07",
        "csi\x9b31m",  # the one-character C1 form of an ANSI escape
        "line\nbreak",  # no line breaks in a name
        "para\u2029graph",
        "evil\u202etxt.exe",  # bidi override
        "non\ufffe",
    ],
)
def test_names_refuse_control_and_invisible_tricks(value: str) -> None:
    with pytest.raises(InputRejected):
        clean_text(value, SHORT_TEXT)


def test_long_text_keeps_line_breaks_and_tabs_but_no_other_control() -> None:
    assert clean_text("第一行\r\n第二行\t完", LONG_TEXT) == "第一行\n第二行\t完"
    with pytest.raises(InputRejected):
        clean_text("第一行\x1b[2J", LONG_TEXT)


def test_text_is_nfc_and_trimmed() -> None:
    assert clean_text("  Cafe\u0301 \u200b") == "Café"
    assert clean_text("\u3000宣恩县\u3000") == "宣恩县"


@pytest.mark.parametrize(
    ("rule", "limit"), [(SHORT_TEXT, 100), (LONG_TEXT, 2000), (IDENTIFIER, 64)]
)
def test_lengths_are_bounded(rule: object, limit: int) -> None:
    assert clean_text("字" * limit, rule) == "字" * limit  # type: ignore[arg-type]
    with pytest.raises(InputRejected) as caught:
        clean_text("字" * (limit + 1), rule)  # type: ignore[arg-type]
    assert caught.value.reason == "TOO_LONG"
    with pytest.raises(InputRejected):
        clean_text("字" * 10_000_000, rule)  # refused before normalising 10 MB  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "value",
    ["", "   ", "\u200b\u200b", "\u3000", "\u200d\ufeff", "\u3164", "\u0301", "\u2800", "\t\n"],
)
def test_blank_means_no_visible_character(value: str) -> None:
    assert is_blank(clean_text(value, LONG_TEXT))


@pytest.mark.parametrize("value", ["x", "回避", "a\u200bb", "١"])
def test_visible_text_is_not_blank(value: str) -> None:
    assert not is_blank(clean_text(value))


def test_identifiers_have_no_spaces() -> None:
    assert clean_text("xuanen.office", IDENTIFIER) == "xuanen.office"
    for bad in ("xuanen office", "xuanen\u3000office", "a\u00a0b"):
        with pytest.raises(InputRejected):
            clean_text(bad, IDENTIFIER)


@pytest.mark.parametrize("value", [None, 5, 1.5, ["a"], {"a": 1}, True])
def test_only_text_is_text(value: object) -> None:
    with pytest.raises(InputRejected) as caught:
        clean_text(value)
    assert caught.value.reason == "NOT_TEXT"
