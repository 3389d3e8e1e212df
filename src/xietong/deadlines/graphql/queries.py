from __future__ import annotations

import re
import uuid
from datetime import date
from typing import Annotated

import strawberry
from sqlalchemy import Select

from xietong.access.actions import Action, ObjectType
from xietong.access.errors import AccessDenied, Unauthenticated
from xietong.api import projection
from xietong.api.context import Info
from xietong.api.errors import BadUserInput
from xietong.api.ids import expect_global_id
from xietong.api.pagination import Connection, connection, paginate
from xietong.api.scalars import JurisdictionCode, ShortText
from xietong.deadlines import rules, service
from xietong.deadlines.enums import DeadlineUnit, ObligationStatus
from xietong.deadlines.errors import DeadlineError
from xietong.deadlines.graphql.dataloaders import DeadlineLoaders
from xietong.deadlines.graphql.types import (
    DeadlineAnswerType,
    DeadlineRuleType,
    ObligationType,
    clock_of,
)
from xietong.deadlines.models import Obligation
from xietong.deadlines.store import calendar_state
from xietong.jurisdictions.graphql.types import (
    JurisdictionType,
    known_code,
    unit_of,
)

First = Annotated[int | None, strawberry.argument(description="Page size, 1–100 (default 20).")]
After = Annotated[
    str | None, strawberry.argument(description="`pageInfo.endCursor` of the previous page.")
]

_MATTER_TYPE = re.compile(r"^[a-z][a-z_]{0,31}$")


def caller_unit(info: Info) -> tuple[int, uuid.UUID]:
    """The caller's unit and department: what ``myWork`` and ``myNotifications`` are about.
    Anonymous callers sign in first; an API key has no department, so no work of its own."""
    principal = info.context.principal
    if principal.is_anonymous or principal.jurisdiction_code is None:
        raise Unauthenticated
    if principal.department is None:
        raise AccessDenied(
            "只有部门工作人员有待办和通知（only people of a department have work and an inbox）"
        )
    return principal.jurisdiction_code, principal.department.id


@strawberry.input(description="Narrows a list of obligations; every field is optional.")
class ObligationFilter:
    status: list[ObligationStatus] | None = strawberry.field(
        default=None,
        description="Only these statuses (default: OPEN and OVERDUE, work not yet done).",
    )
    overdue: bool | None = strawberry.field(
        default=None,
        description="Only clocks past their legal due date and not met (true), or none of them "
        "(false).",
    )
    due_before: date | None = strawberry.field(
        default=None, description="Only clocks due before this day (held clocks have no date)."
    )
    rule: ShortText | None = strawberry.field(
        default=None,
        description="Only this rule, e.g. `TB.acceptance_decision` (see `deadlineRules`).",
    )
    matter_type: ShortText | None = strawberry.field(
        default=None, description="Only this kind of matter, e.g. `complaint`."
    )


def _work_filter(given: ObligationFilter | None) -> service.WorkFilter:
    if given is None:
        return service.WorkFilter()
    if given.rule is not None and given.rule not in rules.RULES_BY_ID:
        raise BadUserInput(
            "没有该时限规则（no such deadline rule; see deadlineRules）", field="filter.rule"
        )
    if given.matter_type is not None and not _MATTER_TYPE.match(given.matter_type):
        raise BadUserInput(
            "事项类型无效（not a matter type, e.g. complaint）", field="filter.matterType"
        )
    if given.status is not None and not given.status:
        raise BadUserInput("状态列表不能为空（status may not be empty）", field="filter.status")
    return service.WorkFilter(
        statuses=frozenset(given.status) if given.status else None,
        overdue=given.overdue,
        due_before=given.due_before,
        rule_id=given.rule,
        matter_type=given.matter_type,
    )


FilterArgument = Annotated[
    ObligationFilter | None, strawberry.argument(description="What to list (default: unfinished).")
]


async def _work_page(
    info: Info, query: Select[Obligation], *, first: int | None, after: str | None
) -> Connection[ObligationType]:
    """A page of clocks by ``WORK_KEYS``: nodes built by PostgreSQL when the document lets it
    (``api.projection``), else rows for ``ObligationType``."""
    db = info.context.db
    plan = projection.plan_connection(info)
    if plan is not None:
        page = await paginate(
            db,
            query,
            keys=service.WORK_KEYS,
            first=first,
            after=after,
            project=plan.columns,
            params=plan.params(info.context),
        )
        answered: Connection[ObligationType] = await plan.answer(page)
        return answered
    page = await paginate(
        db, query, keys=service.WORK_KEYS, first=first, after=after, columns_only=True
    )
    return connection(page, [ObligationType(model=r) for r in page.rows])


@strawberry.type(
    name="EscalationCount",
    description="Overdue clocks of one unit (or of a unit and everything below it).",
)
class EscalationCountType:
    jurisdiction_code: strawberry.Private[int]
    overdue: int = strawberry.field(description="Clocks not met and past their legal due date.")
    includes_subtree: bool = strawberry.field(
        description="True: the unit and every unit below it; false: the unit's own clocks only."
    )

    @strawberry.field(description="The unit: pass its code as `under` to drill down.")
    def jurisdiction(self, info: Info) -> JurisdictionType:
        return unit_of(info, self.jurisdiction_code)


