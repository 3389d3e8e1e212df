"""The obligations service (the contract with the contexts that own matters), through a real
database as the application role, with a ``ManualClock``."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from sqlalchemy.exc import DBAPIError

from tests.integration.deadlines.conftest import Db
from xietong.deadlines import obligations as svc
from xietong.deadlines.clock import ManualClock
from xietong.deadlines.enums import ObligationStatus, PauseReason
from xietong.deadlines.errors import DeadlineError, ObligationNotFound
from xietong.deadlines.obligations import MatterRef

XUANEN = 422825
CLERK = "xuanen.housing"


def complaint() -> MatterRef:
    return MatterRef("complaint", uuid.uuid4())


async def test_three_working_days_from_30_september_fall_on_the_make_up_saturday(db: Db) -> None:
    clock = ManualClock.on(date(2026, 9, 30))
    housing = await db.department("xuanen-housing")
    matter = complaint()
    async with db.as_unit(XUANEN, CLERK) as session:
        row = await svc.open_obligation(
            session,
            rule_id="TB.acceptance_decision",
            matter=matter,
            owing_jurisdiction_code=XUANEN,
            owing_department_id=housing,
            counterparty="投诉人 张三",
            started_on=clock.today(),
            clock=clock,
            actor=CLERK,
        )
        again = await svc.open_obligation(
            session,
            rule_id="TB.acceptance_decision",
            matter=matter,
            owing_jurisdiction_code=XUANEN,
            owing_department_id=housing,
            counterparty="投诉人 张三",
            started_on=clock.today(),
            clock=clock,
            actor=CLERK,
        )
    assert again.id == row.id  # idempotent while open
    assert row.due_on == date(2026, 10, 10)  # 8, 9 and the make-up Saturday 10 October
    assert row.status is ObligationStatus.OPEN
    assert not row.provisional
    assert row.calendar_version.startswith("cal1-")
    assert row.calendar_jurisdiction == XUANEN
    assert row.escalate_to == 422800  # 恩施州 hears of it when overdue
    assert (row.remind_on, row.warn_on, row.next_alert_on) == (
        date(2026, 10, 9),
        date(2026, 10, 10),
        date(2026, 10, 9),
    )
    events = await db.rows(
        "SELECT action, actor, details->>'due_on' FROM audit_event WHERE object_id = :i",
        i=str(row.id),
    )
    assert events == [("obligation.open", CLERK, "2026-10-10")]


async def test_meet_and_cancel(db: Db) -> None:
    clock = ManualClock.on(date(2026, 9, 30))
    matter = complaint()
    async with db.as_unit(XUANEN, CLERK) as session:
        for rule in ("R7.report_to_office", "TB.acceptance_decision"):
            await svc.open_obligation(
                session,
                rule_id=rule,
                matter=matter,
                owing_jurisdiction_code=XUANEN,
                owing_department_id=None,
                counterparty=None,
                started_on=clock.today(),
                clock=clock,
                actor=CLERK,
            )
    clock.advance(days=12)  # 12 October: the acceptance decision is two days late
    async with db.as_unit(XUANEN, CLERK) as session:
        met = await svc.meet(
            session, matter=matter, rule_id="TB.acceptance_decision", clock=clock, actor=CLERK
        )
        assert (met.status, met.met_on) == (ObligationStatus.MET, date(2026, 10, 12))
        assert met.next_alert_on is None
        with pytest.raises(ObligationNotFound) as refused:
            await svc.meet(
                session, matter=matter, rule_id="TB.acceptance_decision", clock=clock, actor=CLERK
            )
        assert refused.value.code == "NOT_FOUND"
        cancelled = await svc.cancel(
            session, matter=matter, rule_id=None, reason="投诉人撤回投诉", clock=clock, actor=CLERK
        )
        assert [c.rule_id for c in cancelled] == ["R7.report_to_office"]
        assert (
            await svc.cancel(
                session, matter=matter, rule_id=None, reason="再次", clock=clock, actor=CLERK
            )
            == []
        )
        everything = await svc.of_matter(session, matter)
    assert {o.rule_id: o.status for o in everything} == {
        "R7.report_to_office": ObligationStatus.CANCELLED,
        "TB.acceptance_decision": ObligationStatus.MET,
    }
    late = await db.scalar(
        "SELECT details->>'late' FROM audit_event WHERE action = 'obligation.meet' "
        "AND object_id = :i",
        i=str(met.id),
    )
    assert late == "true"


async def test_pause_for_correction_and_resume_add_the_paused_working_days(db: Db) -> None:
    clock = ManualClock.on(date(2026, 11, 2))
    matter = complaint()
    finance = await db.department("xuanen-finance")
    async with db.as_unit(XUANEN, "xuanen.finance") as session:
        decision = await svc.open_obligation(
            session,
            rule_id="GP.decision",
            matter=matter,
            owing_jurisdiction_code=XUANEN,
            owing_department_id=finance,
            counterparty="供应商甲",
            started_on=clock.today(),
            clock=clock,
            actor="xuanen.finance",
        )
        review = await svc.open_obligation(
            session,
            rule_id="GP.review",
            matter=matter,
            owing_jurisdiction_code=XUANEN,
            owing_department_id=finance,
            counterparty="供应商甲",
            started_on=clock.today(),
            clock=clock,
            actor="xuanen.finance",
        )
    assert decision.due_on == date(2026, 12, 14)
    clock.advance(days=8)  # Tuesday 10 November: the 补正通知书 is sent
    async with db.as_unit(XUANEN, "xuanen.finance") as session:
        paused = await svc.pause(
            session,
            matter=matter,
            reason=PauseReason.CORRECTION,
            document="补正通知书 宣财补〔2026〕3号",
            notice="请于5个工作日内补正投诉书",
            clock=clock,
            actor="xuanen.finance",
        )
    # GP.review does not stop for 补正; the decision clock does.
    assert [p.id for p in paused] == [decision.id]
    held = paused[0]
    assert (held.paused, held.due_on, held.paused_since) == (True, None, date(2026, 11, 10))
    assert held.next_alert_on is None
    clock.advance(days=3)  # Friday 13 November: the corrected complaint arrives
    async with db.as_unit(XUANEN, "xuanen.finance") as session:
        resumed = await svc.resume(
            session,
            matter=matter,
            reason=PauseReason.CORRECTION,
            document="补正材料（2026-11-13 收）",
            clock=clock,
            actor="xuanen.finance",
        )
        assert [r.id for r in resumed] == [decision.id]
        assert (resumed[0].due_on, resumed[0].paused_days, resumed[0].paused) == (
            date(2026, 12, 17),  # 11, 12 and 13 November did not count
            3,
            False,
        )
        # 94号令 Art. 21: one request to complete, no more.
        clock.advance(days=4)
        with pytest.raises(DeadlineError) as twice:
            await svc.pause(
                session,
                matter=matter,
                reason=PauseReason.CORRECTION,
                document="第二次补正通知",
                notice=None,
                clock=clock,
                actor="xuanen.finance",
            )
        assert twice.value.code == "PAUSE_LIMIT_EXCEEDED"
    pauses = await db.rows(
        "SELECT reason, started_on, started_document, notice, ended_on, ended_document, ended_by "
        "FROM obligation_pause WHERE obligation_id = :i",
        i=str(decision.id),
    )
    assert pauses == [
        (
            "correction",
            date(2026, 11, 10),
            "补正通知书 宣财补〔2026〕3号",
            "请于5个工作日内补正投诉书",
            date(2026, 11, 13),
            "补正材料（2026-11-13 收）",
            "xuanen.finance",
        )
    ]
    actions = await db.rows(
        "SELECT action FROM audit_event WHERE object_id = :i ORDER BY id", i=str(decision.id)
    )
    assert actions == [("obligation.open",), ("obligation.pause",), ("obligation.resume",)]
    assert review.due_on == date(2026, 11, 9)


async def test_the_tighter_local_promise_is_computed_beside_the_law(db: Db) -> None:
    await db.execute(
        "INSERT INTO local_promise (jurisdiction_code, rule_id, province_code, amount, unit, "
        "source) VALUES (420000, 'TB.acceptance_decision', 420000, 2, 'working_days', "
        "'湖北省投诉处理服务承诺')"
    )
    clock = ManualClock.on(date(2026, 9, 30))
    async with db.as_unit(XUANEN, CLERK) as session:
        row = await svc.open_obligation(
            session,
            rule_id="TB.acceptance_decision",
            matter=complaint(),
            owing_jurisdiction_code=XUANEN,
            owing_department_id=None,
            counterparty=None,
            started_on=clock.today(),
            clock=clock,
            actor=CLERK,
        )
    assert (row.due_on, row.promised_due_on) == (date(2026, 10, 10), date(2026, 10, 9))
    assert (row.promised_amount, row.promise_jurisdiction) == (2, 420000)
    assert row.promise_source == "湖北省投诉处理服务承诺"
    # Warnings follow the clock that falls due first: the promise.
    assert (row.remind_on, row.warn_on) == (date(2026, 10, 8), date(2026, 10, 9))


async def test_the_owing_sides_local_closure_counts(db: Db) -> None:
    await db.execute(
        "INSERT INTO calendar_override (jurisdiction_code, day, province_code, kind, reason) "
        "VALUES (422825, '2026-10-08', 420000, 'closed', '宣恩县防汛停工')"
    )
    clock = ManualClock.on(date(2026, 9, 30))
    async with db.as_unit(XUANEN, CLERK) as session:
        row = await svc.open_obligation(
            session,
            rule_id="TB.acceptance_decision",
            matter=complaint(),
            owing_jurisdiction_code=XUANEN,
            owing_department_id=None,
            counterparty=None,
            started_on=clock.today(),
            clock=clock,
            actor=CLERK,
        )
    assert row.due_on == date(2026, 10, 12)  # 9, 10 (make-up Saturday), then Monday 12


async def test_acceptance_dates_back_to_receipt_where_the_rule_says_so(db: Db) -> None:
    clock = ManualClock.on(date(2026, 11, 4))
    async with db.as_unit(XUANEN, CLERK) as session:
        decision = await svc.open_obligation(
            session,
            rule_id="TB.decision",
            matter=complaint(),
            owing_jurisdiction_code=XUANEN,
            owing_department_id=None,
            counterparty=None,
            started_on=clock.today(),
            counted_from=date(2026, 11, 2),  # received on Monday, accepted on Wednesday
            clock=clock,
            actor=CLERK,
        )
        # A rule that does not date back ignores counted_from.
        review = await svc.open_obligation(
            session,
            rule_id="TB.acceptance_decision",
            matter=complaint(),
            owing_jurisdiction_code=XUANEN,
            owing_department_id=None,
            counterparty=None,
            started_on=clock.today(),
            counted_from=date(2026, 11, 2),
            clock=clock,
            actor=CLERK,
        )
    assert (decision.counted_from, decision.due_on) == (date(2026, 11, 2), date(2026, 12, 14))
    assert (review.counted_from, review.due_on) == (date(2026, 11, 4), date(2026, 11, 9))


async def test_refusals(db: Db) -> None:
    clock = ManualClock.on(date(2026, 9, 30))
    elsewhere = await db.department("enshi-office")

    async def attempt(**changes: object) -> None:
        async with db.as_unit(XUANEN, CLERK) as session:
            args: dict[str, object] = {
                "rule_id": "TB.acceptance_decision",
                "matter": complaint(),
                "owing_jurisdiction_code": XUANEN,
                "owing_department_id": None,
                "counterparty": None,
                "started_on": clock.today(),
                "clock": clock,
                "actor": CLERK,
            }
            args.update(changes)
            await svc.open_obligation(session, **args)  # type: ignore[arg-type]

    for changes, code in [
        ({"rule_id": "TB.nothing"}, "UNKNOWN_RULE"),
        ({"matter": MatterRef("Complaint; DROP", uuid.uuid4())}, "INVALID_MATTER"),
        ({"owing_department_id": elsewhere}, "INVALID_DEPARTMENT"),
        ({"owing_jurisdiction_code": 422899}, "INVALID_JURISDICTION"),
        ({"started_on": date(1999, 12, 31)}, "DATE_OUT_OF_RANGE"),
    ]:
        with pytest.raises(DeadlineError) as refused:
            await attempt(**changes)
        assert refused.value.code == code, changes
    # Row-level security: a county cannot open a clock its city owes.
    with pytest.raises(DBAPIError, match="row-level security"):
        await attempt(owing_jurisdiction_code=422800)
    assert await db.scalar("SELECT count(*) FROM obligation") == 0
