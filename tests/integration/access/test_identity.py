"""Who is calling: bearer tokens for people, API keys for integrators, nobody for the public."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

from sqlalchemy import text

from tests.conftest import ROOT, Database
from tests.support import (
    TEST_SECRET,
    TEST_SERVER_SECRET,
    GraphQLClient,
    _tokens,
    bearer,
    counting,
    error_codes,
)
from xietong.access.tokens import TokenService
from xietong.config import AuthSettings
from xietong.db.engine import make_engine

ME = "{ me { kind login name roles { role jurisdiction { code } } department { name } } }"


def test_the_cli_prints_a_token_whose_me_shows_the_office_at_xuanen(seeded_db: Database) -> None:
    env = {
        **os.environ,
        "XIETONG_DATABASE_URL": seeded_db.app_url,
        "XIETONG_JWT_SECRET": TEST_SECRET,
        "XIETONG_SECRET_KEY": TEST_SERVER_SECRET,
    }
    result = subprocess.run(
        [sys.executable, "-m", "xietong", "token", "xuanen.office"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    token = result.stdout.strip()
    assert _tokens.verify(token) == "xuanen.office"

    unknown = subprocess.run(
        [sys.executable, "-m", "xietong", "token", "nobody.here"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
    )
    assert unknown.returncode != 0
    assert "no active person with login 'nobody.here'" in unknown.stderr
    assert "Traceback" not in unknown.stderr

    for minutes in ("0", "721", "-5"):
        refused = subprocess.run(
            [sys.executable, "-m", "xietong", "token", "xuanen.office", "--minutes", minutes],
            capture_output=True,
            text=True,
            env=env,
            cwd=ROOT,
            timeout=60,
        )
        assert refused.returncode == 2, refused.stderr
        assert "is not between 1 and 720" in refused.stderr

    other_secret = subprocess.run(
        [sys.executable, "-m", "xietong", "token", "xuanen.office"],
        capture_output=True,
        text=True,
        env={**env, "XIETONG_SECRET_KEY": "another-server-secret-that-was-never-migrated-01"},
        cwd=ROOT,
        timeout=60,
    )
    assert other_secret.returncode == 1
    assert "does not hold this process's scope key" in other_secret.stderr


async def test_me_for_the_xuanen_office(gql: GraphQLClient) -> None:
    me = (await gql.data(ME, login="xuanen.office"))["me"]
    assert me["kind"] == "PERSON"
    assert me["login"] == "xuanen.office"
    assert {"role": "SUPERVISION_OFFICE", "jurisdiction": {"code": "422825"}} in me["roles"]
    assert "宣恩县" in me["department"]["name"]


async def test_anonymous_callers_have_no_me_and_reach_only_public_data(gql: GraphQLClient) -> None:
    assert (await gql.data(ME))["me"] is None
    assert (await gql.data('{ jurisdiction(code: "422825") { name } }'))["jurisdiction"]
    body = await gql("{ people { totalCount } }")
    assert error_codes(body) == ["UNAUTHENTICATED"]


async def test_bad_tokens_get_401_in_graphql_shape(gql: GraphQLClient) -> None:
    for headers in (
        {"authorization": "Bearer not-a-token"},
        {"authorization": "Basic dXNlcjpwYXNz"},
        {"authorization": f"Bearer {_tokens.issue('x', ttl=timedelta(minutes=-5))}"},
        {"authorization": f"Bearer {_tokens.issue('nobody.here')}"},
    ):
        response = await gql.http.post("/graphql", json={"query": ME}, headers=headers)
        assert response.status_code == 401
        body = response.json()
        assert error_codes(body) == ["UNAUTHENTICATED"]
        assert "Traceback" not in response.text


async def test_a_deactivation_takes_effect_on_the_next_request(
    fresh_db: Database, fresh_gql: GraphQLClient
) -> None:
    before = await fresh_gql.http.post(
        "/graphql", json={"query": ME}, headers=bearer("xuanen.audit")
    )
    assert before.json()["data"]["me"]["login"] == "xuanen.audit"
    engine = make_engine(fresh_db.owner_url, pool_size=1)
    async with engine.begin() as conn:
        await conn.execute(text("UPDATE person SET active = false WHERE login = 'xuanen.audit'"))
    await engine.dispose()
    # no cache, no notification needed: the very next request is refused
    response = await fresh_gql.http.post(
        "/graphql", json={"query": ME}, headers=bearer("xuanen.audit")
    )
    unknown = await fresh_gql.http.post(
        "/graphql", json={"query": ME}, headers=bearer("nobody.here")
    )
    assert response.status_code == unknown.status_code == 401
    # a deactivated login and one that never existed look the same
    assert response.json() == unknown.json()
    assert "不存在或已停用" in response.json()["errors"][0]["message"]


async def test_a_remembered_token_does_not_outlive_a_deactivation(
    fresh_db: Database, fresh_gql: GraphQLClient
) -> None:
    """The server remembers verified tokens (``TokenService.verify``), not who is active: the
    very token it has just accepted is refused on the next request after a deactivation."""
    headers = bearer("xuanen.audit")
    for _ in range(2):  # the second answer comes from the remembered verification
        accepted = await fresh_gql.http.post("/graphql", json={"query": ME}, headers=headers)
        assert accepted.json()["data"]["me"]["login"] == "xuanen.audit"
    engine = make_engine(fresh_db.owner_url, pool_size=1)
    async with engine.begin() as conn:
        await conn.execute(text("UPDATE person SET active = false WHERE login = 'xuanen.audit'"))
    await engine.dispose()
    refused = await fresh_gql.http.post("/graphql", json={"query": ME}, headers=headers)
    assert refused.status_code == 401
    assert error_codes(refused.json()) == ["UNAUTHENTICATED"]


async def test_a_remembered_caller_who_left_neither_writes_nor_reads_anything(
    fresh_db: Database, fresh_gql: GraphQLClient
) -> None:
    """A remembered caller's request prepares its work while the database confirms the caller
    (``db.prelude.begin_soon``): a mutation waits for the confirmation before it runs, a query's
    answer before it is sent, so the very next request after a deactivation does nothing."""
    headers = bearer("enshi.office")
    key = {"input": {"name": "对接", "jurisdiction": "422825", "roles": ["INTEGRATOR"]}}
    for _ in range(2):  # seen, then remembered
        made = await fresh_gql.http.post(
            "/graphql", json={"query": CREATE_KEY, "variables": key}, headers=headers
        )
        assert made.json()["data"]["apiKeyCreate"]["errors"] == []
    engine = make_engine(fresh_db.owner_url, pool_size=1)
    try:
        async with engine.begin() as conn:
            await conn.execute(
                text("UPDATE person SET active = false WHERE login = 'enshi.office'")
            )
        refused = await fresh_gql.http.post(
            "/graphql", json={"query": CREATE_KEY, "variables": key}, headers=headers
        )
        assert refused.status_code == 401
        assert error_codes(refused.json()) == ["UNAUTHENTICATED"]
        async with engine.connect() as conn:
            assert await conn.scalar(text("SELECT count(*) FROM api_key")) == 2
        # A query answered from what the process remembers, with no statement of its own.
        seen = await fresh_gql.http.post("/graphql", json={"query": ME}, headers=headers)
        assert seen.status_code == 401
        assert "enshi.office" not in seen.text
    finally:
        await engine.dispose()


CREATE_KEY = """
mutation($input: ApiKeyCreateInput!) {
  apiKeyCreate(input: $input) {
    apiKey { id prefix name roles jurisdiction { code } }
    secret
    errors { field code message }
  }
}"""


async def test_api_key_lifecycle(fresh_gql: GraphQLClient) -> None:
    created = (
        await fresh_gql.data(
            CREATE_KEY,
            {
                "input": {
                    "name": "县交易系统对接",
                    "jurisdiction": "422825",
                    "roles": ["INTEGRATOR"],
                }
            },
            login="enshi.office",
        )
    )["apiKeyCreate"]
    assert created["errors"] == []
    secret = created["secret"]
    assert secret.startswith(f"xt_{created['apiKey']['prefix']}_")

    me = await fresh_gql(ME, headers={"x-api-key": secret})
    assert me["data"]["me"]["kind"] == "API_KEY"
    assert me["data"]["me"]["roles"] == [{"role": "INTEGRATOR", "jurisdiction": {"code": "422825"}}]
    # also as a bearer credential
    me = await fresh_gql(ME, headers={"authorization": f"Bearer {secret}"})
    assert me["data"]["me"]["kind"] == "API_KEY"

    listed = await fresh_gql.data(
        "{ apiKeys { nodes { prefix lastUsedAt } } }", login="xuanen.office"
    )
    (key,) = listed["apiKeys"]["nodes"]
    assert key["prefix"] == created["apiKey"]["prefix"]
    assert key["lastUsedAt"] is not None

    revoked = await fresh_gql.data(
        "mutation($id: ID!) { apiKeyRevoke(input: {id: $id}) { apiKey { revokedAt } "
        "errors { code } } }",
        {"id": created["apiKey"]["id"]},
        login="xuanen.office",
    )
    assert revoked["apiKeyRevoke"]["apiKey"]["revokedAt"]
    response = await fresh_gql.http.post(
        "/graphql", json={"query": ME}, headers={"x-api-key": secret}
    )
    assert response.status_code == 401
    assert "吊销" in response.json()["errors"][0]["message"]

    again = await fresh_gql.data(
        "mutation($id: ID!) { apiKeyRevoke(input: {id: $id}) { apiKey { id } "
        "errors { code field } } }",
        {"id": created["apiKey"]["id"]},
        login="xuanen.office",
    )
    assert again["apiKeyRevoke"]["errors"] == [{"code": "ALREADY_REVOKED", "field": "id"}]


async def test_api_key_input_problems_come_back_in_the_payload(fresh_gql: GraphQLClient) -> None:
    for bad, field in (
        ({"roles": ["SUPERVISION_OFFICE"]}, "roles"),
        ({"name": "  "}, "name"),
        ({"expiresOn": "2020-01-01"}, "expiresOn"),
    ):
        result = (
            await fresh_gql.data(
                CREATE_KEY,
                {"input": {"name": "x", "jurisdiction": "422825", "roles": ["INTEGRATOR"], **bad}},
                login="xuanen.office",
            )
        )["apiKeyCreate"]
        assert result["apiKey"] is None
        assert result["secret"] is None
        assert [e["field"] for e in result["errors"]] == [field]
    assert (await fresh_gql.data("{ apiKeys { totalCount } }", login="xuanen.office"))["apiKeys"][
        "totalCount"
    ] == 0


async def test_a_county_cannot_issue_keys_for_its_city(fresh_gql: GraphQLClient) -> None:
    body = await fresh_gql(
        CREATE_KEY,
        {"input": {"name": "x", "jurisdiction": "422800", "roles": ["INTEGRATOR"]}},
        login="xuanen.office",
    )
    assert error_codes(body) == ["FORBIDDEN"]


async def test_x_api_key_carries_api_keys_only(gql: GraphQLClient) -> None:
    token = bearer("xuanen.office")["authorization"].removeprefix("Bearer ")
    refused = await gql.http.post("/graphql", json={"query": ME}, headers={"x-api-key": token})
    assert refused.status_code == 401
    assert "X-Api-Key" in refused.json()["errors"][0]["message"]
    both = await gql.http.post(
        "/graphql",
        json={"query": ME},
        headers={**bearer("xuanen.office"), "x-api-key": "xt_abcd_" + "x" * 40},
    )
    assert both.status_code == 401
    assert "not both" in both.json()["errors"][0]["message"]


async def test_tokens_past_the_maximum_lifetime_are_refused(gql: GraphQLClient) -> None:
    long_lived = TokenService(
        AuthSettings(jwt_secret=TEST_SECRET, token_max_minutes=24 * 60), TEST_SECRET
    ).issue("xuanen.office", ttl=timedelta(hours=13))
    response = await gql.http.post(
        "/graphql", json={"query": ME}, headers={"authorization": f"Bearer {long_lived}"}
    )
    assert response.status_code == 401
    assert "有效期超过 720 分钟上限" in response.json()["errors"][0]["message"]


async def test_keys_whose_creator_left_are_listed_for_revocation(
    fresh_db: Database, fresh_gql: GraphQLClient
) -> None:
    """A key records who created it; when that person is deactivated, the office finds it."""
    made = {}
    for creator in ("xuanen.office", "enshi.office"):
        created = (
            await fresh_gql.data(
                CREATE_KEY,
                {
                    "input": {
                        "name": f"by {creator}",
                        "jurisdiction": "422825",
                        "roles": ["INTEGRATOR"],
                    }
                },
                login=creator,
            )
        )["apiKeyCreate"]
        made[creator] = created["apiKey"]["id"]
    engine = make_engine(fresh_db.owner_url, pool_size=1)
    async with engine.begin() as conn:
        await conn.execute(text("UPDATE person SET active = false WHERE login = 'enshi.office'"))
    await engine.dispose()

    query = (
        "query($left: Boolean) { apiKeys(creatorLeft: $left) { nodes { id createdBy "
        "creatorLeftAt } } }"
    )
    left = (await fresh_gql.data(query, {"left": True}, login="xuanen.office"))["apiKeys"]["nodes"]
    assert [(k["id"], k["createdBy"]) for k in left] == [(made["enshi.office"], "enshi.office")]
    assert left[0]["creatorLeftAt"]
    staying = (await fresh_gql.data(query, {"left": False}, login="xuanen.office"))["apiKeys"]
    assert [k["id"] for k in staying["nodes"]] == [made["xuanen.office"]]
    revoked = await fresh_gql.data(
        "mutation($id: ID!) { apiKeyRevoke(input: {id: $id}) { errors { code } } }",
        {"id": made["enshi.office"]},
        login="xuanen.office",
    )
    assert revoked["apiKeyRevoke"]["errors"] == []


async def test_sign_in_and_scope_take_no_statement_of_their_own_and_follow_changes_at_once(
    fresh_db: Database, fresh_gql: GraphQLClient
) -> None:
    """The process remembers who a credential was; the database confirms it with the
    transaction's BEGIN (``xietong_sign_in_confirm``), so a move or a lost role shows on the
    very next request."""
    me = "{ me { jurisdiction { code } } }"
    city = '{ people(under: "422800") { totalCount } }'
    with counting(fresh_gql.app) as first:
        assert error_codes(await fresh_gql(city, login="xuanen.office")) == ["FORBIDDEN"]
    with counting(fresh_gql.app) as again:
        assert (await fresh_gql.data("{ me { login } }", login="xuanen.office")) == {
            "me": {"login": "xuanen.office"}
        }
    assert again.statements == []  # remembered: scope and confirmation ride with BEGIN
    assert len(first.statements) == 2, first.statements  # first sight: the lookup, the scope

    engine = make_engine(fresh_db.owner_url, pool_size=1)
    async with engine.begin() as conn:  # promoted to the city office (as a tenant load would)
        await conn.execute(
            text(
                "UPDATE person SET jurisdiction_code = 422800, department_id = "
                "(SELECT id FROM department WHERE key = 'enshi-office') "
                "WHERE login = 'xuanen.office'"
            )
        )
        await conn.execute(
            text(
                "UPDATE person_role SET jurisdiction_code = 422800 WHERE person_id = "
                "(SELECT id FROM person WHERE login = 'xuanen.office')"
            )
        )
    moved = await fresh_gql.data(me, login="xuanen.office")
    assert moved["me"]["jurisdiction"]["code"] == "422800"
    # the whole city, so PostgreSQL got the new scope too, not the remembered one
    listed = await fresh_gql.data(city, login="xuanen.office")
    assert listed["people"]["totalCount"] > 25

    async with engine.begin() as conn:  # and then loses the office role
        await conn.execute(
            text(
                "DELETE FROM person_role WHERE role = 'supervision_office' AND person_id = "
                "(SELECT id FROM person WHERE login = 'xuanen.office')"
            )
        )
    await engine.dispose()
    assert error_codes(await fresh_gql(city, login="xuanen.office")) == ["FORBIDDEN"]
