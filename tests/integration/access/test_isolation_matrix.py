"""The isolation matrix: every role kind × the three seed levels × each operation × objects in
own / child / sibling / parent / other-province jurisdictions, through the GraphQL endpoint.
Operations include nested paths (the officer pool's people: a nested object is authorized like
its top-level query) and ``explainAccess`` (which must answer exactly as for a login that does
not exist whenever it may not answer).

It runs twice. With both walls, each case must be allowed or denied exactly as EXPECTED says.
With the application's jurisdiction wall switched off (``app.state.app_wall = False``, a test-only
hook), PostgreSQL alone must still return no row from outside the caller's subtree and accept no
write outside its own jurisdiction, while every case EXPECTED allows still works.

EXPECTED is written from the rules, not from policies/roles.csv, so a wrong policy line fails here.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.conftest import APP_ROLE, OWNER_ROLE, Database
from tests.support import GraphQLClient, graphql_client
from xietong.access.tokens import new_api_key
from xietong.db.engine import make_engine
from xietong.db.provision import drop, provision
from xietong.jurisdictions import codes
from xietong.trading.credit_code import compose

# Subjects in 河南: a province, a city with a sibling city, a county with a sibling county.
PLACES = {
    "province": ("henan", 410000),
    "city": ("anyang", 410500),
    "county": ("anyangxian", 410522),
}
RELATIONS: dict[int, dict[str, int]] = {
    410000: {"own": 410000, "child": 410500, "grandchild": 410522, "other-province": 420000},
    410500: {
        "own": 410500,
        "child": 410522,
        "sibling": 410700,
        "parent": 410000,
        "other-province": 422800,
    },
    410522: {
        "own": 410522,
        "sibling": 410581,
        "parent": 410500,
        "grandparent": 410000,
        "other-province": 422825,
    },
}
# Role kinds and the demo login suffix of the person holding each (tenant files).
ROLES = {
    "office": "office",  # supervision_office (+ enforcement_officer)
    "industry": "housing",  # industry_supervisor (+ enforcement_officer)
    "finance": "finance",  # industry_supervisor for procurement (+ enforcement_officer)
    "centre": "centre",  # trading_centre
    "discipline": "discipline",  # discipline_inspection
    "audit": "audit",
    "police": "police",  # police_liaison (+ enforcement_officer)
    "leader": "leader",  # leadership
    "integrator": None,  # an API key for the subject's jurisdiction
    "public": None,  # anonymous
}
OPERATIONS = [
    "read_person",
    "list_people",
    "read_officer_pool",
    "read_officer_pool_people",
    "explain_access",
    "set_availability",
    "create_api_key",
    "create_grant",
    "read_obligation",
    "my_work",
    "escalations",
    "escalation_summary",
    "my_notifications",
    "mark_notification_read",
    "deadline",
    # Trading data (issue 8).
    "read_project",
    "list_projects",
    "read_classified_project",
    "read_public_projects",
    "register_project",
    "record_bids",
    "not_entered_list",
    # Complaints (issue 9).
    "read_complaint",
    "list_complaints",
    "accept_complaint",
    # Remote evaluation (issue 11): home sessions of the target; sessions the target hosts for
    # 昆明市 (started: a live grant; sealed before the start; after the window).
    "read_evaluation",
    "list_evaluations",
    "read_hosted_evaluation",
    "read_sealed_or_closed_hosting",
    "start_evaluation",
    "open_investigation",
]
COMPLAINT_OPERATIONS = {"read_complaint", "list_complaints", "accept_complaint"}
EVALUATION_OPERATIONS = {
    "read_evaluation",
    "list_evaluations",
    "read_hosted_evaluation",
    "read_sealed_or_closed_hosting",
    "start_evaluation",
    "open_investigation",
}
EVALUATION_HOME = 530100  # 昆明市: never a subject here; the home site of the hosted sessions
CLOCK_OPERATIONS = {
    "read_obligation",
    "my_work",
    "escalations",
    "escalation_summary",
    "my_notifications",
    "mark_notification_read",
    "deadline",
}
GRANTEE = "530102"  # 五华区: never a subject here, so grants made by cases change no other case

READERS = {"office", "industry", "finance", "discipline", "audit"}
PERSONS = {"office", "industry", "finance", "centre", "discipline", "audit", "police", "leader"}
WRITERS = PERSONS - {"discipline", "audit", "leader"}  # read-only roles keep no inbox
PROJECT_READERS = READERS | {"centre", "integrator"}
CLASSIFIED_READERS = {"office", "discipline", "audit"}  # of the project's chain
EVALUATION_READERS = READERS | {"centre"}


def expected(role: str, relation: str, operation: str) -> bool:
    """The rules, restated: reading reaches the subtree; casework stays in its own unit."""
    in_subtree = relation in {"own", "child", "grandchild"}
    own = relation == "own"
    if operation in {"read_person", "list_people"}:
        return role in READERS and in_subtree
    if operation == "read_officer_pool":
        # officers and police liaisons see their own unit's pool; readers the subtree
        return (role in READERS and in_subtree) or (role == "police" and own)
    if operation == "read_officer_pool_people":
        # the people behind the pool entries need person:read as well: never for the police
        return role in READERS and in_subtree
    if operation == "explain_access":
        return role == "office" and in_subtree  # the office explains over its subtree
    if operation == "set_availability":
        return role == "office" and own  # and OFFICE-OFFICER-POOL is on every office's list
    if operation == "create_api_key":
        return role == "office" and in_subtree
    if operation == "create_grant":
        return role == "office" and own
    if operation == "read_obligation":
        return role in READERS and in_subtree  # (its own department's clocks aside)
    if operation in {"my_work", "my_notifications"}:
        return role in PERSONS and own  # one's own department's, in one's own unit
    if operation in {"escalations", "escalation_summary"}:
        return role == "office" and in_subtree  # overdue work is visible upward
    if operation == "mark_notification_read":
        return role in WRITERS and own
    if operation == "deadline":
        return True  # public
    if operation in {"read_project", "list_projects"}:
        return role in PROJECT_READERS and in_subtree
    if operation == "read_classified_project":
        # the chain's office, discipline and audit; the supervising department (the unit's own
        # housing department, for a housing works); nobody else, not even the trading side
        return (role in CLASSIFIED_READERS and in_subtree) or (role == "industry" and own)
    if operation == "read_public_projects":
        return True  # the basics of unclassified projects are public; classified never
    if operation in {"register_project", "record_bids"}:
        return role in {"centre", "integrator"} and own  # the trading side of the unit
    if operation == "not_entered_list":
        return role in READERS | {"integrator"} and in_subtree
    if operation in {"read_complaint", "list_complaints"}:
        return role in READERS and in_subtree
    if operation == "accept_complaint":
        # only the competent department it was handed to (the housing bureau), in its own unit
        return role == "industry" and own
    if operation in {"read_evaluation", "list_evaluations"}:
        return role in EVALUATION_READERS and in_subtree
    if operation == "read_hosted_evaluation":
        # a host reads the session through its unit's grant: the unit itself, not its superiors
        return role in EVALUATION_READERS and own
    if operation == "read_sealed_or_closed_hosting":
        return False  # before the start and after the window, a host sees no session
    if operation == "start_evaluation":
        return role == "centre" and own  # the home site's trading centre (主场)
    if operation == "open_investigation":
        return role in {"office", "industry", "finance"} and own  # the home supervises conduct
    raise AssertionError(operation)


@dataclass(frozen=True)
class Case:
    mode: str
    level: str
    role: str
    relation: str
    operation: str

    @property
    def subject_code(self) -> int:
        return PLACES[self.level][1]

    @property
    def target(self) -> int:
        return RELATIONS[self.subject_code][self.relation]

    @property
    def tag(self) -> str:
        return f"{self.mode}/{self.level}/{self.role}/{self.relation}/{self.operation}"


CASES = [
    Case(mode, level, role, relation, operation)
    for mode in ("both-walls", "database-only")
    for level in PLACES
    for role in ROLES
    for relation in RELATIONS[PLACES[level][1]]
    for operation in OPERATIONS
]


@dataclass
class World:
    db: Database
    owner: AsyncEngine
    clients: dict[str, GraphQLClient]
    people: dict[int, tuple[str, str]]  # jurisdiction -> (person global id, login)
    officers: dict[int, tuple[str, uuid.UUID]]  # jurisdiction -> (officer global id, person id)
    keys: dict[int, str]  # jurisdiction -> API key secret
    obligations: dict[int, str]  # jurisdiction -> its office's overdue obligation (global id)
    inboxes: dict[int, str]  # jurisdiction -> a notification to everyone of it (global id)
    projects: dict[int, tuple[str, str, str]]  # jurisdiction -> (open id, classified id, code)
    complaints: dict[int, str]  # jurisdiction -> a complaint's global id (read, list)
    assigned: dict[tuple[str, str, str, str], str]  # case -> a complaint handed to housing
    evaluations: dict[str, dict[int, str]]  # kind ("E", "H", "S", "C") -> unit -> session id
    home_seats: dict[int, str]  # unit -> the home seat of its own session
    to_start: dict[tuple[str, str, str, str], str]  # case -> a scheduled session of the target
    unknown_login_answers: dict[tuple[str, str, str], Any] = field(default_factory=dict)


def _gid(type_name: str, value: uuid.UUID) -> str:
    from xietong.api.ids import to_global_id

    return str(to_global_id(type_name, value))


@pytest.fixture(scope="session")
async def world(pg_admin_url: str, seeded_template: Database) -> AsyncIterator[World]:
    name = f"xt_matrix_{uuid.uuid4().hex[:8]}"
    db = Database.of(
        await provision(
            pg_admin_url,
            name,
            owner_role=OWNER_ROLE,
            app_role=APP_ROLE,
            template=seeded_template.name,
        )
    )
    owner = make_engine(db.owner_url, pool_size=2)
    targets = {t for rel in RELATIONS.values() for t in rel.values()}
    people: dict[int, tuple[str, str]] = {}
    officers: dict[int, tuple[str, uuid.UUID]] = {}
    keys: dict[int, str] = {}
    async with owner.begin() as conn:
        for code in sorted(targets):
            pid, login = (
                await conn.execute(
                    text(
                        "SELECT id, login FROM person WHERE jurisdiction_code = :c AND active "
                        "ORDER BY login LIMIT 1"
                    ),
                    {"c": code},
                )
            ).one()
            people[code] = (_gid("Person", pid), login)
            oid = await conn.scalar(
                text(
                    "SELECT person_id FROM officer_pool_member WHERE jurisdiction_code = :c "
                    "ORDER BY person_id LIMIT 1"
                ),
                {"c": code},
            )
            officers[code] = (_gid("OfficerPoolMember", oid), oid)
        for _, code in PLACES.values():
            key = new_api_key()
            await conn.execute(
                text(
                    "INSERT INTO api_key (id, prefix, secret_hash, name, jurisdiction_code, "
                    "province_code, roles, created_by) VALUES (:id, :p, :h, 'matrix', :c, :pc, "
                    "ARRAY['integrator'], 'test')"
                ),
                {
                    "id": uuid.uuid4(),
                    "p": key.prefix,
                    "h": key.secret_hash,
                    "c": code,
                    "pc": codes.province_of(code),
                },
            )
            keys[code] = key.secret
        obligations, inboxes = await _clocks(conn, sorted(targets))
        projects = await _trading_world(conn, targets)
        evaluations, home_seats, to_start = await _evaluation_world(conn, targets)
    complaints, assigned = await _complaints(db, targets)
    async with graphql_client(db) as both, graphql_client(db) as database_only:
        database_only.app.state.app_wall = False
        yield World(
            db,
            owner,
            {"both-walls": both, "database-only": database_only},
            people,
            officers,
            keys,
            obligations,
            inboxes,
            projects,
            complaints,
            assigned,
            evaluations,
            home_seats,
            to_start,
        )
    await owner.dispose()
    await drop(pg_admin_url, name)


async def _clocks(conn: Any, units: list[int]) -> tuple[dict[int, str], dict[int, str]]:
    """In every unit, an overdue clock owed by each department, a notification of it to that
    department, and one notification to everyone of the unit (no department named)."""
    await conn.execute(
        text(
            "INSERT INTO obligation (id, rule_id, matter_type, matter_id, jurisdiction_code, "
            "province_code, owing_department_id, escalate_to, started_on, counted_from, unit, "
            "amount, due_on, status, provisional, calendar_version, calendar_jurisdiction, "
            "created_by) SELECT gen_random_uuid(), 'R7.report_to_office', 'complaint', "
            "gen_random_uuid(), d.jurisdiction_code, d.province_code, d.id, j.parent_code, "
            "'2020-01-06', '2020-01-06', 'working_days', 3, '2020-01-09', 'overdue', false, "
            "'cal1-matrix', d.jurisdiction_code, 'matrix' FROM department d "
            "JOIN jurisdiction j ON j.code = d.jurisdiction_code "
            "WHERE d.active AND d.jurisdiction_code = ANY(:units)"
        ),
        {"units": units},
    )
    notice = (
        "INSERT INTO notification (id, jurisdiction_code, province_code, recipient_department_id, "
        "kind, obligation_id, rule_id, source_jurisdiction_code, due_on, idempotency_key, "
        "created_by, created_at) SELECT {id}, o.jurisdiction_code, o.province_code, {recipient}, "
        "'overdue', o.id, o.rule_id, o.jurisdiction_code, o.due_on, {key}, "
        "'system:matrix', now() FROM obligation o JOIN department d ON d.id = "
        "o.owing_department_id WHERE o.jurisdiction_code = ANY(:units) {only}"
    )
    await conn.execute(
        text(
            notice.format(
                id="gen_random_uuid()",
                recipient="o.owing_department_id",
                key="'matrix:' || o.id",
                only="",
            )
        ),
        {"units": units},
    )
    await conn.execute(
        text(
            notice.format(
                id="gen_random_uuid()",
                recipient="NULL",
                key="'matrix-all:' || o.id",
                only="AND d.kind = 'supervision_office'",
            )
        ),
        {"units": units},
    )
    obligations = {
        code: _gid("Obligation", oid)
        for code, oid in await conn.execute(
            text(
                "SELECT o.jurisdiction_code, o.id FROM obligation o JOIN department d "
                "ON d.id = o.owing_department_id WHERE d.kind = 'supervision_office'"
            )
        )
    }
    inboxes = {
        code: _gid("Notification", nid)
        for code, nid in await conn.execute(
            text(
                "SELECT jurisdiction_code, id FROM notification "
                "WHERE recipient_department_id IS NULL"
            )
        )
    }
    return obligations, inboxes


async def _trading_world(conn: Any, targets: set[int]) -> dict[int, tuple[str, str, str]]:
    """In each target unit, an unclassified and a classified housing works (bidding), supervised
    by the unit's housing department; written by the owner, as if a key long revoked had."""
    entity = uuid.uuid4()
    await conn.execute(
        text(
            "INSERT INTO market_entity (id, credit_code, name, kind, division, created_by) "
            "VALUES (:id, :c, '矩阵测试建设有限公司', 'enterprise', '410700', 'matrix')"
        ),
        {"id": entity, "c": compose("9", "1", "410700", "MA47X9Y2").value},
    )
    found: dict[int, tuple[str, str, str]] = {}
    for code in sorted(targets):
        housing = await conn.scalar(
            text("SELECT id FROM department WHERE jurisdiction_code = :c AND industry = 'housing'"),
            {"c": code},
        )
        ids = []
        for classified in (False, True):
            ident = uuid.uuid4()
            await conn.execute(
                text(
                    "INSERT INTO project (id, jurisdiction_code, province_code, source_system, "
                    "source_id, project_code, name, category, industry, method, tenderer_id, "
                    "budget_fen, classified, separated_evaluation, supervisor_ids, "
                    "supervisor_powers, state, registered_at, registered_by) VALUES (:id, :c, "
                    ":pc, 'matrix', :sid, :pcode, '矩阵测试工程', 'construction', 'housing', "
                    "'open_tender', :e, 500000000, :cl, false, ARRAY[:h]::uuid[], "
                    "ARRAY['HOUSING-SUPERVISION'], 'bidding', now(), 'key:revoked')"
                ),
                {
                    "id": ident,
                    "c": code,
                    "pc": codes.province_of(code),
                    "sid": f"{code}-{classified}",
                    "pcode": f"M-{code}-{'S' if classified else 'O'}",
                    "e": entity,
                    "cl": classified,
                    "h": housing,
                },
            )
            ids.append(_gid("Project", ident))
        found[code] = (ids[0], ids[1], f"M-{code}-O")
        # An approved works that never entered trading: on the unit's 应进未进 list.
        await conn.execute(
            text(
                "INSERT INTO approved_project (id, jurisdiction_code, province_code, "
                "approval_number, name, owner_name, amount_fen, category, industry, funding, "
                "approved_on, recorded_by) VALUES (:id, :c, :pc, :n, '矩阵未进场工程', "
                "'矩阵业主', 900000000, 'construction', 'housing', 'government', "
                "'2025-01-02', 'matrix')"
            ),
            {"id": uuid.uuid4(), "c": code, "pc": codes.province_of(code), "n": f"A-{code}"},
        )
    return found


