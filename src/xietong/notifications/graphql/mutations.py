from __future__ import annotations

from typing import Annotated

import strawberry

from xietong.access.actions import ObjectType
from xietong.access.errors import AccessDenied
from xietong.access.graphql.permissions import signed_in
from xietong.api.context import Info
from xietong.api.enums import graphql_enum
from xietong.api.ids import expect_global_id
from xietong.api.mutations import Invalid, atomic
from xietong.deadlines.graphql.queries import caller_unit
from xietong.deadlines.graphql.types import clock_of
from xietong.notifications import service
from xietong.notifications.errors import NotificationErrorCode as Code
from xietong.notifications.graphql.types import NotificationType

graphql_enum(
    Code,
    description="Why a notification mutation was refused.",
    values={Code.NOT_FOUND: "不存在: no such notification in your inbox."},
)


@strawberry.type(description="A problem with the input of a notification mutation.")
class NotificationError:
    field: str | None = strawberry.field(
        description="The input field at fault (camelCase), or null."
    )
    message: str = strawberry.field(description="What is wrong, for a clerk.")
    code: Code = strawberry.field(description="Machine-readable reason.")


@strawberry.input(description="Which notification to mark read.")
class NotificationMarkReadInput:
    notification_id: strawberry.ID = strawberry.field(description="The Notification id.")


@strawberry.type(description="Result of notificationMarkRead.")
class NotificationMarkReadPayload:
    notification: NotificationType | None = strawberry.field(description="The notification.")
    errors: list[NotificationError] = strawberry.field(description="Empty on success.")


@strawberry.type
class NotificationMutations:
    @strawberry.mutation(
        description="Mark a notification of your department's inbox read (again: no change). "
        "Read-only roles have no inbox to keep.",
        extensions=[signed_in()],
    )
    async def notification_mark_read(
        self,
        info: Info,
        input: Annotated[
            NotificationMarkReadInput,
            strawberry.argument(description="The notification."),
        ],
    ) -> NotificationMarkReadPayload:
        ctx = info.context
        notification_id = expect_global_id(
            input.notification_id, "Notification", field="notificationId"
        )
        code, department = caller_unit(info)
        if ctx.principal.read_only:
            raise AccessDenied("只读角色不能标记通知（read-only roles keep no inbox）")
        clock = clock_of(info)

        async def body() -> NotificationMarkReadPayload:
            row, changed = await service.mark_read(
                db_session=ctx.db,
                scope=ctx.scope,
                notification_id=notification_id,
                jurisdiction_code=code,
                department_id=department,
                actor=ctx.principal.actor,
                now=clock.now(),
            )
            if row is None:
                raise Invalid(
                    Code.NOT_FOUND, "收件箱中没有该通知（no such notification）", "notificationId"
                )
            if changed:
                await ctx.guard.audit(
                    action="notification.read",
                    object_type=ObjectType.OBLIGATION,
                    object_id=row.obligation_id,
                    jurisdiction_code=row.jurisdiction_code,
                    details={"notification": str(row.id), "kind": row.kind.value},
                )
            return NotificationMarkReadPayload(notification=NotificationType(model=row), errors=[])

        result, problems = await atomic(ctx.db, body)
        if result is not None:
            return result
        return NotificationMarkReadPayload(
            notification=None,
            errors=[
                NotificationError(field=p.field, message=p.message, code=Code(p.code))
                for p in problems
            ],
        )
