"""The container image installs no embedded servers; commands that would start one say so."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from xietong import embedded
from xietong.cli import main


def test_a_missing_server_package_gets_a_clear_message() -> None:
    with pytest.raises(embedded.EmbeddedUnavailable, match=r"xietong\[embedded\]"):
        embedded._require("xietong_no_such_server")


def test_commands_that_need_one_exit_cleanly(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(*args: object, **kwargs: object) -> None:
        raise embedded.EmbeddedUnavailable("the embedded servers are not installed")

    monkeypatch.setattr(embedded, "start_postgres", missing)
    # In-process CLI: keep it from reconfiguring this test process's logging.
    monkeypatch.setattr("xietong.cli.xlogging.configure", lambda *a, **k: None)
    monkeypatch.delenv("XIETONG_DATABASE_URL", raising=False)
    result = CliRunner().invoke(main, ["migrate", "current"])
    assert result.exit_code == 1
    assert "the embedded servers are not installed" in result.output
    assert "Traceback" not in result.output
