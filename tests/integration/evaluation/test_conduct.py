"""Expert conduct events recorded by site staff (R-12), each a lead at the home site's office
through the leads service: a host records at its own seats through its grant, the home at its
own; the lead names the seat, never the expert; the home reads every record by seat, a host its
own only; nobody records at another site's seats."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import text

from tests.conftest import Database
from tests.integration.evaluation.support import (
    a_project,
    an_expert,
    ok,
    refused,
    schedule,
    session_as,
)
from tests.support import GraphQLClient
from xietong.db.engine import make_engine
from xietong.deadlines.clock import ManualClock

KUNMING, SUIZHOU = 530100, 421300
CONDUCT = """
query($id: ID!) { evaluationSession(id: $id) {
  conduct { seat kind note site { code } leadId } } }"""
LEADS = """
query($u: JurisdictionCode) { leads(under: $u) { nodes { id source title facts serious
  projectCode registeredBy { kind } jurisdiction { code } } } }"""


async def _conduct(gql: GraphQLClient, ident: str, login: str) -> list[dict[str, Any]]:
    found = (await gql.data(CONDUCT, {"id": ident}, login=login))["evaluationSession"]
    return [] if found is None else list(found["conduct"])


async def _record(gql: GraphQLClient, login: str, seat: str, kind: str, note: str) -> Any:
    return await ok(
        gql,
        "evaluationConductRecord",
        "EvaluationConductRecordInput",
        login,
        "conduct { seat kind leadId }",
        seatId=seat,
        kind=kind,
        note=note,
    )


async def test_conduct_events_become_leads_at_the_home_office(
    egql: GraphQLClient, clock: ManualClock, fresh_db: Database
) -> None:
    project_id = await a_project(fresh_db, egql, KUNMING, 41)
    host_expert = await an_expert(egql, "suizhou.office", SUIZHOU, "王建国", 41)
    ident = await schedule(egql, "kunming.centre", project_id, "PB-CONDUCT", [(SUIZHOU, 1)])
    home = await session_as(egql, ident, "kunming.centre")
    assert home is not None
    home_seat = home["seats"][0]["id"]
    # Before the start there is nothing to record.
    assert await refused(
        egql,
        "evaluationConductRecord",
        "EvaluationConductRecordInput",
        "kunming.centre",
        seatId=home_seat,
        kind="LATE",
        note="x",
    ) == ["ILLEGAL_STATE"]
    clock.set(ManualClock.on(date(2026, 9, 22), 9, 0).now())
    await ok(
        egql, "evaluationStart", "EvaluationRefInput", "kunming.centre", "session { id }", id=ident
    )
    host = await session_as(egql, ident, "suizhou.centre")
    assert host is not None
    (host_seat,) = (s["id"] for s in host["seats"])
    await ok(
        egql,
        "evaluationSeatExpert",
        "EvaluationSeatExpertInput",
        "suizhou.centre",
        "session { id }",
        seatId=host_seat,
        expertId=host_expert,
    )

    clock.set(ManualClock.on(date(2026, 9, 22), 10, 30).now())
    recorded = await _record(egql, "suizhou.centre", host_seat, "PHONE", "评标期间多次使用手机")
    assert recorded["conduct"]["seat"] == "副场1-01"
    await _record(egql, "kunming.centre", home_seat, "LATE", "迟到二十分钟")
    # Nobody records at another site's seats: the home's centre not at the host's (not its
    # site), the host not at the home's (it does not see them), a third unit nowhere.
    assert await refused(
        egql,
        "evaluationConductRecord",
        "EvaluationConductRecordInput",
        "kunming.centre",
        seatId=host_seat,
        kind="ABSENT",
        note="x",
    ) == ["NOT_YOUR_SITE"]
    for login, seat in (("suizhou.centre", home_seat), ("anyang.centre", host_seat)):
        assert await refused(
            egql,
            "evaluationConductRecord",
            "EvaluationConductRecordInput",
            login,
            seatId=seat,
            kind="ABSENT",
            note="x",
        ) == ["NOT_FOUND"], login

    # Two leads at 昆明市, registered for its office, naming seats and never the host expert.
    leads = (await egql.data(LEADS, {"u": str(KUNMING)}, login="kunming.office"))["leads"]["nodes"]
    assert len(leads) == 2
    by_seat = {("副场1-01" in n["title"]): n for n in leads}
    phone = by_seat[True]
    assert phone["source"] == "WITNESSING"
    assert phone["registeredBy"]["kind"] == "SUPERVISION_OFFICE"
    assert phone["jurisdiction"]["code"] == str(KUNMING)
    assert "使用通讯工具" in phone["title"]
    assert "评标期间多次使用手机" in phone["facts"]
    assert "王建国" not in phone["title"] + phone["facts"]
    assert phone["projectCode"] == "PJ-530100-0041"
    assert recorded["conduct"]["leadId"] == phone["id"]
    # The host has no lead of 昆明市's.
    assert (await egql.data(LEADS, {"u": None}, login="suizhou.office"))["leads"]["nodes"] == []

    # The home reads every record by seat; the host its own only; at both walls.
    for wall in (True, False):
        egql.app.state.app_wall = wall
        try:
            assert sorted(
                (c["seat"], c["kind"], c["site"]["code"])
                for c in await _conduct(egql, ident, "kunming.office")
            ) == [("主场-01", "LATE", str(KUNMING)), ("副场1-01", "PHONE", str(SUIZHOU))]
            assert [c["seat"] for c in await _conduct(egql, ident, "suizhou.centre")] == [
                "副场1-01"
            ]
        finally:
            egql.app.state.app_wall = True
    # The host's record is in its own chain; the lead's registration in the home's.
    engine = make_engine(fresh_db.owner_url, pool_size=1)
    try:
        async with engine.connect() as conn:
            chains = (
                await conn.execute(
                    text(
                        "SELECT action, jurisdiction_code FROM audit_event WHERE action IN "
                        "('evaluation.conductRecord', 'lead.register') ORDER BY action, "
                        "jurisdiction_code"
                    )
                )
            ).all()
    finally:
        await engine.dispose()
    assert [tuple(r) for r in chains] == [
        ("evaluation.conductRecord", SUIZHOU),
        ("evaluation.conductRecord", KUNMING),
        ("lead.register", KUNMING),
        ("lead.register", KUNMING),
    ]
