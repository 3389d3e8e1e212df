"""GraphQL types of the deadlines context: rules, obligations, pauses, the public deadline.

A matter's type resolves its clocks with ``obligations_of(info, MatterRef(...))``; the
``Obligation`` type is registered once here and reused by every context.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

import strawberry
from sqlalchemy import (
    Date,
    DateTime,
    Text,
    bindparam,
    case,
    cast,
    false,
    func,
    literal_column,
    null,
)
from sqlalchemy.sql.elements import ColumnElement

from xietong.api import projection
from xietong.api.context import Info
from xietong.api.enums import graphql_enum
from xietong.api.ids import to_global_id
from xietong.deadlines import rules as r
from xietong.deadlines.arithmetic import Deadline
from xietong.deadlines.clock import Clock
from xietong.deadlines.enums import (
    DeadlineUnit,
    ObligationStatus,
    OwingParty,
    PauseReason,
    Regime,
    RuleBasis,
)
from xietong.deadlines.graphql.dataloaders import DeadlineLoaders
from xietong.deadlines.models import UNFINISHED, Obligation, ObligationPause
from xietong.deadlines.obligations import MatterRef
from xietong.jurisdictions.graphql.types import (
    DepartmentType,
    JurisdictionType,
    department_of,
    jurisdiction_of,
    unit_of,
)

graphql_enum(
    DeadlineUnit,
    description="How a period is counted.",
    values={
        DeadlineUnit.WORKING_DAYS: "工作日: working days on the official calendar (weekends, "
        "public holidays and 调休 make-up working days; local closures of the jurisdiction).",
        DeadlineUnit.CALENDAR_DAYS: "日: calendar days; where the rule says so, a period ending "
        "on a holiday ends on the next working day (94号令 Art. 42).",
        DeadlineUnit.HOURS: "小时: elapsed hours from the instant the clock started (a fault "
        "during an evaluation); the due instant is `dueAt`, its China date `due`.",
    },
)
graphql_enum(
    PauseReason,
    description="Why a clock stops: time the law does not count (不计算在期限内).",
    values={
        PauseReason.CORRECTION: "补正: the complainant completes the complaint (94号令 Art. 21, "
        "27; once).",
        PauseReason.TESTING: "检验、检测: testing.",
        PauseReason.APPRAISAL: "鉴定: appraisal.",
        PauseReason.EXPERT_REVIEW: "专家评审: expert review.",
        PauseReason.OBJECTION: "异议答复期间: time to answer a prior objection (招标投标法实施条例 "
        "Art. 60).",
    },
)
graphql_enum(
    Regime,
    name="DeadlineRegime",
    description="Which body of rules a clock comes from.",
    values={
        Regime.TENDERING: "工程建设招投标: 招标投标法实施条例 and 七部委11号令.",
        Regime.PROCUREMENT: "政府采购: 财政部94号令.",
        Regime.COLLABORATIVE: "协同监管: the local documents of collaborative supervision.",
    },
)
graphql_enum(
    RuleBasis,
    name="DeadlineRuleBasis",
    description="How binding a rule's period is.",
    values={
        RuleBasis.LAW: "法律法规规章: a statute, regulation or ministry order.",
        RuleBasis.LOCAL: "地方规范性文件: a local normative document.",
        RuleBasis.PRACTICE: "工作惯例: documented practice; no text binds the period (a default).",
    },
)
graphql_enum(
    ObligationStatus,
    description="Where an obligation stands.",
    values={
        ObligationStatus.OPEN: "进行中: the clock runs (or a pause holds it).",
        ObligationStatus.MET: "已履行: met (in time or late: compare `metOn` with `due`).",
        ObligationStatus.OVERDUE: "已逾期: not met, and its legal due date has passed (R-18).",
        ObligationStatus.CANCELLED: "已取消: stopped without being met (withdrawn, refused, "
        "handed elsewhere).",
    },
)
graphql_enum(
    OwingParty,
    name="ObligationParty",
    description="Who owes, or is owed, what a clock measures, by role in the matter.",
    values={
        OwingParty.COMPLAINANT: "投诉人 / 质疑供应商.",
        OwingParty.RESPONDENT: "被投诉人: 招标人, 采购人, 采购代理机构.",
        OwingParty.RECEIVING_DEPARTMENT: "收到投诉举报的部门.",
        OwingParty.SUPERVISION_OFFICE: "协同监管办公室 / 公管办.",
        OwingParty.COMPETENT_DEPARTMENT: "有管辖权的行政监督部门 (财政 for procurement).",
        OwingParty.TRANSFER_SENDER: "移送部门.",
        OwingParty.TRANSFER_RECEIVER: "接受移送的部门.",
        OwingParty.REQUESTING_DEPARTMENT: "发出协助办理函的部门.",
        OwingParty.ASSISTING_DEPARTMENT: "协助办理部门.",
        OwingParty.HOME_SITE: "项目所在地（主场）: the home site of a remote evaluation.",
        OwingParty.HOST_SITE: "评标客场（副场）: the host site of a remote evaluation.",
        OwingParty.PENALISING_DEPARTMENT: "作出行政处罚的部门.",
        OwingParty.TENDERER: "招标人 / 采购人: the tenderer or purchaser.",
        OwingParty.PUBLIC: "社会公众: the public (publication).",
        OwingParty.REPORTING_UNIT: "报告单位.",
        OwingParty.SUPERIOR_LEVEL: "上级: the level reported to.",
    },
)


def clock_of(info: Info) -> Clock:
    """The clock this application reads (``app.state.clock``; tests set a ``ManualClock``), as
    the request's context took it. Not an ``isinstance`` check against the runtime-checkable
    ``Clock`` protocol per field: that cost a quarter of a ``myWork`` page (20 × ``overdue``)."""
    return info.context.clock


MATTER_TYPE_NAMES: dict[str, str] = {}
"""GraphQL type names of matter types whose name is not the matter type in CamelCase."""


def matter_global_id(matter_type: str, matter_id: uuid.UUID) -> strawberry.ID:
    name = MATTER_TYPE_NAMES.get(matter_type) or "".join(
        part.capitalize() for part in matter_type.split("_")
    )
    return to_global_id(name, matter_id)


@strawberry.type(name="Citation", description="Where a period comes from.")
class CitationType:
    document: str = strawberry.field(description="The document's title and number.")
    article: str = strawberry.field(description="The article, e.g. 第六十一条第二款.")


@strawberry.type(
    name="DeadlineRule",
    description="One statutory clock of the rules table: what is owed, by whom to whom, for how "
    "long, what does not count, and where the law says so.",
)
class DeadlineRuleType:
    rule: strawberry.Private[r.Rule]

    @strawberry.field(description="The rule's id, e.g. `TB.acceptance_decision`.")
    def id(self) -> str:
        return self.rule.id

    @strawberry.field(description="Which body of rules it belongs to.")
    def regime(self) -> Regime:
        return self.rule.regime

    @strawberry.field(description="How binding its period is.")
    def basis(self) -> RuleBasis:
        return self.rule.basis

    @strawberry.field(description="What is owed, Chinese first, English in parentheses.")
    def owed(self) -> str:
        return self.rule.owed

    @strawberry.field(description="Who owes it.")
    def owed_by(self) -> OwingParty:
        return self.rule.owed_by

    @strawberry.field(description="To whom it is owed.")
    def owed_to(self) -> OwingParty:
        return self.rule.owed_to

    @strawberry.field(description="The legal period in whole units.")
    def amount(self) -> int:
        return self.rule.amount

    @strawberry.field(description="How the period is counted.")
    def unit(self) -> DeadlineUnit:
        return self.rule.unit

    @strawberry.field(description="The period as a clerk reads it, e.g. 3个工作日.")
    def period(self) -> str:
        return self.rule.period

    @strawberry.field(
        description="Calendar days: whether a period ending on a holiday ends on the next "
        "working day."
    )
    def holiday_end_moves(self) -> bool:
        return self.rule.holiday_end_moves

    @strawberry.field(description="Time that does not count, by reason.")
    def pause_reasons(self) -> list[PauseReason]:
        return sorted(self.rule.pauses, key=lambda p: list(PauseReason).index(p))

    @strawberry.field(description="Every citation, articles of one document joined.")
    def citation(self) -> str:
        return self.rule.citation

    @strawberry.field(description="The citations one by one.")
    def citations(self) -> list[CitationType]:
        return [CitationType(document=c.document, article=c.article) for c in self.rule.citations]

    @strawberry.field(description="How we read the text where it is open to reading; or null.")
    def note(self) -> str | None:
        return self.rule.note


@strawberry.type(
    name="CalendarUsed",
    description="The working-day calendar a deadline was counted on: the national calendar "
    "(the package and the notices operators loaded) and the local overrides of one "
    "jurisdiction's chain.",
)
class CalendarUsedType:
    jurisdiction_code: strawberry.Private[int | None]
    version: str = strawberry.field(
        description="Digest of the calendar years consulted (`cal1-…`; `unused` when a "
        "calendar-day period never consulted it). A correction changes it."
    )

    @strawberry.field(
        description="Whose local closures and working days counted (with those of the units "
        "above it); null: the national calendar alone."
    )
    def jurisdiction(self, info: Info) -> JurisdictionType | None:
        return jurisdiction_of(info, self.jurisdiction_code)


@strawberry.type(
    name="DeadlineAnswer",
    description="When a period falls due, and how sure that is.",
)
class DeadlineAnswerType:
    deadline: strawberry.Private[Deadline]

    @strawberry.field(description="The start day (not counted).")
    def start(self) -> date:
        return self.deadline.start

    @strawberry.field(description="The period's length.")
    def amount(self) -> int:
        return self.deadline.amount

    @strawberry.field(description="How it was counted.")
    def unit(self) -> DeadlineUnit:
        return self.deadline.unit

    @strawberry.field(description="The last day of the period.")
    def due(self) -> date:
        assert self.deadline.due is not None  # no pauses here
        return self.deadline.due

    @strawberry.field(
        description="True when a year no notice covers was consulted (counted on weekends "
        "only): the date may change once an operator loads that year."
    )
    def provisional(self) -> bool:
        return self.deadline.provisional

    @strawberry.field(description="Digest of the calendar years consulted.")
    def calendar_version(self) -> str:
        return self.deadline.calendar_version

    @strawberry.field(description="The calendar counted on.")
    def calendar(self) -> CalendarUsedType:
        return CalendarUsedType(
            jurisdiction_code=self.deadline.jurisdiction, version=self.deadline.calendar_version
        )

    @strawberry.field(
        description="Calendar days: the day the period ended on before it moved past a "
        "holiday; null if it did not move."
    )
    def moved_from(self) -> date | None:
        return self.deadline.moved_from


@strawberry.type(
    name="ObligationPause",
    description="Time a clock did not count, with the documents that started and ended it.",
)
class ObligationPauseType:
    model: strawberry.Private[ObligationPause]

    @strawberry.field(description="Why the clock stopped.")
    def reason(self) -> PauseReason:
        return self.model.reason

    @strawberry.field(description="The day the request was sent (the clock still ran that day).")
    def started_on(self) -> date:
        return self.model.started_on

    @strawberry.field(description="The document that started it, e.g. the 补正通知书.")
    def started_document(self) -> str:
        return self.model.started_document

    @strawberry.field(description="What the complainant (or other party) was told; or null.")
    def notice(self) -> str | None:
        return self.model.notice

    @strawberry.field(description="The day the reply was received; null while it lasts.")
    def ended_on(self) -> date | None:
        return self.model.ended_on

    @strawberry.field(description="The document that ended it; null while it lasts.")
    def ended_document(self) -> str | None:
        return self.model.ended_document


@strawberry.type(
    name="Obligation",
    description="A statutory clock running in a matter (法定时限): who owes what by when, on "
    "which calendar, under which rule. Both the legal due date and, where the province "
    "promised to be faster (承诺时限), the promised one.",
)
class ObligationType:
    model: strawberry.Private[Obligation]

    @strawberry.field(description="Global id.")
    def id(self) -> strawberry.ID:
        return to_global_id("Obligation", self.model.id)

    @strawberry.field(description="The rule, with its citation.")
    def rule(self) -> DeadlineRuleType:
        return DeadlineRuleType(rule=r.get_rule(self.model.rule_id))

    @strawberry.field(description="The kind of matter, e.g. `complaint`.")
    def matter_type(self) -> str:
        return self.model.matter_type

    @strawberry.field(description="The matter's global id (of the matter type's GraphQL type).")
    def matter_id(self) -> strawberry.ID:
        return matter_global_id(self.model.matter_type, self.model.matter_id)

    @strawberry.field(description="The owing jurisdiction.")
    def jurisdiction(self, info: Info) -> JurisdictionType:
        return unit_of(info, self.model.jurisdiction_code)

    @strawberry.field(description="The owing department; null when the jurisdiction owes it.")
    async def owing_department(self, info: Info) -> DepartmentType | None:
        return await department_of(info, self.model.owing_department_id)

    @strawberry.field(description="To whom it is owed, as clerks read it; or null.")
    def counterparty(self) -> str | None:
        return self.model.counterparty

    @strawberry.field(description="The day the clock was opened (its start event).")
    def started_on(self) -> date:
        return self.model.started_on

    @strawberry.field(
        description="The day the period counts from (not counted itself): the start, or an "
        "earlier event where the rule dates back (acceptance to receipt)."
    )
    def counted_from(self) -> date:
        return self.model.counted_from

    @strawberry.field(description="The legal period.")
    def amount(self) -> int:
        return self.model.amount

    @strawberry.field(description="How the period is counted.")
    def unit(self) -> DeadlineUnit:
        return self.model.unit

    @strawberry.field(description="The legal due date; null while a pause holds the clock.")
    def due(self) -> date | None:
        return self.model.due_on

    @strawberry.field(description="An hour clock's due instant; null for a clock of days.")
    def due_at(self) -> datetime | None:
        return self.model.due_at

    @strawberry.field(description="The promised period (承诺时限), if tighter than the law.")
    def promised_amount(self) -> int | None:
        return self.model.promised_amount

    @strawberry.field(description="The promised due date; null without a promise or while held.")
    def promised_due(self) -> date | None:
        return self.model.promised_due_on

    @strawberry.field(description="Where the promise is published; null without one.")
    def promise_source(self) -> str | None:
        return self.model.promise_source

    @strawberry.field(description="Where it stands.")
    def status(self) -> ObligationStatus:
        return self.model.status

    @strawberry.field(
        description="Not met and past its legal due date today (China time), whether or not "
        "the sweep has marked it yet."
    )
    def overdue(self, info: Info) -> bool:
        due = self.model.due_on
        if self.model.status not in UNFINISHED or due is None:
            return False
        if self.model.due_at is not None:  # an hour clock: by the instant
            return clock_of(info).now() > self.model.due_at
        return clock_of(info).today() > due

    @strawberry.field(description="The day it was met; null unless met.")
    def met_on(self) -> date | None:
        return self.model.met_on

    @strawberry.field(description="Met after its legal due date; null unless met.")
    def met_late(self) -> bool | None:
        if self.model.met_on is None:
            return None
        if self.model.due_at is not None:  # an hour clock: met (last changed) after the instant
            return self.model.updated_at > self.model.due_at
        return self.model.due_on is not None and self.model.met_on > self.model.due_on

    @strawberry.field(description="The day it was cancelled; null unless cancelled.")
    def cancelled_on(self) -> date | None:
        return self.model.cancelled_on

    @strawberry.field(description="Why it was cancelled; null unless cancelled.")
    def cancel_reason(self) -> str | None:
        return self.model.cancel_reason

    @strawberry.field(description="Whether a pause holds the clock now.")
    def paused(self) -> bool:
        return self.model.paused

    @strawberry.field(description="Since when a pause holds it; null when running.")
    def paused_since(self) -> date | None:
        return self.model.paused_since

    @strawberry.field(description="Days (of its unit) pauses that ended added back.")
    def paused_days(self) -> int:
        return self.model.paused_days

    @strawberry.field(description="The pauses, oldest first.")
    async def pauses(self, info: Info) -> list[ObligationPauseType]:
        rows = await info.context.loaders.of(DeadlineLoaders).pauses_by_obligation.load(
            self.model.id
        )
        return [ObligationPauseType(model=p) for p in rows]

    @strawberry.field(
        description="True when counted on weekends only for a year no notice covers yet: it "
        "is recomputed (with an audit event) when an operator loads that year."
    )
    def provisional(self) -> bool:
        return self.model.provisional

    @strawberry.field(description="The calendar counted on, and its version.")
    def calendar(self) -> CalendarUsedType:
        return CalendarUsedType(
            jurisdiction_code=self.model.calendar_jurisdiction,
            version=self.model.calendar_version,
        )


async def obligations_of(info: Info, matter: MatterRef) -> list[ObligationType]:
    """For a matter's GraphQL type: its clocks the caller may read (batched, authorized)."""
    rows = await info.context.loaders.of(DeadlineLoaders).obligations_by_matter.load(matter)
    return [ObligationType(model=row) for row in rows]


