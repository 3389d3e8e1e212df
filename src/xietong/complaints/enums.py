"""The complaint context's vocabularies. Values are stable identifiers (stored, in the API);
``zh`` is what a clerk reads."""

from __future__ import annotations

from enum import StrEnum

from xietong.deadlines.enums import Regime
from xietong.trading.enums import LabelledEnum


class ComplaintRegime(LabelledEnum):
    """Which legal regime a complaint falls under; it decides the clocks and the refusal grounds."""

    TENDERING = "tendering", "工程建设招投标"
    """招标投标法实施条例 Art. 60-62 and 七部委11号令: the industry department handles it."""
    PROCUREMENT = "procurement", "政府采购"
    """财政部94号令: the finance department handles it."""
    OTHER = "other", "其他"
    """Land, mining rights, state property and other reports: only the seeds' clocks (R-7)."""

    @property
    def deadline_regime(self) -> Regime | None:
        """The rules table's regime whose clocks apply (besides the collaborative ones)."""
        return _DEADLINE_REGIME[self]


_DEADLINE_REGIME = {
    ComplaintRegime.TENDERING: Regime.TENDERING,
    ComplaintRegime.PROCUREMENT: Regime.PROCUREMENT,
    ComplaintRegime.OTHER: None,
}


class ComplaintCategory(LabelledEnum):
    """What the complaint is about (投诉事项类别)."""

    TENDER_DOCUMENTS = "tender_documents", "招标（采购）文件"
    QUALIFICATION = "qualification", "资格审查"
    EVALUATION = "evaluation", "开标评标（评审）"
    AWARD = "award", "中标（成交）结果"
    COLLUSION = "collusion", "串通投标"
    FRAUD = "fraud", "弄虚作假"
    CONTRACT = "contract", "合同签订与履约"
    OFFICIAL_CONDUCT = "official_conduct", "监管人员、评标专家行为"
    OTHER = "other", "其他"


class ComplaintStatus(LabelledEnum):
    """Where a complaint stands; the moves between these are ``transitions.TRANSITIONS``."""

    RECEIVED = "received", "已收到（待上报）"
    """At a department that is not the office: it must report it to the office (R-7)."""
    AT_OFFICE = "at_office", "待交办"
    """With the supervision office, to be handed to the competent department."""
    ASSIGNED = "assigned", "已交办（待受理）"
    """With the competent department, which reviews whether to accept it."""
    CORRECTION = "correction", "待补正"
    """The complainant was asked once to complete the complaint (补正); the clock is paused."""
    ACCEPTED = "accepted", "已受理（办理中）"
    EXAMINATION = "examination", "检验检测鉴定中"
    """Testing, appraisal or expert review: time not counted."""
    DECIDED = "decided", "已作出处理决定"
    REFUSED = "refused", "不予受理"
    REDIRECTED = "redirected", "已告知向有管辖权的部门投诉"
    CLOSED = "closed", "已办结"
    """The result was fed back to the office (or the office itself concluded it)."""


class ComplaintOutcome(LabelledEnum):
    """How the matter ended (kept when the complaint is closed)."""

    DECIDED = "decided", "作出处理决定"
    REFUSED = "refused", "不予受理"
    REDIRECTED = "redirected", "告知另行投诉"


class ComplaintAction(LabelledEnum):
    """A move in the transition table (``transitions.py``)."""

    REPORT = "report", "上报协同监管办公室"
    ASSIGN = "assign", "书面交办"
    ACCEPT = "accept", "受理"
    REQUEST_CORRECTION = "request_correction", "通知补正"
    RESUME = "resume", "恢复计时"
    PAUSE = "pause", "暂停计时（检验、检测、鉴定、专家评审）"
    REFUSE = "refuse", "不予受理"
    REDIRECT = "redirect", "告知向有管辖权的部门投诉"
    SUSPEND_PROCUREMENT = "suspend_procurement", "暂停采购活动"
    RESUME_PROCUREMENT = "resume_procurement", "恢复采购活动"
    NOTIFY_RESPONDENT = "notify_respondent", "发出投诉答复通知书"
    RESPONDENT_ANSWERED = "respondent_answered", "收到被投诉人答复"
    DECIDE = "decide", "作出处理决定"
    FEEDBACK = "feedback", "反馈处理结果"
    RATE = "rate", "评价"


class Party(StrEnum):
    """Who may make a move (the transition table's "who may")."""

    PUBLIC = "public"
    """The filer, holding the tracking code and its secret."""
    RECEIVING_DEPARTMENT = "receiving_department"
    """The department the complaint was filed with, when that is not the office."""
    OFFICE = "office"
    """The supervision office of the complaint's jurisdiction."""
    COMPETENT_DEPARTMENT = "competent_department"
    """The department the office handed the complaint to (谁主管谁监管)."""


class NoticeKind(LabelledEnum):
    """Documents sent to the complainant, generated from templates (``notices.py``)."""

    ACCEPTANCE = "acceptance", "受理通知书"
    REFUSAL = "refusal", "不予受理通知书"
    CORRECTION = "correction", "补正通知书"
    REDIRECT = "redirect", "告知书"
    DECISION = "decision", "投诉处理决定书"


class RefusalGround(LabelledEnum):
    """Coded legal grounds to refuse a complaint; ``grounds.GROUNDS`` says which regime allows
    each and where the law says so."""

    LATE = "late", "超过投诉期限"
    NOT_INTERESTED_PARTY = "not_interested_party", "投诉人不是利害关系人"
    NO_SPECIFIC_MATTER = "no_specific_matter", "投诉事项不具体且无有效线索"
    ANONYMOUS = "anonymous", "未署真实姓名和有效联系方式"
    ALREADY_DECIDED = "already_decided", "已作出处理决定且无新证据"
    IN_RECONSIDERATION_OR_LITIGATION = (
        "in_reconsideration_or_litigation",
        "已进入行政复议或行政诉讼程序",
    )
    NO_PRIOR_OBJECTION = "no_prior_objection", "应先提出异议（质疑）而未提出"
    BEYOND_QUERY_SCOPE = "beyond_query_scope", "投诉事项超出已质疑事项范围"
    NOT_CORRECTED = "not_corrected", "未按期补正或补正后仍不符合规定"
