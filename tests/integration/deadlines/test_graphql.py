"""The clocks through GraphQL: the public deadline, myWork, escalations, the inbox."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest

from tests.integration.deadlines.conftest import (
    PLAUSIBLE_2027,
    Db,
    hold_for_expert_review,
    open_clock,
)
from tests.support import GraphQLClient, counting, error_codes
from xietong.deadlines import calendar_ops, sweep
from xietong.deadlines.calendar_file import read_year_file
from xietong.deadlines.clock import ManualClock
from xietong.deadlines.obligations import MatterRef

XUANEN = 422825

DEADLINE = """query($s: Date!, $a: Int!, $u: DeadlineUnit!, $j: JurisdictionCode) {
  deadline(start: $s, amount: $a, unit: $u, jurisdiction: $j) {
    due provisional calendarVersion movedFrom calendar { version jurisdiction { code } }
  }
}"""


async def deadline(gql: GraphQLClient, start: str, amount: int, unit: str, **more: Any) -> Any:
    return await gql(DEADLINE, {"s": start, "a": amount, "u": unit, **more})


async def test_the_public_deadline(gql: GraphQLClient) -> None:
    body = await deadline(gql, "2026-09-30", 3, "WORKING_DAYS")
    answer = body["data"]["deadline"]
    assert answer["due"] == "2026-10-10"  # a make-up Saturday
    assert answer["provisional"] is False
    assert answer["calendarVersion"].startswith("cal1-")
    assert answer["calendar"] == {"version": answer["calendarVersion"], "jurisdiction": None}

    moved = (await deadline(gql, "2026-09-05", 30, "CALENDAR_DAYS"))["data"]["deadline"]
    assert (moved["due"], moved["movedFrom"]) == ("2026-10-08", "2026-10-05")  # after 国庆节

    ahead = (await deadline(gql, "2026-12-08", 30, "WORKING_DAYS", j="422825"))["data"]
    assert ahead["deadline"]["provisional"] is True  # 2027 is in no notice yet
    assert ahead["deadline"]["calendar"]["jurisdiction"] == {"code": "422825"}

    assert error_codes(await deadline(gql, "2026-09-30", 0, "WORKING_DAYS")) == ["BAD_USER_INPUT"]
    assert error_codes(await deadline(gql, "2199-12-30", 30, "WORKING_DAYS")) == ["BAD_USER_INPUT"]
    assert error_codes(await deadline(gql, "2026-09-30", 3, "WORKING_DAYS", j="422899")) == [
        "NOT_FOUND"
    ]
    rules = await gql.data("{ deadlineRules { id period citation pauseReasons } }")
    decision = next(r for r in rules["deadlineRules"] if r["id"] == "GP.decision")
    assert decision["period"] == "30个工作日"
    assert "CORRECTION" in decision["pauseReasons"]


async def test_loading_a_year_reaches_every_process_at_once(
    fresh_gql: GraphQLClient, db: Db
) -> None:
    before = (await deadline(fresh_gql, "2026-12-08", 30, "WORKING_DAYS"))["data"]["deadline"]
    assert (before["due"], before["provisional"]) == ("2027-01-19", True)
    async with db.owner_sessions() as session, session.begin():
        await calendar_ops.load(
            session,
            read_year_file(PLAUSIBLE_2027),
            by="test",
            clock=ManualClock.on(date(2026, 12, 8)),
        )
    after = (await deadline(fresh_gql, "2026-12-08", 30, "WORKING_DAYS"))["data"]["deadline"]
    assert (after["due"], after["provisional"]) == ("2027-01-20", False)
    assert after["calendarVersion"] != before["calendarVersion"]


WORK = """query($f: ObligationFilter, $first: Int, $after: String) {
  myWork(filter: $f, first: $first, after: $after) {
    nodes {
      id due overdue status paused matterType
      rule { id citation } jurisdiction { code } owingDepartment { key }
      pauses { reason startedDocument } calendar { version }
    }
    pageInfo { hasNextPage endCursor }
  }
}"""


@pytest.fixture
async def work(fresh_gql: GraphQLClient, db: Db) -> dict[str, Any]:
    """宣恩县住建局's clocks on Monday 12 October 2026."""
    clock = ManualClock.on(date(2026, 10, 12))
    fresh_gql.app.state.clock = clock
    held = MatterRef("complaint", uuid.uuid4())
    ids = {
        "late": await open_clock(db, clock, "TB.acceptance_decision", started=date(2026, 9, 30)),
        "soon": await open_clock(db, clock, "R7.report_to_office", started=date(2026, 10, 12)),
        "later": await open_clock(db, clock, "TB.decision", started=date(2026, 10, 12)),
        "held": await open_clock(db, clock, "TB.decision", started=date(2026, 10, 9), matter=held),
        "finance": await open_clock(
            db, clock, "GP.review", department="xuanen-finance", started=date(2026, 10, 12)
        ),
    }
    await hold_for_expert_review(db, clock, held)
    return {"gql": fresh_gql, "db": db, "clock": clock, "ids": ids}


