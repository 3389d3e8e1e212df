"""The objects of this context and of people, registered for grants and explanations."""

from __future__ import annotations

from xietong.access.actions import ObjectType
from xietong.access.models import ApiKey
from xietong.access.objects import ObjectSpec, register
from xietong.people.models import OfficerPoolMember, Person


def register_objects() -> None:
    register(ObjectSpec("Person", ObjectType.PERSON, Person.id, Person.jurisdiction_code))
    register(
        ObjectSpec(
            "OfficerPoolMember",
            ObjectType.OFFICER_POOL,
            OfficerPoolMember.person_id,
            OfficerPoolMember.jurisdiction_code,
        )
    )
    register(
        ObjectSpec(
            "ApiKey", ObjectType.API_KEY, ApiKey.id, ApiKey.jurisdiction_code, grantable=False
        )
    )
