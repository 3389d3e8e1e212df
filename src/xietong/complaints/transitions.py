"""The complaint's states and moves: one explicit table (state, action → next state, who may,
which clocks start, stop or pause). Nothing else in the code changes a complaint's status.

Each row names the party that may make the move (the office, the receiving or the competent
department, or the filer), the access action the guard checks (``complaint:<action>`` with the
department's power list, R-2), the conditions that must hold, the clock effects applied through
the obligations service (``xietong.deadlines.obligations``) and the notice it issues. A clock
effect only applies to a complaint whose regime the rule belongs to (a ``TB.*`` rule to a
tendering complaint, a ``GP.*`` rule to a procurement one; the seeds' ``R7``/``R9`` rules to
all), so one row serves both legal regimes. ``docs/complaints.md`` prints the table.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from xietong.access.actions import Action
from xietong.complaints.enums import (
    ComplaintAction,
    ComplaintOutcome,
    ComplaintRegime,
    ComplaintStatus,
    NoticeKind,
    Party,
)
from xietong.complaints.errors import ComplaintError, ComplaintErrorCode
from xietong.deadlines.enums import PauseReason, Regime
from xietong.deadlines.rules import RULES_BY_ID, Rule

S = ComplaintStatus
A = ComplaintAction


class Effect(StrEnum):
    OPEN = "open"
    """Start the rule's clock (``open_obligation``)."""
    MEET = "meet"
    """The move is what the rule's clock waits for (``meet``), if that clock is open."""
    OPEN_AND_MEET = "open_and_meet"
    """The clock starts and is met by the same move (a notice issued with the decision it
    announces): recorded so the notice's timeliness is on the books."""
    CANCEL = "cancel"
    """The clock no longer applies (``cancel``), if it is open."""
    PAUSE = "pause"
    """Time stops for every open clock of the matter that allows the reason (``pause``)."""
    RESUME = "resume"
    """Time runs again; due dates move by the paused working days (``resume``)."""


class Start(StrEnum):
    """The date an opened clock counts from."""

    RECEIVED = "received"
    """The day the complaint was filed (received by the department or office it was filed with)."""
    AT_OFFICE = "at_office"
    """The day it reached the office (filed there, or reported to it)."""
    REVIEW = "review"
    """The day the competent department received the complete complaint: the handover, the
    补正 received, or a reopening. Acceptance dates back to it (收到投诉书之日即为正式受理)."""
    TODAY = "today"
    """The day of the move itself."""


class Owing(StrEnum):
    """Who owes an opened clock."""

    RECEIVING_DEPARTMENT = "receiving_department"
    OFFICE = "office"
    COMPETENT_DEPARTMENT = "competent_department"
    RESPONDENT = "respondent"
    """招标人 / 采购人: outside the system, owed to the competent department."""


@dataclass(frozen=True, slots=True)
class ClockEffect:
    effect: Effect
    rule_id: str | None = None
    owing: Owing | None = None
    start: Start | None = None
    reason: PauseReason | None = None
    """For PAUSE/RESUME: the reason; None means the one the move names (testing, appraisal…)."""

    @property
    def rule(self) -> Rule | None:
        return None if self.rule_id is None else RULES_BY_ID[self.rule_id]

    def applies_to(self, regime: ComplaintRegime) -> bool:
        rule = self.rule
        if rule is None or rule.regime is Regime.COLLABORATIVE:
            return True
        return rule.regime is regime.deadline_regime

    def __str__(self) -> str:
        parts = [self.effect.value]
        if self.rule_id:
            parts.append(self.rule_id)
        if self.effect in (Effect.PAUSE, Effect.RESUME):
            parts.append(self.reason.value if self.reason else "(the move's reason)")
        if self.start:
            parts.append(f"from {self.start.value}")
        return " ".join(parts)


def open_(rule_id: str, owing: Owing, start: Start) -> ClockEffect:
    return ClockEffect(Effect.OPEN, rule_id, owing, start)


def meet(rule_id: str) -> ClockEffect:
    return ClockEffect(Effect.MEET, rule_id)