async def _evaluation_world(
    conn: Any, targets: set[int]
) -> tuple[dict[str, dict[int, str]], dict[int, str], dict[tuple[str, str, str, str], str]]:
    """Per target unit: its own started session (E), and sessions of 昆明市 it hosts — started
    with a live grant (H), sealed before the start (S), after the window (C, grant revoked); per
    start case a scheduled session of the target. Written by the owner."""
    pid = uuid.uuid4()
    await conn.execute(
        text(
            "INSERT INTO project (id, jurisdiction_code, province_code, source_system, source_id, "
            "project_code, name, category, industry, method, tenderer_id, budget_fen, classified, "
            "separated_evaluation, supervisor_ids, supervisor_powers, state, registered_at, "
            "registered_by) SELECT :id, 530100, 530000, 'matrix', 'eval', 'M-EVAL', "
            "'矩阵评标工程', 'construction', 'housing', 'open_tender', id, 500000000, false, "
            "false, ARRAY[(SELECT d.id FROM department d WHERE d.jurisdiction_code = 530100 "
            "AND d.industry = 'housing')], ARRAY['HOUSING-SUPERVISION'], 'bidding', now(), "
            "'key:revoked' FROM market_entity LIMIT 1"
        ),
        {"id": pid},
    )
    projects = {
        int(code): ident
        for code, ident in await conn.execute(
            text(
                "SELECT jurisdiction_code, id FROM project WHERE source_system = 'matrix' "
                "AND NOT classified"
            )
        )
    }

    async def session(
        home: int, host: int | None, number: str, state: str, grant: str | None
    ) -> tuple[str, str]:
        sid, home_site, seat = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
        started = "now()" if state != "scheduled" else "NULL"
        closed = "now()" if state == "finished" else "NULL"
        await conn.execute(
            text(
                "INSERT INTO evaluation_session (id, jurisdiction_code, province_code, number, "
                "project_id, scheduled_start, scheduled_end, state, started_at, ended_at, "
                "follow_up_days, window_until, window_closed_at, created_by) VALUES (:id, :h, "
                f":hp, :n, :p, now(), now() + interval '8 hours', :st, {started}, {closed}, 30, "
                f":w, {closed}, 'matrix')"
            ),
            {
                "id": sid,
                "h": home,
                "hp": codes.province_of(home),
                "n": number,
                "p": projects[home],
                "st": state,
                "w": date(2020, 1, 1) if state == "finished" else None,
            },
        )
        sites = [(home_site, home, "home")]
        if host is not None:
            sites.append((uuid.uuid4(), host, "host"))
        for site_id, code, role in sites:
            await conn.execute(
                text(
                    "INSERT INTO evaluation_site (id, session_id, jurisdiction_code, "
                    "province_code, session_jurisdiction_code, role, seats, session_number, "
                    "scheduled_start, scheduled_end, created_by) VALUES (:id, :s, :c, :cp, :h, "
                    ":r, 1, :n, now(), now() + interval '8 hours', 'matrix')"
                ),
                {
                    "id": site_id,
                    "s": sid,
                    "c": code,
                    "cp": codes.province_of(code),
                    "h": home,
                    "r": role,
                    "n": number,
                },
            )
            await conn.execute(
                text(
                    "INSERT INTO evaluation_seat (id, session_id, site_id, jurisdiction_code, "
                    "province_code, site_jurisdiction_code, label, created_by) VALUES (:id, :s, "
                    ":site, :h, :hp, :c, :l, 'matrix')"
                ),
                {
                    "id": seat if role == "home" else uuid.uuid4(),
                    "s": sid,
                    "site": site_id,
                    "h": home,
                    "hp": codes.province_of(home),
                    "c": code,
                    "l": "主场-01" if role == "home" else "副场1-01",
                },
            )
        if grant is not None and host is not None:
            await conn.execute(
                text(
                    "INSERT INTO access_grant (id, object_type, object_id, "
                    "object_jurisdiction_code, province_code, grantee_jurisdiction_code, actions, "
                    "include_related, reason, starts_at, expires_at, created_by, revoked_at, "
                    "revoked_by) VALUES (gen_random_uuid(), 'evaluation', :s, :h, :hp, :g, "
                    "ARRAY['handle', 'read'], true, 'matrix', now() - interval '1 hour', "
                    "now() + interval '1 day', 'matrix', "
                    f"{'now()' if grant == 'revoked' else 'NULL'}, "
                    f"{repr('system:evaluation') if grant == 'revoked' else 'NULL'})"
                ),
                {"s": sid, "h": home, "hp": codes.province_of(home), "g": host},
            )
        return _gid("EvaluationSession", sid), _gid("EvaluationSeat", seat)

    found: dict[str, dict[int, str]] = {"E": {}, "H": {}, "S": {}, "C": {}}
    seats: dict[int, str] = {}
    for code in sorted(targets):
        found["E"][code], seats[code] = await session(code, None, f"E-{code}", "started", None)
        for kind, state, grant in (
            ("H", "started", "live"),
            ("S", "scheduled", None),
            ("C", "finished", "revoked"),
        ):
            found[kind][code], _ = await session(
                EVALUATION_HOME, code, f"{kind}-{code}", state, grant
            )
    to_start: dict[tuple[str, str, str, str], str] = {}
    for case in CASES:
        if case.operation == "start_evaluation":
            key = (case.mode, case.level, case.role, case.relation)
            number = "A-" + hashlib.sha256(case.tag.encode()).hexdigest()[:16]
            to_start[key], _ = await session(case.target, None, number, "scheduled", None)
    return found, seats, to_start


