"""Helpers for the trading tests: integrator keys; projects and bids as integrators send them."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import text

from tests.conftest import Database
from xietong.access.tokens import new_api_key
from xietong.db.engine import make_engine
from xietong.jurisdictions import codes
from xietong.trading.credit_code import compose

REGISTER = """
mutation($i: ProjectRegisterInput!) {
  projectRegister(input: $i) {
    changed
    project { id code state classified supervisors { powerCode department { name } } }
    errors { index field code message position }
  }
}"""
REGISTER_MANY = """
mutation($i: ProjectsRegisterInput!) {
  projectsRegister(input: $i) {
    created updated unchanged errors { index field code message position }
  }
}"""
BIDS = """
mutation($i: BidsRecordInput!) {
  bidsRecord(input: $i) { created updated unchanged errors { index field code message position } }
}"""
MOVE = """
mutation($i: ProjectMoveInput!) {
  projectMove(input: $i) { project { state } move { action target } errors { field code message } }
}"""
AWARDS = """
mutation($i: AwardsRecordInput!) {
  awardsRecord(input: $i) { created updated unchanged errors { index field code message } }
}"""

TENDERER = compose("1", "1", "410721", "00529105").value  # a government body of 新乡县
AGENCY = compose("9", "1", "410700", "MA47X9Y2").value


def bidder(n: int) -> str:
    return compose("9", "1", "410700", f"MA{n:06d}").value


async def api_key(db: Database, code: int, roles: tuple[str, ...] = ("integrator",)) -> str:
    key = new_api_key()
    engine = make_engine(db.owner_url, pool_size=1)
    try:
        async with engine.begin() as conn:
            await conn.execute(
                text(
                    "INSERT INTO api_key (id, prefix, secret_hash, name, jurisdiction_code, "
                    "province_code, roles, created_by) VALUES (:id, :p, :h, 'test', :c, :pc, "
                    ":r, 'test')"
                ),
                {
                    "id": uuid.uuid4(),
                    "p": key.prefix,
                    "h": key.secret_hash,
                    "c": code,
                    "pc": codes.province_of(code),
                    "r": list(roles),
                },
            )
    finally:
        await engine.dispose()
    return key.secret


def project(n: int, **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "sourceSystem": "XXJY",
        "sourceId": f"P-{n}",
        "projectCode": f"XXX-2026-{n:04d}",
        "name": f"新乡县第{n}小学教学楼建设工程",
        "category": "CONSTRUCTION",
        "industry": "HOUSING",
        "method": "OPEN_TENDER",
        "tendererCreditCode": TENDERER,
        "tendererName": "新乡县教育局",
        "agencyCreditCode": AGENCY,
        "agencyName": "河南华信招标代理有限公司",
        "budget": "4860000.00",
        "registeredAt": "2026-03-02T09:00:00+08:00",
    }
    values.update(overrides)
    return values


def bid(project_code: str, n: int, **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "projectCode": project_code,
        "bidderCreditCode": bidder(n),
        "bidderName": f"河南建工第{n}工程有限公司",
        "price": f"{4_500_000 + n * 1000}.00",
        "submittedAt": "2026-03-20T08:30:00+08:00",
        "ip": f"10.1.0.{n % 250 + 1}",
        "mac": f"00-1A-2B-3C-4D-{n % 256:02X}",
        "managerName": "张建国",
        "managerIdNumber": "11010519491231002X",
    }
    values.update(overrides)
    return values


def key_headers(secret: str) -> dict[str, str]:
    return {"x-api-key": secret}


async def moved(
    gql: Any, headers: dict[str, str], jurisdiction: str, code: str, *steps: str
) -> None:
    at = ["2026-03-05T09:00:00+08:00", "2026-03-10T09:00:00+08:00", "2026-03-25T09:00:00+08:00"]
    for step, when in zip(steps, at, strict=False):
        body = await gql(
            MOVE,
            {"i": {"jurisdiction": jurisdiction, "projectCode": code, "action": step, "at": when}},
            headers=headers,
        )
        assert body["data"]["projectMove"]["errors"] == [], body
