from __future__ import annotations

from enum import StrEnum

from xietong.jurisdictions.enums import DepartmentKind


class Role(StrEnum):
    """A role is always held in a jurisdiction (the Casbin domain)."""

    SUPERVISION_OFFICE = "supervision_office"  # 公管办
    INDUSTRY_SUPERVISOR = "industry_supervisor"  # 行业监管 (财政 for procurement)
    TRADING_CENTRE = "trading_centre"  # 交易中心
    DISCIPLINE_INSPECTION = "discipline_inspection"  # 纪检监察
    AUDIT = "audit"  # 审计
    POLICE_LIAISON = "police_liaison"  # 公安联络
    LEADERSHIP = "leadership"  # 领导 (read and roll up)
    ENFORCEMENT_OFFICER = "enforcement_officer"  # 执法人员 (officer pool)
    INTEGRATOR = "integrator"  # 系统对接方 (API keys only)
    PUBLIC = "public"  # 社会公众 (anonymous)


# Which roles a person in a department of each kind may hold. Officer-pool membership adds
# ENFORCEMENT_OFFICER on top, derived rather than declared.
ROLES_BY_KIND: dict[DepartmentKind, frozenset[Role]] = {
    DepartmentKind.SUPERVISION_OFFICE: frozenset({Role.SUPERVISION_OFFICE}),
    DepartmentKind.INDUSTRY: frozenset({Role.INDUSTRY_SUPERVISOR}),
    DepartmentKind.FINANCE: frozenset({Role.INDUSTRY_SUPERVISOR}),
    DepartmentKind.TRADING_CENTRE: frozenset({Role.TRADING_CENTRE}),
    DepartmentKind.DISCIPLINE_INSPECTION: frozenset({Role.DISCIPLINE_INSPECTION}),
    DepartmentKind.AUDIT: frozenset({Role.AUDIT}),
    DepartmentKind.POLICE: frozenset({Role.POLICE_LIAISON}),
    DepartmentKind.LEADERSHIP: frozenset({Role.LEADERSHIP}),
    DepartmentKind.OTHER: frozenset(),
}

# Roles a tenant file may declare (integrator and public are not people's roles).
DECLARABLE_ROLES = frozenset(r for roles in ROLES_BY_KIND.values() for r in roles)
