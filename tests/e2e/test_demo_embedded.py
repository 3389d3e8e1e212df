"""The README's first command on a machine with no servers: embedded PostgreSQL and Redis.

Runs in CI too (where real servers exist) so the embedded path cannot rot: the URLs are removed
from the demo's environment.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import psutil
import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.embedded


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def leftovers(data_dir: Path) -> list[str]:
    found = []
    for proc in psutil.process_iter(["pid", "cmdline", "status"]):
        cmdline = " ".join(proc.info["cmdline"] or [])
        if str(data_dir) in cmdline and proc.info["status"] != psutil.STATUS_ZOMBIE:
            found.append(f"{proc.info['pid']}: {cmdline}")
    return found


class Demo:
    """``xietong demo`` as a newcomer runs it, its output collected as it comes."""

    def __init__(self, data_dir: Path, *extra: str, port: int | None = None) -> None:
        self.port = port or free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("XIETONG_")}
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "xietong",
                "demo",
                "--port",
                str(self.port),
                "--data-dir",
                str(data_dir),
                *extra,
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.url = f"http://127.0.0.1:{self.port}"
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line)

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def wait_ready(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self._reader.join(5)
                raise AssertionError(f"demo exited early:\n{self.output}")
            try:
                with urllib.request.urlopen(f"{self.url}/health/ready", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.3)
        self.stop(signal.SIGINT)
        raise AssertionError(f"demo never became ready:\n{self.output}")

    def wait_output(self, text: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.output:
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise AssertionError(f"never printed {text!r}:\n{self.output}")
            time.sleep(0.1)

    def wait_worker(self, timeout: float = 60) -> None:
        """Until ``/metrics`` shows a heartbeat: some worker ran a job."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with urllib.request.urlopen(f"{self.url}/metrics", timeout=5) as r:
                for line in r.read().decode().splitlines():
                    name, _, value = line.partition(" ")
                    if name == "xietong_worker_last_heartbeat_seconds" and float(value) > 0:
                        return
            time.sleep(0.5)
        raise AssertionError(f"no worker heartbeat:\n{self.output}")

    def query(self, query: str) -> dict[str, object]:
        request = urllib.request.Request(
            f"{self.url}/graphql",
            data=json.dumps({"query": query}).encode(),
            headers={"content-type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as r:
            body: dict[str, object] = json.loads(r.read())
            return body

    def finish(self, timeout: float = 60) -> str:
        """Wait for a demo that exits by itself; its whole output."""
        self.proc.wait(timeout)
        self._reader.join(5)
        return self.output

    def stop(self, sig: signal.Signals) -> str:
        self.proc.send_signal(sig)
        return self.finish()


COUNTY = '{ jurisdiction(code: "422825") { name } }'


@pytest.fixture
def start_demo() -> Iterator[Callable[..., Demo]]:
    """Start demos; whatever a failing test leaves running is stopped (Ctrl-C, then kill)."""
    started: list[Demo] = []

    def start(data_dir: Path, *extra: str, port: int | None = None) -> Demo:
        demo = Demo(data_dir, *extra, port=port)
        started.append(demo)
        return demo

    yield start
    for demo in started:
        if demo.proc.poll() is None:
            demo.proc.send_signal(signal.SIGINT)
            try:
                demo.proc.wait(60)
            except subprocess.TimeoutExpired:
                demo.proc.kill()
                demo.proc.wait()


def test_demo_serves_survives_a_restart_and_leaves_nothing_running(
    tmp_path: Path, start_demo: Callable[..., Demo]
) -> None:
    data_dir = tmp_path / "data"

    first = start_demo(data_dir)
    first.wait_ready()
    body = first.query('{ jurisdiction(code: "422825") { code name level ancestors { code } } }')
    assert body == {
        "data": {
            "jurisdiction": {
                "code": "422825",
                "name": "宣恩县",
                "level": "COUNTY",
                "ancestors": [{"code": "420000"}, {"code": "422800"}],
            }
        }
    }
    first.wait_worker()  # the worker beside the API runs its jobs (heartbeat, deadline sweep)
    output = first.stop(signal.SIGINT)  # Ctrl-C
    assert "created 170 departments, 14 jurisdictions" in output
    assert "every server this command started has exited" in output
    assert first.proc.returncode == 0
    assert leftovers(data_dir) == []

    second = start_demo(data_dir)
    second.wait_ready()
    output = second.stop(signal.SIGTERM)
    assert "Tenants: already loaded; nothing changed." in output, output  # data survived
    assert leftovers(data_dir) == []

    third = start_demo(data_dir, "--reset")
    third.wait_ready()
    output = third.stop(signal.SIGINT)
    assert "created 170 departments" in output, output
    assert "Traceback" not in output
    assert leftovers(data_dir) == []


def test_a_second_demo_or_a_taken_port_is_refused_before_a_url_is_printed(
    tmp_path: Path, start_demo: Callable[..., Demo]
) -> None:
    data_dir = tmp_path / "data"
    first = start_demo(data_dir)
    first.wait_ready()
    try:
        # Same data directory, free port: refused, and the first demo's servers are untouched.
        second = start_demo(data_dir)
        output = second.finish()
        assert second.proc.returncode == 1, output
        assert "another `xietong demo`" in output
        assert "http://" not in output
        # Free data directory, taken port: refused before any server starts.
        other_dir = tmp_path / "other"
        third = start_demo(other_dir, port=first.port)
        output = third.finish()
        assert third.proc.returncode == 1, output
        assert f"cannot listen on 127.0.0.1:{first.port}" in output
        assert "http://" not in output
        assert "Traceback" not in output
        assert leftovers(other_dir) == []
        assert first.query(COUNTY) == {"data": {"jurisdiction": {"name": "宣恩县"}}}
    finally:
        first.stop(signal.SIGINT)
    assert leftovers(data_dir) == []


def test_a_killed_server_is_restarted_and_ctrl_c_still_stops_everything(
    tmp_path: Path, start_demo: Callable[..., Demo]
) -> None:
    data_dir = tmp_path / "data"
    demo = start_demo(data_dir)
    demo.wait_ready()
    postmaster = int((data_dir / "postgres" / "postmaster.pid").read_text().split()[0])
    redis = int((data_dir / "redis.pid").read_text().strip())
    os.kill(postmaster, signal.SIGKILL)
    os.kill(redis, signal.SIGKILL)
    demo.wait_output("The embedded PostgreSQL is running again")
    demo.wait_output("The embedded Redis is running again")
    assert f"The embedded PostgreSQL (pid {postmaster}) stopped unexpectedly" in demo.output
    deadline = time.monotonic() + 30
    while True:  # connections broken by the kill are replaced as they are next used
        try:
            body = demo.query(COUNTY)
            break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    assert body == {"data": {"jurisdiction": {"name": "宣恩县"}}}
    assert int((data_dir / "postgres" / "postmaster.pid").read_text().split()[0]) != postmaster
    output = demo.stop(signal.SIGINT)
    assert demo.proc.returncode == 0, output
    assert "every server this command started has exited" in output
    assert leftovers(data_dir) == []


def test_after_a_hard_kill_the_next_demo_still_stops_everything(
    tmp_path: Path, start_demo: Callable[..., Demo]
) -> None:
    data_dir = tmp_path / "data"
    killed = start_demo(data_dir)
    killed.wait_ready()
    killed.proc.kill()  # SIGKILL: no cleanup at all; its servers and its pgserver entry remain
    killed.finish()
    assert leftovers(data_dir) != []

    demo = start_demo(data_dir)
    demo.wait_ready()
    assert demo.query(COUNTY) == {"data": {"jurisdiction": {"name": "宣恩县"}}}
    output = demo.stop(signal.SIGINT)
    assert "every server this command started has exited" in output
    assert leftovers(data_dir) == []
