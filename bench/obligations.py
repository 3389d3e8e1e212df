"""``myWork`` among a million open obligations, and the sweep over them:
``python -m bench obligations [--total N] [--owed N] [--rounds N]``.

One database, seeded as the demo is, then ``--total`` open obligations (default 1,000,000) loaded
with ``COPY`` over every department of the 14 seed units; ``--owed`` of them (default 5,000) are
owed by one department, 宣恩县住房和城乡建设局. The bench day is a Monday; most clocks are within
their period, 3 % are overdue by up to a month (marked, their escalations already written), a
tenth have a warning or an overdue mark due today, and the rest are quiet.

Measured, interleaved round by round in one run so machine noise hits both alike:

- *graphql*: ``myWork(first: 20)`` for a person of that department, through the whole
  application in-process (ASGI, no sockets, ``bench.asgi``: timed to the answer's last byte):
  authentication, the signed scope, the guard, the resolver, the loaders, JSON; every other
  round pages on with the cursor;
- *raw SQL*: the very statements that request sent to PostgreSQL (captured from it), replayed on
  one connection of the application role in one transaction with a scope signed for it.

- *empty*: ``{ __typename }`` by the same signed-in person: what every request costs before any
  resolver runs (sign-in and scope in one round trip, the transaction, HTTP, JSON).

Reported: median and p95 of each, p95 graphql / p95 raw SQL (the goal is at most 2), and the
median of (graphql − empty) per round-trio against raw SQL: what the query itself adds.

Then the sweep (``deadlines.sweep.run``, batches of 2,000, the application role under its signed
system scopes): the first sweep of the day, which writes today's warnings and overdue marks (a
tenth of the clocks), and then the sweep of every following minute of that day (nothing new:
the plan, the counts and the escalation check), median of five.

Dates are an approximation (a working-day period taken as 7/5 calendar days), enough for the
shape of the data; no clock here is counted by the engine except in the sweep's own SQL.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import random
import statistics
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg
from litestar import Litestar
from sqlalchemy import event

from bench import asgi
from bench.database import seeded_database
from xietong import logging as xlogging
from xietong.access.scope_token import ScopeClaims, ScopeSigner
from xietong.access.tokens import TokenService
from xietong.app import create_app
from xietong.config import (
    AuthSettings,
    DatabaseSettings,
    Environment,
    ServerSettings,
    Settings,
)
from xietong.db.engine import asyncpg_dsn, make_engine, make_sessionmaker
from xietong.deadlines import sweep
from xietong.deadlines.clock import ManualClock
from xietong.keys import Keyring

SECRET = "bench-signing-secret-of-sufficient-length-0000"
SERVER_SECRET = "bench-server-secret-of-sufficient-length-0000"
LOGIN = "xuanen.housing"
DEPARTMENT = "xuanen-housing"
TODAY = date(2026, 11, 16)  # a Monday
ROUNDS = 30
PER_ROUND = 10
CHUNK = 50_000
QUERY = """query($after: String) {
  myWork(first: 20, after: $after) {
    nodes { id due overdue status promisedDue paused rule { id } jurisdiction { code } }
    pageInfo { endCursor hasNextPage }
  }
}"""
RULES = [
    ("TB.acceptance_decision", 3),
    ("R7.report_to_office", 3),
    ("R7.handed_feedback", 5),
    ("GP.review", 5),
    ("R9.result_reply", 10),
    ("TB.decision", 30),
    ("GP.decision", 30),
]
COLUMNS = (
    "id",
    "rule_id",
    "matter_type",
    "matter_id",
    "jurisdiction_code",
    "province_code",
    "owing_department_id",
    "escalate_to",
    "started_on",
    "counted_from",
    "unit",
    "amount",
    "due_on",
    "status",
    "paused",
    "paused_days",
    "provisional",
    "calendar_version",
    "calendar_jurisdiction",
    "warn_on",
    "remind_on",
    "next_alert_on",
    "created_by",
    "created_at",
    "updated_at",
)


def _settings(url: str) -> Settings:
    return dataclasses.replace(
        Settings(env=Environment.TEST),
        database=DatabaseSettings(url=url, pool_size=4, statement_timeout_ms=30_000),
        auth=AuthSettings(jwt_secret=SECRET),
        secret_key=SERVER_SECRET,
        log_level="WARNING",
        server=ServerSettings(freeze_heap=True),  # as served (XIETONG_FREEZE_HEAP)
    )


@dataclasses.dataclass(frozen=True)
class Department:
    id: uuid.UUID
    jurisdiction_code: int
    province_code: int
    parent_code: int | None


def _row(rng: random.Random, dept: Department, now: datetime) -> tuple[Any, ...]:
    rule, amount = rng.choice(RULES)
    span = round(amount * 7 / 5)
    # Most clocks run within their period; 3 % are overdue by up to a month.
    late = rng.random() < 0.03
    age = rng.randint(span + 1, span + 30) if late else rng.randint(0, span)
    started = TODAY - timedelta(days=age)
    due = started + timedelta(days=span)
    warn = started + timedelta(days=round(span * 0.8))
    remind = due - timedelta(days=1)
    events = [d for d in (remind, warn, due + timedelta(days=1)) if d > TODAY]
    status = "overdue" if due < TODAY else "open"
    # A tenth have something due today (the first sweep of the day has work); the rest were
    # swept before: their next day lies ahead, or nothing is left to do.
    if rng.random() < 0.1:
        next_alert = TODAY
        status = "open"
    else:
        next_alert = min(events) if events else None
    return (
        uuid.uuid4(),
        rule,
        "complaint",
        uuid.uuid4(),
        dept.jurisdiction_code,
        dept.province_code,
        dept.id,
        dept.parent_code,
        started,
        started,
        "working_days",
        amount,
        due,
        status,
        False,
        0,
        False,
        "cal1-bench",
        dept.jurisdiction_code,
        warn,
        remind,
        next_alert,
        "bench",
        now,
        now,
    )


def _rows(
    departments: list[Department], target: Department, total: int, owed: int, seed: int = 7
) -> Iterator[list[tuple[Any, ...]]]:
    rng = random.Random(seed)
    now = datetime.now(UTC)
    others = [d for d in departments if d.id != target.id]
    chunk: list[tuple[Any, ...]] = []
    for i in range(total):
        dept = target if i < owed else rng.choice(others)
        chunk.append(_row(rng, dept, now))
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


async def load(owner_url: str, total: int, owed: int) -> dict[str, Any]:
    conn = await asyncpg.connect(asyncpg_dsn(owner_url))
    try:
        departments = [
            Department(r["id"], r["jurisdiction_code"], r["province_code"], r["parent_code"])
            for r in await conn.fetch(
                "SELECT d.id, d.jurisdiction_code, d.province_code, j.parent_code "
                "FROM department d JOIN jurisdiction j ON j.code = d.jurisdiction_code "
                "WHERE d.active ORDER BY d.key"
            )
        ]
        target_id = await conn.fetchval("SELECT id FROM department WHERE key = $1", DEPARTMENT)
        target = next(d for d in departments if d.id == target_id)
        started = time.perf_counter()
        # COPY refuses tables under forced row-level security; the owner lifts it for the load
        # only, in the load's transaction (nothing else sees the table meanwhile).
        async with conn.transaction():
            await conn.execute("ALTER TABLE obligation NO FORCE ROW LEVEL SECURITY")
            for chunk in _rows(departments, target, total, owed):
                await conn.copy_records_to_table("obligation", records=chunk, columns=COLUMNS)
            await conn.execute("ALTER TABLE obligation FORCE ROW LEVEL SECURITY")
        loaded = time.perf_counter() - started
        # Overdue clocks were swept before today: their escalations exist already.
        await conn.execute(
            "INSERT INTO notification (id, jurisdiction_code, province_code, kind, "
            "obligation_id, rule_id, source_jurisdiction_code, due_on, idempotency_key, "
            "created_by, created_at) SELECT gen_random_uuid(), o.escalate_to, o.province_code, "
            "'escalation', o.id, o.rule_id, o.jurisdiction_code, o.due_on, "
            "'escalation:' || o.id || ':' || o.due_on, 'system:bench', now() FROM obligation o "
            "WHERE o.status = 'overdue' AND o.escalate_to IS NOT NULL"
        )
        await conn.execute("VACUUM ANALYZE obligation")
        await conn.execute("VACUUM ANALYZE notification")
        counts = await conn.fetchrow(
            "SELECT count(*) AS total, count(*) FILTER (WHERE status = 'overdue') AS overdue, "
            "count(*) FILTER (WHERE next_alert_on <= $1) AS due_today, "
            "count(*) FILTER (WHERE owing_department_id = $2) AS owed FROM obligation",
            TODAY,
            target_id,
        )
    finally:
        await conn.close()
    return {"copy_seconds": round(loaded, 1), **dict(counts)}


@asynccontextmanager
async def _lifespan(app: Litestar) -> AsyncIterator[None]:
    async with app.lifespan():
        yield


class Capture:
    """The statements (and parameters) the application sends during one request."""

    def __init__(self, app: Litestar) -> None:
        self.engine = app.state.engine.sync_engine
        self.statements: list[tuple[str, Any]] = []

    def __enter__(self) -> Capture:
        event.listen(self.engine, "before_cursor_execute", self._before)
        return self

    def __exit__(self, *_: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._before)

    def _before(self, conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        self.statements.append((statement, parameters))


async def measure_work(db: Any, rounds: int) -> dict[str, Any]:
    app = create_app(_settings(db.app_url))
    app.state.clock = ManualClock.on(TODAY)
    token = TokenService(AuthSettings(jwt_secret=SECRET), SECRET).issue(LOGIN)
    headers = {"authorization": f"Bearer {token}"}
    signer = ScopeSigner.from_keyring(Keyring.of(SERVER_SECRET))
    async with _lifespan(app):
        raw = await asyncpg.connect(asyncpg_dsn(db.app_url))
        try:

            async def request(after: str | None) -> tuple[float, str | None]:
                answer = await asgi.post(
                    app, "/graphql", {"query": QUERY, "variables": {"after": after}}, headers
                )
                body = answer.json()
                if "errors" in body or len(body["data"]["myWork"]["nodes"]) != 20:
                    raise RuntimeError(f"benchmark request failed: {str(body)[:500]}")
                return answer.seconds, body["data"]["myWork"]["pageInfo"]["endCursor"]

            # Warm up, then capture one request's statements (the first is sign-in and scope).
            for _ in range(20):
                await request(None)
            with Capture(app) as captured:
                _, cursor = await request(None)
            replay = [s for s in captured.statements if "xietong_sign_in" not in s[0]]
            department = await raw.fetchval("SELECT id FROM department WHERE key = $1", DEPARTMENT)

            async def sql() -> float:
                started = time.perf_counter()
                async with raw.transaction():
                    pid = raw.get_server_pid()
                    claims = ScopeClaims(
                        actor=LOGIN,
                        read_lo=422825,
                        read_hi=422825,
                        write_code=422825,
                        jurisdiction_code=422825,
                        department_id=department,
                    )
                    await raw.execute(
                        "SELECT set_config('xietong.scope', '', false), "
                        "set_config('xietong.scope', $1, true)",
                        signer.sign(claims, pid=pid),
                    )
                    for statement, parameters in replay:
                        await raw.fetch(statement, *(parameters or ()))
                return time.perf_counter() - started

            async def empty() -> float:
                answer = await asgi.post(app, "/graphql", {"query": "{ __typename }"}, headers)
                if "errors" in answer.json():
                    raise RuntimeError(answer.body.decode())
                return answer.seconds

            gql_times: list[float] = []
            sql_times: list[float] = []
            empty_times: list[float] = []
            for r in range(rounds):
                after = cursor if r % 2 else None
                for _ in range(PER_ROUND):
                    gql_times.append((await request(after))[0])
                    sql_times.append(await sql())
                    empty_times.append(await empty())
        finally:
            await raw.close()

    def stats(xs: list[float]) -> dict[str, float]:
        xs = sorted(xs)
        return {
            "median_ms": round(statistics.median(xs) * 1000, 2),
            "p95_ms": round(xs[int(len(xs) * 0.95)] * 1000, 2),
            "n": len(xs),
        }

    g, s, e = stats(gql_times), stats(sql_times), stats(empty_times)
    beyond = [x - y for x, y in zip(gql_times, empty_times, strict=True)]
    return {
        "graphql": g,
        "raw_sql": s,
        "p95_ratio": round(g["p95_ms"] / s["p95_ms"], 2),
        "median_ratio": round(g["median_ms"] / s["median_ms"], 2),
        "signed_in_empty_request": e,
        "graphql_beyond_empty_median_ms": round(statistics.median(beyond) * 1000, 2),
        "beyond_empty_median_ratio": round(statistics.median(beyond) * 1000 / s["median_ms"], 2),
        "statements_replayed": [" ".join(st.split())[:160] for st, _ in replay],
    }


async def measure_sweep(db: Any) -> dict[str, Any]:
    engine = make_engine(db.app_url, pool_size=2, settings=_settings(db.app_url).database)
    sessions = make_sessionmaker(engine, keyring=Keyring.of(SERVER_SECRET))
    clock = ManualClock.on(TODAY, 0, 1)
    try:
        first = await sweep.run(sessions, clock=clock)
        steady: list[sweep.SweepReport] = []
        for _ in range(5):
            clock.advance(timedelta(minutes=1))
            again = await sweep.run(sessions, clock=clock, count=False)
            if again.sent or again.marked_overdue:
                raise RuntimeError("a later sweep of the same day found new work")
            steady.append(again)
        counting = await sweep.run(sessions, clock=clock, count=True)
    finally:
        await engine.dispose()
    return {
        "first_of_the_day": {
            "seconds": round(first.seconds, 2),
            "units": first.units,
            "transactions": first.transactions,
            "notifications": dict(first.notified),
            "marked_overdue": first.marked_overdue,
            "open": first.open,
            "overdue": first.overdue,
        },
        "every_other_minute": {
            "median_seconds": round(statistics.median(r.seconds for r in steady), 3),
            "plan_seconds": round(statistics.median(r.plan_seconds for r in steady), 3),
            "escalation_check_seconds": round(
                statistics.median(r.escalation_seconds for r in steady), 3
            ),
        },
        "with_the_gauges_count_seconds": round(counting.seconds, 3),
    }


async def run(total: int, owed: int, rounds: int) -> dict[str, Any]:
    key = ScopeSigner.from_keyring(Keyring.of(SERVER_SECRET)).material()
    async with seeded_database(key) as db:
        loaded = await load(db.owner_url, total, owed)
        work = await measure_work(db, rounds)
        swept = await measure_sweep(db)
    return {"data": loaded, "my_work": work, "sweep": swept}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench obligations")
    parser.add_argument("--total", type=int, default=1_000_000, help="open obligations")
    parser.add_argument("--owed", type=int, default=5_000, help="owed by the one department")
    parser.add_argument("--rounds", type=int, default=ROUNDS, help=f"default {ROUNDS}")
    args = parser.parse_args(argv or [])
    xlogging.configure("WARNING")
    result = asyncio.run(run(args.total, args.owed, args.rounds))
    print("obligations: myWork among many, and the sweep (python -m bench obligations)")
    print(json.dumps(result, indent=2, ensure_ascii=False, default=str))
    return 0
