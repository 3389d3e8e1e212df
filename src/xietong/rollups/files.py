"""A rollup as a file outside a request: ``xietong rollup export``.

The same checks, rollup and files as the API's ``rollupExport``: the metric's dimensions, the
caller's ``rollup:rollup`` on the unit (``Guard.span``), the scope applied to the transaction so
row-level security bounds the counters read, then ``service.rollup`` and ``export.to_xlsx`` /
``to_csv``. Who asks is a named person (their roles and power list decide, as for the API) or,
for an operator, the system reading the one subtree asked for (``system:rollup.export``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from xietong.access import scope as scopes
from xietong.access.actions import Action, ObjectType
from xietong.access.authentication import person_principal
from xietong.access.guard import Guard
from xietong.access.policy import load_authorizer
from xietong.access.scope_token import ScopeSigner
from xietong.jurisdictions import codes
from xietong.rollups import export, reports, service
from xietong.rollups.metrics import BY_NAME, Metric
from xietong.rollups.models import PeriodicReport

SYSTEM_ACTOR = "system:rollup.export"


class FileFormat(StrEnum):
    XLSX = "xlsx"
    CSV = "csv"


class ExportProblem(ValueError):
    """A bad argument (an unknown metric, a dimension the metric lacks, a bad period, an
    unknown person): nothing was read."""


@dataclass(frozen=True, slots=True)
class ExportedFile:
    filename: str
    content_type: str
    content: bytes
    result: service.Rollup


_YEAR = re.compile(r"^(\d{4})$")
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_PART = re.compile(r"^(\d{4})-([QqHh])(\d)$")
_RANGE = re.compile(r"^(\d{4})-(\d{1,2})\.\.(\d{4})-(\d{1,2})$")


def parse_period(text: str) -> service.Period:
    """``2026`` (a year), ``2026-09`` (a month), ``2026-Q3``, ``2026-H1``, or
    ``2025-01..2026-06`` (whole months, both included)."""
    value = text.strip()
    try:
        if m := _YEAR.match(value):
            return service.Period.of(service.PeriodKind.YEAR, int(m[1]))
        if m := _MONTH.match(value):
            if not 1 <= int(m[2]) <= 12:
                raise ValueError("a month is 1–12")
            return service.Period.of(service.PeriodKind.MONTH, int(m[1]), int(m[2]))
        if m := _PART.match(value):
            kind = service.PeriodKind.QUARTER if m[2] in "Qq" else service.PeriodKind.HALF_YEAR
            return service.Period.of(kind, int(m[1]), int(m[3]))
        if m := _RANGE.match(value):
            if not (1 <= int(m[2]) <= 12 and 1 <= int(m[4]) <= 12):
                raise ValueError("a month is 1–12")
            return service.Period.of(
                service.PeriodKind.MONTHS, int(m[1]), int(m[2]), int(m[3]) * 100 + int(m[4])
            )
    except ValueError as exc:
        raise ExportProblem(f"period {text!r}: {exc}") from None
    raise ExportProblem(
        f"period {text!r}: expected 2026, 2026-09, 2026-Q3, 2026-H1 or 2025-01..2026-06"
    )


def metric_of(name: str) -> Metric:
    try:
        return BY_NAME[name.strip().lower()]
    except KeyError:
        raise ExportProblem(f"unknown metric {name!r} (known: {', '.join(BY_NAME)})") from None


def check_group_by(metric: Metric, group_by: str | None) -> str | None:
    if group_by is None:
        return None
    wanted = group_by.strip().lower()
    if wanted not in {service.JURISDICTION, *(d.name for d in metric.dimensions)}:
        names = ", ".join(d.name for d in metric.dimensions) or "—"
        raise ExportProblem(
            f"{metric.name} breaks down by jurisdiction or: {names} (not {group_by!r})"
        )
    return wanted


async def span_for_person(
    session: AsyncSession, login: str, signer: ScopeSigner, code: int | None
) -> tuple[codes.CodeRange, int]:
    """The person's scope signed on the transaction; the range their ``rollup:rollup`` covers
    at ``code`` (default: their own unit), never wider than what they read. Raises
    ``AccessDenied`` as the API does."""
    principal = await person_principal(session, login, signer)
    if principal is None:
        raise ExportProblem(f"no active person with login {login!r}")
    scope = scopes.Scope.of(principal)
    await scopes.apply(session, scope, signer)
    guard = Guard(principal, scope, await load_authorizer(session), session)
    span = await guard.span(ObjectType.ROLLUP, Action.ROLLUP, code)
    if scope.read is not None:
        span = codes.CodeRange(max(span.lo, scope.read.lo), min(span.hi, scope.read.hi))
    return span, code if code is not None else span.lo


async def span_for_system(
    session: AsyncSession, signer: ScopeSigner, code: int
) -> tuple[codes.CodeRange, int]:
    """An operator's export: the system reads the one subtree asked for, and only that (the
    signed scope bounds the counters row-level security lets through)."""
    span = codes.subtree(code)
    await scopes.apply(session, scopes.Scope(actor=SYSTEM_ACTOR, read=span), signer)
    return span, code


async def export_file(
    session: AsyncSession,
    *,
    span: codes.CodeRange,
    code: int,
    metric: Metric,
    period: service.Period,
    group_by: str | None,
    fmt: FileFormat,
) -> ExportedFile:
    result = await service.rollup(
        session, metric=metric, span=span, jurisdiction_code=code, period=period, group_by=group_by
    )
    unit, rows = await export.labelled(session, result)
    if fmt is FileFormat.XLSX:
        return ExportedFile(
            export.filename(result, "xlsx"),
            export.XLSX_TYPE,
            export.to_xlsx(result, unit, rows),
            result,
        )
    return ExportedFile(
        export.filename(result, "csv"),
        export.CSV_TYPE,
        export.to_csv(result, unit, rows).encode("utf-8"),
        result,
    )


async def require_report_read(guard: Guard, own: int | None, code: int) -> None:
    """``report:read`` over the subtree (offices, discipline, audit, leadership), or one's own
    unit's with ``report:create`` — the API's ``periodicReport`` rule and the CLI's."""
    decision = await guard.decide(ObjectType.REPORT, Action.READ, code)
    if decision.allowed:
        return
    if code == own:
        await guard.require(ObjectType.REPORT, Action.CREATE, code)
        return
    await guard.require(ObjectType.REPORT, Action.READ, code)


