"""Periodic reports upward (R-17, R-5): county → city → province.

A template (declared here, like the metrics) is a kind of period, items read from the rollup
counters, and narrative sections. A unit drafts its report for a period: its **own** figures
(its own records, not its subtree's) are filled from its counters. It submits it, which freezes
the figures and meets its clock on the deadline engine (``R17.report_upward``, 15 working days
after the period by default). The level above returns it with a reason or accepts it; a report
whose unit has units below it is accepted only once all of theirs are (DHIS2's bottom-up rule);
a returned report is corrected (redrafted: narrative changed, figures refreshed) and submitted
again; an accepted report is never returned, and it is reopened only by a recorded request of the
level above, while that level's own report is not yet submitted.

A unit's **consolidated** figures are its own plus the consolidated figures of its accepted
children, recursively; every line says where each part came from. **Completeness** of a unit is
how many of the units directly below it have submitted (and in time, and been accepted), with who
is missing.

Plain functions over a session; access (``report:create`` own, ``report:accept`` over the
subtree, ``report:read``) is checked by the caller; row-level security bounds what is read and
written.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from xietong.access.scope import in_span
from xietong.deadlines import obligations
from xietong.deadlines.clock import Clock
from xietong.deadlines.errors import ObligationNotFound
from xietong.deadlines.obligations import MatterRef
from xietong.deadlines.rules import get_rule
from xietong.deadlines.store import calendar_state
from xietong.jurisdictions import codes
from xietong.jurisdictions.models import Jurisdiction
from xietong.rollups.enums import ReportStatus
from xietong.rollups.metrics import BY_NAME
from xietong.rollups.models import PeriodicReport, PeriodicReportEvent
from xietong.rollups.service import Period, PeriodKind, counter_rows_sql

RULE_ID = "R17.report_upward"
MATTER = "report"


class ReportError(Exception):
    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


@dataclass(frozen=True, slots=True)
class Item:
    key: str
    zh: str
    metric: str
    measure: str
    """``n``, ``sum_a`` or ``sum_b``."""
    dimension: str = ""
    value: str = ""

    @property
    def money(self) -> bool:
        return self.measure != "n"


@dataclass(frozen=True, slots=True)
class Template:
    name: str
    zh: str
    kind: PeriodKind
    items: tuple[Item, ...]
    sections: tuple[tuple[str, str], ...]
    basis: str

    def item(self, key: str) -> Item:
        return next(i for i in self.items if i.key == key)


_WORK_ITEMS = (
    Item("projects", "交易项目数", "projects", "n"),
    Item("projects_budget", "交易项目预算金额（元）", "projects", "sum_a"),
    Item("awards", "中标（成交）项目数", "awards", "n"),
    Item("awards_amount", "中标（成交）金额（元）", "awards", "sum_a"),
    Item("awards_budget", "中标项目预算金额（元）", "awards", "sum_b"),
    Item("complaints_received", "收到投诉数", "complaints_received", "n"),
    Item("complaints_closed", "办结投诉数", "complaints_closed", "n"),
    Item("obligations_late", "超时履行的法定时限数", "obligations_met", "n", "timeliness", "late"),
    Item("obligations_overdue", "超期未履行的法定时限数", "obligations_overdue", "n"),
)
_WORK_SECTIONS = (
    ("summary", "工作概况"),
    ("problems", "存在问题"),
    ("plans", "下一步工作"),
)

TEMPLATES: dict[str, Template] = {
    t.name: t
    for t in (
        Template(
            "annual",
            "年度监管工作报告",
            PeriodKind.YEAR,
            _WORK_ITEMS,
            _WORK_SECTIONS,
            "R-17: 至少每年向上级报告监管工作",
        ),
        Template(
            "half_year",
            "半年监管工作报告",
            PeriodKind.HALF_YEAR,
            _WORK_ITEMS,
            _WORK_SECTIONS,
            "R-17: 定期报告",
        ),
        Template(
            "separated_monthly",
            "评定分离项目月报",
            PeriodKind.MONTH,
            (
                Item("separated", "评定分离项目数", "projects", "n", "separated", "yes"),
                Item(
                    "separated_budget",
                    "评定分离项目预算金额（元）",
                    "projects",
                    "sum_a",
                    "separated",
                    "yes",
                ),
            ),
            (("notes", "重点监管情况"),),
            "R-5: 评定分离项目每月报送",
        ),
    )
}
for _t in TEMPLATES.values():
    for _i in _t.items:
        BY_NAME[_i.metric]  # every item reads a declared metric
        if _i.dimension:
            BY_NAME[_i.metric].dimension(_i.dimension)


def template(name: str) -> Template:
    found = TEMPLATES.get(name)
    if found is None:
        raise ReportError("INVALID", "没有该报告模板（no such report template）", "template")
    return found


def period_end(period: Period) -> date:
    year, month = divmod(period.last, 100)
    first_next = date(year + month // 12, month % 12 + 1, 1)
    return first_next - timedelta(days=1)


async def own_figures(
    session: AsyncSession, tpl: Template, code: int, period: Period
) -> dict[str, dict[str, int]]:
    """The unit's own figures per item, from its counters (its code alone, not its subtree)."""
    keys = {(i.metric, i.dimension, i.value) for i in tpl.items}
    counted, months = counter_rows_sql(period, "jurisdiction_code = :c AND metric = ANY(:metrics)")
    rows = await session.execute(
        text(
            "SELECT metric, dimension, value, sum(n)::bigint, sum(sum_a)::bigint, "
            f"sum(sum_b)::bigint FROM ({counted}) c GROUP BY 1, 2, 3"
        ),
        {"c": code, "metrics": sorted({k[0] for k in keys}), **months},
    )
    found = {(r[0], r[1], r[2]): {"n": r[3], "sum_a": r[4], "sum_b": r[5]} for r in rows}
    zero = {"n": 0, "sum_a": 0, "sum_b": 0}
    return {
        i.key: {"value": found.get((i.metric, i.dimension, i.value), zero)[i.measure]}
        for i in tpl.items
    }


