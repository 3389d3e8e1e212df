"""From request headers to a ``Principal`` and its scope, set on the transaction.

Runs before a scope exists, so it reads through two SECURITY DEFINER functions (migration 0004)
that answer only what a sign-in needs: ``xietong_sign_in`` returns the person whose login the
application signed for this connection (after verifying the bearer token), and only if active,
so arbitrary SQL cannot look anyone else up; ``xietong_api_key_sign_in`` returns the key whose
secret hashes to the given value, which only the key's holder can compute.

The caller is looked up on every request, so a deactivated person or a revoked key is refused on
the very next one. To keep that cheap, ``sign_in`` remembers per process who each credential was
last time (``SignInHints``). A key's caller has its scope set in the same statement as the
lookup; the row the lookup returns is the authority, and when it says otherwise the scope is set
again before any query runs. A person seen before costs no statement of its own: the
transaction's ``BEGIN`` carries the remembered scope and ``xietong_sign_in_confirm`` (migration
0019), which fails the transaction unless the person's row is still the one remembered (its
fingerprint); then the remembered caller is forgotten and the sign-in starts again on a fresh
connection (``StaleSignIn``). That ``BEGIN`` travels while the request prepares its work
(``db.prelude.begin_soon``; every statement waits behind it): ``sign_in`` hands back the
remembered caller with the confirmation still on its way (``Confirmation``), and the request
awaits it before a mutation runs and before anything is answered (``api.http``).
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NoReturn

from sqlalchemy import TextClause, text
from sqlalchemy.ext.asyncio import AsyncSession

from xietong.access.principal import (
    ANONYMOUS,
    Department,
    Principal,
    PrincipalKind,
    RoleAssignment,
)
from xietong.access.roles import Role
from xietong.access.scope import SET_SCOPE, Scope, apply, backend_pid, inline_scope
from xietong.access.scope_token import ScopeClaims, ScopeSigner
from xietong.access.tokens import InvalidCredentials, TokenService, hash_api_key, looks_like_api_key
from xietong.db.prelude import begin_soon
from xietong.jurisdictions.enums import DepartmentKind, Industry

UNKNOWN_PERSON = "身份凭证对应的人员不存在或已停用（unknown or deactivated person）"


class StaleSignIn(Exception):
    """The person remembered for a credential has changed (or is gone), or the connection was
    dead: the transaction that carried the remembered scope failed at its ``BEGIN`` and its
    connection is discarded; sign in again, from scratch, on a fresh one."""


class Confirmation:
    """The database's word that a remembered caller is unchanged, on its way with the
    transaction's ``BEGIN`` (``db.prelude.begin_soon``) while the request prepares its work.
    Every statement of the transaction waits behind it; **nothing may be answered, and no
    mutation run, before ``confirmed()`` returns**."""

    __slots__ = ("_began", "_forget", "_session")

    def __init__(
        self, session: AsyncSession, began: asyncio.Task[None], forget: Callable[[], None]
    ) -> None:
        self._session = session
        self._began = began
        self._forget = forget

    async def confirmed(self) -> None:
        """Return once confirmed; ``StaleSignIn`` if not (the person changed, the connection
        was dead, or the answer did not come in time): the connection is closed and discarded
        and the remembered caller forgotten, so signing in again starts from scratch."""
        try:
            await self._began
        except BaseException as exc:
            await _unconfirmed(self._session, exc, self._forget)

    async def settled(self) -> None:
        """Wait for the answer, whatever it is: before the transaction ends on an error (commit
        and rollback must not overtake the ``BEGIN``)."""
        with contextlib.suppress(StaleSignIn):
            await self.confirmed()


@dataclass(frozen=True, slots=True)
class SignedIn:
    principal: Principal
    scope: Scope
    """Set on the transaction (or on its way there with ``confirmation``)."""
    confirmation: Confirmation | None = None
    """A remembered caller's, still travelling; None when the sign-in is settled already."""


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


def _api_key_principal(row: Mapping[str, Any] | None) -> Principal:
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


@dataclass(frozen=True, slots=True)
class Hint:
    principal: Principal
    fingerprint: str | None
    """md5 of the person's sign-in row as PostgreSQL last returned it (None for a key)."""


class SignInHints:
    """Who each credential was the last time, per process. Bounded; never trusted alone: a
    key's lookup runs anyway, a person's row is confirmed by the database in the transaction's
    first message."""

    def __init__(self, limit: int = 10_000) -> None:
        self._limit = limit
        self._entries: dict[str, Hint] = {}

    def get(self, key: str) -> Hint | None:
        return self._entries.get(key)

    def put(self, key: str, principal: Principal, fingerprint: str | None = None) -> None:
        if len(self._entries) >= self._limit:
            self._entries.clear()
        self._entries[key] = Hint(principal, fingerprint)

    def forget(self, key: str) -> None:
        self._entries.pop(key, None)


# Clear any session-level scope, set this transaction's, and look the caller up: one round trip.
# The lookup functions take their own argument (not the setting), so evaluation order is moot.
# The person's fingerprint is what ``xietong_sign_in_confirm`` compares the next time.
_PERSON = text(f"{SET_SCOPE}, s.*, md5(s::text) AS fingerprint FROM xietong_sign_in(:token) s")
_API_KEY = text(f"{SET_SCOPE}, s.* FROM xietong_api_key_sign_in(:hash) s")
_CONFIRM = "SELECT public.xietong_sign_in_confirm('{token}', '{fingerprint}');"
_HEX = re.compile(r"[0-9a-f]{32}")


