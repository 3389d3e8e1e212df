"""Every context's models, imported once so the metadata (and Alembic) sees all tables.

The model registry sits at the top, beside ``app.py`` and ``schema.py``: it imports every
context, so no context imports it (the arrows point down)."""

from xietong.access.models import AccessGrant, ApiKey, DepartmentPower, PolicyVersion
from xietong.audit.models import AuditChain, AuditEvent
from xietong.casework.models import (
    AssistanceLetter,
    CaseDocument,
    CaseMaterial,
    CaseTransfer,
    Lead,
    LeadParticipant,
)
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
from xietong.evaluation.models import (
    EvaluationConduct,
    EvaluationCopy,
    EvaluationDraw,
    EvaluationExpert,
    EvaluationExpertResult,
    EvaluationFault,
    EvaluationInvestigation,
    EvaluationSeat,
    EvaluationSession,
    EvaluationSite,
)
from xietong.jurisdictions.models import Department, Jurisdiction, JurisdictionVersion
from xietong.notifications.models import Notification
from xietong.people.models import OfficerPoolMember, Person, PersonRole
from xietong.rollups.models import PeriodicReport, PeriodicReportEvent, RollupCounter
from xietong.trading.models import (
    ApprovedProject,
    Award,
    Bid,
    Contract,
    ContractChange,
    Expert,
    MarketEntity,
    NaturalPerson,
    Project,
    ProjectChange,
    ProjectMove,
    ProjectReport,
    TradingCatalogueRow,
)

metadata = Base.metadata

__all__ = [
    "AccessGrant",
    "ApiKey",
    "ApprovedProject",
    "AssistanceLetter",
    "AuditChain",
    "AuditEvent",
    "Award",
    "Bid",
    "CalendarOverrideDay",
    "CalendarYear",
    "CaseDocument",
    "CaseMaterial",
    "CaseTransfer",
    "Complaint",
    "ComplaintAttachment",
    "ComplaintNotice",
    "Contract",
    "ContractChange",
    "DeadlineConfig",
    "Department",
    "DepartmentPower",
    "EvaluationConduct",
    "EvaluationCopy",
    "EvaluationDraw",
    "EvaluationExpert",
    "EvaluationExpertResult",
    "EvaluationFault",
    "EvaluationInvestigation",
    "EvaluationSeat",
    "EvaluationSession",
    "EvaluationSite",
    "Expert",
    "Jurisdiction",
    "JurisdictionVersion",
    "Lead",
    "LeadParticipant",
    "LocalPromiseRow",
    "MarketEntity",
    "NaturalPerson",
    "Notification",
    "Obligation",
    "ObligationPause",
    "OfficerPoolMember",
    "PeriodicReport",
    "PeriodicReportEvent",
    "Person",
    "PersonRole",
    "PolicyVersion",
    "Project",
    "ProjectChange",
    "ProjectMove",
    "ProjectReport",
    "RollupCounter",
    "TradingCatalogueRow",
    "metadata",
]