def cancel(rule_id: str) -> ClockEffect:
    return ClockEffect(Effect.CANCEL, rule_id)


def open_met(rule_id: str, owing: Owing, start: Start) -> ClockEffect:
    return ClockEffect(Effect.OPEN_AND_MEET, rule_id, owing, start)


@dataclass(frozen=True, slots=True)
class Facts:
    """What the conditions read: the complaint as it stands, plus what the move says."""

    regime: ComplaintRegime
    anonymous: bool = False
    correction_requested: bool = False
    suspended: bool = False
    respondent_notified: bool = False
    respondent_answered: bool = False
    outcome: ComplaintOutcome | None = None
    handled_by_department: bool = False
    """The outcome came from the competent department (not the office's own redirect)."""
    rated: bool = False
    reopened: bool = False
    satisfied: bool | None = None
    """The rating being given (RATE only)."""


@dataclass(frozen=True, slots=True)
class Condition:
    name: str
    holds: Callable[[Facts], bool]
    code: ComplaintErrorCode
    message: str


C = ComplaintErrorCode
PROCUREMENT = Condition(
    "procurement",
    lambda f: f.regime is ComplaintRegime.PROCUREMENT,
    C.NOT_PROCUREMENT,
    "仅政府采购投诉适用（only a procurement complaint, 财政部94号令）",
)
FIRST_CORRECTION = Condition(
    "no correction requested yet",
    lambda f: not f.correction_requested,
    C.CORRECTION_ALREADY_REQUESTED,
    "补正只能一次性告知，已经通知过补正（补正 may be requested once）",
)
NOT_SUSPENDED = Condition(
    "procurement not suspended",
    lambda f: not f.suspended,
    C.ILLEGAL_TRANSITION,
    "采购活动已暂停（procurement is already suspended）",
)
SUSPENDED = Condition(
    "procurement suspended",
    lambda f: f.suspended,
    C.ILLEGAL_TRANSITION,
    "采购活动未暂停（procurement is not suspended）",
)
RESPONDENT_NOT_NOTIFIED = Condition(
    "respondent not yet notified",
    lambda f: not f.respondent_notified,
    C.ILLEGAL_TRANSITION,
    "已向被投诉人发出投诉答复通知书（the respondent was already notified）",
)
RESPONDENT_WAITED_FOR = Condition(
    "respondent notified, not yet answered",
    lambda f: f.respondent_notified and not f.respondent_answered,
    C.ILLEGAL_TRANSITION,
    "尚未通知被投诉人，或已收到其答复（the respondent was not notified, or already answered）",
)
NOT_RATED = Condition(
    "not rated yet",
    lambda f: not f.rated,
    C.ALREADY_RATED,
    "已经评价过本次处理结果（this answer was already rated）",
)
SATISFIED_OR_REOPENED = Condition(
    "satisfied, or reopened once already",
    lambda f: f.satisfied is True or f.reopened,
    C.ILLEGAL_TRANSITION,
    "不满意的评价将重新办理（an unsatisfied rating reopens the matter）",
)
REOPENS = Condition(
    "unsatisfied, never reopened",
    lambda f: f.satisfied is False and not f.reopened,
    C.ILLEGAL_TRANSITION,
    "只能重新办理一次（a matter is reopened once）",
)
DECIDED = Condition(
    "a decision was made",
    lambda f: f.outcome is ComplaintOutcome.DECIDED,
    C.ILLEGAL_TRANSITION,
    "未作出处理决定（no decision was made）",
)
CONCLUDED_BY_DEPARTMENT = Condition(
    "refused or redirected by the competent department",
    lambda f: f.outcome is not ComplaintOutcome.DECIDED and f.handled_by_department,
    C.ILLEGAL_TRANSITION,
    "不是由主管部门不予受理或告知另行投诉（not refused or redirected by a department）",
)
CONCLUDED_BY_OFFICE = Condition(
    "redirected by the office",
    lambda f: not f.handled_by_department,
    C.ILLEGAL_TRANSITION,
    "不是由协同监管办公室办结（not concluded by the office）",
)


