"""What leads, transfers and letters share: the actor, the other side's department, materials,
document numbers, the grant that opens a matter to the other side, and acting for a unit."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from xietong.access import grants
from xietong.access import scope as scopes
from xietong.access.actions import Action, ObjectType
from xietong.access.models import AccessGrant
from xietong.access.scope_token import ScopeSigner
from xietong.audit import service as audit
from xietong.audit.enums import ActorKind
from xietong.casework.errors import CaseworkError
from xietong.casework.errors import CaseworkErrorCode as C
from xietong.casework.models import CaseMaterial
from xietong.complaints import attachments
from xietong.complaints.attachments import CheckedFile
from xietong.complaints.errors import ComplaintError, ComplaintErrorCode
from xietong.jurisdictions import codes
from xietong.jurisdictions.codes import CodeRange
from xietong.jurisdictions.models import Department, Jurisdiction

GRANT_DAYS = 366
"""A transfer's or letter's grant expires after a year at the latest (``grants.MAX_GRANT_DAYS``);
closing the matter ends it at once."""
GRANTED_ACTIONS = (Action.READ, Action.ACCEPT)
"""What the other side may do on the one matter: read it and its materials, and make its own
moves (receipt, acceptance, return, forwarding, result). Never more."""


@dataclass(frozen=True, slots=True)
class Actor:
    """Who makes a move: the signed caller, its unit and its department."""

    name: str
    kind: ActorKind
    jurisdiction_code: int
    department_id: uuid.UUID | None


async def record(
    session: AsyncSession,
    actor: Actor,
    *,
    action: str,
    object_type: ObjectType,
    object_id: uuid.UUID,
    jurisdiction_code: int,
    details: dict[str, object],
) -> None:
    """One audit event for the move, in the caller's transaction and the caller's unit's chain."""
    await audit.record(
        db_session=session,
        jurisdiction_code=jurisdiction_code,
        actor_kind=actor.kind,
        actor=actor.name,
        action=action,
        object_type=object_type.value,
        object_id=str(object_id),
        details=details,
    )


def new_number(prefix: str, jurisdiction_code: int, day: date) -> str:
    """A document number: ``YS-421303-20260928-7F3A2C91D0`` (YS 移送, XC 协查, XS 线索).

    40 random bits: with 24, a unit sending a few thousand in a day (the isolation matrix's world
    does) met the unique constraint about one time in four."""
    return f"{prefix}-{jurisdiction_code}-{day:%Y%m%d}-{secrets.token_hex(5).upper()}"


def text(value: str | None, field: str, what: str, *, required: bool = True) -> str | None:
    if value is None or not value.strip():
        if required:
            raise CaseworkError(C.INVALID, f"请填写{what}（{field} is empty）", field=field)
        return None
    return value.strip()


def reason(value: str | None, field: str) -> str:
    """Written reasons, required: a return without them is not a move (ZENGDU 14, 17)."""
    if value is None or not value.strip():
        raise CaseworkError(
            C.REASON_REQUIRED,
            "退回须书面说明理由（a return needs its written reasons）",
            field=field,
        )
    return value.strip()


def not_after_today(day: date, today: date, field: str) -> date:
    if day > today:
        raise CaseworkError(C.INVALID, "日期不能晚于今天（a day in the future）", field=field)
    return day


async def unit(session: AsyncSession, code: int, field: str) -> Jurisdiction:
    found = await session.get(Jurisdiction, code)
    if found is None or found.retired_on is not None:
        raise CaseworkError(C.NOT_FOUND, "没有该行政区划（unknown jurisdiction）", field=field)
    return found


async def department(
    session: AsyncSession, department_id: uuid.UUID, jurisdiction_code: int, field: str
) -> Department:
    """An active department of ``jurisdiction_code``, else NOT_FOUND."""
    found = await session.scalar(
        select(Department).where(
            Department.id == department_id,
            Department.jurisdiction_code == jurisdiction_code,
            Department.active.is_(True),
        )
    )
    if found is None:
        raise CaseworkError(
            C.NOT_FOUND, "该辖区没有该部门（no such department in that unit）", field=field
        )
    return found


def check_materials(
    files: Sequence[tuple[str, str, bytes]], field: str = "materials"
) -> list[CheckedFile]:
    """The complaint context's file checks (types sniffed, executables refused, sizes bounded),
    answered with this context's codes."""
    try:
        checked = [
            attachments.check_file(name, media_type, content, f"{field}.{i}")
            for i, (name, media_type, content) in enumerate(files)
        ]
        attachments.check_all(checked)
    except ComplaintError as exc:
        code = (
            C.ATTACHMENT_TOO_LARGE
            if exc.error_code is ComplaintErrorCode.ATTACHMENT_TOO_LARGE
            else C.ATTACHMENT_REFUSED
        )
        raise CaseworkError(code, exc.message, field=exc.field) from None
    return checked


