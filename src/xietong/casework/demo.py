"""Demo casework: transfers between 曾都区 (湖北) and 五华区 (云南), assistance letters and leads,
in every state, some overdue on each side (an unsigned transfer: 曾都区 owes the receipt; a
transfer and a letter signed weeks ago, neither returned nor handled: 五华区 owes them), so
``myWork``, ``escalations`` and the incoming lists have something to show on a fresh
``xietong demo``. Made through the services (audit events, clocks, grants and documents
included) on clocks set weeks back; only when 曾都区 has no transfer yet."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from xietong.access.scope import Scope
from xietong.access.scope_token import ScopeSigner
from xietong.audit.enums import ActorKind
from xietong.casework import common, leads, letters, transfers
from xietong.casework.enums import LeadDisposition, LeadSource, TransferGround
from xietong.casework.models import CaseTransfer
from xietong.casework.transitions import Side
from xietong.db.engine import keyring_of
from xietong.deadlines.clock import ManualClock
from xietong.jurisdictions.models import Department

SENDER, RECEIVER, PROVINCE = 421303, 530102, 530000  # 曾都区, 五华区, 云南省
PDF = b"%PDF-1.4\n% demo material\n%%EOF\n"
TRANSFER_STORIES = (
    ("投标人项目经理社保单位不一致（待签收）", 2, ()),
    ("投标保证金从同一账户转出（逾期未签收）", 20, ()),
    ("招标代理机构违规收费（已签收）", 4, ("receive",)),
    ("投标人资质证书涉嫌伪造（已签收，逾期未处理）", 20, ("receive",)),
    ("中标人转包工程（已受理）", 12, ("receive", "accept")),
    ("监理单位资质挂靠（已退回）", 10, ("receive", "return")),
    ("省级资质核准事项（已转送）", 9, ("receive", "forward")),
    ("评标专家收受财物（已回告结果）", 40, ("receive", "accept", "report")),
    ("施工单位弄虚作假（已办结）", 45, ("receive", "accept", "report", "close")),
)
LETTER_STORIES = (
    ("核实投标人在五华区的业绩（待签收）", 1, ()),
    ("调取竣工验收备案资料（已签收）", 3, ("receive",)),
    ("核实项目经理社保缴纳（已签收，逾期未复函）", 21, ("receive",)),
    ("核查企业注册地址（已退回）", 8, ("receive", "return")),
    ("询问项目经理在建项目（已复函）", 14, ("receive", "answer")),
    ("调取中标合同（已办结）", 30, ("receive", "answer", "close")),
)


async def _housing(session: AsyncSession, code: int) -> uuid.UUID:
    found = await session.scalar(
        select(Department.id).where(
            Department.jurisdiction_code == code,
            Department.industry == "housing",
            Department.active.is_(True),
        )
    )
    assert found is not None
    return found


async def _department(session: AsyncSession, code: int, kind: str) -> uuid.UUID:
    found = await session.scalar(
        select(Department.id)
        .where(Department.jurisdiction_code == code, Department.kind == kind)
        .order_by(Department.key)
    )
    assert found is not None
    return found


async def _allow(side: Side) -> None:
    return None


async def seed(session: AsyncSession, today: date) -> int:
    """Create the stories (an owner session carrying the keyring); 0 if 曾都区 has any."""
    if await session.scalar(select(func.count()).where(CaseTransfer.jurisdiction_code == SENDER)):
        return 0
    signer = ScopeSigner.from_keyring(keyring_of(session))
    switch = common.Switch(signer=signer, caller=Scope(actor="system:demo"))
    sender = common.Actor("system:demo", ActorKind.SYSTEM, SENDER, await _housing(session, SENDER))
    receiver = common.Actor(
        "system:demo", ActorKind.SYSTEM, RECEIVER, await _housing(session, RECEIVER)
    )
    material = common.check_materials([("移送材料.pdf", "application/pdf", PDF)])
    count = 0
    for title, days_ago, moves in TRANSFER_STORIES:
        clock = ManualClock.on(today - timedelta(days=days_ago))
        transfer = await transfers.send(
            session,
            sending=transfers.Sending(
                receiver_jurisdiction_code=RECEIVER,
                receiver_department_id=receiver.department_id,  # type: ignore[arg-type]
                ground=TransferGround.NOT_COMPETENT,
                title=title,
                facts=f"{title}：涉事企业注册于五华区，请依法处理。（演示数据）",
                discovered_on=clock.today(),
                files=material,
            ),
            actor=sender,
            clock=clock,
        )
        for move in moves:
            clock.advance(days=2)
            if move == "receive":
                await transfers.receive(
                    session,
                    transfer=transfer,
                    actor=receiver,
                    clock=clock,
                    switch=switch,
                    authorize=_allow,
                    material_hashes=None,
                )
            elif move == "accept":
                await transfers.accept(
                    session,
                    transfer=transfer,
                    actor=receiver,
                    clock=clock,
                    authorize=_allow,
                    decided_on=None,
                )
            elif move == "return":
                await transfers.return_(
                    session,
                    transfer=transfer,
                    actor=receiver,
                    clock=clock,
                    authorize=_allow,
                    reason="该事项不属本局职责。（演示数据）",
                )
            elif move == "forward":
                await transfers.forward(
                    session,
                    transfer=transfer,
                    actor=receiver,
                    clock=clock,
                    authorize=_allow,
                    to_jurisdiction_code=PROVINCE,
                    to_department_id=await _housing(session, PROVINCE),
                    reason="资质核准属省住房和城乡建设厅职责。（演示数据）",
                )
            elif move == "report":
                await transfers.report(
                    session,
                    transfer=transfer,
                    actor=receiver,
                    clock=clock,
                    authorize=_allow,
                    concluded_on=clock.today(),
                    result="已立案调查并作出行政处罚。（演示数据）",
                )
            elif move == "close":
                await transfers.close(
                    session, transfer=transfer, actor=sender, clock=clock, authorize=_allow
                )
        count += 1
    for summary, days_ago, moves in LETTER_STORIES:
        clock = ManualClock.on(today - timedelta(days=days_ago))
        letter = await letters.send(
            session,
            request=letters.Request(
                helper_jurisdiction_code=RECEIVER,
                helper_department_id=receiver.department_id,  # type: ignore[arg-type]
                case_summary=summary,
                help_asked="请协助核实并书面复函。（演示数据）",
                reasons="相关企业和项目在贵辖区。",
                files=material,
            ),
            actor=sender,
            clock=clock,
        )
        for move in moves:
            clock.advance(days=2)
            if move == "receive":
                await letters.receive(
                    session, letter=letter, actor=receiver, clock=clock, authorize=_allow
                )
            elif move == "return":
                await letters.return_(
                    session,
                    letter=letter,
                    actor=receiver,
                    clock=clock,
                    authorize=_allow,
                    reason="超出本局职能范围。（演示数据）",
                )
            elif move == "answer":
                await letters.answer(
                    session,
                    letter=letter,
                    actor=receiver,
                    clock=clock,
                    authorize=_allow,
                    text="经核实，情况属实。（演示数据）",
                )
            elif move == "close":
                await letters.close(
                    session, letter=letter, actor=sender, clock=clock, authorize=_allow
                )
        count += 1
    count += await _leads(session, today)
    return count


async def _leads(session: AsyncSession, today: date) -> int:
    office = common.Actor(
        "system:demo",
        ActorKind.SYSTEM,
        SENDER,
        await _department(session, SENDER, "supervision_office"),
    )
    housing = await _housing(session, SENDER)
    finance = await _department(session, SENDER, "finance")
    police = await _department(session, SENDER, "police")
    stages = ("registered", "transferred", "verifying", "police", "unfounded")
    for i, stage in enumerate(stages):
        clock = ManualClock.on(today - timedelta(days=10 - i))
        lead = await leads.register(
            session,
            registration=leads.Registration(
                source=LeadSource.MONITORING if i % 2 else LeadSource.WITNESSING,
                title=f"演示线索{i + 1}：投标文件雷同",
                facts="交易系统监测到投标文件制作机器码一致。（演示数据）",
                serious=stage in ("verifying", "police"),
                found_on=clock.today(),
            ),
            actor=office,
            clock=clock,
        )
        if stage == "transferred":
            await leads.transfer(
                session, lead=lead, actor=office, clock=clock, department_id=housing
            )
        if stage in ("verifying", "police"):
            await leads.verify_jointly(
                session, lead=lead, actor=office, clock=clock, department_ids=[housing, finance]
            )
            for department in (housing, finance)[: 1 if stage == "verifying" else 2]:
                participant = common.Actor("system:demo", ActorKind.SYSTEM, SENDER, department)
                await leads.record_finding(
                    session,
                    lead=lead,
                    actor=participant,
                    clock=clock,
                    finding="经核查，情况属实。（演示数据）",
                )
        if stage == "police":
            await leads.dispose(
                session,
                lead=lead,
                actor=office,
                clock=clock,
                disposition=LeadDisposition.POLICE,
                department_id=police,
                note="涉嫌串通投标罪，移送公安机关。（演示数据）",
            )
        if stage == "unfounded":
            await leads.dispose(
                session,
                lead=lead,
                actor=office,
                clock=clock,
                disposition=LeadDisposition.UNFOUNDED,
                department_id=None,
                note="经核查，查无实据。（演示数据）",
            )
    return len(stages)
