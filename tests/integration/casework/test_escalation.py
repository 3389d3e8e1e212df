"""An overdue receipt escalates to the sender's superior office through the existing sweep: the
R9.transfer clock is the sender's, so the level above the sender (随州市) is told."""

from __future__ import annotations

from datetime import date

from tests.conftest import TEST_SERVER_SECRET, Database
from tests.integration.casework.flow import ok
from tests.integration.casework.test_transfers import RECEIVER, send
from tests.support import GraphQLClient
from xietong.db.engine import make_engine, make_sessionmaker
from xietong.deadlines import sweep
from xietong.deadlines.clock import ManualClock
from xietong.keys import Keyring

ESCALATIONS = """query($u: JurisdictionCode) { escalations(under: $u, first: 50) {
  nodes { rule { id } status matterType matterId jurisdiction { code } } } }"""
INBOX = "query { myNotifications(first: 50) { nodes { kind message owingJurisdiction { code } } } }"


async def test_an_overdue_receipt_is_escalated_to_the_senders_superior_office(
    cgql: GraphQLClient, clock: ManualClock, fresh_db: Database
) -> None:
    ident = (await send(cgql))["id"]  # discovered 28 September: due 10 October
    clock.advance(days=15)  # 13 October: nobody signed
    assert clock.today() == date(2026, 10, 13)
    engine = make_engine(fresh_db.app_url, pool_size=2)
    try:
        sessions = make_sessionmaker(engine, keyring=Keyring.of(TEST_SERVER_SECRET))
        report = await sweep.run(sessions, clock=clock)
    finally:
        await engine.dispose()
    assert report.notified["escalation"] >= 1

    seen = (await cgql.data(ESCALATIONS, {"u": "421300"}, login="suizhou.office"))["escalations"]
    (escalated,) = [n for n in seen["nodes"] if n["matterId"] == ident]
    assert escalated["rule"]["id"] == "R9.transfer"
    assert escalated["status"] == "OVERDUE"
    assert escalated["jurisdiction"]["code"] == "421303"
    inbox = (await cgql.data(INBOX, login="suizhou.office"))["myNotifications"]["nodes"]
    assert any(
        n["kind"] == "ESCALATION" and n["owingJurisdiction"]["code"] == "421303" for n in inbox
    )
    # The receiver's province is not told: the clock is not its own.
    assert (await cgql.data(ESCALATIONS, {"u": "530000"}, login="yunnan.office"))["escalations"][
        "nodes"
    ] == []
    # Signing late still completes the transfer: the clock is met, late.
    await ok(cgql, "caseTransferReceive", "CaseTransferReceiveInput", RECEIVER, id=ident)