async def _look_up(
    session: AsyncSession, query: TextClause, token: str, **params: str
) -> dict[str, Any] | None:
    row = (await session.execute(query, {"token": token, **params})).mappings().first()
    return None if row is None else dict(row)


async def sign_in(
    session: AsyncSession,
    *,
    authorization: str | None,
    api_key: str | None,
    tokens: TokenService,
    signer: ScopeSigner,
    scope_of: Callable[[Principal], Scope],
    hints: SignInHints | None = None,
) -> SignedIn:
    """The caller (``ANONYMOUS`` without credentials; ``InvalidCredentials`` for bad ones) and
    its scope, which is set on the current transaction before this returns. A caller this
    process remembers comes back at once, with the database's confirmation still on its way
    (``SignedIn.confirmation``).

    ``X-Api-Key`` carries only API keys; ``Authorization: Bearer`` a person's token or an API
    key. Both at once are refused rather than guessed between."""
    if authorization and api_key:
        raise InvalidCredentials(
            "请只提供一种身份凭证（send either Authorization or X-Api-Key, not both）"
        )
    secret: str | None = None
    login: str | None = None
    if api_key:
        if not looks_like_api_key(api_key.strip()):
            raise InvalidCredentials("X-Api-Key 只接受 API 密钥（X-Api-Key takes an API key only）")
        secret = api_key.strip()
    elif authorization:
        scheme, _, value = authorization.strip().partition(" ")
        credential = value.strip()
        if scheme.lower() != "bearer" or not credential:
            raise InvalidCredentials(
                "Authorization 头格式应为 “Bearer <token>”（malformed header）"
            )
        if looks_like_api_key(credential):
            secret = credential
        else:
            login = tokens.verify(credential)  # signature, expiry and lifetime, every request
    if secret is None and login is None:
        scope = scope_of(ANONYMOUS)
        await apply(session, scope, signer)
        return SignedIn(ANONYMOUS, scope)

    key = f"key:{hash_api_key(secret)}" if secret is not None else f"person:{login}"
    hint = hints.get(key) if hints is not None else None
    # The hinted caller's scope, or (first sight) a scope with the login alone, which reads and
    # writes nothing but lets the database look the person up.
    guessed = scope_of(hint.principal) if hint is not None else None
    claims = guessed.claims() if guessed is not None else ScopeClaims(actor=login or "sign-in")
    if hints is not None and hint is not None and hint.fingerprint and guessed is not None:
        confirmation = await _confirm(
            session, signer, claims, hint.fingerprint, forget=lambda: hints.forget(key)
        )
        return SignedIn(hint.principal, guessed, confirmation)
    token = signer.sign(claims, pid=await backend_pid(session))
    fingerprint: str | None = None
    if secret is not None:
        principal = _api_key_principal(
            await _look_up(session, _API_KEY, token, hash=hash_api_key(secret))
        )
    else:
        row = await _look_up(session, _PERSON, token)
        if row is None:
            raise InvalidCredentials(UNKNOWN_PERSON)
        principal = person_principal_of(row)
        fingerprint = row["fingerprint"]
    scope = scope_of(principal)
    if scope != guessed:  # first sight, or the caller changed since: set the right scope now
        await apply(session, scope, signer)
    if hints is not None:
        hints.put(key, principal, fingerprint)
    return SignedIn(principal, scope)


async def _confirm(
    session: AsyncSession,
    signer: ScopeSigner,
    claims: ScopeClaims,
    fingerprint: str,
    *,
    forget: Callable[[], None],
) -> Confirmation:
    """Begin the transaction with the remembered person's scope and the database's confirmation
    that the person is unchanged, in one message (``db.prelude``), and return while it travels;
    ``StaleSignIn`` at once for a fingerprint that could never be confirmed."""
    if not _HEX.fullmatch(fingerprint):
        forget()
        raise StaleSignIn

    def prelude(pid: int) -> str:
        token = signer.sign(claims, pid=pid)
        inline = inline_scope(token)
        if inline is None:  # never for the tokens signed here; a quote must never reach SQL
            raise ValueError("a scope token that would need quoting")
        return inline + _CONFIRM.format(token=token, fingerprint=fingerprint)

    try:
        began = await begin_soon(session, prelude)
    except BaseException as exc:  # no connection, or one that would not start
        await _unconfirmed(session, exc, forget)
    return Confirmation(session, began, forget)


async def _unconfirmed(
    session: AsyncSession, failure: BaseException, forget: Callable[[], None]
) -> NoReturn:
    """A remembered caller's ``BEGIN`` that failed or was cut short: its connection (closed by
    the prelude, ``db.prelude``, or never started) must not go back to the pool as if usable;
    then ``StaleSignIn``, with the caller forgotten so a fresh connection and a full sign-in
    settle it. Safe to repeat (``Confirmation`` may be awaited more than once)."""
    await session.invalidate()
    if not isinstance(failure, Exception):
        raise failure  # cancelled (the request's deadline): the caller answers 503
    forget()
    raise StaleSignIn from None