async def _complaints(
    db: Database, targets: set[int]
) -> tuple[dict[int, str], dict[tuple[str, str, str, str], str]]:
    """A complaint in every target unit, and one handed to the housing bureau for every case
    that tries to accept one (accepting changes it), made through the service as the owner."""
    from tests.conftest import TEST_SERVER_SECRET
    from xietong.audit.enums import ActorKind
    from xietong.complaints import service, tracking
    from xietong.complaints.enums import ComplaintAction, ComplaintCategory, ComplaintRegime
    from xietong.db.engine import make_sessionmaker, transaction
    from xietong.deadlines.clock import SYSTEM_CLOCK
    from xietong.jurisdictions.enums import DepartmentKind, Industry
    from xietong.keys import Keyring

    engine = make_engine(db.owner_url, pool_size=1)
    sessions = make_sessionmaker(engine, keyring=Keyring.of(TEST_SERVER_SECRET))
    plain: dict[int, str] = {}
    assigned: dict[tuple[str, str, str, str], str] = {}

    async def one(session: Any, code: int, assign: bool) -> str:
        office = await service.receiving_department(session, code, None)
        filing = service.Filing(
            jurisdiction_code=code,
            receiving_department_id=office.id,
            regime=ComplaintRegime.TENDERING,
            category=ComplaintCategory.EVALUATION,
            title="matrix",
            body="matrix",
            project_code="MATRIX-1",
            entity_credit_code=None,
            entity_name=None,
            knew_on=None,
            anonymous=True,
            filer_name=None,
            filer_contact=None,
        )
        row = await service.file(
            session,
            filing=filing,
            code=tracking.new_code(),
            secret=tracking.new_secret(),
            client=None,
            clock=SYSTEM_CLOCK,
        )
        if assign:
            actor = service.Actor(
                name="matrix",
                kind=ActorKind.SYSTEM,
                department_id=office.id,
                department_kind=DepartmentKind.SUPERVISION_OFFICE,
                jurisdiction_code=code,
            )
            row = await service.make_move(
                session,
                complaint=row,
                move=service.Move(ComplaintAction.ASSIGN, industry=Industry.HOUSING),
                actor=actor,
                clock=SYSTEM_CLOCK,
            )
        return _gid("Complaint", row.id)

    try:
        async with transaction(sessions) as session:
            for code in sorted(targets):
                plain[code] = await one(session, code, assign=False)
            for case in CASES:
                if case.operation == "accept_complaint":
                    key = (case.mode, case.level, case.role, case.relation)
                    assigned[key] = await one(session, case.target, assign=True)
    finally:
        await engine.dispose()
    return plain, assigned


