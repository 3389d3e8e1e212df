"""The one table of statutory clocks: every period the product tracks, with its source.

A rule says what is owed, by whom, to whom, which event starts the clock and which meets it, how
long it runs and in which unit, whether an end on a holiday moves, which pauses stop it, and where
the law (or the local document) says so. Nothing else in the code states a period: services open
obligations by rule id, and a province may only *tighten* a rule (``promises.py``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType

from xietong.deadlines.arithmetic import Deadline, Pause, add_calendar_days, add_working_days
from xietong.deadlines.calendar import WorkingCalendar
from xietong.deadlines.enums import (
    ClockEvent,
    DeadlineUnit,
    OwingParty,
    PauseReason,
    Regime,
    RuleBasis,
)
from xietong.deadlines.errors import DeadlineError, DeadlineErrorCode

E = ClockEvent
P = OwingParty
R = PauseReason
WD = DeadlineUnit.WORKING_DAYS
CD = DeadlineUnit.CALENDAR_DAYS
H = DeadlineUnit.HOURS


@dataclass(frozen=True, slots=True)
class Citation:
    """Where a period comes from: the document's title (with its number) and the article."""

    document: str
    article: str

    def __str__(self) -> str:
        return f"{self.document}{self.article}"


# The documents, each written once.
TENDERING_REGULATION = "《中华人民共和国招标投标法实施条例》（国务院令第613号）"
TENDERING_COMPLAINT_MEASURES = (
    "《工程建设项目招标投标活动投诉处理办法》（国家发展改革委等七部委令第11号，2013年修订）"
)
PROCUREMENT_MEASURES = "《政府采购质疑和投诉办法》（财政部令第94号）"
CIVIL_CODE = "《中华人民共和国民法典》"
XUANEN = (
    "《宣恩县人民政府办公室关于进一步加强公共资源交易协同监管工作的通知》（宣政办函〔2021〕14号）"
)
YUNNAN = (
    "《云南省公共资源交易工作联席会议办公室关于加强公共资源交易协同监管工作的通知》"
    "（云发改交易监督〔2020〕972号）"
)
ZENGDU = "《曾都区公共资源交易联动监督管理办法》（曾公管委发〔2021〕2号）"
XINXIANG = "《新乡市人民政府关于加强公共资源交易监管的实施意见》（新政文〔2017〕144号）"
LIJIANG_PRACTICE = "丽江市远程异地评标做法（副场向主场移交评标资料）"
REMOTE_PRE_START_PRACTICE = (
    "远程异地评标系统故障处置做法（评标开始前2小时以上发生故障的，由招标人决定）"
)
REMOTE_FAULT_PRACTICE = (
    "远程异地评标系统故障处置做法"
    "（评标过程中故障4小时内未排除的，封存评标资料、重新组建评标委员会）"
)

CIVIL_CODE_ART_203 = Citation(CIVIL_CODE, "第二百零三条")
PROCUREMENT_ART_42 = Citation(PROCUREMENT_MEASURES, "第四十二条")


@dataclass(frozen=True, slots=True)
class Rule:
    """One statutory clock."""

    id: str
    regime: Regime
    basis: RuleBasis
    owed: str
    """What is owed, Chinese first, English in parentheses (shown to clerks)."""
    owed_by: OwingParty
    owed_to: OwingParty
    starts: tuple[ClockEvent, ...]
    """Events that open the clock (any one of them)."""
    ends: tuple[ClockEvent, ...]
    """Events that meet it (any one of them)."""
    amount: int
    unit: DeadlineUnit
    citations: tuple[Citation, ...]
    holiday_end_moves: bool = False
    """Calendar days only: an end on a non-working day moves to the next working day."""
    pauses: frozenset[PauseReason] = frozenset()
    """Time that does not count, by reason."""
    pause_limits: Mapping[PauseReason, int] = field(default_factory=lambda: MappingProxyType({}))
    """How often a pause reason may occur (94号令 Art. 21: 补正 is requested once, 一次性)."""
    counted_from: ClockEvent | None = None
    """The clock is opened by ``starts`` but counted from this earlier event's date (acceptance
    dated back to receipt: 收到投诉书之日即为正式受理)."""
    note: str | None = None
    """How we read the text where it is open to reading."""

    def __post_init__(self) -> None:
        if self.amount < 1:
            raise ValueError(f"{self.id}: amount must be positive")
        if self.holiday_end_moves and self.unit is not CD:
            raise ValueError(f"{self.id}: only a calendar-day period can move its end")
        if set(self.pause_limits) - self.pauses:
            raise ValueError(f"{self.id}: a limit for a pause the rule does not allow")
        if not self.citations or not self.starts or not self.ends:
            raise ValueError(f"{self.id}: citation, start and end events are required")
        if self.unit is H and (self.pauses or self.counted_from is not None):
            raise ValueError(f"{self.id}: an hour clock neither pauses nor dates back")

    @property
    def period(self) -> str:
        """The period as a clerk reads it: 3个工作日, 10日."""
        if self.unit is H:
            return f"{self.amount}小时"
        return f"{self.amount}个工作日" if self.unit is WD else f"{self.amount}日"

    @property
    def citation(self) -> str:
        """All citations, articles of one document joined: 《…》第二十六条、第二十七条."""
        articles: dict[str, list[str]] = {}
        for c in self.citations:
            articles.setdefault(c.document, []).append(c.article)
        return "；".join(doc + "、".join(arts) for doc, arts in articles.items())


