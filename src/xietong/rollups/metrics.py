"""Rollup metrics, declared once.

A metric says which rows it counts (a table, an optional joined parent, a filter), which month a
row falls in, the dimensions it can be broken down by and up to two sums it adds (``sum_a``,
``sum_b``). From that one declaration come:

- the trigger functions that keep ``rollup_counter`` exact in the writing transaction
  (``ddl.py``), one statement-level trigger per table and event;
- the ground truth, a plain ``GROUP BY`` over the base tables (``ground_truth_sql``), which the
  property test compares with the counters and the benchmark times as the naive query;
- the rebuild that fills counters from the base tables (a new metric, a repair).

Adding a metric is adding an entry to ``METRICS`` and a migration that calls
``ddl.install_statements()`` for it (``docs/rollups.md``).

Expressions are SQL over the row alias ``r`` (and ``p`` for the joined parent); they are written
here, by us, never from input. Dimension values are text; a NULL value is stored as ``''``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from xietong.complaints.enums import (
    ComplaintCategory,
    ComplaintOutcome,
    ComplaintRegime,
    ComplaintStatus,
)
from xietong.deadlines.rules import RULES
from xietong.trading.enums import LabelledEnum, ProjectCategory, ProjectState, TradingMethod
from xietong.trading.supervision import INDUSTRY_ZH

SHANGHAI = "Asia/Shanghai"

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def month_of_timestamp(column: str) -> str:
    """The China month (``yyyymm``) of a ``timestamptz`` column."""
    local = f"({column} AT TIME ZONE '{SHANGHAI}')"
    return f"(EXTRACT(YEAR FROM {local}) * 100 + EXTRACT(MONTH FROM {local}))::integer"


def month_of_date(column: str) -> str:
    """The month (``yyyymm``) of a ``date`` column (dates are already China dates)."""
    return f"(EXTRACT(YEAR FROM {column}) * 100 + EXTRACT(MONTH FROM {column}))::integer"


@dataclass(frozen=True, slots=True)
class Dimension:
    name: str
    """As the API spells it (lower case): ``category``, ``regime``…"""
    sql: str
    """A text expression over ``r``/``p``."""
    zh: str
    """The column heading in exports."""
    labels: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    """Each value's Chinese name, where the values are a vocabulary."""

    def label(self, value: str) -> str:
        if not value:
            return "（未填）"
        return self.labels.get(value, value)


@dataclass(frozen=True, slots=True)
class Join:
    """A parent row the metric reads dimensions or sums from (``p``). Its changes move the
    metric's counts too, so it gets triggers of its own."""

    table: str
    on: str
    """How ``r`` finds ``p`` (``p.id = r.project_id``)."""


@dataclass(frozen=True, slots=True)
class Metric:
    name: str
    zh: str
    table: str
    period: str
    """The row's month, ``yyyymm`` (``month_of_timestamp``/``month_of_date``); NULL: not counted."""
    description: str
    filter: str = "true"
    join: Join | None = None
    dimensions: tuple[Dimension, ...] = ()
    sum_a: str | None = None
    """A bigint expression summed into ``sum_a`` (money in fen)."""
    sum_a_name: str | None = None
    """The sum's name in the API (``budget``) and its Chinese heading."""
    sum_a_zh: str | None = None
    sum_b: str | None = None
    sum_b_name: str | None = None
    sum_b_zh: str | None = None
    tables: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        for word in (self.name, self.table, *(d.name for d in self.dimensions)):
            if not _NAME.match(word):
                raise ValueError(f"not a plain name: {word!r}")
        if self.join is not None and not _NAME.match(self.join.table):
            raise ValueError(f"not a plain name: {self.join.table!r}")
        tables = (self.table,) if self.join is None else (self.table, self.join.table)
        object.__setattr__(self, "tables", tables)

    def dimension(self, name: str) -> Dimension:
        for dim in self.dimensions:
            if dim.name == name:
                return dim
        raise KeyError(name)

    def rows_sql(self, source: str, sign: int, *, parent_source: str | None = None) -> str:
        """The metric's contributions of the rows of ``source`` (a transition table or the
        table itself) as ``sign``: one row per counted record with its code, month, dimension
        values and sums. ``parent_source`` replaces the joined table (its transition table)."""
        dims = "".join(f", COALESCE(({d.sql})::text, '') AS d_{d.name}" for d in self.dimensions)
        a = f"({self.sum_a})::bigint" if self.sum_a else "0::bigint"
        b = f"({self.sum_b})::bigint" if self.sum_b else "0::bigint"
        join = ""
        if self.join is not None:
            parent = parent_source or f"public.{self.join.table}"
            join = f" JOIN {parent} p ON {self.join.on}"
        return (
            f"SELECT {sign}::bigint AS sign, r.jurisdiction_code AS code, "
            f"{self.period} AS month{dims}, {a} AS a, {b} AS b "
            f"FROM {source} r{join} WHERE ({self.filter}) AND ({self.period}) IS NOT NULL"
        )

    def fold_sql(self, contributions: str) -> str:
        """Contributions folded into counter deltas, one per (code, month, dimension, value):
        the total (dimension ``''``) and one per declared dimension."""
        pairs = ", ".join(["('', '')", *(f"('{d.name}', x.d_{d.name})" for d in self.dimensions)])
        return (
            f"SELECT '{self.name}'::text AS metric, x.code AS jurisdiction_code, "
            f"x.code - x.code % 10000 AS province_code, x.month, d.dimension, d.value, "
            f"sum(x.sign)::bigint AS n, sum(x.sign * x.a)::bigint AS sum_a, "
            f"sum(x.sign * x.b)::bigint AS sum_b "
            f"FROM ({contributions}) x "
            f"CROSS JOIN LATERAL (VALUES {pairs}) AS d(dimension, value) "
            f"GROUP BY x.code, x.month, d.dimension, d.value"
        )

    def ground_truth_sql(self) -> str:
        """Every counter of this metric computed directly from the base tables."""
        return self.fold_sql(self.rows_sql(f"public.{self.table}", 1))