_TODAY = bindparam("obligation_today", type_=Date)
_NOW = bindparam("obligation_now", type_=DateTime(timezone=True))
_O = Obligation
_SIX: ColumnElement[int] = literal_column("6")
_UNFINISHED_NOW = _O.status.in_(UNFINISHED) & _O.due_on.is_not(None)

OBLIGATION_PROJECTION = projection.register(
    projection.Projection(
        type_name="Obligation",
        # Each as the field of ObligationType with the same name answers it.
        fields={
            "id": projection.global_id("Obligation", _O.id),
            "rule": projection.Projection("DeadlineRule", {"id": _O.rule_id}),
            "matterType": _O.matter_type,
            "jurisdiction": projection.Projection(
                "Jurisdiction",
                {"code": func.lpad(cast(_O.jurisdiction_code, Text), _SIX, projection.quoted("0"))},
            ),
            "counterparty": _O.counterparty,
            "startedOn": projection.iso_date(_O.started_on),
            "countedFrom": projection.iso_date(_O.counted_from),
            "amount": _O.amount,
            "unit": projection.enum_name(_O.unit, DeadlineUnit),
            "due": projection.iso_date(_O.due_on),
            "promisedAmount": _O.promised_amount,
            "promisedDue": projection.iso_date(_O.promised_due_on),
            "promiseSource": _O.promise_source,
            "status": projection.enum_name(_O.status, ObligationStatus),
            "overdue": case(
                (~_UNFINISHED_NOW, false()),
                (_O.due_at.is_not(None), _O.due_at < _NOW),
                else_=_O.due_on < _TODAY,
            ),
            "metOn": projection.iso_date(_O.met_on),
            "metLate": case(
                (_O.met_on.is_(None), null()),
                (_O.due_at.is_not(None), _O.updated_at > _O.due_at),
                else_=_O.due_on.is_not(None) & (_O.met_on > _O.due_on),
            ),
            "cancelledOn": projection.iso_date(_O.cancelled_on),
            "cancelReason": _O.cancel_reason,
            "paused": _O.paused,
            "pausedSince": projection.iso_date(_O.paused_since),
            "pausedDays": _O.paused_days,
            "provisional": _O.provisional,
        },
        params=lambda context: {
            "obligation_today": context.clock.today(),
            "obligation_now": context.clock.now(),
        },
    )
)
