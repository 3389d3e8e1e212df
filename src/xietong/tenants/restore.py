"""Put back the power lists a downgrade dropped, from the tenant files they were loaded from.

A department's published power list (R-2) is declared in its tenant file and *is* the access
policy. Downgrading past the revision that created ``department_power`` drops the table; upgrading
creates it empty, and every power-gated action would be refused until someone thought of
``xietong tenants load``. So ``xietong migrate`` calls ``restore_power_lists`` after upgrading.

It fills only lists that are missing, and only for departments whose row still matches its file
entry (key, unit, name, kind, industry): then the files are the ones the database was loaded
from. A list that exists, or a department that differs from the files, is left to
``tenants load``, which makes everything match and says what it changed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import exists, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from xietong.access.models import DepartmentPower
from xietong.access.watcher import POLICY_CHANNEL
from xietong.jurisdictions.models import Department
from xietong.tenants.loader import _LOCK_KEY, read_all


@dataclass(frozen=True, slots=True)
class RestoreReport:
    restored: int
    """Departments whose list was put back."""

    differing: int
    """Departments without a list whose row no longer matches their file entry (left alone)."""


async def restore_power_lists(session: AsyncSession, paths: Iterable[Path]) -> RestoreReport:
    declarations = read_all(paths)
    # The tenant loader's lock: never beside a load.
    await session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})
    entries = {d.key: d for decl in declarations for d in decl.departments if d.powers}
    if not entries:
        return RestoreReport(0, 0)
    without_list = await session.scalars(
        select(Department).where(
            Department.key.in_(entries),
            Department.active,
            ~exists().where(DepartmentPower.department_id == Department.id),
        )
    )
    restored = differing = 0
    for department in without_list:
        entry = entries[department.key]
        same = (
            department.jurisdiction_code,
            department.name,
            department.kind,
            department.industry,
        ) == (entry.jurisdiction, entry.name, entry.kind, entry.effective_industry)
        if not same:
            differing += 1
            continue
        session.add_all(
            DepartmentPower(department_id=department.id, power_code=code, position=i)
            for i, code in enumerate(entry.powers)
        )
        restored += 1
    await session.flush()
    if restored:
        # Every running process reloads its policy once this transaction commits.
        await session.execute(
            text("SELECT pg_notify(:channel, 'power lists')"), {"channel": POLICY_CHANNEL}
        )
    return RestoreReport(restored, differing)
