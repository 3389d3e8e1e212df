"""What ``XIETONG_ENV=production`` refuses to start with.

``serve`` and ``worker`` call these before starting anything and exit with code 2, listing every
problem at once, so an operator fixes a configuration in one round rather than one per restart.

Two kinds of check:

- ``problems(settings)``: pure, from the settings alone (signing key, GraphiQL, introspection,
  missing URLs, the application and migration URLs using the same role);
- ``database_problems(url)``: connects with the application's URL and refuses a role that would
  bypass row-level security (docs/architecture.md §1.1): a superuser, a role with BYPASSRLS, or one
  that owns (or inherits the privileges of the owner of) a table.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import asyncpg
from sqlalchemy.engine import make_url

from xietong.config import DEV_KEY_PREFIX, Settings
from xietong.db.engine import asyncpg_dsn

MIN_SECRET_LENGTH = 32
CONNECT_TIMEOUT_S = 10.0


def _auth_problems(settings: Settings) -> list[str]:
    auth = settings.auth
    if auth.jwks_url:
        if not auth.jwks_url.startswith("https://"):
            return [
                "XIETONG_JWKS_URL must be an https:// URL: keys fetched in clear text can be "
                "replaced on the way"
            ]
        return []
    secret = auth.jwt_secret
    if not secret:
        return [
            "no token signing key: set XIETONG_JWKS_URL (an OIDC provider's keys) or "
            f"XIETONG_JWT_SECRET (a random secret of at least {MIN_SECRET_LENGTH} characters)"
        ]
    if secret.startswith(DEV_KEY_PREFIX):
        return [
            "XIETONG_JWT_SECRET is the development key (it starts with "
            f"'{DEV_KEY_PREFIX}'); anyone with a checkout could sign tokens. Generate one, e.g. "
            "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`"
        ]
    if len(secret) < MIN_SECRET_LENGTH:
        return [
            f"XIETONG_JWT_SECRET is {len(secret)} characters; production needs at least "
            f"{MIN_SECRET_LENGTH}"
        ]
    return []


def _secret_problems(settings: Settings) -> list[str]:
    secret = settings.secret_key
    if not secret:
        return [
            "XIETONG_SECRET_KEY is not set: it derives the keys for row-level security scopes, "
            "audit MACs and personal-id hashes; generate one, e.g. "
            "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`"
        ]
    if secret.startswith(DEV_KEY_PREFIX):
        return [f"XIETONG_SECRET_KEY is a development secret (it starts with '{DEV_KEY_PREFIX}')"]
    if len(secret) < MIN_SECRET_LENGTH:
        return [
            f"XIETONG_SECRET_KEY is {len(secret)} characters; production needs at least "
            f"{MIN_SECRET_LENGTH}"
        ]
    if secret == settings.auth.jwt_secret:
        return ["XIETONG_SECRET_KEY must differ from XIETONG_JWT_SECRET"]
    return []


def _role(url: str) -> str | None:
    try:
        return make_url(url).username
    except Exception:  # an unparsable URL is reported by whoever connects with it
        return None


def problems(settings: Settings, *, needs_redis: bool = True) -> list[str]:
    """Everything wrong with ``settings`` for production; empty outside production."""
    if not settings.is_production:
        return []
    found = _auth_problems(settings) + _secret_problems(settings)
    if settings.graphql.graphiql:
        found.append("XIETONG_GRAPHIQL is on; production serves no GraphiQL IDE")
    if settings.graphql.introspection:
        found.append(
            "XIETONG_INTROSPECTION is on; production does not let anonymous callers list the "
            "schema (integrators get graphql/schema.graphql)"
        )
    db = settings.database
    app_role = _role(db.url) if db.url else None
    if not db.url:
        found.append("XIETONG_DATABASE_URL is not set; production never starts embedded servers")
    elif db.migration_url and app_role is not None and app_role == _role(db.migration_url):
        found.append(
            "XIETONG_DATABASE_URL and XIETONG_MIGRATION_DATABASE_URL use the same role "
            f"({app_role}); the application must connect as a role that owns no table"
        )
    if needs_redis and not settings.redis.url:
        found.append("XIETONG_REDIS_URL is not set; production never starts an embedded Redis")
    return found


async def database_problems(url: str) -> list[str]:
    """Connect as the application and refuse a role that row-level security would not bind."""
    parsed = make_url(url)
    dsn = asyncpg_dsn(parsed)
    shown = parsed.render_as_string(hide_password=True)
    try:
        conn = await asyncpg.connect(dsn, timeout=CONNECT_TIMEOUT_S)
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        return [f"cannot connect to XIETONG_DATABASE_URL ({shown}): {type(exc).__name__}: {exc}"]
    try:
        role = await conn.fetchrow(
            "SELECT current_user AS name, rolsuper, rolbypassrls FROM pg_roles "
            "WHERE rolname = current_user"
        )
        # pg_has_role(..., 'USAGE'): the role is the owner or inherits its privileges, and
        # PostgreSQL then treats it as the owner, which skips (non-forced) policies.
        owned: Sequence[asyncpg.Record] = await conn.fetch(
            "SELECT schemaname || '.' || tablename AS name FROM pg_tables "
            "WHERE schemaname NOT IN ('pg_catalog', 'information_schema') "
            "AND pg_has_role(current_user, tableowner, 'USAGE') ORDER BY 1 LIMIT 6"
        )
    finally:
        await conn.close()
    found = []
    name = role["name"] if role else "?"
    if role and role["rolsuper"]:
        # A superuser also has BYPASSRLS and every role's privileges: one line says it all.
        return [
            f"XIETONG_DATABASE_URL connects as {name}, a superuser: row-level security would not "
            "apply; connect as the application role (see helm/README.md)"
        ]
    if role and role["rolbypassrls"]:
        found.append(
            f"XIETONG_DATABASE_URL connects as {name}, which has BYPASSRLS: row-level security "
            "would not apply; ALTER ROLE ... NOBYPASSRLS or use another role"
        )
    if owned:
        tables = ", ".join(row["name"] for row in owned[:5]) + (", ..." if len(owned) > 5 else "")
        found.append(
            f"XIETONG_DATABASE_URL connects as {name}, which owns tables ({tables}): owners "
            "bypass row-level security; use the migration role only for `xietong migrate`"
        )
    return found


def check(settings: Settings, *, needs_redis: bool = True) -> list[str]:
    """Every problem at once: the settings' and, when there is a URL to try, the database's."""
    found = problems(settings, needs_redis=needs_redis)
    if settings.is_production and settings.database.url:
        found += asyncio.run(database_problems(settings.database.url))
    return found
