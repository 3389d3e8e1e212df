"""Pushing the trading record through the API: credit codes, idempotent pushes, all-or-nothing
batches, R-16, the lifecycle, awards and the archive."""

from __future__ import annotations

import base64
import io
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import text

from tests.conftest import Database
from tests.integration.trading.support import (
    AWARDS,
    BIDS,
    REGISTER,
    REGISTER_MANY,
    api_key,
    bid,
    key_headers,
    moved,
    project,
)
from tests.support import GraphQLClient, error_codes
from tests.unit.trading.test_credit_code import REAL_CODES
from xietong.db.engine import make_engine
from xietong.trading.credit_code import ALPHABET

XINXIANG_COUNTY = "410721"


async def _rows(db: Database, query: str, **params: Any) -> list[tuple[Any, ...]]:
    engine = make_engine(db.owner_url, pool_size=1)
    try:
        async with engine.connect() as conn:
            return [tuple(r) for r in (await conn.execute(text(query), params)).all()]
    finally:
        await engine.dispose()


@pytest.fixture
async def integrator(fresh_db: Database) -> dict[str, str]:
    return key_headers(await api_key(fresh_db, 410721))


ENTITY = "query($c: String!) { marketEntity(creditCode: $c) { name } }"


@pytest.mark.parametrize("code", list(REAL_CODES)[:4])
async def test_real_credit_codes_are_accepted_and_every_substitution_is_refused_with_its_position(
    gql: GraphQLClient, code: str
) -> None:
    body = await gql(ENTITY, {"c": code})
    assert "errors" not in body
    assert body["data"]["marketEntity"] is None
    # Every single-character substitution, 30 aliases per request (one position each).
    for position in range(18):
        others = [c for c in ALPHABET if c != code[position]]
        fields = " ".join(
            f'a{i}: marketEntity(creditCode: "{code[:position] + c + code[position + 1 :]}")'
            " { name }"
            for i, c in enumerate(others)
        )
        body = await gql(f"{{ {fields} }}")
        refused = list(body.get("errors") or [])
        assert len(refused) == len(others), (code, position)
        for error in refused:
            assert error["extensions"]["code"] == "INVALID_CREDIT_CODE"
            # The first failing check names the changed position, the division's start (3,
            # when positions 3–4 name no province) or a check character (17, 18): the final
            # check catches whatever the structure checks let through.
            assert error["extensions"]["position"] in {position + 1, 3, 17, 18}


async def test_a_pushed_project_with_a_mistyped_credit_code_names_field_and_position(
    fresh_gql: GraphQLClient, integrator: dict[str, str]
) -> None:
    good = project(1)["tendererCreditCode"]
    typo = good[:16] + ("0" if good[16] != "0" else "1") + good[17]
    body = await fresh_gql(
        REGISTER,
        {"i": {"jurisdiction": XINXIANG_COUNTY, "project": project(1, tendererCreditCode=typo)}},
        headers=integrator,
    )
    [error] = body["data"]["projectRegister"]["errors"]
    assert error["code"] == "INVALID_CREDIT_CODE"
    assert error["field"] == "tendererCreditCode"
    assert error["position"] == 17
    assert "第17位" in error["message"]


async def test_the_same_push_twice_changes_nothing_and_leaves_one_audit_event(
    fresh_db: Database, fresh_gql: GraphQLClient, integrator: dict[str, str]
) -> None:
    variables = {"i": {"jurisdiction": XINXIANG_COUNTY, "project": project(1)}}
    first = await fresh_gql(REGISTER, variables, headers=integrator)
    assert first["data"]["projectRegister"]["errors"] == [], first
    assert first["data"]["projectRegister"]["changed"] is True
    snapshot = "SELECT * FROM project ORDER BY id"
    moves = "SELECT * FROM project_move ORDER BY id"
    before = (await _rows(fresh_db, snapshot), await _rows(fresh_db, moves))

    second = await fresh_gql(REGISTER, variables, headers=integrator)
    assert second["data"]["projectRegister"]["changed"] is False
    assert (
        second["data"]["projectRegister"]["project"] == first["data"]["projectRegister"]["project"]
    )
    assert (await _rows(fresh_db, snapshot), await _rows(fresh_db, moves)) == before
    events = await _rows(
        fresh_db, "SELECT action FROM audit_event WHERE action = 'project.register'"
    )
    assert len(events) == 1

    # A changed payload updates the row and records what changed.
    changed = project(1, budget="5000000", name="新乡县第1小学教学楼及附属工程")
    third = await fresh_gql(
        REGISTER, {"i": {"jurisdiction": XINXIANG_COUNTY, "project": changed}}, headers=integrator
    )
    assert third["data"]["projectRegister"]["changed"] is True
    [(changes,)] = await _rows(fresh_db, "SELECT changes FROM project_change")
    assert changes["budget_fen"] == [486000000, 500000000]
    assert set(changes) == {"budget_fen", "name"}
    assert len(await _rows(fresh_db, "SELECT 1 FROM project")) == 1
    events = await _rows(
        fresh_db, "SELECT details FROM audit_event WHERE action = 'project.register' ORDER BY id"
    )
    assert len(events) == 2
    assert events[1][0]["updated"]
    assert not events[1][0]["created"]


