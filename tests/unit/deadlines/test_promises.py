"""Local promises: tighter than the law or refused, both clocks tracked."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.unit.deadlines.conftest import LIBRARY
from xietong.deadlines.enums import DeadlineUnit
from xietong.deadlines.promises import (
    LocalPromise,
    check_promises,
    effective_promise,
    promise_problem,
    rule_clocks,
)
from xietong.deadlines.rules import RULES, get_rule

WD, CD = DeadlineUnit.WORKING_DAYS, DeadlineUnit.CALENDAR_DAYS
HUBEI, ENSHI, XUANEN = 420000, 422800, 422825


def promise(rule: str, amount: int, unit: DeadlineUnit = WD, code: int = HUBEI) -> LocalPromise:
    return LocalPromise(code, rule, amount, unit, "服务承诺")


def test_a_tighter_or_equal_promise_is_accepted() -> None:
    assert promise_problem(promise("TB.acceptance_decision", 2)) is None
    assert promise_problem(promise("TB.acceptance_decision", 3)) is None


def test_a_looser_promise_is_refused_with_the_law_cited() -> None:
    problem = promise_problem(promise("TB.acceptance_decision", 4))
    assert problem is not None
    assert problem.startswith("承诺时限 4个工作日 长于法定时限 3个工作日")
    assert "第六十一条第二款" in problem
    assert "不能放宽" in problem
    assert "never loosen" in problem


@pytest.mark.parametrize(
    ("p", "fragment"),
    [
        (promise("TB.complaint_window", 5, WD), "同一单位"),
        (promise("R99.none", 1), "没有时限规则"),
        (promise("GP.decision", 0), "正整数"),
        (promise("GP.decision", -3), "正整数"),
    ],
)
def test_other_bad_promises(p: LocalPromise, fragment: str) -> None:
    problem = promise_problem(p)
    assert problem is not None
    assert fragment in problem


def test_check_promises_reports_duplicates_and_a_county_loosening_its_province() -> None:
    problems = check_promises(
        [
            promise("GP.decision", 20),
            promise("GP.decision", 25),  # twice for the province
            promise("GP.decision", 25, code=XUANEN),  # looser than the province's 20
            promise("GP.decision", 15, code=ENSHI),  # tighter: fine
            promise("GP.decision", 40, code=ENSHI),  # looser than the law
        ]
    )
    messages = [str(p) for p in problems]
    assert len(messages) == 3, messages
    assert any("重复" in m for m in messages)
    assert any("422825" in m and "上级 422800 已承诺的 15" in m for m in messages)
    assert any("422800" in m and "不能放宽" in m for m in messages)


def test_the_tightest_promise_along_the_chain_binds() -> None:
    promises = [
        promise("GP.decision", 20),
        promise("GP.decision", 15, code=ENSHI),
        promise("GP.review", 4),
    ]
    assert effective_promise("GP.decision", XUANEN, promises) == promises[1]
    assert effective_promise("GP.decision", 421300, promises) == promises[0]  # 随州: province
    assert effective_promise("GP.decision", 530000, promises) is None
    assert effective_promise("GP.decision", None, promises) is None
    assert effective_promise("TB.decision", XUANEN, promises) is None


def test_both_clocks_are_computed() -> None:
    rule = get_rule("TB.acceptance_decision")
    clocks = rule_clocks(rule, LIBRARY.national(), date(2026, 9, 30), promise=promise(rule.id, 2))
    assert clocks.legal.due == date(2026, 10, 10)
    assert clocks.promised is not None
    assert clocks.promised.due == date(2026, 10, 9)
    assert clocks.first_due is clocks.promised
    without = rule_clocks(rule, LIBRARY.national(), date(2026, 9, 30))
    assert without.promised is None
    assert without.first_due is without.legal


def test_an_unchecked_loose_promise_never_reaches_the_arithmetic() -> None:
    rule = get_rule("TB.acceptance_decision")
    with pytest.raises(ValueError, match="不能放宽"):
        rule_clocks(rule, LIBRARY.national(), date(2026, 9, 30), promise=promise(rule.id, 9))
    with pytest.raises(ValueError, match="used with"):
        rule_clocks(rule, LIBRARY.national(), date(2026, 9, 30), promise=promise("GP.review", 1))


@given(
    rule=st.sampled_from([r for r in RULES if r.unit is not DeadlineUnit.HOURS]),
    start=st.dates(min_value=date(2010, 1, 1), max_value=date(2028, 12, 31)),
    data=st.data(),
)
@settings(deadline=None)  # timing is bench/'s job, not the tests'
def test_a_promise_never_falls_due_after_the_law(
    rule: object, start: date, data: st.DataObject
) -> None:
    from xietong.deadlines.rules import Rule

    assert isinstance(rule, Rule)
    amount = data.draw(st.integers(min_value=1, max_value=rule.amount))
    clocks = rule_clocks(
        rule, LIBRARY.national(), start, promise=promise(rule.id, amount, rule.unit)
    )
    assert clocks.promised is not None
    assert clocks.promised.due is not None
    assert clocks.legal.due is not None
    assert clocks.promised.due <= clocks.legal.due
