"""The trading record: registering projects, moving them through their lifecycle, recording bids,
awards, contracts and reports, the expert directory and approved investment projects.

Plain functions over a session; they never commit (the request, the import or the demo loader owns
the transaction). Writes take checked rows (``xietong.trading.rows``) and either apply them all or
raise ``RowsRefused`` listing every bad row; the caller's savepoint then leaves nothing behind.
Reads go through ``visible_projects``: the application's half of the rule row-level security
applies in the database (migration 0006).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    any_,
    false,
    func,
    literal,
    or_,
    select,
    text,
    true,
    tuple_,
)
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from xietong.access.actions import Action, ObjectType
from xietong.access.models import DepartmentPower
from xietong.access.principal import Principal
from xietong.access.roles import Role
from xietong.access.scope import Scope, granted_ids, in_span
from xietong.db.engine import keyring_of
from xietong.jurisdictions import codes
from xietong.jurisdictions.codes import CodeRange
from xietong.jurisdictions.enums import DepartmentKind
from xietong.jurisdictions.models import Department
from xietong.trading import lifecycle
from xietong.trading.credit_code import CreditCode
from xietong.trading.enums import ProjectAction, ProjectCategory, ProjectState, TradingMethod
from xietong.trading.errors import TradingError, TradingErrorCode
from xietong.trading.models import (
    ApprovedProject,
    Award,
    Contract,
    ContractChange,
    Expert,
    MarketEntity,
    NaturalPerson,
    Project,
    ProjectChange,
    ProjectMove,
    ProjectReport,
)
from xietong.trading.personal_id import PersonalIdNumber
from xietong.trading.rows import RowProblem, RowsRefused, duplicates
from xietong.trading.supervision import DepartmentView, assign_supervisors

CODE = TradingErrorCode

CLASSIFIED_READER_KINDS = frozenset(
    {
        DepartmentKind.SUPERVISION_OFFICE,
        DepartmentKind.DISCIPLINE_INSPECTION,
        DepartmentKind.AUDIT,
    }
)
"""Besides the supervising departments, who reads a classified project of their chain."""

NOT_YET_BIDDING = frozenset({ProjectState.REGISTERED, ProjectState.ANNOUNCED})


@dataclass(frozen=True, slots=True)
class Writer:
    """Who writes: the signed actor, the lifecycle role it acts in, and when."""

    actor: str
    role: Role
    now: datetime


@dataclass(slots=True)
class BatchResult:
    """What a batch did: ids created, ids changed, rows that changed nothing."""

    created: list[uuid.UUID] = field(default_factory=list)
    updated: list[uuid.UUID] = field(default_factory=list)
    unchanged: int = 0
    projects: list[Project] = field(default_factory=list)
    """For projects: every project the batch named, as now."""

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)

    def audit_details(self, rows: int) -> dict[str, Any]:
        """One audit event per batch names the rows it created or changed."""
        return {
            "rows": rows,
            "created": [str(i) for i in self.created],
            "updated": [str(i) for i in self.updated],
            "unchanged": self.unchanged,
        }


# ---------------------------------------------------------------------------------------------
# Visibility: the application's wall, mirroring migration 0006's policies.


def classified_reader(principal: Principal) -> bool:
    department = principal.department
    return department is not None and department.kind in CLASSIFIED_READER_KINDS


def visible_projects(scope: Scope, principal: Principal) -> ColumnElement[bool]:
    """Projects the caller may see: unclassified ones in its subtree or granted to it;
    classified ones in its subtree only as the office, discipline inspection or audit, a
    supervising department, or the credential that registered it."""
    if not scope.app_wall:
        return true()
    if scope.read is None:
        return false()
    in_subtree = Project.jurisdiction_code.between(scope.read.lo, scope.read.hi)
    granted = Project.id == any_(granted_ids(ObjectType.PROJECT, Action.READ))
    arms: list[ColumnElement[bool]] = [Project.registered_by == scope.actor]
    if classified_reader(principal):
        arms.append(true())
    if principal.department is not None:
        arms.append(literal(principal.department.id) == any_(Project.supervisor_ids))
    return or_(
        and_(Project.classified.is_(False), or_(in_subtree, granted)),
        and_(Project.classified.is_(True), in_subtree, or_(*arms)),
    )


def projects_query(
    *,
    scope: Scope,
    principal: Principal,
    span: CodeRange,
    category: ProjectCategory | None = None,
    state: ProjectState | None = None,
    method: TradingMethod | None = None,
    classified: bool | None = None,
    separated_evaluation: bool | None = None,
    supervised_by: uuid.UUID | None = None,
    registered_from: date | None = None,
    registered_to: date | None = None,
) -> Select[Project]:
    """Projects in ``span`` the caller may see, filtered."""
    query = select(Project).where(
        visible_projects(scope, principal),
        or_(
            in_span(Project.jurisdiction_code, span),
            Project.id == any_(granted_ids(ObjectType.PROJECT, Action.READ)),
        ),
    )
    filters: list[ColumnElement[bool]] = []
    if category is not None:
        filters.append(Project.category == category)
    if state is not None:
        filters.append(Project.state == state)
    if method is not None:
        filters.append(Project.method == method)
    if classified is not None:
        filters.append(Project.classified.is_(classified))
    if separated_evaluation is not None:
        filters.append(Project.separated_evaluation.is_(separated_evaluation))
    if supervised_by is not None:
        filters.append(literal(supervised_by) == any_(Project.supervisor_ids))
    if registered_from is not None:
        filters.append(
            func.date(func.timezone("Asia/Shanghai", Project.registered_at)) >= registered_from
        )
    if registered_to is not None:
        filters.append(
            func.date(func.timezone("Asia/Shanghai", Project.registered_at)) <= registered_to
        )
    return query.where(*filters) if filters else query


def _china_day(column: Any) -> ColumnElement[date]:
    day: ColumnElement[date] = func.date(func.timezone("Asia/Shanghai", column))
    return day


async def get_project(
    *,
    db_session: AsyncSession,
    scope: Scope,
    principal: Principal,
    project_id: uuid.UUID | None = None,
    code: str | None = None,
    jurisdiction_code: int | None = None,
    for_update: bool = False,
) -> Project | None:
    query = select(Project).where(visible_projects(scope, principal))
    if project_id is not None:
        query = query.where(Project.id == project_id)
    if code is not None:
        query = query.where(Project.project_code == code)
    if jurisdiction_code is not None:
        query = query.where(Project.jurisdiction_code == jurisdiction_code)
    if for_update:
        query = query.with_for_update()
    rows = (await db_session.scalars(query.limit(2))).all()
    if len(rows) > 1:
        raise TradingError(
            CODE.NOT_FOUND,
            "多个辖区有相同编号的项目，请注明辖区（several units use this project code; give the "
            "jurisdiction）",
            field="jurisdiction",
        )
    return rows[0] if rows else None


# ---------------------------------------------------------------------------------------------
# Shared records: entities and persons.


_ENTITIES_SQL = text(
    """
    INSERT INTO market_entity (id, credit_code, name, kind, division, created_by)
    SELECT * FROM unnest(:ids ::uuid[], :codes ::text[], :names ::text[], :kinds ::text[],
                         :divisions ::text[], :actors ::text[])
    ON CONFLICT (credit_code) DO NOTHING
    """
)
_ENTITY_IDS = text(
    "SELECT e.credit_code, e.id FROM market_entity e"
    " JOIN unnest(:codes ::text[]) AS wanted(code) ON e.credit_code = wanted.code"
)
_PERSON_IDS = text(
    "SELECT p.id_digest, p.id FROM natural_person p"
    " JOIN unnest(:digests ::text[]) AS wanted(digest) ON p.id_digest = wanted.digest"
    " WHERE p.jurisdiction_code = :jc"
)
_PERSONS_SQL = text(
    """
    INSERT INTO natural_person (id, jurisdiction_code, province_code, name, id_masked, id_digest)
    SELECT * FROM unnest(:ids ::uuid[], :jcs ::int[], :pcs ::int[], :names ::text[],
                         :masks ::text[], :digests ::text[])
    ON CONFLICT (jurisdiction_code, id_digest) DO NOTHING
    """
)


async def ensure_entities(
    db_session: AsyncSession, actor: str, entities: Mapping[str, tuple[CreditCode, str]]
) -> dict[str, uuid.UUID]:
    """Ids of the market entities with these credit codes, adding the missing ones (the name
    given first is kept: one entity, one name everywhere). One statement to look up, one to
    add what is missing (batches name thousands)."""
    if not entities:
        return {}
    # A join with the unnested list (not `= ANY(array)`, which a sequential scan would compare
    # with every element of the array for every row).
    query = _ENTITY_IDS
    params = {"codes": list(entities)}
    found = {row[0]: row[1] for row in await db_session.execute(query, params)}
    # In code order: concurrent batches naming the same new entities then wait for each other
    # instead of deadlocking.
    missing = [entities[c] for c in sorted(entities) if c not in found]
    if missing:
        await db_session.execute(
            _ENTITIES_SQL,
            {
                "ids": [uuid.uuid4() for _ in missing],
                "codes": [code.value for code, _ in missing],
                "names": [name for _, name in missing],
                "kinds": [code.entity_kind.value for code, _ in missing],
                "divisions": [code.division for code, _ in missing],
                "actors": [actor] * len(missing),
            },
        )
        found.update({row[0]: row[1] for row in await db_session.execute(query, params)})
    return found


async def ensure_persons(
    db_session: AsyncSession,
    jurisdiction_code: int,
    persons: Iterable[tuple[str, PersonalIdNumber]],
) -> dict[str, uuid.UUID]:
    """Ids of the natural persons, by keyed hash, in this jurisdiction (masked + hash only)."""
    keyring = keyring_of(db_session)
    wanted: dict[str, tuple[str, str]] = {}
    for name, number in persons:
        protected = number.protect(keyring)
        wanted.setdefault(protected.digest, (name, protected.masked))
    if not wanted:
        return {}
    query = _PERSON_IDS
    params = {"jc": jurisdiction_code, "digests": list(wanted)}
    found = {row[0]: row[1] for row in await db_session.execute(query, params)}
    missing = sorted(d for d in wanted if d not in found)  # one lock order for every batch
    if missing:
        await db_session.execute(
            _PERSONS_SQL,
            {
                "ids": [uuid.uuid4() for _ in missing],
                "jcs": [jurisdiction_code] * len(missing),
                "pcs": [codes.province_of(jurisdiction_code)] * len(missing),
                "names": [wanted[d][0] for d in missing],
                "masks": [wanted[d][1] for d in missing],
                "digests": missing,
            },
        )
        found.update({row[0]: row[1] for row in await db_session.execute(query, params)})
    return found


def digest_of(db_session: AsyncSession, number: PersonalIdNumber) -> str:
    return number.keyed_hash(keyring_of(db_session))


async def department_views(
    db_session: AsyncSession, jurisdiction_code: int
) -> tuple[list[DepartmentView], dict[str, uuid.UUID]]:
    """The active departments of a jurisdiction with their published power lists (R-2)."""
    rows = await db_session.execute(
        select(Department, func.array_remove(func.array_agg(DepartmentPower.power_code), None))
        .outerjoin(DepartmentPower, DepartmentPower.department_id == Department.id)
        .where(Department.jurisdiction_code == jurisdiction_code, Department.active.is_(True))
        .group_by(Department.id)
    )
    views: list[DepartmentView] = []
    ids: dict[str, uuid.UUID] = {}
    for department, powers in rows:
        views.append(
            DepartmentView(
                key=department.key,
                name=department.name,
                kind=department.kind,
                industry=department.industry,
                powers=frozenset(powers or ()),
            )
        )
        ids[department.key] = department.id
    return views, ids


# ---------------------------------------------------------------------------------------------
# Projects.

_COMPARED = (
    "project_code",
    "name",
    "category",
    "industry",
    "method",
    "tenderer_id",
    "agency_id",
    "budget_fen",
    "classified",
    "separated_evaluation",
    "approval_number",
    "supervisor_ids",
    "supervisor_powers",
)


def _plain(value: Any) -> Any:
    """A value as the change record (JSON) keeps it."""
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "value") and isinstance(value.value, str):
        return value.value
    return value


def _supervisor_problem(index: int, error: TradingError) -> RowProblem:
    name = error.field or "supervisors"
    return RowProblem(index, name, error.error_code, error.message)


async def register_projects(
    *,
    db_session: AsyncSession,
    scope: Scope,
    principal: Principal,
    jurisdiction_code: int,
    rows: Sequence[Mapping[str, Any]],
    writer: Writer,
) -> tuple[BatchResult, list[Project]]:
    """Register or update projects by (source system, source id), all or none (``RowsRefused``).

    R-16: each project's supervising departments are assigned from its category and industry
    among the jurisdiction's departments, or named; none → ``NO_SUPERVISOR``, one without the
    matching published power → ``POWER_NOT_LISTED``. A changed push updates the row and records
    what changed (``ProjectChange``); the same push again changes nothing."""
    problems = duplicates(rows, lambda r: (r["sourceSystem"], r["sourceId"]), "sourceId")
    problems += duplicates(rows, lambda r: r["projectCode"], "projectCode")
    departments, department_ids = await department_views(db_session, jurisdiction_code)
    trading_centre = next(
        (department_ids[d.key] for d in departments if d.kind is DepartmentKind.TRADING_CENTRE),
        None,
    )
    supervisors: dict[int, tuple[list[uuid.UUID], list[str]]] = {}
    for index, row in enumerate(rows):
        try:
            assigned = assign_supervisors(
                category=row["category"],
                industry=row["industry"],
                departments=departments,
                named=row["supervisors"] or (),
            )
        except TradingError as error:
            problems.append(_supervisor_problem(index, error))
            continue
        supervisors[index] = (
            [department_ids[a.department.key] for a in assigned],
            [a.power.code for a in assigned],
        )
    if problems:
        raise RowsRefused(problems)

    entities: dict[str, tuple[CreditCode, str]] = {}
    for row in rows:
        entities.setdefault(
            row["tendererCreditCode"].value, (row["tendererCreditCode"], row["tendererName"])
        )
        if row["agencyCreditCode"] is not None:
            entities.setdefault(
                row["agencyCreditCode"].value,
                (row["agencyCreditCode"], row["agencyName"] or row["agencyCreditCode"].value),
            )
    entity_ids = await ensure_entities(db_session, writer.actor, entities)

    keys = [(r["sourceSystem"], r["sourceId"]) for r in rows]
    existing = {
        (p.source_system, p.source_id): p
        for p in (
            await db_session.scalars(
                select(Project)
                .where(
                    Project.jurisdiction_code == jurisdiction_code,
                    tuple_(Project.source_system, Project.source_id).in_(keys),
                    visible_projects(scope, principal),
                )
                .with_for_update()
            )
        ).all()
    }
    codes_taken = {
        code: (source_system, source_id)
        for code, source_system, source_id in (
            await db_session.execute(
                select(Project.project_code, Project.source_system, Project.source_id).where(
                    Project.jurisdiction_code == jurisdiction_code,
                    Project.project_code.in_([r["projectCode"] for r in rows]),
                    visible_projects(scope, principal),
                )
            )
        )
    }
    result = BatchResult()
    touched: list[Project] = []
    new_rows: list[tuple[int, dict[str, Any]]] = []
    for index, row in enumerate(rows):
        key = (row["sourceSystem"], row["sourceId"])
        owner = codes_taken.get(row["projectCode"])
        if owner is not None and owner != key:
            problems.append(
                RowProblem(
                    index,
                    "projectCode",
                    CODE.PROJECT_CODE_TAKEN,
                    f"项目编号已被本辖区另一项目使用（来源 {owner[0]}/{owner[1]}）"
                    "（another project of the jurisdiction has this code）",
                )
            )
            continue
        supervisor_ids, powers = supervisors[index]
        values = {
            "project_code": row["projectCode"],
            "name": row["name"],
            "category": row["category"],
            "industry": row["industry"],
            "method": row["method"],
            "tenderer_id": entity_ids[row["tendererCreditCode"].value],
            "agency_id": (
                entity_ids[row["agencyCreditCode"].value] if row["agencyCreditCode"] else None
            ),
            "budget_fen": row["budget"],
            "classified": bool(row["classified"]),
            "separated_evaluation": bool(row["separatedEvaluation"]),
            "approval_number": row["approvalNumber"],
            "supervisor_ids": supervisor_ids,
            "supervisor_powers": powers,
        }
        project = existing.get(key)
        if project is None:
            new_rows.append((index, values))
            continue
        diff = {
            name: [_plain(getattr(project, name)), _plain(value)]
            for name, value in values.items()
            if getattr(project, name) != value
        }
        touched.append(project)
        if not diff:
            result.unchanged += 1
            continue
        for name, value in values.items():
            setattr(project, name, value)
        project.updated_at = writer.now
        db_session.add(
            ProjectChange(
                project_id=project.id,
                jurisdiction_code=jurisdiction_code,
                province_code=project.province_code,
                changed_at=writer.now,
                actor=writer.actor,
                changes=diff,
            )
        )
        result.updated.append(project.id)
    if problems:
        raise RowsRefused(problems)

    province = codes.province_of(jurisdiction_code)
    if new_rows:
        inserted = await db_session.execute(
            insert(Project)
            .values(
                [
                    {
                        "id": uuid.uuid4(),
                        "jurisdiction_code": jurisdiction_code,
                        "province_code": province,
                        "source_system": rows[index]["sourceSystem"],
                        "source_id": rows[index]["sourceId"],
                        "trading_centre_id": trading_centre,
                        "state": ProjectState.REGISTERED,
                        "registered_at": rows[index]["registeredAt"],
                        "registered_by": writer.actor,
                        **values,
                    }
                    for index, values in new_rows
                ]
            )
            .on_conflict_do_nothing()
            .returning(Project.id, Project.source_system, Project.source_id)
        )
        made = {(s, i): ident for ident, s, i in inserted}
        for index, _ in new_rows:
            row = rows[index]
            if (row["sourceSystem"], row["sourceId"]) not in made:
                problems.append(
                    RowProblem(
                        index,
                        "sourceId",
                        CODE.SOURCE_ID_TAKEN,
                        "该来源编号或项目编号已被占用（the source id or project code is already "
                        "taken in this jurisdiction）",
                    )
                )
        if problems:
            raise RowsRefused(problems)
        moves = []
        for index, _ in new_rows:
            row = rows[index]
            ident = made[(row["sourceSystem"], row["sourceId"])]
            result.created.append(ident)
            start = lifecycle.Lifecycle.register(at=row["registeredAt"], by=writer.role)
            move = start.moves[0]
            moves.append(
                {
                    "project_id": ident,
                    "jurisdiction_code": jurisdiction_code,
                    "province_code": province,
                    "action": move.action,
                    "source": None,
                    "target": move.target,
                    "at": move.at,
                    "by_role": move.by,
                    "actor": writer.actor,
                }
            )
        await db_session.execute(insert(ProjectMove).values(moves))
        touched += (
            await db_session.scalars(select(Project).where(Project.id.in_(result.created)))
        ).all()
    await db_session.flush()
    return result, touched


async def last_move(db_session: AsyncSession, project_id: uuid.UUID) -> ProjectMove | None:
    found: ProjectMove | None = await db_session.scalar(
        select(ProjectMove)
        .where(ProjectMove.project_id == project_id)
        .order_by(ProjectMove.at.desc(), ProjectMove.id.desc())
        .limit(1)
    )
    return found


async def move_project(
    *,
    db_session: AsyncSession,
    project: Project,
    action: ProjectAction,
    at: datetime,
    writer: Writer,
    note: str | None = None,
) -> ProjectMove | None:
    """Apply one lifecycle action through the transition table; None when the same move (same
    action at the same time) is already the project's last: pushing it again changes nothing."""
    previous = await last_move(db_session, project.id)
    if previous is not None and previous.action is action and previous.at == at:
        return None
    current = lifecycle.Lifecycle(
        state=project.state,
        suspended_from=project.suspended_from,
        moves=(
            lifecycle.Move(
                previous.action if previous else ProjectAction.REGISTER,
                previous.source if previous else None,
                previous.target if previous else project.state,
                previous.at if previous else project.registered_at,
                previous.by_role if previous else writer.role,
            ),
        ),
    )
    after = current.apply(action, at=at, by=writer.role, note=note)
    step = after.moves[-1]
    project.state = after.state
    project.suspended_from = after.suspended_from
    project.updated_at = writer.now
    move = ProjectMove(
        project_id=project.id,
        jurisdiction_code=project.jurisdiction_code,
        province_code=project.province_code,
        action=step.action,
        source=step.source,
        target=step.target,
        at=step.at,
        by_role=step.by,
        actor=writer.actor,
        note=note,
    )
    db_session.add(move)
    await db_session.flush()
    return move


