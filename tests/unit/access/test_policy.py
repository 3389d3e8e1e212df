"""The authorizer on its own: reach by action, power lists, grants. No database."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from xietong.access.actions import Action, ObjectType
from xietong.access.policy import Authorizer, LiveGrant, PolicyFileError, read_role_rules
from xietong.access.powers import CatalogueError, catalogue, parse
from xietong.access.principal import Department, Principal, PrincipalKind, RoleAssignment
from xietong.access.roles import Role
from xietong.jurisdictions.enums import DepartmentKind, Industry
from xietong.paths import policies_dir

CODES = [420000, 422800, 422825, 421300, 421303, 410000, 410500, 410522, 410581]


def authorizer(lists: dict[str, list[str]] | None = None) -> Authorizer:
    return Authorizer(
        model_path=policies_dir() / "model.conf",
        rules=read_role_rules(policies_dir() / "roles.csv"),
        jurisdictions=CODES,
        power_lists=lists
        if lists is not None
        else {
            "office": ["OFFICE-OFFICER-POOL"],
            "housing": ["HOUSING-PENALTY"],
            "bare": [],
        },
        powers=catalogue(),
    )


def person(
    role: Role,
    code: int,
    dept: str = "office",
    kind: DepartmentKind = DepartmentKind.SUPERVISION_OFFICE,
    industry: Industry | None = None,
) -> Principal:
    return Principal(
        kind=PrincipalKind.PERSON,
        actor=f"{dept}.{code}",
        name="测试",
        jurisdiction_code=code,
        roles=(RoleAssignment(role, code),),
        department=Department(uuid.uuid4(), dept, f"{dept} 部门", kind, industry),
    )


AUTH = authorizer()


@pytest.mark.parametrize(
    ("target", "allowed"),
    [
        (422800, True),
        (422825, True),
        (420000, False),
        (421300, False),
        (421303, False),
        (410500, False),
    ],
)
def test_reading_reaches_the_subtree_only(target: int, allowed: bool) -> None:
    office = person(Role.SUPERVISION_OFFICE, 422800)
    assert AUTH.check(office, ObjectType.PERSON, Action.READ, target).allowed is allowed


@pytest.mark.parametrize(
    ("target", "allowed"), [(422800, True), (422825, False), (420000, False), (421300, False)]
)
def test_casework_needs_the_objects_own_jurisdiction(target: int, allowed: bool) -> None:
    office = person(Role.SUPERVISION_OFFICE, 422800)
    decision = AUTH.check(office, ObjectType.OFFICER_POOL, Action.MANAGE, target)
    assert decision.allowed is allowed


def test_an_allowed_decision_names_its_lines() -> None:
    office = person(Role.SUPERVISION_OFFICE, 422825)
    decision = AUTH.check(office, ObjectType.OFFICER_POOL, Action.MANAGE, 422825)
    assert decision.lines == (
        "p, supervision_office, officer_pool, manage, own",
        "g2, supervision_office@422825, supervision_office, 422825",
        "p2, OFFICE-OFFICER-POOL, officer_pool, manage",
        "g3, dept:office, OFFICE-OFFICER-POOL",
    )


def test_a_power_missing_from_the_list_is_refused_naming_it() -> None:
    office = person(Role.SUPERVISION_OFFICE, 422825, dept="bare")
    decision = AUTH.check(office, ObjectType.OFFICER_POOL, Action.MANAGE, 422825)
    assert decision.code == "POWER_NOT_LISTED"
    assert "OFFICE-OFFICER-POOL" in decision.message
    assert "协同监管执法人员库的统一调配与动态管理" in decision.message
    assert [p.code for p in decision.missing_powers] == ["OFFICE-OFFICER-POOL"]


def test_the_missing_power_named_is_the_one_for_the_departments_industry() -> None:
    housing = person(
        Role.INDUSTRY_SUPERVISOR,
        422825,
        dept="bare",
        kind=DepartmentKind.INDUSTRY,
        industry=Industry.WATER,
    )
    decision = AUTH.check(housing, ObjectType.CASE, Action.PENALISE, 422825)
    assert decision.code == "POWER_NOT_LISTED"
    assert [p.code for p in decision.missing_powers] == ["WATER-PENALTY"]


def test_industry_penalty_allowed_with_its_power() -> None:
    housing = person(
        Role.INDUSTRY_SUPERVISOR,
        422825,
        dept="housing",
        kind=DepartmentKind.INDUSTRY,
        industry=Industry.HOUSING,
    )
    assert AUTH.check(housing, ObjectType.CASE, Action.PENALISE, 422825).allowed
    assert not AUTH.check(housing, ObjectType.CASE, Action.PENALISE, 422800).allowed


@pytest.mark.parametrize("role", [Role.DISCIPLINE_INSPECTION, Role.AUDIT])
def test_discipline_and_audit_read_everything_below_and_write_nothing(role: Role) -> None:
    reader = person(role, 420000, kind=DepartmentKind.AUDIT)
    for obj in (
        ObjectType.PERSON,
        ObjectType.CASE,
        ObjectType.COMPLAINT,
        ObjectType.PROJECT,
        ObjectType.AUDIT_EVENT,
    ):
        assert AUTH.check(reader, obj, Action.READ, 422825).allowed
    writes = [
        r
        for r in read_role_rules(policies_dir() / "roles.csv")
        if r.role is role and r.act not in (Action.READ, Action.ROLLUP, Action.RECEIVE_ESCALATION)
    ]
    assert writes == []


def test_a_grant_lets_the_grantee_act_as_if_the_object_were_its_own() -> None:
    reader = person(Role.SUPERVISION_OFFICE, 410522)
    grant = LiveGrant(
        uuid.uuid4(), 410522, None, frozenset({Action.READ}), datetime.now(UTC) + timedelta(days=1)
    )
    assert not AUTH.check(reader, ObjectType.PERSON, Action.READ, 422825).allowed
    decision = AUTH.check(reader, ObjectType.PERSON, Action.READ, 422825, grants=[grant])
    assert decision.allowed
    assert decision.grant_id == grant.id
    # the grant covers reading, not managing
    assert not AUTH.check(
        reader, ObjectType.OFFICER_POOL, Action.MANAGE, 422825, grants=[grant]
    ).allowed


def test_a_grant_to_another_department_does_not_help() -> None:
    reader = person(Role.SUPERVISION_OFFICE, 410522)
    grant = LiveGrant(
        uuid.uuid4(),
        410522,
        uuid.uuid4(),
        frozenset({Action.READ}),
        datetime.now(UTC) + timedelta(days=1),
    )
    assert not AUTH.check(reader, ObjectType.PERSON, Action.READ, 422825, grants=[grant]).allowed


def test_leaders_roll_up_but_do_not_read_people() -> None:
    leader = person(Role.LEADERSHIP, 420000, kind=DepartmentKind.LEADERSHIP)
    assert AUTH.check(leader, ObjectType.ROLLUP, Action.ROLLUP, 422825).allowed
    assert not AUTH.check(leader, ObjectType.PERSON, Action.READ, 420000).allowed


def test_role_files_with_unknown_words_are_refused(tmp_path: Path) -> None:
    bad = tmp_path / "roles.csv"
    bad.write_text("p, supervision_office, person, reed, subtree\n", encoding="utf-8")
    with pytest.raises(PolicyFileError, match=r"roles\.csv:1"):
        read_role_rules(bad)


def test_catalogue_refuses_unknown_permissions() -> None:
    with pytest.raises(CatalogueError, match="case:punish"):
        parse(
            {
                "powers": [
                    {
                        "code": "X",
                        "name": "x",
                        "basis": "b",
                        "kinds": ["industry"],
                        "allows": ["case:punish"],
                    }
                ]
            }
        )


def test_every_power_allows_only_what_some_role_may_do() -> None:
    """A power no role could use would be a dead letter on a published list."""
    rules = {(r.obj, r.act) for r in read_role_rules(policies_dir() / "roles.csv")}
    for power in catalogue().powers.values():
        for obj, act in power.allows:
            assert (obj, act) in rules, f"{power.code} allows {obj}:{act}, which no role may do"


def test_the_memoized_decisions_agree_with_plain_casbin_on_every_line() -> None:
    """Every role line held by every role at a prefecture, asked in every unit (allowed and
    refused alike), and every power line for every department: the memo answers as a fresh
    Casbin enforcer does, also when it answers from memory (asked twice)."""
    memo = authorizer()
    plain = authorizer()._enforcer
    powers_context = plain.new_enforce_context("2")
    requests = sorted({(rule.obj.value, rule.act.value) for rule in memo.rules})
    seen = 0
    for role in Role:
        subject = RoleAssignment(role, 422800).subject
        for obj, act in requests:
            for domain in CODES:
                allowed, rule = plain.enforce_ex(subject, str(domain), obj, act)
                expected = (bool(allowed), tuple(rule))
                assert memo.enforce(subject, str(domain), obj, act) == expected
                assert memo.enforce(subject, str(domain), obj, act) == expected
                seen += bool(allowed)
    for key in memo.power_lists:
        for power in memo.powers.powers.values():
            for obj, act in power.allows:
                allowed, rule = plain.enforce_ex(powers_context, f"dept:{key}", obj, act)
                expected = (bool(allowed), tuple(rule))
                assert memo.enforce(f"dept:{key}", obj, act, powers=True) == expected
                assert memo.enforce(f"dept:{key}", obj, act, powers=True) == expected
    assert seen > 0