async def due_on(session: AsyncSession, code: int, period: Period) -> date | None:
    """When a unit's report for ``period`` falls due, on its calendar (the deadline engine)."""
    state = await calendar_state(session)
    rule = get_rule(RULE_ID)
    dates = obligations.compute_dates(
        rule,
        state.calendars,
        jurisdiction_code=code,
        counted_from=period_end(period),
        amount=rule.amount,
        promised_amount=None,
        pauses=(),
    )
    return dates.due_on


async def find(
    session: AsyncSession, tpl: Template, code: int, period: Period
) -> PeriodicReport | None:
    found: PeriodicReport | None = await session.scalar(
        select(PeriodicReport).where(
            PeriodicReport.template == tpl.name,
            PeriodicReport.jurisdiction_code == code,
            PeriodicReport.first_month == period.first,
        )
    )
    return found


async def _event(
    session: AsyncSession,
    report: PeriodicReport,
    action: str,
    actor: str,
    now: datetime,
    reason: str | None = None,
) -> None:
    session.add(
        PeriodicReportEvent(
            report_id=report.id,
            jurisdiction_code=report.jurisdiction_code,
            province_code=report.province_code,
            action=action,
            reason=reason,
            version=report.version,
            actor=actor,
            at=now,
        )
    )
    await session.flush()


async def draft(
    session: AsyncSession,
    *,
    tpl: Template,
    code: int,
    period: Period,
    narrative: dict[str, str],
    department_id: uuid.UUID | None,
    clock: Clock,
    actor: str,
    action: str = "draft",
) -> PeriodicReport:
    """Create the unit's draft, or correct it (a draft, or a report returned to it): the
    narrative replaced, the figures refreshed from the counters. ``action``: the first event's
    (``due``: the period was opened for the unit, ``reports_due``)."""
    unknown = set(narrative) - {k for k, _ in tpl.sections}
    if unknown:
        raise ReportError(
            "UNKNOWN_SECTION",
            f"模板没有这些部分：{', '.join(sorted(unknown))}（sections not in the template）",
            "narrative",
        )
    if period.months() != _months(tpl.kind):
        raise ReportError("WRONG_PERIOD", "期间与模板不符（the period does not fit the template）")
    now = clock.now()
    figures = await own_figures(session, tpl, code, period)
    report = await find(session, tpl, code, period)
    if report is None:
        place = (
            await session.execute(
                select(Jurisdiction.parent_code, Jurisdiction.province_code).where(
                    Jurisdiction.code == code
                )
            )
        ).one()
        report = PeriodicReport(
            id=uuid.uuid4(),
            template=tpl.name,
            jurisdiction_code=code,
            province_code=place.province_code,
            parent_code=place.parent_code,
            first_month=period.first,
            last_month=period.last,
            status=ReportStatus.DRAFT,
            figures=figures,
            narrative=dict(narrative),
            due_on=await due_on(session, code, period),
            version=0,
            created_by=actor,
            created_at=now,
            updated_at=now,
        )
        session.add(report)
        await session.flush()
        # The clock: owed from the period's end, met by the (first) submission.
        await obligations.open_obligation(
            session,
            rule_id=RULE_ID,
            matter=MatterRef(MATTER, report.id),
            owing_jurisdiction_code=code,
            owing_department_id=department_id,
            counterparty="上级协同监管办公室",
            started_on=period_end(period),
            clock=clock,
            actor=actor,
        )
        await _event(session, report, action, actor, now)
        return report
    if report.status not in (ReportStatus.DRAFT, ReportStatus.RETURNED):
        raise ReportError(
            "REPORT_LOCKED", "报告已报送，不能修改（a submitted report is locked）", "id"
        )
    report.figures = figures
    report.narrative = {**report.narrative, **narrative}
    report.updated_at = now
    await session.flush()
    await _event(session, report, "correct" if report.version else "draft", actor, now)
    return report


