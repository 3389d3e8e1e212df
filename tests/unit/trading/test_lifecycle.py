"""The project lifecycle: the transition table decides every move."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xietong.access.roles import Role
from xietong.deadlines.clock import CHINA
from xietong.deadlines.errors import DeadlineError, DeadlineErrorCode
from xietong.trading.enums import ProjectAction as A
from xietong.trading.enums import ProjectState as S
from xietong.trading.errors import TradingError, TradingErrorCode
from xietong.trading.lifecycle import SUSPENDABLE, TABLE, TERMINAL, TRANSITIONS, Lifecycle

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=CHINA)
CENTRE = Role.TRADING_CENTRE

HAPPY_PATH = [
    (A.ANNOUNCE, S.ANNOUNCED),
    (A.OPEN_BIDDING, S.BIDDING),
    (A.OPEN_BIDS, S.EVALUATING),
    (A.AWARD, S.AWARDED),
    (A.SIGN_CONTRACT, S.CONTRACTED),
    (A.START_PERFORMANCE, S.PERFORMING),
    (A.CLOSE, S.CLOSED),
]


def _at(days: int) -> datetime:
    return T0 + timedelta(days=days)


def _reach(state: S) -> Lifecycle:
    """A lifecycle brought to ``state`` along the happy path (plus a suspension or an end)."""
    lifecycle = Lifecycle.register(at=T0, by=CENTRE)
    if state is S.REGISTERED:
        return lifecycle
    for day, (action, target) in enumerate(HAPPY_PATH, start=1):
        lifecycle = lifecycle.apply(action, at=_at(day), by=CENTRE)
        if target is state:
            return lifecycle
        if state is S.SUSPENDED and target is S.BIDDING:
            return lifecycle.apply(A.SUSPEND, at=_at(day + 1), by=Role.INDUSTRY_SUPERVISOR)
        if state is S.FAILED and target is S.BIDDING:
            return lifecycle.apply(A.FAIL, at=_at(day + 1), by=CENTRE)
        if state is S.CANCELLED:
            return lifecycle.apply(A.CANCEL, at=_at(day + 1), by=CENTRE)
    raise AssertionError(state)


def test_the_happy_path_is_dated_move_by_move() -> None:
    lifecycle = Lifecycle.register(at=T0, by=CENTRE)
    for day, (action, target) in enumerate(HAPPY_PATH, start=1):
        lifecycle = lifecycle.apply(action, at=_at(day), by=Role.INTEGRATOR)
        assert lifecycle.state is target
    assert lifecycle.finished
    assert [m.action for m in lifecycle.moves] == [A.REGISTER] + [a for a, _ in HAPPY_PATH]
    assert [m.on for m in lifecycle.moves] == [_at(d).date() for d in range(len(HAPPY_PATH) + 1)]
    assert lifecycle.moves[0].source is None
    assert all(m.source is p.target for p, m in itertools.pairwise(lifecycle.moves))


@pytest.mark.parametrize("state", list(S))
@pytest.mark.parametrize("action", [a for a in A if a is not A.REGISTER])
def test_every_move_the_table_lacks_is_illegal(state: S, action: A) -> None:
    lifecycle = _reach(state)
    assert lifecycle.state is state
    if (state, action) in TABLE:
        roles = TABLE[(state, action)].roles
        moved = lifecycle.apply(action, at=_at(30), by=next(iter(sorted(roles))))
        assert moved.moves[-1].action is action
        return
    with pytest.raises(TradingError) as caught:
        lifecycle.apply(action, at=_at(30), by=CENTRE)
    error = caught.value
    assert error.code == TradingErrorCode.ILLEGAL_TRANSITION
    assert error.extensions["state"] == state.value
    assert error.extensions["action"] == action.value
    assert state.zh in error.message
    assert action.zh in error.message
    assert f"{action.value} in state {state.value}" in error.message


@pytest.mark.parametrize("state", sorted(SUSPENDABLE))
def test_resume_returns_to_the_state_suspended_from(state: S) -> None:
    lifecycle = _reach(state).apply(A.SUSPEND, at=_at(20), by=Role.INDUSTRY_SUPERVISOR)
    assert lifecycle.state is S.SUSPENDED
    assert lifecycle.suspended_from is state
    resumed = lifecycle.apply(A.RESUME, at=_at(21), by=Role.INDUSTRY_SUPERVISOR)
    assert resumed.state is state
    assert resumed.suspended_from is None
    with pytest.raises(TradingError, match="不能"):
        lifecycle.apply(A.SUSPEND, at=_at(21), by=CENTRE)


def test_a_suspended_project_can_be_cancelled_but_not_failed() -> None:
    suspended = _reach(S.SUSPENDED)
    assert suspended.apply(A.CANCEL, at=_at(30), by=CENTRE).state is S.CANCELLED
    with pytest.raises(TradingError) as caught:
        suspended.apply(A.FAIL, at=_at(30), by=CENTRE)
    assert caught.value.code == TradingErrorCode.ILLEGAL_TRANSITION


def test_failed_and_cancelled_are_reachable_only_where_the_law_allows() -> None:
    fail_from = {t.source for t in TRANSITIONS if t.action is A.FAIL}
    cancel_from = {t.source for t in TRANSITIONS if t.action is A.CANCEL}
    assert fail_from == {S.BIDDING, S.EVALUATING}
    assert cancel_from == {S.REGISTERED, S.ANNOUNCED, S.BIDDING, S.EVALUATING, S.SUSPENDED}
    for state in TERMINAL:
        assert _reach(state).allowed_actions() == ()


def test_only_listed_roles_may_move() -> None:
    lifecycle = _reach(S.EVALUATING)
    for role in (Role.DISCIPLINE_INSPECTION, Role.AUDIT, Role.PUBLIC, Role.INDUSTRY_SUPERVISOR):
        with pytest.raises(TradingError) as caught:
            lifecycle.apply(A.AWARD, at=_at(9), by=role)
        assert caught.value.code == TradingErrorCode.FORBIDDEN
    with pytest.raises(TradingError) as caught:
        Lifecycle.register(at=T0, by=Role.SUPERVISION_OFFICE)
    assert caught.value.code == TradingErrorCode.FORBIDDEN
    awarded = lifecycle.apply(A.AWARD, at=_at(9), by=CENTRE)
    assert awarded.apply(A.SIGN_CONTRACT, at=_at(10), by=Role.INDUSTRY_SUPERVISOR).state is (
        S.CONTRACTED
    )


def test_moves_must_not_go_back_in_time_and_need_a_time_zone() -> None:
    lifecycle = _reach(S.ANNOUNCED)
    with pytest.raises(TradingError) as caught:
        lifecycle.apply(A.OPEN_BIDDING, at=T0 - timedelta(minutes=1), by=CENTRE)
    assert caught.value.code == TradingErrorCode.MOVE_OUT_OF_ORDER
    with pytest.raises(DeadlineError) as naive:
        lifecycle.apply(A.OPEN_BIDDING, at=datetime(2026, 4, 1, 9, 0), by=CENTRE)
    assert naive.value.code == DeadlineErrorCode.NAIVE_INSTANT
    # The same instant twice is fine (two steps recorded in one go).
    same = lifecycle.apply(A.OPEN_BIDDING, at=lifecycle.moves[-1].at, by=CENTRE)
    assert same.state is S.BIDDING


def test_dates_are_china_dates() -> None:
    late_utc = datetime(2026, 3, 1, 17, 30, tzinfo=UTC)  # 01:30 on 2 March in China
    lifecycle = Lifecycle.register(at=late_utc, by=CENTRE)
    assert lifecycle.moves[0].on.isoformat() == "2026-03-02"
    assert lifecycle.moves[0].at.tzinfo is CHINA


def test_the_award_starts_and_the_contract_stops_the_contract_clock() -> None:
    assert TABLE[(S.EVALUATING, A.AWARD)].clock is not None
    assert TABLE[(S.AWARDED, A.SIGN_CONTRACT)].clock is not None
    assert all(
        t.clock and t.clock.startswith("pauses") for t in TRANSITIONS if t.action is A.SUSPEND
    )


def test_replay_rebuilds_the_same_lifecycle() -> None:
    original = _reach(S.SUSPENDED).apply(A.RESUME, at=_at(30), by=CENTRE)
    steps = [(m.action, m.at, m.by) for m in original.moves]
    assert Lifecycle.replay(steps) == original
    with pytest.raises(TradingError, match="登记"):
        Lifecycle.replay(steps[1:])
    with pytest.raises(TradingError):
        Lifecycle.replay([])


@given(st.lists(st.sampled_from([a for a in A if a is not A.REGISTER]), max_size=25))
def test_any_sequence_of_actions_follows_the_table(actions: list[A]) -> None:
    lifecycle = Lifecycle.register(at=T0, by=CENTRE)
    for day, action in enumerate(actions, start=1):
        before = lifecycle
        if (before.state, action) not in TABLE:
            with pytest.raises(TradingError) as caught:
                lifecycle.apply(action, at=_at(day), by=CENTRE)
            assert caught.value.code == TradingErrorCode.ILLEGAL_TRANSITION
            continue
        lifecycle = lifecycle.apply(action, at=_at(day), by=CENTRE)
        row = TABLE[(before.state, action)]
        assert lifecycle.state is (row.target or before.suspended_from)
        assert (lifecycle.suspended_from is not None) == (lifecycle.state is S.SUSPENDED)
    assert lifecycle.moves[-1].target is lifecycle.state
    assert all(a.at <= b.at for a, b in itertools.pairwise(lifecycle.moves))
