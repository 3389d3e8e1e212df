from __future__ import annotations

from enum import StrEnum

from xietong.api.errors import ApiError


class AccessErrorCode(StrEnum):
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    POWER_NOT_LISTED = "POWER_NOT_LISTED"
    NOT_FOUND = "NOT_FOUND"
    INVALID = "INVALID"
    OUT_OF_SCOPE = "OUT_OF_SCOPE"
    ALREADY_REVOKED = "ALREADY_REVOKED"


class AccessDenied(ApiError):
    """Authentication or authorisation refused; a top-level GraphQL error."""

    code = AccessErrorCode.FORBIDDEN.value


class Unauthenticated(AccessDenied):
    code = AccessErrorCode.UNAUTHENTICATED.value

    def __init__(self, message: str = "请先登录（sign in first）") -> None:
        super().__init__(message)
