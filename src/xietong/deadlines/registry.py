"""Obligations as objects access decisions can name (``explainAccess``); never granted on their
own: a grant on a matter is what opens it to another unit."""

from __future__ import annotations

from xietong.access.actions import ObjectType
from xietong.access.objects import ObjectSpec, register
from xietong.deadlines.models import Obligation


def register_objects() -> None:
    register(
        ObjectSpec(
            "Obligation",
            ObjectType.OBLIGATION,
            Obligation.id,
            Obligation.jurisdiction_code,
            grantable=False,
        )
    )
