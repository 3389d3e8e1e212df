"""The trading context's objects that grants and explanations can point at."""

from __future__ import annotations

from xietong.access.actions import ObjectType
from xietong.access.objects import ObjectSpec, register
from xietong.trading.models import Project


def register_objects() -> None:
    # A grant opens an unclassified project (and its records) to another unit; a classified
    # project stays readable only by its chain's office, discipline, audit and supervisors.
    register(ObjectSpec("Project", ObjectType.PROJECT, Project.id, Project.jurisdiction_code))
