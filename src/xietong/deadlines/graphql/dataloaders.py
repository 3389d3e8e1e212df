"""DataLoaders for obligations, authorized like the top-level queries: a batch loads what the
caller's roles let it read (``Guard.reach(OBLIGATION, READ)``), plus whatever its own department
owes (what ``myWork`` lists). Matter types resolve their clocks through
``ObligationsByMatterLoader``::

    loaders = info.context.loaders.of(DeadlineLoaders)
    rows = await loaders.obligations_by_matter.load(MatterRef("complaint", complaint.id))
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.dataloader import DataLoader

from xietong.access.actions import Action, ObjectType
from xietong.access.guard import Guard
from xietong.deadlines import service
from xietong.deadlines.models import Obligation, ObligationPause
from xietong.deadlines.obligations import MatterRef, pauses_of


class ObligationsByMatterLoader(DataLoader[MatterRef, list[Obligation]]):
    """A matter's clocks the caller may read, oldest first (empty when none)."""

    def __init__(self, session: AsyncSession, guard: Guard) -> None:
        async def load(matters: Sequence[MatterRef]) -> list[list[Obligation]]:
            found = await service.obligations_of_matters(
                db_session=session,
                scope=guard.scope,
                matters=matters,
                span=guard.reach(ObjectType.OBLIGATION, Action.READ),
                own_department=_department(guard),
            )
            return [found.get(m, []) for m in matters]

        super().__init__(load_fn=load)


class ObligationByIdLoader(DataLoader[uuid.UUID, Obligation | None]):
    """One obligation, if the caller may read it."""

    def __init__(self, session: AsyncSession, guard: Guard) -> None:
        async def load(ids: Sequence[uuid.UUID]) -> list[Obligation | None]:
            found = await service.obligations_by_ids(
                db_session=session,
                scope=guard.scope,
                ids=ids,
                span=guard.reach(ObjectType.OBLIGATION, Action.READ),
                own_department=_department(guard),
            )
            return [found.get(i) for i in ids]

        super().__init__(load_fn=load)


class PausesByObligationLoader(DataLoader[uuid.UUID, list[ObligationPause]]):
    """Pause events of obligations already authorized (row-level security applies too)."""

    def __init__(self, session: AsyncSession) -> None:
        async def load(ids: Sequence[uuid.UUID]) -> list[list[ObligationPause]]:
            found = await pauses_of(session, ids)
            return [found.get(i, []) for i in ids]

        super().__init__(load_fn=load)


def _department(guard: Guard) -> uuid.UUID | None:
    department = guard.principal.department
    return department.id if department is not None else None


@dataclass(frozen=True, slots=True)
class DeadlineLoaders:
    obligations_by_matter: ObligationsByMatterLoader
    obligation_by_id: ObligationByIdLoader
    pauses_by_obligation: PausesByObligationLoader

    @classmethod
    def create(cls, session: AsyncSession, guard: Guard) -> DeadlineLoaders:
        return cls(
            obligations_by_matter=ObligationsByMatterLoader(session, guard),
            obligation_by_id=ObligationByIdLoader(session, guard),
            pauses_by_obligation=PausesByObligationLoader(session),
        )