def _caller(world: World, case: Case) -> dict[str, Any]:
    place, code = PLACES[case.level]
    if case.role == "public":
        return {}
    if case.role == "integrator":
        return {"headers": {"x-api-key": world.keys[code]}}
    return {"login": f"{place}.{ROLES[case.role]}"}


@dataclass
class Outcome:
    allowed: bool
    seen: set[int]  # jurisdictions of every row returned


# A refusal is one of these; anything else (a mistyped query, an internal error) would make a
# "not allowed" case pass for the wrong reason, so it fails the test instead.
REFUSALS = {"UNAUTHENTICATED", "FORBIDDEN", "POWER_NOT_LISTED", "NOT_FOUND"}


def _checked(client: Any) -> Any:
    async def call(*args: Any, **kwargs: Any) -> dict[str, Any]:
        body: dict[str, Any] = await client(*args, **kwargs)
        codes_seen = {(e.get("extensions") or {}).get("code") for e in body.get("errors") or []}
        assert codes_seen <= REFUSALS, f"not a refusal: {body['errors']}"
        return body

    return call


async def _run(world: World, case: Case) -> Outcome:
    gql = _checked(world.clients[case.mode])
    caller = _caller(world, case)
    target = codes.format_code(case.target)
    marker = f"matrix:{case.tag}"
    if case.operation == "read_person":
        body = await gql(
            "query($id: ID!) { person(id: $id) { login jurisdiction { code } } }",
            {"id": world.people[case.target][0]},
            **caller,
        )
        person = (body.get("data") or {}).get("person")
        return Outcome(
            person is not None, {int(person["jurisdiction"]["code"])} if person else set()
        )
    if case.operation in {"list_people", "read_officer_pool"}:
        query = (
            "query($c: JurisdictionCode!) { people(under: $c, first: 100) { nodes { jurisdiction "
            "{ code } } } }"
            if case.operation == "list_people"
            else "query($c: JurisdictionCode!) { officerPool(jurisdiction: $c, first: 100) { "
            "nodes { jurisdiction { code } } } }"
        )
        body = await gql(query, {"c": target}, **caller)
        field = "people" if case.operation == "list_people" else "officerPool"
        nodes = ((body.get("data") or {}).get(field) or {}).get("nodes") or []
        return Outcome(bool(nodes), {int(n["jurisdiction"]["code"]) for n in nodes})
    if case.operation == "read_officer_pool_people":
        body = await gql(
            "query($c: JurisdictionCode!) { officerPool(jurisdiction: $c, first: 100) { nodes { "
            "jurisdiction { code } person { login jurisdiction { code } } } } }",
            {"c": target},
            **caller,
        )
        nodes = ((body.get("data") or {}).get("officerPool") or {}).get("nodes") or []
        people = [n["person"] for n in nodes if n["person"] is not None]
        own_login = caller.get("login")
        return Outcome(
            any(p["login"] != own_login for p in people),  # one's own record is always readable
            {int(n["jurisdiction"]["code"]) for n in nodes}
            | {int(p["jurisdiction"]["code"]) for p in people},
        )
    if case.operation == "explain_access":
        query = (
            "query($l: Login!, $o: ID!) { explainAccess(login: $l, action: READ, "
            "objectId: $o) { allowed } }"
        )
        own_person = world.people[case.subject_code][0]
        body = await gql(query, {"l": world.people[case.target][1], "o": own_person}, **caller)
        answered = (body.get("data") or {}).get("explainAccess") is not None
        if not answered:
            # Refused exactly as for a login that does not exist: nothing learnt about the
            # target (whether it exists, where, or whether it is deactivated).
            key = (case.mode, case.level, case.role)
            if key not in world.unknown_login_answers:
                world.unknown_login_answers[key] = await gql(
                    query, {"l": "nobody.nowhere", "o": own_person}, **caller
                )
            assert body == world.unknown_login_answers[key], case.tag
        return Outcome(answered, {case.target} if answered else set())
    if case.operation == "set_availability":
        ident, person_id = world.officers[case.target]
        await gql(
            "mutation($id: ID!, $r: LongText) { officerAvailabilitySet(input: {officerId: "
            "$id, available: false, reason: $r}) { errors { code } } }",
            {"id": ident, "r": marker},
            **caller,
        )
        async with world.owner.connect() as conn:
            reason = await conn.scalar(
                text("SELECT unavailable_reason FROM officer_pool_member WHERE person_id = :p"),
                {"p": person_id},
            )
        return Outcome(reason == marker, set())
    if case.operation == "create_api_key":
        await gql(
            "mutation($i: ApiKeyCreateInput!) { apiKeyCreate(input: $i) { errors { code } } }",
            {"i": {"name": marker, "jurisdiction": target, "roles": ["INTEGRATOR"]}},
            **caller,
        )
        async with world.owner.connect() as conn:
            made = await conn.scalar(
                text("SELECT count(*) FROM api_key WHERE name = :n"), {"n": marker}
            )
        return Outcome(made == 1, set())
    if case.operation == "create_grant":
        expires = (datetime.now(UTC) + timedelta(days=1)).isoformat()
        await gql(
            "mutation($i: GrantCreateInput!) { grantCreate(input: $i) { errors { code } } }",
            {
                "i": {
                    "objectId": world.people[case.target][0],
                    "granteeJurisdiction": GRANTEE,
                    "actions": ["READ"],
                    "reason": marker,
                    "expiresAt": expires,
                }
            },
            **caller,
        )
        async with world.owner.connect() as conn:
            made = await conn.scalar(
                text("SELECT count(*) FROM access_grant WHERE reason = :r"), {"r": marker}
            )
        return Outcome(made == 1, set())
    if case.operation in CLOCK_OPERATIONS:
        return await _run_clocks(world, case, gql, caller, target)
    if case.operation in COMPLAINT_OPERATIONS:
        return await _run_complaints(world, case, gql, caller, target)
    if case.operation in EVALUATION_OPERATIONS:
        return await _run_evaluations(world, case, gql, caller, target)
    return await _run_trading(world, case, gql, caller, target)


