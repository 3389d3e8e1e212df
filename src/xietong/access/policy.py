"""Casbin, our way: one enforcer per process, rebuilt from files and public tables, swapped whole.

Casbin state is independent of people: subjects are role assignments (``supervision_office@422825``)
for every role in every jurisdiction, so a new person or API key needs no reload. Reloads happen
when jurisdictions or power lists change (``access.watcher``) or the policy files do (a deploy).
"""

from __future__ import annotations

import csv
import dataclasses
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import casbin
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from xietong.access.actions import Action, ObjectType, Reach, permission
from xietong.access.models import AccessGrant, DepartmentPower, PolicyVersion
from xietong.access.powers import Catalogue, Power, catalogue
from xietong.access.principal import Principal, RoleAssignment
from xietong.access.roles import Role
from xietong.jurisdictions import codes
from xietong.jurisdictions.cache import JurisdictionTree
from xietong.jurisdictions.models import Department, Jurisdiction
from xietong.paths import policies_dir

MAX_DECISIONS = 100_000
"""Memoized Casbin answers per ``Authorizer`` (a few hundred bytes each)."""


class PolicyFileError(ValueError):
    """A policy file uses a word outside the vocabulary or is malformed."""


@dataclass(frozen=True, slots=True)
class RoleRule:
    role: Role
    obj: ObjectType
    act: Action
    reach: Reach

    def line(self) -> str:
        return f"p, {self.role}, {self.obj}, {self.act}, {self.reach}"


def read_role_rules(path: Path) -> list[RoleRule]:
    rules: list[RoleRule] = []
    with path.open(encoding="utf-8", newline="") as fh:
        for number, row in enumerate(csv.reader(fh, skipinitialspace=True), start=1):
            if not row or row[0].lstrip().startswith("#"):
                continue
            try:
                ptype, role, obj, act, reach = (cell.strip() for cell in row)
                if ptype != "p":
                    raise ValueError(f"unknown policy type {ptype!r}")
                rules.append(RoleRule(Role(role), ObjectType(obj), Action(act), Reach(reach)))
            except ValueError as exc:
                raise PolicyFileError(f"{path.name}:{number}: {exc}") from None
    return rules


def _within(request_domain: str, held_domain: str) -> bool:
    """Casbin's domain matcher for `g`: a role held at ``held`` reaches ``request``'s unit."""
    try:
        return int(request_domain) in codes.subtree(int(held_domain))
    except ValueError:
        return False


@dataclass(frozen=True, slots=True)
class LiveGrant:
    id: uuid.UUID
    grantee_jurisdiction_code: int
    grantee_department_id: uuid.UUID | None
    actions: frozenset[Action]
    expires_at: datetime

    def covers(self, principal: Principal, act: Action) -> bool:
        if act not in self.actions or principal.jurisdiction_code != self.grantee_jurisdiction_code:
            return False
        if self.grantee_department_id is None:
            return True
        return principal.department is not None and (
            principal.department.id == self.grantee_department_id
        )


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    code: str | None = None
    """``FORBIDDEN`` or ``POWER_NOT_LISTED`` when denied."""
    message: str = ""
    lines: tuple[str, ...] = ()
    """The policy lines that decided (role line, assignment line, power lines)."""
    grant_id: uuid.UUID | None = None
    missing_powers: tuple[Power, ...] = field(default=())
    reach: Reach | None = None
    """How far the deciding role line reaches: lists use it to bound their range."""


def _role_line(assignment: RoleAssignment, reach: str) -> str:
    ptype = "g" if reach == Reach.SUBTREE else "g2"
    return f"{ptype}, {assignment.subject}, {assignment.role}, {assignment.jurisdiction_code}"


