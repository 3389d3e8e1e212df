from __future__ import annotations

from datetime import date, datetime

import strawberry

from xietong.access.actions import Action, ObjectType
from xietong.api.context import Info
from xietong.api.enums import graphql_enum
from xietong.api.ids import to_global_id
from xietong.deadlines.graphql.types import ObligationType, obligations_of
from xietong.deadlines.obligations import MatterRef
from xietong.evaluation import attendance as attendance_records
from xietong.evaluation import conduct as conduct_records
from xietong.evaluation import copies, draw, recordings, service
from xietong.evaluation.enums import (
    AttendanceKind,
    ConductKind,
    InvestigationState,
    SessionState,
    SiteRole,
)
from xietong.evaluation.errors import EvaluationErrorCode
from xietong.evaluation.models import (
    EvaluationAttendance,
    EvaluationConduct,
    EvaluationCopy,
    EvaluationDraw,
    EvaluationExpertResult,
    EvaluationFault,
    EvaluationInvestigation,
    EvaluationRecording,
    EvaluationSeat,
    EvaluationSession,
    EvaluationSite,
)
from xietong.jurisdictions.graphql.types import (
    JurisdictionType,
    jurisdiction_awaited,
    jurisdiction_of,
)
from xietong.trading import service as trading
from xietong.trading.graphql.types import ExpertType, ProjectType
from xietong.trading.models import Expert

graphql_enum(
    SessionState,
    name="EvaluationState",
    description="Where an evaluation session stands.",
    values={
        SessionState.SCHEDULED: "已安排: sealed; neither side knows the other yet.",
        SessionState.STARTED: "评标中: host sites hold their grant on the session.",
        SessionState.PAUSED: "暂停: a fault interrupted it.",
        SessionState.FINISHED: "评标结束: the follow-up window runs, hosts hand over records.",
        SessionState.ABORTED: "终止: records sealed, a new committee re-evaluates.",
    },
)
graphql_enum(
    SiteRole,
    name="EvaluationSiteRole",
    description="主场 or 副场.",
    values={
        SiteRole.HOME: "主场: the project's jurisdiction, primary supervisor.",
        SiteRole.HOST: "副场 (评标客场): another jurisdiction, secondary.",
    },
)
graphql_enum(
    InvestigationState,
    name="EvaluationInvestigationState",
    description="Where an investigation of expert conduct stands.",
    values={
        InvestigationState.OPEN: "调查中: open.",
        InvestigationState.ENDED: "调查处理结束: a result and a decision; a copy may be owed.",
        InvestigationState.COPIED: "已抄送: copied to the host sites concerned.",
    },
)
graphql_enum(
    ConductKind,
    name="EvaluationConductKind",
    description="An expert conduct event recorded at a site.",
    values={
        ConductKind.LATE: "迟到: late.",
        ConductKind.ABSENT: "缺席: absent.",
        ConductKind.PHONE: "使用通讯工具: used a phone or other device.",
        ConductKind.CANVASSING: "私下接触、拉票或倾向性引导: canvassing or private contact.",
        ConductKind.LEFT_SEAT: "擅自离开评标席位: left the seat without leave.",
        ConductKind.OTHER: "其他违反评标纪律的行为: other breach of the evaluation rules.",
    },
)
graphql_enum(
    AttendanceKind,
    name="EvaluationAttendanceKind",
    description="An expert's attendance at a seat, recorded by the site's staff.",
    values={
        AttendanceKind.ARRIVED: "签到: arrived at the seat.",
        AttendanceKind.DEPARTED: "签退: left at the end.",
        AttendanceKind.ABSENT: "缺席: did not come.",
    },
)
graphql_enum(
    EvaluationErrorCode,
    description="Why an evaluation mutation was refused.",
    values={
        EvaluationErrorCode.NOT_FOUND: "不存在: no such record in your scope.",
        EvaluationErrorCode.INVALID: "输入有误: a value to correct.",
        EvaluationErrorCode.ILLEGAL_STATE: "状态不允许: the session's state does not allow it.",
        EvaluationErrorCode.NOT_YOUR_SITE: "非本场地: the act belongs to another site.",
        EvaluationErrorCode.HOST_NOT_ELSEWHERE: "客场重复或为主场: a host is another "
        "jurisdiction, named once.",
        EvaluationErrorCode.SEAT_TAKEN: "席位已占: the seat or the expert is taken.",
        EvaluationErrorCode.NUMBER_TAKEN: "编号已用: another session uses this number.",
    },
)