async def test_a_batch_with_one_bad_row_changes_nothing_and_names_the_row(
    fresh_db: Database, fresh_gql: GraphQLClient, integrator: dict[str, str]
) -> None:
    body = await fresh_gql(
        REGISTER,
        {"i": {"jurisdiction": XINXIANG_COUNTY, "project": project(1)}},
        headers=integrator,
    )
    code = project(1)["projectCode"]
    await moved(fresh_gql, integrator, XINXIANG_COUNTY, code, "ANNOUNCE", "OPEN_BIDDING")
    rows = [bid(code, n) for n in range(5)]
    rows[3]["price"] = "12.345"  # three decimals
    body = await fresh_gql(
        BIDS, {"i": {"jurisdiction": XINXIANG_COUNTY, "rows": rows}}, headers=integrator
    )
    result = body["data"]["bidsRecord"]
    assert result["created"] == 0
    assert [(e["index"], e["field"], e["code"]) for e in result["errors"]] == [
        (3, "price", "INVALID_AMOUNT")
    ]
    assert await _rows(fresh_db, "SELECT 1 FROM bid") == []
    assert await _rows(fresh_db, "SELECT 1 FROM natural_person") == []

    # A row that fails only against the database (no such project) rolls the others back too.
    rows[3]["price"] = "4500000"
    rows[1]["projectCode"] = "NO-SUCH-PROJECT"
    body = await fresh_gql(
        BIDS, {"i": {"jurisdiction": XINXIANG_COUNTY, "rows": rows}}, headers=integrator
    )
    assert [(e["index"], e["code"]) for e in body["data"]["bidsRecord"]["errors"]] == [
        (1, "NOT_FOUND")
    ]
    assert await _rows(fresh_db, "SELECT 1 FROM bid") == []
    assert await _rows(fresh_db, "SELECT 1 FROM market_entity WHERE name LIKE '河南建工%'") == []

    # Fixed, it applies whole, once; the same batch again changes nothing.
    rows[1]["projectCode"] = code
    body = await fresh_gql(
        BIDS, {"i": {"jurisdiction": XINXIANG_COUNTY, "rows": rows}}, headers=integrator
    )
    assert body["data"]["bidsRecord"] == {"created": 5, "updated": 0, "unchanged": 0, "errors": []}
    again = await fresh_gql(
        BIDS, {"i": {"jurisdiction": XINXIANG_COUNTY, "rows": rows}}, headers=integrator
    )
    assert again["data"]["bidsRecord"]["unchanged"] == 5
    [(masked, digest)] = await _rows(fresh_db, "SELECT id_masked, id_digest FROM natural_person")
    assert masked == "1101**********002X"
    assert len(digest) == 64
    events = await _rows(fresh_db, "SELECT details FROM audit_event WHERE action = 'bid.record'")
    assert len(events) == 1
    assert len(events[0][0]["created"]) == 5


async def test_a_project_batch_lists_every_bad_row(
    fresh_db: Database, fresh_gql: GraphQLClient, integrator: dict[str, str]
) -> None:
    rows = [project(n) for n in range(4)]
    rows[1]["industry"] = "FORESTRY"  # 新乡县 has no forestry department: R-16
    rows[2]["method"] = "LISTING"  # 挂牌 is not a way to tender works
    rows[3]["sourceId"] = rows[0]["sourceId"]
    body = await fresh_gql(
        REGISTER_MANY, {"i": {"jurisdiction": XINXIANG_COUNTY, "rows": rows}}, headers=integrator
    )
    found = {(e["index"], e["code"]) for e in body["data"]["projectsRegister"]["errors"]}
    assert found == {(2, "METHOD_NOT_FOR_CATEGORY")}  # field checks come first
    rows[2]["method"] = "OPEN_TENDER"
    body = await fresh_gql(
        REGISTER_MANY, {"i": {"jurisdiction": XINXIANG_COUNTY, "rows": rows}}, headers=integrator
    )
    found = {
        (e["index"], e["field"], e["code"]) for e in body["data"]["projectsRegister"]["errors"]
    }
    assert found == {(1, "supervisors", "NO_SUPERVISOR"), (3, "sourceId", "DUPLICATE_ROW")}
    assert await _rows(fresh_db, "SELECT 1 FROM project") == []
    too_many = await fresh_gql(
        REGISTER_MANY,
        {"i": {"jurisdiction": XINXIANG_COUNTY, "rows": [project(n) for n in range(1001)]}},
        headers=integrator,
    )
    assert too_many["data"]["projectsRegister"]["errors"][0]["code"] == "BATCH_TOO_LARGE"