async def projects_by_code(
    *,
    db_session: AsyncSession,
    scope: Scope,
    principal: Principal,
    jurisdiction_code: int,
    project_codes: Iterable[str],
    for_update: bool = False,
) -> dict[str, Project]:
    query = select(Project).where(
        Project.jurisdiction_code == jurisdiction_code,
        Project.project_code.in_(list(set(project_codes))),
        visible_projects(scope, principal),
    )
    if for_update:
        query = query.with_for_update()
    return {p.project_code: p for p in (await db_session.scalars(query)).all()}


def _missing(index: int, code: str) -> RowProblem:
    return RowProblem(
        index,
        "projectCode",
        CODE.NOT_FOUND,
        f"本辖区没有编号为 {code[:64]} 的项目（no such project in the jurisdiction）",
    )


# ---------------------------------------------------------------------------------------------
# Bids: the hot path of ingestion, one statement for the whole batch.

_BID_SQL = text(
    """
    INSERT INTO bid (id, project_id, jurisdiction_code, province_code, bidder_id, price_fen,
                     submitted_at, ip, mac, cpu_serial, disk_serial, board_serial, file_creator,
                     file_machine_code, pricing_lock_serial, deposit_account,
                     project_manager_id, recorded_by)
    SELECT * FROM unnest(:ids ::uuid[], :projects ::uuid[], :jcs ::int[], :pcs ::int[],
                         :bidders ::uuid[], :prices ::bigint[], :times ::timestamptz[],
                         :ips ::text[], :macs ::text[], :cpus ::text[], :disks ::text[],
                         :boards ::text[], :creators ::text[], :machines ::text[],
                         :locks ::text[], :accounts ::text[], :managers ::uuid[],
                         :actors ::text[])
    ON CONFLICT (project_id, bidder_id) DO UPDATE SET
      price_fen = EXCLUDED.price_fen, submitted_at = EXCLUDED.submitted_at, ip = EXCLUDED.ip,
      mac = EXCLUDED.mac, cpu_serial = EXCLUDED.cpu_serial, disk_serial = EXCLUDED.disk_serial,
      board_serial = EXCLUDED.board_serial, file_creator = EXCLUDED.file_creator,
      file_machine_code = EXCLUDED.file_machine_code,
      pricing_lock_serial = EXCLUDED.pricing_lock_serial,
      deposit_account = EXCLUDED.deposit_account,
      project_manager_id = EXCLUDED.project_manager_id, recorded_by = EXCLUDED.recorded_by,
      updated_at = now()
    WHERE (bid.price_fen, bid.submitted_at, bid.ip, bid.mac, bid.cpu_serial, bid.disk_serial,
           bid.board_serial, bid.file_creator, bid.file_machine_code, bid.pricing_lock_serial,
           bid.deposit_account, bid.project_manager_id)
      IS DISTINCT FROM
          (EXCLUDED.price_fen, EXCLUDED.submitted_at, EXCLUDED.ip, EXCLUDED.mac,
           EXCLUDED.cpu_serial, EXCLUDED.disk_serial, EXCLUDED.board_serial,
           EXCLUDED.file_creator, EXCLUDED.file_machine_code, EXCLUDED.pricing_lock_serial,
           EXCLUDED.deposit_account, EXCLUDED.project_manager_id)
    RETURNING id, (xmax = 0) AS inserted
    """
)


