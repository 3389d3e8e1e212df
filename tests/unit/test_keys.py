"""Derived keys: one per purpose, stable, and none equal to another or to the secret."""

from __future__ import annotations

from pathlib import Path

import pytest

from xietong.config import DEV_KEY_PREFIX, Environment, Settings
from xietong.keys import Keyring, Purpose, SecretProblem, dev_server_secret

SECRET = "a-server-secret-that-is-long-enough-0123456789"


def test_each_purpose_has_its_own_stable_key() -> None:
    ring = Keyring.of(SECRET)
    keys = {purpose: ring.key(purpose) for purpose in Purpose}
    assert len(set(keys.values())) == len(Purpose)
    assert all(len(key) == 32 for key in keys.values())
    assert SECRET.encode() not in keys.values()
    assert Keyring.of(SECRET).key(Purpose.SCOPE) == keys[Purpose.SCOPE]
    assert Keyring.of(SECRET + "x").key(Purpose.SCOPE) != keys[Purpose.SCOPE]


def test_short_secrets_are_refused() -> None:
    with pytest.raises(SecretProblem, match="at least 32"):
        Keyring.of("short")


def test_development_secret_is_generated_once(tmp_path: Path) -> None:
    first = dev_server_secret(tmp_path)
    assert first.startswith(DEV_KEY_PREFIX)
    assert dev_server_secret(tmp_path) == first
    ring = Keyring.from_settings(Settings(data_dir=tmp_path))
    assert ring.key(Purpose.AUDIT) == Keyring.of(first).key(Purpose.AUDIT)


def test_production_needs_the_secret_set(tmp_path: Path) -> None:
    with pytest.raises(SecretProblem, match="must be set"):
        Keyring.from_settings(Settings(env=Environment.PRODUCTION, data_dir=tmp_path))
