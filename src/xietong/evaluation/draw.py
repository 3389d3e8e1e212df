"""Drawing host sites at random among eligible centres (R-12), reproducibly.

Eligible: a jurisdiction in service, other than the home, with a public-resource trading centre
(only a centre can host evaluation seats); the home may narrow the candidates to a list. The draw
ranks every candidate by SHA-256 of ``"<seed>:<code>"`` (ties, which do not happen, by code) and
takes the first ``count``: anyone holding the recorded seed and candidates can redo it and get the
same hosts (``rank``). The seed is the home's, or 128 random bits. The draw is recorded with the
session (``EvaluationDraw``) and sealed like the hosts themselves: the home side reads it only
once the session has started. Nothing here commits.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from xietong.access.scope import Scope
from xietong.deadlines.clock import Clock
from xietong.evaluation import service
from xietong.evaluation.errors import EvaluationErrorCode as Code
from xietong.evaluation.models import EvaluationDraw, EvaluationSession
from xietong.jurisdictions import codes
from xietong.jurisdictions.enums import DepartmentKind
from xietong.jurisdictions.models import Department, Jurisdiction
from xietong.trading.models import Project

MAX_CANDIDATES = 500


@dataclass(frozen=True, slots=True)
class DrawRequest:
    count: int
    seats: int
    candidates: Sequence[int] | None = None
    seed: str | None = None


@dataclass(frozen=True, slots=True)
class Drawn:
    seed: str
    candidates: list[int]
    ranking: list[int]
    chosen: list[int]


def _key(seed: str, code: int) -> str:
    return hashlib.sha256(f"{seed}:{code}".encode()).hexdigest()


def rank(seed: str, candidates: Iterable[int]) -> list[int]:
    """Every candidate, in the draw's order: a pure function of the seed and the candidates."""
    return sorted(set(candidates), key=lambda code: (_key(seed, code), code))


def choose(seed: str, candidates: Iterable[int], count: int) -> Drawn:
    pool = sorted(set(candidates))
    ranking = rank(seed, pool)
    return Drawn(seed=seed, candidates=pool, ranking=ranking, chosen=ranking[:count])


async def eligible(db_session: AsyncSession, home: int) -> list[int]:
    """Units in service, other than the home, that have a trading centre."""
    rows = await db_session.scalars(
        select(Jurisdiction.code)
        .where(
            Jurisdiction.retired_on.is_(None),
            Jurisdiction.code != home,
            Jurisdiction.code.in_(
                select(Department.jurisdiction_code).where(
                    Department.kind == DepartmentKind.TRADING_CENTRE
                )
            ),
        )
        .order_by(Jurisdiction.code)
    )
    return list(rows)


async def draw_hosts(db_session: AsyncSession, *, home: int, request: DrawRequest) -> Drawn:
    """Draw ``request.count`` hosts; refusals name the input field."""
    pool = await eligible(db_session, home)
    if request.candidates is not None:
        named = list(dict.fromkeys(request.candidates))
        if not 1 <= len(named) <= MAX_CANDIDATES:
            raise service._err(
                Code.INVALID, "请列出候选评标客场（name the candidates）", "draw.candidates"
            )
        outside = [c for c in named if c not in set(pool)]
        if outside:
            raise service._err(
                Code.HOST_NOT_ELSEWHERE,
                f"候选地{outside[0]}不符合条件：须为主场以外、设有交易中心的行政区划（not an "
                "eligible centre）",
                "draw.candidates",
            )
        pool = named
    if not 1 <= request.count <= min(service.MAX_HOSTS, len(pool)):
        raise service._err(
            Code.INVALID,
            f"抽取数量应为1至{min(service.MAX_HOSTS, len(pool))}（count out of range）",
            "draw.count",
        )
    seed = request.seed if request.seed else secrets.token_hex(16)
    return choose(seed, pool, request.count)


async def record(
    db_session: AsyncSession, *, session: EvaluationSession, drawn: Drawn, actor: str, now: datetime
) -> EvaluationDraw:
    # Every column given: nothing is read back (RETURNING would need the row to be readable,
    # and it is sealed until the start).
    row = EvaluationDraw(
        id=uuid.uuid4(),
        session_id=session.id,
        jurisdiction_code=session.jurisdiction_code,
        province_code=codes.province_of(session.jurisdiction_code),
        seed=drawn.seed,
        candidates=drawn.candidates,
        ranking=drawn.ranking,
        chosen=drawn.chosen,
        created_by=actor,
        created_at=now,
    )
    db_session.add(row)
    await db_session.flush()
    return row


async def schedule_drawn(
    db_session: AsyncSession,
    *,
    scope: Scope,
    actor: service.Actor,
    project: Project,
    number: str,
    scheduled_start: datetime,
    scheduled_end: datetime,
    home_seats: int,
    request: DrawRequest,
    follow_up_days: int,
    clock: Clock,
    auto_copy: bool = False,
) -> EvaluationSession:
    """``service.schedule`` with hosts drawn at random, the draw recorded (sealed) with it."""
    if actor.jurisdiction_code != project.jurisdiction_code:
        raise service._err(
            Code.NOT_YOUR_SITE,
            "只有项目所在地可以安排评标（only the project's jurisdiction schedules it）",
            "projectId",
        )
    drawn = await draw_hosts(db_session, home=project.jurisdiction_code, request=request)
    session = await service.schedule(
        db_session,
        scope=scope,
        actor=actor,
        project=project,
        number=number,
        scheduled_start=scheduled_start,
        scheduled_end=scheduled_end,
        home_seats=home_seats,
        hosts=[service.HostRequest(code, request.seats) for code in drawn.chosen],
        follow_up_days=follow_up_days,
        clock=clock,
        auto_copy=auto_copy,
        drawn=True,
    )
    await record(db_session, session=session, drawn=drawn, actor=actor.name, now=clock.now())
    return session


def draws_visible(scope: Scope) -> ColumnElement[bool]:
    """The home side's, once the session has started (row-level security's rule)."""
    if not scope.app_wall:
        return true()
    return and_(
        service._in(scope, EvaluationDraw.jurisdiction_code),
        service._started(EvaluationDraw.session_id),
    )


async def draw_of(
    db_session: AsyncSession, scope: Scope, session_id: uuid.UUID
) -> EvaluationDraw | None:
    found: EvaluationDraw | None = await db_session.scalar(
        select(EvaluationDraw).where(EvaluationDraw.session_id == session_id, draws_visible(scope))
    )
    return found
