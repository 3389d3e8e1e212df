"""Error codes of the trading context, and the one exception every rule here raises.

A ``TradingError`` is an ``ApiError``: raised in a resolver it becomes a coded GraphQL error; a
mutation maps it to its payload's ``errors { field code message }``. Messages are for a clerk,
Chinese first, English in parentheses.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from xietong.api.errors import ApiError


class TradingErrorCode(StrEnum):
    INVALID_CREDIT_CODE = "INVALID_CREDIT_CODE"
    """Not a valid unified social credit code (GB 32100); ``position`` names the failing one."""
    INVALID_PERSONAL_ID = "INVALID_PERSONAL_ID"
    """Not a valid resident ID number (GB 11643); the message never repeats the number."""
    INVALID_AMOUNT = "INVALID_AMOUNT"
    """Not an amount of money we accept (yuan with at most two decimals, no floats)."""
    INVALID_CHOICE = "INVALID_CHOICE"
    """Not one of an enum's values or Chinese names."""
    METHOD_NOT_FOR_CATEGORY = "METHOD_NOT_FOR_CATEGORY"
    """The trading method does not exist for the project's category."""
    ILLEGAL_TRANSITION = "ILLEGAL_TRANSITION"
    """The project's state does not allow the action (the lifecycle's transition table)."""
    FORBIDDEN = "FORBIDDEN"
    """The actor's role may not take this action in the lifecycle."""
    MOVE_OUT_OF_ORDER = "MOVE_OUT_OF_ORDER"
    """A move dated before the project's previous move."""
    NO_SUPERVISOR = "NO_SUPERVISOR"
    """R-16: no department of the jurisdiction supervises the project's industry."""
    POWER_NOT_LISTED = "POWER_NOT_LISTED"
    """R-2/R-16: the department's published power list lacks the power to supervise it."""
    INDUSTRY_REQUIRED = "INDUSTRY_REQUIRED"
    """The category's supervisor depends on the industry, and none was given."""
    UNKNOWN_DEPARTMENT = "UNKNOWN_DEPARTMENT"
    """A department named as supervisor is not one of the project jurisdiction's departments."""
    AMBIGUOUS_SUPERVISOR = "AMBIGUOUS_SUPERVISOR"
    """Several departments could supervise; one must be named."""
    INVALID_CATALOGUE = "INVALID_CATALOGUE"
    """A trading catalogue (应进必进目录) that does not hold together."""
    INVALID_VALUE = "INVALID_VALUE"
    """A value the input rules refuse (text, time, day, address); the message says which rule."""
    REQUIRED = "REQUIRED"
    """A required field is missing or blank."""
    NOT_FOUND = "NOT_FOUND"
    """No such project (or other record) in the jurisdiction, or not one the caller can see."""
    DUPLICATE_ROW = "DUPLICATE_ROW"
    """Two rows of one batch name the same record."""
    PROJECT_CODE_TAKEN = "PROJECT_CODE_TAKEN"
    """Another project of the jurisdiction (from another source) already has this code."""
    SOURCE_ID_TAKEN = "SOURCE_ID_TAKEN"
    """The source id is already used by a project the caller cannot see."""
    BATCH_TOO_LARGE = "BATCH_TOO_LARGE"
    """More rows than one batch may hold (1,000), or none."""
    NOT_ACCEPTING_BIDS = "NOT_ACCEPTING_BIDS"
    """Bids are recorded once bidding has opened, and not for a cancelled project."""


class TradingError(ApiError):
    """An expected refusal by a trading rule: a code, a bilingual message, the field at fault."""

    def __init__(
        self,
        code: TradingErrorCode,
        message: str,
        *,
        field: str | None = None,
        **extensions: Any,
    ) -> None:
        super().__init__(message, code=code.value, **extensions)
        self.error_code = code
        self.field = field