@strawberry.type
class DeadlineQueries:
    @strawberry.field(
        description="When a period falls due (public): `amount` working or calendar days after "
        "`start` (the start day not counted), on the official calendar with the local closures "
        "of `jurisdiction` (default: the national calendar). A calendar-day period ending on a "
        "holiday ends on the next working day (94号令 Art. 42). Years no notice covers yet are "
        'counted on weekends only and answered `provisional`. `deadline(start: "2026-09-30", '
        "amount: 3, unit: WORKING_DAYS)` is 2026-10-10, a make-up Saturday."
    )
    async def deadline(
        self,
        info: Info,
        start: Annotated[date, strawberry.argument(description="The start day (not counted).")],
        amount: Annotated[int, strawberry.argument(description="The period, 1–3650.")],
        unit: Annotated[DeadlineUnit, strawberry.argument(description="How it is counted.")],
        jurisdiction: Annotated[
            JurisdictionCode | None,
            strawberry.argument(
                description="Count on this unit's calendar (its closures and those of the "
                'units above it), e.g. "422825"; default: the national calendar.'
            ),
        ] = None,
    ) -> DeadlineAnswerType:
        code = known_code(info, jurisdiction, "jurisdiction")
        state = await calendar_state(info.context.db)
        try:
            found, _ = service.public_deadline(
                state, start=start, amount=amount, unit=unit, jurisdiction_code=code
            )
        except DeadlineError as exc:
            field = "amount" if exc.error_code.value == "AMOUNT_OUT_OF_RANGE" else "start"
            raise BadUserInput(exc.message, field=field, reason=exc.error_code.value) from None
        return DeadlineAnswerType(deadline=found)

    @strawberry.field(
        description="The table of statutory clocks (public): every period the service tracks, "
        "with its citations."
    )
    def deadline_rules(self) -> list[DeadlineRuleType]:
        return [DeadlineRuleType(rule=rule) for rule in rules.RULES]

    @strawberry.field(
        description="One obligation by global id; null if you may not read it (your roles "
        "read obligations in your subtree, or your department owes it)."
    )
    async def obligation(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="Global id.")],
    ) -> ObligationType | None:
        ident = expect_global_id(id, "Obligation")
        row = await info.context.loaders.of(DeadlineLoaders).obligation_by_id.load(ident)
        return None if row is None else ObligationType(model=row)

    @strawberry.field(
        description="What your department owes (待办): its clocks by legal due date, so "
        "overdue ones come first and clocks held by a pause last. Needs a person of a "
        "department."
    )
    async def my_work(
        self, info: Info, filter: FilterArgument = None, first: First = None, after: After = None
    ) -> Connection[ObligationType]:
        ctx = info.context
        code, department = caller_unit(info)
        query = service.work_query(
            scope=ctx.scope,
            department_id=department,
            jurisdiction_code=code,
            filters=_work_filter(filter),
            today=clock_of(info).today(),
        )
        return await _work_page(info, query, first=first, after=after)

    @strawberry.field(
        description="Overdue clocks in a subtree (逾期督办, R-18), most overdue first: for the "
        "supervision offices that receive escalations. `escalationSummary` drills down."
    )
    async def escalations(
        self,
        info: Info,
        under: Annotated[
            JurisdictionCode | None,
            strawberry.argument(description="This unit and everything below it (default: yours)."),
        ] = None,
        filter: FilterArgument = None,
        first: First = None,
        after: After = None,
    ) -> Connection[ObligationType]:
        ctx = info.context
        span = await ctx.guard.span(
            ObjectType.OBLIGATION, Action.RECEIVE_ESCALATION, known_code(info, under, "under")
        )
        query = service.escalations_query(
            scope=ctx.scope, span=span, filters=_work_filter(filter), today=clock_of(info).today()
        )
        return await _work_page(info, query, first=first, after=after)

    @strawberry.field(
        description="How many clocks are overdue in a unit itself and under each unit directly "
        "below it: pass a child's code as `under` to drill down."
    )
    async def escalation_summary(
        self,
        info: Info,
        under: Annotated[
            JurisdictionCode | None,
            strawberry.argument(description="The unit to break down (default: yours)."),
        ] = None,
    ) -> list[EscalationCountType]:
        ctx = info.context
        code = known_code(info, under, "under") or ctx.principal.jurisdiction_code
        if code is None:
            raise Unauthenticated
        await ctx.guard.require(ObjectType.OBLIGATION, Action.RECEIVE_ESCALATION, code)
        counts = await service.escalation_counts(
            ctx.db, scope=ctx.scope, under=code, today=clock_of(info).today()
        )
        return [
            EscalationCountType(
                jurisdiction_code=c.jurisdiction_code,
                overdue=c.overdue,
                includes_subtree=c.subtree,
            )
            for c in counts
        ]
