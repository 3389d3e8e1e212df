"""Text as the service stores it: NFC, printable, bounded, and never blank by accident.

- NFC normalisation, so the same name typed on two systems compares equal.
- Refused anywhere: NUL and every other control character (ANSI escapes start with one), lone
  surrogates (not text at all; PostgreSQL and JSON refuse them), noncharacters, and the bidi
  embedding/override/isolate controls that make text display differently from what it says.
- Line breaks and tabs only in long text; ``\\r\\n``, ``\\r`` and U+2028/U+2029 become ``\\n``.
- An explicit maximum length per kind of text, counted in characters after normalisation.
- Leading and trailing invisible characters are dropped; text with no visible character left
  (spaces, zero-width characters, fillers) is blank.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from xietong.inputs.errors import InputRejected

# Bidi embeddings, overrides and isolates (not the LRM/RLM/ALM marks, which names in Uyghur or
# Arabic script may legitimately carry).
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Letters and symbols that render as nothing (Hangul and Braille fillers, Mongolian separator).
_FILLERS = frozenset("\u115f\u1160\u3164\uffa0\u2800\u180e")
_INVISIBLE_CATEGORIES = frozenset({"Zs", "Zl", "Zp", "Cc", "Cf", "Mn", "Me", "Mc"})
_NEWLINES = re.compile(r"\r\n|[\r\u2028\u2029]")
# Everything ``_check_character`` may refuse, found in one pass by ``re`` rather than a Python
# loop over every character: controls (Cc), line/paragraph separators, surrogates, bidi controls,
# noncharacters. Tab and line feed are judged by the rule.
_SUSPECT = re.compile(
    "[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\u202a-\u202e\u2066-\u2069"
    "\ufdd0-\ufdef"
    + "".join(
        f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(17)
    )
    + "]"
)
# A normalised string is never shorter than a third of its input (Hangul jamo compose three to
# one), so longer input is refused before paying for normalisation.
_NFC_SHRINK = 3


@dataclass(frozen=True, slots=True)
class TextRule:
    """A kind of text: how long it may be and whether it may span lines."""

    max_length: int
    multiline: bool = False
    spaces: bool = True
    """False for identifiers (logins, keys): no whitespace at all."""
    zh: str = "文本"
    en: str = "text"


SHORT_TEXT = TextRule(max_length=100, zh="名称", en="a name")
"""Names and titles: one line, at most 100 characters."""

LONG_TEXT = TextRule(max_length=2000, multiline=True, zh="说明", en="the text")
"""Reasons, notes, descriptions: line breaks and tabs allowed, at most 2,000 characters."""

IDENTIFIER = TextRule(max_length=64, spaces=False, zh="标识", en="an identifier")
"""Logins, department keys, certificate numbers: one word, at most 64 characters."""


def clean_text(value: object, rule: TextRule = SHORT_TEXT) -> str:
    """``value`` normalised and checked against ``rule``; may be blank (see ``is_blank``)."""
    if not isinstance(value, str):
        raise InputRejected(f"{rule.zh}应为字符串（{rule.en} must be a string）", reason="NOT_TEXT")
    if len(value) > rule.max_length * _NFC_SHRINK:
        raise _too_long(rule)
    if rule.multiline:
        value = _NEWLINES.sub("\n", value)
    for found in _SUSPECT.finditer(value):
        _check_character(found.group(), rule)
    if not rule.spaces and any(ch.isspace() for ch in value):
        raise InputRejected(
            f"{rule.zh}不能含有空格（{rule.en} may not contain spaces）", reason="SPACE"
        )
    text = _strip(unicodedata.normalize("NFC", value))
    if len(text) > rule.max_length:
        raise _too_long(rule)
    return text


def is_blank(text: str) -> bool:
    """Whether ``text`` has no visible character (only spaces, zero-width characters…)."""
    return not any(_visible(ch) for ch in text)


def _check_character(ch: str, rule: TextRule) -> None:
    category = unicodedata.category(ch)
    if category == "Cs":
        raise InputRejected(
            f"{rule.zh}含有无效的代理字符（{rule.en} contains a lone surrogate: not text）",
            reason="SURROGATE",
        )
    if category in {"Cc", "Zl", "Zp"} and not (rule.multiline and ch in "\n\t"):
        where = f"U+{ord(ch):04X}"
        raise InputRejected(
            f"{rule.zh}不能含有控制字符 {where}"
            + ("" if rule.multiline else "，也不能换行")
            + f"（{rule.en} may not contain the control character {where}"
            + ("" if rule.multiline else " or a line break")
            + "）",
            reason="CONTROL_CHARACTER",
        )
    if ch in _BIDI_CONTROLS:
        raise InputRejected(
            f"{rule.zh}不能含有改变文字方向的控制符（{rule.en} may not contain bidi override "
            f"U+{ord(ch):04X}）",
            reason="BIDI_CONTROL",
        )
    if _noncharacter(ch):
        raise InputRejected(
            f"{rule.zh}含有非字符码位（{rule.en} contains the noncharacter U+{ord(ch):04X}）",
            reason="NONCHARACTER",
        )


def _noncharacter(ch: str) -> bool:
    point = ord(ch)
    return 0xFDD0 <= point <= 0xFDEF or (point & 0xFFFE) == 0xFFFE


def _visible(ch: str) -> bool:
    return ch not in _FILLERS and unicodedata.category(ch) not in _INVISIBLE_CATEGORIES


def _strippable(ch: str) -> bool:
    return ch.isspace() or ch in _FILLERS or unicodedata.category(ch) in {"Zs", "Cf"}


def _strip(text: str) -> str:
    start, end = 0, len(text)
    while start < end and _strippable(text[start]):
        start += 1
    while end > start and _strippable(text[end - 1]):
        end -= 1
    return text[start:end]


def _too_long(rule: TextRule) -> InputRejected:
    return InputRejected(
        f"{rule.zh}最多{rule.max_length}个字符"
        f"（{rule.en} is at most {rule.max_length:,} characters）",
        reason="TOO_LONG",
    )
