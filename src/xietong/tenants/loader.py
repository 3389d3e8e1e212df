"""Make the database match the tenant files, idempotently, in the caller's transaction.

Loading the same files twice changes no row (not even ``updated_at``). People removed from a file
are deactivated, departments removed are deactivated and jurisdictions removed are retired: records
that point at them stay attached. Any problem raises ``TenantFileError`` before or during the sync;
the caller's transaction then rolls back, so a bad file leaves the database exactly as it was.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import delete, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from xietong.access.models import DepartmentPower
from xietong.access.roles import Role
from xietong.db.base import changed
from xietong.deadlines import obligations, store
from xietong.deadlines.clock import SYSTEM_CLOCK, Clock
from xietong.jurisdictions import codes
from xietong.jurisdictions.models import Department, Jurisdiction, JurisdictionVersion
from xietong.people.models import OfficerPoolMember, Person, PersonRole
from xietong.tenants.declaration import (
    MAX_PROBLEMS,
    PersonEntry,
    Problem,
    TenantDeclaration,
    TenantFileError,
    check_across,
    read_file,
)

_LOCK_KEY = 0x7869_6574  # "xiet": one tenant load at a time across all processes


@dataclass(slots=True)
class LoadReport:
    files: list[str] = field(default_factory=list)
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    retired: dict[str, int] = field(default_factory=dict)

    def count(self, bucket: dict[str, int], what: str, n: int = 1) -> None:
        bucket[what] = bucket.get(what, 0) + n

    @property
    def unchanged(self) -> bool:
        return not (self.created or self.updated or self.retired)

    def summary(self) -> str:
        def fmt(bucket: dict[str, int]) -> str:
            return ", ".join(f"{n} {what}" for what, n in sorted(bucket.items())) or "nothing"

        return (
            f"loaded {len(self.files)} file(s): created {fmt(self.created)}; "
            f"updated {fmt(self.updated)}; retired/deactivated {fmt(self.retired)}"
        )


def tenant_files(paths: Sequence[Path], default_dir: Path) -> list[Path]:
    if paths:
        return list(paths)
    return sorted(default_dir.glob("*.yaml"))


def read_all(paths: Iterable[Path]) -> list[TenantDeclaration]:
    """Read and check every file; report the problems of all files together."""
    declarations: list[TenantDeclaration] = []
    problems: list[Problem] = []
    total = 0
    for path in paths:
        try:
            declarations.append(read_file(path))
        except TenantFileError as exc:
            problems.extend(exc.problems[: MAX_PROBLEMS - len(problems)])
            total += exc.total
    if total:
        raise TenantFileError(problems, total)
    check_across(declarations)
    return declarations


TENANTS_ACTOR = "system:tenants-load"
"""Who the audit trail names when a tenant file's calendar moves a deadline."""


async def load_tenants(
    session: AsyncSession,
    paths: Iterable[Path],
    *,
    today: date | None = None,
    clock: Clock = SYSTEM_CLOCK,
) -> LoadReport:
    """Sync every file. Where a province's calendar overrides or promises changed, its open
    obligations are recomputed in the same transaction; each one that moves gets an audit event,
    so the session must then carry the keyring (``make_sessionmaker(…, keyring=…)``)."""
    declarations = read_all(paths)
    await session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})
    await store.lock(session)
    report = LoadReport(files=[d.file for d in declarations])
    day = today or clock.today()  # a unit retired or renamed today, in China
    changed: list[int] = []
    for decl in declarations:
        await _Sync(session, decl, report, day).run()
        if await store.sync_declaration(session, decl.province_code, decl.deadlines):
            report.count(report.updated, "calendars and promises")
            changed.append(decl.province_code)
    if changed:
        state = await store.build_state(session)
        for province in changed:
            span = codes.subtree(province)
            moved = await obligations.recompute_unfinished(
                session,
                state=state,
                clock=clock,
                actor=TENANTS_ACTOR,
                cause="tenants.load",
                jurisdictions=(span.lo, span.hi),
            )
            if moved.changed:
                report.count(report.updated, "obligations", moved.changed)
    # Changes to jurisdictions, departments and power lists move the policy version and notify
    # every process (triggers, migration 0004), which reloads once this transaction commits.
    await session.flush()
    return report


