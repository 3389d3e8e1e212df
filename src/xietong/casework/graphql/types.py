from __future__ import annotations

import base64
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from xietong.api.context import Info
from xietong.api.enums import graphql_enum
from xietong.api.ids import to_global_id
from xietong.casework import letters, transfers
from xietong.casework.enums import (
    DocumentKind,
    LeadDisposition,
    LeadSource,
    LeadStatus,
    LetterMove,
    LetterStatus,
    TransferGround,
    TransferMove,
    TransferStatus,
)
from xietong.casework.errors import CaseworkErrorCode
from xietong.casework.graphql import nested
from xietong.casework.graphql.dataloaders import CaseworkLoaders
from xietong.casework.models import (
    AssistanceLetter,
    CaseDocument,
    CaseMaterial,
    CaseTransfer,
    Lead,
    LeadParticipant,
)
from xietong.complaints.notices import MEDIA_TYPE
from xietong.deadlines.graphql.types import MATTER_TYPE_NAMES, ObligationType, obligations_of
from xietong.deadlines.obligations import MatterRef
from xietong.jurisdictions.graphql.types import (
    DepartmentType,
    JurisdictionType,
    department_of,
    jurisdiction_of,
)

if TYPE_CHECKING:
    from xietong.complaints.graphql.types import ComplaintType

ComplaintRef = Annotated["ComplaintType", strawberry.lazy("xietong.complaints.graphql.types")]


def _complaint_type() -> Any:
    # The complaint context's type imports these types back: resolved when first needed.
    from xietong.complaints.graphql.types import ComplaintType

    return ComplaintType


MATTER_TYPE_NAMES["transfer"] = "CaseTransfer"
MATTER_TYPE_NAMES["letter"] = "AssistanceLetter"


def _described(cls: Any, description: str) -> None:
    graphql_enum(cls, description=description, values={m: f"{m.zh}." for m in cls})


_described(TransferStatus, "Where a case transfer stands (the transition table).")
_described(TransferMove, "A move of a case transfer.")
_described(TransferGround, "Why a case is transferred: measures outside the sender's duties.")
_described(LeadSource, "Where a lead came from.")
_described(LeadStatus, "Where a lead stands.")
_described(LeadDisposition, "How a lead ends.")
_described(LetterStatus, "Where an assistance letter stands.")
_described(LetterMove, "A move of an assistance letter.")
_described(DocumentKind, "A document a casework move issues (.docx).")
graphql_enum(
    CaseworkErrorCode,
    description="Why a casework mutation was refused.",
    values={
        CaseworkErrorCode.NOT_FOUND: "不存在: no such matter, unit or department in your scope.",
        CaseworkErrorCode.INVALID: "输入有误: a value to correct.",
        CaseworkErrorCode.ILLEGAL_TRANSITION: "不允许的操作: the state does not allow this move.",
        CaseworkErrorCode.NOT_YOUR_MOVE: "非本方操作: the move belongs to the other side.",
        CaseworkErrorCode.REASON_REQUIRED: "退回须书面说明理由.",
        CaseworkErrorCode.SAME_UNIT: "移送、发函须至其他辖区.",
        CaseworkErrorCode.PARTICIPANTS_REQUIRED: "联合核查须至少两个部门参加.",
        CaseworkErrorCode.FINDINGS_MISSING: "参加核查的部门尚未全部提出核查意见.",
        CaseworkErrorCode.WRONG_RECIPIENT: "处置去向与接收机关不符.",
        CaseworkErrorCode.ATTACHMENT_REFUSED: "材料类型不被接受（从不接受可执行文件）.",
        CaseworkErrorCode.ATTACHMENT_TOO_LARGE: "材料过大或过多.",
    },
)


@strawberry.type(description="A problem with the input of a casework mutation.")
class CaseworkError:
    field: str | None = strawberry.field(
        description="The input field at fault (camelCase), or null."
    )
    message: str = strawberry.field(description="What is wrong, Chinese first.")
    code: CaseworkErrorCode = strawberry.field(description="Machine-readable reason.")


