from __future__ import annotations

import uuid

import strawberry

from xietong.access.roles import Role
from xietong.api.context import Info
from xietong.api.enums import graphql_enum
from xietong.api.ids import to_global_id
from xietong.jurisdictions.graphql.types import (
    DepartmentType,
    JurisdictionType,
    department_of,
    unit_of,
)
from xietong.people import models as m
from xietong.people.enums import Qualification, Speciality

graphql_enum(
    Qualification,
    description="How an officer is qualified (执法资质).",
    values={
        Qualification.ENFORCEMENT_CERTIFICATE: "行政执法资格: holds an administrative "
        "enforcement certificate.",
        Qualification.POLICE_OFFICER: "人民警察执法资格: a police officer.",
        Qualification.DAILY_SUPERVISION: "日常监管人员: staff doing day-to-day supervision.",
    },
)
graphql_enum(
    Speciality,
    description="What an officer knows best (业务专长).",
    values={
        Speciality.TENDERING: "招投标综合监管: tendering supervision in general.",
        Speciality.PROCUREMENT: "政府采购: government procurement.",
        Speciality.CRIMINAL_INVESTIGATION: "经济犯罪侦查: economic crime investigation.",
        Speciality.HOUSING: "住房和城乡建设.",
        Speciality.TRANSPORT: "交通运输.",
        Speciality.WATER: "水利.",
        Speciality.AGRICULTURE: "农业农村.",
        Speciality.NATURAL_RESOURCES: "自然资源和规划.",
        Speciality.FORESTRY: "林业.",
        Speciality.ECOLOGY: "生态环境.",
        Speciality.HEALTH: "卫生健康.",
        Speciality.EDUCATION: "教育.",
        Speciality.DEVELOPMENT_REFORM: "发展和改革.",
    },
)


async def _department(info: Info, department_id: uuid.UUID) -> DepartmentType:
    found = await department_of(info, department_id)
    assert found is not None  # a foreign key
    return found


@strawberry.type(name="RoleAssignment", description="A role held in a jurisdiction.")
class RoleAssignmentType:
    role: Role = strawberry.field(description="The role.")
    jurisdiction_code: strawberry.Private[int]

    @strawberry.field(
        description="Where the role is held; it reaches that unit's subtree for "
        "reading and rolling up, and that unit alone for casework."
    )
    def jurisdiction(self, info: Info) -> JurisdictionType:
        return unit_of(info, self.jurisdiction_code)


@strawberry.type(
    name="OfficerPoolMember",
    description="A member of a jurisdiction's officer pool (执法人员库, R-3): drawn at random "
    "for inspections.",
)
class OfficerPoolMemberType:
    model: strawberry.Private[m.OfficerPoolMember]

    @strawberry.field(description="Global id of the member (the person's pool entry).")
    def id(self) -> strawberry.ID:
        return to_global_id("OfficerPoolMember", self.model.person_id)

    @strawberry.field(description="The person.")
    async def person(self, info: Info) -> PersonType | None:
        row = await info.context.loaders.people.person_by_id.load(self.model.person_id)
        return None if row is None else PersonType(model=row)

    @strawberry.field(description="Qualification (执法资质).")
    def qualification(self) -> Qualification:
        return self.model.qualification

    @strawberry.field(description="Speciality (业务专长).")
    def speciality(self) -> Speciality:
        return self.model.speciality

    @strawberry.field(description="Enforcement certificate number, if any.")
    def certificate(self) -> str | None:
        return self.model.certificate

    @strawberry.field(description="Whether the office currently lets the officer be drawn.")
    def available(self) -> bool:
        return self.model.available

    @strawberry.field(description="Why the officer is not available (leave, recusal…).")
    def unavailable_reason(self) -> str | None:
        return self.model.unavailable_reason

    @strawberry.field(description="The unit the officer comes from.")
    async def department(self, info: Info) -> DepartmentType:
        return await _department(info, self.model.department_id)

    @strawberry.field(description="The jurisdiction whose pool this is.")
    def jurisdiction(self, info: Info) -> JurisdictionType:
        return unit_of(info, self.model.jurisdiction_code)


@strawberry.type(name="Person", description="Someone who works in a department.")
class PersonType:
    model: strawberry.Private[m.Person]

    @strawberry.field(description="Global id.")
    def id(self) -> strawberry.ID:
        return to_global_id("Person", self.model.id)

    @strawberry.field(description="Sign-in name, e.g. `xuanen.office`.")
    def login(self) -> str:
        return self.model.login

    @strawberry.field(description="Full name.")
    def name(self) -> str:
        return self.model.name

    @strawberry.field(description="False once removed from the tenant file (never deleted).")
    def active(self) -> bool:
        return self.model.active

    @strawberry.field(description="The person's department.")
    async def department(self, info: Info) -> DepartmentType:
        return await _department(info, self.model.department_id)

    @strawberry.field(description="The person's jurisdiction.")
    def jurisdiction(self, info: Info) -> JurisdictionType:
        return unit_of(info, self.model.jurisdiction_code)

    @strawberry.field(description="Roles held, each in a jurisdiction.")
    async def roles(self, info: Info) -> list[RoleAssignmentType]:
        rows = await info.context.loaders.people.roles_by_person_id.load(self.model.id)
        return [
            RoleAssignmentType(role=r.role, jurisdiction_code=r.jurisdiction_code)
            for r in rows or []
        ]

    @strawberry.field(description="Officer-pool membership; null if not a member.")
    async def officer(self, info: Info) -> OfficerPoolMemberType | None:
        row = await info.context.loaders.people.officer_by_person_id.load(self.model.id)
        return None if row is None else OfficerPoolMemberType(model=row)
