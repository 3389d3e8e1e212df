from __future__ import annotations

import base64
import json
import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from xietong.api.context import Info
from xietong.api.enums import graphql_enum
from xietong.api.ids import to_global_id
from xietong.complaints import clocks, service, transitions
from xietong.complaints.enums import (
    ComplaintAction,
    ComplaintCategory,
    ComplaintOutcome,
    ComplaintRegime,
    ComplaintStatus,
    NoticeKind,
    RefusalGround,
)
from xietong.complaints.errors import ComplaintErrorCode
from xietong.complaints.graphql.dataloaders import ComplaintLoaders
from xietong.complaints.models import Complaint, ComplaintAttachment, ComplaintNotice
from xietong.complaints.notices import MEDIA_TYPE
from xietong.deadlines.enums import PauseReason
from xietong.deadlines.graphql.dataloaders import DeadlineLoaders
from xietong.deadlines.graphql.types import ObligationType
from xietong.jurisdictions.enums import Industry
from xietong.jurisdictions.graphql.types import (
    DepartmentType,
    JurisdictionType,
    department_of,
    unit_of,
)

if TYPE_CHECKING:
    from xietong.casework.graphql.types import CaseTransferType, LeadType

# The casework types name the complaint back (a lead's or transfer's complaint): lazy both ways.
LeadRef = Annotated["LeadType", strawberry.lazy("xietong.casework.graphql.types")]
CaseTransferRef = Annotated["CaseTransferType", strawberry.lazy("xietong.casework.graphql.types")]


class ComplaintExamination(StrEnum):
    """Why a complaint being handled stops its clocks (time not counted)."""

    TESTING = PauseReason.TESTING.value
    APPRAISAL = PauseReason.APPRAISAL.value
    EXPERT_REVIEW = PauseReason.EXPERT_REVIEW.value


def _described(cls: Any, description: str) -> None:
    graphql_enum(cls, description=description, values={m: f"{m.zh}." for m in cls})


_described(ComplaintRegime, "The legal regime of a complaint: it decides its clocks and grounds.")
_described(ComplaintCategory, "What a complaint is about (投诉事项类别).")
_described(ComplaintStatus, "Where a complaint stands in its flow (the transition table).")
_described(ComplaintOutcome, "How a complaint ended; kept once it is closed.")
_described(ComplaintAction, "A move of the complaint flow.")
_described(NoticeKind, "A notice sent to the complainant, as a .docx document.")
_described(RefusalGround, "A coded legal ground to refuse a complaint (不予受理).")
graphql_enum(
    ComplaintExamination,
    description="Why a complaint being handled stops its clocks: time the law does not count.",
    values={
        ComplaintExamination.TESTING: "检验、检测: testing.",
        ComplaintExamination.APPRAISAL: "鉴定: appraisal.",
        ComplaintExamination.EXPERT_REVIEW: "专家评审: expert review.",
    },
)
graphql_enum(
    ComplaintErrorCode,
    description="Why a complaint mutation was refused.",
    values={
        ComplaintErrorCode.NOT_FOUND: "不存在: no such complaint in your scope, or a wrong "
        "tracking code or secret.",
        ComplaintErrorCode.INVALID: "输入有误: a value to correct.",
        ComplaintErrorCode.ILLEGAL_TRANSITION: "不允许的操作: the complaint's state does not "
        "allow this move.",
        ComplaintErrorCode.NOT_YOUR_COMPLAINT: "非本部门办理: the move belongs to another party.",
        ComplaintErrorCode.SUBJECT_REQUIRED: "缺少投诉对象: name a project code or a credit code.",
        ComplaintErrorCode.INVALID_CREDIT_CODE: "统一社会信用代码无效 (GB 32100).",
        ComplaintErrorCode.CONTACT_REQUIRED: "实名投诉须留姓名和联系方式.",
        ComplaintErrorCode.GROUND_NOT_FOR_REGIME: "该理由不适用: not a legal ground in this "
        "regime, or not true of this complaint.",
        ComplaintErrorCode.CORRECTION_ALREADY_REQUESTED: "补正只能通知一次.",
        ComplaintErrorCode.NOT_PROCUREMENT: "仅适用于政府采购投诉.",
        ComplaintErrorCode.PAUSE_REASON_INVALID: "只能因检验、检测、鉴定、专家评审暂停计时.",
        ComplaintErrorCode.NO_COMPETENT_DEPARTMENT: "本辖区没有主管该行业的部门.",
        ComplaintErrorCode.AMBIGUOUS_DEPARTMENT: "多个部门可以承办，请指定.",
        ComplaintErrorCode.INDUSTRY_REQUIRED: "请注明项目所属行业或指定部门.",
        ComplaintErrorCode.POWER_NOT_LISTED: "该部门权责清单没有投诉处理事项 (R-2).",
        ComplaintErrorCode.ALREADY_RATED: "已经评价过.",
        ComplaintErrorCode.ATTACHMENT_REFUSED: "附件类型不被接受（从不接受可执行文件）.",
        ComplaintErrorCode.ATTACHMENT_TOO_LARGE: "附件过大或过多.",
        ComplaintErrorCode.RATE_LIMITED: "提交过于频繁，请稍后再试.",
    },
)


