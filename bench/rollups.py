"""Rollups at provincial scale: ``python -m bench rollups [--sizes 100000,1000000] [--rounds N]``.

One database, seeded as the demo is; a province-scale tree is added to 湖北 (420000): 16 cities
of 8 counties (129 counties with the seed ones). Then, for each size in ``--sizes``, projects
are topped up to that many with ``COPY`` (three years, every county, random category, method,
industry, state and budget; 0 to 3 bids each; 60 % of them awarded) with complaints and casework
in proportion (``COMPLAINT_SHARE``: 100,000 complaints at 1,000,000 projects, in every status;
``CASEWORK_SHARE`` of the projects as leads and case transfers, half each, in every status;
``LETTER_SHARE`` as assistance letters; transfers and letters between the counties, a tenth to
another province), with a progress bar per table on stderr, the counters rebuilt from the same
declarations the triggers use (the load runs with the triggers off, as a bulk load should), and
measured, interleaved round by round in one run so machine noise hits all alike:

- *province*, *city*, *county*: ``rollup(metric: PROJECTS, period: a year, groupBy:
  JURISDICTION)`` for the unit's office, through the whole application in-process (ASGI: HTTP,
  authentication, the signed scope, the guard, the resolver, JSON);
- *province_transfers*: ``rollup(metric: TRANSFERS_RECEIVED, …)`` for the province's office, the
  same way (a casework metric, counted for the receiver);
- *trivial*: ``{ __typename }`` by the same signed-in person: the floor every request pays;
- *naive*: the ``GROUP BY`` over ``project`` a user would otherwise write for the province's
  answer, on one connection of the application role under a signed scope (row-level security
  as the API has it) — SQL alone, without HTTP, so the speed-up is understated if anything.

Reported: p50/p95 of each; province p95 / trivial p95 (goal ≤ 2); naive p95 / province p95.

Exactness: every counter of every metric at every grain, as readers see it (counters plus the
journal's unfolded deltas), against the ground truth (``metrics.ground_truth_sql``) after the
writes below.

Intake: complaints inserted by 32 concurrent writers in the province (one complaint per
transaction, as the owner, straight SQL — the smallest transaction a complaint can be, so the
counters' share is the largest it can be), for ``--seconds`` each with the counting triggers on
and off: spread over the 129 counties, and all in one county (the former hot spot). With the
triggers on, the journal's fold runs beside the writers every ``FOLD_EVERY_S`` seconds as the
worker would, on the same machine, so its cost is in the measured rate.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import random
import statistics
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg
import httpx
from litestar import Litestar

from bench.database import seeded_database
from xietong import logging as xlogging
from xietong.access.scope_token import ScopeClaims, ScopeSigner
from xietong.access.tokens import TokenService
from xietong.app import create_app
from xietong.casework.enums import (
    LeadDisposition,
    LeadSource,
    LeadStatus,
    LetterStatus,
    TransferGround,
    TransferStatus,
)
from xietong.complaints.enums import (
    ComplaintCategory,
    ComplaintOutcome,
    ComplaintRegime,
    ComplaintStatus,
)
from xietong.config import AuthSettings, DatabaseSettings, Environment, Settings
from xietong.db.engine import asyncpg_dsn
from xietong.keys import Keyring
from xietong.rollups import ddl, fold, grains
from xietong.rollups.jobs import FOLD_EVERY_S
from xietong.rollups.metrics import METRICS

SECRET = "bench-signing-secret-of-sufficient-length-0000"
SERVER_SECRET = "bench-server-secret-of-sufficient-length-0000"
PROVINCE = 420000
CITY = 422800
COUNTY = 422825
LOGINS = {"province": "hubei.office", "city": "enshi.office", "county": "xuanen.office"}
CODES = {"province": PROVINCE, "city": CITY, "county": COUNTY}
YEAR = 2026
CHUNK = 50_000
CATEGORIES = ["construction", "government_procurement", "land_use_rights", "state_property"]
METHODS = ["open_tender", "invited_tender", "competitive_negotiation", "inquiry", "auction"]
INDUSTRIES = [None, "housing", "transport", "water", "education"]
STATES = ["registered", "announced", "bidding", "awarded", "contracted", "closed", "failed"]
QUERY = """query($j: JurisdictionCode!, $m: RollupMetric!) {
  rollup(metric: $m, jurisdiction: $j, period: {kind: YEAR, year: 2026},
         groupBy: JURISDICTION) {
    asOf total { count sums { yuan } } lines { key count sums { yuan } }
  }
}"""
NAIVE = """
SELECT CASE WHEN jurisdiction_code / 100 % 100 = 90 THEN jurisdiction_code
            ELSE jurisdiction_code - jurisdiction_code % 100 END AS child,
       count(*), sum(budget_fen)
FROM project
WHERE jurisdiction_code BETWEEN 420000 AND 429999
  AND registered_at >= '2026-01-01T00:00:00+08:00' AND registered_at < '2027-01-01T00:00:00+08:00'
