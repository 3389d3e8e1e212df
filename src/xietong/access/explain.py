"""The person ``explainAccess`` asks about, looked up through the caller's own scope.

Not through the sign-in function: that one answers only for a login the application has just
verified a credential for. Here the caller names any login, so the answer must not tell a login
that does not exist from one that is deactivated or lies outside the caller's reach: all three
are None.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from xietong.access.authentication import person_principal_of
from xietong.access.principal import Principal
from xietong.access.scope import Scope
from xietong.jurisdictions.codes import CodeRange
from xietong.jurisdictions.models import Department
from xietong.people.models import Person, PersonRole


async def explained_person(
    session: AsyncSession, scope: Scope, span: CodeRange, login: str
) -> Principal | None:
    """The active person with ``login`` within ``span`` (the caller's reach for explaining) and
    its scope, as a principal with the roles the caller can see; else None."""
    found = (
        await session.execute(
            select(Person, Department)
            .join(Department, Department.id == Person.department_id)
            .where(
                Person.login == login,
                Person.active.is_(True),
                scope.visible(Person.jurisdiction_code),
                scope.within(Person.jurisdiction_code, span),
            )
        )
    ).first()
    if found is None:
        return None
    person, department = found
    roles = (
        await session.scalars(
            select(PersonRole)
            .where(PersonRole.person_id == person.id)
            .order_by(PersonRole.role, PersonRole.jurisdiction_code)
        )
    ).all()
    return person_principal_of(
        {
            "id": person.id,
            "login": person.login,
            "name": person.name,
            "jurisdiction_code": person.jurisdiction_code,
            "department_id": department.id,
            "department_key": department.key,
            "department_name": department.name,
            "department_kind": department.kind,
            "department_industry": department.industry,
            "roles": [f"{r.role.value}@{r.jurisdiction_code}" for r in roles],
        }
    )
