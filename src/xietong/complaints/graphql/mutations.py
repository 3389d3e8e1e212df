from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Annotated

import strawberry

from xietong import inputs
from xietong.access.actions import Action, ObjectType
from xietong.access.graphql.permissions import signed_in
from xietong.access.principal import PrincipalKind
from xietong.api.context import Context, Info
from xietong.api.ids import expect_global_id
from xietong.api.mutations import Invalid, Problem, atomic
from xietong.api.scalars import Base64, JurisdictionCode, LongText, ShortText
from xietong.audit.enums import ActorKind
from xietong.complaints import attachments, public, service, tracking
from xietong.complaints.enums import (
    ComplaintAction,
    ComplaintCategory,
    ComplaintRegime,
    ComplaintStatus,
    RefusalGround,
)
from xietong.complaints.errors import ComplaintError
from xietong.complaints.errors import ComplaintErrorCode as Code
from xietong.complaints.graphql.types import (
    ComplaintError as ComplaintErrorType,
)
from xietong.complaints.graphql.types import (
    ComplaintExamination,
    ComplaintTracking,
    ComplaintType,
)
from xietong.deadlines.enums import PauseReason
from xietong.jurisdictions.enums import Industry
from xietong.trading import credit_code
from xietong.trading.errors import TradingError

A = ComplaintAction


def _errors(problems: list[Problem]) -> list[ComplaintErrorType]:
    return [
        ComplaintErrorType(field=p.field, message=p.message, code=Code(p.code)) for p in problems
    ]


def _invalid(exc: ComplaintError) -> Invalid:
    return Invalid(exc.error_code, exc.message, exc.field)


def _text(value: str | None) -> str | None:
    return None if value is None or inputs.is_blank(value) else value


# Inputs -----------------------------------------------------------------------------------------


@strawberry.input(description="A file attached as evidence.")
class ComplaintAttachmentInput:
    filename: ShortText = strawberry.field(description="The file's name, e.g. 评标报告.pdf.")
    media_type: ShortText = strawberry.field(
        description="Its media type, e.g. application/pdf; must match the content. Accepted: "
        "PDF, OFD, JPEG, PNG, Word and Excel (.docx, .xlsx), plain text; never executables."
    )
    content: Base64 = strawberry.field(
        description=f"The content, at most {attachments.MAX_FILE_BYTES // 1024} KiB per file, "
        f"{attachments.MAX_FILES} files and {attachments.MAX_TOTAL_BYTES // 1048576} MiB per "
        "complaint."
    )


@strawberry.input(description="A complaint or report from the public (投诉举报), named or not.")
class ComplaintFileInput:
    jurisdiction: JurisdictionCode = strawberry.field(
        description='The unit complained to, e.g. "422825" (宣恩县).'
    )
    regime: ComplaintRegime = strawberry.field(
        description="工程建设招投标, 政府采购 or 其他: decides the legal clocks."
    )
    category: ComplaintCategory = strawberry.field(description="What it is about.")
    title: ShortText = strawberry.field(description="A short title.")
    body: LongText = strawberry.field(
        description="The facts, the request, and where the evidence is."
    )
    anonymous: bool = strawberry.field(
        description="File without a name. Note: a tendering or procurement complaint (投诉) "
        "needs a name and contact to be accepted; an anonymous one is handled as a report."
    )
    department_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="File with this department of the unit (an industry or finance "
        "department); by default the supervision office. A department reports it to the "
        "office within 3 working days (R-7).",
    )
    project_code: ShortText | None = strawberry.field(
        default=None, description="The project's code on the trading platform (交易项目编号)."
    )
    entity_credit_code: ShortText | None = strawberry.field(
        default=None,
        description="The market entity complained about: its unified social credit code.",
    )
    entity_name: ShortText | None = strawberry.field(
        default=None, description="The market entity's name."
    )
    knew_on: date | None = strawberry.field(
        default=None, description="The day you learnt of the matter (the complaint window)."
    )
    filer_name: ShortText | None = strawberry.field(
        default=None, description="Your name or your company's (required unless anonymous)."
    )
    filer_contact: ShortText | None = strawberry.field(
        default=None, description="A telephone number or address (required unless anonymous)."
    )
    attachments: list[ComplaintAttachmentInput] = strawberry.field(
        default_factory=list, description="Evidence files."
    )


@strawberry.type(description="Result of complaintFile.")
class ComplaintFilePayload:
    tracking_code: str | None = strawberry.field(
        description="Your tracking code: quote it when you call."
    )
    secret: str | None = strawberry.field(
        description="Your secret, shown this once: with the tracking code it lets you follow "
        "the complaint, read the answer and rate it. Keep it."
    )
    status: ComplaintStatus | None = strawberry.field(description="Where it stands now.")
    errors: list[ComplaintErrorType] = strawberry.field(description="Empty on success.")


