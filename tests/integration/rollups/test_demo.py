"""The demo's reporting period: 河南省's half year with one county (新乡县) late — missing from the
province's completeness, overdue and escalated to its city by the sweep — and the others
submitted or accepted."""

from __future__ import annotations

from datetime import date

from sqlalchemy import text

from tests.conftest import TEST_SERVER_SECRET, Database
from tests.support import graphql_client
from xietong.audit.service import verify
from xietong.audit.signing import VerificationKeys
from xietong.db.engine import make_engine, make_sessionmaker, transaction
from xietong.deadlines import sweep
from xietong.deadlines.clock import ManualClock
from xietong.keys import Keyring
from xietong.rollups import demo

COMPLETENESS = """
query($y: Int!, $n: Int!) {
  reportCompleteness(template: HALF_YEAR, period: {year: $y, number: $n}, jurisdiction: "410000",
                     wholeSubtree: true) {
    submittedRate acceptedRate missing { code } children { jurisdiction { code } status onTime }
  }
}"""


async def test_demo_reporting_period_has_one_county_late(fresh_db: Database) -> None:
    today = date(2026, 7, 25)  # H1 2026 fell due on 21 July
    engine = make_engine(fresh_db.owner_url, pool_size=1)
    keyring = Keyring.of(TEST_SERVER_SECRET)
    try:
        async with transaction(make_sessionmaker(engine, keyring=keyring)) as session:
            assert await demo.seed(session, today) == 6
            assert await demo.seed(session, today) == 0  # once
        async with make_sessionmaker(engine)() as session:
            first = await session.scalar(
                text(
                    "SELECT DISTINCT first_month FROM periodic_report WHERE template = 'half_year'"
                )
            )
            report = await verify(
                db_session=session, province_code=410000, keys=VerificationKeys.of([keyring])
            )
            assert report.ok, report.problem
        assert first == 202601
    finally:
        await engine.dispose()
    app_engine = make_engine(fresh_db.app_url, pool_size=2)
    try:
        await sweep.run(make_sessionmaker(app_engine, keyring=keyring), clock=ManualClock.on(today))
    finally:
        await app_engine.dispose()
    async with graphql_client(fresh_db) as gql:
        gql.app.state.clock = ManualClock.on(today)
        whole = (await gql.data(COMPLETENESS, {"y": 2026, "n": 1}, login="henan.office"))[
            "reportCompleteness"
        ]
        assert [m["code"] for m in whole["missing"]] == ["410721"]
        status = {c["jurisdiction"]["code"]: c["status"] for c in whole["children"]}
        assert status == {
            "410500": "ACCEPTED",
            "410522": "ACCEPTED",
            "410581": "ACCEPTED",
            "410700": "SUBMITTED",
            "410721": "DRAFT",
        }
        assert all(c["onTime"] for c in whole["children"] if c["jurisdiction"]["code"] != "410721")
        up = await gql.data(
            '{ escalations(under: "410700", first: 50) { nodes { matterType rule { id } } } }',
            login="xinxiang.office",
        )
        assert {"report"} <= {n["matterType"] for n in up["escalations"]["nodes"]}
    # Earlier in the year the demo picks the half year already due (H2 2025).
    engine = make_engine(fresh_db.owner_url, pool_size=1)
    try:
        async with transaction(make_sessionmaker(engine, keyring=keyring)) as session:
            period = await demo.period_due_before(session, date(2026, 7, 10))
        assert (period.first, period.last) == (202507, 202512)
    finally:
        await engine.dispose()
