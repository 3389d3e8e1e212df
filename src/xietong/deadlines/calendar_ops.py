"""Operating the calendar: loading a year of the State Council's notice, showing a year.

``xietong calendar load FILE`` and ``xietong calendar show YEAR`` call these, as the table owner,
in one transaction. A load that changes anything recomputes every unfinished obligation whose
period may touch the year (``obligations.recompute_unfinished``): a provisional deadline becomes
exact, and a correction to a year already loaded moves deadlines in force only with an audit event
showing the old and new dates. The load itself is recorded in every province's audit chain.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from xietong.audit import service as audit
from xietong.audit.enums import ActorKind
from xietong.deadlines import obligations, store
from xietong.deadlines.calendar import OfficialYear, check_year
from xietong.deadlines.clock import Clock
from xietong.deadlines.enums import DaySource
from xietong.jurisdictions.enums import JurisdictionLevel
from xietong.jurisdictions.models import Jurisdiction

CALENDAR_ACTOR = "system:calendar"
"""Who the audit trail names for a load and the recomputations it causes (the operator who
ran it is in the details and in ``calendar_year.loaded_by``)."""

_WEEKDAYS = "一二三四五六日"


@dataclass(frozen=True, slots=True)
class LoadReport:
    year: int
    changed: bool
    version: int
    recomputed: obligations.RecomputeReport

    def summary(self) -> str:
        if not self.changed:
            return (
                f"{self.year}: already loaded with the same dates (version {self.version}); "
                "nothing changed（日历未变）."
            )
        r = self.recomputed
        return (
            f"{self.year}: loaded as version {self.version}; {r.checked} open obligation(s) "
            f"checked, {r.changed} recomputed, {r.moved} with a new due date (each in the "
            "audit trail)."
        )


async def load(
    db_session: AsyncSession, official: OfficialYear, *, by: str, clock: Clock
) -> LoadReport:
    """Store the year (owner's session, keyring for the audit trail) and recompute."""
    await store.lock(db_session)
    loaded = await store.load_year(db_session, official, by=by, now=clock.now())
    if not loaded.changed:
        return LoadReport(official.year, False, loaded.version, obligations.RecomputeReport())
    state = await store.build_state(db_session)
    recomputed = await obligations.recompute_unfinished(
        db_session,
        state=state,
        clock=clock,
        actor=CALENDAR_ACTOR,
        cause=f"calendar.load {official.year} v{loaded.version}",
        touching=store.year_span(official.year),
    )
    provinces = await db_session.scalars(
        select(Jurisdiction.code)
        .where(Jurisdiction.level == JurisdictionLevel.PROVINCE)
        .order_by(Jurisdiction.code)
    )
    details = {
        "year": official.year,
        "notice": official.notice,
        "version": loaded.version,
        "digest": store.document_digest(official),
        "replaced": loaded.previous is not None,
        "loaded_by": by,
        "obligations_recomputed": recomputed.changed,
        "obligations_moved": recomputed.moved,
    }
    for province in provinces:
        await audit.record(
            db_session=db_session,
            jurisdiction_code=province,
            actor_kind=ActorKind.SYSTEM,
            actor=CALENDAR_ACTOR,
            action="calendar.load",
            object_type="calendar_year",
            object_id=str(official.year),
            details=details,
            occurred_at=clock.now(),
        )
    return LoadReport(official.year, True, loaded.version, recomputed)


@dataclass(frozen=True, slots=True)
class YearView:
    year: int
    source: str
    version: str
    lines: list[str]


def describe(state: store.CalendarState, year: int, jurisdiction: int | None) -> YearView:
    """A year as a calendar counts it: where its dates come from, its version, and every day
    that is not what the weekend rule says (holidays on weekdays, working weekends)."""
    check_year(year)
    calendar = state.calendars.for_jurisdiction(jurisdiction)
    loaded = state.loaded.get(year)
    if loaded is not None:
        source = (
            f"loaded notice, version {loaded.version}, by {loaded.loaded_by} at "
            f"{loaded.loaded_at.isoformat(timespec='seconds')}: {loaded.notice}"
        )
    elif calendar.is_covered(year):
        source = f"the chinesecalendar package {state.calendars.library_version}"
    else:
        source = (
            "NOT COVERED: weekends only; every deadline reaching into this year is "
            "provisional until its notice is loaded（未载入，期限为暂定）"
        )
    lines: list[str] = []
    day, last = date(year, 1, 1), date(year, 12, 31)
    while day <= last:
        status = calendar.describe(day)
        if status.working != (day.weekday() < 5) or status.source is DaySource.OVERRIDE:
            lines.append(
                f"{day.isoformat()} 周{_WEEKDAYS[day.weekday()]} "
                f"{'上班' if status.working else '休息'} {status.name} ({status.source.value})"
            )
        day += timedelta(days=1)
    return YearView(year, source, calendar.version_for([year]), lines)