async def test_r16_no_supervisor_and_power_not_listed(
    fresh_gql: GraphQLClient, integrator: dict[str, str]
) -> None:
    no_one = await fresh_gql(
        REGISTER,
        {"i": {"jurisdiction": XINXIANG_COUNTY, "project": project(1, industry="FORESTRY")}},
        headers=integrator,
    )
    [error] = no_one["data"]["projectRegister"]["errors"]
    assert (error["code"], error["field"]) == ("NO_SUPERVISOR", "supervisors")
    assert "不得进场交易" in error["message"]
    # Naming a department whose published list lacks the power (the office supervises no
    # industry) is refused even though the department exists.
    named = await fresh_gql(
        REGISTER,
        {
            "i": {
                "jurisdiction": XINXIANG_COUNTY,
                "project": project(2, supervisors=["xinxiangxian-office"]),
            }
        },
        headers=integrator,
    )
    [error] = named["data"]["projectRegister"]["errors"]
    assert error["code"] == "POWER_NOT_LISTED"
    assigned = await fresh_gql(
        REGISTER,
        {
            "i": {
                "jurisdiction": XINXIANG_COUNTY,
                "project": project(3, category="GOVERNMENT_PROCUREMENT"),
            }
        },
        headers=integrator,
    )
    assert assigned["data"]["projectRegister"]["errors"] == []
    [supervisor] = assigned["data"]["projectRegister"]["project"]["supervisors"]
    assert supervisor["powerCode"] == "PROCUREMENT-SUPERVISION"  # 财政 for procurement


async def test_lifecycle_award_and_archive(
    fresh_gql: GraphQLClient, integrator: dict[str, str]
) -> None:
    await fresh_gql(
        REGISTER,
        {"i": {"jurisdiction": XINXIANG_COUNTY, "project": project(1)}},
        headers=integrator,
    )
    code = project(1)["projectCode"]
    # Awarding a project that is not yet evaluating is an illegal transition.
    award = {
        "projectCode": code,
        "winnerCreditCode": project(0)["agencyCreditCode"],
        "winnerName": "河南建工第0工程有限公司",
        "amount": "4501000",
        "awardedAt": "2026-04-01T10:00:00+08:00",
    }
    early = await fresh_gql(
        AWARDS, {"i": {"jurisdiction": XINXIANG_COUNTY, "rows": [award]}}, headers=integrator
    )
    assert [e["code"] for e in early["data"]["awardsRecord"]["errors"]] == ["ILLEGAL_TRANSITION"]
    await moved(
        fresh_gql, integrator, XINXIANG_COUNTY, code, "ANNOUNCE", "OPEN_BIDDING", "OPEN_BIDS"
    )
    await fresh_gql(
        BIDS,
        {"i": {"jurisdiction": XINXIANG_COUNTY, "rows": [bid(code, n) for n in range(3)]}},
        headers=integrator,
    )
    done = await fresh_gql(
        AWARDS, {"i": {"jurisdiction": XINXIANG_COUNTY, "rows": [award]}}, headers=integrator
    )
    assert done["data"]["awardsRecord"]["created"] == 1
    contract = await fresh_gql(
        """mutation($i: ContractRecordInput!) { contractRecord(input: $i) {
             contract { amountYuan } errors { code } } }""",
        {
            "i": {
                "jurisdiction": XINXIANG_COUNTY,
                "projectCode": code,
                "contractNumber": "HT-2026-001",
                "supplierCreditCode": award["winnerCreditCode"],
                "supplierName": award["winnerName"],
                "amount": "4501000",
                "signedAt": "2026-04-20T10:00:00+08:00",
            }
        },
        headers=integrator,
    )
    assert contract["data"]["contractRecord"]["errors"] == []
    # A move the state does not allow: ILLEGAL_TRANSITION with the state and action.
    body = await fresh_gql(
        """mutation($i: ProjectMoveInput!) { projectMove(input: $i) { errors { code } } }""",
        {
            "i": {
                "jurisdiction": XINXIANG_COUNTY,
                "projectCode": code,
                "action": "OPEN_BIDS",
                "at": "2026-05-01T09:00:00+08:00",
            }
        },
        headers=integrator,
    )
    assert body["data"]["projectMove"]["errors"] == [{"code": "ILLEGAL_TRANSITION"}]

    archive = await fresh_gql(
        "query($c: String!) { projectArchive(code: $c) { kind title } }",
        {"c": code},
        login="xinxiangxian.office",
    )
    kinds = [e["kind"] for e in archive["data"]["projectArchive"]]
    assert kinds[:4] == ["MOVE", "MOVE", "MOVE", "BID"]
    assert {"AWARD", "CONTRACT"} <= set(kinds)
    exported = await fresh_gql(
        "query($c: String!) { csv: projectArchiveExport(code: $c) { filename content } "
        "xlsx: projectArchiveExport(code: $c, format: XLSX) { content } }",
        {"c": code},
        login="xinxiangxian.office",
    )
    csv_text = exported["data"]["csv"]["content"]
    assert "投标" in csv_text
    assert "110105" not in csv_text
    book = load_workbook(io.BytesIO(base64.b64decode(exported["data"]["xlsx"]["content"])))
    assert book.active is not None
    assert book.active.max_row == len(kinds) + 2


