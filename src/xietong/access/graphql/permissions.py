"""Permissions declared on a field: who may call it at all, before its resolver runs.

Every mutation declares ``signed_in()`` unless it is public by design (filing a complaint will
be): an anonymous caller then gets ``UNAUTHENTICATED`` at once, never a payload error that would
tell it whether the object it named exists. Finer decisions (role, jurisdiction, power list)
stay with the guard, which needs the object's jurisdiction.
"""

from __future__ import annotations

from typing import Any

from strawberry.permission import BasePermission, PermissionExtension

from xietong.access.errors import Unauthenticated
from xietong.api.context import Info


class SignedIn(BasePermission):
    """The caller is a person or an API key, not the anonymous public."""

    message = "请先登录（sign in first）"

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        return not info.context.principal.is_anonymous

    def on_unauthorized(self) -> None:
        raise Unauthenticated


def signed_in() -> PermissionExtension:
    """For ``@strawberry.mutation(extensions=[signed_in()])``: refuse anonymous callers."""
    return PermissionExtension(permissions=[SignedIn()], use_directives=False)
