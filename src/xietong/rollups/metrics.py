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

from xietong.casework.enums import (
    LeadDisposition,
    LeadSource,
    LeadStatus,
    LetterStatus,
    TransferGround,
    TransferStatus,
)
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

    def value_sql(self) -> str:
        """The record's value as counted: text, ``''`` where the expression is null."""
        return f"COALESCE(({self.sql})::text, '')"


def _bigint(expression: str | None) -> str:
    """A declared sum as a bigint expression; 0 where the metric declares none."""
    return f"({expression})::bigint" if expression else "0::bigint"


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
    unit: str = "r.jurisdiction_code"
    """The unit a record counts for: its own jurisdiction, or the other side's (a transfer as
    its receiver, a letter as its helper)."""
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
        dims = "".join(f", {d.value_sql()} AS d_{d.name}" for d in self.dimensions)
        a, b = _bigint(self.sum_a), _bigint(self.sum_b)
        join = ""
        if self.join is not None:
            parent = parent_source or f"public.{self.join.table}"
            join = f" JOIN {parent} p ON {self.join.on}"
        return (
            f"SELECT {sign}::bigint AS sign, {self.unit} AS code, "
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

    def entry_sql(self, slots: int) -> str:
        """The metric's part of one record ``r`` (and its parent ``p``), unsigned, as one
        ``VALUES`` row ``(metric, code, month, a, b, dimension_1, value_1, …)`` with ``slots``
        dimension pairs (NULL past the metric's own); ``month`` is NULL when the record is not
        counted (outside the filter, or no month). The trigger functions list every metric of
        a table in one ``VALUES`` and expand each row into its total and dimension counters
        (``ddl``), so a statement scans its rows once and computes each month once."""
        if slots < len(self.dimensions):
            raise ValueError(f"{self.name} has {len(self.dimensions)} dimensions")
        month = (
            self.period
            if self.filter == "true"
            else f"CASE WHEN ({self.filter}) THEN {self.period} END"
        )
        a, b = _bigint(self.sum_a), _bigint(self.sum_b)
        pairs = [f"'{d.name}'::text, {d.value_sql()}" for d in self.dimensions]
        pairs += ["NULL::text, NULL::text"] * (slots - len(self.dimensions))
        return (
            f"('{self.name}'::text, ({self.unit})::integer, ({month})::integer, {a}, {b}"
            f"{''.join(', ' + pair for pair in pairs)})"
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


_SESSION_STATES = MappingProxyType(
    {
        "scheduled": "已安排",
        "started": "评标中",
        "paused": "暂停",
        "finished": "评标结束",
        "aborted": "终止",
    }
)


def _yes_no(condition: str) -> str:
    return f"CASE WHEN {condition} THEN 'yes' ELSE 'no' END"


_LEAD_SOURCE = Dimension("source", "r.source", "线索来源", _labels(LeadSource))
_GROUND = Dimension("ground", "r.ground", "移送事由", _labels(TransferGround))
_TRANSFER_STATUS = Dimension("status", "r.status", "办理状态", _labels(TransferStatus))
_LETTER_STATUS = Dimension("status", "r.status", "办理状态", _labels(LetterStatus))
# Whether the other side is in another province. Both sides know each other from the send on
# (the letter names both), so this reveals nothing either side's superiors could not read.
_TRANSFER_ACROSS = Dimension(
    "cross_province", _yes_no("r.receiver_province_code <> r.province_code"), "跨省", _YES_NO
)
_LETTER_ACROSS = Dimension(
    "cross_province", _yes_no("r.helper_province_code <> r.province_code"), "跨省", _YES_NO
)
_RECEIVER = "r.receiver_jurisdiction_code"
_HELPER = "r.helper_jurisdiction_code"

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
    # --- 应进未进 (R-16, XINXIANG 18): the dated snapshot the daily job takes -------------------
    # A stock, not a flow: each day's snapshot lists the same overdue projects again, so only
    # the snapshot of a month's first day counts — the month's figure is the list as it stood
    # that day (a longer period adds its months' standings: project-months not entered).
    Metric(
        name="projects_not_entered",
        zh="应进未进项目",
        table="not_entered_snapshot",
        filter="EXTRACT(DAY FROM r.taken_on) = 1",
        period=month_of_date("r.taken_on"),
        description=(
            "Approved projects that should have entered trading but had not, as the unit's "
            "snapshot stood on the month's first day, with their investment (sum_a, fen)."
        ),
        dimensions=(
            Dimension("category", "r.category", "项目类别", _labels(ProjectCategory)),
            Dimension("industry", "r.industry", "行业", _INDUSTRIES),
        ),
        sum_a="r.amount_fen",
        sum_a_name="amount",
        sum_a_zh="投资额（元）",
    ),
    # --- leads (R-8) ---------------------------------------------------------------------------
    Metric(
        name="leads_received",
        zh="问题线索登记",
        table="lead",
        period=month_of_timestamp("r.created_at"),
        description="Leads registered in the month, by source, where they stand, and seriousness.",
        dimensions=(
            _LEAD_SOURCE,
            Dimension("status", "r.status", "办理状态", _labels(LeadStatus)),
            Dimension("serious", _yes_no("r.serious"), "重大线索", _YES_NO),
        ),
    ),
    Metric(
        name="leads_transferred",
        zh="问题线索移交",
        table="lead",
        period=month_of_date("r.transferred_on"),
        description="Leads transferred to the competent department in the month, by source.",
        dimensions=(_LEAD_SOURCE,),
    ),
    Metric(
        name="leads_disposed",
        zh="问题线索处置",
        table="lead",
        period=month_of_date("r.disposed_on"),
        description="Leads disposed of in the month, by source and disposition.",
        dimensions=(
            _LEAD_SOURCE,
            Dimension("disposition", "r.disposition", "处置方式", _labels(LeadDisposition)),
        ),
    ),
    # --- case transfers: the sender's side, then the receiver's --------------------------
    Metric(
        name="transfers_sent",
        zh="案件移送（移送方）",
        table="case_transfer",
        period=month_of_date("r.sent_on"),
        description="Cases the unit transferred out in the month, by ground and where they stand.",
        dimensions=(_GROUND, _TRANSFER_STATUS, _TRANSFER_ACROSS),
    ),
    Metric(
        name="transfers_sent_returned",
        zh="移送案件被退回（移送方）",
        table="case_transfer",
        period=month_of_date("r.returned_on"),
        description="The unit's transferred cases returned to it in the month, by ground.",
        dimensions=(_GROUND,),
    ),
    Metric(
        name="transfers_sent_closed",
        zh="移送案件办结（移送方）",
        table="case_transfer",
        period=month_of_date("r.closed_on"),
        description="The unit's transferred cases it closed in the month, by ground.",
        dimensions=(_GROUND,),
    ),
    Metric(
        name="transfers_received",
        zh="案件移送（接收方）",
        table="case_transfer",
        unit=_RECEIVER,
        period=month_of_date("r.received_on"),
        description=(
            "Cases transferred to the unit and signed for in the month (counted for the "
            "receiver), by ground and where they stand."
        ),
        dimensions=(_GROUND, _TRANSFER_STATUS, _TRANSFER_ACROSS),
    ),
    Metric(
        name="transfers_received_returned",
        zh="退回移送案件（接收方）",
        table="case_transfer",
        unit=_RECEIVER,
        period=month_of_date("r.returned_on"),
        description="Transferred cases the unit returned to the sender in the month, by ground.",
        dimensions=(_GROUND,),
    ),
    Metric(
        name="transfers_received_completed",
        zh="移送案件办理结果回告（接收方）",
        table="case_transfer",
        unit=_RECEIVER,
        period=month_of_date("r.reported_on"),
        description=(
            "Transferred cases whose result the unit reported back in the month (completed "
            "as receiver), by ground."
        ),
        dimensions=(_GROUND,),
    ),
    # --- assistance letters (R-10) -------------------------------------------------------------
    Metric(
        name="letters_sent",
        zh="协助办理函（发函方）",
        table="assistance_letter",
        period=month_of_date("r.sent_on"),
        description="Assistance letters the unit sent in the month, by where they stand.",
        dimensions=(_LETTER_STATUS, _LETTER_ACROSS),
    ),
    Metric(
        name="letters_received",
        zh="协助办理函（协助方）",
        table="assistance_letter",
        unit=_HELPER,
        period=month_of_date("r.received_on"),
        description=(
            "Assistance letters signed for by the unit in the month (counted for the helper), "
            "by where they stand."
        ),
        dimensions=(_LETTER_STATUS, _LETTER_ACROSS),
    ),
    Metric(
        name="letters_answered",
        zh="协助办理复函（协助方）",
        table="assistance_letter",
        unit=_HELPER,
        period=month_of_date("r.answered_on"),
        description="Assistance letters the unit answered in writing in the month.",
        dimensions=(_LETTER_ACROSS,),
    ),
    Metric(
        name="letters_returned",
        zh="协助办理函退回（超出职能，协助方）",
        table="assistance_letter",
        unit=_HELPER,
        period=month_of_date("r.returned_on"),
        description="Assistance letters the unit returned as outside its duties in the month.",
        dimensions=(_LETTER_ACROSS,),
    ),
    # --- remote evaluation (R-12) --------------------------------------------------------------
    # A session counts for its home site's unit here, and separately for each host site's unit
    # (below). Sealed before the start: the home's metric has no dimension naming a host, and
    # the host's none naming the project (category, method, industry) or the home — a host's
    # counter says no more than its own site row, which its unit reads from scheduling on.
    Metric(
        name="evaluations_home",
        zh="远程异地评标（主场）",
        table="evaluation_session",
        period=month_of_timestamp("r.scheduled_start"),
        description="Remote evaluation sessions the unit is home to, by scheduled start and state.",
        dimensions=(Dimension("session_state", "r.state", "评标状态", _SESSION_STATES),),
    ),
    Metric(
        name="evaluations_hosted",
        zh="远程异地评标（副场）",
        table="evaluation_site",
        filter="r.role = 'host'",
        period=month_of_timestamp("r.scheduled_start"),
        description=(
            "Remote evaluation sessions the unit hosts, by scheduled start and whether it has "
            "handed its records over."
        ),
        dimensions=(
            Dimension(
                "handed_over", _yes_no("r.handed_over_on IS NOT NULL"), "已移交资料", _YES_NO
            ),
        ),
    ),
)

BY_NAME: dict[str, Metric] = {m.name: m for m in METRICS}


def metric(name: str) -> Metric:
    return BY_NAME[name]


# Tables a metric reads that a later migration creates, with that revision. An earlier
# migration that (re)installs every metric's triggers installs those of ``metrics_at`` its own
# revision: the later tables do not exist there yet.
CREATED_IN: Mapping[str, str] = MappingProxyType({"not_entered_snapshot": "0017"})


def metrics_at(revision: str) -> tuple[Metric, ...]:
    """The metrics whose tables exist at ``revision`` (four-digit revisions compare as text)."""
    return tuple(m for m in METRICS if all(CREATED_IN.get(t, "0000") <= revision for t in m.tables))
