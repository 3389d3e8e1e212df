"""What the service shows to those who probe it: metrics only with a token (off in production
without one), no "Did you mean …?" when suggestions are off, and a readiness probe that names a
scope-key mismatch instead of serving empty lists."""

from __future__ import annotations

import dataclasses

from litestar.testing import AsyncTestClient

from tests.conftest import Database
from tests.support import graphql_client, settings_for
from xietong.app import create_app
from xietong.config import Environment, GraphQLSettings, ServerSettings
from xietong.schema import build_schema

TOKEN = "a-metrics-token-of-more-than-32-characters-0123"


async def test_metrics_need_the_token_when_one_is_set(seeded_db: Database) -> None:
    settings = settings_for(seeded_db, server=ServerSettings(metrics_token=TOKEN))
    async with AsyncTestClient(create_app(settings)) as client:
        assert (await client.get("/metrics")).status_code == 401
        wrong = await client.get("/metrics", headers={"authorization": "Bearer nope"})
        assert wrong.status_code == 401
        assert wrong.headers["www-authenticate"] == "Bearer"
        right = await client.get("/metrics", headers={"authorization": f"Bearer {TOKEN}"})
        assert right.status_code == 200
        assert "xietong_db_pool_size" in right.text


async def test_metrics_are_off_in_production_without_a_token(seeded_db: Database) -> None:
    settings = dataclasses.replace(settings_for(seeded_db), env=Environment.PRODUCTION)
    async with AsyncTestClient(create_app(settings)) as client:
        assert (await client.get("/metrics")).status_code == 404
    settings = dataclasses.replace(
        settings_for(seeded_db, server=ServerSettings(metrics_token=TOKEN)),
        env=Environment.PRODUCTION,
    )
    async with AsyncTestClient(create_app(settings)) as client:
        headers = {"authorization": f"Bearer {TOKEN}"}
        assert (await client.get("/metrics", headers=headers)).status_code == 200


FIELD_TYPO = '{ jurisdiction(code: "422825") { nmae } }'
INPUT_TYPO = "mutation($i: ApiKeyCreateInput!) { apiKeyCreate(input: $i) { secret } }"


async def test_suggestions_can_be_switched_off(seeded_db: Database) -> None:
    async with graphql_client(seeded_db) as gql:  # development: suggestions help
        body = await gql(FIELD_TYPO)
        assert "Did you mean 'name'?" in body["errors"][0]["message"]
    hidden = GraphQLSettings(suggestions=False)
    async with graphql_client(seeded_db, graphql=hidden) as gql:
        field = await gql(FIELD_TYPO)
        assert field["errors"][0]["message"] == (
            "查询未通过校验（Cannot query field 'nmae' on type 'Jurisdiction'.）"
        )
        assert field["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
        variables = {"i": {"nmae": "x", "jurisdiction": "422825", "roles": ["INTEGRATOR"]}}
        typo = await gql(INPUT_TYPO, variables, login="xuanen.office")
        assert typo["errors"]
        assert "Did you mean" not in " ".join(e["message"] for e in typo["errors"])
        # variables are coerced by the document cache too: it hides them there as well
        assert build_schema(hidden).documents.hide_suggestions is True
        assert (await gql.data('{ jurisdiction(code: "422825") { name } }'))["jurisdiction"]


async def test_readiness_names_a_scope_key_mismatch(seeded_db: Database) -> None:
    other = dataclasses.replace(
        settings_for(seeded_db), secret_key="another-server-secret-that-was-never-migrated"
    )
    async with AsyncTestClient(create_app(other)) as client:
        response = await client.get("/health/ready")
    assert response.status_code == 503
    scope = response.json()["scope"]
    assert scope["status"] == "unknown-key"
    assert "Run `xietong migrate` with this XIETONG_SECRET_KEY" in scope["hint"]
    async with AsyncTestClient(create_app(settings_for(seeded_db))) as client:
        assert (await client.get("/health/ready")).status_code == 200