@strawberry.input(description="A tracking code and its secret.")
class ComplaintTrackInput:
    tracking_code: ShortText = strawberry.field(description="The tracking code, e.g. TS7Q2…")
    secret: ShortText = strawberry.field(description="The secret shown when you filed.")


@strawberry.type(description="Result of complaintTrack.")
class ComplaintTrackPayload:
    complaint: ComplaintTracking | None = strawberry.field(description="What you may see.")
    errors: list[ComplaintErrorType] = strawberry.field(description="Empty on success.")


@strawberry.input(description="Your rating of the answer (满意度评价).")
class ComplaintRateInput:
    tracking_code: ShortText = strawberry.field(description="The tracking code.")
    secret: ShortText = strawberry.field(description="The secret shown when you filed.")
    satisfied: bool = strawberry.field(
        description="Satisfied or not. Not satisfied, the first time: the matter is handled "
        "again (once)."
    )
    comment: LongText | None = strawberry.field(default=None, description="Why, if you like.")


@strawberry.type(description="Result of complaintRate.")
class ComplaintRatePayload:
    complaint: ComplaintTracking | None = strawberry.field(description="The complaint as now.")
    errors: list[ComplaintErrorType] = strawberry.field(description="Empty on success.")


@strawberry.input(description="Which complaint.")
class ComplaintRefInput:
    id: strawberry.ID = strawberry.field(description="The complaint's global id.")


@strawberry.input(description="Hand a complaint to the competent department in writing.")
class ComplaintAssignInput:
    id: strawberry.ID = strawberry.field(description="The complaint's global id.")
    industry: Industry | None = strawberry.field(
        default=None,
        description="The project's industry (谁主管谁监管): its department handles it. Not "
        "needed for procurement (finance handles it).",
    )
    department_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="Name the department instead (it must supervise the industry and list a "
        "complaint-handling power).",
    )


@strawberry.input(description="Ask the complainant, once, to complete the complaint (补正).")
class ComplaintRequestCompletionInput:
    id: strawberry.ID = strawberry.field(description="The complaint's global id.")
    items: LongText = strawberry.field(description="What to complete, item by item.")
    reply_by: date = strawberry.field(description="The last day for the reply (a China day).")


@strawberry.input(description="The reply arrived: clocks run again.")
class ComplaintResumeInput:
    id: strawberry.ID = strawberry.field(description="The complaint's global id.")
    document: ShortText = strawberry.field(
        description="What ended the pause: the 补正 materials, the test report, the expert "
        "opinion (name or number)."
    )


@strawberry.input(description="Stop the clocks for testing, appraisal or expert review.")
class ComplaintPauseInput:
    id: strawberry.ID = strawberry.field(description="The complaint's global id.")
    reason: ComplaintExamination = strawberry.field(description="Which examination.")
    document: ShortText = strawberry.field(
        description="The document that started it (委托书, 通知), name or number."
    )
    notice: LongText | None = strawberry.field(
        default=None, description="What the complainant was told."
    )


@strawberry.input(description="Refuse a complaint on a coded legal ground (不予受理).")
class ComplaintRefuseInput:
    id: strawberry.ID = strawberry.field(description="The complaint's global id.")
    ground: RefusalGround = strawberry.field(description="The legal ground.")
    explanation: LongText | None = strawberry.field(
        default=None, description="The facts behind it; by default the law's words."
    )


@strawberry.input(description="Tell the complainant which authority to go to (告知).")
class ComplaintRedirectInput:
    id: strawberry.ID = strawberry.field(description="The complaint's global id.")
    authority: ShortText = strawberry.field(description="The competent authority, by name.")


@strawberry.input(description="Decide the complaint in writing.")
class ComplaintDecideInput:
    id: strawberry.ID = strawberry.field(description="The complaint's global id.")
    decision: LongText = strawberry.field(description="The decision and its reasons.")


@strawberry.type(description="Result of a move on a complaint.")
class ComplaintMovePayload:
    complaint: ComplaintType | None = strawberry.field(description="The complaint as now.")
    errors: list[ComplaintErrorType] = strawberry.field(description="Empty on success.")


# Resolvers --------------------------------------------------------------------------------------


def _actor(ctx: Context) -> service.Actor:
    principal = ctx.principal
    department = principal.department
    return service.Actor(
        name=principal.actor,
        kind=ActorKind.API_KEY if principal.kind is PrincipalKind.API_KEY else ActorKind.PERSON,
        department_id=department.id if department else None,
        department_kind=department.kind if department else None,
        jurisdiction_code=principal.jurisdiction_code,
    )


