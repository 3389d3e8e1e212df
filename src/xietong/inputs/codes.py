"""Jurisdiction codes as written by people: exactly six ASCII digits.

``str.isdigit`` and ``int`` accept far more than that (``"42282²"``, full-width ``"４２２８２５"``,
Arabic-Indic or mathematical digits), so the rule is a plain ASCII pattern. What the code says
about the tree (levels, parents, subtrees) is ``xietong.jurisdictions.codes``.
"""

from __future__ import annotations

import re

from xietong.inputs.errors import InputRejected, preview

_SIX_ASCII_DIGITS = re.compile(r"[0-9]{6}")
_FIRST_PROVINCE = 11  # GB/T 2260 province prefixes start at 11 (北京)


class InvalidCode(InputRejected):
    """The value is not a well-formed six-digit GB/T 2260 code."""

    def __init__(self, message: str) -> None:
        super().__init__(message, reason="JURISDICTION_CODE")


def jurisdiction_code(value: object) -> int:
    """The code written as text (six ASCII digits), as an integer."""
    text = value if isinstance(value, str) else ""
    if not _SIX_ASCII_DIGITS.fullmatch(text):
        raise InvalidCode(
            f"行政区划代码应为6位半角数字，收到 {preview(value)}"
            "（a jurisdiction code is six ASCII digits, e.g. 422825）"
        )
    code = int(text)
    if code // 10000 < _FIRST_PROVINCE:
        raise InvalidCode(
            f"行政区划代码 {text} 没有省级前缀，前两位应在11–82之间"
            "（a GB/T 2260 code starts with a province prefix 11–82）"
        )
    return code
