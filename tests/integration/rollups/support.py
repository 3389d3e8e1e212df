"""Writing straight to the tables as the owner, for the rollup tests: creates, state changes,
corrections and deletions of projects, awards, contracts, bids, complaints, obligations, leads,
case transfers, assistance letters and remote evaluation sessions with their sites."""

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
from xietong.casework.models import AssistanceLetter, CaseTransfer, Lead
from xietong.complaints.models import Complaint
from xietong.db.engine import make_engine
from xietong.db.provision import drop, provision
from xietong.deadlines.models import Obligation
from xietong.evaluation.models import EvaluationSession, EvaluationSite
from xietong.rollups import ddl, grains, service
from xietong.rollups.metrics import METRICS, Metric
from xietong.rollups.service import Period, counter_rows_sql
from xietong.trading.models import (
    Award,
    Bid,
    Contract,
    MarketEntity,
    NotEnteredSnapshot,
    Project,
)

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
LEAD = Lead.__table__
TRANSFER = CaseTransfer.__table__
LETTER = AssistanceLetter.__table__
SESSION = EvaluationSession.__table__
SITE = EvaluationSite.__table__
SNAPSHOT = NotEnteredSnapshot.__table__
LEAD_SOURCES = ("witnessing", "monitoring", "complaint")
LEAD_MOVES = ("registered", "transferred", "verifying", "disposed")
DISPOSITIONS = ("penalty", "discipline", "police", "unfounded")
GROUNDS = ("not_competent", "crime", "licence")
TRANSFER_STATES = ("sent", "received", "accepted", "returned", "forwarded", "reported", "closed")
LETTER_STATES = ("sent", "received", "returned", "answered", "closed")
SESSION_STATES = ("scheduled", "started", "paused", "finished", "aborted")
# Another province's county: cross-province transfers, letters and host sites.
ELSEWHERE = 422825


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
    leads: list[uuid.UUID] = field(default_factory=list)
    transfers: list[uuid.UUID] = field(default_factory=list)
    letters: list[uuid.UUID] = field(default_factory=list)
    sessions: dict[uuid.UUID, uuid.UUID] = field(default_factory=dict)
    """session id -> project id."""
    snapshots: list[tuple[int, date]] = field(default_factory=list)
    """(unit, taken_on) of the 应进未进 snapshots written."""
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
        for sid in [s for s, p in w.sessions.items() if p == pid]:
            await _delete_session(conn, w, sid)
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
    elif kind == "not_entered":
        await _not_entered(conn, w, op)
    elif kind == "not_entered_delete" and w.snapshots:
        # The application deletes none; an owner's repair may, and the counters follow.
        code, taken_on = w.snapshots.pop(op[1] % len(w.snapshots))
        await conn.execute(
            delete(SNAPSHOT).where(
                SNAPSHOT.c.jurisdiction_code == code, SNAPSHOT.c.taken_on == taken_on
            )
        )
    elif kind.startswith(("lead", "transfer", "letter", "session", "site")):
        await _casework(conn, w, op)


async def _not_entered(conn: AsyncConnection, w: World, op: tuple[Any, ...]) -> None:
    """A unit's snapshot of a date: its lines (category, industry, amount) in one statement."""
    _, code, lines, day = op
    taken_on = _day(day)
    if (code, taken_on) in w.snapshots:
        return  # one snapshot per unit and date, as the job writes it
    w.snapshots.append((code, taken_on))
    values = [
        {
            "jurisdiction_code": code,
            "province_code": code - code % 10000,
            "taken_on": taken_on,
            "approval_number": f"A-{w.next()}",
            "name": "应进未进",
            "amount_fen": amount,
            "category": category,
            "industry": industry,
            "approved_on": taken_on - timedelta(days=90),
            "rule_code": "R",
            "rule_name": "规则",
            "rule_basis": "依据",
            "due_on": taken_on - timedelta(days=60),
            "days_overdue": 60,
            "recorded_by": "t",
        }
        for category, industry, amount in lines
    ]
    await conn.execute(insert(SNAPSHOT).values(values))


