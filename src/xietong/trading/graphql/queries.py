"""Trading queries: the full record through the caller's scope, the public basics for everyone."""

from __future__ import annotations

import base64
from datetime import date
from enum import Enum
from typing import Annotated

import strawberry

from xietong.access.actions import Action, ObjectType
from xietong.api.context import Info
from xietong.api.enums import graphql_enum
from xietong.api.errors import BadUserInput
from xietong.api.ids import expect_global_id
from xietong.api.pagination import Connection, connection, paginate
from xietong.api.scalars import JurisdictionCode
from xietong.deadlines.clock import SYSTEM_CLOCK
from xietong.jurisdictions import codes
from xietong.jurisdictions.graphql.types import known_code
from xietong.trading import archive, credit_code, disclosure, service
from xietong.trading.catalogue import MAX_GRACE_DAYS
from xietong.trading.enums import ExpertStatus, ProjectCategory, ProjectState, TradingMethod
from xietong.trading.errors import TradingError
from xietong.trading.graphql.types import (
    ApprovedProjectType,
    ArchiveEntryType,
    ArchiveExport,
    ExpertType,
    MarketEntityType,
    NotEnteredType,
    ProjectType,
    PublicProjectType,
    TradingCatalogueType,
)
from xietong.trading.models import ApprovedProject, Expert, Project
from xietong.trading.rows import IDENT

First = Annotated[int | None, strawberry.argument(description="Page size, 1–100 (default 20).")]
After = Annotated[
    str | None, strawberry.argument(description="`pageInfo.endCursor` of the previous page.")
]
Under = Annotated[
    JurisdictionCode | None,
    strawberry.argument(description='Only this unit\'s subtree, e.g. "410700" (default: yours).'),
]


class ArchiveFormat(Enum):
    CSV = "csv"
    XLSX = "xlsx"


graphql_enum(
    ArchiveFormat,
    description="File format of an exported archive.",
    values={
        ArchiveFormat.CSV: "CSV: UTF-8 text, one entry per line.",
        ArchiveFormat.XLSX: "Excel 工作簿 (.xlsx, Office Open XML), base64 in the answer.",
    },
)


def _code(value: str, field: str) -> str:
    try:
        found: str = IDENT(value, field)
        return found
    except TradingError as exc:
        raise BadUserInput(exc.message, field=field) from None


async def _readable_project(
    info: Info, id: strawberry.ID | None, code: str | None, jurisdiction: int | None
) -> Project | None:
    ctx = info.context
    if (id is None) == (code is None):
        raise BadUserInput("请给出 id 或 code 之一（give either id or code）", field="id")
    row = await service.get_project(
        db_session=ctx.db,
        scope=ctx.scope,
        principal=ctx.principal,
        project_id=None if id is None else expect_global_id(id, "Project"),
        code=None if code is None else _code(code, "code"),
        jurisdiction_code=known_code(info, jurisdiction, "jurisdiction"),
    )
    if row is None:
        return None
    await ctx.guard.require(
        ObjectType.PROJECT, Action.READ, row.jurisdiction_code, object_id=row.id
    )
    return row


ProjectId = Annotated[
    strawberry.ID | None, strawberry.argument(description="The project's global id.")
]
ProjectCode = Annotated[str | None, strawberry.argument(description="Or its 项目编号.")]
ProjectJurisdiction = Annotated[
    JurisdictionCode | None,
    strawberry.argument(description="With `code`: the jurisdiction, when several use it."),
]


