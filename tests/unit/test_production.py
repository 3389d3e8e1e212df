"""What production refuses, from the settings alone (the database check is in tests/deploy)."""

from __future__ import annotations

import dataclasses

import pytest

from xietong.config import (
    DEV_KEY_PREFIX,
    AuthSettings,
    DatabaseSettings,
    Environment,
    GraphQLSettings,
    RedisSettings,
    ServerSettings,
    Settings,
)
from xietong.production import problems

GOOD_SECRET = "k" * 48
SERVER_SECRET = "s" * 48


def production(**overrides: object) -> Settings:
    base = Settings(
        env=Environment.PRODUCTION,
        database=DatabaseSettings(
            url="postgresql://xietong_app@db/xietong",
            migration_url="postgresql://xietong_owner@db/xietong",
        ),
        redis=RedisSettings(url="redis://redis:6379/0"),
        graphql=GraphQLSettings(graphiql=False, introspection=False, suggestions=False),
        auth=AuthSettings(jwt_secret=GOOD_SECRET),
        secret_key=SERVER_SECRET,
    )
    return dataclasses.replace(base, **overrides)  # type: ignore[arg-type]


def test_a_sound_configuration_passes() -> None:
    assert problems(production()) == []
    assert problems(production(auth=AuthSettings(jwks_url="https://idp.example/jwks"))) == []


def test_outside_production_nothing_is_refused() -> None:
    assert problems(Settings()) == []


@pytest.mark.parametrize(
    ("auth", "expected"),
    [
        (AuthSettings(), "no token signing key"),
        (AuthSettings(jwt_secret=DEV_KEY_PREFIX + "x" * 40), "development key"),
        (AuthSettings(jwt_secret="short"), "at least 32"),
        (AuthSettings(jwks_url="http://idp.example/jwks"), "https://"),
    ],
)
def test_unsafe_signing_keys_are_refused(auth: AuthSettings, expected: str) -> None:
    (problem,) = problems(production(auth=auth))
    assert expected in problem


@pytest.mark.parametrize(
    ("secret", "expected"),
    [
        (None, "XIETONG_SECRET_KEY is not set"),
        (DEV_KEY_PREFIX + "x" * 40, "development secret"),
        ("short", "at least 32"),
        (GOOD_SECRET, "must differ from XIETONG_JWT_SECRET"),
    ],
)
def test_unsafe_server_secrets_are_refused(secret: str | None, expected: str) -> None:
    (problem,) = problems(production(secret_key=secret))
    assert expected in problem


def test_every_problem_is_listed_at_once() -> None:
    found = problems(
        production(
            auth=AuthSettings(jwt_secret=DEV_KEY_PREFIX + "abc"),
            graphql=GraphQLSettings(graphiql=True, introspection=True),
            database=DatabaseSettings(),
            redis=RedisSettings(),
        )
    )
    assert len(found) == 6, found
    assert any("GRAPHIQL" in p for p in found)
    assert any("SUGGESTIONS" in p for p in found)
    assert any("INTROSPECTION" in p for p in found)
    assert any("XIETONG_DATABASE_URL is not set" in p for p in found)
    assert any("XIETONG_REDIS_URL" in p for p in found)
    assert problems(production(redis=RedisSettings()), needs_redis=False) == []


def test_the_app_must_not_share_the_migration_role() -> None:
    same = DatabaseSettings(
        url="postgresql://xietong_owner:a@db/xietong",
        migration_url="postgresql://xietong_owner:a@db/xietong",
    )
    (problem,) = problems(production(database=same))
    assert "same role (xietong_owner)" in problem


def test_production_defaults_turn_graphiql_and_introspection_off(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("XIETONG_ENV", "production")
    settings = Settings.from_env()
    assert settings.graphql.graphiql is False
    assert settings.graphql.introspection is False
    assert settings.log_json is True


def test_suggestions_metrics_token_and_token_lifetime_are_checked() -> None:
    (problem,) = problems(production(graphql=GraphQLSettings(graphiql=False, introspection=False)))
    assert "XIETONG_GRAPHQL_SUGGESTIONS is on" in problem
    (problem,) = problems(production(server=ServerSettings(metrics_token="short")))
    assert "XIETONG_METRICS_TOKEN is 5 characters" in problem
    assert problems(production(server=ServerSettings(metrics_token="m" * 40))) == []
    (problem,) = problems(
        production(auth=AuthSettings(jwt_secret=GOOD_SECRET, token_ttl_minutes=800))
    )
    assert "XIETONG_TOKEN_TTL_MINUTES (800) exceeds XIETONG_TOKEN_MAX_MINUTES (720)" in problem


def test_production_defaults_hide_suggestions() -> None:
    import os
    from unittest import mock

    with mock.patch.dict(os.environ, {"XIETONG_ENV": "production"}, clear=False):
        assert Settings.from_env().graphql.suggestions is False
    with mock.patch.dict(os.environ, {"XIETONG_ENV": "development"}, clear=False):
        assert Settings.from_env().graphql.suggestions is True
