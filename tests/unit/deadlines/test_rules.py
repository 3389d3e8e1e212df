"""The rules table: every clock the issue names, with its period, unit, pauses and citation."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from tests.unit.deadlines.conftest import LIBRARY
from xietong.deadlines.arithmetic import Pause
from xietong.deadlines.enums import ClockEvent, DeadlineUnit, PauseReason, Regime, RuleBasis
from xietong.deadlines.errors import DeadlineError, DeadlineErrorCode
from xietong.deadlines.rules import (
    RULES,
    RULES_BY_ID,
    counting_start,
    get_rule,
    rule_deadline,
)

WD, CD, H = DeadlineUnit.WORKING_DAYS, DeadlineUnit.CALENDAR_DAYS, DeadlineUnit.HOURS
NATIONAL = LIBRARY.national()
DOCS = Path(__file__).resolve().parents[3] / "docs" / "deadlines.md"

# What the issue and the texts say, written out once more so a change to the table is deliberate.
EXPECTED = [
    ("TB.objection_answer", 3, CD, True),
    ("TB.complaint_window", 10, CD, True),
    ("TB.acceptance_decision", 3, WD, False),
    ("TB.decision", 30, WD, False),
    ("GP.query_window", 7, WD, False),
    ("GP.query_answer", 7, WD, False),
    ("GP.complaint_window", 15, WD, False),
    ("GP.review", 5, WD, False),
    ("GP.refusal_notice", 3, WD, False),
    ("GP.redirect_notice", 3, WD, False),
    ("GP.respondent_notice", 8, WD, False),
    ("GP.respondent_answer", 5, WD, False),
    ("GP.decision", 30, WD, False),
    ("GP.suspension", 30, CD, True),
    ("R7.report_to_office", 3, WD, False),
    ("R7.feedback_to_office", 5, WD, False),
    ("R7.handed_feedback", 5, WD, False),
    ("R9.redirect_notice", 3, WD, False),
    ("R9.transfer", 5, WD, False),
    ("R9.return_out_of_scope", 5, WD, False),
    ("R9.acceptance_reply", 5, WD, False),
    ("R9.result_reply", 10, WD, False),
    ("R10.return_letter", 5, WD, False),
    ("R6.publish_results", 10, WD, False),
    ("R12.copy_to_host", 7, WD, False),
    ("R13.publish_penalty", 7, CD, False),
    ("REMOTE.handover_records", 5, WD, False),
    ("REMOTE.fault_repair", 4, H, False),
    ("REMOTE.pre_start_decision", 2, H, False),
    ("R17.report_upward", 15, WD, False),
]


def test_the_table_is_exactly_the_expected_clocks() -> None:
    assert [r.id for r in RULES] == [e[0] for e in EXPECTED]
    assert len(RULES_BY_ID) == len(RULES)


@pytest.mark.parametrize(("rule_id", "amount", "unit", "moves"), EXPECTED)
def test_each_period(rule_id: str, amount: int, unit: DeadlineUnit, moves: bool) -> None:
    rule = get_rule(rule_id)
    assert (rule.amount, rule.unit, rule.holiday_end_moves) == (amount, unit, moves)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_every_rule_is_cited_and_readable(rule: object) -> None:
    from xietong.deadlines.rules import Rule

    assert isinstance(rule, Rule)
    assert re.fullmatch(r"[A-Z0-9]+\.[a-z_]+", rule.id)
    assert rule.citations
    for c in rule.citations:
        assert c.document.startswith(("《", "丽江", "远程异地评标"))  # documents or practice
        assert c.article
    # Chinese first, English in parentheses.
    assert re.fullmatch(r"[^（]+（[^）]+）", rule.owed), rule.owed
    assert rule.period.endswith(("个工作日", "日", "小时"))
    if rule.basis is RuleBasis.LAW:
        assert rule.regime in (Regime.TENDERING, Regime.PROCUREMENT)


def test_citations_join_articles_of_one_document() -> None:
    assert get_rule("GP.decision").citation == (
        "《政府采购质疑和投诉办法》（财政部令第94号）第二十六条、第二十七条、第四十二条"
    )


def test_pauses_follow_the_texts() -> None:
    examinations = {PauseReason.TESTING, PauseReason.APPRAISAL, PauseReason.EXPERT_REVIEW}
    assert get_rule("TB.decision").pauses == examinations  # Art. 61: no 补正 pause
    assert get_rule("GP.decision").pauses == examinations | {PauseReason.CORRECTION}
    assert get_rule("GP.decision").pause_limits == {PauseReason.CORRECTION: 1}
    assert get_rule("TB.complaint_window").pauses == {PauseReason.OBJECTION}
    assert not get_rule("GP.suspension").pauses
    assert not get_rule("R7.report_to_office").pauses


def test_unknown_rules_are_refused() -> None:
    with pytest.raises(DeadlineError) as caught:
        get_rule("R99.nothing")
    assert caught.value.error_code is DeadlineErrorCode.UNKNOWN_RULE


def test_tendering_acceptance_dates_back_to_receipt() -> None:
    rule = get_rule("TB.decision")
    events = {
        ClockEvent.COMPLAINT_RECEIVED: date(2026, 11, 2),
        ClockEvent.COMPLAINT_ACCEPTED: date(2026, 11, 4),
    }
    assert counting_start(rule, events) == date(2026, 11, 2)
    # Without the receipt recorded, the acceptance itself starts it.
    assert counting_start(rule, {ClockEvent.COMPLAINT_ACCEPTED: date(2026, 11, 4)}) == date(
        2026, 11, 4
    )


def test_the_earliest_of_several_start_events_counts() -> None:
    rule = get_rule("R9.transfer")
    events = {
        ClockEvent.VIOLATION_DISCOVERED: date(2026, 11, 3),
        ClockEvent.COMPLAINT_RECEIVED: date(2026, 11, 5),
    }
    assert counting_start(rule, events) == date(2026, 11, 3)


def test_a_clock_whose_start_has_not_happened_is_refused() -> None:
    with pytest.raises(DeadlineError) as caught:
        counting_start(get_rule("GP.decision"), {ClockEvent.DECISION_MADE: date(2026, 11, 3)})
    assert caught.value.error_code is DeadlineErrorCode.START_EVENT_MISSING


def test_a_procurement_complaint_with_correction_and_testing() -> None:
    # Received Mon 2 Nov 2026. 补正 requested Wed 4 Nov, received Mon 9 Nov (Thu, Fri, Mon do not
    # count); testing requested Fri 20 Nov, report received Fri 27 Nov (5 working days). The plain
    # 30 working days end on 14 Dec; eight paused working days later is 24 Dec.
    rule = get_rule("GP.decision")
    pauses = [
        Pause(PauseReason.CORRECTION, date(2026, 11, 4), date(2026, 11, 9)),
        Pause(PauseReason.TESTING, date(2026, 11, 20), date(2026, 11, 27)),
    ]
    plain = rule_deadline(rule, NATIONAL, date(2026, 11, 2))
    paused = rule_deadline(rule, NATIONAL, date(2026, 11, 2), pauses)
    assert plain.due == date(2026, 12, 14)
    assert paused.due == date(2026, 12, 24)
    assert paused.paused_days == 8


def test_the_suspension_ends_on_the_next_working_day_after_a_holiday() -> None:
    # Suspended 5 Sep 2026: 30 days end on 5 Oct, inside National Day; Art. 42 moves it to 8 Oct.
    result = rule_deadline(get_rule("GP.suspension"), NATIONAL, date(2026, 9, 5))
    assert result.moved_from == date(2026, 10, 5)
    assert result.due == date(2026, 10, 8)


def test_the_tendering_complaint_window_does_not_count_the_objection() -> None:
    # Knew on 1 Nov; objection from 2 to 6 Nov: the 10 days end 15 Nov (a Sunday), moved to 16.
    rule = get_rule("TB.complaint_window")
    pause = Pause(PauseReason.OBJECTION, date(2026, 11, 2), date(2026, 11, 6))
    result = rule_deadline(rule, NATIONAL, date(2026, 11, 1), [pause])
    assert (result.moved_from, result.due) == (date(2026, 11, 15), date(2026, 11, 16))


def test_a_pause_the_rule_does_not_allow_is_refused() -> None:
    pause = Pause(PauseReason.CORRECTION, date(2026, 11, 4), date(2026, 11, 9))
    with pytest.raises(DeadlineError) as caught:
        rule_deadline(get_rule("TB.decision"), NATIONAL, date(2026, 11, 2), [pause])
    assert caught.value.error_code is DeadlineErrorCode.PAUSE_NOT_ALLOWED
    assert "expert_review" in caught.value.message


def test_correction_is_requested_once() -> None:
    pauses = [
        Pause(PauseReason.CORRECTION, date(2026, 11, 4), date(2026, 11, 9)),
        Pause(PauseReason.CORRECTION, date(2026, 11, 12), date(2026, 11, 13)),
    ]
    with pytest.raises(DeadlineError) as caught:
        rule_deadline(get_rule("GP.decision"), NATIONAL, date(2026, 11, 2), pauses)
    assert caught.value.error_code is DeadlineErrorCode.PAUSE_LIMIT_EXCEEDED


def test_the_docs_describe_every_rule() -> None:
    text = DOCS.read_text(encoding="utf-8")
    missing = [r.id for r in RULES if f"`{r.id}`" not in text]
    assert not missing, f"docs/deadlines.md does not describe {missing}"