async def _run_clocks(
    world: World, case: Case, gql: Any, caller: dict[str, Any], target: str
) -> Outcome:
    def nodes_of(body: dict[str, Any], field: str) -> list[Any]:
        return list(((body.get("data") or {}).get(field) or {}).get("nodes") or [])

    if case.operation == "read_obligation":
        body = await gql(
            "query($id: ID!) { obligation(id: $id) { jurisdiction { code } } }",
            {"id": world.obligations[case.target]},
            **caller,
        )
        found = (body.get("data") or {}).get("obligation")
        return Outcome(found is not None, {int(found["jurisdiction"]["code"])} if found else set())
    if case.operation in {"my_work", "my_notifications"}:
        field = "myWork" if case.operation == "my_work" else "myNotifications"
        body = await gql(
            f"{{ {field}(first: 100) {{ nodes {{ jurisdiction {{ code }} }} }} }}", **caller
        )
        seen = {int(n["jurisdiction"]["code"]) for n in nodes_of(body, field)}
        return Outcome(case.target in seen, seen)
    if case.operation == "escalations":
        body = await gql(
            "query($u: JurisdictionCode) { escalations(under: $u, first: 100) { nodes { "
            "jurisdiction { code } } } }",
            {"u": target},
            **caller,
        )
        nodes = nodes_of(body, "escalations")
        return Outcome(bool(nodes), {int(n["jurisdiction"]["code"]) for n in nodes})
    if case.operation == "escalation_summary":
        body = await gql(
            "query($u: JurisdictionCode) { escalationSummary(under: $u) { jurisdiction { code } "
            "overdue includesSubtree } }",
            {"u": target},
            **caller,
        )
        rows = (body.get("data") or {}).get("escalationSummary")
        # A unit counted with overdue clocks is a unit whose rows were read.
        seen = {
            int(r["jurisdiction"]["code"])
            for r in rows or []
            if r["overdue"] and not r["includesSubtree"]
        }
        return Outcome(rows is not None and any(r["overdue"] for r in rows), seen)
    if case.operation == "mark_notification_read":
        body = await gql(
            "mutation($id: ID!) { notificationMarkRead(input: {notificationId: $id}) { "
            "notification { jurisdiction { code } } errors { code } } }",
            {"id": world.inboxes[case.target]},
            **caller,
        )
        payload = (body.get("data") or {}).get("notificationMarkRead") or {}
        marked = payload.get("notification")
        return Outcome(
            marked is not None, {int(marked["jurisdiction"]["code"])} if marked else set()
        )
    if case.operation == "deadline":
        body = await gql(
            'query($j: JurisdictionCode) { deadline(start: "2026-09-30", amount: 3, '
            "unit: WORKING_DAYS, jurisdiction: $j) { due } }",
            {"j": target},
            **caller,
        )
        answer = (body.get("data") or {}).get("deadline")
        return Outcome(answer is not None and answer["due"] == "2026-10-10", set())
    raise AssertionError(case.operation)


