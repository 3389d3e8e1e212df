"""The demo's trading record: believable, reproducible, loaded once."""

from __future__ import annotations

from sqlalchemy import text

from tests.conftest import TEST_SERVER_SECRET, TEST_SIGNER, Database
from tests.support import GraphQLClient
from xietong.db.engine import make_engine, make_sessionmaker
from xietong.keys import Keyring
from xietong.trading import demo

COUNTS = """SELECT (SELECT count(*) FROM project), (SELECT count(*) FROM project WHERE classified),
  (SELECT count(*) FROM project WHERE separated_evaluation), (SELECT count(*) FROM bid),
  (SELECT count(*) FROM award), (SELECT count(*) FROM contract),
  (SELECT count(*) FROM contract_change), (SELECT count(*) FROM project_report),
  (SELECT count(*) FROM approved_project), (SELECT count(*) FROM project_move),
  (SELECT count(DISTINCT jurisdiction_code) FROM project),
  (SELECT count(*) FROM project WHERE state = 'failed'),
  (SELECT min(registered_at)::date FROM project), (SELECT max(registered_at)::date FROM project),
  (SELECT md5(string_agg(project_code || name || budget_fen || state, ',' ORDER BY project_code))
     FROM project)"""


async def test_the_demo_loads_a_believable_record_once(
    fresh_db: Database, fresh_gql: GraphQLClient
) -> None:
    engine = make_engine(fresh_db.app_url, pool_size=1)
    owner = make_engine(fresh_db.owner_url, pool_size=1)
    sessions = make_sessionmaker(engine, keyring=Keyring.of(TEST_SERVER_SECRET))
    try:
        first = await demo.load(sessions, TEST_SIGNER)
        assert first.problems == []
        assert first.changed
        async with owner.connect() as conn:
            counts = (await conn.execute(text(COUNTS))).one()
        second = await demo.load(sessions, TEST_SIGNER)
        assert demo.summary(second) == "already loaded; nothing changed."
        async with owner.connect() as conn:
            assert (await conn.execute(text(COUNTS))).one() == counts
    finally:
        await engine.dispose()
        await owner.dispose()
    projects, classified, separated, bids, awards, contracts, changes, reports = counts[:8]
    approved, moves, units, failed, first_day, last_day, _digest = counts[8:]
    assert projects == 300
    assert units == 6
    assert 1 <= classified <= 30
    assert separated >= 10
    assert bids > 3 * awards > 0
    assert contracts > 0
    assert changes > 0
    assert reports > 0
    assert failed > 0
    assert moves > projects
    assert approved > 3 * 6
    assert (demo.ANCHOR - first_day).days <= 730
    assert last_day <= demo.ANCHOR
    # Each county's office finds the approved works that never entered on its 应进未进 list.
    body = await fresh_gql(
        '{ notEnteredProjects(jurisdiction: "410721") { name rule { code } } }',
        login="xinxiangxian.office",
    )
    flagged = body["data"]["notEnteredProjects"]
    assert {e["name"] for e in flagged} >= {
        "新乡县城区排水管网改造项目",
        "新乡县乡镇卫生院迁建项目",
    }
