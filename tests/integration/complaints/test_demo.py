from __future__ import annotations

from datetime import date

from sqlalchemy import text

from tests.conftest import TEST_SERVER_SECRET, Database
from tests.integration.complaints.conftest import START
from tests.support import graphql_client
from xietong.audit.service import verify
from xietong.audit.signing import VerificationKeys
from xietong.complaints import demo
from xietong.complaints.enums import ComplaintStatus
from xietong.db.engine import make_engine, make_sessionmaker, transaction
from xietong.deadlines.clock import ManualClock
from xietong.keys import Keyring


async def test_demo_complaints_cover_every_state_and_fill_the_queues(fresh_db: Database) -> None:
    today = date(2026, 11, 25)
    engine = make_engine(fresh_db.owner_url, pool_size=1)
    keyring = Keyring.of(TEST_SERVER_SECRET)
    try:
        async with transaction(make_sessionmaker(engine, keyring=keyring)) as session:
            assert await demo.seed(session, today) == len(demo._STORIES)
            assert await demo.seed(session, today) == 0  # once
        async with make_sessionmaker(engine)() as session:
            states = set(
                (await session.scalars(text("SELECT DISTINCT status FROM complaint"))).all()
            )
            assert states == {s.value for s in ComplaintStatus}
            report = await verify(
                db_session=session, province_code=420000, keys=VerificationKeys.of([keyring])
            )
            assert report.ok, report.problem
    finally:
        await engine.dispose()
    assert today > START
    async with graphql_client(fresh_db) as gql:
        gql.app.state.clock = ManualClock.on(today)
        work = await gql.data(
            "{ myWork(first: 50) { nodes { matterType } } }", login="xuanen.housing"
        )
        assert any(n["matterType"] == "complaint" for n in work["myWork"]["nodes"])
        up = await gql.data(
            '{ escalations(under: "422800", first: 50) { nodes { matterType } } }',
            login="enshi.office",
        )
        assert any(n["matterType"] == "complaint" for n in up["escalations"]["nodes"])
