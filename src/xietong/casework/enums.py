"""The casework vocabularies. Values are stable identifiers (stored, in the API); ``zh`` is what a
clerk reads."""

from __future__ import annotations

from xietong.trading.enums import LabelledEnum


class TransferStatus(LabelledEnum):
    """Where a case transfer (案件移送, R-9) stands; moves are ``transitions.TRANSFER_MOVES``."""

    SENT = "sent", "已移送待签收"
    RECEIVED = "received", "已签收"
    ACCEPTED = "accepted", "已受理"
    RETURNED = "returned", "已退回"
    FORWARDED = "forwarded", "已转送有管辖权的层级"
    REPORTED = "reported", "已回告办理结果"
    CLOSED = "closed", "已办结"


class TransferMove(LabelledEnum):
    """A move of a case transfer: who makes it is in ``transitions.TRANSFER_MOVES``."""

    RECEIVE = "receive", "签收（回执）"
    ACCEPT = "accept", "受理并回告"
    RETURN = "return", "退回并书面说明理由"
    FORWARD = "forward", "转送有管辖权的层级并告知移送部门"
    REPORT = "report", "回告办理结果"
    CLOSE = "close", "办结"


class TransferGround(LabelledEnum):
    """Why a case is transferred: the measures outside the sender's duties (ZENGDU 12)."""

    NOT_COMPETENT = "not_competent", "不属本部门管辖"
    SUSPENSION = "suspension", "需责令停业整顿"
    QUALIFICATION = "qualification", "需降低资质等级或吊销资质证书、执业资格"
    LICENCE = "licence", "需吊销营业执照"
    LAND_TRANSFER = "land_transfer", "需停止国有土地使用权、矿业权出让"
    PAYMENT = "payment", "需停止拨付资金"
    TRADING_BAN = "trading_ban", "需限制进入公共资源交易市场"
    CRIME = "crime", "涉嫌犯罪"
    OTHER = "other", "其他需其他机关处理的事项"


class LeadSource(LabelledEnum):
    """Where a lead (问题线索, R-8) came from."""

    WITNESSING = "witnessing", "交易见证"
    MONITORING = "monitoring", "数据监测"
    RANDOM_INSPECTION = "random_inspection", "双随机抽查"
    SPECIAL_INSPECTION = "special_inspection", "专项检查"
    COMPLAINT = "complaint", "投诉举报"


class LeadStatus(LabelledEnum):
    """Where a lead stands."""

    REGISTERED = "registered", "已登记"
    TRANSFERRED = "transferred", "已移交主管部门"
    VERIFYING = "verifying", "联合核查中"
    DISPOSED = "disposed", "已处置"


class LeadDisposition(LabelledEnum):
    """How a lead ends (XUANEN 三(三); YUNNAN 十; ANYANG 四)."""

    PENALTY = "penalty", "由主管部门依法处罚"
    DISCIPLINE = "discipline", "移送纪检监察机关（公职人员）"
    POLICE = "police", "移送公安机关（非公职人员涉嫌犯罪）"
    UNFOUNDED = "unfounded", "查无实据"


class LetterStatus(LabelledEnum):
    """Where an assistance letter (协助办理函, R-10) stands."""

    SENT = "sent", "已发函待签收"
    RECEIVED = "received", "已签收"
    RETURNED = "returned", "已退回（超出职能范围）"
    ANSWERED = "answered", "已书面复函"
    CLOSED = "closed", "已办结"


class LetterMove(LabelledEnum):
    """A move of an assistance letter."""

    RECEIVE = "receive", "签收"
    RETURN = "return", "退回并说明原因"
    ANSWER = "answer", "协助办理并书面复函"
    CLOSE = "close", "办结"


class DocumentKind(LabelledEnum):
    """A document a casework move issues, as a ``.docx`` kept exactly as issued."""

    TRANSFER_LETTER = "transfer_letter", "案件移送函"
    RECEIPT = "receipt", "案件移送回执"
    RETURN_LETTER = "return_letter", "案件退回函"
    FORWARD_NOTICE = "forward_notice", "案件转送告知函"
    RESULT_REPLY = "result_reply", "案件办理结果回告函"
    ASSISTANCE_LETTER = "assistance_letter", "协助办理函"
    LETTER_RETURN = "letter_return", "协助办理函退回函"
    LETTER_REPLY = "letter_reply", "协助办理复函"
    LEAD_DISPOSITION = "lead_disposition", "问题线索处置决定书"
