from __future__ import annotations

from datetime import date

from sqlalchemy import text

from tests.conftest import TEST_SERVER_SECRET, Database
from tests.support import graphql_client
from xietong.audit.service import verify
from xietong.audit.signing import VerificationKeys
from xietong.casework import demo
from xietong.casework.enums import LeadStatus, LetterStatus, TransferStatus
from xietong.db.engine import make_engine, make_sessionmaker, transaction
from xietong.deadlines import sweep
from xietong.deadlines.clock import ManualClock
from xietong.keys import Keyring


async def test_demo_casework_covers_every_state_and_fills_the_queues(fresh_db: Database) -> None:
    today = date(2026, 11, 25)
    engine = make_engine(fresh_db.owner_url, pool_size=1)
    keyring = Keyring.of(TEST_SERVER_SECRET)
    try:
        async with transaction(make_sessionmaker(engine, keyring=keyring)) as session:
            assert await demo.seed(session, today) > 0
            assert await demo.seed(session, today) == 0  # once
        async with make_sessionmaker(engine)() as session:

            async def states(table: str) -> set[str]:
                rows = await session.scalars(text(f"SELECT DISTINCT status FROM {table}"))
                return set(rows.all())

            assert await states("case_transfer") == {s.value for s in TransferStatus}
            assert await states("assistance_letter") == {s.value for s in LetterStatus}
            assert await states("lead") == {s.value for s in LeadStatus}
            for province in (420000, 530000):
                report = await verify(
                    db_session=session, province_code=province, keys=VerificationKeys.of([keyring])
                )
                assert report.ok, report.problem
    finally:
        await engine.dispose()
    app_engine = make_engine(fresh_db.app_url, pool_size=2)
    try:
        await sweep.run(make_sessionmaker(app_engine, keyring=keyring), clock=ManualClock.on(today))
    finally:
        await app_engine.dispose()
    async with graphql_client(fresh_db) as gql:
        gql.app.state.clock = ManualClock.on(today)
        up = await gql.data(
            '{ escalations(under: "421300", first: 50) { nodes { matterType rule { id } } } }',
            login="suizhou.office",
        )
        assert {"transfer"} <= {n["matterType"] for n in up["escalations"]["nodes"]}
        incoming = await gql.data(
            "{ caseTransfers(incoming: true, first: 50) { nodes { status } } }",
            login="wuhua.housing",
        )
        seen = {n["status"] for n in incoming["caseTransfers"]["nodes"]}
        assert "CLOSED" not in seen  # closed ones are gone from the receiver
        assert "SENT" in seen
        work = await gql.data(
            "{ myWork(first: 50) { nodes { matterType rule { id } overdue } } }",
            login="wuhua.housing",
        )
        assert {"transfer", "letter"} <= {n["matterType"] for n in work["myWork"]["nodes"]}
        # Overdue on the receiving side too: the receiver's own clocks, escalated to the
        # receiver's superior office (五华区 → 昆明市), not to the sender's.
        late = {(n["matterType"], n["rule"]["id"]) for n in work["myWork"]["nodes"] if n["overdue"]}
        assert {("transfer", "R9.return_out_of_scope"), ("letter", "R10.return_letter")} <= late
        receiving = await gql.data(
            '{ escalations(under: "530100", first: 50) { nodes { matterType rule { id } '
            "jurisdiction { code } } } }",
            login="kunming.office",
        )
        assert {
            ("transfer", "R9.return_out_of_scope", "530102"),
            ("letter", "R10.return_letter", "530102"),
        } <= {
            (n["matterType"], n["rule"]["id"], n["jurisdiction"]["code"])
            for n in receiving["escalations"]["nodes"]
        }
        # Leads run no clock (R-8: "at once"); the office lists them in every state.
        listed = await gql.data(
            '{ leads(under: "421303", first: 50) { nodes { status } } }', login="zengdu.office"
        )
        assert {s.name for s in LeadStatus} == {n["status"] for n in listed["leads"]["nodes"]}