@strawberry.type(description="A problem with the input of a complaint mutation.")
class ComplaintError:
    field: str | None = strawberry.field(
        description="The input field at fault (camelCase), or null."
    )
    message: str = strawberry.field(description="What is wrong, Chinese first.")
    code: ComplaintErrorCode = strawberry.field(description="Machine-readable reason.")


@strawberry.type(description="A file the filer attached as evidence.")
class ComplaintAttachmentType:
    model: strawberry.Private[ComplaintAttachment]

    @strawberry.field(description="Global id.")
    def id(self) -> strawberry.ID:
        return to_global_id("ComplaintAttachment", self.model.id)

    @strawberry.field(description="The file's name as sent.")
    def filename(self) -> str:
        return self.model.filename

    @strawberry.field(description="Media type, checked against the content.")
    def media_type(self) -> str:
        return self.model.media_type

    @strawberry.field(description="Size in bytes.")
    def size(self) -> int:
        return self.model.size

    @strawberry.field(description="SHA-256 of the content (hex), also in the audit trail.")
    def sha256(self) -> str:
        return self.model.sha256

    @strawberry.field(description="The content, base64.")
    def content_base64(self) -> str:
        return base64.b64encode(self.model.content).decode("ascii")


@strawberry.type(
    name="ComplaintNotice",
    description="A notice sent to the complainant (受理通知书, 不予受理通知书…), a .docx "
    "document kept exactly as issued; its SHA-256 is in the audit trail.",
)
class ComplaintNoticeType:
    model: strawberry.Private[ComplaintNotice]

    @strawberry.field(description="Global id.")
    def id(self) -> strawberry.ID:
        return to_global_id("ComplaintNotice", self.model.id)

    @strawberry.field(description="Which notice.")
    def kind(self) -> NoticeKind:
        return self.model.kind

    @strawberry.field(description="Document number (文号).")
    def number(self) -> str:
        return self.model.number

    @strawberry.field(description="The China day it was issued.")
    def issued_on(self) -> date:
        return self.model.issued_on

    @strawberry.field(description="The rules (deadline rule ids) whose clocks it states.")
    def rules(self) -> list[str]:
        return list(self.model.rule_ids)

    @strawberry.field(description="File name to save it under.")
    def filename(self) -> str:
        return self.model.filename

    @strawberry.field(description="Media type (Word, .docx).")
    def media_type(self) -> str:
        return MEDIA_TYPE

    @strawberry.field(description="Size in bytes.")
    def size(self) -> int:
        return self.model.size

    @strawberry.field(description="SHA-256 of the document (hex).")
    def sha256(self) -> str:
        return self.model.sha256

    @strawberry.field(description="The document, base64 (decode and save as `filename`).")
    def content_base64(self) -> str:
        return base64.b64encode(self.model.content).decode("ascii")


@strawberry.type(description="One step in a complaint's history, from the audit trail.")
class ComplaintTimelineEntry:
    sequence: str = strawberry.field(description="The audit event's number in its chain.")
    occurred_at: datetime = strawberry.field(description="When (China time).")
    actor: str = strawberry.field(
        description="Who: a login, `key:<prefix>`, or `public:<tracking code>` for the filer."
    )
    action: str = strawberry.field(
        description="What: `complaint.accept`, `obligation.open`, `obligation.meet`…"
    )
    details: str = strawberry.field(
        description="The event's facts as JSON: states, clocks, ground, notice hash…"
    )


