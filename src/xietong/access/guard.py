"""The per-request gate every resolver goes through: one call per decision, with reasons."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from xietong.access.actions import Action, ObjectType, Reach
from xietong.access.errors import AccessDenied, Unauthenticated
from xietong.access.policy import Authorizer, Decision, live_grants
from xietong.access.principal import Principal, PrincipalKind
from xietong.access.scope import Scope
from xietong.audit import service as audit
from xietong.audit.enums import ActorKind
from xietong.jurisdictions import codes
from xietong.jurisdictions.codes import CodeRange

SELF_LINE = "self: a person may read their own record"

_ACTOR_KINDS = {
    PrincipalKind.PERSON: ActorKind.PERSON,
    PrincipalKind.API_KEY: ActorKind.API_KEY,
    PrincipalKind.ANONYMOUS: ActorKind.ANONYMOUS,
}


@dataclass
class Guard:
    principal: Principal
    scope: Scope
    authorizer: Authorizer
    session: AsyncSession
    _reach: dict[tuple[ObjectType, Action], CodeRange | None] = field(
        default_factory=dict, init=False, repr=False
    )

    async def decide(
        self,
        obj: ObjectType,
        act: Action,
        jurisdiction_code: int,
        *,
        object_id: uuid.UUID | None = None,
    ) -> Decision:
        """Whether the caller may do ``act`` on ``obj`` in ``jurisdiction_code`` (or on that
        one object, considering live grants), and which policy line or grant decided."""
        if self.principal.jurisdiction_code is None:
            return Decision(
                allowed=False, code="UNAUTHENTICATED", message="请先登录（sign in first）"
            )
        if (
            obj is ObjectType.PERSON
            and act is Action.READ
            and object_id is not None
            and object_id == self.principal.person_id
        ):
            # Everyone may read their own record: it is what `me` shows.
            return Decision(allowed=True, lines=(SELF_LINE,), reach=Reach.OWN)
        if not self.scope.app_wall:
            # Test hook: the application's jurisdiction wall is off; only the role and the
            # power list are checked, in the caller's own jurisdiction. PostgreSQL must hold.
            jurisdiction_code = self.principal.jurisdiction_code
        decision = self.authorizer.check(self.principal, obj, act, jurisdiction_code)
        if decision.allowed or object_id is None or decision.code == "POWER_NOT_LISTED":
            return decision
        grants = await live_grants(self.session, obj, object_id)
        if not grants:
            return decision
        return self.authorizer.check(self.principal, obj, act, jurisdiction_code, grants=grants)

    async def require(
        self,
        obj: ObjectType,
        act: Action,
        jurisdiction_code: int,
        *,
        object_id: uuid.UUID | None = None,
    ) -> Decision:
        decision = await self.decide(obj, act, jurisdiction_code, object_id=object_id)
        if decision.allowed:
            return decision
        if decision.code == "UNAUTHENTICATED":
            raise Unauthenticated
        raise AccessDenied(decision.message, code=decision.code)

    async def audit(
        self,
        *,
        action: str,
        object_type: ObjectType,
        object_id: uuid.UUID | None,
        jurisdiction_code: int,
        details: Mapping[str, Any] | None = None,
    ) -> None:
        """Append this caller's action to the audit trail, in the mutation's transaction."""
        await audit.record(
            db_session=self.session,
            jurisdiction_code=jurisdiction_code,
            actor_kind=_ACTOR_KINDS[self.principal.kind],
            actor=self.principal.actor,
            action=action,
            object_type=object_type.value,
            object_id=None if object_id is None else str(object_id),
            details=details,
        )

    def reach(self, obj: ObjectType, act: Action = Action.READ) -> CodeRange | None:
        """For nested objects (DataLoaders): where the caller may ``act`` on ``obj`` as the
        corresponding top-level query would allow it, or None if nowhere. A loader filters by
        this range (plus live grants, which need the same role), so a nested path never returns
        what the query would refuse: a police liaison reads its unit's officer pool but not the
        people in it (no ``person:read``)."""
        key = (obj, act)
        if key not in self._reach:
            own = self.principal.jurisdiction_code
            found = None
            if own is not None:
                decision = self.authorizer.check(self.principal, obj, act, own)
                if decision.allowed:
                    found = (
                        codes.subtree(own)
                        if decision.reach is Reach.SUBTREE
                        else CodeRange(own, own)
                    )
            self._reach[key] = found
        return self._reach[key]

    async def span(self, obj: ObjectType, act: Action, under: int | None = None) -> CodeRange:
        """For lists: the range of jurisdictions the caller may ``act`` on ``obj`` in, at or
        below ``under`` (default: its own unit). A role whose line reaches its own unit only
        lists that unit; a subtree line lists the whole subtree."""
        code = under if under is not None else self.principal.jurisdiction_code
        if code is None:
            raise Unauthenticated
        decision = await self.require(obj, act, code)
        return codes.subtree(code) if decision.reach is Reach.SUBTREE else CodeRange(code, code)
