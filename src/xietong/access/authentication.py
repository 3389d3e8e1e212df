"""From request headers to a ``Principal``: bearer tokens for people, API keys for integrators.

Runs before a scope exists, so it reads through the two SECURITY DEFINER functions of migration
0003, which return exactly one person or key and nothing else.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from xietong.access.principal import (
    ANONYMOUS,
    Department,
    Principal,
    PrincipalKind,
    RoleAssignment,
)
from xietong.access.roles import Role
from xietong.access.tokens import InvalidCredentials, TokenService, hash_api_key, looks_like_api_key
from xietong.jurisdictions.enums import DepartmentKind, Industry


def _roles(values: list[str]) -> tuple[RoleAssignment, ...]:
    result = []
    for value in values:
        role, _, code = value.partition("@")
        result.append(RoleAssignment(Role(role), int(code)))
    return tuple(result)


async def person_principal(session: AsyncSession, login: str) -> Principal | None:
    """The person with this login as a principal; None if unknown; ``InvalidCredentials``
    if deactivated (removed from the tenant file)."""
    row = (
        (
            await session.execute(
                text("SELECT * FROM xietong_person_by_login(:login)"), {"login": login}
            )
        )
        .mappings()
        .first()
    )
    if row is None:
        return None
    if not row["active"]:
        raise InvalidCredentials("账号已停用（account deactivated）")
    industry = row["department_industry"]
    return Principal(
        kind=PrincipalKind.PERSON,
        actor=row["login"],
        name=row["name"],
        jurisdiction_code=row["jurisdiction_code"],
        roles=_roles(row["roles"]),
        person_id=row["id"],
        department=Department(
            id=row["department_id"],
            key=row["department_key"],
            name=row["department_name"],
            kind=DepartmentKind(row["department_kind"]),
            industry=Industry(industry) if industry else None,
        ),
    )


class PrincipalCache:
    """Callers authenticated in the last ``ttl`` seconds, per process.

    Saves a database round trip per request. Cleared whenever the policy watcher hears of a
    change (a tenant load, a key revoked), so a deactivated person or a revoked key loses access
    as soon as the notification arrives, not a TTL later. Failures are never cached.
    """

    def __init__(self, ttl: float = 60.0) -> None:
        self.ttl = ttl
        self._entries: dict[str, tuple[float, Principal, datetime | None]] = {}

    def get(self, key: str) -> tuple[Principal, datetime | None] | None:
        entry = self._entries.get(key)
        if entry is None or entry[0] < time.monotonic():
            self._entries.pop(key, None)
            return None
        return entry[1], entry[2]

    def put(self, key: str, principal: Principal, expires_at: datetime | None = None) -> None:
        if len(self._entries) > 10_000:
            self._entries.clear()
        self._entries[key] = (time.monotonic() + self.ttl, principal, expires_at)

    def clear(self) -> None:
        self._entries.clear()


async def api_key_principal(
    session: AsyncSession, secret: str, cache: PrincipalCache | None = None
) -> Principal:
    key = f"key:{hash_api_key(secret)}"
    cached = cache.get(key) if cache else None
    if cached is not None:
        principal, expires_at = cached
        if expires_at is not None and expires_at <= datetime.now(UTC):
            raise InvalidCredentials("API 密钥已过期（API key expired）")
        return principal
    row = (
        (
            await session.execute(
                text("SELECT * FROM xietong_api_key_by_hash(:h)"), {"h": hash_api_key(secret)}
            )
        )
        .mappings()
        .first()
    )
    if row is None:
        raise InvalidCredentials("API 密钥无效（unknown API key）")
    if row["revoked_at"] is not None:
        raise InvalidCredentials("API 密钥已吊销（API key revoked）")
    if row["expires_at"] is not None and row["expires_at"] <= datetime.now(UTC):
        raise InvalidCredentials("API 密钥已过期（API key expired）")
    # Last-used time is written on lookups, so at most once per cache lifetime.
    await session.execute(text("SELECT xietong_api_key_used(:id)"), {"id": row["id"]})
    code = row["jurisdiction_code"]
    principal = Principal(
        kind=PrincipalKind.API_KEY,
        actor=f"key:{row['prefix']}",
        name=row["name"],
        jurisdiction_code=code,
        roles=tuple(RoleAssignment(Role(r), code) for r in row["roles"]),
        api_key_id=row["id"],
    )
    if cache:
        cache.put(key, principal, row["expires_at"])
    return principal


async def authenticate(
    session: AsyncSession,
    *,
    authorization: str | None,
    api_key: str | None,
    tokens: TokenService,
    cache: PrincipalCache | None = None,
) -> Principal:
    """The caller; ``ANONYMOUS`` without credentials; ``InvalidCredentials`` for bad ones."""
    credential = api_key
    if authorization:
        scheme, _, value = authorization.strip().partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise InvalidCredentials(
                "Authorization 头格式应为 “Bearer <token>”（malformed header）"
            )
        credential = value.strip()
    if not credential:
        return ANONYMOUS
    if looks_like_api_key(credential):
        return await api_key_principal(session, credential, cache)
    login = tokens.verify(credential)  # every request: signature and expiry are never cached
    cached = cache.get(f"person:{login}") if cache else None
    if cached is not None:
        return cached[0]
    principal = await person_principal(session, login)
    if principal is None:
        raise InvalidCredentials("身份凭证对应的人员不存在（unknown person）")
    if cache:
        cache.put(f"person:{login}", principal)
    return principal