@strawberry.type(
    name="Complaint",
    description="A complaint or report (投诉举报, R-7) as the departments handling and "
    "supervising it see it.",
)
class ComplaintType:
    model: strawberry.Private[Complaint]

    @strawberry.field(description="Global id.")
    def id(self) -> strawberry.ID:
        return to_global_id("Complaint", self.model.id)

    @strawberry.field(description="The tracking code the filer holds (not secret).")
    def tracking_code(self) -> str:
        return self.model.tracking_code

    @strawberry.field(description="Where it is handled.")
    def jurisdiction(self, info: Info) -> JurisdictionType:
        return unit_of(info, self.model.jurisdiction_code)

    @strawberry.field(description="Legal regime.")
    def regime(self) -> ComplaintRegime:
        return self.model.regime

    @strawberry.field(description="What it is about.")
    def category(self) -> ComplaintCategory:
        return self.model.category

    @strawberry.field(description="Where it stands.")
    def status(self) -> ComplaintStatus:
        return self.model.status

    @strawberry.field(description="How it ended; null while it is open.")
    def outcome(self) -> ComplaintOutcome | None:
        return self.model.outcome

    @strawberry.field(
        description="The moves the transition table offers from the current state "
        "(conditions and who may aside)."
    )
    def moves(self) -> list[ComplaintAction]:
        return list(transitions.moves_from(self.model.status))

    @strawberry.field(description="Title given by the filer.")
    def title(self) -> str:
        return self.model.title

    @strawberry.field(description="What the filer wrote.")
    def body(self) -> str:
        return self.model.body

    @strawberry.field(description="The project's code on the trading platform, if named.")
    def project_code(self) -> str | None:
        return self.model.project_code

    @strawberry.field(description="The market entity's unified social credit code, if named.")
    def entity_credit_code(self) -> str | None:
        return self.model.entity_credit_code

    @strawberry.field(description="The market entity's name, if given.")
    def entity_name(self) -> str | None:
        return self.model.entity_name

    @strawberry.field(description="When the filer says they learnt of the matter.")
    def knew_on(self) -> date | None:
        return self.model.knew_on

    @strawberry.field(description="Filed without a name.")
    def anonymous(self) -> bool:
        return self.model.anonymous

    @strawberry.field(description="The filer's name; null when anonymous.")
    def filer_name(self) -> str | None:
        return self.model.filer_name

    @strawberry.field(description="How to reach the filer; null when anonymous.")
    def filer_contact(self) -> str | None:
        return self.model.filer_contact

    @strawberry.field(description="The department it was filed with.")
    async def receiving_department(self, info: Info) -> DepartmentType | None:
        return await department_of(info, self.model.receiving_department_id)

    @strawberry.field(description="The competent department handling it (谁主管谁监管).")
    async def handling_department(self, info: Info) -> DepartmentType | None:
        return await department_of(info, self.model.handling_department_id)

    @strawberry.field(description="The project's industry, as established when routed.")
    def industry(self) -> Industry | None:
        return self.model.industry

    @strawberry.field(description="When it was filed.")
    def received_at(self) -> datetime:
        return self.model.received_at

    @strawberry.field(description="The China day it was filed.")
    def received_on(self) -> date:
        return self.model.received_on

    @strawberry.field(description="The day it reached the office.")
    def at_office_on(self) -> date | None:
        return self.model.at_office_on

    @strawberry.field(description="The day the office handed it to the competent department.")
    def handed_on(self) -> date | None:
        return self.model.handed_on

    @strawberry.field(
        description="The day the competent department had the complete complaint; acceptance "
        "dates back to it."
    )
    def review_on(self) -> date | None:
        return self.model.review_on

    @strawberry.field(description="The day it was accepted.")
    def accepted_on(self) -> date | None:
        return self.model.accepted_on

    @strawberry.field(description="The day it was decided, refused or redirected.")
    def concluded_on(self) -> date | None:
        return self.model.concluded_on

    @strawberry.field(description="The day it was closed.")
    def closed_on(self) -> date | None:
        return self.model.closed_on

    @strawberry.field(description="Whether 补正 was requested (once at most).")
    def correction_requested(self) -> bool:
        return self.model.correction_requested

    @strawberry.field(description="What the filer was asked to complete, while pending.")
    def correction_items(self) -> str | None:
        return self.model.correction_items

    @strawberry.field(description="The examination holding its clocks, if any.")
    def examination(self) -> ComplaintExamination | None:
        reason = self.model.pause_reason
        return None if reason is None else ComplaintExamination(reason.value)

    @strawberry.field(description="Procurement suspended (94号令 Art. 28) and not yet resumed.")
    def procurement_suspended(self) -> bool:
        return self.model.suspended

    @strawberry.field(description="The day the respondent was sent the complaint (procurement).")
    def respondent_notified_on(self) -> date | None:
        return self.model.respondent_notified_on

    @strawberry.field(description="The day the respondent's answer arrived (procurement).")
    def respondent_answered_on(self) -> date | None:
        return self.model.respondent_answered_on

    @strawberry.field(description="The legal ground it was refused on.")
    def refusal_ground(self) -> RefusalGround | None:
        return self.model.refusal_ground

    @strawberry.field(description="Where the filer was told to complain instead.")
    def redirect_to(self) -> str | None:
        return self.model.redirect_to

    @strawberry.field(description="The answer the filer reads (decision, or reasons).")
    def answer(self) -> str | None:
        return self.model.answer

    @strawberry.field(description="The filer's rating: satisfied or not; null if not rated.")
    def satisfied(self) -> bool | None:
        return self.model.satisfied

    @strawberry.field(description="The filer's comment with the rating.")
    def rating_comment(self) -> str | None:
        return self.model.rating_comment

    @strawberry.field(description="How often it was reopened after an unsatisfied rating (≤ 1).")
    def reopen_count(self) -> int:
        return self.model.reopen_count

    @strawberry.field(description="Evidence the filer attached.")
    async def attachments(self, info: Info) -> list[ComplaintAttachmentType]:
        rows = await info.context.loaders.of(ComplaintLoaders).attachments_by_complaint_id.load(
            self.model.id
        )
        return [ComplaintAttachmentType(model=r) for r in rows]

    @strawberry.field(description="Notices sent to the complainant, oldest first.")
    async def notices(self, info: Info) -> list[ComplaintNoticeType]:
        rows = await info.context.loaders.of(ComplaintLoaders).notices_by_complaint_id.load(
            self.model.id
        )
        return [ComplaintNoticeType(model=r) for r in rows]

    @strawberry.field(
        description="Its statutory clocks (obligations), oldest first: acceptance, decision, "
        "suspension, the office's R-7 clocks; each with its due date and status."
    )
    async def obligations(self, info: Info) -> list[ObligationType]:
        rows = await info.context.loaders.of(DeadlineLoaders).obligations_by_matter.load(
            clocks.matter(self.model)
        )
        return [ObligationType(model=r) for r in rows]

    @strawberry.field(
        description="The leads registered from it (R-8), oldest first: those `leads(complaintId:)` "
        "would list for you."
    )
    async def leads(self, info: Info) -> list[LeadRef]:
        from xietong.casework.graphql import nested
        from xietong.casework.graphql.types import LeadType

        return [LeadType(model=r) for r in await nested.leads_of_complaint(info, self.model.id)]

    @strawberry.field(
        description="The case transfers sent from it (R-9), oldest first: those "
        "`caseTransfers(complaintId:)` would list for you."
    )
    async def case_transfers(self, info: Info) -> list[CaseTransferRef]:
        from xietong.casework.graphql import nested
        from xietong.casework.graphql.types import CaseTransferType

        rows = await nested.transfers_of_complaint(info, self.model.id)
        return [CaseTransferType(model=r) for r in rows]

    @strawberry.field(
        description="Every step, from the audit trail: the complaint's moves and its clocks' "
        "events, in the order recorded."
    )
    async def timeline(self, info: Info) -> list[ComplaintTimelineEntry]:
        rows = await service.timeline(db_session=info.context.db, complaint=self.model)
        return [
            ComplaintTimelineEntry(
                sequence=str(r.id),
                occurred_at=r.occurred_at,
                actor=r.actor,
                action=r.action,
                details=json.dumps(r.details, ensure_ascii=False, sort_keys=True),
            )
            for r in rows
        ]


