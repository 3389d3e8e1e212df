from __future__ import annotations

from xietong.access.actions import Action, ObjectType
from xietong.access.roles import Role
from xietong.api.enums import graphql_enum

graphql_enum(
    Role,
    description="A role, always held in a jurisdiction: it reaches that unit's subtree for "
    "reading and rolling up, and that unit alone for casework.",
    values={
        Role.SUPERVISION_OFFICE: "综合监督部门（公管办 / 协同监管办公室）: the hub of a "
        "jurisdiction; receives complaints and leads and routes them, runs joint consultations, "
        "double-random draws, disclosure and rollups.",
        Role.INDUSTRY_SUPERVISOR: "行业监管部门（住建、交通运输、水利、农业农村…; 财政 for "
        "government procurement）: handles the complaints and cases of its own industry "
        "(谁主管谁监管), penalises, scores credit.",
        Role.TRADING_CENTRE: "公共资源交易中心: registers projects, witnesses trading, reports "
        "anomalies and leads.",
        Role.DISCIPLINE_INSPECTION: "纪检监察（纪委监委）: reads all trading data of its "
        "subtree; receives leads about officials.",
        Role.AUDIT: "审计（审计局）: reads all trading data of its subtree.",
        Role.POLICE_LIAISON: "公安联络（公安局）: receives leads about offences by non-officials.",
        Role.LEADERSHIP: "领导（管委会 / 领导小组）: reads rollups and reports.",
        Role.ENFORCEMENT_OFFICER: "执法人员（执法人员库成员, R-3）: drawn at random for "
        "inspections; held by every officer-pool member.",
        Role.INTEGRATOR: "系统对接方: a trading system or provincial platform calling the API "
        "with an API key.",
        Role.PUBLIC: "社会公众: anonymous callers; public data only.",
    },
)
graphql_enum(
    Action,
    name="AccessAction",
    description="What can be done to an object. Casework actions need a role in the object's "
    "own jurisdiction; reading and rolling up reach the whole subtree.",
    values={
        Action.READ: "查看: see the object.",
        Action.ROLLUP: "汇总: aggregate figures over a subtree.",
        Action.RECEIVE_ESCALATION: "接收督办: be told of overdue work below (R-18).",
        Action.EXPLAIN: "解释权限: ask why someone may or may not act on an object.",
        Action.MANAGE: "管理: create, change and revoke (API keys, grants, officer availability).",
        Action.CREATE: "登记: register a new object (a project, a complaint…).",
        Action.REPORT: "报送: report to the office or upward (R-4, R-5, R-8, R-17).",
        Action.ACCEPT: "受理: accept a complaint or a transferred case (R-7, R-9).",
        Action.TRANSFER: "移送 / 转办: hand a complaint, lead or case to the competent body "
        "(R-7, R-8, R-9).",
        Action.HANDLE: "办理: work on a complaint, case or assistance letter (R-9, R-10).",
        Action.VERIFY: "核查: verify a lead, alone or jointly (R-8).",
        Action.DECIDE: "作出处理决定: decide a complaint or case.",
        Action.PENALISE: "行政处罚: impose an administrative penalty.",
        Action.INVESTIGATE: "立案调查: open and conduct an investigation.",
        Action.SCORE: "信用记分: record and score credit (R-13).",
        Action.PUBLISH: "公开 / 公示: publish results, penalties and disclosures (R-6, R-13, "
        "R-15).",
        Action.CONVENE: "召集: call a joint consultation (R-1) or joint enforcement (R-11).",
        Action.SUPERVISE: "监督: supervise a project's trading and contract performance.",
    },
)
graphql_enum(
    ObjectType,
    description="Kinds of objects access decisions are about. Kinds marked planned have no "
    "queries yet; the power catalogue already names what may be done to them.",
    values={
        ObjectType.PERSON: "人员: someone working in a department.",
        ObjectType.OFFICER_POOL: "执法人员库: the officer pool (R-3).",
        ObjectType.API_KEY: "接口密钥: an integrator's API key.",
        ObjectType.GRANT: "授权: narrow, expiring access to one object for another jurisdiction.",
        ObjectType.AUDIT_EVENT: "审计事件: an entry of the hash-chained audit trail (R-15).",
        ObjectType.ACCESS: "访问决定: explanations of who may do what.",
        ObjectType.PROJECT: "交易项目: a project traded in a centre, with its bids, award, "
        "contract and reports.",
        ObjectType.COMPLAINT: "投诉举报: a complaint or report (R-7; planned).",
        ObjectType.LEAD: "问题线索: a lead (R-8; planned).",
        ObjectType.CASE: "案件: a case, transferred with a receipt (R-9; planned).",
        ObjectType.INSPECTION: "抽查检查: a double-random or joint inspection (R-6, R-11; "
        "planned).",
        ObjectType.CREDIT_RECORD: "信用记录: a credit record, score or blacklist entry (R-13; "
        "planned).",
        ObjectType.ROLLUP: "汇总: figures rolled up over a subtree (planned).",
        ObjectType.REPORT: "报表 / 报告: a report to the level above (R-17; planned).",
        ObjectType.DISCLOSURE: "信息公开: a published disclosure (R-15; planned).",
        ObjectType.CONSULTATION: "联席会议 / 会商会议: a joint consultation (R-1; planned).",
        ObjectType.OBLIGATION: "法定时限: a statutory clock running in a matter (who owes what "
        "by when); overdue ones are escalated upward (R-18).",
        ObjectType.EXPERT: "评标专家: an evaluation expert of a province's library.",
        ObjectType.APPROVED_PROJECT: "审批项目: an approved investment project (应进必进, R-16).",
        ObjectType.EVALUATION: "远程异地评标场次: a remote cross-region evaluation session (R-12).",
        ObjectType.EVALUATION_INVESTIGATION: "专家行为调查: an investigation of expert conduct in "
        "an evaluation, copied to the host sites concerned (R-12).",
    },
)
