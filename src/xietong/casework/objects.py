"""Casework objects as access decisions and grants name them. Transfers and letters are both
``case`` objects: the grant a send creates names the one transfer or letter (its materials
follow it); leads stay in their unit."""

from __future__ import annotations

from xietong.access.actions import ObjectType
from xietong.access.objects import ObjectSpec, register
from xietong.casework.models import AssistanceLetter, CaseTransfer, Lead


def register_objects() -> None:
    register(
        ObjectSpec(
            "CaseTransfer",
            ObjectType.CASE,
            CaseTransfer.id,
            CaseTransfer.jurisdiction_code,
            grantable=False,  # the send grants it, to the receiving department only
        )
    )
    register(
        ObjectSpec(
            "AssistanceLetter",
            ObjectType.CASE,
            AssistanceLetter.id,
            AssistanceLetter.jurisdiction_code,
            grantable=False,
        )
    )
    register(ObjectSpec("Lead", ObjectType.LEAD, Lead.id, Lead.jurisdiction_code, grantable=False))
