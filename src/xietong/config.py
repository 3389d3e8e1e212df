"""Settings, read once from the environment.

Every setting is an ``XIETONG_*`` variable with a documented default. Unset database and Redis URLs
mean "start the embedded servers" (only the ``demo`` command and the test suite do that; ``serve``
and ``worker`` refuse to run without real URLs).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(f"XIETONG_{name}")
    return value if value not in (None, "") else default


def _env_bool(name: str, default: bool) -> bool:
    value = _env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_int(name: str, default: int) -> int:
    value = _env(name)
    return default if value is None else int(value)


@dataclass(frozen=True, slots=True)
class DatabaseSettings:
    url: str | None = None
    """``XIETONG_DATABASE_URL``: the application's connection, e.g.
    ``postgresql+asyncpg://xietong_app@db/xietong``. In production this role must own no table and
    lack BYPASSRLS, so that row-level security applies to it. Unset: the embedded server."""

    migration_url: str | None = None
    """``XIETONG_MIGRATION_DATABASE_URL``: the table owner's connection, used by ``migrate`` and
    ``tenants load``. Defaults to the application URL."""

    app_role: str = "xietong_app"
    """``XIETONG_DATABASE_APP_ROLE``: the role ``migrate`` grants table privileges to."""

    pool_size: int = 10
    """``XIETONG_DATABASE_POOL_SIZE``: connections kept per process."""

    echo: bool = False
    """``XIETONG_DATABASE_ECHO``: log every SQL statement (development only)."""

    statement_timeout_ms: int = 3000
    """``XIETONG_DATABASE_STATEMENT_TIMEOUT_MS``: PostgreSQL cancels any statement of the API or
    the worker that runs longer (``statement_timeout``); the client gives up one second later
    if the server does not answer at all (a frozen server). The API's reads and writes take
    milliseconds; a longer one is a fault, answered ``SERVICE_UNAVAILABLE``."""

    connect_timeout_ms: int = 2000
    """``XIETONG_DATABASE_CONNECT_TIMEOUT_MS``: how long to wait for a new connection, and for a
    free one from the pool."""

    @property
    def owner_url(self) -> str | None:
        return self.migration_url or self.url


@dataclass(frozen=True, slots=True)
class RedisSettings:
    url: str | None = None
    """``XIETONG_REDIS_URL``: e.g. ``redis://redis:6379/0`` or ``unix:///run/redis.sock``.
    Unset: the embedded server. Redis only wakes jobs up; PostgreSQL holds the truth."""


@dataclass(frozen=True, slots=True)
class ServerSettings:
    host: str = "127.0.0.1"
    """``XIETONG_HOST``: interface to listen on."""

    port: int = 8000
    """``XIETONG_PORT``: port to listen on."""

    workers: int = 2
    """``XIETONG_WORKERS``: server processes for ``xietong serve``."""

    metrics_token: str | None = None
    """``XIETONG_METRICS_TOKEN``: ``/metrics`` answers only requests carrying
    ``Authorization: Bearer <token>`` (it names operations and tenants). Unset: open outside
    production, switched off in production."""

    request_timeout_ms: int = 5000
    """``XIETONG_REQUEST_TIMEOUT_MS``: the deadline of one GraphQL request, from the first
    database call to the commit. Past it the request is abandoned, its transaction rolled back,
    and the caller told ``SERVICE_UNAVAILABLE`` (HTTP 503)."""

    freeze_heap: bool = False
    """``XIETONG_FREEZE_HEAP`` (on unless set to 0 when served): once started, move every object
    start-up made (schema, policy, rules, calendars) out of the cyclic garbage collector's
    reach (``gc.freeze``), so its full passes stop walking them in the middle of requests.
    Off for applications made in tests, which start hundreds per process."""


@dataclass(frozen=True, slots=True)
class GraphQLSettings:
    graphiql: bool = True
    """``XIETONG_GRAPHIQL``: serve GraphiQL at ``/graphql`` (forced off in production)."""

    introspection: bool = True
    """``XIETONG_INTROSPECTION``: allow schema introspection (forced off in production)."""

    suggestions: bool = True
    """``XIETONG_GRAPHQL_SUGGESTIONS``: "Did you mean …?" in error messages (off in
    production: it would reveal the schema that introspection hides)."""

    max_depth: int = 10
    """``XIETONG_GRAPHQL_MAX_DEPTH``: the deepest operation accepted, counted in fields from the
    root to a leaf: ``{ jurisdiction { parent { name } } }`` has depth 3; 10 accepts depth 10 and
    refuses 11 (``xietong.api.limits`` defines it exactly)."""

    max_aliases: int = 30
    """``XIETONG_GRAPHQL_MAX_ALIASES``: aliases accepted in one operation."""

    max_tokens: int = 2000
    """``XIETONG_GRAPHQL_MAX_TOKENS``: tokens accepted in one document."""

    max_cost: int = 10000
    """``XIETONG_GRAPHQL_MAX_COST``: objects one operation may touch, estimated before it runs
    (``first`` is capped at 100; see ``xietong.api.limits``)."""

    max_body_bytes: int = 1_048_576
    """``XIETONG_GRAPHQL_MAX_BODY_BYTES``: the largest request body ``/graphql`` reads."""

    document_cache_size: int = 256
    """``XIETONG_GRAPHQL_DOCUMENT_CACHE_SIZE``: parsed and validated documents kept per process
    (least recently used go first)."""

    projected_lists: bool = True
    """``XIETONG_GRAPHQL_PROJECTED_LISTS``: answer hot lists (``myWork``, ``escalations``) with
    nodes PostgreSQL builds as JSON when a document selects only fields it can build
    (``xietong.api.projection``); off, every list takes the ordinary resolvers."""


@dataclass(frozen=True, slots=True)
class WorkerSettings:
    metrics_port: int = 9100
    """``XIETONG_WORKER_METRICS_PORT``: where ``xietong worker`` serves Prometheus metrics (job
    runs, failures, durations); 0 turns it off."""

    max_jobs: int = 10
    """``XIETONG_WORKER_MAX_JOBS``: jobs one worker process runs at the same time."""

    sweep: bool = True
    """``XIETONG_WORKER_SWEEP``: run the deadline sweep every minute (and at start): warnings,
    overdue marks, notifications, escalations (``xietong.deadlines.sweep``). Needs
    ``XIETONG_DATABASE_URL``; any number of workers may run it at once."""

    sweep_batch: int = 2000
    """``XIETONG_WORKER_SWEEP_BATCH``: obligations the sweep handles per transaction (1–50,000):
    smaller batches hold locks for less time and lose less work to a killed worker."""


@dataclass(frozen=True, slots=True)
class AuditSettings:
    checkpoint_target: str | None = None
    """``XIETONG_AUDIT_CHECKPOINT_TARGET``: where the worker appends a signed checkpoint of every
    audit chain head (``xietong audit checkpoint``): a file path, or ``-`` for standard output.
    Keep it outside the database and its backups. Unset: the worker takes no checkpoints."""

    checkpoint_interval_minutes: int = 60
    """``XIETONG_AUDIT_CHECKPOINT_INTERVAL_MINUTES``: how often; a divisor of 60, or a whole
    number of hours dividing 24. Events after the newest checkpoint can be deleted unnoticed."""

    retired_secret_keys: tuple[str, ...] = ()
    """``XIETONG_AUDIT_RETIRED_SECRET_KEYS``: earlier server secrets, separated by commas or
    spaces, kept where ``xietong audit verify`` runs so that events and checkpoints signed before
    a rotation of ``XIETONG_SECRET_KEY`` still verify. Never used to sign."""


DEV_KEY_PREFIX = "xietong-dev-"
"""Every generated development signing key starts with this, so production can recognise one."""


@dataclass(frozen=True, slots=True)
class AuthSettings:
    jwt_secret: str | None = None
    """``XIETONG_JWT_SECRET``: HS256 signing secret. Unset outside production: a development key
    is generated once under the data directory (``dev-signing-key``, prefixed
    ``xietong-dev-``). Production refuses development keys."""

    jwks_url: str | None = None
    """``XIETONG_JWKS_URL``: an OIDC provider's JWKS; when set, tokens are RS256 and verified
    against it (with issuer and audience below) instead of the HS256 secret."""

    issuer: str = "xietong"
    """``XIETONG_JWT_ISSUER``: the ``iss`` every token must carry."""

    audience: str = "xietong"
    """``XIETONG_JWT_AUDIENCE``: the ``aud`` every token must carry."""

    token_ttl_minutes: int = 480
    """``XIETONG_TOKEN_TTL_MINUTES``: lifetime of tokens this service issues (a working day)."""

    token_max_minutes: int = 720
    """``XIETONG_TOKEN_MAX_MINUTES``: the longest lifetime (``exp`` − ``iat``) a bearer token may
    have, ours or an identity provider's; longer ones are refused, as is issuing one."""


