"""Error codes of the evaluation context, and the one exception its rules raise."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from xietong.api.errors import ApiError


class EvaluationErrorCode(StrEnum):
    NOT_FOUND = "NOT_FOUND"
    """No such session, site, seat, expert or investigation (or not in your scope)."""
    INVALID = "INVALID"
    """Input a clerk can correct (times in the wrong order, a seat count out of range…)."""
    ILLEGAL_STATE = "ILLEGAL_STATE"
    """The session's (or investigation's) state does not allow this."""
    NOT_YOUR_SITE = "NOT_YOUR_SITE"
    """The act belongs to another site: the home site schedules, starts and investigates; a site
    assigns only its own experts and hands over only its own records."""
    HOST_NOT_ELSEWHERE = "HOST_NOT_ELSEWHERE"
    """A host site is another jurisdiction than the home site, and named once."""
    SEAT_TAKEN = "SEAT_TAKEN"
    """The seat already has an expert, or the expert already sits in this session."""
    NUMBER_TAKEN = "NUMBER_TAKEN"
    """Another session of the jurisdiction uses this number."""


class EvaluationError(ApiError):
    """An expected refusal by an evaluation rule: a code, a bilingual message, the field."""

    def __init__(
        self,
        code: EvaluationErrorCode,
        message: str,
        *,
        field: str | None = None,
        **extensions: Any,
    ) -> None:
        super().__init__(message, code=code.value, **extensions)
        self.error_code = code
        self.field = field
