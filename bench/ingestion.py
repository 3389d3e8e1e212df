"""Bids pushed through the batch mutation over HTTP, against the same rows loaded with ``COPY``.

What it does, in one run: provisions a database (migrated, seed tenants), registers 1,000
projects of 新乡县 open for bids, makes 100,000 bids (100 per project, from a pool of 5,000
bidders and 2,000 project managers, with every evidence field filled), then

1. starts ``xietong serve`` with one process exactly as production does (XIETONG_ENV=production,
   the non-owner role, JSON logs at WARNING) and sends the bids as ``bidsRecord`` batches of
   1,000 rows with an integrator's API key, one request after another over a keep-alive
   connection, while sampling the server's resident memory every 20 ms;
2. empties the bid table and loads the same rows — ids resolved, as the table holds them —
   with ``COPY`` (asyncpg's binary ``copy_records_to_table``) as the table owner.

The API's work includes what COPY's does not: parsing and checking every field (credit codes,
ID numbers with their keyed hash, amounts, instants, addresses), adding the entities and people
named, row-level security on every row, the upsert's comparison, the audit event per batch, and
GraphQL over HTTP. The goal is the API within 10× of COPY.

    python -m bench ingest --rows 100000 --batch 1000
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import http.client
import json
import os
import random
import statistics
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import asyncpg

from bench.serve_rps import SERVER_SECRET, serve, servers
from xietong.access.scope_token import ScopeSigner
from xietong.access.tokens import new_api_key
from xietong.db import migrate
from xietong.db.engine import make_engine, make_sessionmaker, transaction
from xietong.db.provision import ProvisionedDatabase, drop, provision
from xietong.inputs import CHINA
from xietong.keys import Keyring
from xietong.paths import default_tenants_dir
from xietong.tenants.loader import load_tenants, tenant_files
from xietong.trading.credit_code import compose
from xietong.trading.personal_id import check_char

COUNTY = 410721
MUTATION = (
    "mutation($i: BidsRecordInput!) { bidsRecord(input: $i) { created updated unchanged "
    "errors { index field code message } } }"
)


@dataclass
class Workload:
    project_ids: list[uuid.UUID]
    project_codes: list[str]
    rows: list[dict[str, Any]]


@dataclass
class Measured:
    seconds: float
    rows: int
    batch_ms: list[float] = field(default_factory=list)
    peak_rss_mb: float = 0.0
    idle_rss_mb: float = 0.0

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds


def _id_number(rng: random.Random) -> str:
    born = datetime(1960, 1, 1) + timedelta(days=rng.randrange(0, 365 * 35))
    first17 = f"410721{born:%Y%m%d}{rng.randrange(1, 999):03d}"
    return first17 + check_char(first17)


def workload(rows: int, per_project: int = 100) -> Workload:
    rng = random.Random(8)
    projects = max(1, rows // per_project)
    bidders = [
        (compose("9", "1", "410700", f"{n:08d}").value, f"新乡市第{n}建设工程有限公司")
        for n in range(5000)
    ]
    managers = [(f"项目经理{n}", _id_number(rng)) for n in range(2000)]
    codes = [f"BENCH-{n:05d}" for n in range(projects)]
    start = datetime(2026, 3, 1, 9, tzinfo=CHINA)
    found = []
    for n in range(rows):
        project = n // per_project
        bidder = bidders[(project * 37 + n % per_project) % len(bidders)]
        manager = managers[n % len(managers)]
        found.append(
            {
                "projectCode": codes[project],
                "bidderCreditCode": bidder[0],
                "bidderName": bidder[1],
                "price": f"{rng.randrange(800_000, 5_000_000)}.{rng.randrange(100):02d}",
                "submittedAt": (start + timedelta(minutes=n % 9000)).isoformat(),
                "ip": f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}",
                "mac": ":".join(f"{rng.randrange(256):02X}" for _ in range(6)),
                "cpuSerial": f"BFEBFBFF{rng.randrange(16**8):08X}",
                "diskSerial": f"WD-WX{rng.randrange(10**8):08d}",
                "boardSerial": f"M80-{rng.randrange(10**9):09d}",
                "fileCreator": f"制作人{rng.randrange(3000)}",
                "fileMachineCode": f"{rng.randrange(16**12):012X}",
                "pricingLockSerial": f"GLD{rng.randrange(10**9):09d}",
                "depositAccount": f"6222{rng.randrange(10**12):012d}",
                "managerName": manager[0],
                "managerIdNumber": manager[1],
            }
        )
    return Workload([uuid.uuid4() for _ in codes], codes, found)


async def prepare(admin_url: str, name: str) -> ProvisionedDatabase:
    """A database of this run's own (other benchmarks may run on the same server)."""
    db = await provision(admin_url, name, recreate=True)
    signer = ScopeSigner.from_keyring(Keyring.of(SERVER_SECRET))
    await migrate.upgrade(db.owner_url, app_role="xietong_app", scope_key=signer.material())
    engine = make_engine(db.owner_url, pool_size=1)
    try:
        async with transaction(make_sessionmaker(engine)) as session:
            await load_tenants(session, tenant_files([], default_tenants_dir()))
    finally:
        await engine.dispose()
    return db


