"""谁主管谁监管: which department of the jurisdiction handles a complaint.

The office hands a complaint to the department that supervises the project's industry
(``xietong.trading.supervision``, the R-16 rule that assigns a project's supervisor): finance for
government procurement, natural resources for land and mining rights, the project's industry
for construction. The department must also hold a complaint-handling power on its published list
(R-2), or it could not accept what it is handed.
"""

from __future__ import annotations

from collections.abc import Sequence

from xietong.access.actions import Action, ObjectType
from xietong.access.powers import Catalogue, catalogue
from xietong.complaints.enums import ComplaintRegime
from xietong.complaints.errors import ComplaintError, ComplaintErrorCode
from xietong.jurisdictions.enums import Industry
from xietong.trading.enums import ProjectCategory
from xietong.trading.errors import TradingError, TradingErrorCode
from xietong.trading.supervision import DepartmentView, assign_supervisors

_CODES = {
    TradingErrorCode.NO_SUPERVISOR: ComplaintErrorCode.NO_COMPETENT_DEPARTMENT,
    TradingErrorCode.AMBIGUOUS_SUPERVISOR: ComplaintErrorCode.AMBIGUOUS_DEPARTMENT,
    TradingErrorCode.INDUSTRY_REQUIRED: ComplaintErrorCode.INDUSTRY_REQUIRED,
    TradingErrorCode.POWER_NOT_LISTED: ComplaintErrorCode.POWER_NOT_LISTED,
    TradingErrorCode.UNKNOWN_DEPARTMENT: ComplaintErrorCode.NOT_FOUND,
}
_FIELDS = {"supervisors": "departmentId", "industry": "industry"}


def project_category(regime: ComplaintRegime, category: ProjectCategory | None) -> ProjectCategory:
    """The project category routing goes by: fixed by the regime, else as given (default
    construction)."""
    if regime is ComplaintRegime.PROCUREMENT:
        return ProjectCategory.GOVERNMENT_PROCUREMENT
    if regime is ComplaintRegime.TENDERING:
        return ProjectCategory.CONSTRUCTION
    return category or ProjectCategory.OTHER


def competent_department(
    *,
    regime: ComplaintRegime,
    category: ProjectCategory | None,
    industry: Industry | None,
    departments: Sequence[DepartmentView],
    named: str | None = None,
    powers: Catalogue | None = None,
) -> DepartmentView:
    """The department to hand the complaint to, or a coded ``ComplaintError``."""
    powers = powers or catalogue()
    try:
        (assignment,) = assign_supervisors(
            category=project_category(regime, category),
            industry=industry,
            departments=departments,
            named=(named,) if named else (),
            powers=powers,
        )
    except TradingError as exc:
        field = (exc.field or "").split(".")[0]
        raise ComplaintError(
            _CODES.get(exc.error_code, ComplaintErrorCode.INVALID),
            exc.message,
            field=_FIELDS.get(field, field or None),
        ) from None
    department = assignment.department
    handling = [
        p
        for p in powers.allowing(ObjectType.COMPLAINT, Action.HANDLE)
        if p.code in department.powers and p.applies_to(department.kind, department.industry)
    ]
    if not handling:
        raise ComplaintError(
            ComplaintErrorCode.POWER_NOT_LISTED,
            f"{department.name}的权责清单没有投诉处理事项，不能交办（the department's published "
            "power list has no complaint-handling power; R-2）",
            field="departmentId",
        )
    return department
