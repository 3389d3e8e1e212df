from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated

import strawberry

from xietong.access.actions import Action, ObjectType
from xietong.access.graphql.permissions import signed_in
from xietong.api.context import Context, Info
from xietong.api.ids import expect_global_id
from xietong.api.mutations import Invalid, Problem, atomic
from xietong.api.scalars import JurisdictionCode, LongText, ShortText
from xietong.deadlines.errors import DeadlineError
from xietong.evaluation import attendance, conduct, copies, draw, recordings, service
from xietong.evaluation.enums import AttendanceKind, ConductKind
from xietong.evaluation.errors import EvaluationError
from xietong.evaluation.errors import EvaluationErrorCode as Code
from xietong.evaluation.graphql.types import (
    EvaluationAttendanceType,
    EvaluationConductType,
    EvaluationCopyType,
    EvaluationInvestigationType,
    EvaluationRecordingType,
    EvaluationSessionType,
    EvaluationSiteType,
)
from xietong.evaluation.graphql.types import (
    EvaluationError as EvaluationErrorType,
)
from xietong.evaluation.models import (
    EvaluationAttendance,
    EvaluationConduct,
    EvaluationCopy,
    EvaluationInvestigation,
    EvaluationRecording,
    EvaluationSession,
)
from xietong.trading import service as trading


def _errors(problems: list[Problem]) -> list[EvaluationErrorType]:
    return [
        EvaluationErrorType(field=p.field, message=p.message, code=Code(p.code))
        if p.code in Code.__members__
        else EvaluationErrorType(field=p.field, message=p.message, code=Code.INVALID)
        for p in problems
    ]


def _actor(ctx: Context) -> service.Actor:
    department = ctx.principal.department
    return service.Actor(
        name=ctx.principal.actor,
        jurisdiction_code=ctx.principal.jurisdiction_code,
        department_id=department.id if department else None,
    )


async def _run(ctx: Context, body: Callable[[], Awaitable[object]]) -> tuple[object, list[Problem]]:
    """``atomic`` with the context's refusals as payload problems."""

    async def guarded() -> object:
        try:
            return await body()
        except EvaluationError as exc:
            raise Invalid(exc.error_code, exc.message, exc.field) from None
        except DeadlineError as exc:
            raise Invalid(Code.INVALID, exc.message) from None

    return await atomic(ctx.db, guarded)


async def _session(
    ctx: Context, ident: strawberry.ID, action: Action, field: str = "id"
) -> EvaluationSession:
    session_id = expect_global_id(ident, "EvaluationSession", field=field)
    row = await service.get_session(ctx.db, ctx.scope, session_id, ctx.clock.today(), lock=True)
    if row is None:
        raise Invalid(Code.NOT_FOUND, "没有该评标场次（no such session）", field)
    await ctx.guard.require(ObjectType.EVALUATION, action, row.jurisdiction_code, object_id=row.id)
    return row


# Inputs -----------------------------------------------------------------------------------------


@strawberry.input(description="A host site (副场) of a session and its seats.")
class EvaluationHostInput:
    jurisdiction: JurisdictionCode = strawberry.field(
        description='The host jurisdiction, e.g. "421300" (随州市): another unit than the '
        "project's, in any province."
    )
    seats: int = strawberry.field(description="Seats at the host site, 1–99.")


@strawberry.input(
    description="Host sites drawn at random among eligible centres (other units with a trading "
    "centre), reproducibly: each candidate ranked by SHA-256 of seed and code."
)
class EvaluationDrawInput:
    count: int = strawberry.field(description="How many host sites, 1–9.")
    seats: int = strawberry.field(description="Seats at each drawn host site, 1–99.")
    candidates: list[JurisdictionCode] | None = strawberry.field(
        default=None,
        description="Only among these units (default: every eligible centre in the country).",
    )
    seed: ShortText | None = strawberry.field(
        default=None, description="The seed (default: 128 random bits); recorded, sealed."
    )


