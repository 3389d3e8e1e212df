"""The days an obligation row carries for the sweep (``obligations.compute_dates``): pure."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.unit.deadlines.conftest import LIBRARY, WITH_2027
from xietong.audit.enums import ActorKind
from xietong.config import DatabaseSettings, Settings, WorkerSettings
from xietong.deadlines import arithmetic
from xietong.deadlines.arithmetic import Pause
from xietong.deadlines.enums import DeadlineUnit, PauseReason
from xietong.deadlines.jobs import sweep_schedule
from xietong.deadlines.obligations import actor_kind_of, compute_dates
from xietong.deadlines.rules import RULES, get_rule

XUANEN = 422825


def test_a_three_day_clock_warns_the_day_before_and_on_its_last_day() -> None:
    dates = compute_dates(
        get_rule("TB.acceptance_decision"),
        LIBRARY,
        jurisdiction_code=XUANEN,
        counted_from=date(2026, 9, 30),
        amount=3,
        promised_amount=None,
        pauses=(),
    )
    assert dates.due_on == date(2026, 10, 10)
    assert (dates.remind_on, dates.warn_on) == (date(2026, 10, 9), date(2026, 10, 10))
    assert dates.next_alert_on == date(2026, 10, 9)


def test_a_one_day_clock_reminds_at_once() -> None:
    dates = compute_dates(
        get_rule("TB.acceptance_decision"),
        LIBRARY,
        jurisdiction_code=XUANEN,
        counted_from=date(2026, 9, 30),
        amount=3,
        promised_amount=1,
        pauses=(),
    )
    assert (dates.promised_due_on, dates.remind_on) == (date(2026, 10, 8), date(2026, 9, 30))


def test_a_held_clock_has_no_days() -> None:
    dates = compute_dates(
        get_rule("GP.decision"),
        LIBRARY,
        jurisdiction_code=XUANEN,
        counted_from=date(2026, 11, 2),
        amount=30,
        promised_amount=None,
        pauses=(Pause(PauseReason.CORRECTION, date(2026, 11, 10)),),
    )
    assert dates.paused
    assert (dates.due_on, dates.warn_on, dates.remind_on, dates.next_alert_on) == (None,) * 4
    assert dates.paused_since == date(2026, 11, 10)


@settings(max_examples=300, deadline=None)
@given(
    rule=st.sampled_from([r for r in RULES if r.unit is not DeadlineUnit.HOURS]),
    start=st.dates(date(2025, 1, 1), date(2027, 12, 31)),
    gap=st.integers(0, 40),
    length=st.integers(0, 15),
    tighter=st.integers(0, 3),
)
def test_the_days_are_in_order_and_the_80_percent_day_is_exact(
    rule: object, start: date, gap: int, length: int, tighter: int
) -> None:
    from xietong.deadlines.rules import Rule

    assert isinstance(rule, Rule)
    pauses: tuple[Pause, ...] = ()
    if rule.pauses:
        reason = sorted(rule.pauses)[0]
        first = start + timedelta(days=gap)
        pauses = (Pause(reason, first, first + timedelta(days=length)),)
    promised = max(1, rule.amount - tighter) if tighter else None
    dates = compute_dates(
        rule,
        WITH_2027,
        jurisdiction_code=XUANEN,
        counted_from=start,
        amount=rule.amount,
        promised_amount=promised,
        pauses=pauses,
    )
    assert dates.due_on is not None
    first_due = dates.promised_due_on or dates.due_on
    assert dates.warn_on is not None
    assert dates.remind_on is not None
    assert start <= dates.remind_on <= first_due
    assert dates.warn_on <= first_due
    assert dates.next_alert_on == min(dates.warn_on, dates.remind_on, dates.due_on + timedelta(1))
    calendar = WITH_2027.for_jurisdiction(XUANEN)
    n = promised or rule.amount
    needed = -(-4 * n // 5)
    ran = arithmetic.elapsed(calendar, start, dates.warn_on, rule.unit, pauses)
    ran_before = arithmetic.elapsed(
        calendar, start, dates.warn_on - timedelta(days=1), rule.unit, pauses
    )
    if needed >= n:
        assert dates.warn_on == first_due  # short clocks: warned on their last day
    else:
        assert ran >= needed > ran_before  # the first day 80 % has run
    if rule.unit is DeadlineUnit.WORKING_DAYS:
        # One working day is left on the reminder day, and two the working day before it.
        assert calendar.working_days_between(dates.remind_on, first_due) <= 1


@pytest.mark.parametrize(
    ("actor", "kind"),
    [
        ("xuanen.office", ActorKind.PERSON),
        ("key:xt_ab12", ActorKind.API_KEY),
        ("system:deadlines.sweep", ActorKind.SYSTEM),
        ("anonymous", ActorKind.ANONYMOUS),
    ],
)
def test_actor_kinds(actor: str, kind: ActorKind) -> None:
    assert actor_kind_of(actor) is kind


def test_the_sweep_runs_every_minute_and_at_start_when_a_database_is_set() -> None:
    assert sweep_schedule(Settings()) is None  # no database
    on = Settings(database=DatabaseSettings(url="postgresql://db/x"))
    schedule = sweep_schedule(on)
    assert schedule is not None
    assert (schedule.minute, schedule.second, schedule.run_at_startup) == (None, 0, True)
    off = Settings(database=on.database, worker=WorkerSettings(sweep=False))
    assert sweep_schedule(off) is None
    with pytest.raises(ValueError, match="SWEEP_BATCH"):
        sweep_schedule(Settings(database=on.database, worker=WorkerSettings(sweep_batch=0)))
