from __future__ import annotations

import inspect
import uuid
from collections.abc import Awaitable
from datetime import date
from typing import Annotated, Any, cast

import strawberry

from xietong.access.graphql.powers import PowerType
from xietong.access.powers import catalogue
from xietong.api.context import Info
from xietong.api.enums import graphql_enum
from xietong.api.errors import NotFound
from xietong.api.ids import to_global_id
from xietong.api.scalars import JurisdictionCode
from xietong.jurisdictions import codes
from xietong.jurisdictions import models as m
from xietong.jurisdictions.enums import DepartmentKind, Industry, JurisdictionLevel

graphql_enum(
    JurisdictionLevel,
    description="Administrative level under GB/T 2260.",
    values={
        JurisdictionLevel.PROVINCE: "省级: a province, autonomous region or municipality "
        "(code `XX0000`).",
        JurisdictionLevel.CITY: "地市级: a prefecture-level city or autonomous prefecture "
        "(code `XXYY00`).",
        JurisdictionLevel.COUNTY: "县级: a county, district or county-level city (code `XXYYZZ`).",
    },
)
graphql_enum(
    DepartmentKind,
    description="What a department is.",
    values={
        DepartmentKind.SUPERVISION_OFFICE: "综合监督部门（公管办 / 协同监管办公室）: the "
        "office that coordinates supervision in its jurisdiction.",
        DepartmentKind.INDUSTRY: "行业监管部门: supervises the trading of its own industry "
        "(see `industry`).",
        DepartmentKind.FINANCE: "财政部门: supervises government procurement (政府采购).",
        DepartmentKind.TRADING_CENTRE: "公共资源交易中心: runs the trading platform.",
        DepartmentKind.DISCIPLINE_INSPECTION: "纪委监委（纪检监察）.",
        DepartmentKind.AUDIT: "审计局.",
        DepartmentKind.POLICE: "公安局.",
        DepartmentKind.LEADERSHIP: "管委会 / 领导小组: the committee that leads the work.",
        DepartmentKind.OTHER: "其他: any other body.",
    },
)
graphql_enum(
    Industry,
    description="The industry a department supervises (谁主管谁监管).",
    values={
        Industry.HOUSING: "住房和城乡建设: building and municipal works.",
        Industry.TRANSPORT: "交通运输: roads, waterways, transport works.",
        Industry.WATER: "水利: water conservancy works.",
        Industry.AGRICULTURE: "农业农村: agriculture and rural works.",
        Industry.NATURAL_RESOURCES: "自然资源和规划: land and mining rights, land consolidation.",
        Industry.FORESTRY: "林业: forestry.",
        Industry.ECOLOGY: "生态环境: ecological and environmental works.",
        Industry.HEALTH: "卫生健康: health (hospital procurement, medical works).",
        Industry.EDUCATION: "教育: education (school works and procurement).",
        Industry.DEVELOPMENT_REFORM: "发展和改革: development and reform (发改; often the "
        "lead of public-resource trading).",
        Industry.PROCUREMENT: "政府采购: government procurement, supervised by finance (财政).",
    },
)


@strawberry.type(name="Department", description="A body of a jurisdiction (部门).")
class DepartmentType:
    model: strawberry.Private[m.Department]

    @strawberry.field(description="Global id.")
    def id(self) -> strawberry.ID:
        return to_global_id("Department", self.model.id)

    @strawberry.field(description="Stable key from the tenant file, e.g. `xuanen-office`.")
    def key(self) -> str:
        return self.model.key

    @strawberry.field(description="Official name, e.g. 宣恩县住房和城乡建设局.")
    def name(self) -> str:
        return self.model.name

    @strawberry.field(description="What kind of body it is.")
    def kind(self) -> DepartmentKind:
        return self.model.kind

    @strawberry.field(
        description="The industry it supervises; null unless kind is INDUSTRY or FINANCE."
    )
    def industry(self) -> Industry | None:
        return self.model.industry

    @strawberry.field(description="The jurisdiction the department belongs to.")
    def jurisdiction(self, info: Info) -> JurisdictionType:
        return unit_of(info, self.model.jurisdiction_code)

    @strawberry.field(
        description="Its published power list (监管权力和责任清单, R-2), in "
        "published order. Public. The department may exercise these powers and "
        "no others."
    )
    async def powers(self, info: Info) -> list[PowerType]:
        codes_ = await info.context.loaders.jurisdictions.power_codes_by_department_id.load(
            self.model.id
        )
        found = (catalogue().get(c) for c in codes_ or [])
        return [PowerType(power=p) for p in found if p is not None]


@strawberry.type(
    name="JurisdictionVersion",
    description="The name and parent a unit had during a period (renames and moves keep "
    "their history).",
)
class JurisdictionVersionType:
    model: strawberry.Private[m.JurisdictionVersion]

    @strawberry.field(description="The name during this period.")
    def name(self) -> str:
        return self.model.name

    @strawberry.field(description="The parent's six-digit code during this period.")
    def parent_code(self) -> str | None:
        parent = self.model.parent_code
        return None if parent is None else codes.format_code(parent)

    @strawberry.field(
        description="First day of the period; null if it began before the service knew the unit."
    )
    def valid_from(self) -> date | None:
        return self.model.valid_from

    @strawberry.field(description="First day after the period; null for the current one.")
    def valid_to(self) -> date | None:
        return self.model.valid_to