def gid(value: uuid.UUID) -> str:
    from xietong.api.ids import to_global_id

    return str(to_global_id("Obligation", value))


async def test_my_work_lists_the_departments_clocks_overdue_first(work: dict[str, Any]) -> None:
    gql: GraphQLClient = work["gql"]
    ids = {k: gid(v) for k, v in work["ids"].items()}

    async def listed(f: dict[str, Any] | None = None, **page: Any) -> list[str]:
        body = await gql.data(WORK, {"f": f, **page}, login="xuanen.housing")
        return [n["id"] for n in body["myWork"]["nodes"]]

    nodes = (await gql.data(WORK, login="xuanen.housing"))["myWork"]["nodes"]
    assert [n["id"] for n in nodes] == [ids["late"], ids["soon"], ids["later"], ids["held"]]
    late, soon, _, held = nodes
    # Opened late (dated back to 30 September), it is overdue at once.
    assert (late["due"], late["overdue"], late["status"]) == ("2026-10-10", True, "OVERDUE")
    assert (soon["due"], soon["overdue"]) == ("2026-10-15", False)
    assert (held["due"], held["paused"], held["pauses"]) == (
        None,
        True,
        [{"reason": "EXPERT_REVIEW", "startedDocument": "专家评审委托书"}],
    )
    assert late["rule"]["citation"].startswith("《中华人民共和国招标投标法实施条例》")
    assert late["owingDepartment"] == {"key": "xuanen-housing"}

    assert await listed({"overdue": True}) == [ids["late"]]
    assert await listed({"overdue": False}) == [ids["soon"], ids["later"], ids["held"]]
    assert await listed({"dueBefore": "2026-10-16"}) == [ids["late"], ids["soon"]]
    assert await listed({"rule": "R7.report_to_office"}) == [ids["soon"]]
    assert await listed({"matterType": "lead"}) == []
    assert await listed({"status": ["MET"]}) == []

    first = await gql.data(WORK, {"first": 2}, login="xuanen.housing")
    assert first["myWork"]["pageInfo"]["hasNextPage"] is True
    rest = await listed(first=2, after=first["myWork"]["pageInfo"]["endCursor"])
    assert rest == [ids["later"], ids["held"]]

    # The finance bureau sees its own, the housing bureau's never.
    assert await gql.data("{ myWork { nodes { id } } }", login="xuanen.finance") == {
        "myWork": {"nodes": [{"id": ids["finance"]}]}
    }
    for bad in ({"rule": "TB.nothing"}, {"matterType": "Complaint'"}, {"status": []}):
        body = await gql(WORK, {"f": bad}, login="xuanen.housing")
        assert error_codes(body) == ["BAD_USER_INPUT"], bad
    assert error_codes(await gql("{ myWork { nodes { id } } }")) == ["UNAUTHENTICATED"]


async def test_my_work_costs_the_same_queries_for_any_page_size(work: dict[str, Any]) -> None:
    gql: GraphQLClient = work["gql"]
    await gql.data(WORK, {"first": 1}, login="xuanen.housing")  # the sign-in hint, warmed
    counts = []
    for first in (1, 4):
        with counting(gql.app) as counter:
            await gql.data(WORK, {"first": first}, login="xuanen.housing")
        counts.append(counter.count)
    assert counts[0] == counts[1], counts