def accepts_bids(project: Project) -> bool:
    if project.state is ProjectState.SUSPENDED:
        return project.suspended_from not in NOT_YET_BIDDING
    return project.state not in NOT_YET_BIDDING


async def record_bids(
    *,
    db_session: AsyncSession,
    scope: Scope,
    principal: Principal,
    jurisdiction_code: int,
    rows: Sequence[Mapping[str, Any]],
    writer: Writer,
) -> BatchResult:
    """Record bids by (project, bidder): new ones added, changed ones updated, the same ones
    left alone; all or none."""
    problems = duplicates(
        rows, lambda r: (r["projectCode"], r["bidderCreditCode"].value), "bidderCreditCode"
    )
    for index, row in enumerate(rows):
        if (row["managerIdNumber"] is None) != (row["managerName"] is None):
            field_name = "managerName" if row["managerName"] is None else "managerIdNumber"
            problems.append(
                RowProblem(
                    index,
                    field_name,
                    CODE.REQUIRED,
                    "项目经理的姓名和身份证号须同时提供（give the manager's name and ID "
                    "number together）",
                )
            )
    projects = await projects_by_code(
        db_session=db_session,
        scope=scope,
        principal=principal,
        jurisdiction_code=jurisdiction_code,
        project_codes=[r["projectCode"] for r in rows],
    )
    for index, row in enumerate(rows):
        project = projects.get(row["projectCode"])
        if project is None:
            problems.append(_missing(index, row["projectCode"]))
        elif not accepts_bids(project):
            problems.append(
                RowProblem(
                    index,
                    "projectCode",
                    CODE.NOT_ACCEPTING_BIDS,
                    f"项目处于“{project.state.zh}”状态，尚未开始投标"
                    "（the project is not open for bids yet）",
                )
            )
    if problems:
        raise RowsRefused(problems)
    entities = {r["bidderCreditCode"].value: (r["bidderCreditCode"], r["bidderName"]) for r in rows}
    entity_ids = await ensure_entities(db_session, writer.actor, entities)
    keyring = keyring_of(db_session)
    digests = {
        index: r["managerIdNumber"].keyed_hash(keyring)
        for index, r in enumerate(rows)
        if r["managerIdNumber"]
    }
    managers = [(rows[i]["managerName"], rows[i]["managerIdNumber"]) for i in digests]
    person_ids = await ensure_persons(db_session, jurisdiction_code, managers)
    province = codes.province_of(jurisdiction_code)
    n = len(rows)
    columns: dict[str, list[Any]] = {
        "ids": [uuid.uuid4() for _ in range(n)],
        "projects": [projects[r["projectCode"]].id for r in rows],
        "jcs": [jurisdiction_code] * n,
        "pcs": [province] * n,
        "bidders": [entity_ids[r["bidderCreditCode"].value] for r in rows],
        "prices": [r["price"] for r in rows],
        "times": [r["submittedAt"] for r in rows],
        "ips": [r["ip"] for r in rows],
        "macs": [r["mac"] for r in rows],
        "cpus": [r["cpuSerial"] for r in rows],
        "disks": [r["diskSerial"] for r in rows],
        "boards": [r["boardSerial"] for r in rows],
        "creators": [r["fileCreator"] for r in rows],
        "machines": [r["fileMachineCode"] for r in rows],
        "locks": [r["pricingLockSerial"] for r in rows],
        "accounts": [r["depositAccount"] for r in rows],
        "managers": [person_ids[digests[i]] if i in digests else None for i in range(n)],
        "actors": [writer.actor] * n,
    }
    result = BatchResult()
    for ident, inserted in await db_session.execute(_BID_SQL, columns):
        (result.created if inserted else result.updated).append(ident)
    result.unchanged = n - len(result.created) - len(result.updated)
    return result


