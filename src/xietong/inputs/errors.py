"""The one error every input rule raises, and a safe way to quote what was sent."""

from __future__ import annotations

import unicodedata

PREVIEW_LENGTH = 24


class InputRejected(ValueError):
    """Input that breaks a rule. ``reason`` is a stable machine-readable word for it.

    A ``ValueError``, so pydantic (the tenant loader) reports it as a field error.
    """

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason


def preview(value: object, limit: int = PREVIEW_LENGTH) -> str:
    """A short, printable quotation of ``value`` for an error message.

    Never the whole input (a 9 MB string stays out of the answer) and never a raw control, format
    or surrogate character (they would garble a terminal or break the JSON encoder): those are
    written as ``\\uXXXX``. Anything but text and numbers is named by its type only.
    """
    if isinstance(value, bool) or value is None:
        return str(value).lower()
    if isinstance(value, int):
        return str(value) if value.bit_length() < 64 else "<大数 big number>"
    if not isinstance(value, str):
        return f"<{type(value).__name__}>"
    shown = "".join(_printable(ch) for ch in value[:limit])
    more = f"…（共{len(value)}字符 {len(value)} chars）" if len(value) > limit else ""
    return f"“{shown}”{more}"


def _printable(ch: str) -> str:
    if unicodedata.category(ch) in {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}:
        return f"\\u{ord(ch):04x}"
    return ch
