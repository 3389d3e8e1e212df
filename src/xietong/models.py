"""Every context's models, imported once so the metadata (and Alembic) sees all tables.

The model registry sits at the top, beside ``app.py`` and ``schema.py``: it imports every
context, so no context imports it (the arrows point down)."""

from xietong.access.models import AccessGrant, ApiKey, DepartmentPower, PolicyVersion
from xietong.audit.models import AuditChain, AuditEvent
from xietong.complaints.models import Complaint, ComplaintAttachment, ComplaintNotice
from xietong.db.base import Base
from xietong.deadlines.models import (
    CalendarOverrideDay,
    CalendarYear,
    DeadlineConfig,
    LocalPromiseRow,
    Obligation,
    ObligationPause,
)
from xietong.jurisdictions.models import Department, Jurisdiction, JurisdictionVersion
from xietong.notifications.models import Notification
from xietong.people.models import OfficerPoolMember, Person, PersonRole

metadata = Base.metadata

__all__ = [
    "AccessGrant",
    "ApiKey",
    "AuditChain",
    "AuditEvent",
    "CalendarOverrideDay",
    "CalendarYear",
    "Complaint",
    "ComplaintAttachment",
    "ComplaintNotice",
    "DeadlineConfig",
    "Department",
    "DepartmentPower",
    "Jurisdiction",
    "JurisdictionVersion",
    "LocalPromiseRow",
    "Notification",
    "Obligation",
    "ObligationPause",
    "OfficerPoolMember",
    "Person",
    "PersonRole",
    "PolicyVersion",
    "metadata",
]
