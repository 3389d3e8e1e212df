from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT, TEST_SERVER_SECRET

GOOD_SECRET = "a-production-secret-of-more-than-32-chars-0123456789"
GOOD_SERVER_SECRET = TEST_SERVER_SECRET  # the scope key the test databases were migrated with
METRICS_TOKEN = "a-metrics-token-for-the-scraper-0123456789"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def clean_env(**xietong: str) -> dict[str, str]:
    """The machine's environment without any XIETONG_* or Prometheus setting, plus ``xietong``."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("XIETONG_") and k != "PROMETHEUS_MULTIPROC_DIR"
    }
    env.update({f"XIETONG_{k.upper()}": v for k, v in xietong.items()})
    return env


def xietong(
    *args: str, env: dict[str, str], timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "xietong", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def get(url: str, timeout: float = 5, headers: dict[str, str] | None = None) -> tuple[int, str]:
    try:
        request = urllib.request.Request(url, headers=headers or {})
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


class Process:
    """A long-running ``xietong`` command, stopped with SIGTERM like Kubernetes does."""

    def __init__(self, *args: str, env: dict[str, str], log: Path) -> None:
        self.log = log
        self._out = log.open("w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "xietong", *args],
            cwd=ROOT,
            env=env,
            stdout=self._out,
            stderr=subprocess.STDOUT,
            text=True,
        )

    def output(self) -> str:
        return self.log.read_text()

    def wait_for(self, url: str, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"exited early ({self.proc.returncode}):\n{self.output()}")
            try:
                status, body = get(url, timeout=2)
                if status == 200:
                    return body
            except OSError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"{url} never answered 200:\n{self.output()}")

    def terminate(self, timeout: float = 30) -> int:
        self.proc.terminate()  # SIGTERM
        try:
            return self.proc.wait(timeout=timeout)
        finally:
            self._out.close()

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self._out.close()


@pytest.fixture
def processes() -> Iterator[list[Process]]:
    """Whatever a test starts is killed even if it fails half-way."""
    started: list[Process] = []
    yield started
    for process in started:
        process.kill()