@strawberry.type(
    name="CaseMaterial",
    description="A file handed over with a transfer or letter, kept as sent; its SHA-256 is in "
    "the receipt and the audit trail.",
)
class CaseMaterialType:
    model: strawberry.Private[CaseMaterial]

    @strawberry.field(description="Global id.")
    def id(self) -> strawberry.ID:
        return to_global_id("CaseMaterial", self.model.id)

    @strawberry.field(description="The file's name as sent.")
    def filename(self) -> str:
        return self.model.filename

    @strawberry.field(description="Media type, checked against the content.")
    def media_type(self) -> str:
        return self.model.media_type

    @strawberry.field(description="Size in bytes.")
    def size(self) -> int:
        return self.model.size

    @strawberry.field(description="SHA-256 of the content (hex).")
    def sha256(self) -> str:
        return self.model.sha256

    @strawberry.field(description="The content, base64.")
    def content_base64(self) -> str:
        return base64.b64encode(self.model.content).decode("ascii")


@strawberry.type(
    name="CaseDocument",
    description="A document a move issued (移送函, 回执, 退回函, 协助办理函, 复函, 处置决定书), a "
    ".docx kept exactly as issued; its SHA-256 is in the audit trail.",
)
class CaseDocumentType:
    model: strawberry.Private[CaseDocument]

    @strawberry.field(description="Global id.")
    def id(self) -> strawberry.ID:
        return to_global_id("CaseDocument", self.model.id)

    @strawberry.field(description="Which document.")
    def kind(self) -> DocumentKind:
        return self.model.kind

    @strawberry.field(description="Document number (文号).")
    def number(self) -> str:
        return self.model.number

    @strawberry.field(description="The China day it was issued.")
    def issued_on(self) -> date:
        return self.model.issued_on

    @strawberry.field(description="The unit that issued it.")
    def issuer_jurisdiction(self, info: Info) -> JurisdictionType | None:
        return jurisdiction_of(info, self.model.issuer_jurisdiction_code)

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


async def documents_of(info: Info, matter_id: Any) -> list[CaseDocumentType]:
    rows = await info.context.loaders.of(CaseworkLoaders).documents_by_matter_id.load(matter_id)
    return [CaseDocumentType(model=r) for r in rows]


async def materials_of(info: Info, matter_id: Any) -> list[CaseMaterialType]:
    rows = await info.context.loaders.of(CaseworkLoaders).materials_by_matter_id.load(matter_id)
    return [CaseMaterialType(model=r) for r in rows]


@strawberry.type(
    name="TransferReceipt",
    description="The receipt (回执) the receiver signed: when, by whom, and the digest of the "
    "materials' hashes it confirmed.",
)
class TransferReceiptType:
    received_on: date = strawberry.field(description="The China day it was signed.")
    received_by: str = strawberry.field(description="Who signed it (a login).")
    digest: str = strawberry.field(
        description="SHA-256 over the materials' SHA-256 hashes, one per line, in their order."
    )


