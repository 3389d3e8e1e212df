"""The rollups' vocabularies as the API spells them, generated from the declared metrics."""

from __future__ import annotations

from enum import StrEnum

from xietong.rollups.metrics import METRICS
from xietong.rollups.service import JURISDICTION, PeriodKind

RollupMetric = StrEnum(  # type: ignore[misc]
    "RollupMetric", {m.name.upper(): m.name for m in METRICS}
)
"""One value per declared metric: declaring a metric adds it to the API."""

_DIMENSIONS: dict[str, str] = {}
for _m in METRICS:
    for _d in _m.dimensions:
        _DIMENSIONS.setdefault(_d.name, _d.zh)

RollupGroupBy = StrEnum(  # type: ignore[misc]
    "RollupGroupBy",
    {JURISDICTION.upper(): JURISDICTION, **{name.upper(): name for name in _DIMENSIONS}},
)
"""How a rollup breaks down: by the units directly below, or by a dimension of the metric."""

DIMENSION_ZH: dict[str, str] = {JURISDICTION: "下级行政区", **_DIMENSIONS}

__all__ = ["DIMENSION_ZH", "PeriodKind", "ReportStatus", "RollupGroupBy", "RollupMetric"]


class ReportStatus(StrEnum):
    """Where a periodic report stands with the level above."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    ACCEPTED = "accepted"


class ReportErrorCode(StrEnum):
    """Why a report mutation was refused."""

    NOT_FOUND = "NOT_FOUND"
    INVALID = "INVALID"
    WRONG_PERIOD = "WRONG_PERIOD"
    UNKNOWN_SECTION = "UNKNOWN_SECTION"
    REPORT_LOCKED = "REPORT_LOCKED"
    REASON_REQUIRED = "REASON_REQUIRED"
    NOT_SUBMITTED = "NOT_SUBMITTED"
    NOT_ACCEPTED = "NOT_ACCEPTED"
    CHILDREN_NOT_ACCEPTED = "CHILDREN_NOT_ACCEPTED"
    PARENT_SUBMITTED = "PARENT_SUBMITTED"
