"""Trading mutations: one object, or a batch of up to 1,000 rows (one transaction, all rows or
none; the payload lists every bad row). Every write leaves one audit event naming what it
created or changed; a push that changes nothing leaves none."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Annotated, Any

import strawberry

from xietong.access.actions import Action, ObjectType
from xietong.access.graphql.permissions import signed_in
from xietong.access.roles import Role
from xietong.api.context import Context, Info
from xietong.api.scalars import JurisdictionCode
from xietong.deadlines.clock import SYSTEM_CLOCK
from xietong.jurisdictions.enums import Industry
from xietong.jurisdictions.graphql.types import known_code
from xietong.trading import rows as R
from xietong.trading import service
from xietong.trading.enums import (
    ExpertStatus,
    FundingSource,
    ProjectAction,
    ProjectCategory,
    ReporterKind,
    ReportKind,
    TradingMethod,
)
from xietong.trading.errors import TradingError, TradingErrorCode
from xietong.trading.graphql.common import errors, plain_rows
from xietong.trading.graphql.types import (
    ContractType,
    ExpertType,
    ProjectMoveType,
    ProjectType,
)
from xietong.trading.graphql.types import (
    TradingError as TradingErrorType,
)
from xietong.trading.ingest import acting, in_savepoint, ingest
from xietong.trading.models import Contract

Jurisdiction = Annotated[
    JurisdictionCode,
    strawberry.field(description='The project site\'s jurisdiction, e.g. "410721": your own unit.'),
]


@strawberry.input(
    description="A trading project as its source system knows it. Pushing the same project "
    "again (same source system and id) updates it; the same values change nothing."
)
class ProjectInput:
    source_system: str = strawberry.field(description="Your system's name, e.g. XXJY-2024.")
    source_id: str = strawberry.field(description="The project's id in your system.")
    project_code: str = strawberry.field(description="项目编号, unique in the jurisdiction.")
    name: str = strawberry.field(description="项目名称.")
    category: ProjectCategory = strawberry.field(description="Category.")
    method: TradingMethod = strawberry.field(description="Trading method (fits the category).")
    tenderer_credit_code: str = strawberry.field(
        description="The tenderer's unified social credit code (GB 32100)."
    )
    tenderer_name: str = strawberry.field(description="The tenderer's name.")
    budget: str = strawberry.field(description='Budget in yuan, exact, e.g. "4860000.00".')
    registered_at: datetime = strawberry.field(description="When it was registered.")
    industry: Industry | None = strawberry.field(
        default=None, description="Industry (decides the supervisor of construction projects)."
    )
    agency_credit_code: str | None = strawberry.field(
        default=None, description="The agency's credit code, if any."
    )
    agency_name: str | None = strawberry.field(default=None, description="The agency's name.")
    classified: bool = strawberry.field(default=False, description="涉密: never public.")
    separated_evaluation: bool = strawberry.field(default=False, description="评定分离 (R-5).")
    approval_number: str | None = strawberry.field(
        default=None, description="投资项目代码 of the approved project it carries out."
    )
    supervisors: list[str] | None = strawberry.field(
        default=None,
        description="Keys of the supervising departments, when named rather than assigned by "
        "the rule (谁主管谁监管).",
    )


@strawberry.input(description="Register or update projects of one jurisdiction (≤ 1,000 rows).")
class ProjectsRegisterInput:
    jurisdiction: Jurisdiction
    rows: list[ProjectInput] = strawberry.field(description="The projects.")


@strawberry.input(description="Register or update one project.")
class ProjectRegisterInput:
    jurisdiction: Jurisdiction
    project: ProjectInput = strawberry.field(description="The project.")


@strawberry.type(description="What a batch did. On any error nothing was applied.")
class BatchPayload:
    created: int = strawberry.field(description="Rows that added a record.")
    updated: int = strawberry.field(description="Rows that changed a record.")
    unchanged: int = strawberry.field(description="Rows that changed nothing.")
    errors: list[TradingErrorType] = strawberry.field(
        description="Every bad row; empty on success."
    )


@strawberry.type(description="Result of projectRegister.")
class ProjectRegisterPayload:
    project: ProjectType | None = strawberry.field(description="The project as now.")
    changed: bool = strawberry.field(description="Whether anything was created or changed.")
    errors: list[TradingErrorType] = strawberry.field(description="Empty on success.")


@strawberry.input(description="A bid and its submission evidence.")
class BidInput:
    project_code: str = strawberry.field(description="项目编号 in the batch's jurisdiction.")
    bidder_credit_code: str = strawberry.field(description="The bidder's credit code.")
    bidder_name: str = strawberry.field(description="The bidder's name.")
    price: str = strawberry.field(description="Price in yuan, exact.")
    submitted_at: datetime = strawberry.field(description="When it was submitted.")
    ip: str | None = strawberry.field(default=None, description="Submitting IP address.")
    mac: str | None = strawberry.field(default=None, description="Submitting MAC address.")
    cpu_serial: str | None = strawberry.field(default=None, description="CPU serial.")
    disk_serial: str | None = strawberry.field(default=None, description="Disk serial.")
    board_serial: str | None = strawberry.field(default=None, description="Board serial.")
    file_creator: str | None = strawberry.field(
        default=None, description="The bid file's author (文件制作人)."
    )
    file_machine_code: str | None = strawberry.field(
        default=None, description="The bid file's machine code (制作机器码)."
    )
    pricing_lock_serial: str | None = strawberry.field(
        default=None, description="Pricing software lock serial (加密锁号)."
    )
    deposit_account: str | None = strawberry.field(
        default=None, description="Account the deposit was paid from."
    )
    manager_name: str | None = strawberry.field(default=None, description="Project manager.")
    manager_id_number: str | None = strawberry.field(
        default=None,
        description="The manager's ID number: checked, then kept only masked and as a keyed "
        "hash; never stored, returned or logged.",
    )


@strawberry.input(description="Record bids of projects of one jurisdiction (≤ 1,000 rows).")
class BidsRecordInput:
    jurisdiction: Jurisdiction
    rows: list[BidInput] = strawberry.field(description="The bids.")


@strawberry.input(description="An award (中标/成交).")
class AwardInput:
    project_code: str = strawberry.field(description="项目编号.")
    winner_credit_code: str = strawberry.field(description="The winner's credit code.")
    winner_name: str = strawberry.field(description="The winner's name.")
    amount: str = strawberry.field(description="Amount in yuan, exact.")
    awarded_at: datetime = strawberry.field(description="When it was awarded.")


@strawberry.input(description="Record awards of one jurisdiction (≤ 1,000 rows).")
class AwardsRecordInput:
    jurisdiction: Jurisdiction
    rows: list[AwardInput] = strawberry.field(description="The awards.")


@strawberry.input(description="Information filed against a project (R-4).")
class ReportInput:
    project_code: str = strawberry.field(description="项目编号.")
    source_id: str = strawberry.field(
        description="Your id for the report (filing it again changes nothing)."
    )
    kind: ReportKind = strawberry.field(description="What it is about.")
    reporter: ReporterKind = strawberry.field(description="Who files it.")
    reported_at: datetime = strawberry.field(description="When.")
    title: str = strawberry.field(description="Title.")
    content: str = strawberry.field(description="Content.")


@strawberry.input(description="File reports of one jurisdiction (≤ 1,000 rows).")
class ReportsFileInput:
    jurisdiction: Jurisdiction
    rows: list[ReportInput] = strawberry.field(description="The reports.")


@strawberry.input(description="An approved investment project (审批/核准/备案).")
class ApprovedProjectInput:
    approval_number: str = strawberry.field(description="投资项目代码.")
    name: str = strawberry.field(description="Name.")
    owner_name: str = strawberry.field(description="Owner (项目单位).")
    investment: str = strawberry.field(description="Total investment in yuan, exact.")
    category: ProjectCategory = strawberry.field(description="Category.")
    funding: FundingSource = strawberry.field(description="Funding source.")
    approved_on: date = strawberry.field(description="Day of approval (China).")
    owner_credit_code: str | None = strawberry.field(
        default=None, description="Owner's credit code."
    )
    industry: Industry | None = strawberry.field(default=None, description="Industry.")


@strawberry.input(description="Push approved projects of one jurisdiction (≤ 1,000 rows).")
class ApprovedProjectsPushInput:
    jurisdiction: Jurisdiction
    rows: list[ApprovedProjectInput] = strawberry.field(description="The approved projects.")


@strawberry.input(description="Move a project through its lifecycle (the transition table).")
class ProjectMoveInput:
    jurisdiction: Jurisdiction
    project_code: str = strawberry.field(description="项目编号.")
    action: ProjectAction = strawberry.field(description="The action.")
    at: datetime = strawberry.field(description="When it happened.")
    note: str | None = strawberry.field(default=None, description="Note.")


@strawberry.type(description="Result of projectMove.")
class ProjectMovePayload:
    project: ProjectType | None = strawberry.field(description="The project as now.")
    move: ProjectMoveType | None = strawberry.field(
        description="The move recorded; null when it was already the last one."
    )
    errors: list[TradingErrorType] = strawberry.field(description="Empty on success.")


@strawberry.input(description="The contract signed after the award.")
class ContractRecordInput:
    jurisdiction: Jurisdiction
    project_code: str = strawberry.field(description="项目编号.")
    contract_number: str = strawberry.field(description="Contract number.")
    supplier_credit_code: str = strawberry.field(description="Supplier's credit code.")
    supplier_name: str = strawberry.field(description="Supplier's name.")
    amount: str = strawberry.field(description="Amount in yuan, exact.")
    signed_at: datetime = strawberry.field(description="When it was signed.")


@strawberry.input(description="A change to a signed contract (合同变更).")
class ContractChangeInput:
    jurisdiction: Jurisdiction
    project_code: str = strawberry.field(description="项目编号.")
    amount: str = strawberry.field(description="The amount after the change, yuan.")
    changed_at: datetime = strawberry.field(description="When.")
    reason: str = strawberry.field(description="Why.")


@strawberry.type(description="Result of contractRecord and contractChange.")
class ContractPayload:
    contract: ContractType | None = strawberry.field(description="The contract as now.")
    errors: list[TradingErrorType] = strawberry.field(description="Empty on success.")


@strawberry.input(description="An expert of a province's library, at their home jurisdiction.")
class ExpertUpsertInput:
    jurisdiction: JurisdictionCode = strawberry.field(description="Home jurisdiction.")
    name: str = strawberry.field(description="Name.")
    id_number: str = strawberry.field(
        description="ID number: kept only masked and as a keyed hash, never stored."
    )
    specialities: list[str] = strawberry.field(description="Specialities (评标专业).")
    status: ExpertStatus = strawberry.field(
        default=ExpertStatus.ACTIVE, description="Status in the library."
    )


@strawberry.type(description="Result of expertUpsert.")
class ExpertUpsertPayload:
    expert: ExpertType | None = strawberry.field(description="The expert as now.")
    errors: list[TradingErrorType] = strawberry.field(description="Empty on success.")


def _batch(result: service.BatchResult | None, problems: list[TradingErrorType]) -> BatchPayload:
    if result is None:
        return BatchPayload(created=0, updated=0, unchanged=0, errors=problems)
    return BatchPayload(
        created=len(result.created),
        updated=len(result.updated),
        unchanged=result.unchanged,
        errors=[],
    )


async def _ingest(
    info: Info, kind: R.Kind, jurisdiction: int, items: Sequence[Any]
) -> tuple[service.BatchResult | None, list[TradingErrorType]]:
    code = known_code(info, jurisdiction, "jurisdiction")
    assert code is not None
    result, problems = await ingest(info.context.guard, kind, code, plain_rows(items))
    return result, errors(problems)


@strawberry.type
class TradingMutations:
    @strawberry.mutation(
        description="Register or update one project (idempotent by source system and id). "
        "R-16: refused without a supervising department (NO_SUPERVISOR) or with one whose "
        "published power list lacks the power (POWER_NOT_LISTED). Trading centre or integrator "
        "of the project's jurisdiction.",
        extensions=[signed_in()],
    )
    async def project_register(
        self,
        info: Info,
        input: Annotated[ProjectRegisterInput, strawberry.argument(description="The project.")],
    ) -> ProjectRegisterPayload:
        result, problems = await _ingest(info, R.Kind.PROJECTS, input.jurisdiction, [input.project])
        if result is None:
            return ProjectRegisterPayload(project=None, changed=False, errors=problems)
        return ProjectRegisterPayload(
            project=ProjectType(model=result.projects[0]) if result.projects else None,
            changed=result.changed,
            errors=[],
        )

    @strawberry.mutation(
        description="Register or update up to 1,000 projects in one transaction: all or none; "
        "the payload lists every bad row.",
        extensions=[signed_in()],
    )
    async def projects_register(
        self,
        info: Info,
        input: Annotated[ProjectsRegisterInput, strawberry.argument(description="The batch.")],
    ) -> BatchPayload:
        return _batch(*await _ingest(info, R.Kind.PROJECTS, input.jurisdiction, input.rows))

    @strawberry.mutation(
        description="Record up to 1,000 bids (by project and bidder) in one transaction: all or "
        "none. Trading centre or integrator of the jurisdiction.",
        extensions=[signed_in()],
    )
    async def bids_record(
        self,
        info: Info,
        input: Annotated[BidsRecordInput, strawberry.argument(description="The batch.")],
    ) -> BatchPayload:
        return _batch(*await _ingest(info, R.Kind.BIDS, input.jurisdiction, input.rows))

    @strawberry.mutation(
        description="Record up to 1,000 awards in one transaction: a project still evaluating "
        "moves to awarded (ILLEGAL_TRANSITION from other states).",
        extensions=[signed_in()],
    )
    async def awards_record(
        self,
        info: Info,
        input: Annotated[AwardsRecordInput, strawberry.argument(description="The batch.")],
    ) -> BatchPayload:
        return _batch(*await _ingest(info, R.Kind.AWARDS, input.jurisdiction, input.rows))

    @strawberry.mutation(
        description="File up to 1,000 reports (R-4: performance, supervision, credit) in one "
        "transaction. The trading side files for any project of its unit; an industry "
        "department only for projects it supervises.",
        extensions=[signed_in()],
    )
    async def reports_file(
        self,
        info: Info,
        input: Annotated[ReportsFileInput, strawberry.argument(description="The batch.")],
    ) -> BatchPayload:
        return _batch(*await _ingest(info, R.Kind.REPORTS, input.jurisdiction, input.rows))

    @strawberry.mutation(
        description="Push up to 1,000 approved investment projects (by approval number) in one "
        "transaction. The approval platform's integrator key for the jurisdiction.",
        extensions=[signed_in()],
    )
    async def approved_projects_push(
        self,
        info: Info,
        input: Annotated[ApprovedProjectsPushInput, strawberry.argument(description="The batch.")],
    ) -> BatchPayload:
        return _batch(*await _ingest(info, R.Kind.APPROVED, input.jurisdiction, input.rows))

    @strawberry.mutation(
        description="Move a project through its lifecycle (ILLEGAL_TRANSITION when its state "
        "does not allow the action). Trading steps by the centre or its integrator; suspension, "
        "contract and performance also by a supervising department.",
        extensions=[signed_in()],
    )
    async def project_move(
        self,
        info: Info,
        input: Annotated[ProjectMoveInput, strawberry.argument(description="The move.")],
    ) -> ProjectMovePayload:
        ctx = info.context
        code = known_code(info, input.jurisdiction, "jurisdiction")
        assert code is not None
        project, problems = await _project(ctx, code, input.project_code)
        if project is None:
            return ProjectMovePayload(project=None, move=None, errors=problems)
        role = (await acting(ctx.guard, None, code, supervisors=project.supervisor_ids)).role
        note = None
        if input.note is not None:
            try:
                note = R.LONG(input.note, "note")
            except TradingError as exc:
                return ProjectMovePayload(
                    project=None,
                    move=None,
                    errors=[
                        TradingErrorType(
                            index=None, field="note", code=exc.error_code, message=exc.message
                        )
                    ],
                )

        async def body() -> Any:
            move = await service.move_project(
                db_session=ctx.db,
                project=project,
                action=input.action,
                at=input.at,
                writer=_writer(ctx, role),
                note=note,
            )
            if move is not None:
                await ctx.guard.audit(
                    action="project.move",
                    object_type=ObjectType.PROJECT,
                    object_id=project.id,
                    jurisdiction_code=code,
                    details={"action": move.action.value, "to": move.target.value},
                )
            return move

        move, found = await in_savepoint(ctx.guard, body)
        problems = errors(found)
        if problems:
            return ProjectMovePayload(project=None, move=None, errors=problems)
        return ProjectMovePayload(
            project=ProjectType(model=project),
            move=None if move is None else ProjectMoveType(model=move),
            errors=[],
        )

    @strawberry.mutation(
        description="Record the contract of an awarded project (it moves to contracted). The "
        "trading side or a supervising department (R-4).",
        extensions=[signed_in()],
    )
    async def contract_record(
        self,
        info: Info,
        input: Annotated[ContractRecordInput, strawberry.argument(description="The contract.")],
    ) -> ContractPayload:
        ctx = info.context
        code = known_code(info, input.jurisdiction, "jurisdiction")
        assert code is not None
        project, problems = await _project(ctx, code, input.project_code)
        if project is None:
            return ContractPayload(contract=None, errors=problems)
        role = (await acting(ctx.guard, None, code, supervisors=project.supervisor_ids)).role
        fields = (
            R.Field("contractNumber", R.IDENT),
            R.Field("supplierCreditCode", R.CREDIT),
            R.Field("supplierName", R.NAME),
            R.Field("amount", R.AMOUNT),
        )
        row, found = R.parse_row(0, plain_rows([input])[0], fields)
        if found:
            return ContractPayload(contract=None, errors=[_whole(p) for p in found])

        async def body() -> Any:
            contract, changed = await service.record_contract(
                db_session=ctx.db,
                project=project,
                contract_number=row["contractNumber"],
                supplier=row["supplierCreditCode"],
                supplier_name=row["supplierName"],
                amount_fen=row["amount"],
                signed_at=input.signed_at,
                writer=_writer(ctx, role),
            )
            if changed:
                await ctx.guard.audit(
                    action="contract.record",
                    object_type=ObjectType.PROJECT,
                    object_id=project.id,
                    jurisdiction_code=code,
                    details={"contract": str(contract.id), "amountFen": contract.amount_fen},
                )
            return contract

        contract, found = await in_savepoint(ctx.guard, body)
        return ContractPayload(
            contract=None if contract is None else ContractType(model=contract),
            errors=errors(found),
        )

    @strawberry.mutation(
        description="Record a change to a project's signed contract (合同变更).",
        extensions=[signed_in()],
    )
    async def contract_change(
        self,
        info: Info,
        input: Annotated[ContractChangeInput, strawberry.argument(description="The change.")],
    ) -> ContractPayload:
        ctx = info.context
        code = known_code(info, input.jurisdiction, "jurisdiction")
        assert code is not None
        project, problems = await _project(ctx, code, input.project_code)
        if project is None:
            return ContractPayload(contract=None, errors=problems)
        role = (await acting(ctx.guard, None, code, supervisors=project.supervisor_ids)).role
        fields = (
            R.Field("amount", R.AMOUNT),
            R.Field("reason", R.LONG),
        )
        row, found = R.parse_row(0, plain_rows([input])[0], fields)
        if found:
            return ContractPayload(contract=None, errors=[_whole(p) for p in found])

        async def body() -> Any:
            change = await service.change_contract(
                db_session=ctx.db,
                project=project,
                amount_fen=row["amount"],
                changed_at=input.changed_at,
                reason=row["reason"],
                writer=_writer(ctx, role),
            )
            await ctx.guard.audit(
                action="contract.change",
                object_type=ObjectType.PROJECT,
                object_id=project.id,
                jurisdiction_code=code,
                details={"change": change.id, "amountFen": change.amount_fen},
            )
            return await ctx.db.get(Contract, change.contract_id)

        contract, found = await in_savepoint(ctx.guard, body)
        return ContractPayload(
            contract=None if contract is None else ContractType(model=contract),
            errors=errors(found),
        )

    @strawberry.mutation(
        description="Add or update an expert of the library (by ID number, kept masked and "
        "hashed), at their home jurisdiction.",
        extensions=[signed_in()],
    )
    async def expert_upsert(
        self,
        info: Info,
        input: Annotated[ExpertUpsertInput, strawberry.argument(description="The expert.")],
    ) -> ExpertUpsertPayload:
        ctx = info.context
        code = known_code(info, input.jurisdiction, "jurisdiction")
        assert code is not None
        await ctx.guard.require(ObjectType.EXPERT, Action.CREATE, code)
        today = SYSTEM_CLOCK.today()
        fields = (
            R.Field("name", R.NAME),
            R.Field("idNumber", R.personal_id_parser(today)),
            R.Field("specialities", R.SPECIALITIES),
        )
        row, found = R.parse_row(0, plain_rows([input])[0], fields)
        if found:
            return ExpertUpsertPayload(expert=None, errors=[_whole(p) for p in found])

        async def body() -> Any:
            expert, changed = await service.upsert_expert(
                db_session=ctx.db,
                jurisdiction_code=code,
                library_province_code=code - code % 10000,
                name=row["name"],
                number=row["idNumber"],
                specialities=row["specialities"],
                status=input.status,
                writer=_writer(ctx, Role.INTEGRATOR),
            )
            if changed:
                await ctx.guard.audit(
                    action="expert.upsert",
                    object_type=ObjectType.EXPERT,
                    object_id=expert.id,
                    jurisdiction_code=code,
                    details={"status": expert.status.value},
                )
            return expert

        expert, found = await in_savepoint(ctx.guard, body)
        return ExpertUpsertPayload(
            expert=None if expert is None else ExpertType(model=expert), errors=errors(found)
        )


def _writer(ctx: Context, role: Role) -> service.Writer:
    return service.Writer(actor=ctx.scope.actor, role=role, now=SYSTEM_CLOCK.now())


def _whole(problem: R.RowProblem) -> TradingErrorType:
    return TradingErrorType(
        index=None,
        field=problem.field,
        code=problem.code,
        message=problem.message,
        position=problem.position,
    )


async def _project(
    ctx: Context, jurisdiction_code: int, project_code: str
) -> tuple[Any, list[TradingErrorType]]:
    try:
        code = R.IDENT(project_code, "projectCode")
    except TradingError as exc:
        return None, [
            TradingErrorType(
                index=None, field="projectCode", code=exc.error_code, message=exc.message
            )
        ]
    project = await service.get_project(
        db_session=ctx.db,
        scope=ctx.scope,
        principal=ctx.principal,
        code=code,
        jurisdiction_code=jurisdiction_code,
        for_update=True,
    )
    if project is None:
        return None, [
            TradingErrorType(
                index=None,
                field="projectCode",
                code=TradingErrorCode.NOT_FOUND,
                message="本辖区没有该编号的项目（no such project in the jurisdiction）",
            )
        ]
    return project, []