GROUP BY 1 ORDER BY 1
"""
PROJECT_COLUMNS = (
    "id",
    "jurisdiction_code",
    "province_code",
    "source_system",
    "source_id",
    "project_code",
    "name",
    "category",
    "industry",
    "method",
    "tenderer_id",
    "budget_fen",
    "classified",
    "separated_evaluation",
    "supervisor_ids",
    "supervisor_powers",
    "state",
    "registered_at",
    "registered_by",
)
BID_COLUMNS = (
    "id",
    "project_id",
    "jurisdiction_code",
    "province_code",
    "bidder_id",
    "price_fen",
    "submitted_at",
    "recorded_by",
)
BIDDERS = 3
"""Bench bidders: a project gets 0 to 3 bids (1.5 on average, 1,500,000 at 1,000,000)."""
AWARD_COLUMNS = (
    "id",
    "project_id",
    "jurisdiction_code",
    "province_code",
    "winner_id",
    "amount_fen",
    "awarded_at",
    "recorded_by",
)
LEAD_COLUMNS = (
    "id",
    "jurisdiction_code",
    "province_code",
    "number",
    "source",
    "title",
    "facts",
    "serious",
    "found_on",
    "registered_by_department_id",
    "status",
    "competent_department_id",
    "transferred_on",
    "verification_started_on",
    "disposition",
    "disposition_department_id",
    "disposed_on",
    "created_by",
    "created_at",
)
TRANSFER_COLUMNS = (
    "id",
    "jurisdiction_code",
    "province_code",
    "number",
    "sender_department_id",
    "receiver_jurisdiction_code",
    "receiver_province_code",
    "receiver_department_id",
    "ground",
    "title",
    "facts",
    "discovered_on",
    "sent_on",
    "status",
    "received_on",
    "received_by",
    "receipt_digest",
    "accepted_on",
    "returned_on",
    "return_reason",
    "forwarded_on",
    "forwarded_to_jurisdiction_code",
    "forward_reason",
    "concluded_on",
    "result",
    "reported_on",
    "closed_on",
    "closed_by",
    "created_by",
    "created_at",
)
LETTER_COLUMNS = (
    "id",
    "jurisdiction_code",
    "province_code",
    "number",
    "requesting_department_id",
    "helper_jurisdiction_code",
    "helper_province_code",
    "helper_department_id",
    "case_summary",
    "help_asked",
    "reasons",
    "sent_on",
    "status",
    "received_on",
    "received_by",
    "returned_on",
    "return_reason",
    "answered_on",
    "answer",
    "closed_on",
    "closed_by",
    "created_by",
    "created_at",
)
COMPLAINT_COLUMNS = (
    "id",
    "jurisdiction_code",
    "province_code",
    "tracking_code",
    "secret_hash",
    "regime",
    "category",
    "project_code",
    "title",
    "body",
    "anonymous",
    "status",
    "outcome",
    "receiving_department_id",
    "received_at",
    "received_on",
    "at_office_on",
    "accepted_on",
    "concluded_on",
    "closed_on",
    "refusal_ground",
    "redirect_to",
    "created_by",
)
LEAD_SOURCES = [s.value for s in LeadSource]
LEAD_STATUSES = [s.value for s in LeadStatus]
DISPOSITIONS = [d.value for d in LeadDisposition]
GROUNDS = [g.value for g in TransferGround]
TRANSFER_STATUSES = [s.value for s in TransferStatus]
LETTER_STATUSES = [s.value for s in LetterStatus]
REGIMES = [r.value for r in ComplaintRegime]
COMPLAINT_CATEGORIES = [c.value for c in ComplaintCategory]
COMPLAINT_STATUSES = [s.value for s in ComplaintStatus]
OUTCOMES = [o.value for o in ComplaintOutcome]
COMPLAINT_SHARE = 0.1
"""Complaints per project: 100,000 at 1,000,000."""
CASEWORK_SHARE = 0.05
"""Leads and case transfers per project (half each): 50,000 at 1,000,000 projects."""
LETTER_SHARE = 0.005
"""Assistance letters per project: 5,000 at 1,000,000."""
CROSS_PROVINCE = 0.1
"""The share of transfers and letters that go to a unit of another province."""


@dataclasses.dataclass(frozen=True)
class Places:
    """Where casework goes: the province's counties, the other provinces' units, and a
    department for every unit (its own, else its city's, else its province's: the bench's
    added counties have none of their own)."""

    counties: list[int]
    foreign: list[int]
    departments: dict[int, uuid.UUID]

    def department(self, code: int) -> uuid.UUID:
        for unit in (code, code - code % 100, code - code % 10000):
            if unit in self.departments:
                return self.departments[unit]
        raise LookupError(code)

    def other(self, rng: random.Random, code: int) -> int:
        if rng.random() < CROSS_PROVINCE:
            return rng.choice(self.foreign)
        while True:
            other = rng.choice(self.counties)
            if other != code:
                return other


async def places(conn: asyncpg.Connection, counties: list[int]) -> Places:
    departments: dict[int, uuid.UUID] = {}
    for r in await conn.fetch("SELECT jurisdiction_code, id FROM department ORDER BY key"):
        departments.setdefault(r["jurisdiction_code"], r["id"])
    foreign = [
        r["code"]
        for r in await conn.fetch(
            "SELECT code FROM jurisdiction WHERE province_code <> $1 ORDER BY code", PROVINCE
        )
    ]
    return Places(counties, foreign, departments)


def _day(rng: random.Random) -> date:
    return date(YEAR - 2, 1, 1) + timedelta(days=rng.randrange(3 * 365))


def _after(rng: random.Random, day: date, most: int = 20) -> date:
    return day + timedelta(days=rng.randint(0, most))


def _leads(rng: random.Random, tag: str, count: int, at: Places) -> list[tuple[Any, ...]]:
    rows = []
    for i in range(count):
        code = rng.choice(at.counties)
        found = _day(rng)
        created = datetime(found.year, found.month, found.day, 2, tzinfo=UTC) + timedelta(
            days=rng.randint(0, 5), seconds=rng.randrange(43_200)
        )
        status = rng.choice(LEAD_STATUSES)
        office = at.department(code)
        transferred = verifying = disposed = None
        disposition = disposition_department = competent = None
        if status != "registered":
            competent = office
            transferred = _after(rng, created.date())
        if status == "verifying" or (status == "disposed" and rng.random() < 0.5):
            verifying = _after(rng, transferred)  # type: ignore[arg-type]
        if status == "disposed":
            disposition = rng.choice(DISPOSITIONS)
            disposition_department = office
            disposed = _after(rng, verifying or transferred, 60)  # type: ignore[arg-type]
        rows.append(
            (
                uuid.uuid4(),
                code,
                PROVINCE,
                f"BL-{tag}-{i}",
                rng.choice(LEAD_SOURCES),
                "基准线索",
                "基准线索事实",
                rng.random() < 0.2,
                found,
                office,
                status,
                competent,
                transferred,
                verifying,
                disposition,
                disposition_department,
                disposed,
                "bench",
                created,
            )
        )
    return rows


def _complaints(rng: random.Random, tag: str, count: int, at: Places) -> list[tuple[Any, ...]]:
    """Anonymous complaints over the three years in every status, with the days each status
    implies (accepted, concluded with an outcome, closed), received by the unit's office."""
    rows = []
    for _ in range(count):
        code = rng.choice(at.counties)
        received = _day(rng)
        status = rng.choice(COMPLAINT_STATUSES)
        outcome = accepted = concluded = closed = ground = redirect = None
        if status in ("accepted", "examination", "decided") or (
            status == "closed" and rng.random() < 0.7
        ):
            accepted = _after(rng, received, 5)
        if status in ("decided", "refused", "redirected", "closed"):
            outcome = status if status != "closed" else ("decided" if accepted else "refused")
            concluded = _after(rng, accepted or received, 30)
        if status == "closed":
            closed = _after(rng, concluded, 10)  # type: ignore[arg-type]
        if outcome == "refused":
            ground = "late"
        if outcome == "redirected":
            redirect = "向有管辖权的部门投诉"
        tracking = uuid.uuid4().hex[:16].upper()
        rows.append(
            (
                uuid.uuid4(),
                code,
                PROVINCE,
                tracking,
                "0" * 64,
                rng.choice(REGIMES),
                rng.choice(COMPLAINT_CATEGORIES),
                f"B-{tag}",
                "基准投诉",
                "基准投诉内容",
                True,
                status,
                outcome,
                at.department(code),
                datetime(received.year, received.month, received.day, 2, tzinfo=UTC),
                received,
                None if status == "received" else received,
                accepted,
                concluded,
                closed,
                ground,
                redirect,
                f"public:{tracking}",
            )
        )
    return rows