async def test_escalations_reach_the_offices_above_with_a_drill_down(work: dict[str, Any]) -> None:
    gql: GraphQLClient = work["gql"]
    late = gid(work["ids"]["late"])
    query = (
        "query($u: JurisdictionCode) { escalations(under: $u) { "
        "nodes { id jurisdiction { code } } } }"
    )
    for login, under in (
        ("enshi.office", None),
        ("hubei.office", "422825"),
        ("xuanen.office", None),
    ):
        body = await gql.data(query, {"u": under}, login=login)
        assert body["escalations"]["nodes"] == [{"id": late, "jurisdiction": {"code": "422825"}}]
    summary = await gql.data(
        '{ escalationSummary(under: "420000") { jurisdiction { code } overdue includesSubtree } }',
        login="hubei.office",
    )
    assert summary["escalationSummary"] == [
        {"jurisdiction": {"code": "420000"}, "overdue": 0, "includesSubtree": False},
        {"jurisdiction": {"code": "421300"}, "overdue": 0, "includesSubtree": True},
        {"jurisdiction": {"code": "422800"}, "overdue": 1, "includesSubtree": True},
    ]
    refused = await gql(query, {"u": None}, login="xuanen.housing")
    assert error_codes(refused) == ["FORBIDDEN"]
    sibling = await gql(query, {"u": "421300"}, login="enshi.office")
    assert error_codes(sibling) == ["FORBIDDEN"]


INBOX = """query($unread: Boolean) {
  myNotifications(unread: $unread) {
    nodes { id kind message due readAt owingJurisdiction { code } obligation { id } }
  }
}"""
MARK = """mutation($id: ID!) {
  notificationMarkRead(input: {notificationId: $id}) {
    notification { readAt } errors { code field }
  }
}"""


async def test_the_inbox_and_marking_read(work: dict[str, Any]) -> None:
    gql: GraphQLClient = work["gql"]
    db: Db = work["db"]
    report = await sweep.run(db.app, clock=work["clock"])
    assert report.notified["escalation"] == 1
    late = gid(work["ids"]["late"])

    inbox = (await gql.data(INBOX, login="xuanen.housing"))["myNotifications"]["nodes"]
    kinds = sorted(
        (n["kind"], n["obligation"]["id"]) for n in inbox if n["obligation"]["id"] == late
    )
    # First swept after its due date: no stale warnings, only that it is overdue.
    assert kinds == [("OVERDUE", late)]
    overdue = next(n for n in inbox if n["kind"] == "OVERDUE")
    assert overdue["message"] == "「决定是否受理投诉」已于 2026-10-10 到期，现已逾期"
    office = (await gql.data(INBOX, login="enshi.office"))["myNotifications"]["nodes"]
    assert [(n["kind"], n["message"]) for n in office] == [
        ("ESCALATION", "「决定是否受理投诉」宣恩县未在 2026-10-10 前完成，已逾期，请督办")
    ]

    marked = await gql.data(MARK, {"id": overdue["id"]}, login="xuanen.housing")
    assert marked["notificationMarkRead"]["errors"] == []
    assert marked["notificationMarkRead"]["notification"]["readAt"] is not None
    unread = (await gql.data(INBOX, {"unread": True}, login="xuanen.housing"))["myNotifications"]
    assert overdue["id"] not in [n["id"] for n in unread["nodes"]]
    again = await gql.data(MARK, {"id": overdue["id"]}, login="xuanen.housing")
    assert (
        again["notificationMarkRead"]["notification"]["readAt"]
        == (marked["notificationMarkRead"]["notification"]["readAt"])
    )
    assert (
        await db.scalar("SELECT count(*) FROM audit_event WHERE action = 'notification.read'") == 1
    )
    # Another department of the same unit, and the office above, cannot touch it.
    for login in ("xuanen.finance", "enshi.office"):
        body = await gql.data(MARK, {"id": inbox[0]["id"]}, login=login)
        assert body["notificationMarkRead"] == {
            "notification": None,
            "errors": [{"code": "NOT_FOUND", "field": "notificationId"}],
        }
    assert error_codes(await gql(MARK, {"id": overdue["id"]})) == ["UNAUTHENTICATED"]
    assert error_codes(await gql(MARK, {"id": overdue["id"]}, login="xuanen.audit")) == [
        "FORBIDDEN"
    ]
