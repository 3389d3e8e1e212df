"""Obligations against a real database, as the application role under a signed scope."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from tests.conftest import TEST_SERVER_SECRET, TEST_SIGNER, Database
from xietong.access.scope import Scope, apply
from xietong.db.engine import make_engine, make_sessionmaker
from xietong.deadlines import obligations as svc
from xietong.deadlines.clock import ManualClock
from xietong.deadlines.enums import PauseReason
from xietong.deadlines.obligations import MatterRef
from xietong.jurisdictions import codes
from xietong.keys import Keyring

FIXTURES = Path(__file__).resolve().parents[2] / "unit" / "deadlines" / "fixtures"
PLAUSIBLE_2027 = FIXTURES / "2027-plausible.yaml"
"""A made-up 2027 notice for tests (its header says so): never the real one."""

KEYRING = Keyring.of(TEST_SERVER_SECRET)


@dataclass
class Db:
    """The application's sessions (signed scopes) and the owner's engine (setting up, checking)."""

    app: async_sessionmaker[AsyncSession]
    owner: AsyncEngine
    owner_sessions: async_sessionmaker[AsyncSession]

    @asynccontextmanager
    async def as_unit(
        self, code: int, actor: str, *, department: uuid.UUID | None = None
    ) -> AsyncIterator[AsyncSession]:
        """A transaction of someone who writes in ``code`` (and reads its subtree)."""
        async with self.app() as session, session.begin():
            scope = Scope(
                actor=actor,
                read=codes.subtree(code),
                write_code=code,
                jurisdiction_code=code,
                department_id=department,
            )
            await apply(session, scope, TEST_SIGNER)
            yield session

    async def department(self, key: str) -> uuid.UUID:
        async with self.owner.connect() as conn:
            found: uuid.UUID = await conn.scalar(
                text("SELECT id FROM department WHERE key = :k"), {"k": key}
            )
        return found

    async def scalar(self, sql: str, **params: object) -> object:
        async with self.owner.connect() as conn:
            return await conn.scalar(text(sql), params)

    async def rows(self, sql: str, **params: object) -> list[tuple[object, ...]]:
        async with self.owner.connect() as conn:
            return [tuple(r) for r in (await conn.execute(text(sql), params)).all()]

    async def execute(self, sql: str, **params: object) -> None:
        async with self.owner.begin() as conn:
            await conn.execute(text(sql), params)


@pytest.fixture
async def db(fresh_db: Database) -> AsyncIterator[Db]:
    app = make_engine(fresh_db.app_url, pool_size=2)
    owner = make_engine(fresh_db.owner_url, pool_size=2)
    try:
        yield Db(
            make_sessionmaker(app, keyring=KEYRING),
            owner,
            make_sessionmaker(owner, keyring=KEYRING),
        )
    finally:
        await app.dispose()
        await owner.dispose()


_XUANEN = 422825


async def open_clock(
    db: Db,
    clock: ManualClock,
    rule: str,
    *,
    department: str = "xuanen-housing",
    started: date,
    matter: MatterRef | None = None,
) -> uuid.UUID:
    """The id of a clock owed by 宣恩县's ``department`` (its housing bureau by default), opened
    by the housing bureau's clerk."""
    async with db.as_unit(_XUANEN, "xuanen.housing") as session:
        row = await svc.open_obligation(
            session,
            rule_id=rule,
            matter=matter or MatterRef("complaint", uuid.uuid4()),
            owing_jurisdiction_code=_XUANEN,
            owing_department_id=await db.department(department),
            counterparty=None,
            started_on=started,
            clock=clock,
            actor="xuanen.housing",
        )
    return row.id


async def hold_for_expert_review(db: Db, clock: ManualClock, matter: MatterRef) -> None:
    """Pause ``matter``'s clocks for an expert review (专家评审), as 宣恩县住建局's clerk."""
    async with db.as_unit(_XUANEN, "xuanen.housing") as session:
        await svc.pause(
            session,
            matter=matter,
            reason=PauseReason.EXPERT_REVIEW,
            document="专家评审委托书",
            notice=None,
            clock=clock,
            actor="xuanen.housing",
        )
