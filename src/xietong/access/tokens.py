"""Bearer tokens (JWT) for people and secrets for integrators' API keys.

Development and the demo sign HS256 tokens with a key generated once under the data directory;
production either sets ``XIETONG_JWT_SECRET`` or verifies RS256 tokens from an OIDC provider's
JWKS (``XIETONG_JWKS_URL``), checking issuer and audience either way.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cached_property
from pathlib import Path

import jwt

from xietong.config import DEV_KEY_PREFIX, AuthSettings, Settings

API_KEY_PREFIX = "xt"
_LEEWAY_S = 30

VERIFIED_TTL_S = 300.0
"""How long a verified token is remembered (and never past its own ``exp``)."""

VERIFIED_MAX = 10_000
"""Remembered tokens per process; the memory is emptied when full."""


class InvalidCredentials(Exception):
    """The token or key is malformed, expired, or not ours. The message is safe to show."""


def dev_signing_key(data_dir: Path) -> str:
    """The development key, generated on first use and kept so tokens survive a restart."""
    path = data_dir / "dev-signing-key"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = DEV_KEY_PREFIX + secrets.token_urlsafe(32)
    path.write_text(key + "\n", encoding="utf-8")
    path.chmod(0o600)
    return key


@dataclass
class TokenService:
    auth: AuthSettings
    secret: str | None
    """HS256 secret; None when tokens come from a JWKS."""
    clock: Callable[[], float] = field(default=time.time, repr=False, compare=False)
    _verified: dict[bytes, tuple[str, float]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    """SHA-256 of a token → (its subject, until when that answer stands)."""

    @classmethod
    def from_settings(cls, settings: Settings) -> TokenService:
        if settings.auth.jwks_url:
            return cls(settings.auth, None)
        secret = settings.auth.jwt_secret
        if secret is None:
            if settings.is_production:
                raise ValueError("XIETONG_JWT_SECRET or XIETONG_JWKS_URL must be set in production")
            secret = dev_signing_key(settings.data_dir)
        return cls(settings.auth, secret)

    @cached_property
    def _jwks(self) -> jwt.PyJWKClient:
        assert self.auth.jwks_url
        return jwt.PyJWKClient(self.auth.jwks_url, cache_keys=True, lifespan=300)

    @property
    def max_lifetime(self) -> timedelta:
        return timedelta(minutes=self.auth.token_max_minutes)

    def issue(self, login: str, *, ttl: timedelta | None = None) -> str:
        if self.secret is None:
            raise ValueError("tokens come from the identity provider (XIETONG_JWKS_URL is set)")
        lifetime = ttl if ttl is not None else timedelta(minutes=self.auth.token_ttl_minutes)
        if lifetime > self.max_lifetime:
            raise ValueError(
                f"a token may live at most {self.auth.token_max_minutes} minutes "
                "(XIETONG_TOKEN_MAX_MINUTES)"
            )
        now = datetime.now(UTC)
        claims = {
            "sub": login,
            "iss": self.auth.issuer,
            "aud": self.auth.audience,
            "iat": now,
            "nbf": now,
            "exp": now + lifetime,
        }
        return jwt.encode(claims, self.secret, algorithm="HS256")

    def verify(self, token: str) -> str:
        """The token's subject (a login), or ``InvalidCredentials``.

        A token verified in the last ``VERIFIED_TTL_S`` seconds, and not past its ``exp``, is
        answered from memory (decoding and checking an HS256 token costs ~60 µs, an RS256 one
        more). Only the token's own checks are remembered: who the subject is, and whether that
        person is still active, is looked up on every request (``authentication.sign_in``),
        so a deactivation still takes effect on the very next request. Keyed by the token's
        hash, so no token is kept in memory."""
        now = self.clock()
        digest = hashlib.sha256(token.encode("utf-8", "surrogatepass")).digest()
        found = self._verified.get(digest)
        if found is not None:
            if now < found[1]:
                return found[0]
            del self._verified[digest]
        subject, expires = self._verify(token)
        if len(self._verified) >= VERIFIED_MAX:
            self._verified.clear()
        self._verified[digest] = (subject, min(now + VERIFIED_TTL_S, expires))
        return subject

    def _verify(self, token: str) -> tuple[str, float]:
        """The subject and ``exp`` of a token that passes every check."""
        try:
            if self.secret is not None:
                key: object = self.secret
                algorithms = ["HS256"]
            else:
                key = self._jwks.get_signing_key_from_jwt(token).key
                algorithms = ["RS256"]
            claims = jwt.decode(
                token,
                key,  # type: ignore[arg-type]
                algorithms=algorithms,
                audience=self.auth.audience,
                issuer=self.auth.issuer,
                leeway=_LEEWAY_S,
                options={"require": ["sub", "exp", "iat", "iss", "aud"]},
            )
        except jwt.ExpiredSignatureError:
            raise InvalidCredentials("登录已过期，请重新登录（token expired）") from None
        except (jwt.PyJWTError, ValueError):
            raise InvalidCredentials("身份凭证无效（invalid token）") from None
        # However it was signed, a token that lives longer than allowed is refused: a leaked
        # long-lived token would outlast any deactivation window an operator plans for.
        issued, expires = claims.get("iat"), claims.get("exp")
        if (
            not isinstance(issued, int | float)
            or not isinstance(expires, int | float)
            or expires - issued > self.max_lifetime.total_seconds() + _LEEWAY_S
        ):
            raise InvalidCredentials(
                f"身份凭证有效期超过 {self.auth.token_max_minutes} 分钟上限"
                "（token lifetime exceeds the maximum）"
            )
        subject = claims.get("sub")
        if not isinstance(subject, str) or not subject:
            raise InvalidCredentials("身份凭证无效（invalid token）")
        return subject, float(expires)


@dataclass(frozen=True, slots=True)
class NewApiKey:
    prefix: str
    secret: str
    """The whole key as the integrator sends it: shown once, never stored."""
    secret_hash: str


def new_api_key() -> NewApiKey:
    prefix = secrets.token_hex(4)
    secret = f"{API_KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    return NewApiKey(prefix=prefix, secret=secret, secret_hash=hash_api_key(secret))


def hash_api_key(secret: str) -> str:
    # The secret has 256 bits of entropy, so a plain SHA-256 is enough (no slow KDF needed).
    return hashlib.sha256(secret.encode()).hexdigest()


def looks_like_api_key(value: str) -> bool:
    return value.startswith(f"{API_KEY_PREFIX}_") and value.count("_") >= 2
