from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.dataloader import DataLoader

from xietong.access.guard import Guard
from xietong.api.dataloaders import keyed_loader
from xietong.jurisdictions import service
from xietong.jurisdictions.models import Department, Jurisdiction, JurisdictionVersion


@dataclass(frozen=True, slots=True)
class JurisdictionLoaders:
    jurisdiction_by_code: DataLoader[int, Jurisdiction | None]
    children_by_parent_code: DataLoader[int, list[Jurisdiction] | None]
    departments_by_jurisdiction_code: DataLoader[int, list[Department] | None]
    history_by_code: DataLoader[int, list[JurisdictionVersion] | None]
    department_by_id: DataLoader[uuid.UUID, Department | None]
    power_codes_by_department_id: DataLoader[uuid.UUID, list[str] | None]

    @classmethod
    def create(cls, session: AsyncSession, guard: Guard) -> JurisdictionLoaders:
        del guard  # reference data: public, no scope needed
        return cls(
            jurisdiction_by_code=keyed_loader(session, service.by_codes, key_arg="codes_"),
            children_by_parent_code=keyed_loader(
                session, service.children_of, key_arg="parents", default=list
            ),
            departments_by_jurisdiction_code=keyed_loader(
                session, service.departments_of, key_arg="jurisdictions", default=list
            ),
            history_by_code=keyed_loader(
                session, service.history_of, key_arg="jurisdictions", default=list
            ),
            department_by_id=keyed_loader(session, service.departments_by_ids, key_arg="ids"),
            power_codes_by_department_id=keyed_loader(
                session, service.power_codes_of, key_arg="departments", default=list
            ),
        )
