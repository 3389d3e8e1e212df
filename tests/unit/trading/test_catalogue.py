"""The trading catalogue (应进必进目录): its model and validation."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from tests.unit.trading.catalogues import henan
from xietong.jurisdictions.enums import Industry
from xietong.trading.catalogue import parse_catalogue
from xietong.trading.enums import FundingSource, ProjectCategory
from xietong.trading.errors import TradingError, TradingErrorCode


def test_a_catalogue_reads_chinese_names_and_yuan() -> None:
    catalogue = henan()
    assert catalogue.province == 410000
    first = catalogue.rules[0]
    assert first.category is ProjectCategory.CONSTRUCTION
    assert first.funding == {
        FundingSource.GOVERNMENT,
        FundingSource.STATE_OWNED,
        FundingSource.INTERNATIONAL,
    }
    assert first.min_amount_fen == 400_000_000
    assert catalogue.rules[1].min_amount_fen == 400_000_000
    assert catalogue.rules[2].min_amount_fen == 0
    assert catalogue.grace_for(catalogue.rules[2]) == 60
    assert catalogue.grace_for(catalogue.rules[0]) == 30
    assert catalogue.rules[4].effective_from == date(2024, 1, 1)
    assert catalogue.covers(410721)
    assert not catalogue.covers(420000)


def _problems(raw: Any) -> list[str]:
    with pytest.raises(TradingError) as caught:
        parse_catalogue(raw)
    assert caught.value.code == TradingErrorCode.INVALID_CATALOGUE
    problems = caught.value.extensions["problems"]
    assert isinstance(problems, list)
    return [str(p) for p in problems]


def _rule(**changes: Any) -> dict[str, Any]:
    rule: dict[str, Any] = {
        "code": "R1",
        "name": "规则",
        "category": "工程建设",
        "basis": "依据",
    }
    rule.update(changes)
    return rule


@pytest.mark.parametrize(
    ("raw", "where"),
    [
        ({"province": "410700", "rules": [_rule()]}, "province"),
        ({"province": "410000", "rules": []}, "rules"),
        ({"province": "410000", "rules": [_rule(), _rule()]}, "repeated"),
        ({"province": "410000", "grace_days": 400, "rules": [_rule()]}, "grace_days"),
        ({"province": "410000", "rules": [_rule(min_amount="4000000.001")]}, "min_amount"),
        ({"province": "410000", "rules": [_rule(min_amount=1.5)]}, "min_amount"),
        ({"province": "410000", "rules": [_rule(min_amount=4000000.0)]}, "min_amount"),
        ({"province": "410000", "rules": [_rule(min_amount="-1")]}, "min_amount"),
        ({"province": "410000", "rules": [_rule(category="工程")]}, "category"),
        ({"province": "410000", "rules": [_rule(funding=["私人"])]}, "funding"),
        ({"province": "410000", "rules": [_rule(basis="")]}, "basis"),
        ({"province": "410000", "rules": [_rule(code="有 空格")]}, "code"),
        ({"province": "410000", "rules": [_rule(extra=1)]}, "extra"),
        (
            {"province": "410000", "rules": [_rule(category="政府采购", industries=["housing"])]},
            "industries do not apply",
        ),
        (
            {"province": "410000", "rules": [_rule(industries=["procurement"])]},
            "procurement",
        ),
        (
            {
                "province": "410000",
                "rules": [_rule(effective_from="2025-01-01", effective_to="2024-01-01")],
            },
            "effective_to",
        ),
        (None, "catalogue"),
        ({"province": "410000", "rules": ["x"]}, "rules[0]"),
    ],
)
def test_invalid_catalogues_name_each_problem(raw: Any, where: str) -> None:
    problems = _problems(raw)
    assert any(where in p for p in problems), problems


def test_every_problem_is_reported_at_once_with_the_rule_code() -> None:
    problems = _problems(
        {
            "province": "410700",
            "rules": [_rule(code="A", min_amount="x"), _rule(code="B", category="?")],
        }
    )
    assert len(problems) == 3
    assert any(p.startswith("rules[0] (A).min_amount") for p in problems)
    assert any(p.startswith("rules[1] (B).category") for p in problems)


def test_construction_rules_may_name_industries() -> None:
    catalogue = parse_catalogue(
        {"province": "410000", "rules": [_rule(industries=["water", "transport"])]}
    )
    assert catalogue.rules[0].industries == {Industry.WATER, Industry.TRANSPORT}
