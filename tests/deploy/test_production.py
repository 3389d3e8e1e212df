"""``XIETONG_ENV=production``: what ``serve`` and ``worker`` refuse, and that they start (several
uvicorn processes, /metrics adding up their figures) when the configuration is sound."""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy.engine import make_url

from tests.conftest import Database
from tests.deploy.conftest import (
    GOOD_SECRET,
    GOOD_SERVER_SECRET,
    METRICS_TOKEN,
    Process,
    clean_env,
    free_port,
    get,
    xietong,
)
from xietong.config import DEV_KEY_PREFIX
from xietong.production import database_problems


def production_env(db_url: str, redis_url: str, **extra: str) -> dict[str, str]:
    settings = {
        "env": "production",
        "database_url": db_url,
        "redis_url": redis_url,
        "jwt_secret": GOOD_SECRET,
        "secret_key": GOOD_SERVER_SECRET,
        "metrics_token": METRICS_TOKEN,
    }
    return clean_env(**{**settings, **extra})


def test_serve_refuses_the_development_key(seeded_db: Database, redis_url: str) -> None:
    env = production_env(
        seeded_db.app_url, redis_url, jwt_secret=DEV_KEY_PREFIX + "0123456789abcdef" * 3
    )
    result = xietong("serve", "--port", str(free_port()), env=env)
    assert result.returncode == 2, result.stderr
    assert "refusing to start with XIETONG_ENV=production" in result.stderr
    assert "XIETONG_JWT_SECRET is the development key" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_serve_refuses_a_superuser_and_lists_every_problem(
    seeded_db: Database, pg_admin_url: str, redis_url: str
) -> None:
    superuser = make_url(pg_admin_url).set(database=seeded_db.name)
    env = production_env(
        superuser.render_as_string(hide_password=False), redis_url, graphiql="true"
    )
    result = xietong("serve", "--port", str(free_port()), env=env)
    assert result.returncode == 2, result.stderr
    assert "a superuser: row-level security would not apply" in result.stderr
    assert "XIETONG_GRAPHIQL is on" in result.stderr
    assert "2 problem(s)" in result.stderr


async def test_table_owners_are_refused_and_the_app_role_is_not(seeded_db: Database) -> None:
    (problem,) = await database_problems(seeded_db.owner_url)
    assert "owns tables (public." in problem
    assert await database_problems(seeded_db.app_url) == []
    (unreachable,) = await database_problems("postgresql://xietong_app:pw@127.0.0.1:9/x")
    assert "cannot connect" in unreachable
    assert "pw" not in unreachable  # the password is masked


def test_worker_refuses_without_redis(seeded_db: Database) -> None:
    env = clean_env(
        env="production",
        database_url=seeded_db.app_url,
        jwt_secret=GOOD_SECRET,
        secret_key=GOOD_SERVER_SECRET,
    )
    result = xietong("worker", env=env)
    assert result.returncode == 2, result.stderr
    assert "XIETONG_REDIS_URL is not set" in result.stderr


def test_serve_starts_with_a_sound_configuration_and_stops_on_sigterm(
    seeded_db: Database, redis_url: str, tmp_path: Path, processes: list[Process]
) -> None:
    port = free_port()
    env = production_env(seeded_db.app_url, redis_url, port=str(port), workers="2")
    server = Process("serve", env=env, log=tmp_path / "serve.log")
    processes.append(server)
    base = f"http://127.0.0.1:{port}"
    server.wait_for(f"{base}/health/ready")
    query = "query%20Probe%7Bjurisdiction(code%3A%22422825%22)%7Bcode%7D%7D"
    for _ in range(4):  # several requests, so both processes are likely to answer some
        status, body = get(f"{base}/graphql?query={query}")
        assert status == 200, body
        assert '"422825"' in body

    assert get(f"{base}/metrics")[0] == 401  # it names operations and tenants: token only
    status, metrics = get(f"{base}/metrics", headers={"authorization": f"Bearer {METRICS_TOKEN}"})
    assert status == 200
    # Both processes' figures, whichever of them answered the scrape (multiprocess mode).
    assert (
        'xietong_graphql_operation_duration_seconds_count{operation="Probe",type="query"} 4.0'
        in (metrics)
    )
    assert "xietong_db_pool_size" in metrics
    assert "xietong_obligations_overdue 0.0" in metrics
    assert "xietong_worker_last_heartbeat_seconds" in metrics
    status, body = get(f"{base}/graphql?query=%7B__schema%7Btypes%7Bname%7D%7D%7D")
    assert "introspection" in body.lower()  # refused: production turns introspection off
    output = server.output()
    assert server.terminate() == 0, server.output()
    assert '"level": "info"' in output or '"level":"info"' in output  # JSON logs in production
    assert "Traceback" not in server.output()


def test_worker_runs_the_heartbeat_serves_metrics_and_stops_on_sigterm(
    seeded_db: Database, redis_url: str, tmp_path: Path, processes: list[Process]
) -> None:
    port = free_port()
    env = production_env(
        seeded_db.app_url, redis_url, worker_metrics_port=str(port), host="127.0.0.1"
    )
    worker = Process("worker", env=env, log=tmp_path / "worker.log")
    processes.append(worker)
    ran = 'xietong_job_runs_total{job="heartbeat"} 1.0'
    body = worker.wait_for(f"http://127.0.0.1:{port}/metrics")
    deadline = time.monotonic() + 20
    while ran not in body and time.monotonic() < deadline:  # the startup heartbeat is queued
        time.sleep(0.1)
        body = get(f"http://127.0.0.1:{port}/metrics")[1]
    assert ran in body, worker.output()
    assert xietong("worker", "--check", env=env).returncode == 0
    assert worker.terminate() == 0, worker.output()
    assert "Traceback" not in worker.output()
