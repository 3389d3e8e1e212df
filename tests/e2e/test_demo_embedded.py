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
import time
import urllib.request
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
    def __init__(self, data_dir: Path, *extra: str) -> None:
        self.port = free_port()
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

    def wait_ready(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"demo exited early:\n{self.proc.stdout.read()}")  # type: ignore[union-attr]
            try:
                with urllib.request.urlopen(f"{self.url}/health/ready", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.3)
        self.stop(signal.SIGINT)
        raise AssertionError("demo never became ready")

    def query(self, query: str) -> dict[str, object]:
        request = urllib.request.Request(
            f"{self.url}/graphql",
            data=json.dumps({"query": query}).encode(),
            headers={"content-type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as r:
            body: dict[str, object] = json.loads(r.read())
            return body

    def stop(self, sig: signal.Signals) -> str:
        self.proc.send_signal(sig)
        output, _ = self.proc.communicate(timeout=60)
        return output


def test_demo_serves_survives_a_restart_and_leaves_nothing_running(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"

    first = Demo(data_dir)
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
    output = first.stop(signal.SIGINT)  # Ctrl-C
    assert "created 170 departments, 14 jurisdictions" in output
    assert "every server this command started has exited" in output
    assert first.proc.returncode == 0
    assert leftovers(data_dir) == []

    second = Demo(data_dir)
    second.wait_ready()
    output = second.stop(signal.SIGTERM)
    assert "Tenants: already loaded; nothing changed." in output, output  # data survived
    assert leftovers(data_dir) == []

    third = Demo(data_dir, "--reset")
    third.wait_ready()
    output = third.stop(signal.SIGINT)
    assert "created 170 departments" in output, output
    assert "Traceback" not in output
    assert leftovers(data_dir) == []