async def store_materials(
    session: AsyncSession,
    *,
    matter_type: str,
    matter_id: uuid.UUID,
    jurisdiction_code: int,
    files: Sequence[CheckedFile],
    actor: Actor,
) -> list[CaseMaterial]:
    rows = [
        CaseMaterial(
            id=uuid.uuid4(),
            matter_type=matter_type,
            matter_id=matter_id,
            jurisdiction_code=jurisdiction_code,
            province_code=codes.province_of(jurisdiction_code),
            position=i,
            filename=f.filename,
            media_type=f.media_type,
            size=f.size,
            sha256=f.sha256,
            content=f.content,
            created_by=actor.name,
        )
        for i, f in enumerate(files)
    ]
    session.add_all(rows)
    await session.flush()
    return rows


async def materials_of(session: AsyncSession, matter_id: uuid.UUID) -> list[CaseMaterial]:
    """The matter's materials the caller may read (row-level security: its own unit's, or
    granted with the matter)."""
    rows = await session.scalars(
        select(CaseMaterial)
        .where(CaseMaterial.matter_id == matter_id)
        .order_by(CaseMaterial.position, CaseMaterial.id)
    )
    return list(rows)


def digest(hashes: Sequence[str]) -> str:
    """The receipt's digest: SHA-256 over the materials' hashes in their order."""
    return hashlib.sha256("\n".join(hashes).encode("ascii")).hexdigest()


async def open_to(
    session: AsyncSession,
    *,
    object_id: uuid.UUID,
    object_jurisdiction_code: int,
    grantee_jurisdiction_code: int,
    grantee_department_id: uuid.UUID,
    reason: str,
    now: datetime,
    actor: Actor,
) -> AccessGrant:
    """The grant that opens exactly this matter (and its materials) to the receiving department:
    read it, make its own moves; expiring, audited, ended when the matter closes."""
    grant = await grants.create(
        db_session=session,
        object_type=ObjectType.CASE,
        object_id=object_id,
        object_jurisdiction_code=object_jurisdiction_code,
        grantee_jurisdiction_code=grantee_jurisdiction_code,
        grantee_department_id=grantee_department_id,
        actions=GRANTED_ACTIONS,
        include_related=True,
        reason=reason,
        starts_at=now,
        expires_at=now + timedelta(days=GRANT_DAYS),
        created_by=actor.name,
    )
    await record(
        session,
        actor,
        action="grant.create",
        object_type=ObjectType.GRANT,
        object_id=grant.id,
        jurisdiction_code=object_jurisdiction_code,
        details={
            "object": f"case:{object_id}",
            "grantee": grantee_jurisdiction_code,
            "grantee_department": str(grantee_department_id),
            "actions": grant.actions,
            "reason": reason,
            "expires_at": grant.expires_at.isoformat(),
        },
    )
    return grant


async def close_grant(
    session: AsyncSession, grant_id: uuid.UUID | None, actor: Actor, jurisdiction_code: int
) -> None:
    """End the matter's grant (the other side loses it), audited; nothing if already ended."""
    if grant_id is None:
        return
    grant = await session.get(AccessGrant, grant_id)
    if grant is None or grant.revoked_at is not None:
        return
    await grants.revoke(db_session=session, grant=grant, by=actor.name)
    await record(
        session,
        actor,
        action="grant.revoke",
        object_type=ObjectType.GRANT,
        object_id=grant.id,
        jurisdiction_code=jurisdiction_code,
        details={"reason": "matter closed"},
    )


@dataclass(frozen=True, slots=True)
class Switch:
    """What acting for another unit needs: the session's signer and the caller's own scope."""

    signer: ScopeSigner
    caller: scopes.Scope


@asynccontextmanager
async def acting_for(
    session: AsyncSession, switch: Switch, *, jurisdiction_code: int, actor: str
) -> AsyncIterator[scopes.Scope]:
    """Sign a system scope that writes in ``jurisdiction_code`` only, as ``actor`` (a
    ``system:`` name), for the rest of the block; the caller's own scope afterwards.

    Used for one thing: a fact one side records (the receiver signs the receipt) meets a clock
    the other side owes (the sender's R9.transfer). The statements run under it are ours, by
    id; row-level security still checks every row against the one unit (docs/decisions.md)."""
    system = scopes.Scope(
        actor=actor,
        read=CodeRange(jurisdiction_code, jurisdiction_code),
        write_code=jurisdiction_code,
        jurisdiction_code=jurisdiction_code,
        app_wall=switch.caller.app_wall,
    )
    async with scopes.acting_as(session, system, switch.signer, caller=switch.caller):
        yield system