@strawberry.type(description="A refused input of an evaluation mutation.")
class EvaluationError:
    field: str | None = strawberry.field(
        description="The input field at fault (camelCase), or null."
    )
    message: str = strawberry.field(description="What is wrong, Chinese first.")
    code: EvaluationErrorCode = strawberry.field(description="Machine-readable reason.")


@strawberry.type(
    name="EvaluationSite",
    description="A site of a session: the home site (主场) or a host site (副场). A host sees its "
    "own site from scheduling on — number, time and seats, never the project; the home side sees "
    "a host site from the start.",
)
class EvaluationSiteType:
    model: strawberry.Private[EvaluationSite]

    @strawberry.field(description="Global id.")
    def id(self) -> strawberry.ID:
        return to_global_id("EvaluationSite", self.model.id)

    @strawberry.field(description="The site's jurisdiction.")
    def jurisdiction(self, info: Info) -> JurisdictionType | None:
        return jurisdiction_of(info, self.model.jurisdiction_code)

    @strawberry.field(description="主场 or 副场.")
    def role(self) -> SiteRole:
        return self.model.role

    @strawberry.field(description="Seats at this site.")
    def seats(self) -> int:
        return self.model.seats

    @strawberry.field(description="The session's number (what a host knows before the start).")
    def session_number(self) -> str:
        return self.model.session_number

    @strawberry.field(description="Scheduled start.")
    def scheduled_start(self) -> datetime:
        return self.model.scheduled_start

    @strawberry.field(description="Scheduled end.")
    def scheduled_end(self) -> datetime:
        return self.model.scheduled_end

    @strawberry.field(description="The day a host handed over its records, or null.")
    def handed_over_on(self) -> date | None:
        return self.model.handed_over_on

    @strawberry.field(
        description="The session, once it has started and while the host's window runs (or "
        "always for the home side); null otherwise."
    )
    async def session(self, info: Info) -> EvaluationSessionType | None:
        ctx = info.context
        row = await service.get_session(ctx.db, ctx.scope, self.model.session_id, ctx.clock.today())
        return None if row is None else EvaluationSessionType(model=row)

    @strawberry.field(
        description="The site's audio/video record references (part of its handover): the "
        "site's own side, and the home side from the start; a host during its window only."
    )
    async def recordings(self, info: Info) -> list[EvaluationRecordingType]:
        ctx = info.context
        rows = await recordings.recordings_of(ctx.db, ctx.scope, site_id=self.model.id)
        return [EvaluationRecordingType(model=r) for r in rows]

    @strawberry.field(
        description="The host's clock to hand over its records (REMOTE.handover_records)."
    )
    async def obligations(self, info: Info) -> list[ObligationType]:
        return await obligations_of(info, MatterRef(service.SITE_MATTER, self.model.id))


@strawberry.type(
    name="EvaluationSeat",
    description="A seat of a session. The home side sees every seat from the start, but the "
    "identity of a host expert only its own site sees (sealed).",
)
class EvaluationSeatType:
    model: strawberry.Private[EvaluationSeat]

    @strawberry.field(description="Global id.")
    def id(self) -> strawberry.ID:
        return to_global_id("EvaluationSeat", self.model.id)

    @strawberry.field(description="Its label: the site by its place in the session and a number.")
    def label(self) -> str:
        return self.model.label

    @strawberry.field(description="Whether it is a host site's seat.")
    def at_host(self) -> bool:
        return self.model.site_jurisdiction_code != self.model.jurisdiction_code

    @strawberry.field(
        description="The expert seated here, if your site seated them; null otherwise (sealed)."
    )
    async def expert(self, info: Info) -> ExpertType | None:
        ctx = info.context
        found = await service.experts_of(ctx.db, ctx.scope, [self.model.id])
        return ExpertType(model=found[0][1]) if found else None


