from __future__ import annotations

from typing import Annotated

import strawberry

from xietong.api.context import Info
from xietong.api.pagination import Connection, connection, paginate
from xietong.deadlines.graphql.queries import After, First, caller_unit
from xietong.notifications import service
from xietong.notifications.graphql.types import NotificationType


@strawberry.type
class NotificationQueries:
    @strawberry.field(
        description="Your department's notifications (warnings, overdue clocks, escalations), "
        "newest first. Needs a person of a department."
    )
    async def my_notifications(
        self,
        info: Info,
        unread: Annotated[
            bool | None,
            strawberry.argument(description="Only unread (true) or only read (false) ones."),
        ] = None,
        first: First = None,
        after: After = None,
    ) -> Connection[NotificationType]:
        ctx = info.context
        code, department = caller_unit(info)
        page = await paginate(
            ctx.db,
            service.inbox_query(
                scope=ctx.scope, jurisdiction_code=code, department_id=department, unread=unread
            ),
            keys=service.INBOX_KEYS,
            first=first,
            after=after,
            descending=True,
        )
        return connection(page, [NotificationType(model=n) for n in page.rows])
