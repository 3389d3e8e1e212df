"""GraphQL types of the trading record."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import strawberry

from xietong.access.powers import catalogue as power_catalogue
from xietong.api.context import Info
from xietong.api.enums import graphql_enum
from xietong.api.ids import to_global_id
from xietong.jurisdictions.enums import Industry
from xietong.jurisdictions.graphql.types import (
    DepartmentType,
    JurisdictionType,
    department_of,
    jurisdiction_of,
)
from xietong.trading import models as m
from xietong.trading.archive import ArchiveEntry, EntryKind
from xietong.trading.catalogue import CatalogueRule, TradingCatalogue
from xietong.trading.disclosure import ProjectDisclosureRow
from xietong.trading.enums import (
    EntityKind,
    ExpertStatus,
    FundingSource,
    LabelledEnum,
    ProjectAction,
    ProjectCategory,
    ProjectState,
    ReporterKind,
    ReportKind,
    TradingMethod,
)
from xietong.trading.errors import TradingErrorCode
from xietong.trading.graphql.dataloaders import TradingLoaders
from xietong.trading.mandatory_entry import NotEntered
from xietong.trading.money import format_yuan


def _labelled(cls: type[LabelledEnum], description: str) -> None:
    graphql_enum(cls, description=description, values={member: f"{member.zh}." for member in cls})


_labelled(ProjectCategory, "交易项目类别: what is traded.")
_labelled(TradingMethod, "交易方式: how the counterparty is chosen.")
_labelled(EntityKind, "市场主体类型: the kind of a market entity.")
_labelled(ExpertStatus, "评标专家在库状态: whether an expert may be drawn.")
_labelled(FundingSource, "资金来源: where an approved project's money comes from.")
_labelled(ProjectState, "项目状态: where a project stands in its lifecycle.")
_labelled(ProjectAction, "项目流程动作: what moves a project from one state to the next.")
_labelled(ReportKind, "报送信息类别 (R-4): what a report filed against a project is about.")
_labelled(ReporterKind, "报送主体 (R-4): who filed a report.")
graphql_enum(
    EntryKind,
    name="ArchiveEntryKind",
    description="项目档案条目类别: what an entry of a project's archive records.",
    values={
        EntryKind.MOVE: "流程: a lifecycle move (registration included).",
        EntryKind.CHANGE: "变更: a changed push of the project's data.",
        EntryKind.BID: "投标: a bid.",
        EntryKind.AWARD: "定标: the award.",
        EntryKind.CONTRACT: "合同: the contract as signed.",
        EntryKind.CONTRACT_CHANGE: "合同变更: a change to the contract.",
        EntryKind.REPORT: "报送: performance, supervision or credit information (R-4).",
    },
)
graphql_enum(
    TradingErrorCode,
    description="Why trading input was refused.",
    values={
        TradingErrorCode.INVALID_CREDIT_CODE: "统一社会信用代码无效 (GB 32100): the message "
        "names the position that fails.",
        TradingErrorCode.INVALID_PERSONAL_ID: "身份证号码无效 (GB 11643): the message never "
        "repeats the number.",
        TradingErrorCode.INVALID_AMOUNT: "金额无效: yuan as text, at most two decimals.",
        TradingErrorCode.INVALID_CHOICE: "不是可选值: not one of the allowed values.",
        TradingErrorCode.METHOD_NOT_FOR_CATEGORY: "交易方式不适用于该类别.",
        TradingErrorCode.ILLEGAL_TRANSITION: "流程不允许: the project's state does not allow "
        "the action.",
        TradingErrorCode.FORBIDDEN: "无权执行: the caller's role may not take this step.",
        TradingErrorCode.MOVE_OUT_OF_ORDER: "时间早于上一步: dated before the previous move.",
        TradingErrorCode.NO_SUPERVISOR: "无监管部门 (R-16): no department supervises the "
        "project; it may not enter trading.",
        TradingErrorCode.POWER_NOT_LISTED: "权责清单未列入 (R-2, R-16): the department's "
        "published list lacks the power to supervise it.",
        TradingErrorCode.INDUSTRY_REQUIRED: "须注明行业: the supervisor depends on the industry.",
        TradingErrorCode.UNKNOWN_DEPARTMENT: "部门不存在: not a department of the jurisdiction.",
        TradingErrorCode.AMBIGUOUS_SUPERVISOR: "监管部门不唯一: name one.",
        TradingErrorCode.INVALID_CATALOGUE: "交易目录有误.",
        TradingErrorCode.INVALID_VALUE: "值无效: the input rules refuse it (the message says "
        "which).",
        TradingErrorCode.REQUIRED: "必填: missing or blank.",
        TradingErrorCode.NOT_FOUND: "不存在: no such project in the jurisdiction, or not "
        "visible to you.",
        TradingErrorCode.DUPLICATE_ROW: "行重复: two rows of the batch name the same record.",
        TradingErrorCode.PROJECT_CODE_TAKEN: "项目编号已被占用 by another project of the "
        "jurisdiction.",
        TradingErrorCode.SOURCE_ID_TAKEN: "来源编号已被占用: already used (by a record you "
        "cannot see, or for a different report).",
        TradingErrorCode.BATCH_TOO_LARGE: "批量过大: a batch holds 1 to 1,000 rows.",
        TradingErrorCode.NOT_ACCEPTING_BIDS: "尚未开始投标: bids are recorded once bidding "
        "has opened.",
    },
)


@strawberry.type(
    description="A problem with one field of one row of a trading mutation. Nothing of the "
    "mutation was applied."
)
class TradingError:
    index: int | None = strawberry.field(
        description="The row (0-based) of the batch at fault; null for the whole input."
    )
    field: str | None = strawberry.field(
        description="The field at fault (camelCase, as in the input), or null."
    )
    code: TradingErrorCode = strawberry.field(description="Machine-readable reason.")
    message: str = strawberry.field(description="What is wrong, for a clerk (Chinese first).")
    position: int | None = strawberry.field(
        default=None,
        description="For a credit code or ID number: the 1-based character position that "
        "fails (INVALID_CREDIT_CODE, INVALID_PERSONAL_ID).",
    )


def yuan(fen: int | None) -> str | None:
    return None if fen is None else format_yuan(fen, grouping=False)


@strawberry.type(
    name="MarketEntity",
    description="A market entity (市场主体), one per unified social credit code across the "
    "whole service. Its basics are public.",
)
class MarketEntityType:
    model: strawberry.Private[m.MarketEntity]

    @strawberry.field(description="Global id.")
    def id(self) -> strawberry.ID:
        return to_global_id("MarketEntity", self.model.id)

    @strawberry.field(description="统一社会信用代码 (GB 32100), 18 characters.")
    def credit_code(self) -> str:
        return self.model.credit_code

    @strawberry.field(description="Name as first recorded.")
    def name(self) -> str:
        return self.model.name

    @strawberry.field(description="Kind, implied by the code's authority and type characters.")
    def kind(self) -> EntityKind:
        return self.model.kind

    @strawberry.field(
        description="The registering office's administrative division (positions 3–8)."
    )
    def division(self) -> str:
        return self.model.division


async def entity_of(info: Info, ident: uuid.UUID | None) -> MarketEntityType | None:
    if ident is None:
        return None
    row = await info.context.loaders.of(TradingLoaders).entity_by_id.load(ident)
    return None if row is None else MarketEntityType(model=row)


async def _entity(info: Info, ident: uuid.UUID) -> MarketEntityType:
    found = await entity_of(info, ident)
    assert found is not None  # a foreign key; entities are public
    return found


@strawberry.type(
    name="NaturalPerson",
    description="A person named in the record (a project manager): name and masked ID number "
    "only; the number itself is never stored.",
)
class NaturalPersonType:
    model: strawberry.Private[m.NaturalPerson]

    @strawberry.field(description="Name.")
    def name(self) -> str:
        return self.model.name

    @strawberry.field(description="ID number masked, e.g. 4108**********123X.")
    def id_number_masked(self) -> str:
        return self.model.id_masked


@strawberry.type(description="A supervising department of a project and the power entitling it.")
class Supervisor:
    department_id: strawberry.Private[uuid.UUID]
    power_code: str = strawberry.field(
        description="The power on its published list that entitles it (R-2), e.g. "
        "HOUSING-SUPERVISION."
    )

    @strawberry.field(description="The department.")
    async def department(self, info: Info) -> DepartmentType | None:
        return await department_of(info, self.department_id)

    @strawberry.field(description="The power's published name.")
    def power_name(self) -> str:
        power = power_catalogue().get(self.power_code)
        return power.name if power else self.power_code


@strawberry.type(name="ProjectMove", description="One dated step of a project's lifecycle.")
class ProjectMoveType:
    model: strawberry.Private[m.ProjectMove]

    @strawberry.field(description="The action.")
    def action(self) -> ProjectAction:
        return self.model.action

    @strawberry.field(description="State before; null for the registration.")
    def source(self) -> ProjectState | None:
        return self.model.source

    @strawberry.field(description="State after.")
    def target(self) -> ProjectState:
        return self.model.target

    @strawberry.field(description="When (China time).")
    def at(self) -> datetime:
        return self.model.at

    @strawberry.field(description="Who recorded it (login or `key:<prefix>`).")
    def actor(self) -> str:
        return self.model.actor

    @strawberry.field(description="Note, if any.")
    def note(self) -> str | None:
        return self.model.note


@strawberry.type(name="Bid", description="A bid (投标) and its submission evidence.")
class BidType:
    model: strawberry.Private[m.Bid]

    @strawberry.field(description="Global id.")
    def id(self) -> strawberry.ID:
        return to_global_id("Bid", self.model.id)

    @strawberry.field(description="The bidder.")
    async def bidder(self, info: Info) -> MarketEntityType:
        return await _entity(info, self.model.bidder_id)

    @strawberry.field(description="Price in yuan, exact (two decimals).")
    def price_yuan(self) -> str:
        return format_yuan(self.model.price_fen, grouping=False)

    @strawberry.field(description="When it was submitted.")
    def submitted_at(self) -> datetime:
        return self.model.submitted_at

    @strawberry.field(description="IP address it was submitted from.")
    def ip(self) -> str | None:
        return self.model.ip

    @strawberry.field(description="MAC address of the submitting machine.")
    def mac(self) -> str | None:
        return self.model.mac

    @strawberry.field(description="CPU serial of the submitting machine.")
    def cpu_serial(self) -> str | None:
        return self.model.cpu_serial

    @strawberry.field(description="Disk serial of the submitting machine.")
    def disk_serial(self) -> str | None:
        return self.model.disk_serial

    @strawberry.field(description="Board serial of the submitting machine.")
    def board_serial(self) -> str | None:
        return self.model.board_serial

    @strawberry.field(description="The bid file's author (文件制作人).")
    def file_creator(self) -> str | None:
        return self.model.file_creator

    @strawberry.field(description="Machine code the bid-file tool stamped (制作机器码).")
    def file_machine_code(self) -> str | None:
        return self.model.file_machine_code

    @strawberry.field(description="Pricing software lock serial (计价软件加密锁号).")
    def pricing_lock_serial(self) -> str | None:
        return self.model.pricing_lock_serial

    @strawberry.field(description="Account the deposit was paid from (保证金缴纳账户).")
    def deposit_account(self) -> str | None:
        return self.model.deposit_account

    @strawberry.field(description="The project manager named in the bid (masked identity).")
    async def project_manager(self, info: Info) -> NaturalPersonType | None:
        if self.model.project_manager_id is None:
            return None
        row = await info.context.loaders.of(TradingLoaders).person_by_id.load(
            self.model.project_manager_id
        )
        return None if row is None else NaturalPersonType(model=row)


@strawberry.type(name="Award", description="The award (中标/成交).")
class AwardType:
    model: strawberry.Private[m.Award]

    @strawberry.field(description="The winner.")
    async def winner(self, info: Info) -> MarketEntityType:
        return await _entity(info, self.model.winner_id)

    @strawberry.field(description="Amount in yuan, exact.")
    def amount_yuan(self) -> str:
        return format_yuan(self.model.amount_fen, grouping=False)

    @strawberry.field(description="When it was awarded.")
    def awarded_at(self) -> datetime:
        return self.model.awarded_at


@strawberry.type(name="ContractChange", description="A change to a signed contract.")
class ContractChangeType:
    model: strawberry.Private[m.ContractChange]

    @strawberry.field(description="The amount after the change, in yuan.")
    def amount_yuan(self) -> str:
        return format_yuan(self.model.amount_fen, grouping=False)

    @strawberry.field(description="When.")
    def changed_at(self) -> datetime:
        return self.model.changed_at

    @strawberry.field(description="Why.")
    def reason(self) -> str:
        return self.model.reason


@strawberry.type(name="Contract", description="The contract signed after the award.")
class ContractType:
    model: strawberry.Private[m.Contract]

    @strawberry.field(description="Contract number.")
    def contract_number(self) -> str:
        return self.model.contract_number

    @strawberry.field(description="The supplier or contractor.")
    async def supplier(self, info: Info) -> MarketEntityType:
        return await _entity(info, self.model.supplier_id)

    @strawberry.field(description="Amount as signed, in yuan.")
    def amount_yuan(self) -> str:
        return format_yuan(self.model.amount_fen, grouping=False)

    @strawberry.field(description="When it was signed.")
    def signed_at(self) -> datetime:
        return self.model.signed_at

    @strawberry.field(description="Changes since, oldest first.")
    async def changes(self, info: Info) -> list[ContractChangeType]:
        rows = await info.context.loaders.of(TradingLoaders).changes_by_contract_id.load(
            self.model.id
        )
        return [ContractChangeType(model=r) for r in rows or []]


@strawberry.type(name="ProjectReport", description="Information filed against a project (R-4).")
class ProjectReportType:
    model: strawberry.Private[m.ProjectReport]

    @strawberry.field(description="What it is about.")
    def kind(self) -> ReportKind:
        return self.model.kind

    @strawberry.field(description="Who filed it.")
    def reporter(self) -> ReporterKind:
        return self.model.reporter

    @strawberry.field(description="When.")
    def reported_at(self) -> datetime:
        return self.model.reported_at

    @strawberry.field(description="Title.")
    def title(self) -> str:
        return self.model.title

    @strawberry.field(description="Content.")
    def content(self) -> str:
        return self.model.content

    @strawberry.field(description="The filer's own id for it.")
    def source_id(self) -> str:
        return self.model.source_id


@strawberry.type(name="ArchiveEntry", description="One entry of a project's archive (项目档案).")
class ArchiveEntryType:
    entry: strawberry.Private[ArchiveEntry]

    @strawberry.field(description="When it happened (China time).")
    def at(self) -> datetime:
        return self.entry.at

    @strawberry.field(description="What kind of record.")
    def kind(self) -> EntryKind:
        return self.entry.kind

    @strawberry.field(description="What happened, for a clerk.")
    def title(self) -> str:
        return self.entry.title

    @strawberry.field(description="Details (amounts, states, masked identities).")
    def detail(self) -> str:
        return self.entry.detail

    @strawberry.field(description="Who recorded it.")
    def actor(self) -> str:
        return self.entry.actor


@strawberry.type(
    name="Project",
    description="A trading project (交易项目) with everything recorded about it. Classified "
    "projects are visible only to the office, discipline inspection and audit of their chain "
    "and to their supervising departments.",
)
class ProjectType:
    model: strawberry.Private[m.Project]

    @strawberry.field(description="Global id.")
    def id(self) -> strawberry.ID:
        return to_global_id("Project", self.model.id)

    @strawberry.field(description="项目编号, unique in its jurisdiction.")
    def code(self) -> str:
        return self.model.project_code

    @strawberry.field(description="Name.")
    def name(self) -> str:
        return self.model.name

    @strawberry.field(description="Category.")
    def category(self) -> ProjectCategory:
        return self.model.category

    @strawberry.field(description="Industry (谁主管谁监管), if any.")
    def industry(self) -> Industry | None:
        return self.model.industry

    @strawberry.field(description="Trading method.")
    def method(self) -> TradingMethod:
        return self.model.method

    @strawberry.field(description="The project site's jurisdiction, which owns the record.")
    def jurisdiction(self, info: Info) -> JurisdictionType | None:
        return jurisdiction_of(info, self.model.jurisdiction_code)

    @strawberry.field(description="The tenderer or purchaser (招标人/采购人).")
    async def tenderer(self, info: Info) -> MarketEntityType:
        return await _entity(info, self.model.tenderer_id)

    @strawberry.field(description="The tendering agency (招标代理机构), if any.")
    async def agency(self, info: Info) -> MarketEntityType | None:
        return await entity_of(info, self.model.agency_id)

    @strawberry.field(description="The trading centre of the jurisdiction.")
    async def trading_centre(self, info: Info) -> DepartmentType | None:
        return await department_of(info, self.model.trading_centre_id)

    @strawberry.field(description="Budget in yuan, exact.")
    def budget_yuan(self) -> str:
        return format_yuan(self.model.budget_fen, grouping=False)

    @strawberry.field(description="涉密: never public.")
    def classified(self) -> bool:
        return self.model.classified

    @strawberry.field(description="评定分离 (R-5): under key supervision.")
    def separated_evaluation(self) -> bool:
        return self.model.separated_evaluation

    @strawberry.field(description="投资项目代码 of the approved project it carries out.")
    def approval_number(self) -> str | None:
        return self.model.approval_number

    @strawberry.field(description="The supervising departments (R-16) and their powers.")
    def supervisors(self) -> list[Supervisor]:
        return [
            Supervisor(department_id=d, power_code=p)
            for d, p in zip(self.model.supervisor_ids, self.model.supervisor_powers, strict=True)
        ]

    @strawberry.field(description="Where it stands.")
    def state(self) -> ProjectState:
        return self.model.state

    @strawberry.field(description="The state a suspended project returns to when resumed.")
    def suspended_from(self) -> ProjectState | None:
        return self.model.suspended_from

    @strawberry.field(description="When it was registered.")
    def registered_at(self) -> datetime:
        return self.model.registered_at

    @strawberry.field(description="Its lifecycle, oldest move first.")
    async def moves(self, info: Info) -> list[ProjectMoveType]:
        rows = await info.context.loaders.of(TradingLoaders).moves_by_project_id.load(self.model.id)
        return [ProjectMoveType(model=r) for r in rows or []]

    @strawberry.field(description="Bids, in order of submission.")
    async def bids(self, info: Info) -> list[BidType]:
        rows = await info.context.loaders.of(TradingLoaders).bids_by_project_id.load(self.model.id)
        return [BidType(model=r) for r in rows or []]

    @strawberry.field(description="The award, once there is one.")
    async def award(self, info: Info) -> AwardType | None:
        row = await info.context.loaders.of(TradingLoaders).award_by_project_id.load(self.model.id)
        return None if row is None else AwardType(model=row)

    @strawberry.field(description="The contract, once signed.")
    async def contract(self, info: Info) -> ContractType | None:
        row = await info.context.loaders.of(TradingLoaders).contract_by_project_id.load(
            self.model.id
        )
        return None if row is None else ContractType(model=row)

    @strawberry.field(description="Reports filed against it (R-4), oldest first.")
    async def reports(self, info: Info) -> list[ProjectReportType]:
        rows = await info.context.loaders.of(TradingLoaders).reports_by_project_id.load(
            self.model.id
        )
        return [ProjectReportType(model=r) for r in rows or []]


@strawberry.type(
    name="PublicProject",
    description="The public basics of a project that is not classified (R-15): readable by "
    "anyone, signed in or not.",
)
class PublicProjectType:
    row: strawberry.Private[ProjectDisclosureRow]

    @strawberry.field(description="项目编号.")
    def code(self) -> str:
        return self.row.project_code

    @strawberry.field(description="Name.")
    def name(self) -> str:
        return self.row.name

    @strawberry.field(description="Category.")
    def category(self) -> ProjectCategory:
        return ProjectCategory(self.row.category)

    @strawberry.field(description="Trading method.")
    def method(self) -> TradingMethod:
        return TradingMethod(self.row.method)

    @strawberry.field(description="Where it stands.")
    def state(self) -> ProjectState:
        return ProjectState(self.row.state)

    @strawberry.field(description="The project site's jurisdiction.")
    def jurisdiction(self, info: Info) -> JurisdictionType | None:
        return jurisdiction_of(info, self.row.jurisdiction_code)

    @strawberry.field(description="The tenderer or purchaser.")
    async def tenderer(self, info: Info) -> MarketEntityType:
        return await _entity(info, self.row.tenderer_id)

    @strawberry.field(description="Budget in yuan.")
    def budget_yuan(self) -> str:
        return format_yuan(self.row.budget_fen, grouping=False)

    @strawberry.field(description="The winner, once awarded.")
    async def winner(self, info: Info) -> MarketEntityType | None:
        return await entity_of(info, self.row.winner_id)

    @strawberry.field(description="The amount awarded, in yuan.")
    def award_amount_yuan(self) -> str | None:
        return yuan(self.row.award_amount_fen)

    @strawberry.field(description="When it was awarded.")
    def awarded_at(self) -> datetime | None:
        return self.row.awarded_at


@strawberry.type(
    name="Expert",
    description="An evaluation expert (评标专家) of a province's library; identity masked.",
)
class ExpertType:
    model: strawberry.Private[m.Expert]

    @strawberry.field(description="Global id.")
    def id(self) -> strawberry.ID:
        return to_global_id("Expert", self.model.id)

    @strawberry.field(description="Name.")
    def name(self) -> str:
        return self.model.name

    @strawberry.field(description="ID number masked; the number itself is never stored.")
    def id_number_masked(self) -> str:
        return self.model.id_masked

    @strawberry.field(description="The province whose library the expert belongs to.")
    def library(self, info: Info) -> JurisdictionType | None:
        return jurisdiction_of(info, self.model.library_province_code)

    @strawberry.field(description="Home jurisdiction.")
    def jurisdiction(self, info: Info) -> JurisdictionType | None:
        return jurisdiction_of(info, self.model.jurisdiction_code)

    @strawberry.field(description="Specialities (评标专业).")
    def specialities(self) -> list[str]:
        return list(self.model.specialities)

    @strawberry.field(description="Status in the library.")
    def status(self) -> ExpertStatus:
        return self.model.status


@strawberry.type(
    name="ApprovedProject",
    description="An approved investment project (审批/核准/备案) pushed by the approval platform.",
)
class ApprovedProjectType:
    model: strawberry.Private[m.ApprovedProject]

    @strawberry.field(description="Global id.")
    def id(self) -> strawberry.ID:
        return to_global_id("ApprovedProject", self.model.id)

    @strawberry.field(description="投资项目代码 / approval number.")
    def approval_number(self) -> str:
        return self.model.approval_number

    @strawberry.field(description="Name.")
    def name(self) -> str:
        return self.model.name

    @strawberry.field(description="Owner (项目单位).")
    def owner_name(self) -> str:
        return self.model.owner_name

    @strawberry.field(description="Owner's credit code, if given.")
    def owner_credit_code(self) -> str | None:
        return self.model.owner_credit_code

    @strawberry.field(description="Total investment in yuan.")
    def investment_yuan(self) -> str:
        return format_yuan(self.model.amount_fen, grouping=False)

    @strawberry.field(description="Category.")
    def category(self) -> ProjectCategory:
        return self.model.category

    @strawberry.field(description="Industry.")
    def industry(self) -> Industry | None:
        return self.model.industry

    @strawberry.field(description="Funding source.")
    def funding(self) -> FundingSource:
        return self.model.funding

    @strawberry.field(description="Day of approval (China).")
    def approved_on(self) -> date:
        return self.model.approved_on

    @strawberry.field(description="The project's jurisdiction.")
    def jurisdiction(self, info: Info) -> JurisdictionType | None:
        return jurisdiction_of(info, self.model.jurisdiction_code)


@strawberry.type(
    name="CatalogueRule", description="One rule of a trading catalogue (应进必进目录)."
)
class CatalogueRuleType:
    rule: strawberry.Private[CatalogueRule]

    @strawberry.field(description="Stable code the 应进未进 list cites, e.g. HN-GC-01.")
    def code(self) -> str:
        return self.rule.code

    @strawberry.field(description="Name.")
    def name(self) -> str:
        return self.rule.name

    @strawberry.field(description="Category it covers.")
    def category(self) -> ProjectCategory:
        return self.rule.category

    @strawberry.field(description="Industries it covers (empty: all).")
    def industries(self) -> list[Industry]:
        return sorted(self.rule.industries)

    @strawberry.field(description="Funding sources it covers (empty: any).")
    def funding(self) -> list[FundingSource]:
        return sorted(self.rule.funding)

    @strawberry.field(description="Investment from which (inclusive) a project must enter, yuan.")
    def min_amount_yuan(self) -> str:
        return format_yuan(self.rule.min_amount_fen, grouping=False)

    @strawberry.field(description="Legal basis.")
    def basis(self) -> str:
        return self.rule.basis


@strawberry.type(
    name="TradingCatalogue",
    description="A province's trading catalogue: what must trade in the centre (R-16).",
)
class TradingCatalogueType:
    catalogue: strawberry.Private[TradingCatalogue]

    @strawberry.field(description="Calendar days after approval a project has to enter.")
    def grace_days(self) -> int:
        return self.catalogue.grace_days

    @strawberry.field(description="The rules, in the order they are tried.")
    def rules(self) -> list[CatalogueRuleType]:
        return [CatalogueRuleType(rule=r) for r in self.catalogue.rules]


@strawberry.type(
    name="NotEnteredProject",
    description="A line of the 应进未进 list: an approved project the catalogue says must trade "
    "in the centre, past its grace period, with no matching trading project.",
)
class NotEnteredType:
    entry: strawberry.Private[NotEntered]

    @strawberry.field(description="投资项目代码.")
    def approval_number(self) -> str:
        return self.entry.approved.approval_number

    @strawberry.field(description="Name.")
    def name(self) -> str:
        return self.entry.approved.name

    @strawberry.field(description="Owner.")
    def owner_name(self) -> str:
        return self.entry.approved.owner_name

    @strawberry.field(description="Total investment in yuan.")
    def investment_yuan(self) -> str:
        return format_yuan(self.entry.approved.amount_fen, grouping=False)

    @strawberry.field(description="Day of approval.")
    def approved_on(self) -> date:
        return self.entry.approved.approved_on

    @strawberry.field(description="The project's jurisdiction.")
    def jurisdiction(self, info: Info) -> JurisdictionType | None:
        return jurisdiction_of(info, self.entry.approved.jurisdiction_code)

    @strawberry.field(description="The catalogue rule that put it on the list.")
    def rule(self) -> CatalogueRuleType:
        return CatalogueRuleType(rule=self.entry.rule)

    @strawberry.field(description="The last day it could have entered.")
    def due_on(self) -> date:
        return self.entry.due_on

    @strawberry.field(description="Days past that day.")
    def days_overdue(self) -> int:
        return self.entry.days_overdue


@strawberry.type(description="A project's archive exported as a file.")
class ArchiveExport:
    filename: str = strawberry.field(description="A file name to save it under.")
    content_type: str = strawberry.field(description="MIME type.")
    content: str = strawberry.field(
        description="The file: CSV text, or base64 for `.xlsx` (Office Open XML)."
    )