@strawberry.type(
    name="EvaluationConduct",
    description="An expert conduct event recorded by a site's staff at one of its seats; each "
    "became a lead at the home site's supervision office. The home side reads them by seat "
    "(never the expert); a host its own during its window.",
)
class EvaluationConductType:
    model: strawberry.Private[EvaluationConduct]

    @strawberry.field(description="Global id.")
    def id(self) -> strawberry.ID:
        return to_global_id("EvaluationConduct", self.model.id)

    @strawberry.field(description="The seat's label.")
    def seat(self) -> str:
        return self.model.seat_label

    @strawberry.field(description="What happened.")
    def kind(self) -> ConductKind:
        return self.model.kind

    @strawberry.field(description="What the staff noted.")
    def note(self) -> str:
        return self.model.note

    @strawberry.field(description="When it happened.")
    def occurred_at(self) -> datetime:
        return self.model.occurred_at

    @strawberry.field(description="The recording site's jurisdiction.")
    def site(self, info: Info) -> JurisdictionType | None:
        return jurisdiction_of(info, self.model.jurisdiction_code)

    @strawberry.field(description="The lead it became at the home's office (global id).")
    def lead_id(self) -> strawberry.ID:
        return to_global_id("Lead", self.model.lead_id)


@strawberry.type(
    name="EvaluationAttendance",
    description="An expert's arrival, departure or absence at a seat, recorded by the site's "
    "staff. The home side reads every seat's (never a host expert's identity); a host its own "
    "during its window.",
)
class EvaluationAttendanceType:
    model: strawberry.Private[EvaluationAttendance]

    @strawberry.field(description="Global id.")
    def id(self) -> strawberry.ID:
        return to_global_id("EvaluationAttendance", self.model.id)

    @strawberry.field(description="The seat's label.")
    def seat(self) -> str:
        return self.model.seat_label

    @strawberry.field(description="Arrived, departed or absent.")
    def kind(self) -> AttendanceKind:
        return self.model.kind

    @strawberry.field(description="When.")
    def occurred_at(self) -> datetime:
        return self.model.occurred_at

    @strawberry.field(description="The recording site's jurisdiction.")
    def site(self, info: Info) -> JurisdictionType | None:
        return jurisdiction_of(info, self.model.jurisdiction_code)


@strawberry.type(
    name="EvaluationRecording",
    description="A reference to a site's audio/video record of the session: where it is kept, "
    "the span it covers and the file's SHA-256. Part of the site's records handover.",
)
class EvaluationRecordingType:
    model: strawberry.Private[EvaluationRecording]

    @strawberry.field(description="Global id.")
    def id(self) -> strawberry.ID:
        return to_global_id("EvaluationRecording", self.model.id)

    @strawberry.field(description="Storage URI or archive number.")
    def reference(self) -> str:
        return self.model.reference

    @strawberry.field(description="Start of the recording.")
    def started_at(self) -> datetime:
        return self.model.started_at

    @strawberry.field(description="End of the recording.")
    def ended_at(self) -> datetime:
        return self.model.ended_at

    @strawberry.field(description="SHA-256 of the file (64 lowercase hex digits).")
    def sha256(self) -> str:
        return self.model.sha256

    @strawberry.field(description="The recording site's jurisdiction.")
    def site(self, info: Info) -> JurisdictionType | None:
        return jurisdiction_of(info, self.model.jurisdiction_code)


@strawberry.type(
    name="EvaluationDraw",
    description="How the host sites were drawn: the seed, the candidates, their ranking (SHA-256 "
    "of seed and code) and the chosen. Sealed like the hosts: the home side reads it from the "
    "start; hosts never.",
)
class EvaluationDrawType:
    model: strawberry.Private[EvaluationDraw]

    @strawberry.field(description="The seed.")
    def seed(self) -> str:
        return self.model.seed

    @strawberry.field(description="The candidates' codes, ascending.")
    def candidates(self) -> list[str]:
        return [f"{c:06d}" for c in self.model.candidates]

    @strawberry.field(description="Every candidate in the draw's order.")
    def ranking(self) -> list[str]:
        return [f"{c:06d}" for c in self.model.ranking]

    @strawberry.field(description="The host sites drawn.")
    async def chosen(self, info: Info) -> list[JurisdictionType]:
        found = [await jurisdiction_awaited(info, code) for code in self.model.chosen]
        return [j for j in found if j is not None]


