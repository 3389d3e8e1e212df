"""Who is calling: a person, an integrator's API key, or nobody (the public)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum

from xietong.access.roles import Role
from xietong.jurisdictions.enums import DepartmentKind, Industry

# Roles that read and roll up but never write (YUNNAN 十一 for discipline and audit).
READ_ONLY_ROLES = frozenset({Role.DISCIPLINE_INSPECTION, Role.AUDIT, Role.LEADERSHIP, Role.PUBLIC})


class PrincipalKind(StrEnum):
    PERSON = "person"
    API_KEY = "api_key"
    ANONYMOUS = "anonymous"


@dataclass(frozen=True, slots=True)
class RoleAssignment:
    role: Role
    jurisdiction_code: int

    @property
    def subject(self) -> str:
        """The Casbin subject for this assignment: a role held somewhere."""
        return f"{self.role.value}@{self.jurisdiction_code}"


@dataclass(frozen=True, slots=True)
class Department:
    id: uuid.UUID
    key: str
    name: str
    kind: DepartmentKind
    industry: Industry | None


@dataclass(frozen=True, slots=True)
class Principal:
    kind: PrincipalKind
    actor: str
    """What the audit trail records: a login, ``key:<prefix>`` or ``anonymous``."""
    name: str
    jurisdiction_code: int | None = None
    roles: tuple[RoleAssignment, ...] = ()
    person_id: uuid.UUID | None = None
    department: Department | None = None
    api_key_id: uuid.UUID | None = None

    @property
    def is_anonymous(self) -> bool:
        return self.kind is PrincipalKind.ANONYMOUS

    @property
    def login(self) -> str | None:
        return self.actor if self.kind is PrincipalKind.PERSON else None

    @property
    def read_only(self) -> bool:
        return all(a.role in READ_ONLY_ROLES for a in self.roles)


ANONYMOUS = Principal(
    kind=PrincipalKind.ANONYMOUS,
    actor="anonymous",
    name="社会公众",
    roles=(),
)
