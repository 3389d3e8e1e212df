from __future__ import annotations

from enum import StrEnum


class DeadlineUnit(StrEnum):
    """How a period is counted."""

    WORKING_DAYS = "working_days"  # 工作日: the official calendar, 调休 and local closures
    CALENDAR_DAYS = "calendar_days"  # 日: every day counts; the end may move (see Rule)
    HOURS = "hours"  # 小时: elapsed hours from the start instant (a fault during an evaluation)


class PauseReason(StrEnum):
    """Why a clock stops: time the law says is not counted (不计算在期限内)."""

    CORRECTION = "correction"  # 补正: the complainant completes the complaint
    TESTING = "testing"  # 检验、检测
    APPRAISAL = "appraisal"  # 鉴定
    EXPERT_REVIEW = "expert_review"  # 专家评审
    OBJECTION = "objection"  # 异议答复期间 (招标投标法实施条例 Art. 60)


class Regime(StrEnum):
    """Which body of rules a clock comes from."""

    TENDERING = "tendering"  # 工程建设招投标: 招标投标法实施条例, 七部委11号令
    PROCUREMENT = "procurement"  # 政府采购: 财政部94号令
    COLLABORATIVE = "collaborative"  # 协同监管: the local documents (seeds) and practice


class RuleBasis(StrEnum):
    """How binding a rule's period is."""

    LAW = "law"  # a statute, regulation or ministry order
    LOCAL = "local"  # a local normative document (规范性文件) of a seed jurisdiction
    PRACTICE = "practice"  # documented practice, no binding period: a default


class OwingParty(StrEnum):
    """Who owes (or is owed) what a clock measures, by role in the matter."""

    COMPLAINANT = "complainant"  # 投诉人 / 质疑供应商
    RESPONDENT = "respondent"  # 被投诉人: 招标人, 采购人, 采购代理机构
    RECEIVING_DEPARTMENT = "receiving_department"  # 收到投诉举报的部门
    SUPERVISION_OFFICE = "supervision_office"  # 协同监管办公室 / 公管办
    COMPETENT_DEPARTMENT = "competent_department"  # 有管辖权的行政监督部门 (财政 for 政府采购)
    TRANSFER_SENDER = "transfer_sender"  # 移送部门
    TRANSFER_RECEIVER = "transfer_receiver"  # 接受移送的部门
    REQUESTING_DEPARTMENT = "requesting_department"  # 发出协助办理函的部门
    ASSISTING_DEPARTMENT = "assisting_department"  # 协助办理部门
    HOME_SITE = "home_site"  # 项目所在地 (主场) 行政监督部门 / 交易中心
    HOST_SITE = "host_site"  # 评标客场 (副场) 行政监督部门 / 交易中心
    PENALISING_DEPARTMENT = "penalising_department"  # 作出行政处罚的部门
    TENDERER = "tenderer"  # 招标人 / 采购人
    PUBLIC = "public"  # 社会公众 (publication)
    REPORTING_UNIT = "reporting_unit"  # 报告单位
    SUPERIOR_LEVEL = "superior_level"  # 上级 (the level reported to)


