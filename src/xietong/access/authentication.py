"""From request headers to a ``Principal``: bearer tokens for people, API keys for integrators.

Runs before a scope exists, so it reads through two SECURITY DEFINER functions (migration 0004)
that answer only what a sign-in needs: ``xietong_sign_in`` returns the person whose login the
application signed for this connection (after verifying the bearer token), and only if active,
so arbitrary SQL cannot look anyone else up; ``xietong_api_key_sign_in`` returns the key whose
secret hashes to the given value, which only the key's holder can compute.

Nothing is cached between requests: a deactivated person or a revoked key is refused on the very
next request.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

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
from xietong.access.scope import backend_pid
from xietong.access.scope_token import ScopeClaims, ScopeSigner
from xietong.access.tokens import InvalidCredentials, TokenService, hash_api_key, looks_like_api_key
from xietong.jurisdictions.enums import DepartmentKind, Industry

UNKNOWN_PERSON = "身份凭证对应的人员不存在或已停用（unknown or deactivated person）"


def _roles(values: Iterable[str]) -> tuple[RoleAssignment, ...]:
    result = []
    for value in values:
        role, _, code = value.partition("@")
        result.append(RoleAssignment(Role(role), int(code)))
    return tuple(result)


def person_principal_of(row: Mapping[str, Any]) -> Principal:
    """A person as a principal, from ``xietong_sign_in``'s columns (or the same names)."""
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


async def person_principal(
    session: AsyncSession, login: str, signer: ScopeSigner
) -> Principal | None:
    """The active person with this login, or None (unknown and deactivated are the same).

    Call only for a login whose credential has been verified: the login is signed for this
    connection, which is what lets the database answer."""
    token = signer.sign(ScopeClaims(actor=login), pid=await backend_pid(session))
    row = (
        (await session.execute(text("SELECT * FROM xietong_sign_in(:token)"), {"token": token}))
        .mappings()
        .first()
    )
    return None if row is None else person_principal_of(dict(row))


async def api_key_principal(session: AsyncSession, secret: str) -> Principal:
    row = (
        (
            await session.execute(
                text("SELECT * FROM xietong_api_key_sign_in(:h)"), {"h": hash_api_key(secret)}
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
    code = row["jurisdiction_code"]
    return Principal(
        kind=PrincipalKind.API_KEY,
        actor=f"key:{row['prefix']}",
        name=row["name"],
        jurisdiction_code=code,
        roles=tuple(RoleAssignment(Role(r), code) for r in row["roles"]),
        api_key_id=row["id"],
    )


async def authenticate(
    session: AsyncSession,
    *,
    authorization: str | None,
    api_key: str | None,
    tokens: TokenService,
    signer: ScopeSigner,
) -> Principal:
    """The caller; ``ANONYMOUS`` without credentials; ``InvalidCredentials`` for bad ones.

    ``X-Api-Key`` carries only API keys; ``Authorization: Bearer`` a person's token or an API
    key. Both at once are refused rather than guessed between."""
    if authorization and api_key:
        raise InvalidCredentials(
            "请只提供一种身份凭证（send either Authorization or X-Api-Key, not both）"
        )
    if api_key:
        if not looks_like_api_key(api_key.strip()):
            raise InvalidCredentials("X-Api-Key 只接受 API 密钥（X-Api-Key takes an API key only）")
        return await api_key_principal(session, api_key.strip())
    if not authorization:
        return ANONYMOUS
    scheme, _, value = authorization.strip().partition(" ")
    credential = value.strip()
    if scheme.lower() != "bearer" or not credential:
        raise InvalidCredentials("Authorization 头格式应为 “Bearer <token>”（malformed header）")
    if looks_like_api_key(credential):
        return await api_key_principal(session, credential)
    login = tokens.verify(credential)  # signature, expiry and lifetime, every request
    principal = await person_principal(session, login, signer)
    if principal is None:
        raise InvalidCredentials(UNKNOWN_PERSON)
    return principal