@strawberry.type(
    name="CaseTransfer",
    description="A case transferred to another unit's department (案件移送, R-9). The sender's "
    "unit owns it; the receiving department sees exactly it and its materials through a grant "
    "that ends when the transfer closes.",
)
class CaseTransferType:
    model: strawberry.Private[CaseTransfer]

    @strawberry.field(description="Global id.")
    def id(self) -> strawberry.ID:
        return to_global_id("CaseTransfer", self.model.id)

    @strawberry.field(description="Document number (移送函文号).")
    def number(self) -> str:
        return self.model.number

    @strawberry.field(description="Where it stands.")
    def status(self) -> TransferStatus:
        return self.model.status

    @strawberry.field(description="Why it was transferred (ZENGDU 12).")
    def ground(self) -> TransferGround:
        return self.model.ground

    @strawberry.field(description="A short title of the case.")
    def title(self) -> str:
        return self.model.title

    @strawberry.field(description="The facts and the evidence, as the sender wrote them.")
    def facts(self) -> str:
        return self.model.facts

    @strawberry.field(description="The day the sender received the matter or discovered it.")
    def discovered_on(self) -> date:
        return self.model.discovered_on

    @strawberry.field(description="The day it was sent.")
    def sent_on(self) -> date:
        return self.model.sent_on

    @strawberry.field(description="The sender's unit.")
    def sender_jurisdiction(self, info: Info) -> JurisdictionType | None:
        return jurisdiction_of(info, self.model.jurisdiction_code)

    @strawberry.field(description="The sending department.")
    async def sender_department(self, info: Info) -> DepartmentType | None:
        return await department_of(info, self.model.sender_department_id)

    @strawberry.field(description="The receiver's unit.")
    def receiver_jurisdiction(self, info: Info) -> JurisdictionType | None:
        return jurisdiction_of(info, self.model.receiver_jurisdiction_code)

    @strawberry.field(description="The receiving department.")
    async def receiver_department(self, info: Info) -> DepartmentType | None:
        return await department_of(info, self.model.receiver_department_id)

    @strawberry.field(description="The materials handed over, in order.")
    async def materials(self, info: Info) -> list[CaseMaterialType]:
        return await materials_of(info, self.model.id)

    @strawberry.field(description="The signed receipt, once the receiver signed it.")
    def receipt(self) -> TransferReceiptType | None:
        m = self.model
        if m.received_on is None or m.received_by is None or m.receipt_digest is None:
            return None
        return TransferReceiptType(
            received_on=m.received_on, received_by=m.received_by, digest=m.receipt_digest
        )

    @strawberry.field(description="The day the receiver accepted it, if it did.")
    def accepted_on(self) -> date | None:
        return self.model.accepted_on

    @strawberry.field(description="The day the receiver decided to accept it.")
    def decided_on(self) -> date | None:
        return self.model.decided_on

    @strawberry.field(description="The day the receiver returned it, if it did.")
    def returned_on(self) -> date | None:
        return self.model.returned_on

    @strawberry.field(description="The receiver's written reasons for the return.")
    def return_reason(self) -> str | None:
        return self.model.return_reason

    @strawberry.field(description="The day the receiver forwarded it to the competent level.")
    def forwarded_on(self) -> date | None:
        return self.model.forwarded_on

    @strawberry.field(description="Where it was forwarded: the unit (the sender is told).")
    def forwarded_to_jurisdiction(self, info: Info) -> JurisdictionType | None:
        return jurisdiction_of(info, self.model.forwarded_to_jurisdiction_code)

    @strawberry.field(description="Where it was forwarded: the department.")
    async def forwarded_to_department(self, info: Info) -> DepartmentType | None:
        return await department_of(info, self.model.forwarded_to_department_id)

    @strawberry.field(description="Why it was forwarded.")
    def forward_reason(self) -> str | None:
        return self.model.forward_reason

    @strawberry.field(description="The transfer this one forwards, if any (global id).")
    def forwarded_from_id(self) -> strawberry.ID | None:
        ident = self.model.forwarded_from_id
        return None if ident is None else to_global_id("CaseTransfer", ident)

    @strawberry.field(description="The complaint it came from, if any (global id).")
    def complaint_id(self) -> strawberry.ID | None:
        ident = self.model.complaint_id
        return None if ident is None else to_global_id("Complaint", ident)

    @strawberry.field(
        description="The complaint it came from, if you may read it (as `complaint(id:)`); "
        "null otherwise."
    )
    async def complaint(self, info: Info) -> ComplaintRef | None:
        row = await nested.complaint_of(info, self.model.complaint_id)
        return None if row is None else _complaint_type()(model=row)

    @strawberry.field(description="The lead it came from, if any (global id).")
    def lead_id(self) -> strawberry.ID | None:
        ident = self.model.lead_id
        return None if ident is None else to_global_id("Lead", ident)

    @strawberry.field(description="The day handling finished (the result).")
    def concluded_on(self) -> date | None:
        return self.model.concluded_on

    @strawberry.field(description="The result reported to the sender.")
    def result(self) -> str | None:
        return self.model.result

    @strawberry.field(description="The day the result was reported.")
    def reported_on(self) -> date | None:
        return self.model.reported_on

    @strawberry.field(description="The day the sender closed it (the grant ended).")
    def closed_on(self) -> date | None:
        return self.model.closed_on

    @strawberry.field(
        description="The clocks of this transfer you may see: each side sees its own, counted "
        "on its own side's calendar (`calendar.jurisdiction` says which)."
    )
    async def obligations(self, info: Info) -> list[ObligationType]:
        return await obligations_of(info, MatterRef(transfers.MATTER, self.model.id))

    @strawberry.field(
        description="The documents issued on it: 移送函, 回执, 退回函, 转送告知函, 回告函."
    )
    async def documents(self, info: Info) -> list[CaseDocumentType]:
        return await documents_of(info, self.model.id)


