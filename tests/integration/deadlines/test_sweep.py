"""The sweep, day by day with a ``ManualClock``: the warning at one working day left and at
80 % of the time, overdue, the owner's department told, the office one level up told — each
exactly once, however often the sweep runs — under the sweep's own signed scopes."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import date

from tests.integration.deadlines.conftest import Db
from xietong.deadlines import obligations as svc
from xietong.deadlines import sweep
from xietong.deadlines.clock import ManualClock
from xietong.deadlines.enums import PauseReason
from xietong.deadlines.obligations import MatterRef

XUANEN, ENSHI, HUBEI = 422825, 422800, 420000


async def notifications(db: Db) -> list[tuple[object, ...]]:
    return await db.rows(
        "SELECT n.kind, n.jurisdiction_code, d.key, n.due_on, o.rule_id FROM notification n "
        "JOIN obligation o ON o.id = n.obligation_id "
        "LEFT JOIN department d ON d.id = n.recipient_department_id "
        "ORDER BY n.created_at, o.rule_id, n.kind"
    )


async def open_clock(
    db: Db, clock: ManualClock, rule: str, code: int, department: str, actor: str
) -> uuid.UUID:
    owner = await db.department(department)
    async with db.as_unit(code, actor) as session:
        row = await svc.open_obligation(
            session,
            rule_id=rule,
            matter=MatterRef("complaint", uuid.uuid4()),
            owing_jurisdiction_code=code,
            owing_department_id=owner,
            counterparty=None,
            started_on=clock.today(),
            clock=clock,
            actor=actor,
        )
    return row.id


async def sweep_on(db: Db, clock: ManualClock, day: date, times: int = 2) -> sweep.SweepReport:
    clock.set(ManualClock.on(day, 8, 0).now())
    report = await sweep.run(db.app, clock=clock, batch=3)
    for _ in range(times - 1):  # again: nothing new
        again = await sweep.run(db.app, clock=clock, batch=3)
        assert again.sent == 0
        assert again.marked_overdue == 0
    return report


async def test_warnings_overdue_and_escalation_each_exactly_once(db: Db) -> None:
    clock = ManualClock.on(date(2026, 9, 30))
    acceptance = await open_clock(
        db, clock, "TB.acceptance_decision", XUANEN, "xuanen-housing", "xuanen.housing"
    )
    city = await open_clock(
        db, clock, "R9.redirect_notice", ENSHI, "enshi-housing", "enshi.housing"
    )
    province = await open_clock(
        db, clock, "R7.report_to_office", HUBEI, "hubei-housing", "hubei.housing"
    )

    assert (await sweep_on(db, clock, date(2026, 10, 8))).sent == 0

    # 9 October: one working day left (the 10th, a make-up Saturday) for all three.
    report = await sweep_on(db, clock, date(2026, 10, 9))
    assert report.notified == Counter({"last_day": 3, "escalation": 0})
    # 10 October, the due date: 80 % of three days is reached on the last one.
    report = await sweep_on(db, clock, date(2026, 10, 10))
    assert report.notified == Counter({"warning": 3, "escalation": 0})
    # 12 October (after a Sunday with nothing to say): overdue; 恩施州 hears of 宣恩县's clock,
    # 湖北省 of 恩施州's; nobody stands above the province.
    report = await sweep_on(db, clock, date(2026, 10, 12))
    assert report.notified == Counter({"overdue": 3, "escalation": 2})
    assert report.marked_overdue == 3
    await sweep_on(db, clock, date(2026, 10, 20))

    found = Counter((kind, code, dept) for kind, code, dept, _, _ in await notifications(db))
    assert found == Counter(
        {
            ("last_day", XUANEN, "xuanen-housing"): 1,
            ("warning", XUANEN, "xuanen-housing"): 1,
            ("overdue", XUANEN, "xuanen-housing"): 1,
            ("escalation", ENSHI, "enshi-office"): 1,
            ("last_day", ENSHI, "enshi-housing"): 1,
            ("warning", ENSHI, "enshi-housing"): 1,
            ("overdue", ENSHI, "enshi-housing"): 1,
            ("escalation", HUBEI, "hubei-office"): 1,
            ("last_day", HUBEI, "hubei-housing"): 1,
            ("warning", HUBEI, "hubei-housing"): 1,
            ("overdue", HUBEI, "hubei-housing"): 1,
        }
    )
    statuses = await db.rows(
        "SELECT id, status, next_alert_on FROM obligation ORDER BY id",
    )
    assert {(i, s, n) for i, s, n in statuses} == {
        (acceptance, "overdue", None),
        (city, "overdue", None),
        (province, "overdue", None),
    }
    # The sweep's writes are the system's, in the audit trail of each unit.
    audited = await db.rows(
        "SELECT jurisdiction_code, actor, (details->>'count')::int FROM audit_event "
        "WHERE action = 'obligations.overdue' ORDER BY jurisdiction_code"
    )
    assert audited == [
        (HUBEI, sweep.SWEEP_ACTOR, 1),
        (ENSHI, sweep.SWEEP_ACTOR, 1),
        (XUANEN, sweep.SWEEP_ACTOR, 1),
    ]


async def test_the_80_percent_warning_of_a_long_clock_comes_before_the_last_day(db: Db) -> None:
    clock = ManualClock.on(date(2026, 11, 2))
    await open_clock(db, clock, "GP.decision", XUANEN, "xuanen-finance", "xuanen.finance")
    assert (await sweep_on(db, clock, date(2026, 12, 3))).sent == 0
    # The 24th of 30 working days (ceil of 80 %) is Friday 4 December.
    assert (await sweep_on(db, clock, date(2026, 12, 4))).notified == Counter(
        {"warning": 1, "escalation": 0}
    )
    assert (await sweep_on(db, clock, date(2026, 12, 10))).sent == 0
    # Due Monday 14 December: on Friday 11th one working day is left.
    assert (await sweep_on(db, clock, date(2026, 12, 11))).notified == Counter(
        {"last_day": 1, "escalation": 0}
    )
    assert (await sweep_on(db, clock, date(2026, 12, 14))).sent == 0  # due today, still in time
    assert (await sweep_on(db, clock, date(2026, 12, 15))).notified == Counter(
        {"overdue": 1, "escalation": 1}
    )


async def test_a_held_clock_is_silent_and_met_or_cancelled_ones_are_left_alone(db: Db) -> None:
    clock = ManualClock.on(date(2026, 11, 2))
    matter = MatterRef("complaint", uuid.uuid4())
    finance = await db.department("xuanen-finance")
    async with db.as_unit(XUANEN, "xuanen.finance") as session:
        for rule in ("GP.decision", "GP.review", "GP.respondent_notice"):
            await svc.open_obligation(
                session,
                rule_id=rule,
                matter=matter,
                owing_jurisdiction_code=XUANEN,
                owing_department_id=finance,
                counterparty=None,
                started_on=clock.today(),
                clock=clock,
                actor="xuanen.finance",
            )
    clock.advance(days=1)
    async with db.as_unit(XUANEN, "xuanen.finance") as session:
        await svc.meet(
            session, matter=matter, rule_id="GP.review", clock=clock, actor="xuanen.finance"
        )
        await svc.pause(
            session,
            matter=matter,
            reason=PauseReason.CORRECTION,
            document="补正通知书",
            notice=None,
            clock=clock,
            actor="xuanen.finance",
        )
    # Months later nothing was said: the review was met, the other clocks are held.
    assert (await sweep_on(db, clock, date(2027, 3, 1))).sent == 0
    assert await db.scalar("SELECT count(*) FROM notification") == 0
