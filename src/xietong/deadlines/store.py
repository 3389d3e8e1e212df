"""Calendar data in the database: loaded years, tenant overrides and promises, and the
``Calendars`` each process builds from them.

Reading: ``calendar_state(session)`` costs one indexed read of ``deadline_config.token`` and
rebuilds only when the token moved (a trigger moves it on every change to the three tables), so
the API and the worker count on the same data without asking for it on every deadline.

Writing belongs to the table owner: ``load_year`` (``xietong calendar load``) and
``sync_declaration`` (``xietong tenants load``). Neither moves a deadline by itself: the caller
then recomputes open obligations (``obligations.recompute_unfinished``), in the same transaction,
with an audit event for each one that changed.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from xietong.deadlines.calendar import CalendarOverride, Calendars, OfficialYear
from xietong.deadlines.calendar_file import check_year_document, to_document
from xietong.deadlines.declaration import DeadlineDeclaration
from xietong.deadlines.models import (
    CalendarOverrideDay,
    CalendarYear,
    DeadlineConfig,
    LocalPromiseRow,
)
from xietong.deadlines.promises import LocalPromise
from xietong.jurisdictions import codes

_CACHE_SIZE = 4

LOCK_KEY = 0x7869_6364  # "xicd": one change to calendar data (and its recomputation) at a time


async def lock(db_session: AsyncSession) -> None:
    """Serialise changes to calendar data: a load and a tenant file's overrides recompute the
    same obligations, each on what it is about to commit."""
    await db_session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": LOCK_KEY})


@dataclass(frozen=True, slots=True)
class LoadedYear:
    """Who loaded a year's notice, and which load this is."""

    year: int
    notice: str
    version: int
    digest: str
    loaded_by: str
    loaded_at: datetime


@dataclass(frozen=True, slots=True)
class CalendarState:
    """Everything deadlines are counted with, as of ``token``."""

    token: uuid.UUID | None
    calendars: Calendars
    promises: tuple[LocalPromise, ...]
    loaded: Mapping[int, LoadedYear]
    official: Mapping[int, OfficialYear]


_cache: OrderedDict[uuid.UUID, CalendarState] = OrderedDict()


async def calendar_state(db_session: AsyncSession) -> CalendarState:
    """The calendars of the data the session sees, rebuilt only when it changed."""
    token = await db_session.scalar(select(DeadlineConfig.token))
    if token is not None:
        found = _cache.get(token)
        if found is not None:
            _cache.move_to_end(token)
            return found
    state = await build_state(db_session, token=token)
    if token is not None:
        _cache[token] = state
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return state


async def build_state(db_session: AsyncSession, *, token: uuid.UUID | None = None) -> CalendarState:
    """Read every loaded year, override and promise (what the session sees, uncommitted changes
    included: a load recomputes on what it is about to commit)."""
    official: dict[int, OfficialYear] = {}
    loaded: dict[int, LoadedYear] = {}
    for row in await db_session.scalars(select(CalendarYear).order_by(CalendarYear.year)):
        official[row.year] = check_year_document(row.document, f"calendar_year {row.year}")
        loaded[row.year] = LoadedYear(
            row.year, row.notice, row.version, row.digest, row.loaded_by, row.loaded_at
        )
    overrides = [
        CalendarOverride(o.jurisdiction_code, o.day, o.kind, o.reason)
        for o in await db_session.scalars(select(CalendarOverrideDay))
    ]
    promises = tuple(
        LocalPromise(p.jurisdiction_code, p.rule_id, p.amount, p.unit, p.source)
        for p in await db_session.scalars(
            select(LocalPromiseRow).order_by(
                LocalPromiseRow.jurisdiction_code, LocalPromiseRow.rule_id
            )
        )
    )
    return CalendarState(
        token=token,
        calendars=Calendars(loaded_years=official.values(), overrides=overrides),
        promises=promises,
        loaded=loaded,
        official=official,
    )


def document_digest(official: OfficialYear) -> str:
    """What a notice says, independent of how its file was written."""
    canonical = json.dumps(to_document(official), ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class YearLoad:
    year: int
    changed: bool
    version: int
    previous: OfficialYear | None


async def load_year(
    db_session: AsyncSession, official: OfficialYear, *, by: str, now: datetime
) -> YearLoad:
    """Store a checked notice (the owner's session). Loading the same content again changes
    nothing; different content replaces the year and counts a new version."""
    digest = document_digest(official)
    row = await db_session.get(CalendarYear, official.year, with_for_update=True)
    if row is not None and row.digest == digest:
        return YearLoad(official.year, False, row.version, None)
    previous = None
    if row is None:
        row = CalendarYear(year=official.year, version=1)
        db_session.add(row)
    else:
        previous = check_year_document(row.document, f"calendar_year {row.year}")
        row.version += 1
    row.notice = official.notice
    row.document = to_document(official)
    row.digest = digest
    row.loaded_by = by
    row.loaded_at = now
    await db_session.flush()
    return YearLoad(official.year, True, row.version, previous)


async def sync_declaration(
    db_session: AsyncSession, province_code: int, declaration: DeadlineDeclaration
) -> bool:
    """Make a province's overrides and promises exactly those declared (the owner's session);
    True if anything changed."""
    lo, hi = codes.subtree(province_code).lo, codes.subtree(province_code).hi
    have_overrides = {
        (o.jurisdiction_code, o.day): (o.kind, o.reason)
        for o in await db_session.scalars(
            select(CalendarOverrideDay).where(CalendarOverrideDay.province_code == province_code)
        )
    }
    want_overrides = {(o.jurisdiction, o.day): (o.kind, o.reason) for o in declaration.overrides}
    have_promises = {
        (p.jurisdiction_code, p.rule_id): (p.amount, p.unit, p.source)
        for p in await db_session.scalars(
            select(LocalPromiseRow).where(LocalPromiseRow.province_code == province_code)
        )
    }
    want_promises = {
        (p.jurisdiction, p.rule_id): (p.amount, p.unit, p.source) for p in declaration.promises
    }
    changed = False
    if have_overrides != want_overrides:
        await db_session.execute(
            delete(CalendarOverrideDay).where(CalendarOverrideDay.jurisdiction_code.between(lo, hi))
        )
        db_session.add_all(
            CalendarOverrideDay(
                jurisdiction_code=code,
                day=day,
                province_code=province_code,
                kind=kind,
                reason=reason,
            )
            for (code, day), (kind, reason) in sorted(want_overrides.items())
        )
        changed = True
    if have_promises != want_promises:
        await db_session.execute(
            delete(LocalPromiseRow).where(LocalPromiseRow.jurisdiction_code.between(lo, hi))
        )
        db_session.add_all(
            LocalPromiseRow(
                jurisdiction_code=code,
                rule_id=rule_id,
                province_code=province_code,
                amount=amount,
                unit=unit,
                source=source,
            )
            for (code, rule_id), (amount, unit, source) in sorted(want_promises.items())
        )
        changed = True
    await db_session.flush()
    return changed


def year_span(year: int) -> tuple[date, date]:
    """The days a notice for ``year`` may decide: the year and the December before it."""
    return date(year - 1, 12, 1), date(year, 12, 31)