@strawberry.type(
    name="EvaluationExpertResult",
    description="An investigation's result in an expert's record at the expert's own library "
    "(R-12): the session, the seat, the result and the decision. Read by the library's side.",
)
class EvaluationExpertResultType:
    model: strawberry.Private[EvaluationExpertResult]

    @strawberry.field(description="The expert (global id).")
    def expert_id(self) -> strawberry.ID:
        return to_global_id("Expert", self.model.expert_id)

    @strawberry.field(description="The home site that investigated.")
    def home(self, info: Info) -> JurisdictionType | None:
        return jurisdiction_of(info, self.model.home_jurisdiction_code)

    @strawberry.field(description="The session's number.")
    def session_number(self) -> str:
        return self.model.session_number

    @strawberry.field(description="The seat the expert sat in.")
    def seat(self) -> str:
        return self.model.seat_label

    @strawberry.field(description="What was investigated.")
    def subject(self) -> str:
        return self.model.subject

    @strawberry.field(description="The result (处理结果).")
    def result(self) -> str:
        return self.model.result

    @strawberry.field(description="The decision taken.")
    def decision(self) -> str:
        return self.model.decision

    @strawberry.field(description="The day it entered the record.")
    def recorded_on(self) -> date:
        return self.model.recorded_on


@strawberry.type(
    name="EvaluationCopy",
    description="A copy (抄送) of an investigation's result to a host site concerned (R-12): "
    "the seats of that host the result concerns, the result and the decision. In the host's "
    "inbox (`evaluationCopies`) until its supervising department acknowledges it; the home side "
    "reads the copies it sent.",
)
class EvaluationCopyType:
    model: strawberry.Private[EvaluationCopy]

    @strawberry.field(description="Global id.")
    def id(self) -> strawberry.ID:
        return to_global_id("EvaluationCopy", self.model.id)

    @strawberry.field(description="The host site copied (whose inbox).")
    def host(self, info: Info) -> JurisdictionType | None:
        return jurisdiction_of(info, self.model.jurisdiction_code)

    @strawberry.field(description="The home site that copied it.")
    def home(self, info: Info) -> JurisdictionType | None:
        return jurisdiction_of(info, self.model.home_jurisdiction_code)

    @strawberry.field(description="The session's number (never the project).")
    def session_number(self) -> str:
        return self.model.session_number

    @strawberry.field(description="The investigation (readable by the host from the copy on).")
    def investigation_id(self) -> strawberry.ID:
        return to_global_id("EvaluationInvestigation", self.model.investigation_id)

    @strawberry.field(description="The host's seats (experts) concerned, by label.")
    def seats(self) -> list[str]:
        return list(self.model.seat_labels)

    @strawberry.field(description="What was investigated.")
    def subject(self) -> str:
        return self.model.subject

    @strawberry.field(description="The result (处理结果).")
    def result(self) -> str:
        return self.model.result

    @strawberry.field(description="The decision taken.")
    def decision(self) -> str:
        return self.model.decision

    @strawberry.field(description="Copied by the worker (the home configured it) or a person.")
    def automatic(self) -> bool:
        return self.model.automatic

    @strawberry.field(description="When it was copied.")
    def copied_at(self) -> datetime:
        return self.model.copied_at

    @strawberry.field(description="When the host acknowledged it (签收), or null.")
    def acknowledged_at(self) -> datetime | None:
        return self.model.acknowledged_at

    @strawberry.field(description="Who acknowledged it, or null.")
    def acknowledged_by(self) -> str | None:
        return self.model.acknowledged_by


