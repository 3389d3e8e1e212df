"""R-16: who supervises a project, checked against the seed tenants' real power lists."""

from __future__ import annotations

from dataclasses import replace
from functools import cache

import pytest

from xietong.access.actions import Action, ObjectType
from xietong.access.powers import catalogue
from xietong.jurisdictions.enums import DepartmentKind, Industry
from xietong.paths import default_tenants_dir
from xietong.tenants.declaration import read_file
from xietong.trading.enums import ProjectCategory as C
from xietong.trading.errors import TradingError, TradingErrorCode
from xietong.trading.supervision import DepartmentView, assign_supervisors, required_industry


@cache
def _seed() -> dict[int, tuple[DepartmentView, ...]]:
    """Every seed jurisdiction's departments, as the database will hold them."""
    result: dict[int, list[DepartmentView]] = {}
    for path in sorted(default_tenants_dir().glob("*.yaml")):
        for d in read_file(path).departments:
            view = DepartmentView(d.key, d.name, d.kind, d.effective_industry, frozenset(d.powers))
            result.setdefault(d.jurisdiction, []).append(view)
    return {code: tuple(views) for code, views in result.items()}


XINXIANG_COUNTY = 410721  # agriculture, housing, transport, water, finance
XINXIANG_CITY = 410700  # … and natural resources


def _refusal(**kwargs: object) -> TradingError:
    with pytest.raises(TradingError) as caught:
        assign_supervisors(**kwargs)  # type: ignore[arg-type]
    return caught.value


def test_government_procurement_goes_to_finance() -> None:
    (assigned,) = assign_supervisors(
        category=C.GOVERNMENT_PROCUREMENT, industry=None, departments=_seed()[XINXIANG_COUNTY]
    )
    assert assigned.department.kind is DepartmentKind.FINANCE
    assert assigned.power.code == "PROCUREMENT-SUPERVISION"
    assert not assigned.named


def test_construction_goes_to_its_industry() -> None:
    (assigned,) = assign_supervisors(
        category=C.CONSTRUCTION, industry=Industry.WATER, departments=_seed()[XINXIANG_COUNTY]
    )
    assert assigned.department.industry is Industry.WATER
    assert assigned.power.code == "WATER-SUPERVISION"


def test_land_and_mining_go_to_natural_resources_where_there_is_one() -> None:
    for category in (C.LAND_USE_RIGHTS, C.MINING_RIGHTS):
        (assigned,) = assign_supervisors(
            category=category, industry=None, departments=_seed()[XINXIANG_CITY]
        )
        assert assigned.department.industry is Industry.NATURAL_RESOURCES
        error = _refusal(category=category, industry=None, departments=_seed()[XINXIANG_COUNTY])
        assert error.code == TradingErrorCode.NO_SUPERVISOR
        assert "自然资源和规划" in error.message


def test_no_department_of_the_industry_means_no_supervisor() -> None:
    error = _refusal(
        category=C.CONSTRUCTION, industry=Industry.FORESTRY, departments=_seed()[XINXIANG_COUNTY]
    )
    assert error.code == TradingErrorCode.NO_SUPERVISOR
    assert error.field == "supervisors"
    assert "R-16" in error.message


def test_construction_needs_an_industry_or_a_named_department() -> None:
    error = _refusal(category=C.CONSTRUCTION, industry=None, departments=_seed()[XINXIANG_COUNTY])
    assert error.code == TradingErrorCode.INDUSTRY_REQUIRED
    assert error.field == "industry"
    error = _refusal(category=C.STATE_PROPERTY, industry=None, departments=_seed()[XINXIANG_COUNTY])
    assert error.code == TradingErrorCode.NO_SUPERVISOR


def test_a_named_department_needs_the_matching_power() -> None:
    departments = _seed()[XINXIANG_COUNTY]
    housing = next(d for d in departments if d.industry is Industry.HOUSING)
    # 国有产权 has no fixed industry: any department listing a supervision power may be named.
    (assigned,) = assign_supervisors(
        category=C.STATE_PROPERTY, industry=None, departments=departments, named=[housing.key]
    )
    assert assigned.named
    assert assigned.department == housing
    # A housing department cannot supervise government procurement: its list lacks the power.
    error = _refusal(
        category=C.GOVERNMENT_PROCUREMENT,
        industry=None,
        departments=departments,
        named=[housing.key],
    )
    assert error.code == TradingErrorCode.POWER_NOT_LISTED
    assert error.field == "supervisors.0"
    assert error.extensions["department"] == housing.key


def test_a_named_department_must_belong_to_the_jurisdiction() -> None:
    other_county = next(d for d in _seed()[410522] if d.industry is Industry.HOUSING)
    error = _refusal(
        category=C.CONSTRUCTION,
        industry=Industry.HOUSING,
        departments=_seed()[XINXIANG_COUNTY],
        named=[other_county.key],
    )
    assert error.code == TradingErrorCode.UNKNOWN_DEPARTMENT


def test_a_department_without_the_power_on_its_list_is_refused() -> None:
    departments = [
        replace(d, powers=d.powers - {"HOUSING-SUPERVISION"}) for d in _seed()[XINXIANG_COUNTY]
    ]
    error = _refusal(category=C.CONSTRUCTION, industry=Industry.HOUSING, departments=departments)
    assert error.code == TradingErrorCode.POWER_NOT_LISTED
    assert "权责清单" in error.message


def test_a_power_the_department_cannot_hold_entitles_nothing() -> None:
    finance = DepartmentView(
        "x-finance",
        "某县财政局",
        DepartmentKind.FINANCE,
        Industry.PROCUREMENT,
        frozenset({"HOUSING-SUPERVISION"}),  # not a finance power: a bad list
    )
    error = _refusal(category=C.GOVERNMENT_PROCUREMENT, industry=None, departments=[finance])
    assert error.code == TradingErrorCode.POWER_NOT_LISTED


def test_two_departments_of_one_industry_must_be_told_apart() -> None:
    departments = list(_seed()[XINXIANG_COUNTY])
    housing = next(d for d in departments if d.industry is Industry.HOUSING)
    departments.append(replace(housing, key="xinxiangxian-housing-2", name="另一住建局"))
    error = _refusal(category=C.CONSTRUCTION, industry=Industry.HOUSING, departments=departments)
    assert error.code == TradingErrorCode.AMBIGUOUS_SUPERVISOR
    (assigned,) = assign_supervisors(
        category=C.CONSTRUCTION,
        industry=Industry.HOUSING,
        departments=departments,
        named=["xinxiangxian-housing-2"],
    )
    assert assigned.department.name == "另一住建局"


def test_every_seed_industry_department_supervises_its_own_construction() -> None:
    supervise = {p.code for p in catalogue().allowing(ObjectType.PROJECT, Action.SUPERVISE)}
    checked = 0
    for departments in _seed().values():
        for d in departments:
            if d.kind is not DepartmentKind.INDUSTRY or d.industry is None:
                continue
            (assigned,) = assign_supervisors(
                category=C.CONSTRUCTION, industry=d.industry, departments=departments
            )
            assert assigned.department == d
            assert assigned.power.code in supervise
            assert d.industry in assigned.power.industries
            checked += 1
    assert checked >= 60


def test_required_industry() -> None:
    assert required_industry(C.GOVERNMENT_PROCUREMENT, Industry.HOUSING) is Industry.PROCUREMENT
    assert required_industry(C.CONSTRUCTION, Industry.HOUSING) is Industry.HOUSING
    assert required_industry(C.CONSTRUCTION, Industry.PROCUREMENT) is None
    assert required_industry(C.OTHER, None) is None
