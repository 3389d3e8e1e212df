from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry

from xietong.access.actions import Action, ObjectType
from xietong.api.context import Info
from xietong.api.errors import BadUserInput
from xietong.api.ids import expect_global_id
from xietong.api.pagination import Connection, connection, paginate
from xietong.api.scalars import JurisdictionCode
from xietong.complaints import service
from xietong.complaints.enums import ComplaintRegime, ComplaintStatus
from xietong.complaints.graphql.types import ComplaintType
from xietong.complaints.models import Complaint
from xietong.deadlines.rules import RULES_BY_ID
from xietong.jurisdictions.graphql.types import known_code

First = Annotated[int | None, strawberry.argument(description="Page size, 1–100 (default 20).")]
After = Annotated[
    str | None, strawberry.argument(description="`pageInfo.endCursor` of the previous page.")
]


@strawberry.type
class ComplaintQueries:
    @strawberry.field(description="One complaint by global id; null if outside your scope.")
    async def complaint(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="Global id.")],
    ) -> ComplaintType | None:
        ctx = info.context
        row = await service.get(
            db_session=ctx.db, scope=ctx.scope, complaint_id=expect_global_id(id, "Complaint")
        )
        if row is None:
            return None
        await ctx.guard.require(
            ObjectType.COMPLAINT, Action.READ, row.jurisdiction_code, object_id=row.id
        )
        return ComplaintType(model=row)

    @strawberry.field(
        description="Complaints of a subtree (default: your whole scope), oldest first, "
        "filtered by state, regime, department and their clocks."
    )
    async def complaints(
        self,
        info: Info,
        under: Annotated[
            JurisdictionCode | None,
            strawberry.argument(description='Only this unit\'s subtree, e.g. "422825".'),
        ] = None,
        status: Annotated[
            list[ComplaintStatus] | None,
            strawberry.argument(description="Only these states."),
        ] = None,
        regime: Annotated[
            ComplaintRegime | None, strawberry.argument(description="Only this regime.")
        ] = None,
        department_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="Only complaints this department received or handles."),
        ] = None,
        overdue: Annotated[
            bool | None,
            strawberry.argument(
                description="true: one of its clocks is past its legal due date; false: none."
            ),
        ] = None,
        due_before: Annotated[
            date | None,
            strawberry.argument(description="One of its open clocks falls due on or before it."),
        ] = None,
        rule: Annotated[
            str | None,
            strawberry.argument(
                description="One of its open clocks runs under this rule, e.g. `TB.decision`."
            ),
        ] = None,
        first: First = None,
        after: After = None,
    ) -> Connection[ComplaintType]:
        ctx = info.context
        span = await ctx.guard.span(
            ObjectType.COMPLAINT, Action.READ, known_code(info, under, "under")
        )
        if rule is not None and rule not in RULES_BY_ID:
            raise BadUserInput("没有该时限规则（no such deadline rule）", field="rule")
        department = (
            None
            if department_id is None
            else expect_global_id(department_id, "Department", field="departmentId")
        )
        page = await paginate(
            ctx.db,
            service.complaints_query(
                scope=ctx.scope,
                span=span,
                today=ctx.clock.today(),
                status=status or (),
                regime=regime,
                department_id=department,
                overdue=overdue,
                due_before=due_before,
                rule_id=rule,
            ),
            keys=(Complaint.received_at, Complaint.id),
            first=first,
            after=after,
        )
        return connection(page, [ComplaintType(model=r) for r in page.rows])