@strawberry.type(
    name="EvaluationInvestigation",
    description="An investigation of expert conduct by the home site (R-12). Host sites "
    "concerned read it once its result is copied to them.",
)
class EvaluationInvestigationType:
    model: strawberry.Private[EvaluationInvestigation]

    @strawberry.field(description="Global id.")
    def id(self) -> strawberry.ID:
        return to_global_id("EvaluationInvestigation", self.model.id)

    @strawberry.field(description="Where it stands.")
    def state(self) -> InvestigationState:
        return self.model.state

    @strawberry.field(description="What is investigated.")
    def subject(self) -> str:
        return self.model.subject

    @strawberry.field(description="The seats (experts) concerned, by label.")
    def seats(self) -> list[str]:
        return list(self.model.seat_labels)

    @strawberry.field(description="Host jurisdictions whose experts it concerns.")
    async def hosts(self, info: Info) -> list[JurisdictionType]:
        found = [await jurisdiction_awaited(info, code) for code in self.model.host_codes]
        return [j for j in found if j is not None]

    @strawberry.field(description="Opened on.")
    def opened_on(self) -> date:
        return self.model.opened_on

    @strawberry.field(description="Ended on (调查处理工作结束), or null.")
    def ended_on(self) -> date | None:
        return self.model.ended_on

    @strawberry.field(description="The result (处理结果), once ended.")
    def result(self) -> str | None:
        return self.model.result

    @strawberry.field(description="The decision taken, once ended.")
    def decision(self) -> str | None:
        return self.model.decision

    @strawberry.field(description="The day it was copied to the host sites, or null.")
    def copied_on(self) -> date | None:
        return self.model.copied_on

    @strawberry.field(description="Its clocks: the copy to the hosts (R12.copy_to_host).")
    async def obligations(self, info: Info) -> list[ObligationType]:
        return await obligations_of(info, MatterRef(service.INVESTIGATION_MATTER, self.model.id))

    @strawberry.field(description="Its copies you may see: all for the home side, a host its own.")
    async def copies(self, info: Info) -> list[EvaluationCopyType]:
        ctx = info.context
        rows = await copies.copies_of(ctx.db, ctx.scope, self.model.id)
        return [EvaluationCopyType(model=r) for r in rows]


@strawberry.type(
    name="EvaluationFault",
    description="A fault during a session (start, end, cause): the home owes its repair, or "
    "sealed records and a new committee, within 4 hours (REMOTE.fault_repair).",
)
class EvaluationFaultType:
    model: strawberry.Private[EvaluationFault]

    @strawberry.field(description="Global id.")
    def id(self) -> strawberry.ID:
        return to_global_id("EvaluationFault", self.model.id)

    @strawberry.field(description="What failed.")
    def cause(self) -> str:
        return self.model.cause

    @strawberry.field(description="When it started.")
    def started_at(self) -> datetime:
        return self.model.started_at

    @strawberry.field(description="When it was fixed (or the session aborted); null while open.")
    def ended_at(self) -> datetime | None:
        return self.model.ended_at

    @strawberry.field(description="The tenderer's decision on a fault before the start, or null.")
    def decision(self) -> str | None:
        return self.model.decision

    @strawberry.field(
        description="Its clock: the 4-hour repair (REMOTE.fault_repair), or the tenderer's "
        "decision before the start (REMOTE.pre_start_decision)."
    )
    async def obligations(self, info: Info) -> list[ObligationType]:
        return await obligations_of(info, MatterRef(service.FAULT_MATTER, self.model.id))


