"""R-16: a project may not enter trading without a supervising department (谁主管谁监管).

The supervisor is chosen among the departments of the project's jurisdiction by the industry the
project's category implies — finance (政府采购) for government procurement, natural resources for
land and mining rights, the project's own industry for construction — or is named explicitly. A
department supervises only if its published power list (R-2, ``policies/powers.yaml``) names a power
allowing ``project:supervise`` for that industry; otherwise ``POWER_NOT_LISTED``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from xietong.access.actions import Action, ObjectType
from xietong.access.powers import Catalogue, Power, catalogue
from xietong.jurisdictions.enums import DepartmentKind, Industry
from xietong.trading.enums import ProjectCategory
from xietong.trading.errors import TradingError, TradingErrorCode

INDUSTRY_OF_CATEGORY: dict[ProjectCategory, Industry] = {
    ProjectCategory.GOVERNMENT_PROCUREMENT: Industry.PROCUREMENT,  # 政府采购法第十三条: 财政
    ProjectCategory.LAND_USE_RIGHTS: Industry.NATURAL_RESOURCES,
    ProjectCategory.MINING_RIGHTS: Industry.NATURAL_RESOURCES,
}
"""Categories whose supervising industry is fixed; the others take the project's industry."""

SUPERVISING_KINDS = frozenset({DepartmentKind.INDUSTRY, DepartmentKind.FINANCE})


@dataclass(frozen=True, slots=True)
class DepartmentView:
    """What the rule needs to know of a department: a row of the jurisdiction's directory."""

    key: str
    name: str
    kind: DepartmentKind
    industry: Industry | None
    """As stored: finance departments carry ``procurement``."""
    powers: frozenset[str]
    """Codes of the powers on its published list."""


@dataclass(frozen=True, slots=True)
class Assignment:
    """A department assigned to supervise, and the published power that entitles it."""

    department: DepartmentView
    power: Power
    named: bool
    """True when the caller named the department; False when the rule chose it."""


def required_industry(category: ProjectCategory, industry: Industry | None) -> Industry | None:
    """The industry whose department supervises; None when only a named department can."""
    fixed = INDUSTRY_OF_CATEGORY.get(category)
    if fixed is not None:
        return fixed
    if category is ProjectCategory.CONSTRUCTION and industry is Industry.PROCUREMENT:
        return None  # works bought under the procurement law are category 政府采购, not this
    return industry


def supervising_power(
    department: DepartmentView, industry: Industry | None, powers: Catalogue
) -> Power | None:
    """The power on the department's list that lets it supervise projects of ``industry``."""
    for power in powers.allowing(ObjectType.PROJECT, Action.SUPERVISE):
        if power.code not in department.powers:
            continue
        if not power.applies_to(department.kind, department.industry):
            continue  # a power the department cannot hold (a bad list) entitles nothing
        if industry is None or not power.industries or industry in power.industries:
            return power
    return None


def assign_supervisors(
    *,
    category: ProjectCategory,
    industry: Industry | None,
    departments: Sequence[DepartmentView],
    named: Sequence[str] = (),
    powers: Catalogue | None = None,
) -> tuple[Assignment, ...]:
    """The supervising departments of a project (R-16), or ``TradingError``.

    ``departments`` are the active departments of the project's jurisdiction; ``named`` are keys
    of departments the caller assigns explicitly (each must be among them and hold the matching
    power). Without ``named``, the one department of the required industry is assigned.
    """
    powers = powers or catalogue()
    needed = required_industry(category, industry)
    if named:
        by_key = {d.key: d for d in departments}
        assignments = []
        for index, key in enumerate(dict.fromkeys(named)):
            department = by_key.get(key)
            if department is None:
                raise TradingError(
                    TradingErrorCode.UNKNOWN_DEPARTMENT,
                    f"“{key[:64]}”不是项目所在辖区的部门（not a department of the project's "
                    "jurisdiction）",
                    field=f"supervisors.{index}",
                )
            power = supervising_power(department, needed, powers)
            if power is None:
                raise _power_not_listed(department, category, needed, f"supervisors.{index}")
            assignments.append(Assignment(department, power, named=True))
        return tuple(assignments)

    if needed is None:
        if category in (ProjectCategory.CONSTRUCTION, ProjectCategory.OTHER):
            raise TradingError(
                TradingErrorCode.INDUSTRY_REQUIRED,
                f"{category.zh}项目须注明所属行业或指定监管部门，才能确定“谁主管谁监管”"
                "（give the project's industry or name its supervising department）",
                field="industry",
            )
        raise TradingError(
            TradingErrorCode.NO_SUPERVISOR,
            f"{category.zh}项目的监管部门须明确指定（name the supervising department of a "
            f"{category.value} project）",
            field="supervisors",
        )
    candidates = [d for d in departments if d.kind in SUPERVISING_KINDS and d.industry is needed]
    if not candidates:
        raise TradingError(
            TradingErrorCode.NO_SUPERVISOR,
            f"项目所在辖区没有主管“{INDUSTRY_ZH[needed]}”的部门，项目不得进场交易"
            f"（no department of the jurisdiction supervises {needed.value}; R-16）",
            field="supervisors",
        )
    if len(candidates) > 1:
        names = "、".join(d.name for d in candidates)
        raise TradingError(
            TradingErrorCode.AMBIGUOUS_SUPERVISOR,
            f"多个部门主管该行业（{names}），请指定监管部门"
            "（several departments supervise this industry; name one）",
            field="supervisors",
        )
    department = candidates[0]
    power = supervising_power(department, needed, powers)
    if power is None:
        raise _power_not_listed(department, category, needed, "supervisors")
    return (Assignment(department, power, named=False),)


def _power_not_listed(
    department: DepartmentView,
    category: ProjectCategory,
    industry: Industry | None,
    field: str,
) -> TradingError:
    what = INDUSTRY_ZH[industry] if industry else category.zh
    return TradingError(
        TradingErrorCode.POWER_NOT_LISTED,
        f"{department.name}的权责清单没有监督“{what}”项目的事项，不能作为监管部门"
        f"（the department's published power list has no power to supervise "
        f"{industry.value if industry else category.value} projects; R-2, R-16）",
        field=field,
        department=department.key,
    )


INDUSTRY_ZH: dict[Industry, str] = {
    Industry.HOUSING: "住房和城乡建设",
    Industry.TRANSPORT: "交通运输",
    Industry.WATER: "水利",
    Industry.AGRICULTURE: "农业农村",
    Industry.NATURAL_RESOURCES: "自然资源和规划",
    Industry.FORESTRY: "林业",
    Industry.ECOLOGY: "生态环境",
    Industry.HEALTH: "卫生健康",
    Industry.EDUCATION: "教育",
    Industry.DEVELOPMENT_REFORM: "发展和改革",
    Industry.PROCUREMENT: "政府采购",
}
