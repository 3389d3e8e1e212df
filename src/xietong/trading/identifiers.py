"""Normalising identifiers typed or pasted by people: strip, upper-case ASCII, and nothing more.

A full-width “９” or a Cyrillic “А” looks like the real thing but is not: converting it silently
would let two spellings of one code coexist upstream and hide a broken form or a forgery. We
refuse it and say which position holds what, so the clerk can retype it.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from xietong.trading.errors import TradingError, TradingErrorCode

MAX_RAW_LENGTH = 64
"""Anything longer is refused before it is looked at character by character."""


@dataclass(frozen=True, slots=True)
class CodeProblem:
    """Why an identifier is refused: the code, the 1-based position at fault, a message."""

    code: TradingErrorCode
    position: int | None
    message: str

    def error(self, field: str | None) -> TradingError:
        return TradingError(self.code, self.message, field=field, position=self.position)


def upper_ascii(text: str) -> str:
    """Upper-case ASCII letters only (``str.upper`` would also fold ``ß`` and friends)."""
    return "".join(chr(ord(c) - 32) if "a" <= c <= "z" else c for c in text)


def describe_character(char: str) -> str:
    """How to name a refused character in a message: itself, its code point, and a hint."""
    point = f"U+{ord(char):04X}"
    folded = unicodedata.normalize("NFKC", char)
    if folded != char and folded.isascii() and folded.isprintable() and folded.strip():
        return f"“{char}”（{point}）为全角或兼容字符，请改用半角“{folded}”（full-width look-alike）"
    name = unicodedata.name(char, "")
    if not char.isprintable() or not name:
        return f"{point} 为不可见或控制字符（invisible or control character）"
    return f"“{char}”（{point} {name}）不是半角英文字母或数字（not an ASCII letter or digit）"


def first_non_ascii(
    text: str, code: TradingErrorCode, what: str, *, redact: bool = False
) -> CodeProblem | None:
    """The first character that is not printable ASCII, as a problem naming its position.

    ``redact`` leaves the character out of the message (personal data stays out of errors).
    """
    for index, char in enumerate(text):
        if not (char.isascii() and char.isprintable()):
            position = index + 1
            detail = "含有非半角字符（non-ASCII character）" if redact else describe_character(char)
            return CodeProblem(code, position, f"{what}第{position}位{detail}")
    return None


def normalise(
    raw: object,
    code: TradingErrorCode,
    what: str,
    *,
    fold: Callable[[str], str] = upper_ascii,
    redact: bool = False,
) -> str | CodeProblem:
    """``raw`` stripped and upper-cased (ASCII), or the problem that prevents it."""
    if not isinstance(raw, str):
        return CodeProblem(code, None, f"{what}应为文本（expected text）")
    if len(raw) > MAX_RAW_LENGTH:
        return CodeProblem(
            code, None, f"{what}过长：{len(raw)}个字符（{len(raw)} characters is far too long）"
        )
    text = fold(raw.strip())
    problem = first_non_ascii(text, code, what, redact=redact)
    return problem if problem is not None else text