class ClockEvent(StrEnum):
    """Events that start or meet a clock. Names say what happened, not who did it."""

    KNEW_OF_MATTER = "knew_of_matter"  # 知道或者应当知道
    OBJECTION_RECEIVED = "objection_received"  # 招标人收到异议
    OBJECTION_ANSWERED = "objection_answered"  # 异议答复
    QUERY_FILED = "query_filed"  # 提出质疑
    QUERY_RECEIVED = "query_received"  # 收到质疑函
    QUERY_ANSWERED = "query_answered"  # 质疑答复
    QUERY_ANSWER_PERIOD_ENDED = "query_answer_period_ended"  # 质疑答复期满
    COMPLAINT_FILED = "complaint_filed"  # 提起投诉
    COMPLAINT_RECEIVED = "complaint_received"  # 收到投诉 (书)
    COMPLAINT_ACCEPTED = "complaint_accepted"  # 受理
    ACCEPTANCE_DECIDED = "acceptance_decided"  # 决定是否受理 (受理 / 不予受理 / 告知另行投诉)
    REVIEW_CONCLUDED = "review_concluded"  # 审查完毕
    CORRECTION_REQUESTED = "correction_requested"  # 发出补正通知
    REFUSAL_NOTIFIED = "refusal_notified"  # 书面告知不予受理
    REDIRECT_NOTIFIED = "redirect_notified"  # 书面告知向有管辖权的部门投诉
    RESPONDENT_NOTIFIED = "respondent_notified"  # 发出投诉答复通知书及投诉书副本
    RESPONDENT_NOTICE_RECEIVED = "respondent_notice_received"  # 被投诉人收到通知书
    RESPONDENT_ANSWERED = "respondent_answered"  # 被投诉人作出说明
    DECISION_MADE = "decision_made"  # 作出 (书面) 处理决定
    SUSPENSION_NOTIFIED = "suspension_notified"  # 通知暂停采购活动
    PROCUREMENT_RESUMED = "procurement_resumed"  # 恢复采购活动
    REPORTED_TO_OFFICE = "reported_to_office"  # 上报协同监管办公室
    HANDED_TO_DEPARTMENT = "handed_to_department"  # 书面交办行业监管部门
    HANDLING_CONCLUDED = "handling_concluded"  # 处理完毕 (处理结果形成)
    RESULT_FED_BACK = "result_fed_back"  # 反馈处理结果
    VIOLATION_DISCOVERED = "violation_discovered"  # 发现违法行为
    TRANSFER_COMPLETED = "transfer_completed"  # 完成移送 (回执)
    TRANSFER_RECEIVED = "transfer_received"  # 收到移送案件材料
    TRANSFER_RETURNED = "transfer_returned"  # 退回案件材料并书面说明理由
    ACCEPTANCE_REPORTED = "acceptance_reported"  # 回告受理结果
    RESULT_REPORTED = "result_reported"  # 回告办理结果
    LETTER_RECEIVED = "letter_received"  # 收到协助办理函
    LETTER_RETURNED = "letter_returned"  # 退回协助办理函并说明原因
    ENFORCEMENT_ENDED = "enforcement_ended"  # 联动执法工作结束
    RESULTS_PUBLISHED = "results_published"  # 结果公布
    INVESTIGATION_ENDED = "investigation_ended"  # 调查处理工作结束
    COPIED_TO_HOST = "copied_to_host"  # 抄送评标客场所在地行政监督部门
    PENALTY_DECIDED = "penalty_decided"  # 作出行政处罚 (处理)
    PENALTY_PUBLISHED = "penalty_published"  # 记录公布
    EVALUATION_ENDED = "evaluation_ended"  # 评标结束
    RECORDS_HANDED_OVER = "records_handed_over"  # 移交纸质、电子及音视频资料
    FAULT_OCCURRED = "fault_occurred"  # 评标过程中发生故障
    FAULT_RESOLVED = "fault_resolved"  # 故障排除，或封存资料、重新组建评标委员会
    FAULT_BEFORE_START = "fault_before_start"  # 评标开始2小时以前发生故障
    TENDERER_DECIDED = "tenderer_decided"  # 招标人作出决定 (如期、延期或改为现场评标)
    REPORTING_PERIOD_ENDED = "reporting_period_ended"  # 报告期结束
    REPORT_SUBMITTED = "report_submitted"  # 报告报送


class OverrideKind(StrEnum):
    """What a jurisdiction's calendar override says about a day."""

    CLOSED = "closed"  # 不上班: a local holiday or closure (e.g. an extended holiday)
    OPEN = "open"  # 上班: a local make-up working day


class DaySource(StrEnum):
    """Where a day's status came from."""

    LIBRARY = "library"  # chinesecalendar, the maintained package
    LOADED = "loaded"  # a year an operator loaded from the State Council notice
    OVERRIDE = "override"  # a jurisdiction's override (tenant file)
    WEEKEND_RULE = "weekend_rule"  # nothing said: Monday to Friday work


class ObligationStatus(StrEnum):
    """Where an obligation stands (the obligations table of the next step stores it)."""

    OPEN = "open"
    MET = "met"
    OVERDUE = "overdue"
    CANCELLED = "cancelled"
