from __future__ import annotations

from enum import StrEnum


class Qualification(StrEnum):
    """How an officer-pool member is qualified (YUNNAN 五: classified by 执法资质)."""

    ENFORCEMENT_CERTIFICATE = "enforcement_certificate"  # 行政执法资格
    POLICE_OFFICER = "police_officer"  # 人民警察执法资格
    DAILY_SUPERVISION = "daily_supervision"  # 从事日常监管工作的人员


class Speciality(StrEnum):
    """What an officer-pool member knows best (业务专长); industries plus three of its own."""

    TENDERING = "tendering"  # 招投标综合监管
    PROCUREMENT = "procurement"  # 政府采购
    CRIMINAL_INVESTIGATION = "criminal_investigation"  # 经济犯罪侦查
    HOUSING = "housing"
    TRANSPORT = "transport"
    WATER = "water"
    AGRICULTURE = "agriculture"
    NATURAL_RESOURCES = "natural_resources"
    FORESTRY = "forestry"
    ECOLOGY = "ecology"
    HEALTH = "health"
    EDUCATION = "education"
    DEVELOPMENT_REFORM = "development_reform"
