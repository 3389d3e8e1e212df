"""The signed scope, as the application makes it (PostgreSQL's side: test_hostile_sql.py)."""

from __future__ import annotations

import hashlib
import hmac
import uuid

from hypothesis import given
from hypothesis import strategies as st

from xietong.access.scope_token import TOKEN_TTL, ScopeClaims, ScopeSigner, key_id

KEY = bytes(range(32))
SIGNER = ScopeSigner(KEY)
CLAIMS = ScopeClaims(
    actor="key:ab12:cd",  # an actor may contain the separator: it comes last
    read_lo=422800,
    read_hi=422899,
    write_code=422800,
    jurisdiction_code=422800,
    department_id=uuid.UUID(int=7),
)


def test_a_token_reads_back_with_its_pid_and_expiry() -> None:
    token = SIGNER.sign(CLAIMS, pid=4242, now=1_000_000)
    read = SIGNER.read(token)
    assert read is not None
    assert (read.pid, read.expires, read.key_id) == (4242, 1_000_000 + TOKEN_TTL, SIGNER.key_id)
    assert read.claims == CLAIMS
    assert token.startswith(f"v1:{SIGNER.key_id}:4242:")
    assert token.isascii()
    assert "\0" not in token


def test_empty_claims_are_empty_fields() -> None:
    token = SIGNER.sign(ScopeClaims(actor="anonymous"), pid=1, now=0)
    assert token.split(".")[0].endswith(":::::anonymous")
    read = SIGNER.read(token)
    assert read is not None
    assert read.claims == ScopeClaims(actor="anonymous")


def test_the_database_computes_the_same_mac_from_the_stored_pads() -> None:
    """PostgreSQL has sha256() only: HMAC = sha256(outer || sha256(inner || message))."""
    token = SIGNER.sign(CLAIMS, pid=1, now=0)
    body, _, mac = token.rpartition(".")
    material = SIGNER.material()
    inner = hashlib.sha256(material.inner_pad + body.encode()).digest()
    assert hashlib.sha256(material.outer_pad + inner).hexdigest() == mac
    assert mac == hmac.new(KEY, body.encode(), hashlib.sha256).hexdigest()
    assert material.key_id == key_id(KEY) == SIGNER.key_id
    assert len(material.inner_pad) == len(material.outer_pad) == 64
    assert KEY.hex() not in material.key_id  # the id names the key without revealing it


@given(st.integers(min_value=0), st.text(min_size=1, max_size=3))
def test_any_change_to_a_token_breaks_it(position: int, junk: str) -> None:
    token = SIGNER.sign(CLAIMS, pid=99, now=0)
    i = position % len(token)
    tampered = token[:i] + junk + token[i + 1 :]
    if tampered != token:
        assert SIGNER.read(tampered) is None


def test_another_key_cannot_read_it() -> None:
    token = SIGNER.sign(CLAIMS, pid=1, now=0)
    assert ScopeSigner(bytes(32)).read(token) is None
