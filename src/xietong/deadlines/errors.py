"""Error codes of the deadline engine. Messages are for a clerk: Chinese first, English after."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from xietong.api.errors import ApiError


class DeadlineErrorCode(StrEnum):
    AMOUNT_OUT_OF_RANGE = "AMOUNT_OUT_OF_RANGE"
    DATE_OUT_OF_RANGE = "DATE_OUT_OF_RANGE"
    NAIVE_INSTANT = "NAIVE_INSTANT"
    INVALID_PAUSE = "INVALID_PAUSE"
    PAUSE_NOT_ALLOWED = "PAUSE_NOT_ALLOWED"
    PAUSE_LIMIT_EXCEEDED = "PAUSE_LIMIT_EXCEEDED"
    UNKNOWN_RULE = "UNKNOWN_RULE"
    START_EVENT_MISSING = "START_EVENT_MISSING"
    INVALID_JURISDICTION = "INVALID_JURISDICTION"
    # Obligations (``obligations.py``)
    NOT_FOUND = "NOT_FOUND"
    INVALID_MATTER = "INVALID_MATTER"
    INVALID_DEPARTMENT = "INVALID_DEPARTMENT"
    INVALID_START = "INVALID_START"
    INSTANT_REQUIRED = "INSTANT_REQUIRED"
    """An hour clock counts from an instant, not a day (``open_obligation(started_at=...)``);
    the public ``deadline`` query counts days only."""


class DeadlineError(ApiError):
    """A deadline cannot be computed from what was given; ``code`` says why."""

    code = "BAD_USER_INPUT"

    def __init__(self, code: DeadlineErrorCode, message: str) -> None:
        super().__init__(message, code=code.value)
        self.error_code = code


class ObligationNotFound(DeadlineError):
    """No obligation of that matter (and rule) is open: answered ``NOT_FOUND``."""

    def __init__(self, message: str) -> None:
        super().__init__(DeadlineErrorCode.NOT_FOUND, message)


@dataclass(frozen=True, slots=True)
class FileProblem:
    """One problem in a file an operator wrote: where (``entry``) and what is wrong."""

    entry: str
    message: str

    def __str__(self) -> str:
        return f"{self.entry}: {self.message}"


class CalendarFileError(Exception):
    """A calendar file is wrong; nothing in it may be used. Lists every problem found."""

    def __init__(self, file: str, problems: list[FileProblem]) -> None:
        self.file = file
        self.problems = problems
        super().__init__("\n".join(f"{file}: {p}" for p in problems))