PROJECT = "query($id: ID!) { project(id: $id) { classified jurisdiction { code } } }"


async def _run_complaints(
    world: World, case: Case, gql: Any, caller: dict[str, Any], target: str
) -> Outcome:
    if case.operation == "read_complaint":
        body = await gql(
            "query($id: ID!) { complaint(id: $id) { jurisdiction { code } } }",
            {"id": world.complaints[case.target]},
            **caller,
        )
        found = (body.get("data") or {}).get("complaint")
        return Outcome(found is not None, {int(found["jurisdiction"]["code"])} if found else set())
    if case.operation == "list_complaints":
        body = await gql(
            "query($c: JurisdictionCode!) { complaints(under: $c, first: 100) { nodes { "
            "jurisdiction { code } } } }",
            {"c": target},
            **caller,
        )
        nodes = ((body.get("data") or {}).get("complaints") or {}).get("nodes") or []
        return Outcome(bool(nodes), {int(n["jurisdiction"]["code"]) for n in nodes})
    if case.operation == "accept_complaint":
        ident = world.assigned[(case.mode, case.level, case.role, case.relation)]
        await gql(
            "mutation($i: ComplaintRefInput!) { complaintAccept(input: $i) { errors { code } } }",
            {"i": {"id": ident}},
            **caller,
        )
        from xietong.api.ids import from_global_id

        _, complaint_id = from_global_id(ident)
        async with world.owner.connect() as conn:
            status = await conn.scalar(
                text("SELECT status FROM complaint WHERE id = :i"), {"i": complaint_id}
            )
        return Outcome(status == "accepted", set())
    raise AssertionError(case.operation)