@strawberry.type(
    name="AssistanceLetter",
    description="An assistance letter to another unit's department (协助办理函, R-10). The "
    "requester's unit owns it; the helper department sees exactly it and its evidence through "
    "a grant that ends when the letter closes.",
)
class AssistanceLetterType:
    model: strawberry.Private[AssistanceLetter]

    @strawberry.field(description="Global id.")
    def id(self) -> strawberry.ID:
        return to_global_id("AssistanceLetter", self.model.id)

    @strawberry.field(description="Document number (协助办理函文号).")
    def number(self) -> str:
        return self.model.number

    @strawberry.field(description="Where it stands.")
    def status(self) -> LetterStatus:
        return self.model.status

    @strawberry.field(description="The case it concerns.")
    def case_summary(self) -> str:
        return self.model.case_summary

    @strawberry.field(description="The help asked.")
    def help_asked(self) -> str:
        return self.model.help_asked

    @strawberry.field(description="Why the help is needed.")
    def reasons(self) -> str:
        return self.model.reasons

    @strawberry.field(description="The day it was sent.")
    def sent_on(self) -> date:
        return self.model.sent_on

    @strawberry.field(description="The requesting unit.")
    def requesting_jurisdiction(self, info: Info) -> JurisdictionType | None:
        return jurisdiction_of(info, self.model.jurisdiction_code)

    @strawberry.field(description="The requesting department.")
    async def requesting_department(self, info: Info) -> DepartmentType | None:
        return await department_of(info, self.model.requesting_department_id)

    @strawberry.field(description="The helper's unit.")
    def helper_jurisdiction(self, info: Info) -> JurisdictionType | None:
        return jurisdiction_of(info, self.model.helper_jurisdiction_code)

    @strawberry.field(description="The helper department.")
    async def helper_department(self, info: Info) -> DepartmentType | None:
        return await department_of(info, self.model.helper_department_id)

    @strawberry.field(description="The evidence sent with it, in order.")
    async def materials(self, info: Info) -> list[CaseMaterialType]:
        return await materials_of(info, self.model.id)

    @strawberry.field(description="The day the helper signed for it.")
    def received_on(self) -> date | None:
        return self.model.received_on

    @strawberry.field(description="The day it was returned as outside the helper's duties.")
    def returned_on(self) -> date | None:
        return self.model.returned_on

    @strawberry.field(description="The helper's reason for the return.")
    def return_reason(self) -> str | None:
        return self.model.return_reason

    @strawberry.field(description="The day the helper answered in writing.")
    def answered_on(self) -> date | None:
        return self.model.answered_on

    @strawberry.field(description="The written answer (复函).")
    def answer(self) -> str | None:
        return self.model.answer

    @strawberry.field(description="The day the requester closed it (the grant ended).")
    def closed_on(self) -> date | None:
        return self.model.closed_on

    @strawberry.field(description="The clocks of this letter you may see (the helper's own).")
    async def obligations(self, info: Info) -> list[ObligationType]:
        return await obligations_of(info, MatterRef(letters.MATTER, self.model.id))

    @strawberry.field(description="The documents issued on it: 协助办理函, 退回函, 复函.")
    async def documents(self, info: Info) -> list[CaseDocumentType]:
        return await documents_of(info, self.model.id)