class Authorizer:
    """Answers *may this principal do ACT on OBJ in jurisdiction J* and says why."""

    def __init__(
        self,
        *,
        model_path: Path,
        rules: Sequence[RoleRule],
        jurisdictions: Iterable[int],
        power_lists: Mapping[str, Sequence[str]],
        powers: Catalogue,
        version: int | None = None,
        tree: JurisdictionTree | None = None,
    ) -> None:
        self.version = version
        self.tree = tree
        """The jurisdiction tree of the same version (``jurisdictions.cache``); None: not
        loaded from a database, read it there."""
        """The ``policy_version`` this was built from (None: not from a database)."""
        self.rules = list(rules)
        self.powers = powers
        self.power_lists = {k: tuple(v) for k, v in power_lists.items()}
        enforcer = casbin.Enforcer(str(model_path))
        enforcer.add_named_domain_matching_func("g", _within)
        enforcer.add_policies([[r.role, r.obj, r.act, r.reach] for r in self.rules])
        assignments = [
            [f"{role}@{code}", role.value, str(code)] for code in jurisdictions for role in Role
        ]
        enforcer.add_named_grouping_policies("g", assignments)
        enforcer.add_named_grouping_policies("g2", assignments)
        enforcer.add_named_policies(
            "p2", [[p.code, o, a] for p in powers.powers.values() for o, a in p.allows]
        )
        lists = [
            [f"dept:{key}", code] for key, codes_ in self.power_lists.items() for code in codes_
        ]
        if lists:
            enforcer.add_named_grouping_policies("g3", lists)
        self._enforcer = enforcer
        self._powers_context = enforcer.new_enforce_context("2")
        self.jurisdictions = frozenset(jurisdictions)
        self._decided: dict[tuple[str, ...], tuple[bool, tuple[str, ...]]] = {}

    def enforce(self, *request: str, powers: bool = False) -> tuple[bool, tuple[str, ...]]:
        """Casbin's ``enforce_ex`` for a request (``subject, domain, obj, act``, or with
        ``powers`` the power-list request ``subject, obj, act``), memoized: the matcher runs
        through ``simpleeval`` (~0.1 ms a call) and its answer depends on nothing but the
        request and the policy, which never changes in an ``Authorizer`` (a reload builds a
        new one, so the memo goes with the old). Bounded: cleared when full."""
        key = ("p2", *request) if powers else request
        found = self._decided.get(key)
        if found is None:
            if powers:
                allowed, rule = self._enforcer.enforce_ex(self._powers_context, *request)
            else:
                allowed, rule = self._enforcer.enforce_ex(*request)
            found = (bool(allowed), tuple(rule))
            if len(self._decided) >= MAX_DECISIONS:
                self._decided.clear()
            self._decided[key] = found
        return found

    def check(
        self,
        principal: Principal,
        obj: ObjectType,
        act: Action,
        jurisdiction_code: int,
        *,
        grants: Sequence[LiveGrant] = (),
    ) -> Decision:
        role = self._by_role(principal, obj, act, jurisdiction_code)
        grant_id: uuid.UUID | None = None
        if role is None:
            for grant in grants:
                if grant.covers(principal, act) and principal.jurisdiction_code is not None:
                    role = self._by_role(principal, obj, act, principal.jurisdiction_code)
                    if role is not None:
                        grant_id = grant.id
                        role = (role[0], Reach.OWN)  # a grant opens the one object only
                        break
        if role is None:
            return Decision(
                allowed=False,
                code="FORBIDDEN",
                message=(
                    f"您的角色无权在 {codes.format_code(jurisdiction_code)} 执行"
                    f"“{permission(obj, act)}”（not permitted for your roles here）"
                ),
            )
        lines, reach = role
        if not self.powers.is_power(obj, act):
            return Decision(allowed=True, lines=lines, grant_id=grant_id, reach=reach)
        decision = self._by_power_list(principal, obj, act, lines, grant_id)
        return dataclasses.replace(decision, reach=reach) if decision.allowed else decision

    def _by_role(
        self, principal: Principal, obj: ObjectType, act: Action, jurisdiction_code: int
    ) -> tuple[tuple[str, ...], Reach] | None:
        """The deciding lines of the widest-reaching role that allows it, or None."""
        domain = str(jurisdiction_code)
        found: tuple[tuple[str, ...], Reach] | None = None
        for assignment in principal.roles:
            allowed, rule = self.enforce(assignment.subject, domain, obj.value, act.value)
            if allowed:
                found = (
                    (", ".join(["p", *rule]), _role_line(assignment, rule[-1])),
                    Reach(rule[-1]),
                )
                if found[1] is Reach.SUBTREE:
                    break
        return found

    def _by_power_list(
        self,
        principal: Principal,
        obj: ObjectType,
        act: Action,
        lines: tuple[str, ...],
        grant_id: uuid.UUID | None,
    ) -> Decision:
        department = principal.department
        if department is not None:
            subject = f"dept:{department.key}"
            allowed, rule = self.enforce(subject, obj.value, act.value, powers=True)
            if allowed:
                power = rule[0]
                return Decision(
                    allowed=True,
                    lines=(*lines, f"p2, {', '.join(rule)}", f"g3, {subject}, {power}"),
                    grant_id=grant_id,
                )
        candidates = self.powers.allowing(obj, act)
        if department is not None:
            fitting = [p for p in candidates if p.applies_to(department.kind, department.industry)]
            candidates = fitting or candidates
        names = "、".join(f"「{p.name}」({p.code})" for p in candidates)
        holder = department.name if department else "调用方"
        return Decision(
            allowed=False,
            code="POWER_NOT_LISTED",
            message=(
                f"{holder}的监管权力和责任清单未列入{names}，不得行使该权力"
                f"（power not on the published list: {', '.join(p.code for p in candidates)}）"
            ),
            lines=lines,
            missing_powers=tuple(candidates),
        )


