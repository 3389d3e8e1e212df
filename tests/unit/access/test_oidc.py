"""Production identity: RS256 tokens from an OIDC provider, verified against its JWKS."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from xietong.access.tokens import InvalidCredentials, TokenService
from xietong.config import AuthSettings

KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER = rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def jwks_url() -> Iterator[str]:
    jwk = json.loads(RSAAlgorithm.to_jwk(KEY.public_key()))
    body = json.dumps({"keys": [{**jwk, "kid": "k1", "use": "sig", "alg": "RS256"}]}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/jwks.json"
    server.shutdown()


def idp_token(key: rsa.RSAPrivateKey, **claims: object) -> str:
    now = datetime.now(UTC)
    payload = {
        "sub": "xuanen.office",
        "iss": "https://idp.example.gov.cn",
        "aud": "xietong",
        "iat": now,
        "exp": now + timedelta(minutes=5),
        **claims,
    }
    return jwt.encode(payload, key, algorithm="RS256", headers={"kid": "k1"})


def service(url: str) -> TokenService:
    return TokenService(
        AuthSettings(jwks_url=url, issuer="https://idp.example.gov.cn", audience="xietong"), None
    )


def test_rs256_tokens_from_the_provider_are_accepted(jwks_url: str) -> None:
    assert service(jwks_url).verify(idp_token(KEY)) == "xuanen.office"


def test_tokens_signed_by_another_key_or_for_another_audience_are_refused(jwks_url: str) -> None:
    with pytest.raises(InvalidCredentials):
        service(jwks_url).verify(idp_token(OTHER))
    with pytest.raises(InvalidCredentials):
        service(jwks_url).verify(idp_token(KEY, aud="someone-else"))
    with pytest.raises(InvalidCredentials):
        service(jwks_url).verify(idp_token(KEY, iss="https://evil.example"))


def test_with_a_jwks_this_service_issues_no_tokens(jwks_url: str) -> None:
    with pytest.raises(ValueError, match="identity provider"):
        service(jwks_url).issue("xuanen.office")
