from __future__ import annotations

from datetime import date, datetime

import strawberry

from xietong.api.context import Info
from xietong.api.enums import graphql_enum
from xietong.api.ids import to_global_id
from xietong.deadlines.graphql.dataloaders import DeadlineLoaders
from xietong.deadlines.graphql.types import ObligationType
from xietong.deadlines.rules import RULES_BY_ID
from xietong.jurisdictions.graphql.types import (
    DepartmentType,
    JurisdictionType,
    department_of,
    jurisdiction_awaited,
    unit_of,
)
from xietong.notifications.enums import NotificationKind
from xietong.notifications.models import Notification

graphql_enum(
    NotificationKind,
    description="What a notification says about a statutory clock.",
    values={
        NotificationKind.WARNING: "时限已过八成: 80 % of the time has run (of the promised "
        "period where there is one).",
        NotificationKind.LAST_DAY: "仅剩一个工作日: one working day is left.",
        NotificationKind.OVERDUE: "已逾期: the legal due date has passed; told to the owing "
        "department.",
        NotificationKind.ESCALATION: "逾期督办: a unit directly below let a clock go overdue; "
        "told to the supervision office one level up (R-18).",
    },
)

_PHRASES = {
    NotificationKind.WARNING: "已过时限的八成，{due} 到期",
    NotificationKind.LAST_DAY: "仅剩一个工作日，{due} 到期",
    NotificationKind.OVERDUE: "已于 {due} 到期，现已逾期",
    NotificationKind.ESCALATION: "{place}未在 {due} 前完成，已逾期，请督办",
}


@strawberry.type(
    name="Notification",
    description="Something a department is told about a statutory clock: a warning, that "
    "it is overdue, or (to an office) that a unit below let one go overdue.",
)
class NotificationType:
    model: strawberry.Private[Notification]

    @strawberry.field(description="Global id.")
    def id(self) -> strawberry.ID:
        return to_global_id("Notification", self.model.id)

    @strawberry.field(description="What it says.")
    def kind(self) -> NotificationKind:
        return self.model.kind

    @strawberry.field(description="The message, in Chinese, for the clerk.")
    async def message(self, info: Info) -> str:
        rule = RULES_BY_ID.get(self.model.rule_id)
        owed = rule.owed.split("（")[0] if rule else self.model.rule_id
        place = ""
        if self.model.kind is NotificationKind.ESCALATION:
            found = await jurisdiction_awaited(info, self.model.source_jurisdiction_code)
            place = found.model.name if found is not None else ""
        phrase = _PHRASES[self.model.kind].format(due=self.model.due_on.isoformat(), place=place)
        return f"「{owed}」{phrase}"

    @strawberry.field(description="The due date it speaks of.")
    def due(self) -> date:
        return self.model.due_on

    @strawberry.field(description="The clock; null if you may not read it.")
    async def obligation(self, info: Info) -> ObligationType | None:
        row = await info.context.loaders.of(DeadlineLoaders).obligation_by_id.load(
            self.model.obligation_id
        )
        return None if row is None else ObligationType(model=row)

    @strawberry.field(description="The unit where the clock is owed (for an escalation, below).")
    def owing_jurisdiction(self, info: Info) -> JurisdictionType:
        return unit_of(info, self.model.source_jurisdiction_code)

    @strawberry.field(description="The unit whose inbox it is in.")
    def jurisdiction(self, info: Info) -> JurisdictionType:
        return unit_of(info, self.model.jurisdiction_code)

    @strawberry.field(description="The department told; null: everyone of the unit.")
    async def recipient(self, info: Info) -> DepartmentType | None:
        return await department_of(info, self.model.recipient_department_id)

    @strawberry.field(description="When it was written.")
    def created_at(self) -> datetime:
        return self.model.created_at

    @strawberry.field(description="When it was marked read; null while unread.")
    def read_at(self) -> datetime | None:
        return self.model.read_at