@dataclass(frozen=True, slots=True)
class Transition:
    state: ComplaintStatus
    action: ComplaintAction
    next: ComplaintStatus
    party: Party
    permission: Action
    """The guard's check: ``complaint:<permission>`` in the complaint's jurisdiction."""
    clocks: tuple[ClockEffect, ...] = ()
    when: tuple[Condition, ...] = ()
    notice: NoticeKind | None = None
    outcome: ComplaintOutcome | None = None
    """The outcome this move records (kept after closing)."""
    note: str = ""

    def failing(self, facts: Facts) -> Condition | None:
        return next((c for c in self.when if not c.holds(facts)), None)

    def effects_for(self, regime: ComplaintRegime) -> tuple[ClockEffect, ...]:
        return tuple(e for e in self.clocks if e.applies_to(regime))


OW = Owing
ST = Start
CORRECTION = PauseReason.CORRECTION
OFFICE, RECEIVING, COMPETENT, PUBLIC = (
    Party.OFFICE,
    Party.RECEIVING_DEPARTMENT,
    Party.COMPETENT_DEPARTMENT,
    Party.PUBLIC,
)

_OPEN_REVIEW = (
    open_("TB.acceptance_decision", OW.COMPETENT_DEPARTMENT, ST.REVIEW),
    open_("GP.review", OW.COMPETENT_DEPARTMENT, ST.REVIEW),
)
_MEET_REVIEW = (meet("TB.acceptance_decision"), meet("GP.review"))
_OPEN_DECISION = (
    open_("TB.decision", OW.COMPETENT_DEPARTMENT, ST.REVIEW),
    open_("GP.decision", OW.COMPETENT_DEPARTMENT, ST.REVIEW),
)
_FEEDBACK_DUE = open_("R7.handed_feedback", OW.COMPETENT_DEPARTMENT, ST.TODAY)
_HANDLING = (S.ACCEPTED, S.EXAMINATION)
_END_CORRECTION = (ClockEffect(Effect.RESUME, reason=CORRECTION),)

