from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

import jwt
import pytest

from xietong.access.tokens import (
    VERIFIED_TTL_S,
    InvalidCredentials,
    TokenService,
    dev_signing_key,
    hash_api_key,
    looks_like_api_key,
    new_api_key,
)
from xietong.config import DEV_KEY_PREFIX, AuthSettings, Environment, Settings

SECRET = "a-test-secret-of-sufficient-length-000000"
SERVICE = TokenService(AuthSettings(jwt_secret=SECRET), SECRET)


def test_round_trip() -> None:
    assert SERVICE.verify(SERVICE.issue("xuanen.office")) == "xuanen.office"


def test_expired_tokens_are_refused_with_a_clear_message() -> None:
    token = SERVICE.issue("xuanen.office", ttl=timedelta(minutes=-5))
    with pytest.raises(InvalidCredentials, match="过期"):
        SERVICE.verify(token)


@pytest.mark.parametrize("claims", [{"aud": "other"}, {"iss": "other"}])
def test_wrong_issuer_or_audience_is_refused(claims: dict[str, str]) -> None:
    payload = jwt.decode(SERVICE.issue("a"), SECRET, algorithms=["HS256"], audience="xietong")
    forged = jwt.encode({**payload, **claims}, SECRET, algorithm="HS256")
    with pytest.raises(InvalidCredentials):
        SERVICE.verify(forged)


def test_another_key_or_algorithm_is_refused() -> None:
    other = TokenService(AuthSettings(jwt_secret="x" * 40), "x" * 40)
    with pytest.raises(InvalidCredentials):
        SERVICE.verify(other.issue("a"))
    unsigned = jwt.encode(
        {"sub": "a", "iss": "xietong", "aud": "xietong", "exp": 9999999999}, None, algorithm="none"
    )
    with pytest.raises(InvalidCredentials):
        SERVICE.verify(unsigned)


def test_dev_key_is_generated_once_recognisable_and_private(tmp_path: Path) -> None:
    first = dev_signing_key(tmp_path)
    assert first.startswith(DEV_KEY_PREFIX)
    assert dev_signing_key(tmp_path) == first
    assert (tmp_path / "dev-signing-key").stat().st_mode & 0o777 == 0o600


def test_production_without_a_key_is_refused(tmp_path: Path) -> None:
    settings = Settings(env=Environment.PRODUCTION, data_dir=tmp_path)
    with pytest.raises(ValueError, match="XIETONG_JWT_SECRET"):
        TokenService.from_settings(settings)


def test_api_keys_are_random_and_only_their_hash_is_kept() -> None:
    a, b = new_api_key(), new_api_key()
    assert a.secret != b.secret
    assert looks_like_api_key(a.secret)
    assert a.secret.split("_")[1] == a.prefix
    assert hash_api_key(a.secret) == a.secret_hash != a.secret
    assert not looks_like_api_key(SERVICE.issue("a"))


def test_tokens_living_longer_than_the_maximum_are_refused() -> None:
    """Whoever signed it: a token whose exp − iat exceeds XIETONG_TOKEN_MAX_MINUTES."""
    short = TokenService(AuthSettings(jwt_secret=SECRET, token_max_minutes=60), SECRET)
    assert short.verify(short.issue("a", ttl=timedelta(minutes=60))) == "a"
    long_lived = SERVICE.issue("a", ttl=timedelta(minutes=61))  # default maximum: 12 h
    with pytest.raises(InvalidCredentials, match="有效期超过 60 分钟上限"):
        short.verify(long_lived)
    with pytest.raises(ValueError, match="at most 60 minutes"):
        short.issue("a", ttl=timedelta(minutes=61))
    payload = jwt.decode(SERVICE.issue("a"), SECRET, algorithms=["HS256"], audience="xietong")
    del payload["iat"]
    with pytest.raises(InvalidCredentials):
        SERVICE.verify(jwt.encode(payload, SECRET, algorithm="HS256"))


def test_the_default_maximum_is_twelve_hours() -> None:
    assert AuthSettings().token_max_minutes == 12 * 60
    assert SERVICE.verify(SERVICE.issue("a", ttl=timedelta(hours=12))) == "a"
    with pytest.raises(ValueError, match="at most 720 minutes"):
        SERVICE.issue("a", ttl=timedelta(hours=12, minutes=1))


class _Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


def test_a_verified_token_is_remembered_five_minutes_at_most_and_never_past_its_expiry() -> None:
    clock = _Clock()
    service = TokenService(AuthSettings(jwt_secret=SECRET), SECRET, clock=clock)
    short, long = service.issue("a", ttl=timedelta(minutes=2)), service.issue("b")
    assert service.verify(short) == "a"
    assert service.verify(long) == "b"
    expiry = jwt.decode(short, SECRET, algorithms=["HS256"], audience="xietong")["exp"]
    remembered = sorted(until for _, until in service._verified.values())
    assert remembered == [pytest.approx(expiry), pytest.approx(clock.now + VERIFIED_TTL_S)]
    # Within the window the answer comes from memory: a rotated secret is not consulted yet.
    service.secret = "another-secret-of-sufficient-length-00000"
    clock.now += VERIFIED_TTL_S - 1
    assert service.verify(long) == "b"
    # Past it, the token is verified again, against the key in force now.
    clock.now += 2
    with pytest.raises(InvalidCredentials):
        service.verify(long)
    with pytest.raises(InvalidCredentials):
        service.verify(short)


def test_refused_tokens_are_not_remembered() -> None:
    service = TokenService(AuthSettings(jwt_secret=SECRET), SECRET)
    expired = service.issue("a", ttl=timedelta(minutes=-5))
    for _ in range(2):
        with pytest.raises(InvalidCredentials, match="过期"):
            service.verify(expired)
    with pytest.raises(InvalidCredentials):
        service.verify("not-a-token")
    assert service._verified == {}
