"""Tenant file checks, pure: a bad file is refused naming the file, the entry and the problem."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from xietong.paths import default_tenants_dir
from xietong.tenants.declaration import TenantFileError, check, check_across, read_file
from xietong.tenants.loader import read_all

SEEDS = sorted(default_tenants_dir().glob("*.yaml"))

MINIMAL: dict[str, Any] = {
    "jurisdictions": [
        {"code": "420000", "name": "湖北省", "level": "province"},
        {"code": "422800", "name": "恩施土家族苗族自治州", "level": "city", "parent": "420000"},
        {"code": "422825", "name": "宣恩县", "level": "county", "parent": "422800"},
    ],
    "departments": [
        {
            "key": "t-office",
            "jurisdiction": "422825",
            "name": "宣恩县公管办",
            "kind": "supervision_office",
        },
        {"key": "t-audit", "jurisdiction": "422825", "name": "宣恩县审计局", "kind": "audit"},
    ],
    "people": [
        {
            "login": "t.office",
            "name": "向明华",
            "department": "t-office",
            "roles": ["supervision_office"],
            "officer": {"qualification": "enforcement_certificate", "speciality": "tendering"},
        },
        {
            "login": "t.office2",
            "name": "田小红",
            "department": "t-office",
            "roles": ["supervision_office"],
            "officer": {"qualification": "daily_supervision", "speciality": "tendering"},
        },
        {"login": "t.audit", "name": "彭立", "department": "t-audit", "roles": ["audit"]},
    ],
}


def problems_of(doc: dict[str, Any]) -> list[str]:
    with pytest.raises(TenantFileError) as caught:
        check("tenants/test.yaml", doc)
    return [str(p) for p in caught.value.problems]


def mutated(path: str, value: Any) -> dict[str, Any]:
    """MINIMAL with one field replaced: path like ``people.0.roles``."""
    doc = copy.deepcopy(MINIMAL)
    *parents, last = path.split(".")
    target: Any = doc
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]
    if value is _DELETE:
        del target[int(last) if last.isdigit() else last]
    else:
        target[int(last) if last.isdigit() else last] = value
    return doc


_DELETE = object()


@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.name)
def test_seed_files_pass(path: Path) -> None:
    decl = read_file(path)
    assert decl.jurisdictions[0] is decl.province


def test_seed_files_together_pass_cross_file_rules() -> None:
    declarations = read_all(SEEDS)
    assert {d.province_code for d in declarations} == {410000, 420000, 530000}


def test_seed_demo_login_for_the_xuanen_office() -> None:
    hubei = read_file(default_tenants_dir() / "hubei.yaml")
    person = next(p for p in hubei.people if p.login == "xuanen.office")
    dept = next(d for d in hubei.departments if d.key == person.department)
    assert dept.jurisdiction == 422825
    assert [r.value for r in person.roles] == ["supervision_office"]


def test_minimal_file_passes() -> None:
    assert check("t.yaml", MINIMAL).province.code == 420000


@pytest.mark.parametrize(
    ("path", "value", "entry", "fragment"),
    [
        (
            "jurisdictions.2.parent",
            "422900",
            "jurisdictions[2] (422825 宣恩县)",
            "does not match the code prefix",
        ),
        ("jurisdictions.2.code", "42282X", "jurisdictions[2] (42282X)", "six ASCII digits"),
        ("jurisdictions.2.level", "city", "jurisdictions[2] (422825 宣恩县)", "is a county code"),
        ("jurisdictions.1.code", "422825", "jurisdictions[2] (422825 宣恩县)", "duplicate code"),
        ("jurisdictions.2.name", "", "jurisdictions[2] (422825)", "name: is empty"),
        ("jurisdictions.2.level", "township", "jurisdictions[2] (422825)", "level"),
        ("departments.1.kind", "industry", "departments[1] (t-audit)", "needs its industry"),
        (
            "departments.1.jurisdiction",
            "421303",
            "departments[1] (t-audit)",
            "is not declared in this file",
        ),
        ("people.1.login", "t.office", "people[1] (t.office)", "duplicate login"),
        ("people.2.roles", ["industry_supervisor"], "people[2] (t.audit)", "does not fit"),
        ("people.2.roles", ["wizard"], "people[2] (t.audit)", "roles.0"),
        ("people.2.department", "nowhere", "people[2] (t.audit)", "not declared"),
        ("people.1.officer", _DELETE, "departments (t-office)", "at least 2"),
        ("people.0.shoe_size", 42, "people[0] (t.office)", "shoe_size"),
    ],
)
def test_problems_name_file_entry_and_problem(
    path: str, value: Any, entry: str, fragment: str
) -> None:
    problems = problems_of(mutated(path, value))
    assert any(p.startswith(f"tenants/test.yaml: {entry}: ") and fragment in p for p in problems), (
        problems
    )


def test_a_file_declares_exactly_one_province() -> None:
    doc = mutated("jurisdictions.0", {"code": "410000", "name": "河南省", "level": "province"})
    doc["jurisdictions"].append({"code": "420000", "name": "湖北省", "level": "province"})
    problems = problems_of(doc)
    assert any("exactly one province" in p for p in problems)


def test_units_of_another_province_are_refused() -> None:
    doc = copy.deepcopy(MINIMAL)
    doc["jurisdictions"].append(
        {"code": "410500", "name": "安阳市", "level": "city", "parent": "410000"}
    )
    assert any("not this file's 420000" in p for p in problems_of(doc))


def test_all_problems_are_reported_at_once() -> None:
    doc = mutated("jurisdictions.2.parent", "421300")
    doc["people"][2]["roles"] = ["police_liaison"]
    assert len(problems_of(doc)) >= 2


def test_logins_are_unique_across_files(tmp_path: Path) -> None:
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.write_text(yaml.safe_dump(MINIMAL, allow_unicode=True), encoding="utf-8")
    other = copy.deepcopy(MINIMAL)
    for j in other["jurisdictions"]:
        j["code"] = "41" + j["code"][2:]
        if "parent" in j:
            j["parent"] = "41" + j["parent"][2:]
    for d in other["departments"]:
        d["jurisdiction"] = "41" + d["jurisdiction"][2:]
        d["key"] += "-b"
    for p in other["people"]:
        p["department"] += "-b"
    b.write_text(yaml.safe_dump(other, allow_unicode=True), encoding="utf-8")
    with pytest.raises(TenantFileError) as caught:
        check_across([read_file(a), read_file(b)])
    assert any(
        "login also used in" in str(p) and str(p).startswith(str(b)) for p in caught.value.problems
    )


def test_yaml_syntax_errors_name_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("jurisdictions: [\n  - code: 1", encoding="utf-8")
    with pytest.raises(TenantFileError, match=r"bad\.yaml: line 2: not valid YAML"):
        read_file(bad)


CATALOGUE: dict[str, Any] = {
    "province": "420000",
    "grace_days": 30,
    "rules": [
        {
            "code": "HB-GC-01",
            "name": "使用国有资金的工程建设项目",
            "category": "工程建设",
            "funding": ["政府投资"],
            "min_amount": "4,000,000",
            "basis": "国家发展改革委令第16号 第五条",
        }
    ],
}


def test_a_trading_catalogue_is_read_with_the_file() -> None:
    declared = check("t.yaml", {**MINIMAL, "trading_catalogue": CATALOGUE})
    assert declared.catalogue is not None
    assert declared.catalogue.rules[0].min_amount_fen == 400_000_000
    # What the loader stores reads back as the same catalogue.
    from xietong.trading.catalogue import parse_catalogue

    assert parse_catalogue(declared.catalogue.document()) == declared.catalogue
    assert check("t.yaml", MINIMAL).catalogue is None


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"province": "410000"}, "trading_catalogue.province: 410000 is not this file's province"),
        (
            {"rules": [{**CATALOGUE["rules"][0], "min_amount": 4000000.0}]},
            "trading_catalogue.rules[0] (HB-GC-01).min_amount",
        ),
        (
            {"rules": [{**CATALOGUE["rules"][0], "name": "使用\x00国有资金"}]},
            "trading_catalogue.rules[0] (HB-GC-01).name",
        ),
        ({"rules": [{**CATALOGUE["rules"][0], "basis": "   "}]}, "basis: is empty"),
        ({"grace_days": 400}, "trading_catalogue.grace_days"),
    ],
)
def test_a_bad_catalogue_is_refused_with_the_file(change: dict[str, Any], fragment: str) -> None:
    problems = problems_of({**MINIMAL, "trading_catalogue": {**CATALOGUE, **change}})
    assert any(fragment in p for p in problems), problems