@strawberry.input(description="A new evaluation session of a project (the home site schedules).")
class EvaluationScheduleInput:
    project_id: strawberry.ID = strawberry.field(description="The project (global id).")
    number: ShortText = strawberry.field(description="The session's number, unique in the unit.")
    scheduled_start: datetime = strawberry.field(description="Scheduled start.")
    scheduled_end: datetime = strawberry.field(description="Scheduled end.")
    home_seats: int = strawberry.field(description="Seats at the home site, 1–99.")
    hosts: list[EvaluationHostInput] = strawberry.field(
        default_factory=list, description="Host sites, 1–9 — or none, and `draw`."
    )
    draw: EvaluationDrawInput | None = strawberry.field(
        default=None, description="Draw the host sites at random instead of naming them."
    )
    follow_up_days: int = strawberry.field(
        default=service.DEFAULT_FOLLOW_UP_DAYS,
        description="Working days the hosts keep their access after the end (default 30).",
    )
    auto_copy: bool = strawberry.field(
        default=False,
        description="Copy investigation results about host experts automatically (the worker "
        "copies them as soon as they end) instead of by a person.",
    )


@strawberry.input(description="Which session.")
class EvaluationRefInput:
    id: strawberry.ID = strawberry.field(description="The session (global id).")


@strawberry.input(description="An expert of your site's library to a seat of your site.")
class EvaluationSeatExpertInput:
    seat_id: strawberry.ID = strawberry.field(description="The seat (global id).")
    expert_id: strawberry.ID = strawberry.field(description="The expert (global id).")


@strawberry.input(description="A host site's records handed over to the home site.")
class EvaluationHandOverInput:
    site_id: strawberry.ID = strawberry.field(description="Your host site (global id).")


@strawberry.input(description="An investigation of the conduct of experts in some seats.")
class EvaluationInvestigationOpenInput:
    session_id: strawberry.ID = strawberry.field(description="The session (global id).")
    seat_ids: list[strawberry.ID] = strawberry.field(description="The seats concerned.")
    subject: LongText = strawberry.field(description="What is investigated.")


@strawberry.input(description="The end of an investigation: its result and decision.")
class EvaluationInvestigationEndInput:
    id: strawberry.ID = strawberry.field(description="The investigation (global id).")
    result: LongText = strawberry.field(description="The result (处理结果).")
    decision: LongText = strawberry.field(description="The decision taken.")


@strawberry.input(description="Which investigation.")
class EvaluationInvestigationRefInput:
    id: strawberry.ID = strawberry.field(description="The investigation (global id).")


@strawberry.input(description="Which copy received.")
class EvaluationCopyRefInput:
    id: strawberry.ID = strawberry.field(description="The copy (global id).")


@strawberry.type(description="Result of acknowledging a copy.")
class EvaluationCopyPayload:
    copy: EvaluationCopyType | None = strawberry.field(description="The copy as now.")
    errors: list[EvaluationErrorType] = strawberry.field(description="Empty on success.")


@strawberry.input(description="An expert conduct event at one of your site's seats.")
class EvaluationConductRecordInput:
    seat_id: strawberry.ID = strawberry.field(description="The seat (global id), your site's.")
    kind: ConductKind = strawberry.field(description="What happened.")
    note: LongText = strawberry.field(description="What the staff saw.")
    occurred_at: datetime | None = strawberry.field(
        default=None, description="When (default: now); during the session."
    )


@strawberry.type(description="Result of recording a conduct event.")
class EvaluationConductPayload:
    conduct: EvaluationConductType | None = strawberry.field(description="The record.")
    errors: list[EvaluationErrorType] = strawberry.field(description="Empty on success.")


@strawberry.input(description="An expert's attendance at one of your site's seats.")
class EvaluationAttendanceRecordInput:
    seat_id: strawberry.ID = strawberry.field(description="The seat (global id), your site's.")
    kind: AttendanceKind = strawberry.field(description="Arrived, departed or absent.")
    occurred_at: datetime | None = strawberry.field(
        default=None, description="When (default: now); after the start."
    )


@strawberry.type(description="Result of recording attendance.")
class EvaluationAttendancePayload:
    attendance: EvaluationAttendanceType | None = strawberry.field(description="The record.")
    errors: list[EvaluationErrorType] = strawberry.field(description="Empty on success.")


@strawberry.input(description="A reference to your site's audio/video record of the session.")
class EvaluationRecordingRecordInput:
    site_id: strawberry.ID = strawberry.field(description="Your site (global id).")
    reference: LongText = strawberry.field(description="Storage URI or archive number.")
    started_at: datetime = strawberry.field(description="Start of the recording.")
    ended_at: datetime = strawberry.field(description="End of the recording.")
    sha256: ShortText = strawberry.field(description="SHA-256 of the file (64 hex digits).")


