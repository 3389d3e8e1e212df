"""Writing straight to the tables as the owner, for the rollup tests: creates, state changes,
corrections and deletions of projects, awards, contracts, bids, complaints and obligations."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import delete, insert, text, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from tests.conftest import APP_ROLE, OWNER_ROLE, Database
from xietong.complaints.models import Complaint
from xietong.db.engine import make_engine
from xietong.db.provision import drop, provision
from xietong.deadlines.models import Obligation
from xietong.rollups import ddl, grains, service
from xietong.rollups.metrics import METRICS, Metric
from xietong.rollups.service import Period, counter_rows_sql
from xietong.trading.models import Award, Bid, Contract, MarketEntity, Project

UNITS = (410000, 410500, 410522, 410581, 410700, 410721)
CATEGORIES = ("construction", "government_procurement", "land_use_rights")
METHODS = ("open_tender", "invited_tender", "auction")
INDUSTRIES = (None, "housing", "water")
STATES = ("registered", "announced", "bidding", "awarded", "cancelled")
REGIMES = ("tendering", "procurement")
CHINA = timezone(timedelta(hours=8))
START = datetime(2025, 11, 20, tzinfo=CHINA)

PROJECT = Project.__table__
AWARD = Award.__table__
CONTRACT = Contract.__table__
BID = Bid.__table__
COMPLAINT = Complaint.__table__
OBLIGATION = Obligation.__table__


@dataclass
class World:
    engine: AsyncEngine
    entity: uuid.UUID
    department: uuid.UUID
    db: Database
    projects: dict[uuid.UUID, int] = field(default_factory=dict)
    awards: dict[uuid.UUID, int] = field(default_factory=dict)
    """project id -> its unit, for projects with an award."""
    contracts: dict[uuid.UUID, int] = field(default_factory=dict)
    bids: dict[uuid.UUID, uuid.UUID] = field(default_factory=dict)
    """bid id -> project id."""
    complaints: list[uuid.UUID] = field(default_factory=list)
    obligations: list[uuid.UUID] = field(default_factory=list)
    serial: int = 0

    def next(self) -> int:
        self.serial += 1
        return self.serial


@asynccontextmanager
async def make_world(
    pg_admin_url: str, seeded_template: Database, tag: str
) -> AsyncIterator[World]:
    name = f"xt_roll{tag}_{seeded_template.name[-6:]}"
    db = Database.of(
        await provision(
            pg_admin_url,
            name,
            owner_role=OWNER_ROLE,
            app_role=APP_ROLE,
            template=seeded_template.name,
            recreate=True,
        )
    )
    engine = make_engine(db.owner_url, pool_size=1)
    entity = uuid.uuid4()
    async with engine.begin() as conn:
        await conn.execute(
            insert(MarketEntity.__table__).values(
                id=entity,
                credit_code="91410700MA47X9Y2XX",
                name="测试公司",
                kind="enterprise",
                division="410700",
                created_by="t",
            )
        )
        department = (
            (await conn.execute(text("SELECT id FROM department WHERE jurisdiction_code = 410522")))
            .scalars()
            .first()
        )
    assert department is not None
    yield World(engine=engine, entity=entity, department=department, db=db)
    await engine.dispose()
    await drop(pg_admin_url, name)


def _at(day: int) -> datetime:
    return START + timedelta(days=day, hours=day % 17)


def _day(day: int) -> date:
    return (START + timedelta(days=day)).date()


# --- operations -------------------------------------------------------------------------------


async def create_projects(conn: AsyncConnection, w: World, rows: list[dict[str, Any]]) -> None:
    values = []
    for row in rows:
        n = w.next()
        pid = uuid.uuid4()
        w.projects[pid] = row["unit"]
        values.append(
            {
                "id": pid,
                "jurisdiction_code": row["unit"],
                "province_code": row["unit"] - row["unit"] % 10000,
                "source_system": "T",
                "source_id": f"S-{n}",
                "project_code": f"P-{n}",
                "name": "项目",
                "category": row["category"],
                "industry": row["industry"],
                "method": row["method"],
                "tenderer_id": w.entity,
                "budget_fen": row["budget"],
                "classified": False,
                "separated_evaluation": row["separated"],
                "supervisor_ids": [w.department],
                "supervisor_powers": ["x"],
                "state": "registered",
                "registered_at": _at(row["day"]),
                "registered_by": "t",
            }
        )
    # One statement for the batch: the statement trigger sees every row at once.
    await conn.execute(insert(PROJECT).values(values))


async def apply(conn: AsyncConnection, w: World, op: tuple[Any, ...]) -> None:
    kind = op[0]
    pids = sorted(w.projects)
    if kind == "projects":
        await create_projects(conn, w, op[1])
    elif kind == "state" and pids:
        pid = pids[op[1] % len(pids)]
        await conn.execute(update(PROJECT).where(PROJECT.c.id == pid).values(state=op[2]))
    elif kind == "state_all_in_unit":
        await conn.execute(
            update(PROJECT).where(PROJECT.c.jurisdiction_code == op[1]).values(state=op[2])
        )
    elif kind == "correct" and pids:
        pid = pids[op[1] % len(pids)]
        await conn.execute(
            update(PROJECT)
            .where(PROJECT.c.id == pid)
            .values(category=op[2], industry=op[3], budget_fen=op[4], registered_at=_at(op[5]))
        )
    elif kind == "award" and pids:
        pid = pids[op[1] % len(pids)]
        if pid in w.awards:
            await conn.execute(
                update(AWARD)
                .where(AWARD.c.project_id == pid)
                .values(amount_fen=op[2], awarded_at=_at(op[3]))
            )
        else:
            await conn.execute(
                insert(AWARD).values(
                    project_id=pid,
                    jurisdiction_code=w.projects[pid],
                    province_code=w.projects[pid] - w.projects[pid] % 10000,
                    winner_id=w.entity,
                    amount_fen=op[2],
                    awarded_at=_at(op[3]),
                    recorded_by="t",
                )
            )
            w.awards[pid] = w.projects[pid]
    elif kind == "unaward" and w.awards:
        pid = sorted(w.awards)[op[1] % len(w.awards)]
        await conn.execute(delete(AWARD).where(AWARD.c.project_id == pid))
        del w.awards[pid]
    elif kind == "contract" and pids:
        pid = pids[op[1] % len(pids)]
        if pid not in w.contracts:
            await conn.execute(
                insert(CONTRACT).values(
                    project_id=pid,
                    jurisdiction_code=w.projects[pid],
                    province_code=w.projects[pid] - w.projects[pid] % 10000,
                    contract_number=f"C-{w.next()}",
                    supplier_id=w.entity,
                    amount_fen=op[2],
                    signed_at=_at(op[3]),
                    recorded_by="t",
                )
            )
            w.contracts[pid] = w.projects[pid]
    elif kind == "bid" and pids:
        pid = pids[op[1] % len(pids)]
        bidder = uuid.uuid4()
        await conn.execute(
            insert(MarketEntity.__table__).values(
                id=bidder,
                credit_code=f"9141070{w.next():011d}",
                name="投标人",
                kind="enterprise",
                division="410700",
                created_by="t",
            )
        )
        bid = uuid.uuid4()
        await conn.execute(
            insert(BID).values(
                id=bid,
                project_id=pid,
                jurisdiction_code=w.projects[pid],
                province_code=w.projects[pid] - w.projects[pid] % 10000,
                bidder_id=bidder,
                price_fen=op[2],
                submitted_at=_at(op[3]),
                recorded_by="t",
            )
        )
        w.bids[bid] = pid
    elif kind == "delete_project" and pids:
        pid = pids[op[1] % len(pids)]
        await conn.execute(delete(BID).where(BID.c.project_id == pid))
        await conn.execute(delete(AWARD).where(AWARD.c.project_id == pid))
        await conn.execute(delete(CONTRACT).where(CONTRACT.c.project_id == pid))
        await conn.execute(delete(PROJECT).where(PROJECT.c.id == pid))
        del w.projects[pid]
        w.awards.pop(pid, None)
        w.contracts.pop(pid, None)
        w.bids = {b: p for b, p in w.bids.items() if p != pid}
    elif kind == "complaint":
        n = w.next()
        cid = uuid.uuid4()
        code = f"T{n:015d}"
        await conn.execute(
            insert(COMPLAINT).values(
                id=cid,
                jurisdiction_code=op[1],
                province_code=op[1] - op[1] % 10000,
                tracking_code=code,
                secret_hash="0" * 64,
                regime=op[2],
                category="evaluation",
                project_code="P-1",
                title="t",
                body="b",
                anonymous=True,
                status="at_office",
                receiving_department_id=w.department,
                received_at=_at(op[3]),
                received_on=_day(op[3]),
                created_by=f"public:{code}",
            )
        )
        w.complaints.append(cid)
    elif kind == "complaint_move" and w.complaints:
        cid = w.complaints[op[1] % len(w.complaints)]
        values: dict[str, Any] = {"status": op[2]}
        if op[2] == "accepted":
            values["accepted_on"] = _day(op[3])
        elif op[2] == "closed":
            values.update(closed_on=_day(op[3]), outcome="decided")
        await conn.execute(update(COMPLAINT).where(COMPLAINT.c.id == cid).values(values))
    elif kind == "complaint_delete" and w.complaints:
        cid = w.complaints.pop(op[1] % len(w.complaints))
        await conn.execute(delete(COMPLAINT).where(COMPLAINT.c.id == cid))
    elif kind == "fold":
        # Part of the journal folded into the counters, in the writer's transaction.
        await conn.execute(text("SELECT xietong_rollup_fold(:batch)"), {"batch": op[1]})
    elif kind == "obligation":
        oid = uuid.uuid4()
        await conn.execute(
            insert(OBLIGATION).values(
                id=oid,
                rule_id=op[2],
                matter_type="complaint",
                matter_id=uuid.uuid4(),
                jurisdiction_code=op[1],
                province_code=op[1] - op[1] % 10000,
                started_on=_day(op[3]),
                counted_from=_day(op[3]),
                unit="working_days",
                amount=3,
                due_on=_day(op[3] + 5),
                provisional=False,
                calendar_version="t",
                calendar_jurisdiction=op[1],
                created_by="t",
            )
        )
        w.obligations.append(oid)
    elif kind == "obligation_move" and w.obligations:
        oid = w.obligations[op[1] % len(w.obligations)]
        values = {"status": op[2], "met_on": None}
        if op[2] == "met":
            values["met_on"] = _day(op[3])
        await conn.execute(update(OBLIGATION).where(OBLIGATION.c.id == oid).values(values))
    elif kind == "obligation_delete" and w.obligations:
        oid = w.obligations.pop(op[1] % len(w.obligations))
        await conn.execute(delete(OBLIGATION).where(OBLIGATION.c.id == oid))


async def counters(conn: AsyncConnection) -> set[tuple[Any, ...]]:
    """Every non-zero counter at every grain as a reader sees it: the counters plus the
    journal's deltas not yet folded."""
    journal = grains.expand_sql(f"SELECT {ddl.COLUMNS} FROM rollup_journal")
    rows = await conn.execute(
        text(
            "SELECT grain, metric, jurisdiction_code, province_code, month, dimension, value, "
            "sum(n)::bigint, sum(sum_a)::bigint, sum(sum_b)::bigint FROM ("
            f"SELECT {ddl.GRAIN_COLUMNS} FROM rollup_counter UNION ALL "
            f"SELECT {ddl.GRAIN_COLUMNS} FROM ({journal}) j) c GROUP BY 1, 2, 3, 4, 5, 6, 7 "
            "HAVING sum(n) <> 0 OR sum(sum_a) <> 0 OR sum(sum_b) <> 0"
        )
    )
    return {tuple(r) for r in rows}