@strawberry.type(
    name="EvaluationSession",
    description="An evaluation session (评标) of one project at its home site and one or more "
    "host sites (远程异地评标, R-12). A host reads it only from the start to the end of its "
    "follow-up window, and never the project.",
)
class EvaluationSessionType:
    model: strawberry.Private[EvaluationSession]

    @strawberry.field(description="Global id.")
    def id(self) -> strawberry.ID:
        return to_global_id("EvaluationSession", self.model.id)

    @strawberry.field(description="Its number.")
    def number(self) -> str:
        return self.model.number

    @strawberry.field(description="The home site's jurisdiction (the project's).")
    def jurisdiction(self, info: Info) -> JurisdictionType | None:
        return jurisdiction_of(info, self.model.jurisdiction_code)

    @strawberry.field(description="Where it stands.")
    def state(self) -> SessionState:
        return self.model.state

    @strawberry.field(description="Scheduled start.")
    def scheduled_start(self) -> datetime:
        return self.model.scheduled_start

    @strawberry.field(description="Scheduled end.")
    def scheduled_end(self) -> datetime:
        return self.model.scheduled_end

    @strawberry.field(description="When it started.")
    def started_at(self) -> datetime | None:
        return self.model.started_at

    @strawberry.field(description="When it ended.")
    def ended_at(self) -> datetime | None:
        return self.model.ended_at

    @strawberry.field(
        description="The last day of the hosts' follow-up window (working days, on the home "
        "site's calendar, after the end or after the last open matter — an investigation open "
        "or a copy owed — closed); null before the end and while a matter is open."
    )
    def window_until(self) -> date | None:
        return self.model.window_until

    @strawberry.field(
        description="How the host sites were drawn, if they were: the home side, from the start."
    )
    async def draw(self, info: Info) -> EvaluationDrawType | None:
        ctx = info.context
        row = await draw.draw_of(ctx.db, ctx.scope, self.model.id)
        return None if row is None else EvaluationDrawType(model=row)

    @strawberry.field(description="Whether the worker copies investigation results to the hosts.")
    def auto_copy(self) -> bool:
        return self.model.auto_copy

    @strawberry.field(description="The project: the home side only; null for a host.")
    async def project(self, info: Info) -> ProjectType | None:
        ctx = info.context
        if ctx.principal.jurisdiction_code is None:
            return None
        decision = ctx.guard.reach(ObjectType.PROJECT, Action.READ)
        if decision is None:
            return None
        row = await trading.get_project(
            db_session=ctx.db,
            scope=ctx.scope,
            principal=ctx.principal,
            project_id=self.model.project_id,
        )
        return None if row is None else ProjectType(model=row)

    @strawberry.field(description="The sites you may see: yours, and the others from the start.")
    async def sites(self, info: Info) -> list[EvaluationSiteType]:
        ctx = info.context
        rows = await service.sites_of(ctx.db, ctx.scope, [self.model.id])
        return [EvaluationSiteType(model=r) for r in rows]

    @strawberry.field(description="The seats you may see (a host: its own).")
    async def seats(self, info: Info) -> list[EvaluationSeatType]:
        ctx = info.context
        rows = await service.seats_of(ctx.db, ctx.scope, [self.model.id])
        return [EvaluationSeatType(model=r) for r in rows]

    @strawberry.field(description="Experts your site seated (a host never sees the home's).")
    async def experts(self, info: Info) -> list[ExpertType]:
        ctx = info.context
        seats = await service.seats_of(ctx.db, ctx.scope, [self.model.id])
        found = await service.experts_of(ctx.db, ctx.scope, [s.id for s in seats])
        experts: list[Expert] = [x for _, x in found]
        return [ExpertType(model=x) for x in experts]

    @strawberry.field(description="Faults recorded during the session (the home side).")
    async def faults(self, info: Info) -> list[EvaluationFaultType]:
        ctx = info.context
        rows = await service.faults_of(ctx.db, ctx.scope, [self.model.id])
        return [EvaluationFaultType(model=r) for r in rows]

    @strawberry.field(
        description="Expert conduct events you may see (the home side: all, by seat; a host: "
        "its own during its window)."
    )
    async def conduct(self, info: Info) -> list[EvaluationConductType]:
        ctx = info.context
        rows = await conduct_records.conduct_of(ctx.db, ctx.scope, self.model.id)
        return [EvaluationConductType(model=r) for r in rows]

    @strawberry.field(
        description="Attendance you may see, by seat (the home side: all; a host: its own "
        "during its window)."
    )
    async def attendance(self, info: Info) -> list[EvaluationAttendanceType]:
        ctx = info.context
        rows = await attendance_records.attendance_of(ctx.db, ctx.scope, self.model.id)
        return [EvaluationAttendanceType(model=r) for r in rows]

    @strawberry.field(
        description="Audio/video record references you may see (the home side: every site's; "
        "a host: its own during its window)."
    )
    async def recordings(self, info: Info) -> list[EvaluationRecordingType]:
        ctx = info.context
        rows = await recordings.recordings_of(ctx.db, ctx.scope, session_id=self.model.id)
        return [EvaluationRecordingType(model=r) for r in rows]

    @strawberry.field(description="Investigations of expert conduct you may see.")
    async def investigations(self, info: Info) -> list[EvaluationInvestigationType]:
        ctx = info.context
        rows = await service.investigations_of(ctx.db, ctx.scope, [self.model.id])
        return [EvaluationInvestigationType(model=r) for r in rows]