async def _move(info: Info, ident: strawberry.ID, move: service.Move) -> ComplaintMovePayload:
    ctx = info.context
    complaint_id = expect_global_id(ident, "Complaint")

    async def body() -> ComplaintMovePayload:
        complaint = await service.get(
            db_session=ctx.db, scope=ctx.scope, complaint_id=complaint_id, lock=True
        )
        if complaint is None:
            raise Invalid(Code.NOT_FOUND, "没有该投诉举报（no such complaint）", "id")

        def authorize(action: Action) -> Awaitable[object]:
            return ctx.guard.require(
                ObjectType.COMPLAINT, action, complaint.jurisdiction_code, object_id=complaint.id
            )

        try:
            moved = await service.make_move(
                ctx.db,
                complaint=complaint,
                move=move,
                actor=_actor(ctx),
                clock=ctx.clock,
                authorize=authorize,
            )
        except ComplaintError as exc:
            raise _invalid(exc) from None
        return ComplaintMovePayload(complaint=ComplaintType(model=moved), errors=[])

    result, problems = await atomic(ctx.db, body)
    return result or ComplaintMovePayload(complaint=None, errors=_errors(problems))


def _simple(action: ComplaintAction, description: str) -> Callable[..., object]:
    async def resolver(
        self: ComplaintMutations,
        info: Info,
        input: Annotated[ComplaintRefInput, strawberry.argument(description="Which complaint.")],
    ) -> ComplaintMovePayload:
        return await _move(info, input.id, service.Move(action))

    field: Callable[..., object] = strawberry.mutation(
        description=description, extensions=[signed_in()]
    )(resolver)
    return field


def _filing(info: Info, input: ComplaintFileInput) -> service.Filing:
    if input.jurisdiction not in info.context.guard.authorizer.jurisdictions:
        raise ComplaintError(
            Code.NOT_FOUND, "没有该行政区划（unknown jurisdiction）", field="jurisdiction"
        )
    if inputs.is_blank(input.title):
        raise ComplaintError(Code.INVALID, "请填写标题（title is empty）", field="title")
    if inputs.is_blank(input.body):
        raise ComplaintError(Code.INVALID, "请填写投诉举报内容（body is empty）", field="body")
    project = _text(input.project_code)
    credit = _text(input.entity_credit_code)
    if project is None and credit is None:
        raise ComplaintError(
            Code.SUBJECT_REQUIRED,
            "请填写被投诉的项目编号或市场主体的统一社会信用代码"
            "（name the project's code or the entity's credit code）",
            field="projectCode",
        )
    if credit is not None:
        try:
            credit = credit_code.parse(credit, field="entityCreditCode").value
        except TradingError as exc:
            raise ComplaintError(
                Code.INVALID_CREDIT_CODE, exc.message, field="entityCreditCode"
            ) from None
    name, contact = _text(input.filer_name), _text(input.filer_contact)
    if input.anonymous and (name or contact):
        raise ComplaintError(
            Code.INVALID,
            "匿名投诉举报不填写姓名和联系方式（an anonymous complaint carries no name or contact）",
            field="filerName" if name else "filerContact",
        )
    if not input.anonymous and (name is None or contact is None):
        raise ComplaintError(
            Code.CONTACT_REQUIRED,
            "实名投诉须填写姓名（名称）和联系方式（give your name and a contact）",
            field="filerName" if name is None else "filerContact",
        )
    if input.knew_on is not None and input.knew_on > info.context.clock.today():
        raise ComplaintError(
            Code.INVALID, "知道日期不能晚于今天（a day in the future）", field="knewOn"
        )
    files = [
        attachments.check_file(a.filename, a.media_type, a.content, f"attachments.{i}")
        for i, a in enumerate(input.attachments)
    ]
    attachments.check_all(files)
    department = (
        None
        if input.department_id is None
        else expect_global_id(input.department_id, "Department", field="departmentId")
    )
    return service.Filing(
        jurisdiction_code=input.jurisdiction,
        receiving_department_id=department or uuid.UUID(int=0),
        regime=input.regime,
        category=input.category,
        title=input.title,
        body=input.body,
        project_code=project,
        entity_credit_code=credit,
        entity_name=_text(input.entity_name),
        knew_on=input.knew_on,
        anonymous=input.anonymous,
        filer_name=name,
        filer_contact=contact,
        attachments=files,
    )


