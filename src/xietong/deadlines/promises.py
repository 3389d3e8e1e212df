"""Local promises (承诺时限): a jurisdiction may promise to be faster than a rule requires.

Both clocks are tracked and shown: the legal one (what the law holds the office to) and the
promised one (what the jurisdiction told the public). A promise can only tighten: it uses the
rule's unit and an amount no larger than the rule's, and a city or county cannot promise less
than the province above it already promised. A promise applies to the jurisdiction that made it
and everything under it; where several levels promise, the tightest counts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from xietong.deadlines.arithmetic import MAX_AMOUNT, Deadline, Pause
from xietong.deadlines.calendar import WorkingCalendar, ancestry
from xietong.deadlines.enums import DeadlineUnit
from xietong.deadlines.errors import FileProblem
from xietong.deadlines.rules import RULES_BY_ID, Rule, rule_deadline
from xietong.jurisdictions import codes

_UNIT_ZH = {
    DeadlineUnit.WORKING_DAYS: "个工作日",
    DeadlineUnit.CALENDAR_DAYS: "日",
    DeadlineUnit.HOURS: "小时",
}


@dataclass(frozen=True, slots=True)
class LocalPromise:
    """A jurisdiction's promise to meet ``rule_id`` within ``amount`` (in the rule's unit)."""

    jurisdiction: int
    rule_id: str
    amount: int
    unit: DeadlineUnit
    source: str
    """Where the promise is published (文件名称、文号或服务承诺)."""


@dataclass(frozen=True, slots=True)
class Clocks:
    """The two clocks of one obligation: the law's, and the promise's where there is one."""

    rule_id: str
    legal: Deadline
    promised: Deadline | None
    promise: LocalPromise | None

    @property
    def first_due(self) -> Deadline:
        """The clock that falls due first (the promise's, when there is one)."""
        return self.promised or self.legal


def promise_problem(promise: LocalPromise) -> str | None:
    """Why ``promise`` is not a tightening of its rule, or None."""
    rule = RULES_BY_ID.get(promise.rule_id)
    if rule is None:
        return f"没有时限规则“{promise.rule_id[:60]}”（no such deadline rule）"
    if promise.unit is not rule.unit:
        return (
            f"{rule.id} 的法定时限以“{_UNIT_ZH[rule.unit]}”计，承诺须用同一单位"
            f"（a promise uses the rule's unit, {rule.unit.value}）"
        )
    if (
        isinstance(promise.amount, bool)
        or not isinstance(promise.amount, int)
        or not 1 <= promise.amount <= MAX_AMOUNT
    ):
        return "承诺天数应为正整数（the promised amount must be a whole number ≥ 1）"
    if promise.amount > rule.amount:
        return (
            f"承诺时限 {promise.amount}{_UNIT_ZH[rule.unit]} 长于法定时限 {rule.period}"
            f"（{rule.citation}）；承诺只能缩短，不能放宽"
            f"（a promise may tighten the law, never loosen it: {promise.amount} > {rule.amount}）"
        )
    return None


def check_promises(promises: Iterable[LocalPromise]) -> list[FileProblem]:
    """Every problem with a set of promises: each against its rule, duplicates, and a lower level
    promising less than a level above it."""
    problems: list[FileProblem] = []
    by_key: dict[tuple[int, str], LocalPromise] = {}
    for p in promises:
        label = f"promises ({codes.format_code(p.jurisdiction)} {p.rule_id[:60]})"
        problem = promise_problem(p)
        if problem:
            problems.append(FileProblem(label, problem))
            continue
        if (p.jurisdiction, p.rule_id) in by_key:
            problems.append(FileProblem(label, "同一规则重复承诺（the rule is promised twice）"))
            continue
        by_key[(p.jurisdiction, p.rule_id)] = p
    for (code, rule_id), p in by_key.items():
        above = [by_key[(a, rule_id)] for a in ancestry(code)[:-1] if (a, rule_id) in by_key]
        tightest = min(above, key=lambda q: q.amount, default=None)
        if tightest is not None and p.amount > tightest.amount:
            problems.append(
                FileProblem(
                    f"promises ({codes.format_code(code)} {rule_id})",
                    f"承诺 {p.amount} 长于上级 {codes.format_code(tightest.jurisdiction)} 已承诺的 "
                    f"{tightest.amount}（a lower level cannot loosen its superior's promise）",
                )
            )
    return problems


def effective_promise(
    rule_id: str, jurisdiction: int | None, promises: Iterable[LocalPromise]
) -> LocalPromise | None:
    """The promise that binds ``jurisdiction`` for ``rule_id``: the tightest along its chain."""
    if jurisdiction is None:
        return None
    chain = set(ancestry(jurisdiction))
    found = [p for p in promises if p.rule_id == rule_id and p.jurisdiction in chain]
    return min(found, key=lambda p: (p.amount, -p.jurisdiction), default=None)


def rule_clocks(
    rule: Rule,
    calendar: WorkingCalendar,
    start: date,
    pauses: Iterable[Pause] = (),
    promise: LocalPromise | None = None,
) -> Clocks:
    """Both clocks of an obligation under ``rule``: the same start, pauses and calendar, the
    promise's amount for the second. An invalid promise is refused (``ValueError``): promises
    are checked when the tenant file is loaded, so one reaching here is a bug."""
    pauses = tuple(pauses)
    legal = rule_deadline(rule, calendar, start, pauses)
    promised = None
    if promise is not None:
        if promise.rule_id != rule.id:
            raise ValueError(f"promise for {promise.rule_id} used with {rule.id}")
        problem = promise_problem(promise)
        if problem:
            raise ValueError(problem)
        promised = rule_deadline(rule, calendar, start, pauses, amount=promise.amount)
    return Clocks(rule.id, legal, promised, promise)