@strawberry.type(
    name="Jurisdiction",
    description="An administrative unit (行政区划) identified by its GB/T 2260 code. Each "
    "jurisdiction is a tenant: it owns its projects, cases and records.",
)
class JurisdictionType:
    model: strawberry.Private[m.Jurisdiction]

    @strawberry.field(description="Six-digit GB/T 2260 code, e.g. `422825`.")
    def code(self) -> str:
        return codes.format_code(self.model.code)

    @strawberry.field(description="Current official name, e.g. 宣恩县.")
    def name(self) -> str:
        return self.model.name

    @strawberry.field(description="Administrative level.")
    def level(self) -> JurisdictionLevel:
        return self.model.level

    @strawberry.field(description="The unit directly above; null for a province.")
    def parent(self, info: Info) -> JurisdictionType | None:
        return jurisdiction_of(info, self.model.parent_code)

    @strawberry.field(description="Units directly below that have not been retired, by code.")
    async def children(self, info: Info) -> list[JurisdictionType]:
        rows = await info.context.loaders.jurisdictions.children_by_parent_code.load(
            self.model.code
        )
        return [JurisdictionType(model=r) for r in rows or []]

    @strawberry.field(description="Every unit above this one, the province first.")
    async def ancestors(self, info: Info) -> list[JurisdictionType]:
        tree = info.context.guard.authorizer.tree
        cached = None if tree is None else tree.ancestors(self.model)
        if cached is not None:  # the process's tree (jurisdictions.cache): no database
            return [JurisdictionType(model=row) for row in cached]
        chain: list[JurisdictionType] = []
        parent = self.model.parent_code
        loader = info.context.loaders.jurisdictions.jurisdiction_by_code
        # The code spells the usual ancestors (its prefecture and province): load them in one
        # batch, so the walk below finds them cached. A unit moved elsewhere (its parent_code
        # is the authority) costs one more load per step, as before.
        code = self.model.code
        likely = {code - code % 100, code - code % 10000} - {code}
        if parent is not None and likely:
            await loader.load_many(sorted(likely))
        while parent is not None:
            row = await loader.load(parent)
            if row is None:
                break
            chain.append(JurisdictionType(model=row))
            parent = row.parent_code
        return chain[::-1]

    @strawberry.field(description="Active departments of this unit.")
    async def departments(self, info: Info) -> list[DepartmentType]:
        rows = await info.context.loaders.jurisdictions.departments_by_jurisdiction_code.load(
            self.model.code
        )
        return [DepartmentType(model=r) for r in rows or []]

    @strawberry.field(
        description="The first day the unit no longer exists; null while it does. "
        "Records of a retired unit stay attached to it."
    )
    def retired_on(self) -> date | None:
        return self.model.retired_on

    @strawberry.field(description="Names and parents over time, oldest first.")
    async def history(self, info: Info) -> list[JurisdictionVersionType]:
        rows = await info.context.loaders.jurisdictions.history_by_code.load(self.model.code)
        return [JurisdictionVersionType(model=r) for r in rows or []]


CodeArgument = Annotated[
    JurisdictionCode, strawberry.argument(description='Six-digit GB/T 2260 code, e.g. "422825".')
]


def jurisdiction_of(info: Info, code: int | None) -> JurisdictionType | None:
    """The jurisdiction with this code: the node itself when the process holds the tree, else an
    awaitable through the request's DataLoader (batched), which graphql-core awaits as it awaits
    any resolver's awaitable result. Not a coroutine every time: a page of 20 rows naming their
    units would otherwise make graphql-core gather 20 coroutines (tasks, a future each) for what
    is a dictionary lookup. For a field: ``def f(self, info) -> JurisdictionType | None``; inside
    a coroutine, ``await jurisdiction_awaited(...)``."""
    if code is None:
        return None
    tree = info.context.guard.authorizer.tree
    row = None if tree is None else tree.get(code)
    if row is not None:
        return JurisdictionType(model=row)
    return cast("JurisdictionType | None", _loaded(info, code))


def unit_of(info: Info, code: int) -> JurisdictionType:
    """``jurisdiction_of`` for a code a foreign key guarantees."""
    found: Any = jurisdiction_of(info, code)
    if inspect.isawaitable(found):
        return cast(JurisdictionType, _present(found))
    assert found is not None  # a foreign key
    return cast(JurisdictionType, found)


async def jurisdiction_awaited(info: Info, code: int | None) -> JurisdictionType | None:
    """``jurisdiction_of`` for a coroutine: always awaitable."""
    found: Any = jurisdiction_of(info, code)
    return cast("JurisdictionType | None", await found if inspect.isawaitable(found) else found)


async def _loaded(info: Info, code: int) -> JurisdictionType | None:
    row = await info.context.loaders.jurisdictions.jurisdiction_by_code.load(code)
    return None if row is None else JurisdictionType(model=row)


async def _present(found: Awaitable[JurisdictionType | None]) -> JurisdictionType:
    unit = await found
    assert unit is not None  # a foreign key
    return unit


async def department_of(info: Info, department_id: uuid.UUID | None) -> DepartmentType | None:
    """The department with this id, through the request's DataLoader (batched)."""
    if department_id is None:
        return None
    row = await info.context.loaders.jurisdictions.department_by_id.load(department_id)
    return None if row is None else DepartmentType(model=row)


def known_code(info: Info, code: int | None, argument: str) -> int | None:
    """``code`` unchanged if it names a jurisdiction the service knows (or is None); otherwise
    ``NOT_FOUND``, so a filter on a unit that does not exist is not mistaken for an empty one."""
    if code is not None and code not in info.context.guard.authorizer.jurisdictions:
        raise NotFound("没有该行政区划（unknown jurisdiction）", field=argument)
    return code
