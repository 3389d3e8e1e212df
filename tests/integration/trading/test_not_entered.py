"""应进未进: the approvals check flags exactly the approved projects the province's catalogue says
must trade in the centre and that did not (河南's catalogue in tenants/henan.yaml)."""

from __future__ import annotations

from typing import Any

from tests.conftest import Database
from tests.integration.trading.support import REGISTER, TENDERER, api_key, key_headers, project
from tests.support import GraphQLClient

PUSH = """
mutation($i: ApprovedProjectsPushInput!) {
  approvedProjectsPush(input: $i) { created updated unchanged errors { index field code } }
}"""
LIST = """
query($j: JurisdictionCode!, $d: Date, $g: Int) {
  notEnteredProjects(jurisdiction: $j, asOf: $d, graceDays: $g) {
    approvalNumber dueOn daysOverdue rule { code }
  }
}"""


def approved(number: str, name: str, amount: str, **overrides: Any) -> dict[str, Any]:
    values = {
        "approvalNumber": number,
        "name": name,
        "ownerName": "新乡县教育局",
        "ownerCreditCode": TENDERER,
        "investment": amount,
        "category": "CONSTRUCTION",
        "industry": "HOUSING",
        "funding": "GOVERNMENT",
        "approvedOn": "2026-01-10",
    }
    values.update(overrides)
    return values


APPROVED = [
    # Entered: a trading project carries its approval number.
    approved("2601-410721-04-01-000001", "新乡县第一中学宿舍楼", "5000000"),
    # Entered: same owner, a similar name (新乡县第一小学教学楼 ~ …建设工程施工).
    approved("2601-410721-04-01-000002", "新乡县第一小学教学楼", "6000000"),
    # Below the threshold of HN-GC-01 (4,000,000).
    approved("2601-410721-04-01-000003", "新乡县第二小学围墙", "3000000"),
    # Private money: the catalogue does not cover it.
    approved("2601-410721-04-01-000004", "新乡县民营医院门诊楼", "9000000", funding="NON_STATE"),
    # Not entered: the same owner's other project does not hide it (名称相似度 0.64).
    approved("2601-410721-04-01-000005", "新乡县第一小学运动场", "8000000"),
    # A water works approved later: HN-GC-02 gives 60 days, not yet due on 2026-06-01.
    approved(
        "2601-410721-04-01-000006",
        "新乡县东干渠清淤",
        "5000000",
        industry="WATER",
        approvedOn="2026-04-15",
    ),
    # Government procurement from 1,000,000 (HN-CG-01): not entered.
    approved(
        "2601-410721-04-01-000007",
        "新乡县中小学智慧教室设备采购",
        "2000000",
        category="GOVERNMENT_PROCUREMENT",
        industry=None,
    ),
    # A category the catalogue does not list.
    approved(
        "2601-410721-04-01-000008",
        "新乡县文化广场冠名权",
        "9000000",
        category="OTHER",
        industry=None,
    ),
]


async def test_the_check_flags_exactly_what_the_catalogue_says(
    fresh_db: Database, fresh_gql: GraphQLClient
) -> None:
    headers = key_headers(await api_key(fresh_db, 410721))
    pushed = await fresh_gql(
        PUSH, {"i": {"jurisdiction": "410721", "rows": APPROVED}}, headers=headers
    )
    assert pushed["data"]["approvedProjectsPush"]["created"] == len(APPROVED), pushed
    for n, overrides in (
        (1, {"approvalNumber": "2601-410721-04-01-000001", "name": "新乡县第一中学宿舍楼项目"}),
        (2, {"name": "新乡县第一小学教学楼建设工程施工"}),
    ):
        body = await fresh_gql(
            REGISTER,
            {"i": {"jurisdiction": "410721", "project": project(n, **overrides)}},
            headers=headers,
        )
        assert body["data"]["projectRegister"]["errors"] == [], body

    found = await fresh_gql(LIST, {"j": "410721", "d": "2026-06-01"}, login="xinxiangxian.office")
    assert found["data"]["notEnteredProjects"] == [
        {
            "approvalNumber": "2601-410721-04-01-000005",
            "dueOn": "2026-02-09",
            "daysOverdue": 112,
            "rule": {"code": "HN-GC-01"},
        },
        {
            "approvalNumber": "2601-410721-04-01-000007",
            "dueOn": "2026-02-09",
            "daysOverdue": 112,
            "rule": {"code": "HN-CG-01"},
        },
    ]
    # Configurable days: with 10 days' grace the water works is overdue too.
    shorter = await fresh_gql(
        LIST, {"j": "410721", "d": "2026-06-01", "g": 10}, login="xinxiangxian.office"
    )
    assert [e["approvalNumber"][-1] for e in shorter["data"]["notEnteredProjects"]] == [
        "5",
        "7",
        "6",
    ]
    # The city's office sees its county's list; a sibling city's office sees nothing of it.
    city = await fresh_gql(LIST, {"j": "410700", "d": "2026-06-01"}, login="xinxiang.office")
    assert len(city["data"]["notEnteredProjects"]) == 2
    other = await fresh_gql(LIST, {"j": "410700", "d": "2026-06-01"}, login="anyang.office")
    assert other["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    # Pushing the same approvals again changes nothing.
    again = await fresh_gql(
        PUSH, {"i": {"jurisdiction": "410721", "rows": APPROVED}}, headers=headers
    )
    assert again["data"]["approvedProjectsPush"]["unchanged"] == len(APPROVED)


async def test_the_catalogue_is_public(gql: GraphQLClient) -> None:
    body = await gql(
        '{ tradingCatalogue(province: "410000") { graceDays rules { code minAmountYuan } } }'
    )
    catalogue = body["data"]["tradingCatalogue"]
    assert catalogue["graceDays"] == 30
    assert catalogue["rules"][0] == {"code": "HN-GC-01", "minAmountYuan": "4000000.00"}