@strawberry.type(description="A notice as the filer sees it when tracking.")
class TrackedNotice:
    id: strawberry.ID = strawberry.field(description="Global id.")
    kind: NoticeKind = strawberry.field(description="Which notice.")
    number: str = strawberry.field(description="Document number (文号).")
    issued_on: date = strawberry.field(description="The China day it was issued.")
    filename: str = strawberry.field(description="File name to save it under.")
    size: int = strawberry.field(description="Size in bytes.")
    sha256: str = strawberry.field(description="SHA-256 of the document (hex).")
    _code: strawberry.Private[str]
    _secret: strawberry.Private[str]
    _id: strawberry.Private[uuid.UUID]

    @strawberry.field(description="The document, base64 (a .docx).")
    async def content_base64(self, info: Info) -> str | None:
        content = await service.tracked_notice(info.context.db, self._code, self._secret, self._id)
        return None if content is None else base64.b64encode(content).decode("ascii")


@strawberry.type(
    description="What the filer sees with the tracking code and secret: where the complaint "
    "stands, the answer and the notices; nothing of the handling department's work."
)
class ComplaintTracking:
    tracking_code: str = strawberry.field(description="The tracking code.")
    regime: ComplaintRegime = strawberry.field(description="Legal regime.")
    category: ComplaintCategory = strawberry.field(description="What it is about.")
    title: str = strawberry.field(description="The title the filer gave.")
    status: ComplaintStatus = strawberry.field(description="Where it stands.")
    outcome: ComplaintOutcome | None = strawberry.field(description="How it ended, if it did.")
    received_on: date = strawberry.field(description="The day it was filed.")
    closed_on: date | None = strawberry.field(description="The day it was closed.")
    correction_items: str | None = strawberry.field(
        description="What to complete (补正), while that is pending."
    )
    refusal_ground: RefusalGround | None = strawberry.field(description="Why it was refused.")
    redirect_to: str | None = strawberry.field(description="Where to complain instead.")
    answer: str | None = strawberry.field(description="The answer.")
    satisfied: bool | None = strawberry.field(description="Your rating, if given.")
    can_rate: bool = strawberry.field(description="Whether a rating may be given now.")
    can_reopen: bool = strawberry.field(
        description="Whether an unsatisfied rating would have it handled again (once)."
    )
    notices: list[TrackedNotice] = strawberry.field(description="Notices sent to you.")

    @classmethod
    def of(cls, view: dict[str, Any], code: str, secret: str) -> ComplaintTracking:
        status = ComplaintStatus(view["status"])
        rated = view.get("rated_at") is not None
        return cls(
            tracking_code=view["tracking_code"],
            regime=ComplaintRegime(view["regime"]),
            category=ComplaintCategory(view["category"]),
            title=view["title"],
            status=status,
            outcome=ComplaintOutcome(view["outcome"]) if view.get("outcome") else None,
            received_on=date.fromisoformat(view["received_on"]),
            closed_on=date.fromisoformat(view["closed_on"]) if view.get("closed_on") else None,
            correction_items=view.get("correction_items"),
            refusal_ground=(
                RefusalGround(view["refusal_ground"]) if view.get("refusal_ground") else None
            ),
            redirect_to=view.get("redirect_to"),
            answer=view.get("answer"),
            satisfied=view.get("satisfied"),
            can_rate=status is ComplaintStatus.CLOSED and not rated,
            can_reopen=status is ComplaintStatus.CLOSED
            and not rated
            and int(view.get("reopen_count") or 0) == 0,
            notices=[
                TrackedNotice(
                    id=to_global_id("ComplaintNotice", uuid.UUID(n["id"])),
                    kind=NoticeKind(n["kind"]),
                    number=n["number"],
                    issued_on=date.fromisoformat(n["issued_on"]),
                    filename=n["filename"],
                    size=int(n["size"]),
                    sha256=n["sha256"],
                    _code=code,
                    _secret=secret,
                    _id=uuid.UUID(n["id"]),
                )
                for n in view.get("notices") or []
            ],
        )
