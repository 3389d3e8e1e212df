from __future__ import annotations

from enum import StrEnum


class JurisdictionLevel(StrEnum):
    """Administrative level under GB/T 2260."""

    PROVINCE = "province"
    CITY = "city"
    COUNTY = "county"  # also districts and county-level cities


class DepartmentKind(StrEnum):
    SUPERVISION_OFFICE = "supervision_office"  # 公管办 / 协同监管办公室
    INDUSTRY = "industry"  # 行业监管部门
    FINANCE = "finance"  # 财政局 (政府采购监管)
    TRADING_CENTRE = "trading_centre"  # 公共资源交易中心
    DISCIPLINE_INSPECTION = "discipline_inspection"  # 纪委监委
    AUDIT = "audit"  # 审计局
    POLICE = "police"  # 公安局
    LEADERSHIP = "leadership"  # 管委会 / 领导小组
    OTHER = "other"


class Industry(StrEnum):
    """Whose industry a department supervises (谁主管谁监管)."""

    HOUSING = "housing"  # 住房和城乡建设
    TRANSPORT = "transport"  # 交通运输
    WATER = "water"  # 水利
    AGRICULTURE = "agriculture"  # 农业农村
    NATURAL_RESOURCES = "natural_resources"  # 自然资源和规划
    FORESTRY = "forestry"  # 林业
    ECOLOGY = "ecology"  # 生态环境
    HEALTH = "health"  # 卫生健康
    EDUCATION = "education"  # 教育
    DEVELOPMENT_REFORM = "development_reform"  # 发展和改革
    PROCUREMENT = "procurement"  # 政府采购 (财政)


# Units that supply the officer pool and must each name at least two officers (XUANEN 二(一)1).
OFFICER_SUPPLYING_KINDS = frozenset(
    {
        DepartmentKind.SUPERVISION_OFFICE,
        DepartmentKind.INDUSTRY,
        DepartmentKind.FINANCE,
        DepartmentKind.POLICE,
    }
)
MIN_OFFICERS_PER_UNIT = 2