async def folded_counters(conn: AsyncConnection) -> set[tuple[Any, ...]]:
    """The counter rows alone (what a reader would see with the journal folded)."""
    rows = await conn.execute(
        text(
            f"SELECT {ddl.GRAIN_COLUMNS} FROM rollup_counter "
            "WHERE n <> 0 OR sum_a <> 0 OR sum_b <> 0"
        )
    )
    return {tuple(r) for r in rows}


async def journal_rows(conn: AsyncConnection) -> int:
    return int((await conn.execute(text("SELECT count(*) FROM rollup_journal"))).scalar_one())


async def ground_truth(conn: AsyncConnection) -> set[tuple[Any, ...]]:
    """The ``GROUP BY`` over the base tables, per month and summed at every coarser grain."""
    found: set[tuple[Any, ...]] = set()
    for m in METRICS:
        rows = await conn.execute(
            text(
                f"SELECT {ddl.GRAIN_COLUMNS} FROM ({grains.expand_sql(m.ground_truth_sql())}) f "
                "WHERE f.n <> 0 OR f.sum_a <> 0 OR f.sum_b <> 0"
            )
        )
        found |= {tuple(r) for r in rows}
    return found


async def rolled_up(
    conn: AsyncConnection, metric: Metric, dimension: str, lo: int, hi: int, period: Period
) -> dict[str, tuple[int, int, int]]:
    """What the rollup query answers (the coarsest rows tiling ``period``), by value."""
    counted, months = counter_rows_sql(period, service.ROLLUP_WHERE)
    rows = await conn.execute(
        text(service.ROLLUP_SQL.format(key="value", rows=counted)),
        {"metric": metric.name, "dimension": dimension, "lo": lo, "hi": hi, **months},
    )
    return {r.key: (r.n, r.sum_a, r.sum_b) for r in rows if r.n or r.sum_a or r.sum_b}


async def rolled_up_truth(
    conn: AsyncConnection, metric: Metric, dimension: str, lo: int, hi: int, period: Period
) -> dict[str, tuple[int, int, int]]:
    """The same from the ``GROUP BY`` over the base tables, month by month."""
    rows = await conn.execute(
        text(
            "SELECT value AS key, sum(n)::bigint AS n, sum(sum_a)::bigint AS sum_a, "
            f"sum(sum_b)::bigint AS sum_b FROM ({metric.ground_truth_sql()}) f "
            "WHERE dimension = :dimension AND jurisdiction_code BETWEEN :lo AND :hi "
            "AND month BETWEEN :first AND :last GROUP BY 1"
        ),
        {"dimension": dimension, "lo": lo, "hi": hi, "first": period.first, "last": period.last},
    )
    return {r.key: (r.n, r.sum_a, r.sum_b) for r in rows if r.n or r.sum_a or r.sum_b}


async def project_ids(world: World) -> set[uuid.UUID]:
    async with world.engine.connect() as conn:
        return set((await conn.execute(text("SELECT id FROM project"))).scalars())
