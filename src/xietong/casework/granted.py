"""What a case transfer and an assistance letter share as matters under a grant: the row lives
in the sender's unit and one grant opens exactly it to the other unit's named department. So
both are read the same way (the scope rule, with the grant), listed the same way (outgoing in a
subtree, incoming through the grants), have the same two sides, and are sent after the same
checks (a department sends, to a department of another unit)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from xietong.access.actions import Action, ObjectType
from xietong.access.scope import Scope, granted_ids
from xietong.casework import common
from xietong.casework.common import Actor
from xietong.casework.errors import CaseworkError
from xietong.casework.errors import CaseworkErrorCode as C
from xietong.casework.models import AssistanceLetter, CaseTransfer
from xietong.casework.transitions import Side
from xietong.jurisdictions.codes import CodeRange
from xietong.jurisdictions.models import Department, Jurisdiction

Matter = type[CaseTransfer] | type[AssistanceLetter]


def visible(scope: Scope, model: Matter) -> ColumnElement[bool]:
    """Readable: in the caller's read range, or granted to it (the other side's department)."""
    return scope.visible(model.jurisdiction_code, object_type=ObjectType.CASE, object_id=model.id)


def listed(
    scope: Scope,
    model: Matter,
    *,
    receiver_unit: InstrumentedAttribute[int],
    span: CodeRange | None,
    incoming: bool,
) -> list[ColumnElement[bool]]:
    """Outgoing: sent by units of ``span``. Incoming: granted to the caller's unit now."""
    if incoming:
        where = [model.id == granted_ids(ObjectType.CASE, Action.READ).any_()]
        if scope.jurisdiction_code is not None:
            where.append(receiver_unit == scope.jurisdiction_code)
        return where
    assert span is not None
    return [scope.within(model.jurisdiction_code, span), scope.visible(model.jurisdiction_code)]


def side(
    actor: Actor,
    *,
    sender: tuple[int, uuid.UUID],
    receiver: tuple[int, uuid.UUID],
) -> Side | None:
    """Whose side the actor is on: the sending or the receiving department, each in its own
    unit; None for anybody else (another department, a superior, a third unit)."""
    mine = (actor.jurisdiction_code, actor.department_id)
    if mine == sender:
        return Side.SENDER
    if mine == receiver:
        return Side.RECEIVER
    return None


@dataclass(frozen=True, slots=True)
class Parties:
    receiver_unit: Jurisdiction
    receiver: Department
    sender: Department


async def parties(
    session: AsyncSession,
    actor: Actor,
    *,
    receiver_unit_code: int,
    receiver_department_id: uuid.UUID,
    fields: Sequence[str],
    messages: Sequence[str],
) -> Parties:
    """The checks before sending: a department sends (``messages[0]``), to another unit
    (``SAME_UNIT``, ``messages[1]``: inside a unit the office hands matters over), to an active
    department of it. ``fields``: the input's unit and department fields."""
    if actor.department_id is None:
        raise CaseworkError(C.INVALID, messages[0])
    unit = await common.unit(session, receiver_unit_code, fields[0])
    if unit.code == actor.jurisdiction_code:
        raise CaseworkError(C.SAME_UNIT, messages[1], field=fields[0])
    receiver = await common.department(session, receiver_department_id, unit.code, fields[1])
    sender = await common.department(
        session, actor.department_id, actor.jurisdiction_code, "departmentId"
    )
    return Parties(unit, receiver, sender)