def _limits(**limits: int) -> Mapping[PauseReason, int]:
    return MappingProxyType({PauseReason(k): v for k, v in limits.items()})


_EXAMINATIONS = frozenset({R.TESTING, R.APPRAISAL, R.EXPERT_REVIEW})

RULES: tuple[Rule, ...] = (
    # 工程建设招投标 -----------------------------------------------------------------------------
    Rule(
        id="TB.objection_answer",
        regime=Regime.TENDERING,
        basis=RuleBasis.LAW,
        owed="答复对评标结果的异议（answer an objection to the evaluation result）",
        owed_by=P.RESPONDENT,
        owed_to=P.COMPLAINANT,
        starts=(E.OBJECTION_RECEIVED,),
        ends=(E.OBJECTION_ANSWERED,),
        amount=3,
        unit=CD,
        holiday_end_moves=True,
        citations=(Citation(TENDERING_REGULATION, "第五十四条第二款"), CIVIL_CODE_ART_203),
        note="招标投标活动在答复前暂停。期间末日遇法定休假日顺延，依民法典第二百零三条。",
    ),
    Rule(
        id="TB.complaint_window",
        regime=Regime.TENDERING,
        basis=RuleBasis.LAW,
        owed="自知道或者应当知道之日起提起投诉（file the complaint after learning of the matter）",
        owed_by=P.COMPLAINANT,
        owed_to=P.COMPETENT_DEPARTMENT,
        starts=(E.KNEW_OF_MATTER,),
        ends=(E.COMPLAINT_FILED,),
        amount=10,
        unit=CD,
        holiday_end_moves=True,
        pauses=frozenset({R.OBJECTION}),
        citations=(
            Citation(TENDERING_REGULATION, "第六十条"),
            Citation(TENDERING_COMPLAINT_MEASURES, "第九条"),
            CIVIL_CODE_ART_203,
        ),
        note="先行异议的，异议答复期间不计算在内（暂停原因 objection）；"
        "超过期限是不予受理的理由之一。",
    ),
    Rule(
        id="TB.acceptance_decision",
        regime=Regime.TENDERING,
        basis=RuleBasis.LAW,
        owed="决定是否受理投诉（decide whether to accept the complaint）",
        owed_by=P.COMPETENT_DEPARTMENT,
        owed_to=P.COMPLAINANT,
        starts=(E.COMPLAINT_RECEIVED,),
        ends=(E.ACCEPTANCE_DECIDED,),
        amount=3,
        unit=WD,
        citations=(
            Citation(TENDERING_REGULATION, "第六十一条第二款"),
            Citation(TENDERING_COMPLAINT_MEASURES, "第十一条"),
        ),
    ),
    Rule(
        id="TB.decision",
        regime=Regime.TENDERING,
        basis=RuleBasis.LAW,
        owed="作出书面处理决定（decide the complaint in writing）",
        owed_by=P.COMPETENT_DEPARTMENT,
        owed_to=P.COMPLAINANT,
        starts=(E.COMPLAINT_ACCEPTED,),
        counted_from=E.COMPLAINT_RECEIVED,
        ends=(E.DECISION_MADE,),
        amount=30,
        unit=WD,
        pauses=_EXAMINATIONS,
        citations=(
            Citation(TENDERING_REGULATION, "第六十一条第二款"),
            Citation(TENDERING_COMPLAINT_MEASURES, "第十一条、第二十一条"),
        ),
        note="自受理之日起算；决定受理的，收到投诉书之日即为正式受理（11号令第十一条），"
        "故自收到之日起算。检验、检测、鉴定、专家评审所需时间不计算在内。",
    ),
    # 政府采购 -----------------------------------------------------------------------------------
    Rule(
        id="GP.query_window",
        regime=Regime.PROCUREMENT,
        basis=RuleBasis.LAW,
        owed="向采购人、采购代理机构提出质疑（file a query with the purchaser）",
        owed_by=P.COMPLAINANT,
        owed_to=P.RESPONDENT,
        starts=(E.KNEW_OF_MATTER,),
        ends=(E.QUERY_FILED,),
        amount=7,
        unit=WD,
        citations=(Citation(PROCUREMENT_MEASURES, "第十条"), PROCUREMENT_ART_42),
    ),
    Rule(
        id="GP.query_answer",
        regime=Regime.PROCUREMENT,
        basis=RuleBasis.LAW,
        owed="答复质疑（answer the query）",
        owed_by=P.RESPONDENT,
        owed_to=P.COMPLAINANT,
        starts=(E.QUERY_RECEIVED,),
        ends=(E.QUERY_ANSWERED,),
        amount=7,
        unit=WD,
        citations=(Citation(PROCUREMENT_MEASURES, "第十三条"), PROCUREMENT_ART_42),
    ),
    Rule(
        id="GP.complaint_window",
        regime=Regime.PROCUREMENT,
        basis=RuleBasis.LAW,
        owed="向财政部门提起投诉（file the complaint with the finance department）",
        owed_by=P.COMPLAINANT,
        owed_to=P.COMPETENT_DEPARTMENT,
        starts=(E.QUERY_ANSWER_PERIOD_ENDED,),
        ends=(E.COMPLAINT_FILED,),
        amount=15,
        unit=WD,
        citations=(Citation(PROCUREMENT_MEASURES, "第十七条"), PROCUREMENT_ART_42),
        note="自答复期满（GP.query_answer 的到期日）起算，而非自实际答复之日。",
    ),
    Rule(
        id="GP.review",
        regime=Regime.PROCUREMENT,
        basis=RuleBasis.LAW,
        owed="审查投诉书（review the complaint: accept, ask once for 补正, refuse or redirect）",
        owed_by=P.COMPETENT_DEPARTMENT,
        owed_to=P.COMPLAINANT,
        starts=(E.COMPLAINT_RECEIVED,),
        ends=(
            E.REVIEW_CONCLUDED,
            E.CORRECTION_REQUESTED,
            E.COMPLAINT_ACCEPTED,
        ),
        amount=5,
        unit=WD,
        citations=(Citation(PROCUREMENT_MEASURES, "第二十一条"), PROCUREMENT_ART_42),
        note="补正通知须在收到投诉书5个工作日内一次性发出（第二十一条第（一）项）。",
    ),
    Rule(
        id="GP.refusal_notice",
        regime=Regime.PROCUREMENT,
        basis=RuleBasis.LAW,
        owed="书面告知不予受理及理由（tell the complainant in writing it is refused, and why）",
        owed_by=P.COMPETENT_DEPARTMENT,
        owed_to=P.COMPLAINANT,
        starts=(E.REVIEW_CONCLUDED,),
        ends=(E.REFUSAL_NOTIFIED,),
        amount=3,
        unit=WD,
        citations=(Citation(PROCUREMENT_MEASURES, "第二十一条第（二）项"), PROCUREMENT_ART_42),
        note="“审查后按照下列情况处理”：自审查完毕之日起算。",
    ),
    Rule(
        id="GP.redirect_notice",
        regime=Regime.PROCUREMENT,
        basis=RuleBasis.LAW,
        owed="书面告知向有管辖权的部门投诉（tell the complainant which authority to go to）",
        owed_by=P.COMPETENT_DEPARTMENT,
        owed_to=P.COMPLAINANT,
        starts=(E.REVIEW_CONCLUDED,),
        ends=(E.REDIRECT_NOTIFIED,),
        amount=3,
        unit=WD,
        citations=(Citation(PROCUREMENT_MEASURES, "第二十一条第（三）项"), PROCUREMENT_ART_42),
        note="“审查后按照下列情况处理”：自审查完毕之日起算。",
    ),
    Rule(
        id="GP.respondent_notice",
        regime=Regime.PROCUREMENT,
        basis=RuleBasis.LAW,
        owed="向被投诉人发出投诉答复通知书及投诉书副本（send the respondent the complaint）",
        owed_by=P.COMPETENT_DEPARTMENT,
        owed_to=P.RESPONDENT,
        starts=(E.COMPLAINT_ACCEPTED,),
        counted_from=E.COMPLAINT_RECEIVED,
        ends=(E.RESPONDENT_NOTIFIED,),
        amount=8,
        unit=WD,
        pauses=frozenset({R.CORRECTION}),
        pause_limits=_limits(correction=1),
        citations=(
            Citation(PROCUREMENT_MEASURES, "第二十一条第（四）项"),
            Citation(PROCUREMENT_MEASURES, "第二十七条"),
            PROCUREMENT_ART_42,
        ),
        note="受理的，自收到投诉书之日起即为受理；补正期间不计算在内（第二十七条）。",
    ),
    Rule(
        id="GP.respondent_answer",
        regime=Regime.PROCUREMENT,
        basis=RuleBasis.LAW,
        owed="被投诉人书面说明并提交证据（the respondent answers in writing with evidence）",
        owed_by=P.RESPONDENT,
        owed_to=P.COMPETENT_DEPARTMENT,
        starts=(E.RESPONDENT_NOTICE_RECEIVED,),
        ends=(E.RESPONDENT_ANSWERED,),
        amount=5,
        unit=WD,
        citations=(Citation(PROCUREMENT_MEASURES, "第二十二条"), PROCUREMENT_ART_42),
    ),
    Rule(
        id="GP.decision",
        regime=Regime.PROCUREMENT,
        basis=RuleBasis.LAW,
        owed="对投诉事项作出处理决定（decide the complaint）",
        owed_by=P.COMPETENT_DEPARTMENT,
        owed_to=P.COMPLAINANT,
        starts=(E.COMPLAINT_ACCEPTED,),
        counted_from=E.COMPLAINT_RECEIVED,
        ends=(E.DECISION_MADE,),
        amount=30,
        unit=WD,
        pauses=_EXAMINATIONS | {R.CORRECTION},
        pause_limits=_limits(correction=1),
        citations=(
            Citation(PROCUREMENT_MEASURES, "第二十六条"),
            Citation(PROCUREMENT_MEASURES, "第二十七条"),
            PROCUREMENT_ART_42,
        ),
        note="自收到投诉之日起算；补正及检验、检测、鉴定、专家评审所需时间（发出文书之日至收到"
        "反馈之日）不计算在内。",
    ),
    Rule(
        id="GP.suspension",
        regime=Regime.PROCUREMENT,
        basis=RuleBasis.LAW,
        owed="暂停采购活动的最长期限：届满前恢复或作出决定（end a suspension of procurement）",
        owed_by=P.COMPETENT_DEPARTMENT,
        owed_to=P.RESPONDENT,
        starts=(E.SUSPENSION_NOTIFIED,),
        ends=(E.PROCUREMENT_RESUMED, E.DECISION_MADE),
        amount=30,
        unit=CD,
        holiday_end_moves=True,
        citations=(Citation(PROCUREMENT_MEASURES, "第二十八条"), PROCUREMENT_ART_42),
    ),
    # 协同监管 (the seeds) ----------------------------------------------------------------------
    Rule(
        id="R7.report_to_office",
        regime=Regime.COLLABORATIVE,
        basis=RuleBasis.LOCAL,
        owed="将收到的投诉举报上报协同监管办公室（report a complaint received to the office）",
        owed_by=P.RECEIVING_DEPARTMENT,
        owed_to=P.SUPERVISION_OFFICE,
        starts=(E.COMPLAINT_RECEIVED,),
        ends=(E.REPORTED_TO_OFFICE,),
        amount=3,
        unit=WD,
        citations=(Citation(XUANEN, "三（二）"),),
        note="线上线下收到的均须上报。",
    ),
    Rule(
        id="R7.feedback_to_office",
        regime=Regime.COLLABORATIVE,
        basis=RuleBasis.LOCAL,
        owed="将处理结果反馈协同监管办公室（feed the result back to the office）",
        owed_by=P.RECEIVING_DEPARTMENT,
        owed_to=P.SUPERVISION_OFFICE,
        starts=(E.HANDLING_CONCLUDED,),
        ends=(E.RESULT_FED_BACK,),
        amount=5,
        unit=WD,
        citations=(Citation(XUANEN, "三（二）"),),
        note="自处理结果形成之日起算：处理本身受各法定时限约束（如30个工作日），"
        "5个工作日是反馈结果的时限。",
    ),
    Rule(
        id="R7.handed_feedback",
        regime=Regime.COLLABORATIVE,
        basis=RuleBasis.LOCAL,
        owed="办理交办的投诉举报并将处理结果反馈协同监管办公室"
        "（feed back the result of a complaint the office handed over）",
        owed_by=P.COMPETENT_DEPARTMENT,
        owed_to=P.SUPERVISION_OFFICE,
        starts=(E.HANDLING_CONCLUDED,),
        ends=(E.RESULT_FED_BACK,),
        amount=5,
        unit=WD,
        citations=(Citation(XUANEN, "三（二）"), Citation(YUNNAN, "（八）、（九）")),
        note="同 R7.feedback_to_office，自处理结果形成之日起算。",
    ),
    Rule(
        id="R9.redirect_notice",
        regime=Regime.COLLABORATIVE,
        basis=RuleBasis.LOCAL,
        owed="书面告知投诉人向有管辖权的部门投诉（tell the complainant where to complain）",
        owed_by=P.RECEIVING_DEPARTMENT,
        owed_to=P.COMPLAINANT,
        starts=(E.COMPLAINT_RECEIVED,),
        ends=(E.REDIRECT_NOTIFIED,),
        amount=3,
        unit=WD,
        citations=(Citation(ZENGDU, "第十一条"),),
    ),
    Rule(
        id="R9.transfer",
        regime=Regime.COLLABORATIVE,
        basis=RuleBasis.LOCAL,
        owed="完成案件移送并制作移送回执（transfer the case, with a receipt listing materials）",
        owed_by=P.TRANSFER_SENDER,
        owed_to=P.TRANSFER_RECEIVER,
        starts=(E.COMPLAINT_RECEIVED, E.VIOLATION_DISCOVERED),
        ends=(E.TRANSFER_COMPLETED,),
        amount=5,
        unit=WD,
        citations=(Citation(ZENGDU, "第十三条"),),
        note="自收到投诉举报件或发现违法行为之日起算；法律法规另有规定的，从其规定。",
    ),
    Rule(
        id="R9.return_out_of_scope",
        regime=Regime.COLLABORATIVE,
        basis=RuleBasis.LOCAL,
        owed="退回不属于本部门职责的移送案件并书面说明理由（return an out-of-scope transfer）",
        owed_by=P.TRANSFER_RECEIVER,
        owed_to=P.TRANSFER_SENDER,
        starts=(E.TRANSFER_RECEIVED,),
        ends=(E.TRANSFER_RETURNED,),
        amount=5,
        unit=WD,
        citations=(Citation(ZENGDU, "第十四条第（三）项"),),
    ),
    Rule(
        id="R9.acceptance_reply",
        regime=Regime.COLLABORATIVE,
        basis=RuleBasis.LOCAL,
        owed="将受理结果回告移送部门（tell the sender whether the case was accepted）",
        owed_by=P.TRANSFER_RECEIVER,
        owed_to=P.TRANSFER_SENDER,
        starts=(E.ACCEPTANCE_DECIDED,),
        ends=(E.ACCEPTANCE_REPORTED,),
        amount=5,
        unit=WD,
        citations=(Citation(ZENGDU, "第十五条"),),
    ),
    Rule(
        id="R9.result_reply",
        regime=Regime.COLLABORATIVE,
        basis=RuleBasis.LOCAL,
        owed="将办理结果回告移送部门（tell the sender the result）",
        owed_by=P.TRANSFER_RECEIVER,
        owed_to=P.TRANSFER_SENDER,
        starts=(E.HANDLING_CONCLUDED,),
        ends=(E.RESULT_REPORTED,),
        amount=10,
        unit=WD,
        citations=(Citation(ZENGDU, "第十五条"),),
    ),
    Rule(
        id="R10.return_letter",
        regime=Regime.COLLABORATIVE,
        basis=RuleBasis.LOCAL,
        owed="退回超出本部门职能的协助办理函并说明原因（return an out-of-scope assistance letter）",
        owed_by=P.ASSISTING_DEPARTMENT,
        owed_to=P.REQUESTING_DEPARTMENT,
        starts=(E.LETTER_RECEIVED,),
        ends=(E.LETTER_RETURNED,),
        amount=5,
        unit=WD,
        citations=(Citation(ZENGDU, "第十七条"),),
    ),
    Rule(
        id="R6.publish_results",
        regime=Regime.COLLABORATIVE,
        basis=RuleBasis.LOCAL,
        owed="公布“双随机、一公开”联动执法结果（publish the double-random inspection results）",
        owed_by=P.SUPERVISION_OFFICE,
        owed_to=P.PUBLIC,
        starts=(E.ENFORCEMENT_ENDED,),
        ends=(E.RESULTS_PUBLISHED,),
        amount=10,
        unit=WD,
        citations=(Citation(XUANEN, "三（一）"), Citation(YUNNAN, "（七）")),
    ),
    Rule(
        id="R12.copy_to_host",
        regime=Regime.COLLABORATIVE,
        basis=RuleBasis.LOCAL,
        owed="将涉及客场评标专家的处理结果抄送评标客场所在地行政监督部门"
        "（copy results about host-site experts to the host site）",
        owed_by=P.HOME_SITE,
        owed_to=P.HOST_SITE,
        starts=(E.INVESTIGATION_ENDED,),
        ends=(E.COPIED_TO_HOST,),
        amount=7,
        unit=WD,
        citations=(Citation(YUNNAN, "（十二）"),),
    ),
    Rule(
        id="R13.publish_penalty",
        regime=Regime.COLLABORATIVE,
        basis=RuleBasis.LOCAL,
        owed="通过信用信息平台记录公布行政处罚（record and publish the penalty）",
        owed_by=P.PENALISING_DEPARTMENT,
        owed_to=P.PUBLIC,
        starts=(E.PENALTY_DECIDED,),
        ends=(E.PENALTY_PUBLISHED,),
        amount=7,
        unit=CD,
        holiday_end_moves=False,
        citations=(Citation(ZENGDU, "第九条"),),
        note="原文为“7日内”（日历日）；文件未规定期满遇节假日顺延，网上公布不受节假日影响，不顺延。",
    ),
    Rule(
        id="REMOTE.handover_records",
        regime=Regime.COLLABORATIVE,
        basis=RuleBasis.PRACTICE,
        owed="副场向主场移交纸质、电子及音视频资料（the host site hands over all records）",
        owed_by=P.HOST_SITE,
        owed_to=P.HOME_SITE,
        starts=(E.EVALUATION_ENDED,),
        ends=(E.RECORDS_HANDED_OVER,),
        amount=5,
        unit=WD,
        citations=(Citation(LIJIANG_PRACTICE, "（地方做法）"),),
        note="地方做法而非法定时限；各地协议可约定更短的承诺时限。",
    ),
    Rule(
        id="REMOTE.fault_repair",
        regime=Regime.COLLABORATIVE,
        basis=RuleBasis.PRACTICE,
        owed="评标过程中系统故障的排除，或封存资料、重新组建评标委员会（fix a fault during the "
        "evaluation, or seal the records and form a new committee）",
        owed_by=P.HOME_SITE,
        owed_to=P.TENDERER,
        starts=(E.FAULT_OCCURRED,),
        ends=(E.FAULT_RESOLVED,),
        amount=4,
        unit=H,
        citations=(Citation(REMOTE_FAULT_PRACTICE, "（地方做法）"),),
        note="按实际经过的小时计算，不看工作日；超过4小时未排除的，主场应封存资料并重新评标。",
    ),
    Rule(
        id="REMOTE.pre_start_decision",
        regime=Regime.COLLABORATIVE,
        basis=RuleBasis.PRACTICE,
        owed="评标开始前2小时以上发生故障的，由招标人作出决定并由主场记录（the tenderer decides "
        "on a fault more than 2 hours before the start; the home site records it）",
        owed_by=P.TENDERER,
        owed_to=P.HOME_SITE,
        starts=(E.FAULT_BEFORE_START,),
        ends=(E.TENDERER_DECIDED,),
        amount=2,
        unit=H,
        citations=(Citation(REMOTE_PRE_START_PRACTICE, "（地方做法）"),),
        note="做法未规定决定时限；本系统取2小时：故障在开始前2小时以上发生，2小时内作出决定即在"
        "原定开始时间之前，专家和各场地仍来得及按决定安排。",
    ),
    Rule(
        id="R17.report_upward",
        regime=Regime.COLLABORATIVE,
        basis=RuleBasis.PRACTICE,
        owed="向上级报送监管工作情况报告（submit the supervision report to the level above）",
        owed_by=P.REPORTING_UNIT,
        owed_to=P.SUPERIOR_LEVEL,
        starts=(E.REPORTING_PERIOD_ENDED,),
        ends=(E.REPORT_SUBMITTED,),
        amount=15,
        unit=WD,
        citations=(
            Citation(YUNNAN, "一（二）"),
            Citation(XUANEN, "二（一）8"),
            Citation(XINXIANG, "二（一）2"),
        ),
        note="文件只要求至少每年报告（述职），未规定报送时限；15个工作日为本系统默认值，"
        "省可承诺更短时限。",
    ),
)

