"""Error codes of the casework context, and the one exception its rules raise."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from xietong.api.errors import ApiError


class CaseworkErrorCode(StrEnum):
    NOT_FOUND = "NOT_FOUND"
    """No such lead, transfer, letter, unit or department in your scope."""
    INVALID = "INVALID"
    """Input a clerk can correct (an empty text, a day in the future…)."""
    ILLEGAL_TRANSITION = "ILLEGAL_TRANSITION"
    """The matter's state does not allow this move (the transition table)."""
    NOT_YOUR_MOVE = "NOT_YOUR_MOVE"
    """The move belongs to the other side (the sender or the receiver) or another department."""
    REASON_REQUIRED = "REASON_REQUIRED"
    """A return (退回) or refusal needs its written reasons (ZENGDU 14, 17)."""
    SAME_UNIT = "SAME_UNIT"
    """A transfer or letter goes to another unit (within a unit, the office hands matters over)."""
    PARTICIPANTS_REQUIRED = "PARTICIPANTS_REQUIRED"
    """Joint verification needs at least two departments of the unit."""
    FINDINGS_MISSING = "FINDINGS_MISSING"
    """A jointly verified lead is disposed of only once every participant recorded a finding."""
    WRONG_RECIPIENT = "WRONG_RECIPIENT"
    """A disposition goes to the body it names: police, discipline inspection, a department."""
    ATTACHMENT_REFUSED = "ATTACHMENT_REFUSED"
    """A material of a type we do not accept, or whose content does not match its type."""
    ATTACHMENT_TOO_LARGE = "ATTACHMENT_TOO_LARGE"
    """Over the size limit per file or per matter, or too many files."""


class CaseworkError(ApiError):
    """An expected refusal by a casework rule: a code, a bilingual message, the field at fault."""

    def __init__(
        self, code: CaseworkErrorCode, message: str, *, field: str | None = None, **extensions: Any
    ) -> None:
        super().__init__(message, code=code.value, **extensions)
        self.error_code = code
        self.field = field