@strawberry.type(
    name="LeadParticipant",
    description="A department taking part in a lead's joint verification, with its finding.",
)
class LeadParticipantType:
    model: strawberry.Private[LeadParticipant]

    @strawberry.field(description="The department.")
    async def department(self, info: Info) -> DepartmentType | None:
        return await department_of(info, self.model.department_id)

    @strawberry.field(description="Its finding (核查意见), once recorded.")
    def finding(self) -> str | None:
        return self.model.finding

    @strawberry.field(description="The day it recorded its finding.")
    def found_on(self) -> date | None:
        return self.model.found_on

    @strawberry.field(description="Who recorded it (a login).")
    def found_by(self) -> str | None:
        return self.model.found_by


@strawberry.type(
    name="Lead",
    description="A lead (问题线索, R-8): found by witnessing, monitoring, an inspection or a "
    "complaint; transferred to the competent department, verified jointly when serious, and "
    "disposed of.",
)
class LeadType:
    model: strawberry.Private[Lead]

    @strawberry.field(description="Global id.")
    def id(self) -> strawberry.ID:
        return to_global_id("Lead", self.model.id)

    @strawberry.field(description="Number (线索编号).")
    def number(self) -> str:
        return self.model.number

    @strawberry.field(description="Where it came from.")
    def source(self) -> LeadSource:
        return self.model.source

    @strawberry.field(description="Where it stands.")
    def status(self) -> LeadStatus:
        return self.model.status

    @strawberry.field(description="A short title.")
    def title(self) -> str:
        return self.model.title

    @strawberry.field(description="The facts as registered.")
    def facts(self) -> str:
        return self.model.facts

    @strawberry.field(description="Serious or hard: verified jointly.")
    def serious(self) -> bool:
        return self.model.serious

    @strawberry.field(description="The project's code, if any.")
    def project_code(self) -> str | None:
        return self.model.project_code

    @strawberry.field(description="The market entity concerned, if any.")
    def entity_name(self) -> str | None:
        return self.model.entity_name

    @strawberry.field(description="The day it was found.")
    def found_on(self) -> date:
        return self.model.found_on

    @strawberry.field(description="The unit.")
    def jurisdiction(self, info: Info) -> JurisdictionType | None:
        return jurisdiction_of(info, self.model.jurisdiction_code)

    @strawberry.field(description="Who registered it.")
    async def registered_by(self, info: Info) -> DepartmentType | None:
        return await department_of(info, self.model.registered_by_department_id)

    @strawberry.field(description="The complaint it came from, if any (global id).")
    def complaint_id(self) -> strawberry.ID | None:
        ident = self.model.complaint_id
        return None if ident is None else to_global_id("Complaint", ident)

    @strawberry.field(
        description="The complaint it came from, if you may read it (as `complaint(id:)`); "
        "null otherwise."
    )
    async def complaint(self, info: Info) -> ComplaintRef | None:
        row = await nested.complaint_of(info, self.model.complaint_id)
        return None if row is None else _complaint_type()(model=row)

    @strawberry.field(description="The competent department it was transferred to.")
    async def competent_department(self, info: Info) -> DepartmentType | None:
        return await department_of(info, self.model.competent_department_id)

    @strawberry.field(description="The departments verifying it jointly, with their findings.")
    async def participants(self, info: Info) -> list[LeadParticipantType]:
        loader = info.context.loaders.of(CaseworkLoaders).participants_by_lead_id
        return [LeadParticipantType(model=p) for p in await loader.load(self.model.id)]

    @strawberry.field(description="How it was disposed of.")
    def disposition(self) -> LeadDisposition | None:
        return self.model.disposition

    @strawberry.field(description="The body it went to: the department, 纪检监察 or 公安.")
    async def disposition_department(self, info: Info) -> DepartmentType | None:
        return await department_of(info, self.model.disposition_department_id)

    @strawberry.field(description="The disposition's record (处置意见).")
    def disposition_note(self) -> str | None:
        return self.model.disposition_note

    @strawberry.field(description="The day it was disposed of.")
    def disposed_on(self) -> date | None:
        return self.model.disposed_on

    @strawberry.field(description="The disposition's decision document.")
    async def documents(self, info: Info) -> list[CaseDocumentType]:
        return await documents_of(info, self.model.id)