# ---------------------------------------------------------------------------------------------
# Awards and contracts: each may move the lifecycle (award → awarded, contract → contracted).

AFTER_AWARD = frozenset(
    {ProjectState.AWARDED, ProjectState.CONTRACTED, ProjectState.PERFORMING, ProjectState.CLOSED}
)
AFTER_CONTRACT = frozenset({ProjectState.CONTRACTED, ProjectState.PERFORMING, ProjectState.CLOSED})


def _effective_state(project: Project) -> ProjectState:
    if project.state is ProjectState.SUSPENDED and project.suspended_from is not None:
        return project.suspended_from
    return project.state


async def record_awards(
    *,
    db_session: AsyncSession,
    scope: Scope,
    principal: Principal,
    jurisdiction_code: int,
    rows: Sequence[Mapping[str, Any]],
    writer: Writer,
) -> BatchResult:
    """Record the award of each project: a project still evaluating is moved to awarded (the
    lifecycle's ``award``); an awarded one has its award updated; any other state is
    ``ILLEGAL_TRANSITION``. All or none."""
    problems = duplicates(rows, lambda r: r["projectCode"], "projectCode")
    projects = await projects_by_code(
        db_session=db_session,
        scope=scope,
        principal=principal,
        jurisdiction_code=jurisdiction_code,
        project_codes=[r["projectCode"] for r in rows],
        for_update=True,
    )
    for index, row in enumerate(rows):
        project = projects.get(row["projectCode"])
        if project is None:
            problems.append(_missing(index, row["projectCode"]))
    if problems:
        raise RowsRefused(problems)
    entity_ids = await ensure_entities(
        db_session,
        writer.actor,
        {r["winnerCreditCode"].value: (r["winnerCreditCode"], r["winnerName"]) for r in rows},
    )
    existing = {
        a.project_id: a
        for a in (
            await db_session.scalars(
                select(Award).where(Award.project_id.in_([p.id for p in projects.values()]))
            )
        ).all()
    }
    result = BatchResult()
    for index, row in enumerate(rows):
        project = projects[row["projectCode"]]
        values = {
            "winner_id": entity_ids[row["winnerCreditCode"].value],
            "amount_fen": row["amount"],
            "awarded_at": row["awardedAt"],
        }
        award = existing.get(project.id)
        try:
            if project.state is ProjectState.EVALUATING:
                await move_project(
                    db_session=db_session,
                    project=project,
                    action=ProjectAction.AWARD,
                    at=row["awardedAt"],
                    writer=writer,
                )
            elif _effective_state(project) not in AFTER_AWARD:
                raise _illegal(project, ProjectAction.AWARD)
        except TradingError as error:
            problems.append(
                RowProblem(index, error.field or "awardedAt", error.error_code, error.message)
            )
            continue
        if award is None:
            award = Award(
                id=uuid.uuid4(),
                project_id=project.id,
                jurisdiction_code=jurisdiction_code,
                province_code=project.province_code,
                recorded_by=writer.actor,
                **values,
            )
            db_session.add(award)
            result.created.append(award.id)
        elif any(getattr(award, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(award, k, v)
            award.recorded_by = writer.actor
            award.updated_at = writer.now
            result.updated.append(award.id)
        else:
            result.unchanged += 1
    if problems:
        raise RowsRefused(problems)
    await db_session.flush()
    return result


def _illegal(project: Project, action: ProjectAction) -> TradingError:
    return TradingError(
        CODE.ILLEGAL_TRANSITION,
        f"项目处于“{project.state.zh}”状态，不能“{action.zh}”"
        f"（illegal transition: {action.value} in state {project.state.value}）",
        field="projectCode",
        state=project.state.value,
        action=action.value,
    )


async def record_contract(
    *,
    db_session: AsyncSession,
    project: Project,
    contract_number: str,
    supplier: CreditCode,
    supplier_name: str,
    amount_fen: int,
    signed_at: datetime,
    writer: Writer,
) -> tuple[Contract, bool]:
    """The project's contract as signed (an awarded project moves to contracted); True if
    anything changed."""
    state = _effective_state(project)
    if project.state is ProjectState.AWARDED:
        await move_project(
            db_session=db_session,
            project=project,
            action=ProjectAction.SIGN_CONTRACT,
            at=signed_at,
            writer=writer,
        )
    elif state not in AFTER_CONTRACT:
        raise _illegal(project, ProjectAction.SIGN_CONTRACT)
    supplier_id = (
        await ensure_entities(db_session, writer.actor, {supplier.value: (supplier, supplier_name)})
    )[supplier.value]
    values = {
        "contract_number": contract_number,
        "supplier_id": supplier_id,
        "amount_fen": amount_fen,
        "signed_at": signed_at,
    }
    contract = await db_session.scalar(select(Contract).where(Contract.project_id == project.id))
    if contract is None:
        contract = Contract(
            id=uuid.uuid4(),
            project_id=project.id,
            jurisdiction_code=project.jurisdiction_code,
            province_code=project.province_code,
            recorded_by=writer.actor,
            **values,
        )
        db_session.add(contract)
        await db_session.flush()
        return contract, True
    if all(getattr(contract, k) == v for k, v in values.items()):
        return contract, False
    for k, v in values.items():
        setattr(contract, k, v)
    contract.recorded_by = writer.actor
    contract.updated_at = writer.now
    await db_session.flush()
    return contract, True


async def change_contract(
    *,
    db_session: AsyncSession,
    project: Project,
    amount_fen: int,
    changed_at: datetime,
    reason: str,
    writer: Writer,
) -> ContractChange:
    contract = await db_session.scalar(select(Contract).where(Contract.project_id == project.id))
    if contract is None:
        raise TradingError(
            CODE.NOT_FOUND,
            "该项目尚未登记合同（the project has no contract yet）",
            field="projectCode",
        )
    change = ContractChange(
        contract_id=contract.id,
        jurisdiction_code=contract.jurisdiction_code,
        province_code=contract.province_code,
        changed_at=changed_at,
        amount_fen=amount_fen,
        reason=reason,
        recorded_by=writer.actor,
    )
    db_session.add(change)
    await db_session.flush()
    return change


# ---------------------------------------------------------------------------------------------
# Reports.


async def file_reports(
    *,
    db_session: AsyncSession,
    scope: Scope,
    principal: Principal,
    jurisdiction_code: int,
    rows: Sequence[Mapping[str, Any]],
    writer: Writer,
    supervised_by: uuid.UUID | None = None,
) -> tuple[BatchResult, dict[str, Project]]:
    """File performance, supervision and credit reports against projects, by the filer's own
    report id: filing one again changes nothing; a different report under a used id is refused.
    ``supervised_by`` limits filing to the projects that department supervises (an industry
    department files only for its own)."""
    problems = duplicates(rows, lambda r: (r["projectCode"], r["sourceId"]), "sourceId")
    projects = await projects_by_code(
        db_session=db_session,
        scope=scope,
        principal=principal,
        jurisdiction_code=jurisdiction_code,
        project_codes=[r["projectCode"] for r in rows],
    )
    for index, row in enumerate(rows):
        project = projects.get(row["projectCode"])
        if project is None or (
            supervised_by is not None and supervised_by not in project.supervisor_ids
        ):
            problems.append(_missing(index, row["projectCode"]))
    if problems:
        raise RowsRefused(problems)
    existing = {
        (r.project_id, r.source_id): r
        for r in (
            await db_session.scalars(
                select(ProjectReport).where(
                    tuple_(ProjectReport.project_id, ProjectReport.source_id).in_(
                        [(projects[r["projectCode"]].id, r["sourceId"]) for r in rows]
                    )
                )
            )
        ).all()
    }
    result = BatchResult()
    for index, row in enumerate(rows):
        project = projects[row["projectCode"]]
        values = {
            "kind": row["kind"],
            "reporter": row["reporter"],
            "reported_at": row["reportedAt"],
            "title": row["title"],
            "content": row["content"],
        }
        found = existing.get((project.id, row["sourceId"]))
        if found is not None:
            if any(getattr(found, k) != v for k, v in values.items()):
                problems.append(
                    RowProblem(
                        index,
                        "sourceId",
                        CODE.SOURCE_ID_TAKEN,
                        "该编号的报告已报送且内容不同；更正请以新编号报送"
                        "（a different report was filed under this id; file a correction "
                        "under a new id）",
                    )
                )
            else:
                result.unchanged += 1
            continue
        report = ProjectReport(
            id=uuid.uuid4(),
            project_id=project.id,
            jurisdiction_code=jurisdiction_code,
            province_code=project.province_code,
            source_id=row["sourceId"],
            recorded_by=writer.actor,
            **values,
        )
        db_session.add(report)
        result.created.append(report.id)
    if problems:
        raise RowsRefused(problems)
    await db_session.flush()
    return result, projects


# ---------------------------------------------------------------------------------------------
# Approved investment projects and experts.

_APPROVED_COLUMNS = (
    "name",
    "owner_name",
    "owner_credit_code",
    "amount_fen",
    "category",
    "industry",
    "funding",
    "approved_on",
)


async def push_approved(
    *,
    db_session: AsyncSession,
    jurisdiction_code: int,
    rows: Sequence[Mapping[str, Any]],
    writer: Writer,
) -> BatchResult:
    """Approved investment projects by approval number: added, updated or left alone."""
    problems = duplicates(rows, lambda r: r["approvalNumber"], "approvalNumber")
    if problems:
        raise RowsRefused(problems)
    existing = {
        a.approval_number: a
        for a in (
            await db_session.scalars(
                select(ApprovedProject)
                .where(
                    ApprovedProject.jurisdiction_code == jurisdiction_code,
                    ApprovedProject.approval_number.in_([r["approvalNumber"] for r in rows]),
                )
                .with_for_update()
            )
        ).all()
    }
    result = BatchResult()
    for row in rows:
        values = {
            "name": row["name"],
            "owner_name": row["ownerName"],
            "owner_credit_code": row["ownerCreditCode"].value if row["ownerCreditCode"] else None,
            "amount_fen": row["investment"],
            "category": row["category"],
            "industry": row["industry"],
            "funding": row["funding"],
            "approved_on": row["approvedOn"],
        }
        found = existing.get(row["approvalNumber"])
        if found is None:
            found = ApprovedProject(
                id=uuid.uuid4(),
                jurisdiction_code=jurisdiction_code,
                province_code=codes.province_of(jurisdiction_code),
                approval_number=row["approvalNumber"],
                recorded_by=writer.actor,
                **values,
            )
            db_session.add(found)
            result.created.append(found.id)
        elif any(getattr(found, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(found, k, v)
            found.recorded_by = writer.actor
            found.updated_at = writer.now
            result.updated.append(found.id)
        else:
            result.unchanged += 1
    await db_session.flush()
    return result


async def upsert_expert(
    *,
    db_session: AsyncSession,
    jurisdiction_code: int,
    library_province_code: int,
    name: str,
    number: PersonalIdNumber,
    specialities: Sequence[str],
    status: Any,
    writer: Writer,
) -> tuple[Expert, bool]:
    """An expert by their (hashed) ID number in their home jurisdiction; True if it changed."""
    protected = number.protect(keyring_of(db_session))
    values = {
        "library_province_code": library_province_code,
        "name": name,
        "specialities": list(specialities),
        "status": status,
    }
    expert = await db_session.scalar(
        select(Expert)
        .where(Expert.jurisdiction_code == jurisdiction_code, Expert.id_digest == protected.digest)
        .with_for_update()
    )
    if expert is None:
        expert = Expert(
            id=uuid.uuid4(),
            jurisdiction_code=jurisdiction_code,
            province_code=codes.province_of(jurisdiction_code),
            id_masked=protected.masked,
            id_digest=protected.digest,
            recorded_by=writer.actor,
            **values,
        )
        db_session.add(expert)
        await db_session.flush()
        return expert, True
    if all(getattr(expert, k) == v for k, v in values.items()):
        return expert, False
    for k, v in values.items():
        setattr(expert, k, v)
    expert.recorded_by = writer.actor
    expert.updated_at = writer.now
    await db_session.flush()
    return expert, True


def experts_query(
    *,
    scope: Scope,
    span: CodeRange,
    speciality: str | None = None,
    status: Any = None,
) -> Select[Expert]:
    query = select(Expert).where(
        scope.visible(Expert.jurisdiction_code),
        in_span(Expert.jurisdiction_code, span),
    )
    if speciality is not None:
        query = query.where(literal(speciality) == any_(Expert.specialities))
    if status is not None:
        query = query.where(Expert.status == status)
    return query


def approved_query(*, scope: Scope, span: CodeRange) -> Select[ApprovedProject]:
    return select(ApprovedProject).where(
        scope.visible(ApprovedProject.jurisdiction_code),
        in_span(ApprovedProject.jurisdiction_code, span),
    )


async def entity_by_code(db_session: AsyncSession, code: CreditCode) -> MarketEntity | None:
    found: MarketEntity | None = await db_session.scalar(
        select(MarketEntity).where(MarketEntity.credit_code == code.value)
    )
    return found


async def entities_by_ids(
    *, db_session: AsyncSession, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, MarketEntity]:
    rows = await db_session.scalars(select(MarketEntity).where(MarketEntity.id.in_(ids)))
    return {e.id: e for e in rows}


async def persons_by_ids(
    *, db_session: AsyncSession, scope: Scope, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, NaturalPerson]:
    rows = await db_session.scalars(
        select(NaturalPerson).where(
            NaturalPerson.id.in_(ids), scope.visible(NaturalPerson.jurisdiction_code)
        )
    )
    return {p.id: p for p in rows}