TRANSITIONS: tuple[Transition, ...] = (
    Transition(
        S.RECEIVED,
        A.REPORT,
        S.AT_OFFICE,
        RECEIVING,
        Action.REPORT,
        (
            meet("R7.report_to_office"),
            open_("R9.transfer", OW.OFFICE, ST.AT_OFFICE),
        ),
        note="收到投诉举报的部门3个工作日内上报协同监管办公室（R-7）。",
    ),
    Transition(
        S.AT_OFFICE,
        A.ASSIGN,
        S.ASSIGNED,
        OFFICE,
        Action.TRANSFER,
        (meet("R9.transfer"), *_OPEN_REVIEW),
        note="办公室按项目所属行业书面交办主管部门（谁主管谁监管）；主管部门收到之日起审查。",
    ),
    Transition(
        S.AT_OFFICE,
        A.REDIRECT,
        S.CLOSED,
        OFFICE,
        Action.TRANSFER,
        (
            open_met("R9.redirect_notice", OW.OFFICE, ST.AT_OFFICE),
            cancel("R9.transfer"),
        ),
        notice=NoticeKind.REDIRECT,
        outcome=ComplaintOutcome.REDIRECTED,
        note="本辖区无管辖权：3个工作日内告知投诉人向有管辖权的部门投诉（R-9）。",
    ),
    Transition(
        S.ASSIGNED,
        A.ACCEPT,
        S.ACCEPTED,
        COMPETENT,
        Action.ACCEPT,
        (
            *_MEET_REVIEW,
            open_("TB.decision", OW.COMPETENT_DEPARTMENT, ST.REVIEW),
            open_("GP.respondent_notice", OW.COMPETENT_DEPARTMENT, ST.REVIEW),
            open_("GP.decision", OW.COMPETENT_DEPARTMENT, ST.REVIEW),
        ),
        notice=NoticeKind.ACCEPTANCE,
        note="受理的，收到投诉书之日即为受理：处理决定期限自收到之日起算。",
    ),
    Transition(
        S.ASSIGNED,
        A.REQUEST_CORRECTION,
        S.CORRECTION,
        COMPETENT,
        Action.ACCEPT,
        (
            cancel("TB.acceptance_decision"),
            meet("GP.review"),
            ClockEffect(Effect.PAUSE, reason=CORRECTION),
        ),
        when=(FIRST_CORRECTION,),
        notice=NoticeKind.CORRECTION,
        note="一次性书面通知补正，载明补正事项和期限；补正期间不计算在内。",
    ),
    Transition(
        S.CORRECTION,
        A.RESUME,
        S.ASSIGNED,
        COMPETENT,
        Action.ACCEPT,
        (ClockEffect(Effect.RESUME, reason=CORRECTION), *_OPEN_REVIEW),
        note="收到补正材料：审查期限自收到完整投诉书之日重新起算。",
    ),
    *(
        Transition(
            state,
            A.REFUSE,
            S.REFUSED,
            COMPETENT,
            Action.ACCEPT,
            (
                *(
                    (ClockEffect(Effect.RESUME, reason=CORRECTION),)
                    if state is S.CORRECTION
                    else ()
                ),
                *_MEET_REVIEW,
                open_met("GP.refusal_notice", OW.COMPETENT_DEPARTMENT, ST.TODAY),
                _FEEDBACK_DUE,
            ),
            notice=NoticeKind.REFUSAL,
            outcome=ComplaintOutcome.REFUSED,
            note="以法定理由不予受理，书面告知理由（grounds.py）。",
        )
        for state in (S.ASSIGNED, S.CORRECTION)
    ),
    Transition(
        S.ASSIGNED,
        A.REDIRECT,
        S.REDIRECTED,
        COMPETENT,
        Action.ACCEPT,
        (
            *_MEET_REVIEW,
            open_met("GP.redirect_notice", OW.COMPETENT_DEPARTMENT, ST.TODAY),
            _FEEDBACK_DUE,
        ),
        notice=NoticeKind.REDIRECT,
        outcome=ComplaintOutcome.REDIRECTED,
        note="不属于本部门管辖：书面告知投诉人向有管辖权的部门投诉。",
    ),
    Transition(
        S.ACCEPTED,
        A.PAUSE,
        S.EXAMINATION,
        COMPETENT,
        Action.HANDLE,
        (ClockEffect(Effect.PAUSE),),
        note="检验、检测、鉴定、专家评审所需时间不计算在处理期限内。",
    ),
    Transition(
        S.EXAMINATION,
        A.RESUME,
        S.ACCEPTED,
        COMPETENT,
        Action.HANDLE,
        (ClockEffect(Effect.RESUME),),
        note="收到检验、检测、鉴定结论或专家评审意见：恢复计时。",
    ),
    *(
        Transition(
            state,
            A.SUSPEND_PROCUREMENT,
            state,
            COMPETENT,
            Action.HANDLE,
            (open_("GP.suspension", OW.COMPETENT_DEPARTMENT, ST.TODAY),),
            when=(PROCUREMENT, NOT_SUSPENDED),
            note="书面通知暂停采购活动，最长30日（94号令第二十八条）。",
        )
        for state in _HANDLING
    ),
    *(
        Transition(
            state,
            A.RESUME_PROCUREMENT,
            state,
            COMPETENT,
            Action.HANDLE,
            (meet("GP.suspension"),),
            when=(PROCUREMENT, SUSPENDED),
            note="通知恢复采购活动。",
        )
        for state in _HANDLING
    ),
    *(
        Transition(
            state,
            A.NOTIFY_RESPONDENT,
            state,
            COMPETENT,
            Action.HANDLE,
            (
                meet("GP.respondent_notice"),
                open_("GP.respondent_answer", OW.RESPONDENT, ST.TODAY),
            ),
            when=(PROCUREMENT, RESPONDENT_NOT_NOTIFIED),
            note="向被投诉人发出投诉答复通知书及投诉书副本；被投诉人5个工作日内答复"
            "（通知以电子方式当日送达）。",
        )
        for state in _HANDLING
    ),
    *(
        Transition(
            state,
            A.RESPONDENT_ANSWERED,
            state,
            COMPETENT,
            Action.HANDLE,
            (meet("GP.respondent_answer"),),
            when=(PROCUREMENT, RESPONDENT_WAITED_FOR),
            note="收到被投诉人的书面说明及证据。",
        )
        for state in _HANDLING
    ),
    Transition(
        S.ACCEPTED,
        A.DECIDE,
        S.DECIDED,
        COMPETENT,
        Action.DECIDE,
        (
            meet("TB.decision"),
            meet("GP.decision"),
            meet("GP.suspension"),
            cancel("GP.respondent_notice"),
            cancel("GP.respondent_answer"),
            _FEEDBACK_DUE,
        ),
        notice=NoticeKind.DECISION,
        outcome=ComplaintOutcome.DECIDED,
        note="书面处理决定；暂停的采购活动随决定恢复；5个工作日内反馈办公室（R-7）。",
    ),
    *(
        Transition(
            state,
            A.FEEDBACK,
            S.CLOSED,
            COMPETENT,
            Action.REPORT,
            (meet("R7.handed_feedback"),),
            note="处理结果反馈协同监管办公室（R-7）。",
        )
        for state in (S.DECIDED, S.REFUSED, S.REDIRECTED)
    ),
    Transition(
        S.CLOSED,
        A.RATE,
        S.CLOSED,
        PUBLIC,
        Action.READ,
        when=(NOT_RATED, SATISFIED_OR_REOPENED),
        note="投诉人凭查询码和密码评价；满意即办结。",
    ),
    Transition(
        S.CLOSED,
        A.RATE,
        S.ACCEPTED,
        PUBLIC,
        Action.READ,
        _OPEN_DECISION,
        when=(NOT_RATED, REOPENS, DECIDED),
        note="不满意：重新办理一次（12345 做法），处理期限自重新办理之日起算。",
    ),
    Transition(
        S.CLOSED,
        A.RATE,
        S.ASSIGNED,
        PUBLIC,
        Action.READ,
        _OPEN_REVIEW,
        when=(NOT_RATED, REOPENS, CONCLUDED_BY_DEPARTMENT),
        note="不满意：主管部门重新审查一次。",
    ),
    Transition(
        S.CLOSED,
        A.RATE,
        S.AT_OFFICE,
        PUBLIC,
        Action.READ,
        (open_("R9.transfer", OW.OFFICE, ST.TODAY),),
        when=(NOT_RATED, REOPENS, CONCLUDED_BY_OFFICE),
        note="不满意：办公室重新研判一次。",
    ),
)