async def setup(owner_url: str, work: Workload) -> str:
    """Projects open for bids, and an integrator key for the county (as the owner)."""
    conn = await asyncpg.connect(owner_url)
    try:
        housing = await conn.fetchval(
            "SELECT id FROM department WHERE jurisdiction_code = $1 AND industry = 'housing'",
            COUNTY,
        )
        tenderer = uuid.uuid4()
        await conn.execute(
            "INSERT INTO market_entity (id, credit_code, name, kind, division, created_by) "
            "VALUES ($1, $2, '新乡县教育局', 'other', '410721', 'bench')",
            tenderer,
            compose("1", "1", "410721", "00529105").value,
        )
        await conn.executemany(
            "INSERT INTO project (id, jurisdiction_code, province_code, source_system, source_id,"
            " project_code, name, category, industry, method, tenderer_id, budget_fen,"
            " classified, separated_evaluation, supervisor_ids, supervisor_powers, state,"
            " registered_at, registered_by) VALUES ($1, $2, 410000, 'bench', $3, $3,"
            " '基准测试工程', 'construction', 'housing', 'open_tender', $4, 500000000, false,"
            " false, ARRAY[$5::uuid], ARRAY['HOUSING-SUPERVISION'], 'bidding', now(), 'bench')",
            [
                (pid, COUNTY, code, tenderer, housing)
                for pid, code in zip(work.project_ids, work.project_codes, strict=True)
            ],
        )
        key = new_api_key()
        await conn.execute(
            "INSERT INTO api_key (id, prefix, secret_hash, name, jurisdiction_code,"
            " province_code, roles, created_by) VALUES ($1, $2, $3, 'bench', $4, 410000,"
            " ARRAY['integrator'], 'bench')",
            uuid.uuid4(),
            key.prefix,
            key.secret_hash,
            COUNTY,
        )
        return key.secret
    finally:
        await conn.close()