@dataclass(frozen=True, slots=True)
class Settings:
    env: Environment = Environment.DEVELOPMENT
    """``XIETONG_ENV``: ``development`` (default), ``test`` or ``production``."""

    data_dir: Path = Path(".xietong")
    """``XIETONG_DATA_DIR``: where the embedded servers keep their data."""

    tenants_dir: Path = Path("tenants")
    """``XIETONG_TENANTS_DIR``: the tenant files ``tenants load`` reads by default."""

    log_level: str = "INFO"
    """``XIETONG_LOG_LEVEL``: DEBUG, INFO, WARNING or ERROR."""

    log_json: bool = False
    """``XIETONG_LOG_JSON``: one JSON object per log line (default in production)."""

    secret_key: str | None = None
    """``XIETONG_SECRET_KEY``: the server secret (at least 32 characters) from which every
    internal key is derived (``xietong.keys``): the scope PostgreSQL verifies, audit MACs,
    personal-id hashes. Unset outside production: generated once under the data directory
    (``server-secret``, prefixed ``xietong-dev-``). Production refuses development secrets."""

    database: DatabaseSettings = field(default_factory=DatabaseSettings)
    redis: RedisSettings = field(default_factory=RedisSettings)
    server: ServerSettings = field(default_factory=ServerSettings)
    graphql: GraphQLSettings = field(default_factory=GraphQLSettings)
    auth: AuthSettings = field(default_factory=AuthSettings)
    worker: WorkerSettings = field(default_factory=WorkerSettings)
    audit: AuditSettings = field(default_factory=AuditSettings)

    @property
    def is_production(self) -> bool:
        return self.env is Environment.PRODUCTION

    @classmethod
    def from_env(cls) -> Settings:
        env = Environment(_env("ENV") or Environment.DEVELOPMENT.value)
        production = env is Environment.PRODUCTION
        return cls(
            env=env,
            data_dir=Path(_env("DATA_DIR", ".xietong") or ".xietong"),
            tenants_dir=Path(_env("TENANTS_DIR", "tenants") or "tenants"),
            log_level=(_env("LOG_LEVEL", "INFO") or "INFO").upper(),
            log_json=_env_bool("LOG_JSON", production),
            secret_key=_env("SECRET_KEY"),
            database=DatabaseSettings(
                url=_env("DATABASE_URL"),
                migration_url=_env("MIGRATION_DATABASE_URL"),
                app_role=_env("DATABASE_APP_ROLE", "xietong_app") or "xietong_app",
                pool_size=_env_int("DATABASE_POOL_SIZE", 10),
                echo=_env_bool("DATABASE_ECHO", False),
                statement_timeout_ms=_env_int("DATABASE_STATEMENT_TIMEOUT_MS", 3000),
                connect_timeout_ms=_env_int("DATABASE_CONNECT_TIMEOUT_MS", 2000),
            ),
            redis=RedisSettings(url=_env("REDIS_URL")),
            server=ServerSettings(
                host=_env("HOST", "127.0.0.1") or "127.0.0.1",
                port=_env_int("PORT", 8000),
                workers=_env_int("WORKERS", 2),
                metrics_token=_env("METRICS_TOKEN"),
                request_timeout_ms=_env_int("REQUEST_TIMEOUT_MS", 5000),
                freeze_heap=_env_bool("FREEZE_HEAP", True),
            ),
            graphql=GraphQLSettings(
                graphiql=_env_bool("GRAPHIQL", not production),
                introspection=_env_bool("INTROSPECTION", not production),
                suggestions=_env_bool("GRAPHQL_SUGGESTIONS", not production),
                max_depth=_env_int("GRAPHQL_MAX_DEPTH", 10),
                max_aliases=_env_int("GRAPHQL_MAX_ALIASES", 30),
                max_tokens=_env_int("GRAPHQL_MAX_TOKENS", 2000),
                max_cost=_env_int("GRAPHQL_MAX_COST", 10000),
                max_body_bytes=_env_int("GRAPHQL_MAX_BODY_BYTES", 1_048_576),
                document_cache_size=_env_int("GRAPHQL_DOCUMENT_CACHE_SIZE", 256),
                projected_lists=_env_bool("GRAPHQL_PROJECTED_LISTS", True),
            ),
            auth=AuthSettings(
                jwt_secret=_env("JWT_SECRET"),
                jwks_url=_env("JWKS_URL"),
                issuer=_env("JWT_ISSUER", "xietong") or "xietong",
                audience=_env("JWT_AUDIENCE", "xietong") or "xietong",
                token_ttl_minutes=_env_int("TOKEN_TTL_MINUTES", 480),
                token_max_minutes=_env_int("TOKEN_MAX_MINUTES", 720),
            ),
            worker=WorkerSettings(
                metrics_port=_env_int("WORKER_METRICS_PORT", 9100),
                max_jobs=_env_int("WORKER_MAX_JOBS", 10),
                sweep=_env_bool("WORKER_SWEEP", True),
                sweep_batch=_env_int("WORKER_SWEEP_BATCH", 2000),
            ),
            audit=AuditSettings(
                checkpoint_target=_env("AUDIT_CHECKPOINT_TARGET"),
                checkpoint_interval_minutes=_env_int("AUDIT_CHECKPOINT_INTERVAL_MINUTES", 60),
                retired_secret_keys=tuple(
                    (_env("AUDIT_RETIRED_SECRET_KEYS") or "").replace(",", " ").split()
                ),
            ),
        )