def _months(kind: PeriodKind) -> int:
    return {PeriodKind.MONTH: 1, PeriodKind.QUARTER: 3, PeriodKind.HALF_YEAR: 6}.get(kind, 12)


async def submit(
    session: AsyncSession, report: PeriodicReport, *, clock: Clock, actor: str
) -> PeriodicReport:
    if report.status not in (ReportStatus.DRAFT, ReportStatus.RETURNED):
        raise ReportError("REPORT_LOCKED", "报告已报送（already submitted）", "id")
    tpl = template(report.template)
    period = Period(report.first_month, report.last_month)
    now, today = clock.now(), clock.today()
    report.figures = await own_figures(session, tpl, report.jurisdiction_code, period)
    report.status = ReportStatus.SUBMITTED
    report.return_reason = None
    report.version += 1
    report.submitted_on = today
    if report.first_submitted_on is None:
        report.first_submitted_on = today
    report.updated_at = now
    await session.flush()
    if report.version == 1:
        # Met already (or cancelled): the report's own dates still say when it came.
        with contextlib.suppress(ObligationNotFound):
            await obligations.meet(
                session,
                matter=MatterRef(MATTER, report.id),
                rule_id=RULE_ID,
                clock=clock,
                actor=actor,
            )
    await _event(session, report, "submit", actor, now)
    return report


async def _parent_report(session: AsyncSession, report: PeriodicReport) -> PeriodicReport | None:
    if report.parent_code is None:
        return None
    tpl = template(report.template)
    return await find(
        session, tpl, report.parent_code, Period(report.first_month, report.last_month)
    )


async def return_(
    session: AsyncSession, report: PeriodicReport, *, reason: str, clock: Clock, actor: str
) -> PeriodicReport:
    """The level above sends a submitted report back, with the reason."""
    if not reason.strip():
        raise ReportError("REASON_REQUIRED", "退回须说明理由（a return needs a reason）", "reason")
    if report.status is not ReportStatus.SUBMITTED:
        raise ReportError(
            "NOT_SUBMITTED",
            "只能退回已报送、未审核通过的报告（only a submitted report can be returned）",
            "id",
        )
    now = clock.now()
    report.status = ReportStatus.RETURNED
    report.return_reason = reason.strip()
    report.reviewed_by, report.reviewed_at, report.updated_at = actor, now, now
    await session.flush()
    await _event(session, report, "return", actor, now, report.return_reason)
    return report


async def children_of(session: AsyncSession, code: int, *, whole: bool = False) -> list[int]:
    """The active units directly below ``code`` (or, ``whole``, every unit below it)."""
    span = codes.subtree(code)
    below = (
        in_span(Jurisdiction.code, span) & (Jurisdiction.code != code)
        if whole
        else Jurisdiction.parent_code == code
    )
    rows = await session.scalars(
        select(Jurisdiction.code)
        .where(below, Jurisdiction.retired_on.is_(None))
        .order_by(Jurisdiction.code)
    )
    return list(rows)


async def accept(
    session: AsyncSession, report: PeriodicReport, *, clock: Clock, actor: str
) -> PeriodicReport:
    """The level above accepts a submitted report: only once every unit below the report's
    own has its report accepted."""
    if report.status is not ReportStatus.SUBMITTED:
        raise ReportError(
            "NOT_SUBMITTED", "只能审核已报送的报告（only a submitted report can be accepted）", "id"
        )
    state = await completeness(
        session,
        template(report.template),
        report.jurisdiction_code,
        Period(report.first_month, report.last_month),
    )
    waiting = [c.code for c in state.children if c.status is not ReportStatus.ACCEPTED]
    if waiting:
        raise ReportError(
            "CHILDREN_NOT_ACCEPTED",
            "下级报告尚未全部审核通过："
            + "、".join(codes.format_code(c) for c in waiting)
            + "（every report below must be accepted first）",
            "id",
        )
    now = clock.now()
    report.status = ReportStatus.ACCEPTED
    report.reviewed_by, report.reviewed_at, report.updated_at = actor, now, now
    await session.flush()
    await _event(session, report, "accept", actor, now)
    return report