async def _casework(conn: AsyncConnection, w: World, op: tuple[Any, ...]) -> None:
    kind = op[0]
    if kind == "lead":
        lid = uuid.uuid4()
        await conn.execute(
            insert(LEAD).values(
                id=lid,
                jurisdiction_code=op[1],
                province_code=op[1] - op[1] % 10000,
                number=f"XS-{w.next()}",
                source=op[2],
                title="t",
                facts="f",
                serious=op[3],
                found_on=_day(op[4] - 2),
                status="registered",
                created_by="t",
                created_at=_at(op[4]),
            )
        )
        w.leads.append(lid)
    elif kind == "lead_move" and w.leads:
        lid = w.leads[op[1] % len(w.leads)]
        status = op[2]
        values: dict[str, Any] = {
            "status": status,
            "transferred_on": _day(op[4]) if status != "registered" else None,
            "disposition": op[3] if status == "disposed" else None,
            "disposed_on": _day(op[4] + 3) if status == "disposed" else None,
        }
        await conn.execute(update(LEAD).where(LEAD.c.id == lid).values(values))
    elif kind == "lead_delete" and w.leads:
        lid = w.leads.pop(op[1] % len(w.leads))
        await conn.execute(delete(LEAD).where(LEAD.c.id == lid))
    elif kind == "transfer" and op[1] != op[2]:
        tid = uuid.uuid4()
        await conn.execute(
            insert(TRANSFER).values(
                id=tid,
                jurisdiction_code=op[1],
                province_code=op[1] - op[1] % 10000,
                number=f"YS-{w.next()}",
                sender_department_id=w.department,
                receiver_jurisdiction_code=op[2],
                receiver_province_code=op[2] - op[2] % 10000,
                receiver_department_id=w.department,
                ground=op[3],
                title="t",
                facts="f",
                discovered_on=_day(op[4] - 1),
                sent_on=_day(op[4]),
                status="sent",
                created_by="t",
            )
        )
        w.transfers.append(tid)
    elif kind == "transfer_move" and w.transfers:
        tid = w.transfers[op[1] % len(w.transfers)]
        await conn.execute(
            update(TRANSFER).where(TRANSFER.c.id == tid).values(_transfer_state(op[2], op[3]))
        )
    elif kind == "transfer_delete" and w.transfers:
        tid = w.transfers.pop(op[1] % len(w.transfers))
        await conn.execute(delete(TRANSFER).where(TRANSFER.c.id == tid))
    elif kind == "letter" and op[1] != op[2]:
        lid = uuid.uuid4()
        await conn.execute(
            insert(LETTER).values(
                id=lid,
                jurisdiction_code=op[1],
                province_code=op[1] - op[1] % 10000,
                number=f"XH-{w.next()}",
                requesting_department_id=w.department,
                helper_jurisdiction_code=op[2],
                helper_province_code=op[2] - op[2] % 10000,
                helper_department_id=w.department,
                case_summary="c",
                help_asked="h",
                reasons="r",
                sent_on=_day(op[3]),
                status="sent",
                created_by="t",
            )
        )
        w.letters.append(lid)
    elif kind == "letter_move" and w.letters:
        lid = w.letters[op[1] % len(w.letters)]
        await conn.execute(
            update(LETTER).where(LETTER.c.id == lid).values(_letter_state(op[2], op[3]))
        )
    elif kind == "letter_delete" and w.letters:
        lid = w.letters.pop(op[1] % len(w.letters))
        await conn.execute(delete(LETTER).where(LETTER.c.id == lid))
    elif kind == "session" and w.projects:
        await _schedule(conn, w, op)
    elif kind == "session_move" and w.sessions:
        sid = sorted(w.sessions)[op[1] % len(w.sessions)]
        start = _at(op[3])
        when = {"scheduled_start": start, "scheduled_end": start + timedelta(hours=6)}
        await conn.execute(update(SESSION).where(SESSION.c.id == sid).values(state=op[2], **when))
        # Rescheduled: every site moves with it (one statement, several rows).
        await conn.execute(update(SITE).where(SITE.c.session_id == sid).values(**when))
    elif kind == "site_handover" and w.sessions:
        sid = sorted(w.sessions)[op[1] % len(w.sessions)]
        await conn.execute(
            update(SITE)
            .where(SITE.c.session_id == sid, SITE.c.role == "host")
            .values(handed_over_on=_day(op[2]) if op[2] % 3 else None)
        )
    elif kind == "session_delete" and w.sessions:
        await _delete_session(conn, w, sorted(w.sessions)[op[1] % len(w.sessions)])


def _transfer_state(status: str, day: int) -> dict[str, Any]:
    """The dates a transfer in ``status`` has (each step a day after the one before)."""
    order = ("received", "accepted", "reported", "closed")
    values: dict[str, Any] = {"status": status, "return_reason": None}
    values.update({f"{step}_on": None for step in (*order, "returned", "forwarded")})
    if status != "sent":
        values["received_on"] = _day(day)
    if status in order:
        for step in order[: order.index(status) + 1]:
            values[f"{step}_on"] = _day(day + order.index(step))
    if status == "returned":
        values.update(returned_on=_day(day + 1), return_reason="不属本部门职责")
    if status == "forwarded":
        values["forwarded_on"] = _day(day + 1)
    return values


def _letter_state(status: str, day: int) -> dict[str, Any]:
    values: dict[str, Any] = {
        "status": status,
        "received_on": None if status == "sent" else _day(day),
        "returned_on": _day(day + 2) if status == "returned" else None,
        "return_reason": "超出职能范围" if status == "returned" else None,
        "answered_on": _day(day + 4) if status in ("answered", "closed") else None,
        "closed_on": _day(day + 5) if status == "closed" else None,
    }
    return values


async def _schedule(conn: AsyncConnection, w: World, op: tuple[Any, ...]) -> None:
    pid = sorted(w.projects)[op[1] % len(w.projects)]
    home = w.projects[pid]
    hosts = sorted({h for h in op[2] if h != home})
    if not hosts:
        return
    sid, number, start = uuid.uuid4(), f"PB-{w.next()}", _at(op[3])
    end = start + timedelta(hours=6)
    await conn.execute(
        insert(SESSION).values(
            id=sid,
            jurisdiction_code=home,
            province_code=home - home % 10000,
            number=number,
            project_id=pid,
            scheduled_start=start,
            scheduled_end=end,
            state="scheduled",
            follow_up_days=30,
            created_by="t",
        )
    )
    sites = [(home, "home"), *((h, "host") for h in hosts)]
    await conn.execute(
        insert(SITE).values(
            [
                {
                    "id": uuid.uuid4(),
                    "session_id": sid,
                    "jurisdiction_code": code,
                    "province_code": code - code % 10000,
                    "session_jurisdiction_code": home,
                    "role": role,
                    "seats": 2,
                    "session_number": number,
                    "scheduled_start": start,
                    "scheduled_end": end,
                    "created_by": "t",
                }
                for code, role in sites
            ]
        )
    )
    w.sessions[sid] = pid


async def _delete_session(conn: AsyncConnection, w: World, sid: uuid.UUID) -> None:
    await conn.execute(delete(SITE).where(SITE.c.session_id == sid))
    await conn.execute(delete(SESSION).where(SESSION.c.id == sid))
    del w.sessions[sid]


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
