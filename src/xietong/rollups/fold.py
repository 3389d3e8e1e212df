"""Folding the journal into the counters (``ddl.fold_statements``), batch by batch.

Idempotent and safe to run anywhere at any time: each batch deletes the journal rows it adds to
the counters in one transaction, rows another fold holds are skipped, and a fold killed midway
rolls back whole. Readers are exact throughout (they read counters and journal in one snapshot).
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from xietong.db.engine import transaction
from xietong.rollups.ddl import FOLD_FUNCTION

BATCH = 20_000
"""Journal rows per transaction: a few seconds of a province's busiest intake."""


async def fold(sessions: async_sessionmaker[AsyncSession], *, batch: int = BATCH) -> int:
    """Fold until the journal holds nothing this fold can take; how many rows were folded."""
    total = 0
    while True:
        async with transaction(sessions) as session:
            folded = await fold_once(session, batch=batch)
        total += folded
        if folded < batch:
            return total


async def fold_once(session: AsyncSession, *, batch: int = BATCH) -> int:
    """One batch in the session's transaction."""
    result = await session.execute(text(f"SELECT {FOLD_FUNCTION}(:batch)"), {"batch": batch})
    return int(result.scalar_one())