@dataclass(slots=True)
class _Sync:
    session: AsyncSession
    decl: TenantDeclaration
    report: LoadReport
    today: date

    async def run(self) -> None:
        await self._jurisdictions()
        departments = await self._departments()
        await self._people(departments)

    def _check_owned(self, row: Department | Person | None, entry: str, what: str, zh: str) -> None:
        """Keys and logins are global: another province's file may not take one over."""
        if row is not None and row.province_code != self.decl.province_code:
            raise TenantFileError(
                [
                    Problem(
                        self.decl.file,
                        entry,
                        f"{what} already belongs to province {codes.format_code(row.province_code)}"
                        f"（{zh}已被其他省份使用）",
                    )
                ]
            )

    async def _jurisdictions(self) -> None:
        province = self.decl.province_code
        rows = (
            await self.session.scalars(
                select(Jurisdiction).where(Jurisdiction.province_code == province)
            )
        ).all()
        existing = {j.code: j for j in rows}
        declared: set[int] = set()
        for entry in self.decl.jurisdictions:
            declared.add(entry.code)
            row = existing.get(entry.code)
            if row is None:
                self.session.add(
                    Jurisdiction(
                        code=entry.code,
                        name=entry.name,
                        level=entry.level,
                        parent_code=entry.parent,
                        province_code=province,
                        retired_on=entry.retired,
                    )
                )
                self.session.add(
                    JurisdictionVersion(code=entry.code, name=entry.name, parent_code=entry.parent)
                )
                self.report.count(self.report.created, "jurisdictions")
                await self.session.flush()  # children reference it
                continue
            if (row.name, row.parent_code) != (entry.name, entry.parent):
                await self._new_version(entry.code, entry.name, entry.parent)
            if changed(
                row, {"name": entry.name, "parent_code": entry.parent, "retired_on": entry.retired}
            ):
                self.report.count(self.report.updated, "jurisdictions")
        for code, row in existing.items():
            if code not in declared and row.retired_on is None:
                changed(row, {"retired_on": self.today})
                self.report.count(self.report.retired, "jurisdictions")
        await self.session.flush()

    async def _new_version(self, code: int, name: str, parent: int | None) -> None:
        """Close the current name/parent and open a new one from today."""
        current = await self.session.scalar(
            select(JurisdictionVersion).where(
                JurisdictionVersion.code == code, JurisdictionVersion.valid_to.is_(None)
            )
        )
        if current is not None and current.valid_from == self.today:
            current.name, current.parent_code = name, parent  # changed twice in one day
            return
        if current is not None:
            current.valid_to = self.today
        self.session.add(
            JurisdictionVersion(code=code, name=name, parent_code=parent, valid_from=self.today)
        )

    async def _departments(self) -> dict[str, Department]:
        keys = [d.key for d in self.decl.departments]
        rows = (
            await self.session.scalars(
                select(Department).where(
                    (Department.province_code == self.decl.province_code) | Department.key.in_(keys)
                )
            )
        ).all()
        existing = {d.key: d for d in rows}
        result: dict[str, Department] = {}
        for entry in self.decl.departments:
            values = {
                "jurisdiction_code": entry.jurisdiction,
                "name": entry.name,
                "kind": entry.kind,
                "industry": entry.effective_industry,
                "active": True,
            }
            row = existing.get(entry.key)
            self._check_owned(row, f"departments ({entry.key})", "key", "部门标识")
            if row is None:
                row = Department(
                    id=uuid.uuid4(), key=entry.key, province_code=self.decl.province_code, **values
                )
                self.session.add(row)
                self.report.count(self.report.created, "departments")
            elif changed(row, values):
                self.report.count(self.report.updated, "departments")
            result[entry.key] = row
        for key, row in existing.items():
            if key not in result and row.active:
                changed(row, {"active": False})
                self.report.count(self.report.retired, "departments")
        await self.session.flush()
        await self._power_lists(result)
        return result

    async def _power_lists(self, departments: dict[str, Department]) -> None:
        """Publish each department's power list exactly as declared, in declared order."""
        ids = [d.id for d in departments.values()]
        current: dict[uuid.UUID, list[str]] = {i: [] for i in ids}
        rows = await self.session.scalars(
            select(DepartmentPower)
            .where(DepartmentPower.department_id.in_(ids))
            .order_by(DepartmentPower.department_id, DepartmentPower.position)
        )
        for row in rows:
            current[row.department_id].append(row.power_code)
        for entry in self.decl.departments:
            dept = departments[entry.key]
            if current[dept.id] == list(entry.powers):
                continue
            await self.session.execute(
                delete(DepartmentPower).where(DepartmentPower.department_id == dept.id)
            )
            self.session.add_all(
                DepartmentPower(department_id=dept.id, power_code=code, position=i)
                for i, code in enumerate(entry.powers)
            )
            bucket = self.report.created if not current[dept.id] else self.report.updated
            self.report.count(bucket, "power lists")
        await self.session.flush()

    async def _people(self, departments: dict[str, Department]) -> None:
        logins = [p.login for p in self.decl.people]
        rows = (
            await self.session.scalars(
                select(Person).where(
                    (Person.province_code == self.decl.province_code) | Person.login.in_(logins)
                )
            )
        ).all()
        existing = {p.login: p for p in rows}
        ids = [p.id for p in rows]
        roles: dict[uuid.UUID, set[tuple[Role, int]]] = {}
        for r in (
            await self.session.scalars(select(PersonRole).where(PersonRole.person_id.in_(ids)))
        ).all():
            roles.setdefault(r.person_id, set()).add((r.role, r.jurisdiction_code))
        officers = {
            o.person_id: o
            for o in (
                await self.session.scalars(
                    select(OfficerPoolMember).where(OfficerPoolMember.person_id.in_(ids))
                )
            ).all()
        }
        seen: set[str] = set()
        for entry in self.decl.people:
            seen.add(entry.login)
            dept = departments[entry.department]
            values = {
                "name": entry.name,
                "department_id": dept.id,
                "jurisdiction_code": dept.jurisdiction_code,
                "active": True,
            }
            person = existing.get(entry.login)
            self._check_owned(person, f"people ({entry.login})", "login", "登录名")
            if person is None:
                person = Person(
                    id=uuid.uuid4(),
                    login=entry.login,
                    province_code=self.decl.province_code,
                    **values,
                )
                self.session.add(person)
                await self.session.flush()
                self.report.count(self.report.created, "people")
            elif changed(person, values):
                self.report.count(self.report.updated, "people")
            wanted = {(role, dept.jurisdiction_code) for role in entry.roles}
            if entry.officer is not None:
                wanted.add((Role.ENFORCEMENT_OFFICER, dept.jurisdiction_code))
            await self._sync_roles(person, roles.get(person.id, set()), wanted)
            await self._sync_officer(person, dept, officers.get(person.id), entry)
        for login, person in existing.items():
            if login not in seen and person.active:
                changed(person, {"active": False})
                officer = officers.get(person.id)
                if officer is not None and officer.active:
                    changed(officer, {"active": False})
                self.report.count(self.report.retired, "people")

    async def _sync_roles(
        self, person: Person, have: set[tuple[Role, int]], wanted: set[tuple[Role, int]]
    ) -> None:
        for role, code in wanted - have:
            self.session.add(
                PersonRole(
                    person_id=person.id,
                    role=role,
                    jurisdiction_code=code,
                    province_code=codes.province_of(code),
                )
            )
            self.report.count(self.report.created, "roles")
        for role, code in have - wanted:
            await self.session.execute(
                delete(PersonRole).where(
                    PersonRole.person_id == person.id,
                    PersonRole.role == role,
                    PersonRole.jurisdiction_code == code,
                )
            )
            self.report.count(self.report.retired, "roles")

    async def _sync_officer(
        self, person: Person, dept: Department, row: OfficerPoolMember | None, entry: PersonEntry
    ) -> None:
        if entry.officer is None:
            if row is not None and row.active:
                changed(row, {"active": False})
                self.report.count(self.report.retired, "officers")
            return
        values = {
            "department_id": dept.id,
            "jurisdiction_code": dept.jurisdiction_code,
            "qualification": entry.officer.qualification,
            "speciality": entry.officer.speciality,
            "certificate": entry.officer.certificate,
            "active": True,
        }
        if row is None:
            self.session.add(
                OfficerPoolMember(
                    person_id=person.id, province_code=self.decl.province_code, **values
                )
            )
            self.report.count(self.report.created, "officers")
        elif changed(row, values):
            self.report.count(self.report.updated, "officers")