@strawberry.type
class TradingQueries:
    @strawberry.field(
        description="One project with its whole record, by id or code; null if it does not "
        "exist or you may not see it (classified projects: only the office, discipline "
        "inspection and audit of its chain and its supervising departments)."
    )
    async def project(
        self,
        info: Info,
        id: ProjectId = None,
        code: ProjectCode = None,
        jurisdiction: ProjectJurisdiction = None,
    ) -> ProjectType | None:
        row = await _readable_project(info, id, code, jurisdiction)
        return None if row is None else ProjectType(model=row)

    @strawberry.field(description="Projects of a subtree you may read, newest first by unit.")
    async def projects(
        self,
        info: Info,
        under: Under = None,
        category: Annotated[
            ProjectCategory | None, strawberry.argument(description="Only this category.")
        ] = None,
        state: Annotated[
            ProjectState | None, strawberry.argument(description="Only this state.")
        ] = None,
        method: Annotated[
            TradingMethod | None, strawberry.argument(description="Only this method.")
        ] = None,
        classified: Annotated[
            bool | None, strawberry.argument(description="Only classified (or unclassified).")
        ] = None,
        separated_evaluation: Annotated[
            bool | None, strawberry.argument(description="Only 评定分离 projects (or others).")
        ] = None,
        supervised_by: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="Only projects this department supervises."),
        ] = None,
        registered_from: Annotated[
            date | None, strawberry.argument(description="Registered on or after this day.")
        ] = None,
        registered_to: Annotated[
            date | None, strawberry.argument(description="Registered on or before this day.")
        ] = None,
        first: First = None,
        after: After = None,
    ) -> Connection[ProjectType]:
        ctx = info.context
        span = await ctx.guard.span(
            ObjectType.PROJECT, Action.READ, known_code(info, under, "under")
        )
        page = await paginate(
            ctx.db,
            service.projects_query(
                scope=ctx.scope,
                principal=ctx.principal,
                span=span,
                category=category,
                state=state,
                method=method,
                classified=classified,
                separated_evaluation=separated_evaluation,
                supervised_by=(
                    None
                    if supervised_by is None
                    else expect_global_id(supervised_by, "Department", field="supervisedBy")
                ),
                registered_from=registered_from,
                registered_to=registered_to,
            ),
            keys=(Project.jurisdiction_code, Project.project_code),
            first=first,
            after=after,
        )
        return connection(page, [ProjectType(model=r) for r in page.rows])

    @strawberry.field(
        description="A project's archive (项目档案, R-4): one timeline of its moves, changes, "
        "bids, award, contract and reports, oldest first. Null if you may not see the project."
    )
    async def project_archive(
        self,
        info: Info,
        id: ProjectId = None,
        code: ProjectCode = None,
        jurisdiction: ProjectJurisdiction = None,
    ) -> list[ArchiveEntryType] | None:
        row = await _readable_project(info, id, code, jurisdiction)
        if row is None:
            return None
        return [ArchiveEntryType(entry=e) for e in await archive.archive(info.context.db, row)]

    @strawberry.field(
        description="A project's archive as a file (CSV, or .xlsx in base64). Null if you may "
        "not see the project."
    )
    async def project_archive_export(
        self,
        info: Info,
        id: ProjectId = None,
        code: ProjectCode = None,
        jurisdiction: ProjectJurisdiction = None,
        format: Annotated[
            ArchiveFormat, strawberry.argument(description="CSV or XLSX.")
        ] = ArchiveFormat.CSV,
    ) -> ArchiveExport | None:
        row = await _readable_project(info, id, code, jurisdiction)
        if row is None:
            return None
        entries = await archive.archive(info.context.db, row)
        name = f"项目档案-{row.project_code}"
        if format is ArchiveFormat.XLSX:
            return ArchiveExport(
                filename=f"{name}.xlsx",
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                content=base64.b64encode(archive.to_xlsx(row, entries)).decode(),
            )
        return ArchiveExport(
            filename=f"{name}.csv",
            content_type="text/csv; charset=utf-8",
            content=archive.to_csv(row, entries),
        )

    @strawberry.field(
        description="Public basics of projects that are not classified (R-15): code, name, "
        "category, method, state, tenderer, budget, winner and amount. Anyone may ask."
    )
    async def public_projects(
        self,
        info: Info,
        under: Annotated[
            JurisdictionCode | None,
            strawberry.argument(description='Only this unit\'s subtree, e.g. "410721".'),
        ] = None,
        category: Annotated[
            ProjectCategory | None, strawberry.argument(description="Only this category.")
        ] = None,
        first: First = None,
        after: After = None,
    ) -> Connection[PublicProjectType]:
        code = known_code(info, under, "under")
        row = disclosure.ProjectDisclosureRow
        page = await paginate(
            info.context.db,
            disclosure.disclosure_query(
                span=None if code is None else codes.subtree(code), category=category
            ),
            keys=(row.jurisdiction_code, row.project_code),
            first=first,
            after=after,
        )
        return connection(page, [PublicProjectType(row=r) for r in page.rows])

    @strawberry.field(
        description="The public basics of one unclassified project by its code; null if there "
        "is none (or it is classified)."
    )
    async def public_project(
        self,
        info: Info,
        code: Annotated[str, strawberry.argument(description="项目编号.")],
        jurisdiction: Annotated[
            JurisdictionCode, strawberry.argument(description="The project's jurisdiction.")
        ],
    ) -> PublicProjectType | None:
        unit = known_code(info, jurisdiction, "jurisdiction")
        assert unit is not None
        rows = await info.context.db.scalars(
            disclosure.disclosure_query(span=codes.CodeRange(unit, unit), code=_code(code, "code"))
        )
        found = rows.first()
        return None if found is None else PublicProjectType(row=found)

    @strawberry.field(
        description="A market entity by its unified social credit code (public). An invalid "
        "code is refused with INVALID_CREDIT_CODE naming the position that fails; a valid one "
        "nobody has recorded is null."
    )
    async def market_entity(
        self,
        info: Info,
        credit_code: Annotated[
            str, strawberry.argument(description="统一社会信用代码, 18 characters.")
        ],
    ) -> MarketEntityType | None:
        code = credit_code_of(credit_code)
        row = await service.entity_by_code(info.context.db, code)
        return None if row is None else MarketEntityType(model=row)

    @strawberry.field(description="Experts whose home is in a subtree you may read.")
    async def experts(
        self,
        info: Info,
        under: Under = None,
        speciality: Annotated[
            str | None, strawberry.argument(description="Only this speciality.")
        ] = None,
        status: Annotated[
            ExpertStatus | None, strawberry.argument(description="Only this status.")
        ] = None,
        first: First = None,
        after: After = None,
    ) -> Connection[ExpertType]:
        ctx = info.context
        span = await ctx.guard.span(
            ObjectType.EXPERT, Action.READ, known_code(info, under, "under")
        )
        page = await paginate(
            ctx.db,
            service.experts_query(
                scope=ctx.scope,
                span=span,
                speciality=None if speciality is None else _code(speciality, "speciality"),
                status=status,
            ),
            keys=(Expert.jurisdiction_code, Expert.id),
            first=first,
            after=after,
        )
        return connection(page, [ExpertType(model=r) for r in page.rows])

    @strawberry.field(description="Approved investment projects of a subtree you may read.")
    async def approved_projects(
        self, info: Info, under: Under = None, first: First = None, after: After = None
    ) -> Connection[ApprovedProjectType]:
        ctx = info.context
        span = await ctx.guard.span(
            ObjectType.APPROVED_PROJECT, Action.READ, known_code(info, under, "under")
        )
        page = await paginate(
            ctx.db,
            service.approved_query(scope=ctx.scope, span=span),
            keys=(ApprovedProject.jurisdiction_code, ApprovedProject.approval_number),
            first=first,
            after=after,
        )
        return connection(page, [ApprovedProjectType(model=r) for r in page.rows])

    @strawberry.field(
        description="The 应进未进 list of a unit's subtree (R-16): approved projects the "
        "province's catalogue says must trade in the centre, past their grace period, with no "
        "matching trading project; each with the rule that put it there, oldest due first."
    )
    async def not_entered_projects(
        self,
        info: Info,
        jurisdiction: Annotated[
            JurisdictionCode, strawberry.argument(description="The unit whose list to check.")
        ],
        grace_days: Annotated[
            int | None,
            strawberry.argument(
                description=f"Override the catalogue's grace period (0–{MAX_GRACE_DAYS} days)."
            ),
        ] = None,
        as_of: Annotated[
            date | None, strawberry.argument(description="The day to check on (default today).")
        ] = None,
    ) -> list[NotEnteredType]:
        ctx = info.context
        if grace_days is not None and not 0 <= grace_days <= MAX_GRACE_DAYS:
            raise BadUserInput(
                f"graceDays 应在 0 到 {MAX_GRACE_DAYS} 之间（0–{MAX_GRACE_DAYS}）",
                field="graceDays",
            )
        span = await ctx.guard.span(
            ObjectType.APPROVED_PROJECT,
            Action.READ,
            known_code(info, jurisdiction, "jurisdiction"),
        )
        found = await disclosure.not_entered_list(
            db_session=ctx.db,
            scope=ctx.scope,
            principal=ctx.principal,
            span=span,
            today=as_of or SYSTEM_CLOCK.today(),
            grace_days=grace_days,
        )
        return [NotEnteredType(entry=e) for e in found]

    @strawberry.field(
        description="A province's trading catalogue (应进必进目录, public); null if it has none."
    )
    async def trading_catalogue(
        self,
        info: Info,
        province: Annotated[
            JurisdictionCode, strawberry.argument(description='The province, e.g. "410000".')
        ],
    ) -> TradingCatalogueType | None:
        code = known_code(info, province, "province")
        assert code is not None
        found = await disclosure.load_catalogue(info.context.db, codes.province_of(code))
        return None if found is None else TradingCatalogueType(catalogue=found)


def credit_code_of(raw: str) -> credit_code.CreditCode:
    """The code, or ``INVALID_CREDIT_CODE`` (a coded top-level error with ``position``)."""
    return credit_code.parse(raw, field="creditCode")