def _transfers(rng: random.Random, tag: str, count: int, at: Places) -> list[tuple[Any, ...]]:
    rows = []
    for i in range(count):
        code = rng.choice(at.counties)
        receiver = at.other(rng, code)
        discovered = _day(rng)
        sent = _after(rng, discovered, 5)
        status = rng.choice(TRANSFER_STATUSES)
        received = accepted = returned = forwarded = concluded = reported = closed = None
        reason = forward_reason = result = forward_to = None
        if status != "sent":
            received = _after(rng, sent, 5)
        if status in ("accepted", "reported") or (status == "closed" and rng.random() < 0.7):
            accepted = _after(rng, received, 5)  # type: ignore[arg-type]
        if status == "returned" or (status == "closed" and accepted is None):
            returned = _after(rng, received, 5)  # type: ignore[arg-type]
            reason = "不属本部门管辖"
        if status == "forwarded":
            forwarded = _after(rng, received, 5)  # type: ignore[arg-type]
            forward_to = receiver - receiver % 100 if receiver % 100 else receiver
            forward_reason = "转送有管辖权的层级"
        if status == "reported" or (status == "closed" and accepted is not None):
            concluded = _after(rng, accepted, 60)  # type: ignore[arg-type]
            reported = _after(rng, concluded, 5)
            result = "已依法处理"
        if status == "closed":
            closed = _after(rng, reported or returned, 10)  # type: ignore[arg-type]
        rows.append(
            (
                uuid.uuid4(),
                code,
                PROVINCE,
                f"BT-{tag}-{i}",
                at.department(code),
                receiver,
                receiver - receiver % 10000,
                at.department(receiver),
                rng.choice(GROUNDS),
                "基准移送案件",
                "基准案件事实",
                discovered,
                sent,
                status,
                received,
                "bench" if received else None,
                "0" * 64 if received else None,
                accepted,
                returned,
                reason,
                forwarded,
                forward_to,
                forward_reason,
                concluded,
                result,
                reported,
                closed,
                "bench" if closed else None,
                "bench",
                datetime(sent.year, sent.month, sent.day, 3, tzinfo=UTC),
            )
        )
    return rows


