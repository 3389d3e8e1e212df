from __future__ import annotations

from typing import Annotated, Any

import strawberry

from xietong.access.actions import Action, ObjectType
from xietong.api.context import Info
from xietong.api.ids import expect_global_id
from xietong.api.pagination import Connection, connection, paginate
from xietong.api.scalars import JurisdictionCode
from xietong.evaluation import copies, results, service
from xietong.evaluation.graphql.types import (
    EvaluationCopyType,
    EvaluationExpertResultType,
    EvaluationInvestigationType,
    EvaluationSessionType,
    EvaluationSiteType,
)
from xietong.evaluation.models import EvaluationSession, EvaluationSite
from xietong.jurisdictions.graphql.types import known_code

First = Annotated[int | None, strawberry.argument(description="Page size, 1–100 (default 20).")]
After = Annotated[
    str | None, strawberry.argument(description="`pageInfo.endCursor` of the previous page.")
]


@strawberry.type
class EvaluationQueries:
    @strawberry.field(
        description="One evaluation session by global id: the home side's (and its superiors'), "
        "or a host's during its window; null otherwise."
    )
    async def evaluation_session(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="Global id.")],
    ) -> EvaluationSessionType | None:
        ctx = info.context
        row = await service.get_session(
            ctx.db, ctx.scope, expect_global_id(id, "EvaluationSession"), ctx.clock.today()
        )
        if row is None:
            return None
        await ctx.guard.require(
            ObjectType.EVALUATION, Action.READ, row.jurisdiction_code, object_id=row.id
        )
        return EvaluationSessionType(model=row)

    @strawberry.field(
        description="Evaluation sessions of a subtree (default: yours) and those you host while "
        "your window runs, by scheduled start."
    )
    async def evaluation_sessions(
        self,
        info: Info,
        under: Annotated[
            JurisdictionCode | None,
            strawberry.argument(description='Only this unit\'s subtree, e.g. "530100".'),
        ] = None,
        first: First = None,
        after: After = None,
    ) -> Connection[EvaluationSessionType]:
        ctx = info.context
        span = await ctx.guard.span(
            ObjectType.EVALUATION, Action.READ, known_code(info, under, "under")
        )
        query: Any = service.sessions_query(ctx.scope, ctx.clock.today(), span)
        page = await paginate(
            ctx.db,
            query,
            keys=(EvaluationSession.scheduled_start, EvaluationSession.id),
            first=first,
            after=after,
        )
        return connection(page, [EvaluationSessionType(model=r) for r in page.rows])

    @strawberry.field(
        description="The sessions your unit hosts (副场): number, time and seats from scheduling "
        "on; the session itself only from its start. Newest first."
    )
    async def evaluation_hostings(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[EvaluationSiteType]:
        ctx = info.context
        span = await ctx.guard.span(ObjectType.EVALUATION, Action.READ)
        query: Any = service.hostings_query(ctx.scope, span)
        page = await paginate(
            ctx.db,
            query,
            keys=(EvaluationSite.scheduled_start, EvaluationSite.id),
            first=first,
            after=after,
            descending=True,
        )
        return connection(page, [EvaluationSiteType(model=r) for r in page.rows])

    @strawberry.field(
        description="One investigation of expert conduct: the home side's, or a host's once its "
        "result was copied to it; null otherwise."
    )
    async def evaluation_investigation(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="Global id.")],
    ) -> EvaluationInvestigationType | None:
        ctx = info.context
        row = await service.get_investigation(
            ctx.db, ctx.scope, expect_global_id(id, "EvaluationInvestigation")
        )
        if row is None:
            return None
        await ctx.guard.require(
            ObjectType.EVALUATION_INVESTIGATION,
            Action.READ,
            row.jurisdiction_code,
            object_id=row.id,
        )
        return EvaluationInvestigationType(model=row)

    @strawberry.field(
        description="Copies of investigation results received by your host site (抄送, R-12): "
        "the result, your seats concerned and the decision, newest first; "
        "`unacknowledged: true` for those still to acknowledge."
    )
    async def evaluation_copies(
        self,
        info: Info,
        under: Annotated[
            JurisdictionCode | None,
            strawberry.argument(description="Only hosts in this unit's subtree (default: yours)."),
        ] = None,
        unacknowledged: Annotated[
            bool | None, strawberry.argument(description="Only (un)acknowledged ones.")
        ] = None,
        first: First = None,
        after: After = None,
    ) -> Connection[EvaluationCopyType]:
        ctx = info.context
        span = await ctx.guard.span(
            ObjectType.EVALUATION_INVESTIGATION, Action.READ, known_code(info, under, "under")
        )
        query: Any = copies.received_query(ctx.scope, span, unacknowledged)
        page = await paginate(
            ctx.db, query, keys=copies.INBOX_KEYS, first=first, after=after, descending=True
        )
        return connection(page, [EvaluationCopyType(model=r) for r in page.rows])

    @strawberry.field(
        description="An expert's record of investigation results (R-12), at the expert's own "
        "library: the home's experts from the end of an investigation, a host's from the copy. "
        "Empty for anyone else."
    )
    async def evaluation_expert_results(
        self,
        info: Info,
        expert_id: Annotated[strawberry.ID, strawberry.argument(description="The expert.")],
    ) -> list[EvaluationExpertResultType]:
        ctx = info.context
        span = await ctx.guard.span(ObjectType.EXPERT, Action.READ)
        rows = await results.results_of(
            ctx.db, ctx.scope, [expect_global_id(expert_id, "Expert", field="expertId")]
        )
        return [
            EvaluationExpertResultType(model=r)
            for r in rows
            if span.lo <= r.jurisdiction_code <= span.hi
        ]