@strawberry.type
class ComplaintMutations:
    @strawberry.mutation(
        description="File a complaint or report (public: no sign-in needed). The answer holds "
        "a tracking code and a secret, shown once. Bounded per client and per unit."
    )
    async def complaint_file(
        self,
        info: Info,
        input: Annotated[ComplaintFileInput, strawberry.argument(description="The complaint.")],
    ) -> ComplaintFilePayload:
        ctx = info.context

        async def body() -> ComplaintFilePayload:
            try:
                filing = _filing(info, input)
                named = None if input.department_id is None else filing.receiving_department_id
                receiving = await service.receiving_department(
                    ctx.db, filing.jurisdiction_code, named
                )
                filing = dataclasses.replace(filing, receiving_department_id=receiving.id)
            except ComplaintError as exc:
                raise _invalid(exc) from None
            code, secret = tracking.new_code(), tracking.new_secret()
            async with public.acting_as_public(
                ctx.db,
                ctx.signer,
                jurisdiction_code=filing.jurisdiction_code,
                code=code,
                caller=ctx.scope,
            ):
                try:
                    complaint = await service.file(
                        ctx.db,
                        filing=filing,
                        code=code,
                        secret=secret,
                        client=service.client_hash(ctx.db, ctx.client),
                        clock=ctx.clock,
                    )
                except ComplaintError as exc:
                    raise _invalid(exc) from None
            return ComplaintFilePayload(
                tracking_code=code, secret=secret, status=complaint.status, errors=[]
            )

        result, problems = await atomic(ctx.db, body)
        return result or ComplaintFilePayload(
            tracking_code=None, secret=None, status=None, errors=_errors(problems)
        )

    @strawberry.mutation(
        description="Follow a complaint with its tracking code and secret (public). A mutation "
        "so the secret travels in a POST body, never in a URL; it changes nothing."
    )
    async def complaint_track(
        self,
        info: Info,
        input: Annotated[ComplaintTrackInput, strawberry.argument(description="Code and secret.")],
    ) -> ComplaintTrackPayload:
        ctx = info.context
        view = await service.track(ctx.db, input.tracking_code, input.secret)
        if view is None:
            return ComplaintTrackPayload(complaint=None, errors=_errors([_wrong_secret()]))
        return ComplaintTrackPayload(
            complaint=ComplaintTracking.of(
                view, tracking.normalise(input.tracking_code), tracking.normalise(input.secret)
            ),
            errors=[],
        )

    @strawberry.mutation(
        description="Rate the answer (public, with the tracking code and secret). Not "
        "satisfied, the first time: the matter is handled again, once (12345 practice)."
    )
    async def complaint_rate(
        self,
        info: Info,
        input: Annotated[ComplaintRateInput, strawberry.argument(description="The rating.")],
    ) -> ComplaintRatePayload:
        ctx = info.context
        code, secret = tracking.normalise(input.tracking_code), tracking.normalise(input.secret)

        async def body() -> ComplaintRatePayload:
            view = await service.track(ctx.db, code, secret)
            if view is None:
                problem = _wrong_secret()
                raise Invalid(problem.code, problem.message, problem.field)
            jurisdiction = int(view["jurisdiction_code"])
            async with public.acting_as_public(
                ctx.db, ctx.signer, jurisdiction_code=jurisdiction, code=code, caller=ctx.scope
            ) as scope:
                complaint = await service.get(
                    db_session=ctx.db,
                    scope=scope,
                    complaint_id=uuid.UUID(view["id"]),
                    lock=True,
                )
                if complaint is None:
                    raise Invalid(
                        Code.NOT_FOUND, "没有该投诉举报（no such complaint）", "trackingCode"
                    )
                try:
                    await service.make_move(
                        ctx.db,
                        complaint=complaint,
                        move=service.Move(
                            A.RATE, satisfied=input.satisfied, comment=_text(input.comment)
                        ),
                        actor=service.Actor.public(code),
                        clock=ctx.clock,
                    )
                except ComplaintError as exc:
                    raise _invalid(exc) from None
            fresh = await service.track(ctx.db, code, secret)
            assert fresh is not None
            return ComplaintRatePayload(
                complaint=ComplaintTracking.of(fresh, code, secret), errors=[]
            )

        result, problems = await atomic(ctx.db, body)
        return result or ComplaintRatePayload(complaint=None, errors=_errors(problems))

    complaint_report = _simple(
        A.REPORT,
        "Report a complaint your department received to the supervision office (R-7, 3 "
        "working days).",
    )

    @strawberry.mutation(
        description="The office hands the complaint in writing to the competent department, "
        "chosen by the project's industry (谁主管谁监管).",
        extensions=[signed_in()],
    )
    async def complaint_assign(
        self,
        info: Info,
        input: Annotated[ComplaintAssignInput, strawberry.argument(description="The handover.")],
    ) -> ComplaintMovePayload:
        department = (
            None
            if input.department_id is None
            else expect_global_id(input.department_id, "Department", field="departmentId")
        )
        move = service.Move(A.ASSIGN, department_id=department, industry=input.industry)
        return await _move(info, input.id, move)

    complaint_accept = _simple(
        A.ACCEPT,
        "Accept the complaint (受理): dated back to its receipt; issues the 受理通知书 and "
        "starts the decision clock.",
    )

    @strawberry.mutation(
        description="Ask the complainant once to complete the complaint (补正): issues the "
        "补正通知书; the acceptance review runs again from the completed complaint.",
        extensions=[signed_in()],
    )
    async def complaint_request_completion(
        self,
        info: Info,
        input: Annotated[
            ComplaintRequestCompletionInput, strawberry.argument(description="The request.")
        ],
    ) -> ComplaintMovePayload:
        move = service.Move(A.REQUEST_CORRECTION, text=input.items, reply_by=input.reply_by)
        return await _move(info, input.id, move)

    @strawberry.mutation(
        description="The 补正 or the examination result arrived: the clocks run again, moved "
        "by the days paused.",
        extensions=[signed_in()],
    )
    async def complaint_resume(
        self,
        info: Info,
        input: Annotated[ComplaintResumeInput, strawberry.argument(description="The reply.")],
    ) -> ComplaintMovePayload:
        return await _move(info, input.id, service.Move(A.RESUME, document=input.document))

    @strawberry.mutation(
        description="Stop the clocks while testing, appraisal or expert review runs (time not "
        "counted).",
        extensions=[signed_in()],
    )
    async def complaint_pause(
        self,
        info: Info,
        input: Annotated[ComplaintPauseInput, strawberry.argument(description="The pause.")],
    ) -> ComplaintMovePayload:
        move = service.Move(
            A.PAUSE,
            pause_reason=PauseReason(input.reason.value),
            document=input.document,
            text=_text(input.notice),
        )
        return await _move(info, input.id, move)

    @strawberry.mutation(
        description="Refuse the complaint on a coded legal ground: issues the 不予受理通知书 "
        "citing the ground and the rule.",
        extensions=[signed_in()],
    )
    async def complaint_refuse(
        self,
        info: Info,
        input: Annotated[ComplaintRefuseInput, strawberry.argument(description="The refusal.")],
    ) -> ComplaintMovePayload:
        move = service.Move(A.REFUSE, ground=input.ground, text=_text(input.explanation))
        return await _move(info, input.id, move)

    @strawberry.mutation(
        description="Tell the complainant which authority to go to: issues the 告知书.",
        extensions=[signed_in()],
    )
    async def complaint_redirect(
        self,
        info: Info,
        input: Annotated[ComplaintRedirectInput, strawberry.argument(description="Where to.")],
    ) -> ComplaintMovePayload:
        return await _move(info, input.id, service.Move(A.REDIRECT, text=input.authority))

    complaint_suspend_procurement = _simple(
        A.SUSPEND_PROCUREMENT,
        "Suspend the procurement complained about (94号令 Art. 28): a 30-day clock starts.",
    )
    complaint_resume_procurement = _simple(
        A.RESUME_PROCUREMENT, "Let the suspended procurement resume (meets the 30-day clock)."
    )
    complaint_notify_respondent = _simple(
        A.NOTIFY_RESPONDENT,
        "The respondent was sent the complaint (procurement, 8 working days); its 5-day answer "
        "clock starts.",
    )
    complaint_respondent_answered = _simple(
        A.RESPONDENT_ANSWERED, "The respondent's written answer arrived (procurement)."
    )

    @strawberry.mutation(
        description="Decide the complaint in writing: issues the 投诉处理决定书; the result "
        "is then fed back to the office within 5 working days.",
        extensions=[signed_in()],
    )
    async def complaint_decide(
        self,
        info: Info,
        input: Annotated[ComplaintDecideInput, strawberry.argument(description="The decision.")],
    ) -> ComplaintMovePayload:
        return await _move(info, input.id, service.Move(A.DECIDE, text=input.decision))

    complaint_feedback = _simple(
        A.FEEDBACK, "Feed the result back to the supervision office (R-7): closes the complaint."
    )


def _wrong_secret() -> Problem:
    return Problem(
        Code.NOT_FOUND,
        "查询码或密码不正确（wrong tracking code or secret）",
        "trackingCode",
    )
