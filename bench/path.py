"""The request path against its floors and against PostGraphile, in one run.

    python -m bench path [--requests 400] [--alternations 4] [--seconds 5] [--connections 8]
                         [--no-peer]

What it does:

1. A database ``xt_bench`` (migrated, seed tenants; ``serve_rps.prepare``), an API key for the
   integrator of 宣恩县 (422825) inserted as the owner.
2. ``xietong serve`` with **one process**, as production runs it (``serve_rps.serve``).
3. For each operation: ``--requests`` sequential requests over one keep-alive connection (p50,
   p95), then ``--seconds`` of ``--connections`` keep-alive connections (req/s, and the server's
   CPU per request). Both servers run at once and the sequential requests of the application and
   of the peer alternate in ``--alternations`` turns (each side's order reversed every turn), so
   the machine's drift over the run hits both alike and the ratio between them is stable. The
   client is a bare asyncio HTTP/1.1 loop, cheap enough to leave the cores to the server. Every
   answer is checked (status 200, no ``errors``).
4. The floors, in the same run: ``GET /health/live`` (HTTP and the framework, no GraphQL) and
   the *same SQL* the application sent for the operation (captured from one request made
   in-process, replayed on one asyncpg connection of the application role, in a transaction
   with the same signed scope, rows encoded to JSON): what PostgreSQL and the driver cost.
5. The peer: PostGraphile 4.14 in library mode (``bench/peer/postgraphile.js``, installed with
   npm into ``bench/.peer`` on first use; skipped with a message when node or npm is missing),
   one Node process on the same database as the application role, with the same row-level
   security settings: its ``pgSettings`` set ``xietong.scope`` to a token signed with the same
   scope key for the backend that runs the request (the pool's clients sign it into the
   ``set_config`` statement PostGraphile sends anyway; see the script). It verifies no bearer
   token, so it has less to do on the signed-in rows. Its documents are the nearest equivalents
   (``jurisdictionByCode`` with the parent chain, ``allOfficerPoolMembers``, ``personById``).

Printed: a table with p50/p95 (ms), req/s at ``--connections``, CPU ms per request, and the
ratios to the peer.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager, nullcontext
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from litestar import Litestar
from sqlalchemy import event

from bench import roundtrips, serve_rps
from xietong.access.principal import ANONYMOUS
from xietong.access.scope import Scope
from xietong.access.scope_token import ScopeClaims, ScopeSigner
from xietong.access.tokens import TokenService, new_api_key
from xietong.api.ids import to_global_id
from xietong.app import create_app
from xietong.config import (
    AuthSettings,
    DatabaseSettings,
    Environment,
    ServerSettings,
    Settings,
)
from xietong.db.engine import asyncpg_dsn
from xietong.db.provision import ProvisionedDatabase
from xietong.keys import Keyring

ROOT = Path(__file__).resolve().parents[1]
PEER_DIR = ROOT / "bench" / ".peer"
PEER_SCRIPT = ROOT / "bench" / "peer" / "postgraphile.js"
PEER_VERSION = "4.14"

COUNTY = 422825
PROVINCE = 420000
OFFICE = "xuanen.office"
PROVINCE_OFFICE = "hubei.office"
COMPLAINTS = 300
"""Complaints received by the county office, one a day from 2026-01-01 (at most 365), for the
list and the rollup."""
DATABASE = "xt_bench_path"
JWT_SECRET = secrets.token_urlsafe(48)

LOOKUP = '{ jurisdiction(code: "422825") { code name level ancestors { code name } } }'
POOL = '{ officerPool(jurisdiction: "422825", first: 20) { nodes { certificate speciality } } }'
TYPENAME = "{ __typename }"
PERSON = '{ person(id: "%s") { login name } }'
API_KEY = "{ projects(first: 10) { nodes { name } } }"
COMPLAINT_LIST = (
    '{ complaints(departmentId: "%s", first: 20) { nodes { trackingCode title status regime } } }'
)
ROLLUP = (
    '{ rollup(metric: COMPLAINTS_RECEIVED, jurisdiction: "420000", period: {kind: YEAR,'
    " year: 2026}, groupBy: JURISDICTION) { total { count } lines { key count } } }"
)

PEER_LOOKUP = (
    "{ jurisdictionByCode(code: 422825) { code name level"
    " parent: jurisdictionByParentCode { code name"
    " parent: jurisdictionByParentCode { code name } } } }"
)
PEER_POOL = (
    "{ allOfficerPoolMembers(first: 20, condition: {jurisdictionCode: 422825, active: true},"
    " orderBy: [JURISDICTION_CODE_ASC, PERSON_ID_ASC]) { nodes { certificate speciality } } }"
)
PEER_PERSON = '{ personById(id: "%s") { login name } }'
PEER_COMPLAINTS = (
    '{ allComplaints(first: 20, condition: {receivingDepartmentId: "%s"},'
    " orderBy: [RECEIVED_AT_ASC, ID_ASC]) { nodes { trackingCode title status regime } } }"
)
# PostGraphile has no aggregates without a plugin: the nearest is the counter rows themselves
# (the year's totals of the province's units), summed by the client.
PEER_ROLLUP = (
    '{ allRollupCounters(condition: {metric: "complaints_received", provinceCode: 420000,'
    ' dimension: "", value: ""}) { nodes { jurisdictionCode month n } } }'
)


@dataclass
class Operation:
    name: str
    query: str
    headers: dict[str, str] = field(default_factory=dict)
    peer_query: str | None = None
    peer_as: str = "anonymous"
    floor_as: str | None = None
    """Whose scope the SQL floor replays under (None: no SQL floor for this one)."""
    expect: Callable[[Any], bool] = lambda data: True


@dataclass
class Figures:
    p50: float = 0.0
    p95: float = 0.0
    rps: float = 0.0
    cpu_ms: float = 0.0
    errors: int = 0
    round_trips: float | None = None
    """Round trips to PostgreSQL per request (``bench.roundtrips``), from the in-process run."""


def _post(path: str, body: bytes, headers: dict[str, str]) -> bytes:
    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    return (
        f"POST {path} HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\n"
        f"Accept: application/json\r\n{head}Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body


def _get(path: str) -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: bench\r\nAccept: application/json\r\n\r\n".encode()


async def _exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
) -> tuple[bool, bytes]:
    writer.write(request)
    await writer.drain()
    status_line = await reader.readline()
    length = 0
    while (line := await reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.partition(b":")
        if name.lower() == b"content-length":
            length = int(value)
    body = await reader.readexactly(length)
    return b" 200 " in status_line, body


def _ok(ok: bool, body: bytes, check: Callable[[Any], bool] | None) -> bool:
    if not ok:
        return False
    if check is None:
        return True
    answer = json.loads(body)
    return "errors" not in answer and check(answer.get("data"))


async def sequential(
    port: int, request: bytes, n: int, check: Callable[[Any], bool] | None
) -> Figures:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    samples: list[float] = []
    errors = 0
    try:
        for i in range(n + n // 5):  # the first fifth warms up
            started = time.perf_counter()
            ok, body = await _exchange(reader, writer, request)
            took = (time.perf_counter() - started) * 1000
            if i == 0 and not _ok(ok, body, check):
                raise RuntimeError(f"benchmark request failed: {body[:500]!r}")
            if i >= n // 5:
                samples.append(took)
                errors += not ok
    finally:
        writer.close()
    ordered = sorted(samples)
    return Figures(
        p50=statistics.median(ordered), p95=ordered[int(0.95 * len(ordered))], errors=errors
    )


async def interleaved(
    sides: list[tuple[int, bytes, Callable[[Any], bool] | None]], n: int, alternations: int
) -> list[Figures]:
    """``n`` sequential requests to each side (port, request, check), one keep-alive connection
    each, a fifth of ``n`` first to warm up, then in ``alternations`` turns of ``n /
    alternations`` requests, the sides' order reversed every turn."""
    connections = [await asyncio.open_connection("127.0.0.1", port) for port, _, _ in sides]
    samples: list[list[float]] = [[] for _ in sides]
    errors = [0 for _ in sides]
    try:
        for (reader, writer), (_, request, check) in zip(connections, sides, strict=True):
            for i in range(max(1, n // 5)):
                ok, body = await _exchange(reader, writer, request)
                if i == 0 and not _ok(ok, body, check):
                    raise RuntimeError(f"benchmark request failed: {body[:500]!r}")
        chunk = max(1, n // alternations)
        for turn in range(alternations):
            order = list(range(len(sides)))
            for i in order if turn % 2 == 0 else order[::-1]:
                reader, writer = connections[i]
                for _ in range(chunk):
                    started = time.perf_counter()
                    ok, _ = await _exchange(reader, writer, sides[i][1])
                    samples[i].append((time.perf_counter() - started) * 1000)
                    errors[i] += not ok
    finally:
        for _, writer in connections:
            writer.close()
    return [
        Figures(
            p50=statistics.median(taken),
            p95=sorted(taken)[int(0.95 * len(taken))],
            errors=failed,
        )
        for taken, failed in zip(samples, errors, strict=True)
    ]


async def throughput(
    port: int, pid: int, request: bytes, seconds: float, connections: int
) -> Figures:
    warmup = 1.0
    counts = [0, 0]
    start = time.perf_counter()
    until, record_from = start + warmup + seconds, start + warmup

    async def one() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while (now := time.perf_counter()) < until:
                ok, _ = await _exchange(reader, writer, request)
                if now >= record_from:
                    counts[0 if ok else 1] += 1
        finally:
            writer.close()

    async def cpu() -> float:
        await asyncio.sleep(warmup)
        before = serve_rps.cpu_seconds(pid)
        await asyncio.sleep(seconds)
        after = serve_rps.cpu_seconds(pid)
        return sum(after[p] - before.get(p, 0.0) for p in after)

    used, *_ = await asyncio.gather(cpu(), *(one() for _ in range(connections)))
    done = counts[0] + counts[1]
    return Figures(
        rps=counts[0] / seconds, cpu_ms=1000 * used / done if done else 0.0, errors=counts[1]
    )


async def _data(db: ProvisionedDatabase) -> tuple[str, uuid.UUID, uuid.UUID]:
    """As the owner: an integrator key for the county, ``COMPLAINTS`` complaints received by the
    county's office over 2026 (the rollup's counters follow by trigger); the office person's
    id and its department's."""
    conn = await asyncpg.connect(asyncpg_dsn(db.owner_url))
    try:
        key = new_api_key()
        await conn.execute(
            "INSERT INTO api_key (id, prefix, secret_hash, name, jurisdiction_code,"
            " province_code, roles, created_by) VALUES ($1, $2, $3, 'bench', $4, 420000,"
            " ARRAY['integrator'], 'bench')",
            uuid.uuid4(),
            key.prefix,
            key.secret_hash,
            COUNTY,
        )
        person, department = await conn.fetchrow(
            "SELECT id, department_id FROM person WHERE login = $1", OFFICE
        )
        await conn.execute(
            "INSERT INTO complaint (id, jurisdiction_code, province_code, tracking_code,"
            " secret_hash, regime, category, project_code, title, body, anonymous, status,"
            " receiving_department_id, received_at, received_on, created_by)"
            " SELECT gen_random_uuid(), $1, $2, t,"
            " repeat('0', 64),"
            " (ARRAY['tendering', 'procurement'])[1 + i % 2], 'evaluation', 'P-' || i,"
            " '投诉 ' || i, 'b', true, 'at_office', $3,"
            " timestamptz '2026-01-01 09:00+08' + i * interval '1 day',"
            " date '2026-01-01' + i, 'public:' || t FROM generate_series(0, $4 - 1) AS i,"
            " LATERAL (SELECT upper(substr(md5(i::text), 1, 16)) AS t) AS c",
            COUNTY,
            PROVINCE,
            department,
            COMPLAINTS,
        )
        return key.secret, person, department
    finally:
        await conn.close()


def _operations(
    tokens: dict[str, str], api_key: str, person: uuid.UUID, department: uuid.UUID
) -> list[Operation]:
    bearer = {"Authorization": f"Bearer {tokens[OFFICE]}"}
    province = {"Authorization": f"Bearer {tokens[PROVINCE_OFFICE]}"}
    person_id = to_global_id("Person", person)
    return [
        Operation(
            "jurisdiction lookup (anonymous)",
            LOOKUP,
            peer_query=PEER_LOOKUP,
            floor_as="anonymous",
            expect=lambda d: len(d["jurisdiction"]["ancestors"]) == 2,
        ),
        Operation("{ __typename }", TYPENAME, peer_query=TYPENAME),
        Operation(
            "officer pool, 20 (signed in)",
            POOL,
            bearer,
            peer_query=PEER_POOL,
            peer_as="office",
            floor_as="office",
            expect=lambda d: len(d["officerPool"]["nodes"]) > 0,
        ),
        Operation(
            "person by id (signed in)",
            PERSON % person_id,
            bearer,
            peer_query=PEER_PERSON % person,
            peer_as="office",
            floor_as="office",
            expect=lambda d: d["person"]["login"] == OFFICE,
        ),
        Operation("API key: projects(first: 10)", API_KEY, {"X-Api-Key": api_key}),
        Operation(
            "complaint list, 20 (signed in)",
            COMPLAINT_LIST % to_global_id("Department", department),
            bearer,
            peer_query=PEER_COMPLAINTS % department,
            peer_as="office",
            floor_as="office",
            expect=lambda d: len(d["complaints"]["nodes"]) == 20,
        ),
        Operation(
            "province rollup (signed in)",
            ROLLUP,
            province,
            peer_query=PEER_ROLLUP,
            peer_as="province",
            floor_as="province",
            expect=lambda d: d["rollup"]["total"]["count"] == COMPLAINTS,
        ),
    ]


# -- the SQL floor ---------------------------------------------------------------------------


def _settings(url: str) -> Settings:
    return replace(
        Settings(env=Environment.TEST),
        database=DatabaseSettings(url=url, pool_size=2),
        auth=AuthSettings(jwt_secret=JWT_SECRET),
        secret_key=serve_rps.SERVER_SECRET,
        log_level="WARNING",
        server=ServerSettings(freeze_heap=True),  # as served (XIETONG_FREEZE_HEAP)
    )


@asynccontextmanager
async def _lifespan(app: Litestar) -> AsyncIterator[None]:
    async with app.lifespan():
        yield


async def capture(
    db: ProvisionedDatabase, operations: list[Operation], rounds: int = 20
) -> tuple[dict[str, list[Any]], dict[str, float]]:
    """The statements each operation sends after the sign-in, from one in-process request, and
    its round trips to PostgreSQL per request (the mean of ``rounds``, after warming up),
    counted by a proxy between the application and the server (``bench.roundtrips``)."""
    found: dict[str, list[Any]] = {}
    trips: dict[str, float] = {}
    async with roundtrips.counting(db.app_url) as counter:
        app = create_app(_settings(counter.url(db.app_url)))
        async with _lifespan(app):
            client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://b")
            engine = app.state.engine.sync_engine
            for op in operations:
                for _ in range(3):  # warm: policy, caches, prepared statements
                    await client.post("/graphql", json={"query": op.query}, headers=op.headers)
                before = counter.round_trips
                for _ in range(rounds):
                    await client.post("/graphql", json={"query": op.query}, headers=op.headers)
                trips[op.name] = (counter.round_trips - before) / rounds
                if op.floor_as is None:
                    continue
                statements: list[tuple[str, Any]] = []

                def before_execute(
                    _c: Any, _cur: Any, statement: str, parameters: Any, *_: Any
                ) -> None:
                    statements.append((statement, parameters))  # noqa: B023

                event.listen(engine, "before_cursor_execute", before_execute)
                try:
                    await client.post("/graphql", json={"query": op.query}, headers=op.headers)
                finally:
                    event.remove(engine, "before_cursor_execute", before_execute)
                found[op.name] = [
                    s
                    for s in statements
                    if "xietong_sign_in" not in s[0] and "set_config" not in s[0]
                ]
            await client.aclose()
    return found, trips


async def sql_floor(
    db: ProvisionedDatabase, statements: list[Any], claims: ScopeClaims, n: int
) -> Figures:
    signer = ScopeSigner.from_keyring(Keyring.of(serve_rps.SERVER_SECRET))
    conn = await asyncpg.connect(asyncpg_dsn(db.app_url))
    samples = []
    try:
        for i in range(n + n // 5):
            started = time.perf_counter()
            async with conn.transaction():
                await conn.execute(
                    "SELECT set_config('xietong.scope', $1, true)",
                    signer.sign(claims, pid=conn.get_server_pid()),
                )
                rows = []
                for statement, parameters in statements:
                    rows.append([dict(r) for r in await conn.fetch(statement, *(parameters or ()))])
            json.dumps(rows, default=str)
            if i >= n // 5:
                samples.append((time.perf_counter() - started) * 1000)
    finally:
        await conn.close()
    ordered = sorted(samples)
    return Figures(p50=statistics.median(ordered), p95=ordered[int(0.95 * len(ordered))])


async def _claims(db: ProvisionedDatabase) -> dict[str, ScopeClaims]:
    """The scopes the application computes for the anonymous caller and the offices."""
    app = create_app(_settings(db.app_url))
    from xietong.access.authentication import person_principal

    async with _lifespan(app), app.state.sessions() as session, session.begin():
        office = await person_principal(session, OFFICE, app.state.scope_signer)
        province = await person_principal(session, PROVINCE_OFFICE, app.state.scope_signer)
    assert office is not None
    assert province is not None
    return {
        "anonymous": Scope.of(ANONYMOUS).claims(),
        "office": Scope.of(office).claims(),
        "province": Scope.of(province).claims(),
    }


# -- the peer --------------------------------------------------------------------------------


def peer_missing() -> str | None:
    if shutil.which("node") is None or shutil.which("npm") is None:
        return "node/npm not found: PostGraphile skipped"
    if not (PEER_DIR / "node_modules" / "postgraphile").is_dir():
        PEER_DIR.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(
            [
                "npm",
                "install",
                "--no-audit",
                "--no-fund",
                "--prefix",
                str(PEER_DIR),
                f"postgraphile@{PEER_VERSION}",
            ],
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            return f"npm install postgraphile@{PEER_VERSION} failed: PostGraphile skipped"
    return None


@contextmanager
def peer(db: ProvisionedDatabase, claims: dict[str, ScopeClaims]) -> Iterator[tuple[int, int]]:
    signer = ScopeSigner.from_keyring(Keyring.of(serve_rps.SERVER_SECRET))
    port = serve_rps.free_port()
    env = dict(
        os.environ,
        NODE_PATH=str(PEER_DIR / "node_modules"),
        NODE_ENV="production",
        BENCH_DATABASE_URL=asyncpg_dsn(db.app_url),
        BENCH_PORT=str(port),
        BENCH_SCOPE_KEY=signer._key.hex(),
        BENCH_KEY_ID=signer.key_id,
        BENCH_CLAIMS=json.dumps({name: c.fields() for name, c in claims.items()}),
    )
    proc = subprocess.Popen(
        ["node", str(PEER_SCRIPT)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if b"ready" not in line:
            raise RuntimeError(f"PostGraphile did not start: {proc.stderr.read()[-2000:]!r}")
        yield port, proc.pid
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _graphql(op_query: str, headers: dict[str, str]) -> bytes:
    return _post("/graphql", json.dumps({"query": op_query}).encode(), headers)


async def measure(
    port: int, pid: int, request: bytes, check: Callable[[Any], bool] | None, args: Any
) -> Figures:
    return await loaded(
        await sequential(port, request, args.requests, check), port, pid, request, args
    )


async def loaded(seq: Figures, port: int, pid: int, request: bytes, args: Any) -> Figures:
    """``seq`` (the sequential figures) with the throughput and CPU of ``request`` under load."""
    load = await throughput(port, pid, request, args.seconds, args.connections)
    return replace(seq, rps=load.rps, cpu_ms=load.cpu_ms, errors=seq.errors + load.errors)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench path", description=__doc__)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--alternations", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--no-peer", action="store_true")
    parser.add_argument(
        "--database", default=DATABASE, help="name of the bench's own database (dropped first)"
    )
    args = parser.parse_args(argv)
    rows: list[tuple[str, Figures, Figures | None]] = []
    with serve_rps.servers() as (admin_url, redis_url):
        db = asyncio.run(serve_rps.prepare(admin_url, args.database))
        api_key, person, department = asyncio.run(_data(db))
        issuer = TokenService(AuthSettings(jwt_secret=JWT_SECRET), JWT_SECRET)
        tokens = {login: issuer.issue(login) for login in (OFFICE, PROVINCE_OFFICE)}
        operations = _operations(tokens, api_key, person, department)
        claims = asyncio.run(_claims(db))
        captured, trips = asyncio.run(capture(db, operations))
        note = "skipped (--no-peer)" if args.no_peer else peer_missing()
        with (
            serve_rps.serve(db, redis_url, 1, jwt_secret=JWT_SECRET) as (port, pid),
            peer(db, claims) if note is None else nullcontext((0, 0)) as (peer_port, peer_pid),
        ):
            for op in operations:
                request = _graphql(op.query, op.headers)
                sides: list[tuple[int, bytes, Callable[[Any], bool] | None]] = [
                    (port, request, op.expect)
                ]
                if peer_port and op.peer_query is not None:
                    theirs = _graphql(op.peer_query, {"X-Bench-As": op.peer_as})
                    sides.append((peer_port, theirs, lambda d: d is not None))
                turns = asyncio.run(interleaved(sides, args.requests, args.alternations))
                figures = asyncio.run(loaded(turns[0], port, pid, request, args))
                figures.round_trips = trips.get(op.name)
                peer_figures = (
                    asyncio.run(loaded(turns[1], peer_port, peer_pid, sides[1][1], args))
                    if len(turns) > 1
                    else None
                )
                rows.append((op.name, figures, peer_figures))
            live = asyncio.run(measure(port, pid, _get("/health/live"), None, args))
        floors = {
            op.name: asyncio.run(
                sql_floor(db, captured[op.name], claims[op.floor_as], args.requests)
            )
            for op in operations
            if op.floor_as is not None
        }
    print(
        f"{os.cpu_count()} CPUs; sequential: {args.requests} requests on one keep-alive "
        f"connection, in {args.alternations} turns alternating with the peer; load: "
        f"{args.connections} connections for {args.seconds:.0f} s"
    )
    print(
        f"{'operation':<34} {'p50 ms':>7} {'p95 ms':>7} {'req/s':>7} {'CPU ms/req':>10}"
        f" {'DB trips':>8}"
        f" {'peer p50':>8} {'peer p95':>8} {'peer req/s':>10} {'p50 ×peer':>9} {'req/s ÷peer':>11}"
    )
    for name, f, p in rows:
        line = f"{name:<34} {f.p50:7.2f} {f.p95:7.2f} {f.rps:7.0f} {f.cpu_ms:10.2f}"
        line += f" {f.round_trips:8.1f}" if f.round_trips is not None else f" {'':8}"
        if p is not None:
            line += (
                f" {p.p50:8.2f} {p.p95:8.2f} {p.rps:10.0f} {f.p50 / p.p50:9.1f}"
                f" {p.rps / f.rps if f.rps else 0:11.1f}"
            )
        if f.errors:
            line += f"  ({f.errors} errors)"
        print(line)
    for name, f in floors.items():
        print(f"{'floor: SQL+JSON, ' + name.split(' (')[0]:<34} {f.p50:7.2f} {f.p95:7.2f}")
    print(
        f"{'floor: GET /health/live':<34} {live.p50:7.2f} {live.p95:7.2f} {live.rps:7.0f}"
        f" {live.cpu_ms:10.2f}"
    )
    if note:
        print(f"peer: {note}")
    else:
        print(
            f"peer: PostGraphile {PEER_VERSION} (node {_node_version()}), one process, "
            "same database, application role, same signed scope"
        )
    return 0


def _node_version() -> str:
    try:
        return subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
    except OSError:
        return "?"


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
