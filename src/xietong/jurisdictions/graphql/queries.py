from __future__ import annotations

from typing import Annotated

import strawberry

from xietong.api.context import Info
from xietong.api.scalars import JurisdictionCode
from xietong.jurisdictions import service
from xietong.jurisdictions.enums import JurisdictionLevel
from xietong.jurisdictions.graphql.types import (
    CodeArgument,
    JurisdictionType,
    jurisdiction_awaited,
    known_code,
)


@strawberry.type
class JurisdictionQueries:
    @strawberry.field(description="One jurisdiction by its code; null if the code is unknown.")
    async def jurisdiction(self, info: Info, code: CodeArgument) -> JurisdictionType | None:
        return await jurisdiction_awaited(info, code)

    @strawberry.field(
        description="Jurisdictions by code, optionally at one level and/or inside a subtree. "
        "Retired units are left out unless asked for."
    )
    async def jurisdictions(
        self,
        info: Info,
        level: Annotated[
            JurisdictionLevel | None,
            strawberry.argument(description="Only units at this level."),
        ] = None,
        under: Annotated[
            JurisdictionCode | None,
            strawberry.argument(
                description='Only units strictly below this code, e.g. "420000" for all of 湖北省.'
            ),
        ] = None,
        include_retired: Annotated[
            bool, strawberry.argument(description="Also list retired units.")
        ] = False,
    ) -> list[JurisdictionType]:
        rows = await service.list_jurisdictions(
            db_session=info.context.db,
            level=level,
            under=known_code(info, under, "under"),
            include_retired=include_retired,
        )
        loader = info.context.loaders.jurisdictions.jurisdiction_by_code
        for row in rows:
            loader.prime(row.code, row)
        return [JurisdictionType(model=r) for r in rows]
