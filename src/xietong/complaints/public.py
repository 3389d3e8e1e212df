"""The public's narrow scope: how an anonymous caller writes one complaint under row-level
security (``docs/decisions.md``: public filing under a narrow signed scope).

The public has no scope of its own. For the one transaction that files a complaint, or rates the
answer after the secret was checked (``xietong_complaint_track``), the application signs a scope
that may write only in the complaint's unit, as the actor ``public:<tracking code>``: the
complaint's ``created_by`` must equal it (row-level security and a CHECK constraint), and the
audit events and clocks it opens name it. The scope reads that one unit, because the audit chain
and the deadline engine read back what they write; the statements run are ours alone, by id.
When the move is done, the caller's own scope is put back.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncSession

from xietong.access import scope as scopes
from xietong.access.scope_token import ScopeSigner
from xietong.complaints import tracking
from xietong.jurisdictions.codes import CodeRange


def scope_for(jurisdiction_code: int, code: str) -> scopes.Scope:
    return scopes.Scope(
        actor=tracking.actor(code),
        read=CodeRange(jurisdiction_code, jurisdiction_code),
        write_code=jurisdiction_code,
        jurisdiction_code=jurisdiction_code,
    )


@asynccontextmanager
async def acting_as_public(
    session: AsyncSession,
    signer: ScopeSigner,
    *,
    jurisdiction_code: int,
    code: str,
    caller: scopes.Scope,
) -> AsyncIterator[scopes.Scope]:
    """Sign the public scope for ``code`` in ``jurisdiction_code`` for the rest of the block;
    the caller's scope afterwards, whatever happened (a savepoint rolled back restores the
    setting too, since it is transaction-local)."""
    async with scopes.acting_as(
        session, scope_for(jurisdiction_code, code), signer, caller=caller
    ) as public:
        yield public