async def test_writes_need_the_trading_side_of_the_unit(
    fresh_gql: GraphQLClient, integrator: dict[str, str]
) -> None:
    variables = {"i": {"jurisdiction": XINXIANG_COUNTY, "project": project(1)}}
    anonymous = await fresh_gql(REGISTER, variables)
    assert error_codes(anonymous) == ["UNAUTHENTICATED"]
    office = await fresh_gql(REGISTER, variables, login="xinxiangxian.office")
    assert error_codes(office) == ["FORBIDDEN"]
    city_centre = await fresh_gql(REGISTER, variables, login="xinxiang.centre")
    assert error_codes(city_centre) == ["FORBIDDEN"]  # casework is local
    centre = await fresh_gql(REGISTER, variables, login="xinxiangxian.centre")
    assert centre["data"]["projectRegister"]["errors"] == []


REPORTS = """
mutation($i: ReportsFileInput!) {
  reportsFile(input: $i) { created unchanged errors { index field code } }
}"""


async def test_reports_by_the_trading_side_and_by_the_supervising_department_only(
    fresh_gql: GraphQLClient, integrator: dict[str, str]
) -> None:
    await fresh_gql(
        REGISTER,
        {"i": {"jurisdiction": XINXIANG_COUNTY, "project": project(1)}},
        headers=integrator,
    )
    code = project(1)["projectCode"]
    report = {
        "projectCode": code,
        "sourceId": "R-1",
        "kind": "SUPERVISION",
        "reporter": "INDUSTRY_DEPARTMENT",
        "reportedAt": "2026-05-01T09:00:00+08:00",
        "title": "施工现场监督检查记录",
        "content": "现场管理人员到岗，未发现违规分包。",
    }
    rows = {"i": {"jurisdiction": XINXIANG_COUNTY, "rows": [report]}}
    housing = await fresh_gql(REPORTS, rows, login="xinxiangxian.housing")  # supervises it
    assert housing["data"]["reportsFile"] == {"created": 1, "unchanged": 0, "errors": []}
    again = await fresh_gql(REPORTS, rows, login="xinxiangxian.housing")
    assert again["data"]["reportsFile"]["unchanged"] == 1
    other = await fresh_gql(
        REPORTS,
        {"i": {"jurisdiction": XINXIANG_COUNTY, "rows": [{**report, "sourceId": "R-2"}]}},
        login="xinxiangxian.transport",
    )
    assert other["data"]["reportsFile"]["errors"] == [
        {"index": 0, "field": "projectCode", "code": "NOT_FOUND"}
    ]
    changed = await fresh_gql(
        REPORTS,
        {"i": {"jurisdiction": XINXIANG_COUNTY, "rows": [{**report, "title": "另一份"}]}},
        headers=integrator,
    )
    assert changed["data"]["reportsFile"]["errors"][0]["code"] == "SOURCE_ID_TAKEN"
    police = await fresh_gql(REPORTS, rows, login="xinxiangxian.police")
    assert error_codes(police) == ["FORBIDDEN"]
