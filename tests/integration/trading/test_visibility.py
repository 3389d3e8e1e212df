"""Who sees a project: the public its unclassified basics; a classified project only the office,
discipline inspection and audit of its chain and its supervising departments — through both
walls, and through PostgreSQL's alone."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from sqlalchemy import text

from tests.conftest import APP_ROLE, OWNER_ROLE, Database
from tests.integration.trading.support import (
    REGISTER,
    api_key,
    bid,
    key_headers,
    moved,
    project,
)
from tests.support import GraphQLClient, graphql_client, signed_scope
from xietong.db.engine import make_engine
from xietong.db.provision import drop, provision

ANYANG_COUNTY = "410522"


@dataclass
class World:
    clients: dict[str, GraphQLClient]
    db: Database
    open_code: str
    secret_code: str
    secret_headers: dict[str, str]


@pytest.fixture(scope="module")
async def world(pg_admin_url: str, seeded_template: Database) -> AsyncIterator[World]:
    name = f"xt_vis_{seeded_template.name[-6:]}"
    db = Database.of(
        await provision(
            pg_admin_url,
            name,
            owner_role=OWNER_ROLE,
            app_role=APP_ROLE,
            template=seeded_template.name,
            recreate=True,
        )
    )
    headers = key_headers(await api_key(db, 410522))
    async with graphql_client(db) as both, graphql_client(db) as alone:
        alone.app.state.app_wall = False
        for n, classified in ((1, False), (2, True)):
            row = project(
                n, name=f"安阳县第{n}号工程", projectCode=f"AYX-{n}", classified=classified
            )
            body = await both(
                REGISTER, {"i": {"jurisdiction": ANYANG_COUNTY, "project": row}}, headers=headers
            )
            assert body["data"]["projectRegister"]["errors"] == [], body
            await moved(both, headers, ANYANG_COUNTY, f"AYX-{n}", "ANNOUNCE", "OPEN_BIDDING")
            await both(
                "mutation($i: BidsRecordInput!) { bidsRecord(input: $i) { errors { code } } }",
                {"i": {"jurisdiction": ANYANG_COUNTY, "rows": [bid(f"AYX-{n}", 1)]}},
                headers=headers,
            )
        yield World({"both": both, "alone": alone}, db, "AYX-1", "AYX-2", headers)
    await drop(pg_admin_url, name)


FULL = (
    'query($c: String!) { project(code: $c, jurisdiction: "410522") { code classified '
    "bids { priceYuan } } }"
)
PUBLIC = '{ publicProjects(under: "410000", first: 100) { nodes { code budgetYuan } } }'

# Who reads the classified project of 安阳县 (410522), and who does not.
SEES_CLASSIFIED = {
    "anyangxian.office": True,
    "anyang.office": True,  # the office of the chain above
    "henan.office": True,
    "anyangxian.discipline": True,
    "anyang.discipline": True,  # the chain's discipline inspection
    "henan.audit": True,
    "anyangxian.housing": True,  # the supervising department (住建 for housing works)
    "anyangxian.transport": False,  # another industry department of the same county
    "anyangxian.centre": False,  # the trading centre's people (not the key that registered it)
    "anyang.housing": False,  # the city's housing department does not supervise it
    "linzhou.office": False,  # a sibling county
    "linzhou.discipline": False,
    "xinxiang.discipline": False,  # a sibling city's discipline inspection
    "zengdu.office": False,  # another province
}


@pytest.mark.parametrize("wall", ["both", "alone"])
@pytest.mark.parametrize(("login", "sees"), SEES_CLASSIFIED.items())
async def test_a_classified_project_is_read_only_by_its_chain_and_supervisors(
    world: World, wall: str, login: str, sees: bool
) -> None:
    gql = world.clients[wall]
    body = await gql(FULL, {"c": world.secret_code}, login=login)
    found = (body.get("data") or {}).get("project")
    assert (found is not None) is sees, body
    if found:
        assert found["classified"] is True
        assert len(found["bids"]) == 1
    listed = await gql(
        '{ projects(under: "410522", classified: true, first: 100) { nodes { code } } }',
        login=login,
    )
    codes_seen = [
        n["code"] for n in ((listed.get("data") or {}).get("projects") or {}).get("nodes", [])
    ]
    assert (world.secret_code in codes_seen) is sees


@pytest.mark.parametrize("wall", ["both", "alone"])
async def test_the_public_sees_unclassified_basics_only(world: World, wall: str) -> None:
    gql = world.clients[wall]
    body = await gql(PUBLIC)
    codes_seen = {n["code"] for n in body["data"]["publicProjects"]["nodes"]}
    assert world.open_code in codes_seen
    assert world.secret_code not in codes_seen
    one = await gql(
        'query($c: String!) { publicProject(code: $c, jurisdiction: "410522") { code } }',
        {"c": world.secret_code},
    )
    assert one["data"]["publicProject"] is None
    # Anonymous callers get no full record at all, classified or not.
    for code in (world.open_code, world.secret_code):
        full = await gql(FULL, {"c": code})
        assert full["data"]["project"] is None
    # A sibling county reads the unclassified basics publicly, but not the record.
    sibling = await gql(FULL, {"c": world.open_code}, login="linzhou.office")
    assert sibling["data"]["project"] is None
    own = await gql(FULL, {"c": world.open_code}, login="anyangxian.transport")
    assert own["data"]["project"]["bids"] == [{"priceYuan": "4501000.00"}]


async def test_the_registering_key_reads_back_what_it_registered(world: World) -> None:
    body = await world.clients["both"](FULL, {"c": world.secret_code}, headers=world.secret_headers)
    assert body["data"]["project"]["code"] == world.secret_code


async def test_sql_as_the_application_role_sees_no_classified_row_outside_the_rule(
    world: World,
) -> None:
    """The database wall with arbitrary SQL: a scope of the county's transport department (same
    unit, not a supervisor) reads neither the classified project nor its bids; the office's
    scope reads both."""
    engine = make_engine(world.db.app_url, pool_size=1)
    owner = make_engine(world.db.owner_url, pool_size=1)
    try:
        async with owner.connect() as conn:
            departments = dict(
                (
                    await conn.execute(
                        text(
                            "SELECT key, id FROM department WHERE key IN "
                            "('anyangxian-transport', 'anyangxian-office')"
                        )
                    )
                ).all()
            )
        for key, expected in (("anyangxian-transport", 0), ("anyangxian-office", 1)):
            async with engine.begin() as conn:
                await signed_scope(
                    conn, read=(410522, 410522), write=410522, department=departments[key]
                )
                projects = await conn.scalar(text("SELECT count(*) FROM project WHERE classified"))
                bids = await conn.scalar(
                    text(
                        "SELECT count(*) FROM bid b JOIN project_disclosure d "
                        "ON d.id = b.project_id"
                    )
                )
                all_bids = await conn.scalar(text("SELECT count(*) FROM bid"))
                assert projects == expected, key
                assert bids == 1  # the unclassified project's bid, through the public view
                assert all_bids == 1 + expected, key
    finally:
        await engine.dispose()
        await owner.dispose()