async def policy_version(session: AsyncSession) -> int | None:
    """The counter the database moves whenever the owner changes what the policy is built
    from (``PolicyVersion``)."""
    version: int | None = await session.scalar(select(PolicyVersion.version))
    return version


async def load_authorizer(session: AsyncSession) -> Authorizer:
    """Build the authorizer from the policy files and the public tables."""
    version = await policy_version(session)  # read first: a later change reloads again
    units = (await session.scalars(select(Jurisdiction))).all()
    rows = await session.execute(
        select(Department.key, DepartmentPower.power_code)
        .join(DepartmentPower, DepartmentPower.department_id == Department.id)
        .where(Department.active.is_(True))
        .order_by(Department.key, DepartmentPower.position)
    )
    lists: dict[str, list[str]] = {}
    for key, code in rows:
        lists.setdefault(key, []).append(code)
    return Authorizer(
        model_path=policies_dir() / "model.conf",
        rules=read_role_rules(policies_dir() / "roles.csv"),
        jurisdictions=[unit.code for unit in units],
        power_lists=lists,
        powers=catalogue(),
        version=version,
        tree=JurisdictionTree.of(units),
    )


async def reload_if_changed(session: AsyncSession, current: Authorizer | None) -> Authorizer | None:
    """A new authorizer if the policy version moved since ``current`` was built, else None.

    A notification on the policy channel only makes a process ask: anyone connected may send
    one, but only the table owner's changes move the version."""
    if current is not None and current.version == await policy_version(session):
        return None
    return await load_authorizer(session)


async def live_grants(
    session: AsyncSession, obj: ObjectType, object_id: uuid.UUID
) -> list[LiveGrant]:
    now = datetime.now(UTC)
    rows = await session.scalars(
        select(AccessGrant).where(
            AccessGrant.object_type == obj,
            AccessGrant.object_id == object_id,
            AccessGrant.revoked_at.is_(None),
            AccessGrant.starts_at <= now,
            AccessGrant.expires_at > now,
        )
    )
    return [
        LiveGrant(
            id=g.id,
            grantee_jurisdiction_code=g.grantee_jurisdiction_code,
            grantee_department_id=g.grantee_department_id,
            actions=frozenset(Action(a) for a in g.actions),
            expires_at=g.expires_at,
        )
        for g in rows
    ]
