from __future__ import annotations

import strawberry

from xietong.access import actions, roles

strawberry.enum(
    roles.Role,
    description="A role, always held in a jurisdiction: 公管办 SUPERVISION_OFFICE, 行业监管 "
    "INDUSTRY_SUPERVISOR, 交易中心 TRADING_CENTRE, 纪检监察 DISCIPLINE_INSPECTION, 审计 AUDIT, "
    "公安联络 POLICE_LIAISON, 领导 LEADERSHIP, 执法人员 ENFORCEMENT_OFFICER, 系统对接 "
    "INTEGRATOR, 社会公众 PUBLIC.",
)
strawberry.enum(
    actions.Action,
    name="AccessAction",
    description="What can be done to an object (read, roll up, accept, transfer, decide, "
    "penalise, manage…). Casework actions need a role in the object's own jurisdiction; "
    "reading and rolling up reach the whole subtree.",
)
strawberry.enum(actions.ObjectType, description="Kinds of objects access decisions are about.")