def _letters(rng: random.Random, tag: str, count: int, at: Places) -> list[tuple[Any, ...]]:
    rows = []
    for i in range(count):
        code = rng.choice(at.counties)
        helper = at.other(rng, code)
        sent = _day(rng)
        status = rng.choice(LETTER_STATUSES)
        received = returned = answered = closed = None
        if status != "sent":
            received = _after(rng, sent, 5)
        if status == "returned":
            returned = _after(rng, received, 5)  # type: ignore[arg-type]
        if status in ("answered", "closed"):
            answered = _after(rng, received, 20)  # type: ignore[arg-type]
        if status == "closed":
            closed = _after(rng, answered, 10)  # type: ignore[arg-type]
        rows.append(
            (
                uuid.uuid4(),
                code,
                PROVINCE,
                f"BA-{tag}-{i}",
                at.department(code),
                helper,
                helper - helper % 10000,
                at.department(helper),
                "基准案情",
                "请协助调取材料",
                "案件办理需要",
                sent,
                status,
                received,
                "bench" if received else None,
                returned,
                "超出本部门职能" if returned else None,
                answered,
                "已协助办理" if answered else None,
                closed,
                "bench" if closed else None,
                "bench",
                datetime(sent.year, sent.month, sent.day, 3, tzinfo=UTC),
            )
        )
    return rows


def _settings(url: str) -> Settings:
    return dataclasses.replace(
        Settings(env=Environment.TEST),
        database=DatabaseSettings(url=url, pool_size=4, statement_timeout_ms=60_000),
        auth=AuthSettings(jwt_secret=SECRET),
        secret_key=SERVER_SECRET,
        log_level="WARNING",
    )


async def add_tree(conn: asyncpg.Connection) -> list[int]:
    """16 cities of 8 counties under 湖北, beside the seed units; every county's code."""
    existing = {r["code"] for r in await conn.fetch("SELECT code FROM jurisdiction")}
    cities = [4201, 4202, 4203, 4205, 4206, 4207, 4208, 4209, 4210, 4211, 4212, 4213, 4228]
    cities += [4229, 4230, 4231]
    rows = []
    for c in cities:
        city = c * 100
        if city not in existing:
            rows.append((city, f"测试市{c}", "city", PROVINCE, PROVINCE))
        for n in range(1, 9):
            county = city + n
            if county not in existing:
                rows.append((county, f"测试县{county}", "county", city, PROVINCE))
    await conn.executemany(
        "INSERT INTO jurisdiction (code, name, level, parent_code, province_code) "
        "VALUES ($1, $2, $3, $4, $5)",
        rows,
    )
    return [
        r["code"]
        for r in await conn.fetch(
            "SELECT code FROM jurisdiction WHERE province_code = $1 AND level = 'county' "
            "ORDER BY code",
            PROVINCE,
        )
    ]


Rows = list[tuple[Any, ...]]


def _projects(
    rng: random.Random,
    start: int,
    count: int,
    counties: list[int],
    tenderer: uuid.UUID,
    department: uuid.UUID,
    bidders: list[uuid.UUID],
) -> Iterator[tuple[Rows, Rows, Rows]]:
    """Projects in chunks of ``CHUNK``, each with its bids (0 to ``len(bidders)``, a week to
    a month after registration) and, for 60 %, an award."""
    base = datetime(YEAR - 2, 1, 1, tzinfo=UTC)
    projects: Rows = []
    awards: Rows = []
    bids: Rows = []
    for i in range(start, start + count):
        pid = uuid.uuid4()
        code = rng.choice(counties)
        at = base + timedelta(seconds=rng.randrange(3 * 365 * 86400))
        budget = rng.randrange(100_000, 5_000_000_000)
        projects.append(
            (
                pid,
                code,
                PROVINCE,
                "BENCH",
                f"B-{i}",
                f"B-{i}",
                "基准项目",
                rng.choice(CATEGORIES),
                rng.choice(INDUSTRIES),
                rng.choice(METHODS),
                tenderer,
                budget,
                False,
                rng.random() < 0.05,
                [department],
                ["x"],
                rng.choice(STATES),
                at,
                "bench",
            )
        )
        if rng.random() < 0.6:
            awards.append(
                (
                    uuid.uuid4(),
                    pid,
                    code,
                    PROVINCE,
                    tenderer,
                    int(budget * rng.uniform(0.8, 1.0)),
                    at + timedelta(days=30),
                    "bench",
                )
            )
        for bidder in rng.sample(bidders, rng.randint(0, len(bidders))):
            bids.append(
                (
                    uuid.uuid4(),
                    pid,
                    code,
                    PROVINCE,
                    bidder,
                    int(budget * rng.uniform(0.8, 1.0)),
                    at + timedelta(days=rng.randint(7, 30)),
                    "bench",
                )
            )
        if len(projects) == CHUNK:
            yield projects, awards, bids
            projects, awards, bids = [], [], []
    if projects:
        yield projects, awards, bids