async def report_as_person(
    session: AsyncSession,
    login: str,
    signer: ScopeSigner,
    *,
    template: str,
    period_text: str,
    code: int | None,
) -> PeriodicReport | None:
    """The person's scope signed on the transaction and their right to read the unit's reports
    checked (raises ``AccessDenied`` as the API does); the report, or None if there is none."""
    principal = await person_principal(session, login, signer)
    if principal is None:
        raise ExportProblem(f"no active person with login {login!r}")
    scope = scopes.Scope.of(principal)
    await scopes.apply(session, scope, signer)
    guard = Guard(principal, scope, await load_authorizer(session), session)
    unit = code if code is not None else principal.jurisdiction_code
    if unit is None:
        raise ExportProblem("the person has no unit: give --jurisdiction")
    tpl, period = report_of(template, period_text)
    await require_report_read(guard, principal.jurisdiction_code, unit)
    return await reports.find(session, tpl, unit, period)


async def report_as_system(
    session: AsyncSession, signer: ScopeSigner, *, template: str, period_text: str, code: int
) -> PeriodicReport | None:
    """An operator's export: the system reads the one unit's subtree, and only that."""
    tpl, period = report_of(template, period_text)
    await scopes.apply(session, scopes.Scope(actor=SYSTEM_ACTOR, read=codes.subtree(code)), signer)
    return await reports.find(session, tpl, code, period)


def report_of(template: str, period_text: str) -> tuple[reports.Template, service.Period]:
    try:
        tpl = reports.template(template.strip().lower())
    except reports.ReportError:
        raise ExportProblem(
            f"unknown report template {template!r} (known: {', '.join(reports.TEMPLATES)})"
        ) from None
    period = parse_period(period_text)
    size = {service.PeriodKind.MONTH: 1, service.PeriodKind.HALF_YEAR: 6}.get(tpl.kind, 12)
    if period.months() != size or (period.first % 100 - 1) % size:
        raise ExportProblem(f"period {period_text!r} does not fit the {tpl.name} template")
    return tpl, period
