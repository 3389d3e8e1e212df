"""Fixtures for the fuzz suite: real ids of the seeded tenants, valid baselines, a fingerprint
of every table, and one function that checks the error contract on a response."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.conftest import APP_ROLE, OWNER_ROLE, WORKER, Database
from tests.integration.fuzz.operations import Baseline, Enum, Request
from tests.integration.fuzz.values import Rows, b64
from tests.support import GraphQLClient, bearer, graphql_client
from xietong.api.ids import to_global_id
from xietong.db.engine import make_engine
from xietong.db.provision import drop, provision
from xietong.deadlines.clock import SYSTEM_CLOCK

CALLERS = (None, "xuanen.office", "hubei.office")
MAX_MESSAGE = 2_000  # a message quotes a preview of the input, never the input


@dataclass
class Outcome:
    status: int
    body: Any
    problems: list[str]

    @property
    def refused(self) -> bool:
        """Top-level errors, or a payload that lists errors (a refused mutation)."""
        if not isinstance(self.body, dict) or self.body.get("errors"):
            return True
        data = self.body.get("data") or {}
        return any(isinstance(v, dict) and v.get("errors") for v in data.values()) or not data


def contract(status: int, raw: bytes) -> Outcome:
    """Every answer is a GraphQL answer; every error has a code, none is INTERNAL_ERROR; no
    5xx but a coded 503; messages stay short."""
    problems: list[str] = []
    try:
        body = json.loads(raw)
    except ValueError:
        return Outcome(status, None, [f"HTTP {status}: not JSON: {raw[:200]!r}"])
    if status >= 500 and status != 503:
        problems.append(f"HTTP {status}")
    if not isinstance(body, dict) or not ("data" in body or "errors" in body):
        return Outcome(status, body, [*problems, f"not a GraphQL answer: {str(body)[:200]}"])
    for error in body.get("errors") or []:
        code = (error.get("extensions") or {}).get("code") if isinstance(error, dict) else None
        message = error.get("message", "") if isinstance(error, dict) else ""
        if not isinstance(code, str):
            problems.append(f"no extensions.code: {str(error)[:200]}")
        elif code == "INTERNAL_ERROR":
            problems.append("INTERNAL_ERROR")
        elif status == 503 and code != "SERVICE_UNAVAILABLE":
            problems.append(f"HTTP 503 with {code}")
        if len(message) > MAX_MESSAGE:
            problems.append(f"message of {len(message):,} characters")
    return Outcome(status, body, problems)


@dataclass
class Fuzzer:
    client: GraphQLClient
    baseline: Baseline
    rows: Rows
    owner: AsyncEngine | None = None
    _fingerprint_sql: str | None = None
    _last: dict[str, str] | None = None

    async def send(self, request: Request, login: str | None) -> Outcome:
        headers = {"content-type": "application/json", **(bearer(login) if login else {})}
        response: httpx.Response = await self.client.http.post(
            "/graphql", content=request.body.encode("utf-8", "surrogatepass"), headers=headers
        )
        return contract(response.status_code, response.content)

    async def fingerprint(self) -> dict[str, str]:
        """Per table, its row count and newest row version (``xmin``), as the owner (row-level
        security aside): any committed insert, update or delete changes one of them, and a
        statement over every table costs a few milliseconds."""
        assert self.owner is not None
        async with self.owner.connect() as conn:
            if self._fingerprint_sql is None:
                tables = (
                    await conn.execute(
                        text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
                    )
                ).scalars()
                self._fingerprint_sql = " UNION ALL ".join(
                    f"SELECT '{name}', count(*) || ':' || coalesce(max(xmin::text::bigint), 0) "
                    f'FROM "{name}"'
                    for name in sorted(tables)
                )
            rows = (await conn.execute(text(self._fingerprint_sql))).all()
            return {str(name): str(value) for name, value in rows}

    async def changes(self) -> list[str]:
        """Tables changed since the last call (nothing else writes to this database)."""
        now = await self.fingerprint()
        before, self._last = self._last, now
        return [] if before is None else sorted(k for k in now if before.get(k) != now[k])


async def _rows(db: Database) -> tuple[Rows, dict[str, str]]:
    engine = make_engine(db.owner_url, pool_size=1)
    try:
        async with engine.connect() as conn:

            async def one(sql: str) -> Any:
                return (await conn.execute(text(sql))).scalar_one()

            here = await one("SELECT id FROM person WHERE login = 'xuanen.police'")
            elsewhere = await one("SELECT id FROM person WHERE login = 'wuhua.office'")
            officer_here = await one(
                "SELECT o.person_id FROM officer_pool_member o JOIN person p ON p.id = o.person_id "
                "WHERE p.login = 'xuanen.office'"
            )
            officer_elsewhere = await one(
                "SELECT o.person_id FROM officer_pool_member o JOIN person p ON p.id = o.person_id "
                "WHERE p.login = 'wuhua.office'"
            )
            office_here = await one("SELECT id FROM department WHERE key = 'xuanen-office'")
            department_elsewhere = await one("SELECT id FROM department WHERE key = 'wuhua-office'")
    finally:
        await engine.dispose()
    rows = Rows(
        person_here=to_global_id("Person", here),
        person_elsewhere=to_global_id("Person", elsewhere),
        officer_elsewhere=to_global_id("OfficerPoolMember", officer_elsewhere),
        department_elsewhere=to_global_id("Department", department_elsewhere),
        people_cursor="",
    )
    more = {
        "officer_here": to_global_id("OfficerPoolMember", officer_here),
        "office_here": to_global_id("Department", office_here),
    }
    return rows, more


def _baseline(rows: Rows, more: dict[str, str]) -> Baseline:
    soon = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    unknown = uuid.UUID(int=1)
    return Baseline(
        by_target={
            "person.id": rows.person_here,
            "powerList.departmentId": more["office_here"],
            "explainAccess.login": "xuanen.police",
            "explainAccess.action": Enum("READ"),
            "explainAccess.objectId": rows.person_here,
            "grants.objectId": rows.person_here,
            "officerAvailabilitySet.input.officerId": more["officer_here"],
            "officerAvailabilitySet.input.available": False,
            "apiKeyCreate.input.roles": [Enum("INTEGRATOR")],
            "apiKeyRevoke.input.id": b64(f"ApiKey:{unknown}"),
            "grantCreate.input.objectId": rows.person_here,
            "grantCreate.input.granteeJurisdiction": "530102",
            "grantCreate.input.actions": [Enum("READ")],
            "grantRevoke.input.id": b64(f"Grant:{unknown}"),
            "obligation.id": b64(f"Obligation:{unknown}"),
            "notificationMarkRead.input.notificationId": b64(f"Notification:{unknown}"),
            "deadline.unit": Enum("WORKING_DAYS"),
            # Complaints: filed as named, at 宣恩县, about a project; moves on one unknown.
            "complaintFile.input.projectCode": "XE-FUZZ-1",
            "complaintFile.input.anonymous": False,
            "complaintFile.input.filerName": "fuzz",
            "complaintFile.input.filerContact": "0718-0000000",
            "complaintFile.input.knewOn": SYSTEM_CLOCK.today().isoformat(),
        },
        by_type={
            "JurisdictionCode": "422825",
            "ShortText": "fuzz",
            "LongText": "fuzz",
            "Login": "xuanen.office",
            "String": "x",
            "ID": rows.person_here,
            "Int": 5,
            "Boolean": True,
            "DateTime": soon,
            "Date": (SYSTEM_CLOCK.today() + timedelta(days=30)).isoformat(),
            "Base64": base64.b64encode(b"%PDF-1.7\n" + b"x" * 32).decode(),
        },
    )


async def _fuzzer(db: Database, owner: bool) -> AsyncIterator[Fuzzer]:
    rows, more = await _rows(db)
    async with graphql_client(db) as client:
        page = await client.data(
            "{ people(first: 1) { pageInfo { endCursor } } }", login="xuanen.office"
        )
        rows.people_cursor = page["people"]["pageInfo"]["endCursor"]
        engine = make_engine(db.owner_url, pool_size=1) if owner else None
        try:
            fuzzer = Fuzzer(client, _baseline(rows, more), rows, engine)
            await fuzzer.changes()  # the state every later call compares with
            yield fuzzer
        finally:
            if engine is not None:
                await engine.dispose()


@pytest.fixture(scope="session")
async def query_fuzzer(seeded_db: Database) -> AsyncIterator[Fuzzer]:
    """Queries only: the shared seeded database, checked unchanged by a fingerprint."""
    async for fuzzer in _fuzzer(seeded_db, owner=True):
        yield fuzzer


@pytest.fixture(scope="session")
async def mutation_fuzzer(pg_admin_url: str, seeded_template: Database) -> AsyncIterator[Fuzzer]:
    """Mutations: a private database for the whole run, fingerprinted around every request."""
    name = f"xt_fuzz_{WORKER}_{uuid.uuid4().hex[:8]}"
    db = Database.of(
        await provision(
            pg_admin_url,
            name,
            owner_role=OWNER_ROLE,
            app_role=APP_ROLE,
            template=seeded_template.name,
        )
    )
    try:
        async for fuzzer in _fuzzer(db, owner=True):
            yield fuzzer
    finally:
        await drop(pg_admin_url, name)