@strawberry.type(description="Result of recording an audio/video record reference.")
class EvaluationRecordingPayload:
    recording: EvaluationRecordingType | None = strawberry.field(description="The reference.")
    errors: list[EvaluationErrorType] = strawberry.field(description="Empty on success.")


@strawberry.input(description="A fault during a session, at one of its sites.")
class EvaluationFaultRecordInput:
    session_id: strawberry.ID = strawberry.field(description="The session (global id).")
    site_id: strawberry.ID = strawberry.field(description="Where it happened (global id).")
    cause: LongText = strawberry.field(description="What failed (network, video, power…).")
    started_at: datetime | None = strawberry.field(
        default=None, description="When it started (default: now); during the session."
    )


@strawberry.input(description="Which fault, and the tenderer's decision where one is owed.")
class EvaluationFaultRefInput:
    id: strawberry.ID = strawberry.field(description="The fault (global id).")
    decision: LongText | None = strawberry.field(
        default=None,
        description="The tenderer's decision (proceed, postpone, evaluate on site…): required "
        "for a fault more than 2 hours before the start (REMOTE.pre_start_decision).",
    )


@strawberry.type(description="Result of a mutation on a session.")
class EvaluationSessionPayload:
    session: EvaluationSessionType | None = strawberry.field(description="The session as now.")
    errors: list[EvaluationErrorType] = strawberry.field(description="Empty on success.")


@strawberry.type(description="Result of a mutation on a site.")
class EvaluationSitePayload:
    site: EvaluationSiteType | None = strawberry.field(description="The site as now.")
    errors: list[EvaluationErrorType] = strawberry.field(description="Empty on success.")


@strawberry.type(description="Result of a mutation on an investigation.")
class EvaluationInvestigationPayload:
    investigation: EvaluationInvestigationType | None = strawberry.field(
        description="The investigation as now."
    )
    errors: list[EvaluationErrorType] = strawberry.field(description="Empty on success.")


def _session_payload(result: object, problems: list[Problem]) -> EvaluationSessionPayload:
    if isinstance(result, EvaluationSession):
        return EvaluationSessionPayload(session=EvaluationSessionType(model=result), errors=[])
    return EvaluationSessionPayload(session=None, errors=_errors(problems))


def _ids(values: list[strawberry.ID], type_name: str, field: str) -> list[uuid.UUID]:
    return [expect_global_id(v, type_name, field=field) for v in values]