def _labels(enum: type[LabelledEnum]) -> Mapping[str, str]:
    return MappingProxyType({m.value: m.zh for m in enum})


_INDUSTRIES = MappingProxyType({i.value: zh for i, zh in INDUSTRY_ZH.items()})
_RULES = MappingProxyType({r.id: r.owed.split("（")[0] for r in RULES})
_YES_NO = MappingProxyType({"yes": "是", "no": "否"})
_TIMELINESS = MappingProxyType({"on_time": "按时", "late": "超时"})


def _project_dimensions(prefix: str) -> tuple[Dimension, ...]:
    return (
        Dimension("category", f"{prefix}.category", "项目类别", _labels(ProjectCategory)),
        Dimension("method", f"{prefix}.method", "交易方式", _labels(TradingMethod)),
        Dimension("industry", f"{prefix}.industry", "行业", _INDUSTRIES),
    )


_LATE = "CASE WHEN r.due_on IS NOT NULL AND r.met_on > r.due_on THEN 'late' ELSE 'on_time' END"

METRICS: tuple[Metric, ...] = (
    Metric(
        name="projects",
        zh="交易项目",
        table="project",
        period=month_of_timestamp("r.registered_at"),
        description="Projects registered in the month, with their budget (sum_a, fen).",
        dimensions=(
            *_project_dimensions("r"),
            Dimension("state", "r.state", "项目状态", _labels(ProjectState)),
            Dimension(
                "separated",
                "CASE WHEN r.separated_evaluation THEN 'yes' ELSE 'no' END",
                "评定分离",
                _YES_NO,
            ),
        ),
        sum_a="r.budget_fen",
        sum_a_name="budget",
        sum_a_zh="预算金额（元）",
    ),
    Metric(
        name="awards",
        zh="中标（成交）",
        table="award",
        join=Join("project", "p.id = r.project_id"),
        period=month_of_timestamp("r.awarded_at"),
        description=(
            "Awards made in the month: the award amount (sum_a) and the awarded projects' "
            "budget (sum_b), whose difference is the savings."
        ),
        dimensions=_project_dimensions("p"),
        sum_a="r.amount_fen",
        sum_a_name="award_amount",
        sum_a_zh="中标金额（元）",
        sum_b="p.budget_fen",
        sum_b_name="budget",
        sum_b_zh="预算金额（元）",
    ),
    Metric(
        name="contracts",
        zh="合同签订",
        table="contract",
        join=Join("project", "p.id = r.project_id"),
        period=month_of_timestamp("r.signed_at"),
        description="Contracts signed in the month, with their amount as signed (sum_a).",
        dimensions=_project_dimensions("p"),
        sum_a="r.amount_fen",
        sum_a_name="contract_amount",
        sum_a_zh="合同金额（元）",
    ),
    Metric(
        name="bids",
        zh="投标",
        table="bid",
        period=month_of_timestamp("r.submitted_at"),
        description="Bids submitted in the month.",
    ),
    Metric(
        name="complaints_received",
        zh="投诉受理登记",
        table="complaint",
        period=month_of_date("r.received_on"),
        description="Complaints received in the month, by regime, category and where they stand.",
        dimensions=(
            Dimension("regime", "r.regime", "适用制度", _labels(ComplaintRegime)),
            Dimension("category", "r.category", "投诉类别", _labels(ComplaintCategory)),
            Dimension("status", "r.status", "办理状态", _labels(ComplaintStatus)),
        ),
    ),
    Metric(
        name="complaints_accepted",
        zh="投诉受理",
        table="complaint",
        period=month_of_date("r.accepted_on"),
        description="Complaints accepted in the month.",
        dimensions=(Dimension("regime", "r.regime", "适用制度", _labels(ComplaintRegime)),),
    ),
    Metric(
        name="complaints_closed",
        zh="投诉办结",
        table="complaint",
        period=month_of_date("r.closed_on"),
        description="Complaints closed in the month, by how they ended.",
        dimensions=(
            Dimension("regime", "r.regime", "适用制度", _labels(ComplaintRegime)),
            Dimension("outcome", "r.outcome", "办理结果", _labels(ComplaintOutcome)),
        ),
    ),
    Metric(
        name="obligations_met",
        zh="法定时限履行",
        table="obligation",
        filter="r.status = 'met'",
        period=month_of_date("r.met_on"),
        description="Statutory clocks met in the month, on time or late, by rule and department.",
        dimensions=(
            Dimension("timeliness", _LATE, "是否按时", _TIMELINESS),
            Dimension("rule", "r.rule_id", "时限规则", _RULES),
            Dimension("department", "r.owing_department_id", "责任部门"),
        ),
    ),
    Metric(
        name="obligations_overdue",
        zh="法定时限超期",
        table="obligation",
        filter="r.status = 'overdue'",
        period=month_of_date("r.due_on"),
        description=(
            "Statutory clocks overdue now, by the month they fell due, rule and department."
        ),
        dimensions=(
            Dimension("rule", "r.rule_id", "时限规则", _RULES),
            Dimension("department", "r.owing_department_id", "责任部门"),
        ),
    ),
)

BY_NAME: dict[str, Metric] = {m.name: m for m in METRICS}


def metric(name: str) -> Metric:
    return BY_NAME[name]
