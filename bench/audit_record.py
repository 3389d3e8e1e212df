"""What the audit trail adds to one mutation's transaction.

Two units of work, interleaved in rounds in one run so machine noise hits both alike, each a
transaction of the application role with a county's scope set (as a request has):

- *trail*: ``xietong.audit.service.record``: lock the province's chain head through
  ``xietong_audit_head``, hash, MAC, insert; the trigger advances the head;
- *plain*: an insert of the same row into a table shaped like ``audit_event`` with no chain, no
  MAC, no trigger and no row-level security.

Reported: median and p90 per transaction for each and the ratio trail/plain. The chain is
verified at the end, so the figures are for a chain that holds.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from sqlalchemy import text

from bench.database import seeded_database
from xietong.access import scope as scopes
from xietong.audit import service as audit
from xietong.audit.enums import ActorKind
from xietong.audit.signing import VerificationKeys
from xietong.db.engine import make_engine, make_sessionmaker, transaction
from xietong.jurisdictions import codes
from xietong.keys import Keyring

SECRET = "bench-server-secret-of-sufficient-length-000000"
XUANEN = 422825
ROUNDS = 20
PER_ROUND = 25
SCOPE = scopes.Scope(
    actor="bench", read=codes.subtree(XUANEN), write_code=XUANEN, jurisdiction_code=XUANEN
)
PLAIN = """INSERT INTO bench_plain_event (occurred_at, province_code, jurisdiction_code,
    actor_kind, actor, action, object_type, object_id, details, prev_hash, hash, key_id, mac)
    VALUES (:at, 420000, 422825, 'person', 'xuanen.office', 'grant.create', 'grant', :oid,
    '{"grantee": 530102}', NULL, md5(:oid), 'k', 'm') RETURNING id"""


async def _run() -> None:
    keyring = Keyring.of(SECRET)
    async with seeded_database() as db:
        owner = make_engine(db.owner_url, pool_size=1)
        app = make_engine(db.app_url, pool_size=2)
        try:
            async with owner.begin() as conn:
                await conn.execute(
                    text("CREATE TABLE bench_plain_event (LIKE audit_event INCLUDING DEFAULTS)")
                )
                await conn.execute(text("GRANT SELECT, INSERT ON bench_plain_event TO xietong_app"))
            sessions = make_sessionmaker(app, keyring=keyring)
            counter = 0

            async def trail() -> None:
                nonlocal counter
                counter += 1
                async with transaction(sessions) as session:
                    await scopes.apply(session, SCOPE)
                    await audit.record(
                        db_session=session,
                        jurisdiction_code=XUANEN,
                        actor_kind=ActorKind.PERSON,
                        actor="xuanen.office",
                        action="grant.create",
                        object_type="grant",
                        object_id=f"g-{counter}",
                        details={"grantee": 530102},
                    )

            async def plain() -> None:
                nonlocal counter
                counter += 1
                async with transaction(sessions) as session:
                    await scopes.apply(session, SCOPE)
                    await session.execute(
                        text(PLAIN), {"at": datetime.now(UTC), "oid": f"g-{counter}"}
                    )

            async def timed(work: Callable[[], Awaitable[None]]) -> list[float]:
                times = []
                for _ in range(PER_ROUND):
                    started = time.perf_counter()
                    await work()
                    times.append(time.perf_counter() - started)
                return times

            await timed(trail)  # warm up both paths
            await timed(plain)
            results: dict[str, list[float]] = {"trail": [], "plain": []}
            for _ in range(ROUNDS):
                results["trail"] += await timed(trail)
                results["plain"] += await timed(plain)

            async with transaction(make_sessionmaker(owner)) as session:
                report = await audit.verify(
                    db_session=session,
                    province_code=420000,
                    keys=VerificationKeys.of([keyring]),
                )
            assert report.ok, report
        finally:
            await owner.dispose()
            await app.dispose()

    def ms(values: list[float], q: float) -> float:
        return statistics.quantiles(values, n=100)[int(q * 100) - 1] * 1000

    medians = {k: statistics.median(v) * 1000 for k, v in results.items()}
    n = len(results["trail"])
    print(f"audit record: {n} transactions each, {ROUNDS} interleaved rounds")
    for name in ("trail", "plain"):
        print(f"  {name:5}  median {medians[name]:.2f} ms  p90 {ms(results[name], 0.9):.2f} ms")
    ratio = medians["trail"] / medians["plain"]
    print(
        f"  ratio trail/plain {ratio:.2f} (+{medians['trail'] - medians['plain']:.2f} ms); "
        f"chain of {report.checked} events verified"
    )


def main() -> None:
    asyncio.run(_run())
