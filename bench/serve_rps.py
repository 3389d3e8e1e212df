"""Requests per second of ``xietong serve`` with 1 and then N uvicorn processes, same run.

What it does: provisions a database ``xt_bench`` (migrated, seed tenants loaded) on the server at
``XIETONG_BENCH_DATABASE_URL`` (else ``XIETONG_TEST_DATABASE_URL``, else an embedded pgserver),
starts ``xietong serve`` exactly as production does (XIETONG_ENV=production, JSON logs, the
non-owner role), and drives it from this process over keep-alive connections on loopback with a
bare asyncio HTTP/1.1 client (cheap enough to leave the cores to the server). Everything, the
database included, shares this machine, so the ratio is a floor for what a second core gives an
API pod whose database lives elsewhere.

    python -m bench serve --seconds 10 --connections 16 --workers 1 2
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from xietong.access.scope_token import ScopeSigner
from xietong.db import migrate
from xietong.db.engine import make_engine, make_sessionmaker, transaction
from xietong.db.provision import ProvisionedDatabase, provision
from xietong.keys import Keyring
from xietong.paths import default_tenants_dir
from xietong.tenants.loader import load_tenants, tenant_files

QUERY = '{ jurisdiction(code: "422825") { code name level ancestors { code name } } }'
ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Result:
    workers: int
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float]
    server_cpu_s: float = 0.0
    """CPU seconds the server's processes used in the measured window (user + system)."""
    busiest_share: float = 1.0
    """The busiest process's part of that: 1/workers when the load is spread evenly."""

    @property
    def cpu_ms_per_request(self) -> float:
        return 1000 * self.server_cpu_s / self.requests if self.requests else 0.0

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    def quantile(self, q: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def servers() -> Iterator[tuple[str, str]]:
    """(PostgreSQL admin URL, Redis URL): configured ones, or embedded ones for the run."""
    admin = os.environ.get("XIETONG_BENCH_DATABASE_URL") or os.environ.get(
        "XIETONG_TEST_DATABASE_URL"
    )
    redis = os.environ.get("XIETONG_BENCH_REDIS_URL") or os.environ.get("XIETONG_TEST_REDIS_URL")
    with ExitStack() as stack:
        from xietong import embedded

        data = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="xietong-bench-")))
        if admin is None:
            pg = embedded.start_server(data)
            stack.callback(pg.stop)
            admin = pg.admin_url
        if redis is None:
            server = embedded.start_redis(data)
            stack.callback(server.stop)
            redis = server.url
        yield admin, redis


SERVER_SECRET = secrets.token_urlsafe(48)
"""XIETONG_SECRET_KEY of the served app: its scope key is installed by ``prepare``."""


async def prepare(admin_url: str, name: str = "xt_bench") -> ProvisionedDatabase:
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


def cpu_seconds(pid: int) -> dict[int, float]:
    """CPU time of a process and of each of its children (uvicorn's worker processes)."""
    import psutil

    parent = psutil.Process(pid)
    found = {}
    for proc in [parent, *parent.children(recursive=True)]:
        try:
            times = proc.cpu_times()
            found[proc.pid] = times.user + times.system
        except psutil.NoSuchProcess:
            pass
    return found


@contextmanager
def serve(
    db: ProvisionedDatabase, redis_url: str, workers: int, *, jwt_secret: str | None = None
) -> Iterator[tuple[int, int]]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("XIETONG_")}
    env.update(
        XIETONG_ENV="production",
        XIETONG_DATABASE_URL=db.app_url,
        XIETONG_REDIS_URL=redis_url,
        XIETONG_JWT_SECRET=jwt_secret or secrets.token_urlsafe(48),
        XIETONG_SECRET_KEY=SERVER_SECRET,
        XIETONG_LOG_LEVEL="WARNING",  # as an operator would under load; INFO costs ~5 %
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "xietong", "serve", "--port", str(port), "--workers", str(workers)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/ready", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("xietong serve did not become ready") from None
                time.sleep(0.2)
        yield port, proc.pid
    finally:
        proc.terminate()
        proc.wait(timeout=30)


async def client(port: int, path: str, until: float, record_from: float, result: Result) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    request = (f"GET {path} HTTP/1.1\r\nHost: bench\r\nAccept: application/json\r\n\r\n").encode()
    try:
        while (now := time.perf_counter()) < until:
            writer.write(request)
            await writer.drain()
            status_line = await reader.readline()
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.partition(b":")
                if name.lower() == b"content-length":
                    length = int(value)
            await reader.readexactly(length)
            if now >= record_from:
                result.latencies_ms.append((time.perf_counter() - now) * 1000)
                if b" 200 " in status_line:
                    result.requests += 1
                else:
                    result.errors += 1
    finally:
        writer.close()


async def drive(port: int, pid: int, workers: int, seconds: float, connections: int) -> Result:
    path = "/graphql?query=" + quote(QUERY)
    warmup = 2.0
    start = time.perf_counter()
    result = Result(workers=workers, requests=0, errors=0, seconds=seconds, latencies_ms=[])

    async def measure_cpu() -> None:
        await asyncio.sleep(warmup)
        before = cpu_seconds(pid)
        await asyncio.sleep(seconds)
        after = cpu_seconds(pid)
        used = {p: after[p] - before.get(p, 0.0) for p in after}
        result.server_cpu_s = sum(used.values())
        result.busiest_share = max(used.values()) / result.server_cpu_s

    await asyncio.gather(
        measure_cpu(),
        *(
            client(port, path, start + warmup + seconds, start + warmup, result)
            for _ in range(connections)
        ),
    )
    return result


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench serve", description=__doc__)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args(argv)
    results = []
    with servers() as (admin_url, redis_url):
        db = asyncio.run(prepare(admin_url))
        for workers in args.workers:
            with serve(db, redis_url, workers) as (port, pid):
                results.append(
                    asyncio.run(drive(port, pid, workers, args.seconds, args.connections))
                )
    print(f"query: {QUERY}")
    print(f"{os.cpu_count()} CPUs; {args.connections} connections; {args.seconds:.0f} s each")
    print("workers  req/s   p50 ms  p99 ms  errors  CPU ms/req  busiest process")
    for r in results:
        print(
            f"{r.workers:>7}  {r.rps:6.0f}  {r.quantile(0.5):6.1f}  {r.quantile(0.99):6.1f}"
            f"  {r.errors:>6}  {r.cpu_ms_per_request:10.2f}  {r.busiest_share:>14.0%}"
        )
    if len(results) > 1:
        base = results[0].rps
        ratios = ", ".join(f"{r.workers}: {r.rps / base:.2f}x" for r in results[1:])
        print(f"throughput relative to {results[0].workers} worker(s): {ratios}")
        print(f"(mean latency {statistics.mean(results[0].latencies_ms):.1f} ms at 1 worker)")
    return 0