class Sampler(threading.Thread):
    """Resident memory of the server's processes, every 20 ms: the peak and the first sample."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        import psutil

        self.process = psutil.Process(pid)
        self.peak = 0
        self.first = 0
        self.running = True

    def rss(self) -> int:
        import psutil

        total = 0
        for proc in [self.process, *self.process.children(recursive=True)]:
            with contextlib.suppress(psutil.NoSuchProcess):
                total += proc.memory_info().rss
        return total

    def run(self) -> None:
        self.first = self.rss()
        while self.running:
            self.peak = max(self.peak, self.rss())
            time.sleep(0.02)


def push(
    port: int, pid: int, secret: str, work: Workload, batch: int, connections: int
) -> Measured:
    """Every batch, each sent once, by ``connections`` clients taking the next batch in turn
    (bodies encoded beforehand: the client's JSON is not the server's work)."""
    headers = {"content-type": "application/json", "x-api-key": secret}
    bodies = [
        (
            start,
            len(work.rows[start : start + batch]),
            json.dumps(
                {
                    "query": MUTATION,
                    "variables": {
                        "i": {
                            "jurisdiction": str(COUNTY),
                            "rows": work.rows[start : start + batch],
                        }
                    },
                },
                ensure_ascii=False,
            ).encode(),
        )
        for start in range(0, len(work.rows), batch)
    ]
    queue = list(reversed(bodies))
    lock = threading.Lock()
    measured = Measured(seconds=0.0, rows=len(work.rows))
    failures: list[str] = []

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            while True:
                with lock:
                    if not queue or failures:
                        return
                    start, size, body = queue.pop()
                sent = time.perf_counter()
                connection.request("POST", "/graphql", body=body, headers=headers)
                answer = json.loads(connection.getresponse().read())
                elapsed = (time.perf_counter() - sent) * 1000
                result = (answer.get("data") or {}).get("bidsRecord")
                with lock:
                    measured.batch_ms.append(elapsed)
                    if result is None or result["errors"] or result["created"] != size:
                        failures.append(f"batch at row {start} failed: {str(answer)[:500]}")
        finally:
            connection.close()

    sampler = Sampler(pid)
    sampler.start()
    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    measured.seconds = time.perf_counter() - started
    sampler.running = False
    sampler.join()
    if failures:
        raise RuntimeError(failures[0])
    measured.peak_rss_mb = sampler.peak / 2**20
    measured.idle_rss_mb = sampler.first / 2**20
    return measured


async def copy(owner_url: str) -> Measured:
    """The same bids as the table holds them, out and back in with COPY (binary)."""
    conn = await asyncpg.connect(owner_url)
    try:
        columns = [
            r["attname"]
            for r in await conn.fetch(
                "SELECT attname FROM pg_attribute WHERE attrelid = 'bid'::regclass AND attnum > 0"
                " AND NOT attisdropped ORDER BY attnum"
            )
        ]
        records = await conn.fetch(f"SELECT {', '.join(columns)} FROM bid")
        await conn.execute("TRUNCATE bid")
        await conn.execute("VACUUM ANALYZE bid")
        started = time.perf_counter()
        async with conn.transaction():
            # PostgreSQL refuses COPY FROM into a table whose row-level security binds its
            # owner; a bulk load by the owner lifts FORCE for its own transaction.
            await conn.execute("ALTER TABLE bid NO FORCE ROW LEVEL SECURITY")
            await conn.copy_records_to_table("bid", records=records, columns=columns)
            await conn.execute("ALTER TABLE bid FORCE ROW LEVEL SECURITY")
        return Measured(seconds=time.perf_counter() - started, rows=len(records))
    finally:
        await conn.close()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench ingest", description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument(
        "--connections",
        type=int,
        default=1,
        help="clients sending batches at once to the one server process (default 1)",
    )
    args = parser.parse_args(argv)
    work = workload(args.rows)
    name = f"xt_bench_ingest_{uuid.uuid4().hex[:8]}"
    with servers() as (admin_url, redis_url):
        db = asyncio.run(prepare(admin_url, name))
        try:
            secret = asyncio.run(setup(db.owner_url, work))
            with serve(db, redis_url, workers=1) as (port, pid):
                api = push(port, pid, secret, work, args.batch, args.connections)
            baseline = asyncio.run(copy(db.owner_url))
        finally:
            asyncio.run(drop(admin_url, name))
    ordered = sorted(api.batch_ms)
    print(
        f"{os.cpu_count()} CPUs; {args.rows:,} bids in batches of {args.batch:,}; one server "
        f"process, {args.connections} client connection(s)"
    )
    print(
        f"API  (bidsRecord over HTTP): {api.seconds:7.2f} s  {api.rows_per_second:9,.0f} rows/s"
        f"  batch p50 {statistics.median(ordered):.0f} ms, p95 "
        f"{ordered[int(0.95 * (len(ordered) - 1))]:.0f} ms"
    )
    print(
        f"COPY (binary, as the owner): {baseline.seconds:7.2f} s"
        f"  {baseline.rows_per_second:9,.0f} rows/s"
    )
    ratio = baseline.rows_per_second / api.rows_per_second
    print(f"COPY / API: {ratio:.1f}x  (goal: within 10x)")
    print(
        f"server resident memory: {api.idle_rss_mb:.0f} MB at start, peak {api.peak_rss_mb:.0f} MB"
    )
    return 0