_BY_MOVE: Mapping[tuple[ComplaintStatus, ComplaintAction], tuple[Transition, ...]] = (
    MappingProxyType(
        {
            key: tuple(t for t in TRANSITIONS if (t.state, t.action) == key)
            for key in {(t.state, t.action) for t in TRANSITIONS}
        }
    )
)


def moves_from(state: ComplaintStatus) -> tuple[ComplaintAction, ...]:
    """The actions the table has for ``state`` (conditions aside), in table order."""
    return tuple(dict.fromkeys(t.action for t in TRANSITIONS if t.state is state))


def resolve(state: ComplaintStatus, action: ComplaintAction, facts: Facts) -> Transition:
    """The row for this move, or the coded refusal: ``ILLEGAL_TRANSITION`` when the state has no
    such move, else the first failing condition's code."""
    rows = _BY_MOVE.get((state, action), ())
    if not rows:
        allowed = "、".join(a.zh for a in moves_from(state)) or "无"
        raise ComplaintError(
            ComplaintErrorCode.ILLEGAL_TRANSITION,
            f"投诉举报处于“{state.zh}”状态，不能“{action.zh}”；此时可以：{allowed}"
            f"（{action.value} is not a move from {state.value}）",
            state=state.value,
        )
    failed: Condition | None = None
    for row in rows:
        failing = row.failing(facts)
        if failing is None:
            return row
        failed = failed or failing
    assert failed is not None
    raise ComplaintError(failed.code, failed.message, state=state.value)