RULES_BY_ID: Mapping[str, Rule] = MappingProxyType({rule.id: rule for rule in RULES})


def get_rule(rule_id: str) -> Rule:
    rule = RULES_BY_ID.get(rule_id)
    if rule is None:
        raise DeadlineError(
            DeadlineErrorCode.UNKNOWN_RULE,
            f"没有时限规则“{rule_id[:60]}”（no such deadline rule）",
        )
    return rule


def counting_start(rule: Rule, events: Mapping[ClockEvent, date]) -> date:
    """The date ``rule``'s period counts from, given the dates the matter's events happened on:
    the ``counted_from`` event where the rule dates back (acceptance to receipt), else the
    earliest of its start events that happened."""
    if rule.counted_from is not None and rule.counted_from in events:
        return events[rule.counted_from]
    happened = [events[e] for e in rule.starts if e in events]
    if not happened:
        names = "、".join(e.value for e in rule.starts)
        raise DeadlineError(
            DeadlineErrorCode.START_EVENT_MISSING,
            f"规则 {rule.id} 的起算事件（{names}）尚未发生"
            "（the clock's start event has not happened）",
        )
    return min(happened)


def check_pauses(rule: Rule, pauses: Iterable[Pause]) -> None:
    """Refuse a pause the rule does not allow, or one too many of a limited kind."""
    counts: dict[PauseReason, int] = {}
    for p in pauses:
        if p.reason not in rule.pauses:
            allowed = "、".join(sorted(r.value for r in rule.pauses)) or "无"
            raise DeadlineError(
                DeadlineErrorCode.PAUSE_NOT_ALLOWED,
                f"规则 {rule.id} 不因 {p.reason.value} 暂停计时，可暂停原因：{allowed}"
                "（this clock does not stop for that reason）",
            )
        counts[p.reason] = counts.get(p.reason, 0) + 1
        limit = rule.pause_limits.get(p.reason)
        if limit is not None and counts[p.reason] > limit:
            raise DeadlineError(
                DeadlineErrorCode.PAUSE_LIMIT_EXCEEDED,
                f"规则 {rule.id} 的 {p.reason.value} 至多 {limit} 次（一次性告知）"
                f"（at most {limit} such pause）",
            )


def rule_deadline(
    rule: Rule,
    calendar: WorkingCalendar,
    start: date,
    pauses: Iterable[Pause] = (),
    *,
    amount: int | None = None,
) -> Deadline:
    """The deadline ``rule`` sets for a clock counted from ``start`` (see ``counting_start``).
    ``amount`` replaces the rule's own (a checked local promise, ``promises.py``)."""
    pauses = tuple(pauses)
    check_pauses(rule, pauses)
    n = rule.amount if amount is None else amount
    if rule.unit is H:
        raise DeadlineError(
            DeadlineErrorCode.INSTANT_REQUIRED,
            f"规则 {rule.id} 按小时计算，从某一时刻起算（an hour clock counts from an instant）",
        )
    if rule.unit is WD:
        return add_working_days(calendar, start, n, pauses)
    return add_calendar_days(
        calendar, start, n, holiday_end_moves=rule.holiday_end_moves, pauses=pauses
    )