EVALUATION = (
    "query($id: ID!) { evaluationSession(id: $id) { number jurisdiction { code } project { id } } }"
)


async def _run_evaluations(
    world: World, case: Case, gql: Any, caller: dict[str, Any], target: str
) -> Outcome:
    async def read(ident: str) -> dict[str, Any] | None:
        body = await gql(EVALUATION, {"id": ident}, **caller)
        found: dict[str, Any] | None = (body.get("data") or {}).get("evaluationSession")
        return found

    if case.operation == "read_evaluation":
        found = await read(world.evaluations["E"][case.target])
        return Outcome(found is not None, {int(found["jurisdiction"]["code"])} if found else set())
    if case.operation == "list_evaluations":
        body = await gql(
            "query($c: JurisdictionCode!) { evaluationSessions(under: $c, first: 100) { nodes { "
            "number jurisdiction { code } } } }",
            {"c": target},
            **caller,
        )
        nodes = ((body.get("data") or {}).get("evaluationSessions") or {}).get("nodes") or []
        # A session the caller's own unit hosts is listed through its grant: not a leak.
        hosted = {f"H-{case.subject_code}"}
        own = [n for n in nodes if n["number"] not in hosted]
        return Outcome(
            any(int(n["jurisdiction"]["code"]) == case.target for n in own),
            {int(n["jurisdiction"]["code"]) for n in own},
        )
    if case.operation == "read_hosted_evaluation":
        found = await read(world.evaluations["H"][case.target])
        if found is not None:
            assert found["project"] is None, f"{case.tag}: a host read the project"
        return Outcome(found is not None, {case.target} if found else set())
    if case.operation == "read_sealed_or_closed_hosting":
        seen = [await read(world.evaluations[kind][case.target]) for kind in ("S", "C")]
        return Outcome(any(f is not None for f in seen), set())
    if case.operation == "start_evaluation":
        ident = world.to_start[(case.mode, case.level, case.role, case.relation)]
        await gql(
            "mutation($i: EvaluationRefInput!) { evaluationStart(input: $i) { errors { code } } }",
            {"i": {"id": ident}},
            **caller,
        )
        from xietong.api.ids import from_global_id

        _, session_id = from_global_id(ident)
        async with world.owner.connect() as conn:
            state = await conn.scalar(
                text("SELECT state FROM evaluation_session WHERE id = :i"), {"i": session_id}
            )
        return Outcome(state == "started", set())
    if case.operation == "open_investigation":
        marker = f"matrix:{case.tag}"
        await gql(
            "mutation($i: EvaluationInvestigationOpenInput!) { evaluationInvestigationOpen("
            "input: $i) { errors { code } } }",
            {
                "i": {
                    "sessionId": world.evaluations["E"][case.target],
                    "seatIds": [world.home_seats[case.target]],
                    "subject": marker,
                }
            },
            **caller,
        )
        async with world.owner.connect() as conn:
            made = await conn.scalar(
                text("SELECT count(*) FROM evaluation_investigation WHERE subject = :m"),
                {"m": marker},
            )
        return Outcome(made == 1, set())
    raise AssertionError(case.operation)


