"""Helpers for the evaluation tests: a project, experts, sessions and the moves, over GraphQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.conftest import TEST_SERVER_SECRET, Database
from tests.integration.trading.support import REGISTER, api_key, key_headers, project
from tests.support import GraphQLClient
from xietong.db.engine import make_engine, make_sessionmaker
from xietong.keys import Keyring

SESSION = """
query($id: ID!) { evaluationSession(id: $id) {
  id number state windowUntil
  project { id code }
  sites { id role seats jurisdiction { code } handedOverOn }
  seats { id label atHost expert { id name } }
  experts { id name }
  investigations { id state result }
} }"""
HOSTINGS = """
{ evaluationHostings { nodes { id sessionNumber seats role scheduledStart
  session { id } obligations { rule { id } status due metOn } } } }"""
INVESTIGATION = """
query($id: ID!) { evaluationInvestigation(id: $id) {
  id state result decision seats copiedOn hosts { code }
  obligations { rule { id } status due metOn metLate calendar { jurisdiction { code } } }
} }"""

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_number(region: str, n: int) -> str:
    """A valid 18-digit resident ID number (GB 11643 check digit)."""
    body = f"{region}19800101{n:03d}"
    total = sum(int(d) * w for d, w in zip(body, _WEIGHTS, strict=True))
    return body + "10X98765432"[total % 11]


def day(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)


async def ok(
    gql: GraphQLClient, mutation: str, input_type: str, login: str, fields: str, **values: Any
) -> dict[str, Any]:
    body = await gql(
        f"mutation($i: {input_type}!) {{ {mutation}(input: $i) "
        f"{{ {fields} errors {{ field code message }} }} }}",
        {"i": values},
        login=login,
    )
    assert "errors" not in body, body
    payload: dict[str, Any] = body["data"][mutation]
    assert payload["errors"] == [], payload
    return payload


async def refused(
    gql: GraphQLClient, mutation: str, input_type: str, login: str, **values: Any
) -> list[str]:
    """The codes a refused mutation answers with: payload codes, or top-level ones."""
    body = await gql(
        f"mutation($i: {input_type}!) {{ {mutation}(input: $i) {{ errors {{ code }} }} }}",
        {"i": values},
        login=login,
    )
    if "errors" in body:
        return [e["extensions"]["code"] for e in body["errors"]]
    return [e["code"] for e in body["data"][mutation]["errors"]]


async def a_project(db: Database, gql: GraphQLClient, code: int, n: int) -> str:
    secret = await api_key(db, code)
    body = await gql(
        REGISTER,
        {
            "i": {
                "jurisdiction": str(code),
                "project": project(n, sourceId=f"E-{code}-{n}", projectCode=f"PJ-{code}-{n:04d}"),
            }
        },
        headers=key_headers(secret),
    )
    assert "data" in body, body
    payload = body["data"]["projectRegister"]
    assert payload["errors"] == [], payload
    ident: str = payload["project"]["id"]
    return ident


async def an_expert(gql: GraphQLClient, login: str, code: int, name: str, n: int) -> str:
    payload = await ok(
        gql,
        "expertUpsert",
        "ExpertUpsertInput",
        login,
        "expert { id }",
        jurisdiction=str(code),
        name=name,
        idNumber=id_number(str(code), n),
        specialities=["房屋建筑"],
    )
    ident: str = payload["expert"]["id"]
    return ident


async def schedule(
    gql: GraphQLClient,
    login: str,
    project_id: str,
    number: str,
    hosts: list[tuple[int, int]],
    *,
    home_seats: int = 2,
    follow_up_days: int = 5,
    start: str = "2026-09-22T09:00:00+08:00",
    end: str = "2026-09-22T17:00:00+08:00",
    auto_copy: bool = False,
) -> str:
    payload = await ok(
        gql,
        "evaluationSchedule",
        "EvaluationScheduleInput",
        login,
        "session { id state }",
        projectId=project_id,
        number=number,
        scheduledStart=start,
        scheduledEnd=end,
        homeSeats=home_seats,
        hosts=[{"jurisdiction": str(c), "seats": s} for c, s in hosts],
        followUpDays=follow_up_days,
        autoCopy=auto_copy,
    )
    assert payload["session"]["state"] == "SCHEDULED"
    ident: str = payload["session"]["id"]
    return ident


async def session_as(gql: GraphQLClient, ident: str, login: str) -> dict[str, Any] | None:
    found: dict[str, Any] | None = (await gql.data(SESSION, {"id": ident}, login=login))[
        "evaluationSession"
    ]
    return found


@asynccontextmanager
async def app_sessions(db: Database) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """The application role's sessions, as the worker makes them (with the keyring)."""
    engine = make_engine(db.app_url, pool_size=2)
    try:
        yield make_sessionmaker(engine, keyring=Keyring.of(TEST_SERVER_SECRET))
    finally:
        await engine.dispose()
