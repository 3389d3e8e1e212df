"""Power lists as published and enforced (R-2); grants as the one narrow cross-jurisdiction door."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import text

from tests.conftest import Database
from tests.support import GraphQLClient, error_codes
from xietong.db.engine import make_engine, make_sessionmaker, transaction
from xietong.paths import default_tenants_dir
from xietong.tenants.loader import load_tenants

OFFICE_ID = """query($code: JurisdictionCode!) { jurisdiction(code: $code) {
    departments { id key kind powers { code } } } }"""

SET_AVAILABILITY = """mutation($id: ID!, $available: Boolean!, $reason: LongText) {
  officerAvailabilitySet(input: {officerId: $id, available: $available, reason: $reason}) {
    officer { available unavailableReason } errors { field code message } } }"""


async def officer_id(gql: GraphQLClient, login: str, code: str) -> str:
    data = await gql.data(
        "query($c: JurisdictionCode!) { officerPool(jurisdiction: $c, first: 100) { nodes { id "
        "person { login } } } }",
        {"c": code},
        login=login,
    )
    return str(data["officerPool"]["nodes"][0]["id"])


async def test_power_lists_are_public(gql: GraphQLClient) -> None:
    departments = (await gql.data(OFFICE_ID, {"code": "422825"}))["jurisdiction"]["departments"]
    office = next(d for d in departments if d["key"] == "xuanen-office")
    data = await gql.data(
        "query($id: ID!) { powerList(departmentId: $id) { department { name } "
        "powers { code name basis allows } } }",
        {"id": office["id"]},
    )
    powers = data["powerList"]["powers"]
    assert "OFFICE-OFFICER-POOL" in [p["code"] for p in powers]
    pool = next(p for p in powers if p["code"] == "OFFICE-OFFICER-POOL")
    assert pool["allows"] == ["officer_pool:manage"]
    assert "宣政办函〔2021〕14号" in pool["basis"]


async def test_the_office_manages_its_own_pool_in_one_audited_transaction(
    fresh_db: Database, fresh_gql: GraphQLClient
) -> None:
    ident = await officer_id(fresh_gql, "xuanen.office", "422825")
    refused = (
        await fresh_gql.data(
            SET_AVAILABILITY, {"id": ident, "available": False}, login="xuanen.office"
        )
    )["officerAvailabilitySet"]
    assert refused["officer"] is None
    assert refused["errors"][0]["code"] == "REASON_REQUIRED"

    done = (
        await fresh_gql.data(
            SET_AVAILABILITY,
            {"id": ident, "available": False, "reason": "回避：与投标人有利害关系"},
            login="xuanen.office",
        )
    )["officerAvailabilitySet"]
    assert done == {
        "officer": {"available": False, "unavailableReason": "回避：与投标人有利害关系"},
        "errors": [],
    }
    engine = make_engine(fresh_db.owner_url, pool_size=1)
    async with engine.connect() as conn:
        events = (
            await conn.execute(
                text("SELECT actor, action, jurisdiction_code FROM audit_event ORDER BY id")
            )
        ).all()
    await engine.dispose()
    assert [tuple(e) for e in events] == [("xuanen.office", "officer.availability", 422825)]


async def test_the_city_office_may_not_manage_a_county_pool(fresh_gql: GraphQLClient) -> None:
    ident = await officer_id(fresh_gql, "enshi.office", "422825")
    body = await fresh_gql(
        SET_AVAILABILITY, {"id": ident, "available": False, "reason": "x"}, login="enshi.office"
    )
    assert error_codes(body) == ["FORBIDDEN"]


async def test_a_power_removed_from_the_list_is_refused_after_reload(
    fresh_db: Database, fresh_gql: GraphQLClient, tmp_path: Path
) -> None:
    doc: dict[str, Any] = yaml.safe_load((default_tenants_dir() / "hubei.yaml").read_text())
    office = next(d for d in doc["departments"] if d["key"] == "xuanen-office")
    office["powers"].remove("OFFICE-OFFICER-POOL")
    path = tmp_path / "hubei.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    reloads = fresh_gql.app.state.policy_watcher.reloads

    engine = make_engine(fresh_db.owner_url, pool_size=1)
    async with transaction(make_sessionmaker(engine)) as session:
        await load_tenants(session, [path])  # notifies every process on commit
    await engine.dispose()
    for _ in range(100):
        if fresh_gql.app.state.policy_watcher.reloads > reloads:
            break
        await asyncio.sleep(0.05)
    else:
        raise AssertionError("the policy was not reloaded")

    ident = await officer_id(fresh_gql, "xuanen.office", "422825")
    body = await fresh_gql(
        SET_AVAILABILITY, {"id": ident, "available": False, "reason": "x"}, login="xuanen.office"
    )
    assert error_codes(body) == ["POWER_NOT_LISTED"]
    assert "OFFICE-OFFICER-POOL" in body["errors"][0]["message"]
    assert "协同监管执法人员库的统一调配与动态管理" in body["errors"][0]["message"]


GRANT = """mutation($input: GrantCreateInput!) { grantCreate(input: $input) {
  grant { id actions reason granteeJurisdiction { code } objectJurisdiction { code } }
  errors { field code message } } }"""
PERSON = "query($id: ID!) { person(id: $id) { login name } }"


async def test_a_grant_opens_one_record_to_another_county_until_revoked(
    fresh_gql: GraphQLClient,
) -> None:
    people = await fresh_gql.data(
        '{ people(under: "410522", first: 1) { nodes { id login } } }', login="anyangxian.office"
    )
    (target,) = people["people"]["nodes"]
    # 五华区 cannot see an 安阳县 person
    assert (await fresh_gql.data(PERSON, {"id": target["id"]}, login="wuhua.office"))[
        "person"
    ] is None

    expires = (datetime.now(UTC) + timedelta(days=30)).isoformat()
    created = (
        await fresh_gql.data(
            GRANT,
            {
                "input": {
                    "objectId": target["id"],
                    "granteeJurisdiction": "530102",
                    "actions": ["READ"],
                    "reason": "联合检查：借调执法人员（R-11）",
                    "expiresAt": expires,
                }
            },
            login="anyangxian.office",
        )
    )["grantCreate"]
    assert created["errors"] == []
    assert created["grant"]["granteeJurisdiction"] == {"code": "530102"}

    seen = await fresh_gql.data(PERSON, {"id": target["id"]}, login="wuhua.office")
    assert seen["person"]["login"] == target["login"]
    listed = await fresh_gql.data(
        "{ people(first: 100) { nodes { login } } }", login="wuhua.office"
    )
    assert target["login"] in [n["login"] for n in listed["people"]["nodes"]]
    # but only that one record, and only for 五华区
    assert (await fresh_gql.data(PERSON, {"id": target["id"]}, login="kunming.office"))[
        "person"
    ] is None

    explained = await fresh_gql.data(
        'query($o: ID!) { explainAccess(login: "wuhua.office", action: READ, objectId: $o) '
        "{ allowed grant { reason } policyLines } }",
        {"o": target["id"]},
        login="wuhua.office",
    )
    assert explained["explainAccess"]["allowed"] is True
    assert explained["explainAccess"]["grant"]["reason"] == "联合检查：借调执法人员（R-11）"

    revoked = await fresh_gql.data(
        "mutation($id: ID!) { grantRevoke(input: {id: $id}) { grant { revokedAt } "
        "errors { code } } }",
        {"id": created["grant"]["id"]},
        login="anyangxian.office",
    )
    assert revoked["grantRevoke"]["grant"]["revokedAt"]
    assert (await fresh_gql.data(PERSON, {"id": target["id"]}, login="wuhua.office"))[
        "person"
    ] is None


async def test_grant_input_problems_change_nothing(fresh_gql: GraphQLClient) -> None:
    people = await fresh_gql.data(
        '{ people(under: "410522", first: 1) { nodes { id } } }', login="anyangxian.office"
    )
    target = people["people"]["nodes"][0]["id"]
    now = datetime.now(UTC)
    cases = [
        ({"actions": ["MANAGE"]}, "actions"),
        ({"reason": " "}, "reason"),
        ({"expiresAt": (now - timedelta(days=1)).isoformat()}, "expiresAt"),
        ({"expiresAt": (now + timedelta(days=400)).isoformat()}, "expiresAt"),
        ({"granteeJurisdiction": "999999"}, "granteeJurisdiction"),
        ({"granteeJurisdiction": "410522"}, "granteeJurisdiction"),
    ]
    for change, field in cases:
        payload = {
            "objectId": target,
            "granteeJurisdiction": "530102",
            "actions": ["READ"],
            "reason": "r",
            "expiresAt": (now + timedelta(days=1)).isoformat(),
            **change,
        }
        result = (await fresh_gql.data(GRANT, {"input": payload}, login="anyangxian.office"))[
            "grantCreate"
        ]
        assert result["grant"] is None, change
        assert [e["field"] for e in result["errors"]] == [field], result
    assert (await fresh_gql.data("{ grants { totalCount } }", login="anyangxian.office"))["grants"][
        "totalCount"
    ] == 0


async def test_explain_access_names_the_policy_line(gql: GraphQLClient) -> None:
    people = await gql.data(
        '{ people(under: "422825", first: 1) { nodes { id } } }', login="xuanen.office"
    )
    target = people["people"]["nodes"][0]["id"]
    query = (
        "query($l: Login!, $a: AccessAction!, $o: ID!) { explainAccess(login: $l, "
        "action: $a, objectId: $o) { allowed code message policyLines "
        "missingPowers { code } } }"
    )
    allowed = (
        await gql.data(query, {"l": "enshi.audit", "a": "READ", "o": target}, login="enshi.office")
    )["explainAccess"]
    assert allowed["allowed"] is True
    assert allowed["policyLines"] == [
        "p, audit, person, read, subtree",
        "g, audit@422800, audit, 422800",
    ]
    denied = (
        await gql.data(
            query, {"l": "xuanen.police", "a": "READ", "o": target}, login="xuanen.office"
        )
    )["explainAccess"]
    assert denied["allowed"] is False
    assert denied["code"] == "FORBIDDEN"
    # a county office cannot ask about people above it
    body = await gql(query, {"l": "enshi.audit", "a": "READ", "o": target}, login="xuanen.office")
    assert error_codes(body) == ["FORBIDDEN"]
