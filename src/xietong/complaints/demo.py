"""Demo complaints: one in every state at 宣恩县, some overdue, so ``myWork`` and ``escalations``
have something to show on a fresh ``xietong demo``. Made through the service (audit events,
clocks and notices included) on a clock set weeks back; only when the unit has none yet."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from xietong.audit.enums import ActorKind
from xietong.complaints import service, tracking
from xietong.complaints.enums import (
    ComplaintAction,
    ComplaintCategory,
    ComplaintRegime,
    RefusalGround,
)
from xietong.complaints.models import Complaint
from xietong.deadlines.clock import ManualClock
from xietong.deadlines.enums import PauseReason
from xietong.jurisdictions.enums import DepartmentKind, Industry
from xietong.jurisdictions.models import Department

UNIT = 422825  # 宣恩县
A = ComplaintAction


@dataclass(frozen=True, slots=True)
class Story:
    title: str
    regime: ComplaintRegime
    days_ago: int
    moves: tuple[service.Move, ...]
    via_department: bool = False


_STORIES = (
    Story("县人民医院设备采购评审不公", ComplaintRegime.PROCUREMENT, 2, ()),
    Story("乡镇道路工程投标人资格造假", ComplaintRegime.TENDERING, 9, (), via_department=True),
    Story(
        "水利工程中标候选人业绩不实",
        ComplaintRegime.TENDERING,
        25,
        (service.Move(A.ASSIGN, industry=Industry.WATER),),
    ),
    Story(
        "学校食堂采购项目质疑答复不满",
        ComplaintRegime.PROCUREMENT,
        12,
        (
            service.Move(A.ASSIGN),
            service.Move(A.REQUEST_CORRECTION, text="请补充质疑函及答复材料。", reply_by=None),
        ),
    ),
    Story(
        "住宅小区配套工程评标专家打分异常",
        ComplaintRegime.TENDERING,
        60,
        (
            service.Move(A.ASSIGN, industry=Industry.HOUSING),
            service.Move(A.ACCEPT),
        ),
    ),
    Story(
        "桥梁工程检测数据存疑",
        ComplaintRegime.TENDERING,
        20,
        (
            service.Move(A.ASSIGN, industry=Industry.TRANSPORT),
            service.Move(A.ACCEPT),
            service.Move(
                A.PAUSE, pause_reason=PauseReason.TESTING, document="检测委托书〔2026〕7号"
            ),
        ),
    ),
    Story(
        "办公家具采购中标结果",
        ComplaintRegime.PROCUREMENT,
        30,
        (
            service.Move(A.ASSIGN),
            service.Move(A.ACCEPT),
            service.Move(A.DECIDE, text="投诉缺乏事实依据，驳回投诉。"),
        ),
    ),
    Story(
        "农田水利项目投诉（超过时效）",
        ComplaintRegime.TENDERING,
        15,
        (
            service.Move(A.ASSIGN, industry=Industry.WATER),
            service.Move(A.REFUSE, ground=RefusalGround.LATE),
        ),
    ),
    Story(
        "外县项目投诉",
        ComplaintRegime.TENDERING,
        8,
        (
            service.Move(A.ASSIGN, industry=Industry.HOUSING),
            service.Move(A.REDIRECT, text="恩施市住房和城乡建设局"),
        ),
    ),
    Story(
        "政务服务中心装修工程",
        ComplaintRegime.TENDERING,
        50,
        (
            service.Move(A.ASSIGN, industry=Industry.HOUSING),
            service.Move(A.ACCEPT),
            service.Move(A.DECIDE, text="投诉部分成立，责令改正。"),
            service.Move(A.FEEDBACK),
        ),
    ),
)


async def _department(session: AsyncSession, department_id: object) -> Department:
    return await session.get_one(Department, department_id)


async def seed(session: AsyncSession, today: date) -> int:
    """Create the stories (an owner session carrying the keyring); 0 if the unit has any."""
    if await session.scalar(select(func.count()).where(Complaint.jurisdiction_code == UNIT)):
        return 0
    office = await service.receiving_department(session, UNIT, None)
    housing = await session.scalar(
        select(Department).where(
            Department.jurisdiction_code == UNIT, Department.industry == Industry.HOUSING
        )
    )
    for story in _STORIES:
        clock = ManualClock.on(today - timedelta(days=story.days_ago))
        receiving = housing if story.via_department and housing is not None else office
        filing = service.Filing(
            jurisdiction_code=UNIT,
            receiving_department_id=receiving.id,
            regime=story.regime,
            category=ComplaintCategory.EVALUATION,
            title=story.title,
            body=f"{story.title}：请依法调查处理。（演示数据）",
            project_code=f"XE-DEMO-{_STORIES.index(story) + 1:03d}",
            entity_credit_code=None,
            entity_name=None,
            knew_on=None,
            anonymous=_STORIES.index(story) % 3 == 0,
            filer_name=None if _STORIES.index(story) % 3 == 0 else "演示投诉人",
            filer_contact=None if _STORIES.index(story) % 3 == 0 else "0718-0000000",
        )
        complaint = await service.file(
            session,
            filing=filing,
            code=tracking.new_code(),
            secret=tracking.new_secret(),
            client=None,
            clock=clock,
        )
        for move in story.moves:
            clock.advance(days=2)
            if move.action is A.REQUEST_CORRECTION:
                move = service.Move(
                    move.action, text=move.text, reply_by=clock.today() + timedelta(days=10)
                )
            department = (
                office
                if move.action is A.ASSIGN
                else await _department(session, complaint.handling_department_id)
            )
            actor = service.Actor(
                name="system:demo",
                kind=ActorKind.SYSTEM,
                department_id=department.id,
                department_kind=DepartmentKind(department.kind),
                jurisdiction_code=UNIT,
            )
            complaint = await service.make_move(
                session, complaint=complaint, move=move, actor=actor, clock=clock
            )
    return len(_STORIES)