async def reopen(
    session: AsyncSession, report: PeriodicReport, *, reason: str, clock: Clock, actor: str
) -> PeriodicReport:
    """An accepted report goes back to its unit (data changed after acceptance): a recorded
    request of the level above, possible only while that level's own report is unsubmitted."""
    if not reason.strip():
        raise ReportError(
            "REASON_REQUIRED", "重新打开须说明理由（a reopening needs a reason）", "reason"
        )
    if report.status is not ReportStatus.ACCEPTED:
        raise ReportError("NOT_ACCEPTED", "报告未审核通过（the report is not accepted）", "id")
    above = await _parent_report(session, report)
    if above is not None and above.status in (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED):
        raise ReportError(
            "PARENT_SUBMITTED",
            "上级报告已报送，不能重新打开（the level above has submitted its report）",
            "id",
        )
    now = clock.now()
    report.status = ReportStatus.RETURNED
    report.return_reason = reason.strip()
    report.reviewed_by, report.reviewed_at, report.updated_at = actor, now, now
    await session.flush()
    await _event(session, report, "reopen", actor, now, report.return_reason)
    return report


@dataclass(frozen=True, slots=True)
class ChildState:
    code: int
    report: PeriodicReport | None
    due_on: date | None

    @property
    def status(self) -> ReportStatus | None:
        return None if self.report is None else self.report.status

    @property
    def submitted(self) -> bool:
        return self.status in (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED)

    @property
    def on_time(self) -> bool:
        first = None if self.report is None else self.report.first_submitted_on
        return first is not None and (self.due_on is None or first <= self.due_on)


@dataclass(frozen=True, slots=True)
class Completeness:
    code: int
    children: list[ChildState]

    def _rate(self, count: int) -> float:
        return 1.0 if not self.children else round(count / len(self.children), 4)

    @property
    def submitted_rate(self) -> float:
        return self._rate(sum(c.submitted for c in self.children))

    @property
    def timely_rate(self) -> float:
        return self._rate(sum(c.on_time for c in self.children))

    @property
    def accepted_rate(self) -> float:
        return self._rate(sum(c.status is ReportStatus.ACCEPTED for c in self.children))

    @property
    def missing(self) -> list[int]:
        return [c.code for c in self.children if not c.submitted]


async def completeness(
    session: AsyncSession, tpl: Template, code: int, period: Period, *, whole: bool = False
) -> Completeness:
    """The reports of the units directly below ``code`` (``whole``: of every unit below it, so a
    province sees a missing county at once): who has submitted, in time, accepted."""
    children = await children_of(session, code, whole=whole)
    reports = {
        r.jurisdiction_code: r
        for r in await session.scalars(
            select(PeriodicReport).where(
                PeriodicReport.template == tpl.name,
                PeriodicReport.jurisdiction_code.in_(children),
                PeriodicReport.first_month == period.first,
            )
        )
    }
    states = [ChildState(c, reports.get(c), await due_on(session, c, period)) for c in children]
    return Completeness(code, states)


@dataclass(frozen=True, slots=True)
class Source:
    code: int
    report_id: uuid.UUID
    value: int
    own: bool


@dataclass(frozen=True, slots=True)
class ConsolidatedLine:
    item: Item
    value: int
    sources: list[Source] = field(default_factory=list)


async def consolidated(session: AsyncSession, report: PeriodicReport) -> list[ConsolidatedLine]:
    """The report's own figures plus its accepted children's consolidated figures, recursively;
    each line lists every report it adds up (traceable to the unit)."""
    tpl = template(report.template)
    lo, hi = codes.subtree(report.jurisdiction_code).lo, codes.subtree(report.jurisdiction_code).hi
    rows = list(
        await session.scalars(
            select(PeriodicReport).where(
                PeriodicReport.template == tpl.name,
                PeriodicReport.first_month == report.first_month,
                PeriodicReport.jurisdiction_code.between(lo, hi),
            )
        )
    )
    by_parent: dict[int | None, list[PeriodicReport]] = {}
    for r in rows:
        by_parent.setdefault(r.parent_code, []).append(r)

    def gather(r: PeriodicReport, key: str, own: bool) -> list[Source]:
        found = [Source(r.jurisdiction_code, r.id, int(r.figures[key]["value"]), own)]
        for child in by_parent.get(r.jurisdiction_code, []):
            if child.status is ReportStatus.ACCEPTED:
                found += gather(child, key, False)
        return found

    lines = []
    for item in tpl.items:
        sources = gather(report, item.key, True)
        lines.append(ConsolidatedLine(item, sum(s.value for s in sources), sources))
    return lines


def narrative_of(report: PeriodicReport, tpl: Template) -> Sequence[tuple[str, str, str]]:
    given: dict[str, Any] = report.narrative
    return [(k, zh, str(given.get(k, ""))) for k, zh in tpl.sections]
