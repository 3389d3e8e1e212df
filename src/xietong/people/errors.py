from __future__ import annotations

from enum import StrEnum


class PeopleErrorCode(StrEnum):
    NOT_FOUND = "NOT_FOUND"
    REASON_REQUIRED = "REASON_REQUIRED"
