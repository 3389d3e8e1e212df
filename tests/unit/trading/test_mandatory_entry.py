"""应进未进: the approvals check flags exactly the projects the catalogue says."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.unit.trading.catalogues import henan
from xietong.jurisdictions.enums import Industry
from xietong.trading import credit_code
from xietong.trading.enums import FundingSource as F
from xietong.trading.enums import ProjectCategory as C
from xietong.trading.mandatory_entry import (
    ApprovedProject,
    MatchBasis,
    TradingProjectRef,
    find_match,
    name_similarity,
    normalise_name,
    not_entered,
    rule_for,
)

TODAY = date(2026, 11, 25)
LONG_AGO = date(2026, 6, 1)
OWNER = credit_code.compose("1", "1", "410721", "MB123456")  # a 机关 of 新乡县 (synthetic)
OTHER_OWNER = credit_code.compose("9", "1", "410700", "MA7QWE12")


def approved(number: str, **changes: object) -> ApprovedProject:
    project = ApprovedProject(
        approval_number=number,
        name="新乡县城乡供水一体化项目",
        owner_name="新乡县水利局",
        owner_credit_code=OWNER,
        amount_fen=50_000_000_00,
        category=C.CONSTRUCTION,
        industry=Industry.WATER,
        funding=F.GOVERNMENT,
        jurisdiction_code=410721,
        approved_on=LONG_AGO,
    )
    return replace(project, **changes)  # type: ignore[arg-type]


def trading(code: str, **changes: object) -> TradingProjectRef:
    project = TradingProjectRef(
        project_code=code,
        name="新乡县城乡供水一体化项目（一标段）施工",
        approval_number=None,
        tenderer_name="新乡县水利局",
        tenderer_credit_code=OWNER,
    )
    return replace(project, **changes)  # type: ignore[arg-type]


# Each approved project with the rule that must flag it (None: it must not be flagged).
CASES: list[tuple[ApprovedProject, str | None]] = [
    (approved("2026-410721-46-01-000001"), "HN-GC-01"),
    (approved("2026-410721-46-01-000002", amount_fen=4_000_000_00), "HN-GC-01"),  # 以上 inclusive
    (approved("2026-410721-46-01-000003", amount_fen=4_000_000_00 - 1), None),  # below
    (approved("2026-410721-46-01-000004", funding=F.NON_STATE), None),  # 目录外: not forced
    (approved("2026-410721-46-01-000005", funding=F.INTERNATIONAL), "HN-GC-01"),
    (approved("2026-410721-46-01-000006", jurisdiction_code=422825), None),  # other province
    (
        approved("2026-410721-46-01-000007", category=C.GOVERNMENT_PROCUREMENT, industry=None),
        "HN-CG-01",
    ),
    (
        approved(
            "2026-410721-46-01-000008",
            category=C.LAND_USE_RIGHTS,
            industry=None,
            amount_fen=1,
            approved_on=TODAY - timedelta(days=61),
        ),
        "HN-TD-01",
    ),
    (  # land has 60 grace days: not yet due
        approved(
            "2026-410721-46-01-000009",
            category=C.LAND_USE_RIGHTS,
            industry=None,
            approved_on=TODAY - timedelta(days=60),
        ),
        None,
    ),
    (  # 国有产权 rule in force from 2024: an approval of 2023 is not under it
        approved(
            "2023-410721-46-01-000010",
            category=C.STATE_PROPERTY,
            industry=None,
            approved_on=date(2023, 12, 31),
        ),
        None,
    ),
    (
        approved(
            "2024-410721-46-01-000011",
            category=C.STATE_PROPERTY,
            industry=None,
            approved_on=date(2024, 1, 1),
        ),
        "HN-CQ-01",
    ),
    (approved("2026-410721-46-01-000012", category=C.OTHER, industry=None), None),  # no rule
]


def test_the_check_flags_exactly_what_the_catalogue_says() -> None:
    flagged = not_entered([a for a, _ in CASES], [], henan(), today=TODAY)
    got = {e.approved.approval_number: e.rule.code for e in flagged}
    expected = {a.approval_number: rule for a, rule in CASES if rule is not None}
    assert got == expected
    for entry in flagged:
        assert entry.days_overdue == (TODAY - entry.due_on).days > 0
    assert [e.due_on for e in flagged] == sorted(e.due_on for e in flagged)


def test_rule_for_names_the_first_matching_rule() -> None:
    catalogue = henan()
    assert rule_for(catalogue, approved("x")) is catalogue.rules[0]
    assert rule_for(henan(), approved("x", funding=F.NON_STATE)) is None


def test_grace_period_in_calendar_days() -> None:
    catalogue = henan()
    due = approved("N", approved_on=TODAY - timedelta(days=30))
    assert not_entered([due], [], catalogue, today=TODAY) == []
    (late,) = not_entered([due], [], catalogue, today=TODAY + timedelta(days=1))
    assert late.days_overdue == 1
    assert late.due_on == TODAY
    (overridden,) = not_entered([due], [], catalogue, today=TODAY, grace_days=10)
    assert overridden.days_overdue == 20


def test_matching_by_approval_number_first() -> None:
    project = approved("2026-410721-46-01-000001")
    entered = trading(
        "T-1",
        name="完全不同的名称",
        approval_number=" 2026-410721-46-01-000001 ",
        tenderer_name="另一单位",
        tenderer_credit_code=OTHER_OWNER,
    )
    match = find_match(project, [entered])
    assert match is not None
    assert match.basis is MatchBasis.APPROVAL_NUMBER
    assert not_entered([project], [entered], henan(), today=TODAY) == []
    # Full-width or lower-case spellings of the same number still match.
    fullwidth = replace(entered, approval_number="２０２６-410721-46-01-000001")
    assert find_match(project, [fullwidth]) is not None


def test_matching_by_owner_and_name() -> None:
    project = approved("A-1")
    match = find_match(project, [trading("T-1")])
    assert match is not None
    assert match.basis is MatchBasis.OWNER_AND_NAME
    assert match.score == 1.0  # the approved name is contained in the tender's
    # The owner without a credit code on the trading side still matches by name.
    by_name = trading("T-2", tenderer_credit_code=None, tenderer_name="新乡县水利局 ")
    assert find_match(project, [by_name]) is not None
    # Another owner with the same project name is not this project entering.
    other = trading("T-3", tenderer_name="新乡市水利局", tenderer_credit_code=OTHER_OWNER)
    assert find_match(project, [other]) is None
    assert len(not_entered([project], [other], henan(), today=TODAY)) == 1


def test_same_owner_different_project_is_not_a_match() -> None:
    school = approved("S-1", name="新乡县第一小学运动场建设项目", owner_name="新乡县教育局")
    tender = trading(
        "T-9",
        name="新乡县第一小学教学楼建设项目施工",
        tenderer_name="新乡县教育局",
        tenderer_credit_code=OWNER,
    )
    assert 0.6 < name_similarity(school.name, tender.name) < 0.7
    assert find_match(school, [tender]) is None
    similar = replace(tender, name="新乡县第一小学运动场新建工程")
    assert find_match(school, [similar]) is not None


@pytest.mark.parametrize(
    ("name", "normal"),
    [
        ("新乡县城乡供水一体化项目（一标段）施工", "新乡县城乡供水一体化"),
        ("ＸＸ道路第2包 招标公告", "xx道路"),
        ("统一标准化厂房", "统一标准化厂房"),
        ("林州市红旗渠大道改造工程EPC总承包", "林州市红旗渠大道改造epc"),
    ],
)
def test_name_normalisation(name: str, normal: str) -> None:
    assert normalise_name(name) == normal


_numbers = st.lists(st.integers(min_value=1, max_value=200), min_size=0, max_size=30, unique=True)


@given(_numbers, _numbers)
def test_entering_removes_exactly_the_entered(approved_ids: list[int], entered: list[int]) -> None:
    projects = [
        approved(f"N-{i}", name=f"工程{i:04d}号", owner_name=f"单位{i}", owner_credit_code=None)
        for i in approved_ids
    ]
    tenders = [
        trading(f"T-{i}", name="x", approval_number=f"N-{i}", tenderer_credit_code=None)
        for i in entered
    ]
    flagged = {
        e.approved.approval_number for e in not_entered(projects, tenders, henan(), today=TODAY)
    }
    assert flagged == {f"N-{i}" for i in approved_ids if i not in entered}


def test_a_large_check_runs_in_one_pass() -> None:
    projects = [
        approved(f"N-{i}", name=f"项目{i}", owner_credit_code=None, owner_name=f"单位{i % 100}")
        for i in range(5_000)
    ]
    tenders = [
        trading(
            f"T-{i}", name=f"项目{i}", tenderer_name=f"单位{i % 100}", tenderer_credit_code=None
        )
        for i in range(0, 5_000, 2)
    ]
    flagged = not_entered(projects, tenders, henan(), today=TODAY)
    assert len(flagged) == 2_500
