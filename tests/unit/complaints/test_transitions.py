"""The transition table: every move legal or refused with a code, clocks consistent with the
rules table, both regimes served by one row."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xietong.complaints import transitions as t
from xietong.complaints.enums import (
    ComplaintAction,
    ComplaintOutcome,
    ComplaintRegime,
    ComplaintStatus,
    Party,
)
from xietong.complaints.errors import ComplaintError, ComplaintErrorCode
from xietong.deadlines.enums import ClockEvent, PauseReason, Regime
from xietong.deadlines.rules import RULES_BY_ID

S = ComplaintStatus
A = ComplaintAction
TB = ComplaintRegime.TENDERING
GP = ComplaintRegime.PROCUREMENT

_STARTS = {
    t.Start.RECEIVED: ClockEvent.COMPLAINT_RECEIVED,
    t.Start.AT_OFFICE: ClockEvent.COMPLAINT_RECEIVED,
    t.Start.REVIEW: ClockEvent.COMPLAINT_RECEIVED,
}


def test_every_rule_named_exists_and_every_state_is_reachable() -> None:
    for row in t.TRANSITIONS:
        for effect in row.clocks:
            if effect.rule_id is not None:
                assert effect.rule_id in RULES_BY_ID, effect
    reached = {S.RECEIVED, S.AT_OFFICE} | {row.next for row in t.TRANSITIONS}
    assert reached == set(S)


def test_opened_clocks_count_from_an_event_their_rule_starts_or_dates_back_to() -> None:
    for row in t.TRANSITIONS:
        for effect in row.clocks:
            rule = effect.rule
            if effect.effect not in (t.Effect.OPEN, t.Effect.OPEN_AND_MEET) or rule is None:
                continue
            assert effect.owing is not None, effect
            assert effect.start is not None, effect
            if effect.start is t.Start.TODAY:
                continue  # the move itself is the start event
            event = _STARTS[effect.start]
            assert event in rule.starts or rule.counted_from is event, (row, effect)


def test_pauses_name_reasons_some_clock_of_the_regime_allows() -> None:
    for row in t.TRANSITIONS:
        for effect in row.clocks:
            if effect.effect is t.Effect.PAUSE and effect.reason is not None:
                assert any(effect.reason in r.pauses for r in RULES_BY_ID.values())


def test_no_two_rows_for_one_move_without_telling_them_apart() -> None:
    by_move: dict[tuple[S, A], list[t.Transition]] = {}
    for row in t.TRANSITIONS:
        by_move.setdefault((row.state, row.action), []).append(row)
    for move, rows in by_move.items():
        if len(rows) > 1:
            assert all(row.when for row in rows), move


def test_one_row_serves_both_regimes() -> None:
    accept = t.resolve(S.ASSIGNED, A.ACCEPT, t.Facts(regime=TB))
    tendering = {e.rule_id for e in accept.effects_for(TB)}
    procurement = {e.rule_id for e in accept.effects_for(GP)}
    other = {e.rule_id for e in accept.effects_for(ComplaintRegime.OTHER)}
    assert tendering == {"TB.acceptance_decision", "TB.decision"}
    assert procurement == {"GP.review", "GP.respondent_notice", "GP.decision"}
    assert other == set()
    report = t.resolve(S.RECEIVED, A.REPORT, t.Facts(regime=ComplaintRegime.OTHER))
    assert {e.rule_id for e in report.effects_for(ComplaintRegime.OTHER)} == {
        "R7.report_to_office",
        "R9.transfer",
    }


def test_the_happy_path_of_each_regime() -> None:
    for regime in (TB, GP):
        facts = t.Facts(regime=regime)
        state = S.AT_OFFICE
        for action in (A.ASSIGN, A.REQUEST_CORRECTION, A.RESUME, A.ACCEPT, A.DECIDE, A.FEEDBACK):
            row = t.resolve(state, action, facts)
            state = row.next
            if action is A.REQUEST_CORRECTION:
                facts = t.Facts(regime=regime, correction_requested=True)
        assert state is S.CLOSED


def test_correction_is_requested_once() -> None:
    facts = t.Facts(regime=GP, correction_requested=True)
    with pytest.raises(ComplaintError) as caught:
        t.resolve(S.ASSIGNED, A.REQUEST_CORRECTION, facts)
    assert caught.value.error_code is ComplaintErrorCode.CORRECTION_ALREADY_REQUESTED


def test_suspension_is_for_procurement_only_and_not_twice() -> None:
    with pytest.raises(ComplaintError) as caught:
        t.resolve(S.ACCEPTED, A.SUSPEND_PROCUREMENT, t.Facts(regime=TB))
    assert caught.value.error_code is ComplaintErrorCode.NOT_PROCUREMENT
    row = t.resolve(S.ACCEPTED, A.SUSPEND_PROCUREMENT, t.Facts(regime=GP))
    assert row.next is S.ACCEPTED
    assert [str(e) for e in row.clocks] == ["open GP.suspension from today"]
    with pytest.raises(ComplaintError) as twice:
        t.resolve(S.ACCEPTED, A.SUSPEND_PROCUREMENT, t.Facts(regime=GP, suspended=True))
    assert twice.value.error_code is ComplaintErrorCode.ILLEGAL_TRANSITION
    assert RULES_BY_ID["GP.suspension"].amount == 30


def test_rating_reopens_once_and_where() -> None:
    decided = t.Facts(
        regime=TB, outcome=ComplaintOutcome.DECIDED, handled_by_department=True, satisfied=False
    )
    assert t.resolve(S.CLOSED, A.RATE, decided).next is S.ACCEPTED
    refused = t.Facts(
        regime=TB, outcome=ComplaintOutcome.REFUSED, handled_by_department=True, satisfied=False
    )
    assert t.resolve(S.CLOSED, A.RATE, refused).next is S.ASSIGNED
    by_office = t.Facts(regime=TB, outcome=ComplaintOutcome.REDIRECTED, satisfied=False)
    assert t.resolve(S.CLOSED, A.RATE, by_office).next is S.AT_OFFICE
    again = t.Facts(regime=TB, outcome=ComplaintOutcome.DECIDED, satisfied=False, reopened=True)
    assert t.resolve(S.CLOSED, A.RATE, again).next is S.CLOSED
    happy = t.Facts(regime=TB, outcome=ComplaintOutcome.DECIDED, satisfied=True)
    assert t.resolve(S.CLOSED, A.RATE, happy).next is S.CLOSED
    with pytest.raises(ComplaintError) as caught:
        t.resolve(S.CLOSED, A.RATE, t.Facts(regime=TB, rated=True, satisfied=True))
    assert caught.value.error_code is ComplaintErrorCode.ALREADY_RATED


def test_only_the_filer_rates_and_only_departments_handle() -> None:
    for row in t.TRANSITIONS:
        assert (row.party is Party.PUBLIC) == (row.action is A.RATE)
        if row.action in (A.ACCEPT, A.REFUSE, A.DECIDE, A.PAUSE, A.REQUEST_CORRECTION):
            assert row.party is Party.COMPETENT_DEPARTMENT


def test_procurement_clock_effects_only_apply_to_procurement() -> None:
    for row in t.TRANSITIONS:
        for effect in row.clocks:
            rule = effect.rule
            if rule is not None and rule.regime is Regime.PROCUREMENT:
                assert effect.applies_to(GP)
                assert not effect.applies_to(TB)


def test_examination_pauses_take_the_moves_reason() -> None:
    row = t.resolve(S.ACCEPTED, A.PAUSE, t.Facts(regime=TB))
    (effect,) = row.clocks
    assert effect.effect is t.Effect.PAUSE
    assert effect.reason is None
    assert PauseReason.TESTING in RULES_BY_ID["TB.decision"].pauses


facts_strategy = st.builds(
    t.Facts,
    regime=st.sampled_from(list(ComplaintRegime)),
    anonymous=st.booleans(),
    correction_requested=st.booleans(),
    suspended=st.booleans(),
    respondent_notified=st.booleans(),
    respondent_answered=st.booleans(),
    outcome=st.none() | st.sampled_from(list(ComplaintOutcome)),
    handled_by_department=st.booleans(),
    rated=st.booleans(),
    reopened=st.booleans(),
    satisfied=st.none() | st.booleans(),
)


@given(st.sampled_from(list(S)), st.sampled_from(list(A)), facts_strategy)
def test_every_move_is_a_row_or_a_coded_refusal(state: S, action: A, facts: t.Facts) -> None:
    try:
        row = t.resolve(state, action, facts)
    except ComplaintError as exc:
        refusal = exc
    else:
        assert row.state is state
        assert row.action is action
        assert row.failing(facts) is None
        return
    assert refusal.error_code in set(ComplaintErrorCode)
    assert "（" in refusal.message  # bilingual
    if action not in t.moves_from(state):
        assert refusal.error_code is ComplaintErrorCode.ILLEGAL_TRANSITION
