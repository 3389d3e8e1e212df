"""Error codes of the complaint context, and the one exception its rules raise.

A ``ComplaintError`` is an ``ApiError`` (a coded GraphQL error when raised in a resolver);
mutations answer it in their payload's ``errors { field code message }``. Messages are for a
clerk or a member of the public: Chinese first, English in parentheses.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from xietong.api.errors import ApiError


class ComplaintErrorCode(StrEnum):
    NOT_FOUND = "NOT_FOUND"
    """No such complaint (or not in your scope); a wrong tracking code or secret."""
    INVALID = "INVALID"
    """Input a clerk can correct (an empty text, a department of another unit…)."""
    ILLEGAL_TRANSITION = "ILLEGAL_TRANSITION"
    """The complaint's state does not allow this move (the transition table)."""
    NOT_YOUR_COMPLAINT = "NOT_YOUR_COMPLAINT"
    """The move belongs to another party: the office, the receiving or the competent department."""
    SUBJECT_REQUIRED = "SUBJECT_REQUIRED"
    """A complaint names a project (by code) or a market entity (by credit code)."""
    INVALID_CREDIT_CODE = "INVALID_CREDIT_CODE"
    """Not a valid unified social credit code (GB 32100)."""
    CONTACT_REQUIRED = "CONTACT_REQUIRED"
    """A named complaint needs the filer's name and a contact."""
    GROUND_NOT_FOR_REGIME = "GROUND_NOT_FOR_REGIME"
    """The refusal ground has no legal basis in the complaint's regime, or does not fit the
    complaint (refusing an anonymous ground for a named complaint)."""
    CORRECTION_ALREADY_REQUESTED = "CORRECTION_ALREADY_REQUESTED"
    """补正 may be requested once (一次性告知)."""
    NOT_PROCUREMENT = "NOT_PROCUREMENT"
    """Suspending procurement and the respondent's clocks exist only under 94号令."""
    PAUSE_REASON_INVALID = "PAUSE_REASON_INVALID"
    """Only testing, appraisal or expert review pause a complaint being handled."""
    NO_COMPETENT_DEPARTMENT = "NO_COMPETENT_DEPARTMENT"
    """No department of the jurisdiction supervises the project's industry (谁主管谁监管)."""
    AMBIGUOUS_DEPARTMENT = "AMBIGUOUS_DEPARTMENT"
    """Several departments could handle it; name one."""
    INDUSTRY_REQUIRED = "INDUSTRY_REQUIRED"
    """Routing a construction complaint needs the project's industry (or a named department)."""
    POWER_NOT_LISTED = "POWER_NOT_LISTED"
    """The department's published power list has no complaint-handling power for it (R-2)."""
    ALREADY_RATED = "ALREADY_RATED"
    """The filer has rated this answer already."""
    ATTACHMENT_REFUSED = "ATTACHMENT_REFUSED"
    """An attachment of a type we do not accept (never executables), or whose content does not
    match its declared type."""
    ATTACHMENT_TOO_LARGE = "ATTACHMENT_TOO_LARGE"
    """Over the size limit per file or per complaint, or too many files."""
    RATE_LIMITED = "RATE_LIMITED"
    """Too many complaints from this client, or to this unit, in a short time."""


class ComplaintError(ApiError):
    """An expected refusal by a complaint rule: a code, a bilingual message, the field at fault."""

    def __init__(
        self, code: ComplaintErrorCode, message: str, *, field: str | None = None, **extensions: Any
    ) -> None:
        super().__init__(message, code=code.value, **extensions)
        self.error_code = code
        self.field = field