@strawberry.type
class EvaluationMutations:
    @strawberry.mutation(
        description="Schedule a remote evaluation: the project's home site and its host sites, "
        "sealed until the start (a host sees only a number, a time and its seats).",
        extensions=[signed_in()],
    )
    async def evaluation_schedule(
        self,
        info: Info,
        input: Annotated[EvaluationScheduleInput, strawberry.argument(description="The session.")],
    ) -> EvaluationSessionPayload:
        ctx = info.context
        project_id = expect_global_id(input.project_id, "Project", field="projectId")

        async def body() -> object:
            project = await trading.get_project(
                db_session=ctx.db, scope=ctx.scope, principal=ctx.principal, project_id=project_id
            )
            if project is None:
                raise Invalid(Code.NOT_FOUND, "没有该项目（no such project）", "projectId")
            await ctx.guard.require(ObjectType.EVALUATION, Action.CREATE, project.jurisdiction_code)
            if (input.draw is None) == (not input.hosts):
                raise Invalid(
                    Code.INVALID,
                    "请列出评标客场或随机抽取，二者择一（name the hosts or draw them, one of the "
                    "two）",
                    "hosts",
                )
            if input.draw is not None:
                return await draw.schedule_drawn(
                    ctx.db,
                    scope=ctx.scope,
                    actor=_actor(ctx),
                    project=project,
                    number=input.number,
                    scheduled_start=input.scheduled_start,
                    scheduled_end=input.scheduled_end,
                    home_seats=input.home_seats,
                    request=draw.DrawRequest(
                        count=input.draw.count,
                        seats=input.draw.seats,
                        candidates=input.draw.candidates,
                        seed=input.draw.seed,
                    ),
                    follow_up_days=input.follow_up_days,
                    clock=ctx.clock,
                    auto_copy=input.auto_copy,
                )
            return await service.schedule(
                ctx.db,
                scope=ctx.scope,
                actor=_actor(ctx),
                project=project,
                number=input.number,
                scheduled_start=input.scheduled_start,
                scheduled_end=input.scheduled_end,
                home_seats=input.home_seats,
                hosts=[service.HostRequest(h.jurisdiction, h.seats) for h in input.hosts],
                follow_up_days=input.follow_up_days,
                clock=ctx.clock,
                auto_copy=input.auto_copy,
            )

        return _session_payload(*await _run(ctx, body))

    @strawberry.mutation(
        description="Start the session (home site): host sites receive their grant on it.",
        extensions=[signed_in()],
    )
    async def evaluation_start(
        self,
        info: Info,
        input: Annotated[EvaluationRefInput, strawberry.argument(description="Which session.")],
    ) -> EvaluationSessionPayload:
        ctx = info.context

        async def body() -> object:
            session = await _session(ctx, input.id, Action.CREATE)
            return await service.start(ctx.db, session=session, actor=_actor(ctx), clock=ctx.clock)

        return _session_payload(*await _run(ctx, body))

    @strawberry.mutation(
        description="End the session (home site): the hosts' follow-up window starts and each "
        "host owes its records within 5 working days (REMOTE.handover_records).",
        extensions=[signed_in()],
    )
    async def evaluation_finish(
        self,
        info: Info,
        input: Annotated[EvaluationRefInput, strawberry.argument(description="Which session.")],
    ) -> EvaluationSessionPayload:
        ctx = info.context

        async def body() -> object:
            session = await _session(ctx, input.id, Action.CREATE)
            return await service.finish(
                ctx.db,
                session=session,
                actor=_actor(ctx),
                scope=ctx.scope,
                signer=ctx.signer,
                clock=ctx.clock,
            )

        return _session_payload(*await _run(ctx, body))

    @strawberry.mutation(
        description="Abort the session (home site) when a fault is not fixed in time: records "
        "sealed, a new committee re-evaluates; open fault clocks are resolved (late after 4 "
        "hours) and hosts owe their records as after an end.",
        extensions=[signed_in()],
    )
    async def evaluation_abort(
        self,
        info: Info,
        input: Annotated[EvaluationRefInput, strawberry.argument(description="Which session.")],
    ) -> EvaluationSessionPayload:
        ctx = info.context

        async def body() -> object:
            session = await _session(ctx, input.id, Action.CREATE)
            return await service.abort(
                ctx.db,
                session=session,
                actor=_actor(ctx),
                scope=ctx.scope,
                signer=ctx.signer,
                clock=ctx.clock,
            )

        return _session_payload(*await _run(ctx, body))

    @strawberry.mutation(
        description="Record a fault (home site). During the session it pauses, and the fault "
        "must be fixed — or the session aborted — within 4 hours (REMOTE.fault_repair); more "
        "than 2 hours before the start, the tenderer decides within 2 hours "
        "(REMOTE.pre_start_decision); the session cannot start while a fault is open.",
        extensions=[signed_in()],
    )
    async def evaluation_fault_record(
        self,
        info: Info,
        input: Annotated[EvaluationFaultRecordInput, strawberry.argument(description="Fault.")],
    ) -> EvaluationSessionPayload:
        ctx = info.context
        site_id = expect_global_id(input.site_id, "EvaluationSite", field="siteId")

        async def body() -> object:
            session = await _session(ctx, input.session_id, Action.CREATE, "sessionId")
            site = await service.get_site(ctx.db, ctx.scope, site_id)
            if site is None:
                raise Invalid(Code.NOT_FOUND, "没有该场地（no such site）", "siteId")
            await service.record_fault(
                ctx.db,
                session=session,
                actor=_actor(ctx),
                site=site,
                cause=input.cause,
                started_at=input.started_at,
                clock=ctx.clock,
            )
            return session

        return _session_payload(*await _run(ctx, body))

    @strawberry.mutation(
        description="The fault is fixed (home site): its clock is met, late after 4 hours; the "
        "session resumes when no fault is left open.",
        extensions=[signed_in()],
    )
    async def evaluation_fault_end(
        self,
        info: Info,
        input: Annotated[EvaluationFaultRefInput, strawberry.argument(description="Which.")],
    ) -> EvaluationSessionPayload:
        ctx = info.context
        fault_id = expect_global_id(input.id, "EvaluationFault")

        async def body() -> object:
            fault = await service.get_fault(ctx.db, ctx.scope, fault_id, lock=True)
            if fault is None:
                raise Invalid(Code.NOT_FOUND, "没有该故障记录（no such fault）", "id")
            session = await service.get_session(
                ctx.db, ctx.scope, fault.session_id, ctx.clock.today(), lock=True
            )
            if session is None:
                raise Invalid(Code.NOT_FOUND, "没有该评标场次（no such session）", "id")
            await ctx.guard.require(ObjectType.EVALUATION, Action.CREATE, session.jurisdiction_code)
            return await service.end_fault(
                ctx.db,
                session=session,
                fault=fault,
                actor=_actor(ctx),
                clock=ctx.clock,
                decision=input.decision,
            )

        return _session_payload(*await _run(ctx, body))

    @strawberry.mutation(
        description="Seat an expert of your site's library (each site seats its own; a host "
        "once the session has started).",
        extensions=[signed_in()],
    )
    async def evaluation_seat_expert(
        self,
        info: Info,
        input: Annotated[EvaluationSeatExpertInput, strawberry.argument(description="Seat.")],
    ) -> EvaluationSessionPayload:
        ctx = info.context
        seat_id = expect_global_id(input.seat_id, "EvaluationSeat", field="seatId")
        expert_id = expect_global_id(input.expert_id, "Expert", field="expertId")

        async def body() -> object:
            seat = await service.get_seat(ctx.db, ctx.scope, seat_id)
            if seat is None:
                raise Invalid(Code.NOT_FOUND, "没有该席位（no such seat）", "seatId")
            await ctx.guard.require(
                ObjectType.EVALUATION,
                Action.HANDLE,
                seat.jurisdiction_code,
                object_id=seat.session_id,
            )
            await service.seat_expert(
                ctx.db,
                scope=ctx.scope,
                actor=_actor(ctx),
                seat=seat,
                expert_id=expert_id,
                clock=ctx.clock,
            )
            return await service.get_session(ctx.db, ctx.scope, seat.session_id, ctx.clock.today())

        return _session_payload(*await _run(ctx, body))

    @strawberry.mutation(
        description="Record that your host site handed over its records to the home site "
        "(meets REMOTE.handover_records).",
        extensions=[signed_in()],
    )
    async def evaluation_hand_over(
        self,
        info: Info,
        input: Annotated[EvaluationHandOverInput, strawberry.argument(description="Which site.")],
    ) -> EvaluationSitePayload:
        ctx = info.context
        site_id = expect_global_id(input.site_id, "EvaluationSite", field="siteId")

        async def body() -> object:
            site = await service.get_site(ctx.db, ctx.scope, site_id, lock=True)
            if site is None:
                raise Invalid(Code.NOT_FOUND, "没有该场地（no such site）", "siteId")
            await ctx.guard.require(ObjectType.EVALUATION, Action.HANDLE, site.jurisdiction_code)
            return await service.hand_over(ctx.db, site=site, actor=_actor(ctx), clock=ctx.clock)

        result, problems = await _run(ctx, body)
        if problems or result is None:
            return EvaluationSitePayload(site=None, errors=_errors(problems))
        return EvaluationSitePayload(site=EvaluationSiteType(model=result), errors=[])  # type: ignore[arg-type]

    @strawberry.mutation(
        description="Open an investigation of expert conduct (home site), naming seats — host "
        "seats included — without knowing who sits there.",
        extensions=[signed_in()],
    )
    async def evaluation_investigation_open(
        self,
        info: Info,
        input: Annotated[
            EvaluationInvestigationOpenInput, strawberry.argument(description="What.")
        ],
    ) -> EvaluationInvestigationPayload:
        ctx = info.context
        seat_ids = _ids(input.seat_ids, "EvaluationSeat", "seatIds")

        async def body() -> object:
            session = await _session(ctx, input.session_id, Action.INVESTIGATE, "sessionId")
            return await service.open_investigation(
                ctx.db,
                session=session,
                actor=_actor(ctx),
                scope=ctx.scope,
                seat_ids=seat_ids,
                subject=input.subject,
                clock=ctx.clock,
            )

        return _investigation_payload(*await _run(ctx, body))

    @strawberry.mutation(
        description="End an investigation with its result and decision. If it concerns host "
        "experts, a copy to the host sites falls due in 7 working days (R12.copy_to_host).",
        extensions=[signed_in()],
    )
    async def evaluation_investigation_end(
        self,
        info: Info,
        input: Annotated[
            EvaluationInvestigationEndInput, strawberry.argument(description="The end.")
        ],
    ) -> EvaluationInvestigationPayload:
        ctx = info.context
        ident = expect_global_id(input.id, "EvaluationInvestigation")

        async def body() -> object:
            row = await _investigation(ctx, ident)
            return await service.end_investigation(
                ctx.db,
                investigation=row,
                actor=_actor(ctx),
                result=input.result,
                decision=input.decision,
                clock=ctx.clock,
            )

        return _investigation_payload(*await _run(ctx, body))

    @strawberry.mutation(
        description="Copy (抄送) an ended investigation's result to the host sites concerned: "
        "they may read it from now on; meets R12.copy_to_host.",
        extensions=[signed_in()],
    )
    async def evaluation_investigation_copy(
        self,
        info: Info,
        input: Annotated[
            EvaluationInvestigationRefInput, strawberry.argument(description="Which.")
        ],
    ) -> EvaluationInvestigationPayload:
        ctx = info.context
        ident = expect_global_id(input.id, "EvaluationInvestigation")

        async def body() -> object:
            row = await _investigation(ctx, ident)
            return await copies.copy_to_hosts(
                ctx.db,
                investigation=row,
                actor=_actor(ctx),
                clock=ctx.clock,
                scope=ctx.scope,
                signer=ctx.signer,
            )

        return _investigation_payload(*await _run(ctx, body))

    @strawberry.mutation(
        description="Acknowledge (签收) a copy of an investigation's result received by your host "
        "site: your unit's supervising departments (evaluation:investigate in the host unit).",
        extensions=[signed_in()],
    )
    async def evaluation_copy_acknowledge(
        self,
        info: Info,
        input: Annotated[EvaluationCopyRefInput, strawberry.argument(description="Which.")],
    ) -> EvaluationCopyPayload:
        ctx = info.context
        ident = expect_global_id(input.id, "EvaluationCopy")

        async def body() -> object:
            row = await copies.get_copy(ctx.db, ctx.scope, ident, lock=True)
            if row is None:
                raise Invalid(Code.NOT_FOUND, "没有该抄送（no such copy）", "id")
            await ctx.guard.require(
                ObjectType.EVALUATION, Action.INVESTIGATE, row.jurisdiction_code
            )
            return await copies.acknowledge(ctx.db, copy=row, actor=_actor(ctx), clock=ctx.clock)

        result, problems = await _run(ctx, body)
        if isinstance(result, EvaluationCopy):
            return EvaluationCopyPayload(copy=EvaluationCopyType(model=result), errors=[])
        return EvaluationCopyPayload(copy=None, errors=_errors(problems))

    @strawberry.mutation(
        description="Record an expert conduct event (late, absent, phone use, canvassing, "
        "leaving the seat…) at one of your site's seats during the session (its centre or "
        "office; a host through its grant): it becomes a lead at the home site's supervision "
        "office, naming the seat, never the expert.",
        extensions=[signed_in()],
    )
    async def evaluation_conduct_record(
        self,
        info: Info,
        input: Annotated[EvaluationConductRecordInput, strawberry.argument(description="What.")],
    ) -> EvaluationConductPayload:
        ctx = info.context
        seat_id = expect_global_id(input.seat_id, "EvaluationSeat", field="seatId")

        async def body() -> object:
            seat = await service.get_seat(ctx.db, ctx.scope, seat_id)
            if seat is None:
                raise Invalid(Code.NOT_FOUND, "没有该席位（no such seat）", "seatId")
            await ctx.guard.require(
                ObjectType.EVALUATION,
                Action.HANDLE,
                seat.jurisdiction_code,
                object_id=seat.session_id,
            )
            return await conduct.record(
                ctx.db,
                scope=ctx.scope,
                signer=ctx.signer,
                actor=_actor(ctx),
                seat=seat,
                kind=input.kind,
                note=input.note,
                occurred_at=input.occurred_at,
                clock=ctx.clock,
            )

        result, problems = await _run(ctx, body)
        if isinstance(result, EvaluationConduct):
            return EvaluationConductPayload(conduct=EvaluationConductType(model=result), errors=[])
        return EvaluationConductPayload(conduct=None, errors=_errors(problems))

    @strawberry.mutation(
        description="Record an expert's arrival, departure or absence at one of your site's "
        "seats (its centre or office; a host through its grant): by seat, never naming the "
        "expert to the home.",
        extensions=[signed_in()],
    )
    async def evaluation_attendance_record(
        self,
        info: Info,
        input: Annotated[EvaluationAttendanceRecordInput, strawberry.argument(description="What.")],
    ) -> EvaluationAttendancePayload:
        ctx = info.context
        seat_id = expect_global_id(input.seat_id, "EvaluationSeat", field="seatId")

        async def body() -> object:
            seat = await service.get_seat(ctx.db, ctx.scope, seat_id)
            if seat is None:
                raise Invalid(Code.NOT_FOUND, "没有该席位（no such seat）", "seatId")
            # The session's unit with the session as object: a host passes through its grant.
            await ctx.guard.require(
                ObjectType.EVALUATION,
                Action.HANDLE,
                seat.jurisdiction_code,
                object_id=seat.session_id,
            )
            return await attendance.record(
                ctx.db,
                actor=_actor(ctx),
                seat=seat,
                kind=input.kind,
                occurred_at=input.occurred_at,
                clock=ctx.clock,
            )

        result, problems = await _run(ctx, body)
        if isinstance(result, EvaluationAttendance):
            return EvaluationAttendancePayload(
                attendance=EvaluationAttendanceType(model=result), errors=[]
            )
        return EvaluationAttendancePayload(attendance=None, errors=_errors(problems))

    @strawberry.mutation(
        description="Record a reference to your site's audio/video record of the session "
        "(storage URI or archive number, span, SHA-256), before the handover that lists it "
        "(its centre or office; a host through its grant).",
        extensions=[signed_in()],
    )
    async def evaluation_recording_record(
        self,
        info: Info,
        input: Annotated[EvaluationRecordingRecordInput, strawberry.argument(description="What.")],
    ) -> EvaluationRecordingPayload:
        ctx = info.context
        site_id = expect_global_id(input.site_id, "EvaluationSite", field="siteId")

        async def body() -> object:
            # Not locked: FOR UPDATE needs the row's update policy, which the home lacks on a
            # host's site (it would read as not found instead of NOT_YOUR_SITE).
            site = await service.get_site(ctx.db, ctx.scope, site_id)
            if site is None:
                raise Invalid(Code.NOT_FOUND, "没有该场地（no such site）", "siteId")
            # As for attendance: the session's unit, a host through its live grant only.
            await ctx.guard.require(
                ObjectType.EVALUATION,
                Action.HANDLE,
                site.session_jurisdiction_code,
                object_id=site.session_id,
            )
            return await recordings.record(
                ctx.db,
                actor=_actor(ctx),
                site=site,
                reference=input.reference,
                started_at=input.started_at,
                ended_at=input.ended_at,
                sha256=input.sha256,
                clock=ctx.clock,
            )

        result, problems = await _run(ctx, body)
        if isinstance(result, EvaluationRecording):
            return EvaluationRecordingPayload(
                recording=EvaluationRecordingType(model=result), errors=[]
            )
        return EvaluationRecordingPayload(recording=None, errors=_errors(problems))


async def _investigation(ctx: Context, ident: uuid.UUID) -> EvaluationInvestigation:
    row = await service.get_investigation(ctx.db, ctx.scope, ident, lock=True)
    if row is None:
        raise Invalid(Code.NOT_FOUND, "没有该调查（no such investigation）", "id")
    await ctx.guard.require(ObjectType.EVALUATION, Action.INVESTIGATE, row.jurisdiction_code)
    return row


def _investigation_payload(
    result: object, problems: list[Problem]
) -> EvaluationInvestigationPayload:
    if isinstance(result, EvaluationInvestigation):
        return EvaluationInvestigationPayload(
            investigation=EvaluationInvestigationType(model=result), errors=[]
        )
    return EvaluationInvestigationPayload(investigation=None, errors=_errors(problems))