LOADED = ("project", "award", "bid", "complaint", "lead", "case_transfer", "assistance_letter")


def _progress(what: str, done: int, total: int) -> None:
    """A one-line progress bar on stderr, redrawn in place; a newline when the table is done."""
    width = 30
    filled = width * done // max(total, 1)
    end = "\n" if done >= total else ""
    print(
        f"\r  {what:<18} [{'#' * filled}{'.' * (width - filled)}] {done:,}/{total:,}",
        end=end,
        file=sys.stderr,
        flush=True,
    )


async def load_casework(
    conn: asyncpg.Connection, rng: random.Random, have: int, want: int, at: Places
) -> dict[str, int]:
    """Complaints, leads, case transfers and assistance letters in proportion to the projects
    added (``COMPLAINT_SHARE``, ``CASEWORK_SHARE``, ``LETTER_SHARE``), with ``COPY``, in
    chunks of ``CHUNK``."""
    pairs = round((want - have) * CASEWORK_SHARE)
    counts = {"complaints": round((want - have) * COMPLAINT_SHARE)}
    counts |= {"leads": pairs // 2, "transfers": pairs - pairs // 2}
    counts["letters"] = round((want - have) * LETTER_SHARE)
    tables = {
        "complaints": ("complaint", COMPLAINT_COLUMNS, _complaints),
        "leads": ("lead", LEAD_COLUMNS, _leads),
        "transfers": ("case_transfer", TRANSFER_COLUMNS, _transfers),
        "letters": ("assistance_letter", LETTER_COLUMNS, _letters),
    }
    for what, (table, columns, make) in tables.items():
        done = 0
        while done < counts[what]:
            n = min(CHUNK, counts[what] - done)
            rows = make(rng, f"{have}-{done}", n, at)
            await conn.copy_records_to_table(table, records=rows, columns=columns)
            done += n
            _progress(what, done, counts[what])
    return counts


async def _entity(conn: asyncpg.Connection, credit_code: str, name: str) -> uuid.UUID:
    """A bench market entity, made once."""
    found = await conn.fetchval("SELECT id FROM market_entity WHERE credit_code = $1", credit_code)
    if found is not None:
        return found  # type: ignore[no-any-return]
    made = uuid.uuid4()
    await conn.execute(
        "INSERT INTO market_entity (id, credit_code, name, kind, division, created_by) "
        "VALUES ($1, $2, $3, 'enterprise', '420000', 'bench')",
        made,
        credit_code,
        name,
    )
    return made


async def top_up(
    conn: asyncpg.Connection, have: int, want: int, counties: list[int]
) -> dict[str, Any]:
    tenderer = await _entity(conn, "B" * 18, "基准招标人")
    bidders = [await _entity(conn, f"{'B' * 17}{i}", f"基准投标人{i}") for i in range(BIDDERS)]
    department = await conn.fetchval(
        "SELECT id FROM department WHERE jurisdiction_code = $1 ORDER BY key LIMIT 1", PROVINCE
    )
    started = time.perf_counter()
    # A bulk load: the counting triggers off and the counters rebuilt after, in one transaction
    # (nobody sees the tables half counted). COPY refuses forced row-level security; the owner
    # lifts it for the load only.
    async with conn.transaction():
        for statement in ddl.trigger_switch_statements(False):
            await conn.execute(statement)
        for table in LOADED:
            await conn.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
        rng = random.Random(have)
        done = bids = 0
        for projects, awards, bidding in _projects(
            rng, have, want - have, counties, tenderer, department, bidders
        ):
            await conn.copy_records_to_table("project", records=projects, columns=PROJECT_COLUMNS)
            await conn.copy_records_to_table("award", records=awards, columns=AWARD_COLUMNS)
            await conn.copy_records_to_table("bid", records=bidding, columns=BID_COLUMNS)
            done += len(projects)
            bids += len(bidding)
            _progress("projects, bids", done, want - have)
        casework = await load_casework(conn, rng, have, want, await places(conn, counties))
        for table in LOADED:
            await conn.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        copied = time.perf_counter() - started
        for statement in ddl.rebuild_statements():
            await conn.execute(statement)
        for statement in ddl.trigger_switch_statements(True):
            await conn.execute(statement)
    rebuilt = time.perf_counter() - started - copied
    for table in (*LOADED, "rollup_counter"):
        await conn.execute(f"VACUUM ANALYZE {table}")
    counters = await conn.fetchval("SELECT count(*) FROM rollup_counter")
    return {
        "bids": bids,
        **casework,
        "copy_seconds": round(copied, 1),
        "rebuild_seconds": round(rebuilt, 1),
        "counter_rows": counters,
    }


@asynccontextmanager
async def _lifespan(app: Litestar) -> AsyncIterator[None]:
    async with app.lifespan():
        yield


def _stats(xs: list[float]) -> dict[str, float]:
    xs = sorted(xs)
    return {
        "p50_ms": round(statistics.median(xs) * 1000, 2),
        "p95_ms": round(xs[int(len(xs) * 0.95)] * 1000, 2),
        "n": len(xs),
    }


async def measure(db: Any, rounds: int) -> dict[str, Any]:
    app = create_app(_settings(db.app_url))
    tokens = TokenService(AuthSettings(jwt_secret=SECRET), SECRET)
    headers = {k: {"authorization": f"Bearer {tokens.issue(v)}"} for k, v in LOGINS.items()}
    signer = ScopeSigner.from_keyring(Keyring.of(SERVER_SECRET))
    times: dict[str, list[float]] = {
        k: [] for k in (*LOGINS, "province_transfers", "trivial", "naive")
    }
    async with _lifespan(app):
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://b")
        raw = await asyncpg.connect(asyncpg_dsn(db.app_url))
        try:

            async def rollup(level: str, metric: str = "PROJECTS") -> float:
                started = time.perf_counter()
                response = await client.post(
                    "/graphql",
                    json={"query": QUERY, "variables": {"j": str(CODES[level]), "m": metric}},
                    headers=headers[level],
                )
                took = time.perf_counter() - started
                body = response.json()
                if "errors" in body or not body["data"]["rollup"]["total"]["count"]:
                    raise RuntimeError(f"benchmark request failed: {str(body)[:500]}")
                return took

            async def trivial() -> float:
                started = time.perf_counter()
                response = await client.post(
                    "/graphql", json={"query": "{ __typename }"}, headers=headers["province"]
                )
                took = time.perf_counter() - started
                if "errors" in response.json():
                    raise RuntimeError(response.text)
                return took

            async def naive() -> float:
                started = time.perf_counter()
                async with raw.transaction():
                    claims = ScopeClaims(
                        actor=LOGINS["province"],
                        read_lo=PROVINCE,
                        read_hi=PROVINCE + 9999,
                        jurisdiction_code=PROVINCE,
                    )
                    await raw.execute(
                        "SELECT set_config('xietong.scope', '', false), "
                        "set_config('xietong.scope', $1, true)",
                        signer.sign(claims, pid=raw.get_server_pid()),
                    )
                    rows = await raw.fetch(NAIVE)
                if not rows:
                    raise RuntimeError("the naive query saw nothing")
                return time.perf_counter() - started

            for _ in range(10):  # warm up
                for level in LOGINS:
                    await rollup(level)
                await rollup("province", "TRANSFERS_RECEIVED")
                await trivial()
            await naive()
            for r in range(rounds):
                for level in LOGINS:
                    times[level].append(await rollup(level))
                times["province_transfers"].append(await rollup("province", "TRANSFERS_RECEIVED"))
                times["trivial"].append(await trivial())
                if r % 4 == 0 or rounds <= 40:  # the naive query is slow: a quarter of rounds
                    times["naive"].append(await naive())
        finally:
            await raw.close()
            await client.aclose()
    found = {k: _stats(v) for k, v in times.items()}
    return {
        **found,
        "province_p95_over_trivial": round(
            found["province"]["p95_ms"] / found["trivial"]["p95_ms"], 2
        ),
        "naive_p95_over_province": round(found["naive"]["p95_ms"] / found["province"]["p95_ms"], 1),
    }


async def exactness(conn: asyncpg.Connection) -> dict[str, Any]:
    """Every counter at every grain, as readers see it (the counters plus the journal's deltas
    not yet folded), against the ground truth."""
    started = time.perf_counter()
    wrong = {}
    journal = await conn.fetchval("SELECT count(*) FROM rollup_journal")
    for m in METRICS:
        # Every grain: the month rows and the quarter, half-year and year rows summed from them.
        truth = (
            f"SELECT {ddl.GRAIN_COLUMNS} FROM ({grains.expand_sql(m.ground_truth_sql())}) g "
            "WHERE g.n <> 0 OR g.sum_a <> 0 OR g.sum_b <> 0"
        )
        pending = grains.expand_sql(f"SELECT {ddl.COLUMNS} FROM rollup_journal WHERE metric = $1")
        kept = (
            "SELECT grain, metric, jurisdiction_code, province_code, month, dimension, value, "
            "sum(n)::bigint, sum(sum_a)::bigint, sum(sum_b)::bigint FROM ("
            f"SELECT {ddl.GRAIN_COLUMNS} FROM rollup_counter WHERE metric = $1 UNION ALL "
            f"SELECT {ddl.GRAIN_COLUMNS} FROM ({pending}) j) c GROUP BY 1, 2, 3, 4, 5, 6, 7 "
            "HAVING sum(n) <> 0 OR sum(sum_a) <> 0 OR sum(sum_b) <> 0"
        )
        diff = await conn.fetchval(
            f"SELECT count(*) FROM (({kept} EXCEPT {truth}) UNION ALL ({truth} EXCEPT {kept})) d",
            m.name,
        )
        if diff:
            wrong[m.name] = diff
    return {
        "exact": not wrong,
        "differences": wrong,
        "journal_rows_unfolded": journal,
        "seconds": round(time.perf_counter() - started, 1),
    }


async def intake(
    owner_url: str,
    counties: list[int],
    seconds: float,
    writers: int,
    one_county: bool,
    *,
    folding: bool = True,
) -> float:
    """Complaints per second from ``writers`` concurrent connections for ``seconds`` (and the
    journal's fold beside them, unless not ``folding``)."""
    dsn = asyncpg_dsn(owner_url)
    setup = await asyncpg.connect(dsn)
    department = await setup.fetchval(
        "SELECT id FROM department WHERE jurisdiction_code = $1 ORDER BY key LIMIT 1", PROVINCE
    )
    await setup.close()
    stop = time.perf_counter() + seconds
    done = 0
    today = date(YEAR, 6, 15)

    async def writer(w: int) -> None:
        nonlocal done
        conn = await asyncpg.connect(dsn)
        rng = random.Random(w)
        statement = await conn.prepare(
            "INSERT INTO complaint (id, jurisdiction_code, province_code, tracking_code, "
            "secret_hash, regime, category, project_code, title, body, anonymous, status, "
            "receiving_department_id, received_at, received_on, created_by) VALUES ($1, $2, "
            "$3, $4, $5, $6, 'evaluation', 'P-1', 't', 'b', true, 'at_office', $7, now(), $8, $9)"
        )
        try:
            while time.perf_counter() < stop:
                code = COUNTY if one_county else rng.choice(counties)
                tracking = uuid.uuid4().hex[:16].upper()
                async with conn.transaction():
                    await statement.fetch(
                        uuid.uuid4(),
                        code,
                        PROVINCE,
                        tracking,
                        "0" * 64,
                        rng.choice(("tendering", "procurement")),
                        department,
                        today,
                        f"public:{tracking}",
                    )
                done += 1
        finally:
            await conn.close()

    started = time.perf_counter()
    await asyncio.gather(
        *(writer(w) for w in range(writers)), *([folder(dsn, stop)] if folding else [])
    )
    return done / (time.perf_counter() - started)


async def folder(dsn: str, stop: float) -> None:
    """The worker's fold (``rollups.jobs``) beside the writers, on the same machine, so its cost
    is in the measured rate: every ``FOLD_EVERY_S`` seconds until ``stop``, then once more."""
    conn = await asyncpg.connect(dsn)
    try:
        while True:
            while await conn.fetchval(f"SELECT {ddl.FOLD_FUNCTION}($1)", fold.BATCH) == fold.BATCH:
                pass
            left = stop - time.perf_counter()
            if left <= 0:
                return
            await asyncio.sleep(min(FOLD_EVERY_S, left))
    finally:
        await conn.close()


async def measure_intake(
    owner_url: str, counties: list[int], seconds: float, writers: int, alternations: int = 2
) -> dict[str, Any]:
    conn = await asyncpg.connect(asyncpg_dsn(owner_url))
    results: dict[str, Any] = {}
    try:
        for where, one in (("spread", False), ("one_county", True)):
            rates: dict[str, list[float]] = {"on": [], "off": []}
            for _ in range(alternations):  # alternate, so drift hits both
                for state in ("on", "off"):
                    for statement in ddl.trigger_switch_statements(state == "on"):
                        await conn.execute(statement)
                    rates[state].append(await intake(owner_url, counties, seconds, writers, one))
            for statement in ddl.trigger_switch_statements(True):
                await conn.execute(statement)
            on, off = statistics.mean(rates["on"]), statistics.mean(rates["off"])
            results[where] = {
                "with_counters_per_s": round(on),
                "without_per_s": round(off),
                "cost_percent": round((1 - on / off) * 100, 1),
            }
        # The counters of what was written while they were off: rebuilt, as after a bulk load.
        async with conn.transaction():
            for statement in ddl.rebuild_statements():
                await conn.execute(statement)
    finally:
        await conn.close()
    return results


async def intake_service(owner_url: str, seconds: float, writers: int, enabled: bool) -> float:
    """Complaints per second filed through the filing service (``complaints.service.file``:
    checks, the complaint, its first clock, the audit event), ``writers`` at a time, over the
    province's seed counties (those with an office to receive them)."""
    from xietong.complaints import service as complaints
    from xietong.complaints import tracking
    from xietong.complaints.enums import ComplaintCategory, ComplaintRegime
    from xietong.db.engine import make_engine, make_sessionmaker, transaction
    from xietong.deadlines.clock import SYSTEM_CLOCK

    # The public's daily bound per unit (500) would stop the bench within seconds: lifted here.
    complaints.MAX_PER_UNIT_PER_DAY = 10**9
    engine = make_engine(owner_url, pool_size=writers)
    sessions = make_sessionmaker(engine, keyring=Keyring.of(SERVER_SECRET))
    conn = await asyncpg.connect(asyncpg_dsn(owner_url))
    try:
        for statement in ddl.trigger_switch_statements(enabled):
            await conn.execute(statement)
        places = [
            r["jurisdiction_code"]
            for r in await conn.fetch(
                "SELECT DISTINCT d.jurisdiction_code FROM department d JOIN jurisdiction j ON "
                "j.code = d.jurisdiction_code WHERE d.kind = 'supervision_office' AND "
                "j.province_code = $1 AND j.level = 'county'",
                PROVINCE,
            )
        ]
    finally:
        await conn.close()
    stop = time.perf_counter() + seconds
    done = 0

    async def writer(w: int) -> None:
        nonlocal done
        rng = random.Random(w)
        while time.perf_counter() < stop:
            code = rng.choice(places)
            async with transaction(sessions) as session:
                office = await complaints.receiving_department(session, code, None)
                await complaints.file(
                    session,
                    filing=complaints.Filing(
                        jurisdiction_code=code,
                        receiving_department_id=office.id,
                        regime=rng.choice((ComplaintRegime.TENDERING, ComplaintRegime.PROCUREMENT)),
                        category=ComplaintCategory.EVALUATION,
                        title="基准投诉",
                        body="基准投诉内容",
                        project_code="B-1",
                        entity_credit_code=None,
                        entity_name=None,
                        knew_on=None,
                        anonymous=True,
                        filer_name=None,
                        filer_contact=None,
                    ),
                    code=tracking.new_code(),
                    secret=tracking.new_secret(),
                    client=None,
                    clock=SYSTEM_CLOCK,
                )
            done += 1

    try:
        started = time.perf_counter()
        await asyncio.gather(*(writer(w) for w in range(writers)))
        return done / (time.perf_counter() - started)
    finally:
        await engine.dispose()


async def measure_service_intake(owner_url: str, seconds: float, writers: int) -> dict[str, Any]:
    rates: dict[str, list[float]] = {"on": [], "off": []}
    for _ in range(2):
        for state in ("on", "off"):
            rates[state].append(await intake_service(owner_url, seconds, writers, state == "on"))
    conn = await asyncpg.connect(asyncpg_dsn(owner_url))
    try:
        async with conn.transaction():
            for statement in ddl.trigger_switch_statements(True):
                await conn.execute(statement)
            for statement in ddl.rebuild_statements():
                await conn.execute(statement)
    finally:
        await conn.close()
    on, off = statistics.mean(rates["on"]), statistics.mean(rates["off"])
    return {
        "with_counters_per_s": round(on, 1),
        "without_per_s": round(off, 1),
        "cost_percent": round((1 - on / off) * 100, 1),
    }


async def run(
    sizes: list[int], rounds: int, seconds: float, writers: int, alternations: int = 2
) -> dict[str, Any]:
    signer = ScopeSigner.from_keyring(Keyring.of(SERVER_SECRET))
    report: dict[str, Any] = {}
    async with seeded_database(signer.material()) as db:
        conn = await asyncpg.connect(asyncpg_dsn(db.owner_url))
        try:
            counties = await add_tree(conn)
            report["counties"] = len(counties)
            have = 0
            for size in sizes:
                loaded = await top_up(conn, have, size, counties)
                have = size
                print(f"loaded {size:,} projects: {loaded}", flush=True)
                found = await measure(db, rounds)
                report[f"{size}_projects"] = {"load": loaded, **found}
                print(json.dumps(found, ensure_ascii=False), flush=True)
        finally:
            await conn.close()
        report["intake_32_writers"] = await measure_intake(
            db.owner_url, counties, seconds, writers, alternations
        )
        print(json.dumps(report["intake_32_writers"]), flush=True)
        report["intake_32_writers"]["through_the_filing_service"] = await measure_service_intake(
            db.owner_url, seconds, writers
        )
        print(json.dumps(report["intake_32_writers"]), flush=True)
        # Last writes left unfolded, so the check reads counters and journal as readers do.
        await intake(db.owner_url, counties, 2.0, writers, False, folding=False)
        conn = await asyncpg.connect(asyncpg_dsn(db.owner_url))
        try:
            report["exactness"] = await exactness(conn)
        finally:
            await conn.close()
    return report


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench rollups")
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--writers", type=int, default=32)
    parser.add_argument(
        "--alternations", type=int, default=2, help="intake runs with the counters on and off, each"
    )
    args = parser.parse_args(argv)
    xlogging.configure("WARNING")
    sizes = [int(s) for s in args.sizes.split(",") if s]
    report = asyncio.run(run(sizes, args.rounds, args.seconds, args.writers, args.alternations))
    print(json.dumps(report, indent=2, ensure_ascii=False))
    return 0 if report["exactness"]["exact"] else 1