async def _run_trading(
    world: World, case: Case, gql: Any, caller: dict[str, Any], target: str
) -> Outcome:
    open_id, classified_id, open_code = world.projects[case.target]
    marker = hashlib.sha256(case.tag.encode()).hexdigest()[:20]
    if case.operation in {"read_project", "read_classified_project"}:
        ident = open_id if case.operation == "read_project" else classified_id
        body = await gql(PROJECT, {"id": ident}, **caller)
        found = (body.get("data") or {}).get("project")
        return Outcome(found is not None, {int(found["jurisdiction"]["code"])} if found else set())
    if case.operation == "list_projects":
        body = await gql(
            "query($c: JurisdictionCode!) { projects(under: $c, first: 100) { nodes { "
            "classified jurisdiction { code } } } }",
            {"c": target},
            **caller,
        )
        nodes = ((body.get("data") or {}).get("projects") or {}).get("nodes") or []
        return Outcome(bool(nodes), {int(n["jurisdiction"]["code"]) for n in nodes})
    if case.operation == "read_public_projects":
        body = await gql(
            "query($c: JurisdictionCode!) { publicProjects(under: $c, first: 100) { nodes { "
            "code } } }",
            {"c": target},
            **caller,
        )
        seen = {n["code"] for n in body["data"]["publicProjects"]["nodes"]}
        assert not any(c.endswith("-S") for c in seen), f"{case.tag}: a classified project"
        return Outcome(open_code in seen, set())  # public: not tenant rows
    if case.operation == "register_project":
        row = {
            "sourceSystem": "matrix",
            "sourceId": marker,
            "projectCode": marker,
            "name": "矩阵登记测试工程",
            "category": "CONSTRUCTION",
            "industry": "HOUSING",
            "method": "OPEN_TENDER",
            "tendererCreditCode": compose("9", "1", "410700", "MA47X9Y2").value,
            "tendererName": "矩阵测试建设有限公司",
            "budget": "1000000",
            "registeredAt": "2026-03-01T09:00:00+08:00",
        }
        await gql(
            "mutation($i: ProjectRegisterInput!) { projectRegister(input: $i) { errors { code } "
            "} }",
            {"i": {"jurisdiction": target, "project": row}},
            **caller,
        )
        async with world.owner.connect() as conn:
            made = await conn.scalar(
                text("SELECT count(*) FROM project WHERE source_id = :m"), {"m": marker}
            )
        return Outcome(made == 1, set())
    if case.operation == "record_bids":
        row = {
            "projectCode": open_code,
            "bidderCreditCode": compose(
                "9", "1", "410700", f"M{int(marker[:7], 16):07d}"[:8]
            ).value,
            "bidderName": "矩阵投标有限公司",
            "price": "990000",
            "submittedAt": "2026-03-20T09:00:00+08:00",
            "fileCreator": marker,
        }
        await gql(
            "mutation($i: BidsRecordInput!) { bidsRecord(input: $i) { errors { code } } }",
            {"i": {"jurisdiction": target, "rows": [row]}},
            **caller,
        )
        async with world.owner.connect() as conn:
            made = await conn.scalar(
                text("SELECT count(*) FROM bid WHERE file_creator = :m"), {"m": marker}
            )
        return Outcome(made == 1, set())
    if case.operation == "not_entered_list":
        body = await gql(
            "query($c: JurisdictionCode!) { notEnteredProjects(jurisdiction: $c) { "
            "jurisdiction { code } } }",
            {"c": target},
            **caller,
        )
        found = (body.get("data") or {}).get("notEnteredProjects")
        return Outcome(found is not None, {int(n["jurisdiction"]["code"]) for n in found or []})
    raise AssertionError(case.operation)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.tag)
async def test_isolation(world: World, case: Case) -> None:
    outcome = await _run(world, case)
    want = expected(case.role, case.relation, case.operation)
    subtree = codes.subtree(case.subject_code)
    foreign = {c for c in outcome.seen if c not in subtree}
    assert not foreign, f"{case.tag}: rows from outside the caller's subtree: {foreign}"
    if case.mode == "both-walls":
        assert outcome.allowed is want, f"{case.tag}: expected allowed={want}"
        return
    # PostgreSQL alone: never more than the caller's subtree for reads (checked above), never a
    # write outside its own unit, and nothing the rules allow is lost.
    if want:
        assert outcome.allowed, f"{case.tag}: the database wall blocked an allowed case"
    writes = {
        "set_availability",
        "create_grant",
        "register_project",
        "record_bids",
        "mark_notification_read",
        "accept_complaint",
        "start_evaluation",
        "open_investigation",
    }
    if case.operation in writes and case.relation != "own":
        assert not outcome.allowed, f"{case.tag}: the database accepted a write outside own unit"
    if case.operation == "create_api_key" and case.target not in subtree:
        assert not outcome.allowed, f"{case.tag}: the database accepted a key outside the subtree"


def test_the_matrix_covers_every_role_level_relation_and_operation() -> None:
    assert {c.role for c in CASES} == set(ROLES)
    assert {c.level for c in CASES} == set(PLACES)
    assert {c.relation for c in CASES} >= {"own", "child", "sibling", "parent", "other-province"}
    assert {c.operation for c in CASES} == set(OPERATIONS)
    assert len(CASES) == 2 * len(ROLES) * len(OPERATIONS) * sum(len(r) for r in RELATIONS.values())


async def test_the_hook_really_switches_the_application_wall_off(world: World) -> None:
    """Without this, the database-only run could pass on the application's wall alone."""
    query = 'query { people(under: "420000") { totalCount } }'
    both = await world.clients["both-walls"](query, login="henan.office")
    alone = await world.clients["database-only"](query, login="henan.office")
    assert both["errors"][0]["extensions"]["code"] == "FORBIDDEN"  # the application refused
    assert "errors" not in alone  # the application let it through…
    assert alone["data"]["people"]["totalCount"] == 0  # …and PostgreSQL returned nothing
