"""The isolation matrix: every role kind × the three seed levels × each operation × objects in
own / child / sibling / parent / other-province jurisdictions, through the GraphQL endpoint.
Operations include nested paths (the officer pool's people: a nested object is authorized like
its top-level query) and ``explainAccess`` (which must answer exactly as for a login that does
not exist whenever it may not answer).

It runs twice. With both walls, each case must be allowed or denied exactly as EXPECTED says.
With the application's jurisdiction wall switched off (``app.state.app_wall = False``, a test-only
hook), PostgreSQL alone must still return no row from outside the caller's subtree and accept no
write outside its own jurisdiction, while every case EXPECTED allows still works.

EXPECTED is written from the rules, not from policies/roles.csv, so a wrong policy line fails here.
"""

from __future__ import annotations

import csv
import hashlib
import io
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.conftest import APP_ROLE, OWNER_ROLE, Database
from tests.support import GraphQLClient, graphql_client
from xietong.access.tokens import new_api_key
from xietong.db.engine import make_engine
from xietong.db.provision import drop, provision
from xietong.jurisdictions import codes
from xietong.trading.credit_code import compose

# Subjects in 河南: a province, a city with a sibling city, a county with a sibling county.
PLACES = {
    "province": ("henan", 410000),
    "city": ("anyang", 410500),
    "county": ("anyangxian", 410522),
}
RELATIONS: dict[int, dict[str, int]] = {
    410000: {"own": 410000, "child": 410500, "grandchild": 410522, "other-province": 420000},
    410500: {
        "own": 410500,
        "child": 410522,
        "sibling": 410700,
        "parent": 410000,
        "other-province": 422800,
    },
    410522: {
        "own": 410522,
        "sibling": 410581,
        "parent": 410500,
        "grandparent": 410000,
        "other-province": 422825,
    },
}
# Role kinds and the demo login suffix of the person holding each (tenant files).
ROLES = {
    "office": "office",  # supervision_office (+ enforcement_officer)
    "industry": "housing",  # industry_supervisor (+ enforcement_officer)
    "finance": "finance",  # industry_supervisor for procurement (+ enforcement_officer)
    "centre": "centre",  # trading_centre
    "discipline": "discipline",  # discipline_inspection
    "audit": "audit",
    "police": "police",  # police_liaison (+ enforcement_officer)
    "leader": "leader",  # leadership
    "integrator": None,  # an API key for the subject's jurisdiction
    "public": None,  # anonymous
}


@dataclass(frozen=True)
class ComplaintMove:
    """One move of the complaint workflow as the matrix runs it: a complaint is prepared in the
    target unit by the owner (the moves in ``prepare``, as the competent parties would make
    them), then the case's caller sends ``mutation``; it was allowed if the status moved."""

    mutation: str
    input_type: str
    fields: dict[str, Any]
    prepare: tuple[str, ...]
    status: str  # after the move
    party: str  # the matrix role that may make it, in its own unit
    regime: str = "tendering"


# Every move the API offers on a complaint (complaints/transitions.py), each from a state it
# starts from. The office assigns; the competent department (housing for a works project,
# finance for procurement) does the rest, each within its own unit (R-7, 谁主管谁监管).
COMPLAINT_MOVES: dict[str, ComplaintMove] = {
    "assign_complaint": ComplaintMove(
        "complaintAssign", "ComplaintAssignInput", {"industry": "HOUSING"}, (), "assigned", "office"
    ),
    "accept_complaint": ComplaintMove(
        "complaintAccept", "ComplaintRefInput", {}, ("assign",), "accepted", "industry"
    ),
    "request_completion": ComplaintMove(
        "complaintRequestCompletion",
        "ComplaintRequestCompletionInput",
        {"items": "补正：投诉人签字", "replyBy": "2099-12-31"},
        ("assign",),
        "correction",
        "industry",
    ),
    "resume_complaint": ComplaintMove(
        "complaintResume",
        "ComplaintResumeInput",
        {"document": "补正材料"},
        ("assign", "request_correction"),
        "assigned",
        "industry",
    ),
    "refuse_complaint": ComplaintMove(
        "complaintRefuse",
        "ComplaintRefuseInput",
        {"ground": "ANONYMOUS"},
        ("assign",),
        "refused",
        "industry",
    ),
    "redirect_complaint": ComplaintMove(
        "complaintRedirect",
        "ComplaintRedirectInput",
        {"authority": "某市财政局"},
        ("assign",),
        "redirected",
        "industry",
    ),
    "pause_complaint": ComplaintMove(
        "complaintPause",
        "ComplaintPauseInput",
        {"reason": "TESTING", "document": "检测委托书"},
        ("assign", "accept"),
        "examination",
        "industry",
    ),
    "decide_complaint": ComplaintMove(
        "complaintDecide",
        "ComplaintDecideInput",
        {"decision": "投诉缺乏事实根据，驳回投诉。"},
        ("assign", "accept"),
        "decided",
        "industry",
    ),
    "feedback_complaint": ComplaintMove(
        "complaintFeedback",
        "ComplaintRefInput",
        {},
        ("assign", "accept", "decide"),
        "closed",
        "industry",
    ),
    # Procurement (finance handles it): the moves that leave the status where it is are seen
    # in the column they change.
    "suspend_procurement": ComplaintMove(
        "complaintSuspendProcurement",
        "ComplaintRefInput",
        {},
        ("assign", "accept"),
        "suspended",
        "finance",
        regime="procurement",
    ),
    "resume_procurement": ComplaintMove(
        "complaintResumeProcurement",
        "ComplaintRefInput",
        {},
        ("assign", "accept", "suspend_procurement"),
        "resumed",
        "finance",
        regime="procurement",
    ),
    "notify_respondent": ComplaintMove(
        "complaintNotifyRespondent",
        "ComplaintRefInput",
        {},
        ("assign", "accept"),
        "respondent notified",
        "finance",
        regime="procurement",
    ),
    "respondent_answered": ComplaintMove(
        "complaintRespondentAnswered",
        "ComplaintRefInput",
        {},
        ("assign", "accept", "notify_respondent"),
        "respondent answered",
        "finance",
        regime="procurement",
    ),
}


@dataclass(frozen=True)
class CaseworkMove:
    """One move on a transfer, an assistance letter or a lead as the matrix runs it. The matter
    is prepared by the owner through the services (the moves in ``prepare``, each by the side
    whose move it is), then the case's caller sends ``mutation``; allowed if the state moved.

    ``side`` says where the target stands: ``receiver`` (五华区's housing bureau sent the matter
    to the target's; the grant names the target's housing bureau), ``sender`` (the target's
    housing bureau sent it to 五华区's), ``unit`` (a lead of the target). Each receiver's or
    sender's case also tries the same move on the same state from the other side (the caller
    related to the other party), on a matter between 五华区 and 昆明市 (a receiver that has no
    grant: before the transfer reaches it, or a third unit) and, for the receiver, after the
    sender closed (the grant ended): none of those may ever move, and a closed matter answers
    exactly as one that does not exist."""

    matter: str  # "transfer", "letter" or "lead"
    mutation: str
    input_type: str
    fields: dict[str, Any]
    prepare: tuple[str, ...]
    status: str  # after the move
    parties: frozenset[str]  # the matrix roles that may make it, in their own unit
    side: str


RECEIVER_DEPARTMENT = frozenset({"industry"})  # the grant names the housing bureau
CASEWORK_MOVES: dict[str, CaseworkMove] = {
    "accept_transfer": CaseworkMove(
        "transfer",
        "caseTransferAccept",
        "CaseTransferAcceptInput",
        {},
        ("receive",),
        "accepted",
        RECEIVER_DEPARTMENT,
        "receiver",
    ),
    "return_transfer": CaseworkMove(
        "transfer",
        "caseTransferReturn",
        "CaseTransferReturnInput",
        {"reason": "不属本局职责。"},
        ("receive",),
        "returned",
        RECEIVER_DEPARTMENT,
        "receiver",
    ),
    "forward_transfer": CaseworkMove(
        "transfer",
        "caseTransferForward",
        "CaseTransferForwardInput",
        {"toJurisdiction": "530100", "toDepartmentId": "$FORWARD_TO", "reason": "市级管辖。"},
        ("receive",),
        "forwarded",
        RECEIVER_DEPARTMENT,
        "receiver",
    ),
    "report_transfer": CaseworkMove(
        "transfer",
        "caseTransferReport",
        "CaseTransferReportInput",
        {"concludedOn": "$TODAY", "result": "已作出行政处罚。"},
        ("receive", "accept"),
        "reported",
        RECEIVER_DEPARTMENT,
        "receiver",
    ),
    "close_transfer": CaseworkMove(
        "transfer",
        "caseTransferClose",
        "CaseTransferRefInput",
        {},
        ("receive", "return"),
        "closed",
        frozenset({"industry"}),  # the sending department (the housing bureau sent it)
        "sender",
    ),
    "return_letter": CaseworkMove(
        "letter",
        "assistanceLetterReturn",
        "AssistanceLetterReturnInput",
        {"reason": "超出本局职能范围。"},
        ("receive",),
        "returned",
        RECEIVER_DEPARTMENT,
        "receiver",
    ),
    "answer_letter": CaseworkMove(
        "letter",
        "assistanceLetterAnswer",
        "AssistanceLetterAnswerInput",
        {"answer": "经核实，情况属实。"},
        ("receive",),
        "answered",
        RECEIVER_DEPARTMENT,
        "receiver",
    ),
    "close_letter": CaseworkMove(
        "letter",
        "assistanceLetterClose",
        "AssistanceLetterRefInput",
        {},
        ("receive", "answer"),
        "closed",
        frozenset({"industry"}),  # the requesting department
        "sender",
    ),
    "verify_lead": CaseworkMove(
        "lead",
        "leadVerifyJointly",
        "LeadVerifyJointlyInput",
        {"departmentIds": "$PARTICIPANTS"},
        (),
        "verifying",
        frozenset({"office"}),  # lead:verify
        "unit",
    ),
    "record_finding": CaseworkMove(
        "lead",
        "leadRecordFinding",
        "LeadRecordFindingInput",
        {"finding": "经核查，情况属实。"},
        ("verify",),  # with the housing and transport bureaux
        "finding recorded",
        frozenset({"industry"}),  # a participant: the housing bureau (transport is nobody's)
        "unit",
    ),
    "dispose_lead": CaseworkMove(
        "lead",
        "leadDispose",
        "LeadDisposeInput",
        {"disposition": "UNFOUNDED", "note": "查无实据。"},
        ("transfer",),  # to the housing bureau
        "disposed",
        frozenset({"office", "industry"}),  # the office, or the competent department
        "unit",
    ),
}
# Sending and registering start a matter in the caller's own unit: the relation is the receiver
# (a transfer or letter goes to any other unit, never to one's own) or the complaint a lead comes
# from (one of the caller's own unit only).
# A tuple, not a set: OPERATIONS must come out in the same order in every xdist worker.
CASEWORK_STARTS = ("send_transfer", "send_letter", "register_lead")
CASEWORK_MUTATIONS = {
    *(m.mutation for m in CASEWORK_MOVES.values()),
    "caseTransferSend",  # send_transfer
    "assistanceLetterSend",  # send_letter
    "leadRegister",  # register_lead
    "caseTransferReceive",  # receive_transfer
    "assistanceLetterReceive",  # receive_letter
    "leadTransfer",  # transfer_lead
}
"""Every casework mutation the matrix runs: test_the_matrix_runs_every_casework_mutation holds
it to the schema, so a new move cannot land without its matrix operation."""
SENDERS = {"office", "industry", "finance"}  # case:transfer in their own unit
LEAD_REGISTRARS = {"office", "industry", "finance", "centre", "integrator"}


OPERATIONS = [
    "read_person",
    "list_people",
    "read_officer_pool",
    "read_officer_pool_people",
    "explain_access",
    "set_availability",
    "create_api_key",
    "create_grant",
    "read_obligation",
    "my_work",
    "escalations",
    "escalation_summary",
    "my_notifications",
    "mark_notification_read",
    "deadline",
    # Trading data (issue 8).
    "read_project",
    "list_projects",
    "read_classified_project",
    "read_public_projects",
    "register_project",
    "record_bids",
    "not_entered_list",
    # Complaints (issue 9): reads, every move of the workflow, and the public's operations.
    "read_complaint",
    "list_complaints",
    "file_complaint",
    "track_complaint",
    *COMPLAINT_MOVES,
    # Casework (issue 10): leads stay in their unit; a transfer or letter reaches the other
    # side's named department through its grant only, and not after it closed.
    "read_lead",
    "list_leads",
    "read_transfer",
    "list_transfers",
    "read_incoming_transfer",
    "list_incoming_transfers",
    "read_closed_transfer",
    "receive_transfer",
    "read_incoming_letter",
    # Rollups (issue 12).
    "rollup",
    "rollup_export",
    # Periodic reports (issue 12).
    "read_report",
    "report_completeness",
    "draft_report",
    "return_report",
    # Remote evaluation (issue 11): home sessions of the target; sessions the target hosts for
    # 昆明市 (started: a live grant; sealed before the start; after the window).
    "read_evaluation",
    "list_evaluations",
    "read_hosted_evaluation",
    "read_sealed_or_closed_hosting",
    "start_evaluation",
    "open_investigation",
    # -- Remote evaluation, follow-up (issue 11, eval3): copies of results a host receives
    # from 昆明市 (its inbox) and their acknowledgement.
    "list_evaluation_copies",
    "acknowledge_evaluation_copy",
    # ...and conduct events recorded by a site's staff at its own seats (each a lead at home);
    # an investigation's result in the record of an expert at the expert's own library.
    "record_conduct",
    "read_expert_results",
    # -- end of eval3's block.
    # -- eval4 (issue 11): attendance at a home seat and an audio/video record reference of the
    # home site, recorded by the site's own staff.
    "record_attendance",
    "record_recording",
    # -- end of eval4's block.
    "receive_letter",
    "transfer_lead",
    *CASEWORK_MOVES,
    *CASEWORK_STARTS,
    # --- Periodic reports, the remaining steps (issue 12, rollbreadth) ------------------------
    # Submitting a report of the target's unit; accepting and reopening one (each case on its
    # own report, the units below it accepted, so only access can refuse).
    "submit_report",
    "accept_report",
    "reopen_report",
    # Rollups of metrics counted for the other side's unit: transfers signed for by the target
    # (rows of 五华区's) and sessions the target hosts for 昆明市.
    "rollup_casework",
    # --- end of the rollbreadth block ----------------------------------------------------------
]
# Rating (complaintRate) is not here: it is the filer's, authorised by the tracking code and
# secret alone whoever sends them, and tests/integration/complaints covers it.
PUBLIC_COMPLAINT_OPERATIONS = {"file_complaint", "track_complaint"}
COMPLAINT_OPERATIONS = {
    "read_complaint",
    "list_complaints",
    *PUBLIC_COMPLAINT_OPERATIONS,
    *COMPLAINT_MOVES,
}
CASEWORK_OPERATIONS = {
    "read_lead",
    "list_leads",
    "read_transfer",
    "list_transfers",
    "read_incoming_transfer",
    "list_incoming_transfers",
    "read_closed_transfer",
    "receive_transfer",
    "read_incoming_letter",
    "receive_letter",
    "transfer_lead",
    *CASEWORK_MOVES,
    *CASEWORK_STARTS,
}
SENDER = 530102  # 五华区's housing bureau sends every incoming transfer and letter
ROLLUP_OPERATIONS = {"rollup", "rollup_export"}
REPORT_OPERATIONS = {"read_report", "report_completeness", "draft_report", "return_report"}
REPORT_STEPS = {
    "submit_report": "draft",
    "accept_report": "submitted",
    "reopen_report": "accepted",
}
"""The steps of the rollbreadth block, each with the status its case's report starts in."""
REPORT_OPERATIONS |= set(REPORT_STEPS)
ROLLUP_OTHER_SIDE = ("TRANSFERS_RECEIVED", "EVALUATIONS_HOSTED")  # the rollup_casework metrics
REPORT_READERS = {"office", "discipline", "audit", "leader"}  # report:read over the subtree
REPORT_WRITERS = {"office", "industry", "finance"}  # report:create in their own unit
EVALUATION_OPERATIONS = {
    "read_evaluation",
    "list_evaluations",
    "read_hosted_evaluation",
    "read_sealed_or_closed_hosting",
    "start_evaluation",
    "open_investigation",
}
# -- Remote evaluation, follow-up (issue 11, eval3).
EVALUATION_COPY_OPERATIONS = {
    "list_evaluation_copies",
    "acknowledge_evaluation_copy",
    "record_conduct",
    "read_expert_results",
}
# -- end of eval3's block.
# -- eval4 (issue 11): attendance and audio/video record references per site.
EVALUATION_SITE_RECORD_OPERATIONS = {"record_attendance", "record_recording"}
# -- end of eval4's block.
EVALUATION_HOME = 530100  # 昆明市: never a subject here; the home site of the hosted sessions
CLOCK_OPERATIONS = {
    "read_obligation",
    "my_work",
    "escalations",
    "escalation_summary",
    "my_notifications",
    "mark_notification_read",
    "deadline",
}
GRANTEE = "530102"  # 五华区: never a subject here, so grants made by cases change no other case

READERS = {"office", "industry", "finance", "discipline", "audit"}
PERSONS = {"office", "industry", "finance", "centre", "discipline", "audit", "police", "leader"}
WRITERS = PERSONS - {"discipline", "audit", "leader"}  # read-only roles keep no inbox
PROJECT_READERS = READERS | {"centre", "integrator"}
CLASSIFIED_READERS = {"office", "discipline", "audit"}  # of the project's chain
EVALUATION_READERS = READERS | {"centre"}


def expected(role: str, relation: str, operation: str) -> bool:
    """The rules, restated: reading reaches the subtree; casework stays in its own unit."""
    in_subtree = relation in {"own", "child", "grandchild"}
    own = relation == "own"
    if operation in {"read_person", "list_people"}:
        return role in READERS and in_subtree
    if operation == "read_officer_pool":
        # officers and police liaisons see their own unit's pool (R-3); readers the subtree
        return (role in READERS and in_subtree) or (role == "police" and own)
    if operation == "read_officer_pool_people":
        # the people behind the pool entries need person:read as well: never for the police
        return role in READERS and in_subtree
    if operation == "explain_access":
        return role == "office" and in_subtree  # the office explains over its subtree
    if operation == "set_availability":
        return role == "office" and own  # and OFFICE-OFFICER-POOL is on every office's list
    if operation == "create_api_key":
        return role == "office" and in_subtree
    if operation == "create_grant":
        return role == "office" and own
    if operation == "read_obligation":
        return role in READERS and in_subtree  # (its own department's clocks aside)
    if operation in {"my_work", "my_notifications"}:
        return role in PERSONS and own  # one's own department's, in one's own unit
    if operation in {"escalations", "escalation_summary"}:
        return role == "office" and in_subtree  # overdue work is visible upward (R-18)
    if operation == "mark_notification_read":
        return role in WRITERS and own
    if operation == "deadline":
        return True  # public
    if operation in {"read_project", "list_projects"}:
        return role in PROJECT_READERS and in_subtree
    if operation == "read_classified_project":
        # the chain's office, discipline and audit; the supervising department (the unit's own
        # housing department, for a housing works); nobody else, not even the trading side
        return (role in CLASSIFIED_READERS and in_subtree) or (role == "industry" and own)
    if operation == "read_public_projects":
        return True  # the basics of unclassified projects are public; classified never
    if operation in {"register_project", "record_bids"}:
        return role in {"centre", "integrator"} and own  # the trading side of the unit
    if operation == "not_entered_list":
        return role in READERS | {"integrator"} and in_subtree
    if operation in {"read_complaint", "list_complaints"}:
        return role in READERS and in_subtree
    if operation in PUBLIC_COMPLAINT_OPERATIONS:
        # anyone may file anywhere; tracking needs the tracking code and secret only
        return True
    if operation in COMPLAINT_MOVES:
        # the office assigns; the competent department it was handed to does the rest: each in
        # its own unit only
        return role == COMPLAINT_MOVES[operation].party and own
    if operation in {"read_lead", "list_leads"}:
        return role in READERS | {"police"} and in_subtree  # the police receive leads (R-8)
    if operation in {"read_transfer", "list_transfers"}:
        return role in READERS and in_subtree  # the sender's unit and its superiors
    if operation in {
        "read_incoming_transfer",
        "list_incoming_transfers",
        "receive_transfer",
        "read_incoming_letter",
        "receive_letter",
    }:
        # the grant names the receiving department (housing) of the receiving unit: not its
        # office, not its superiors, nobody else
        return role == "industry" and own
    if operation == "read_closed_transfer":
        return False  # the grant ended with the transfer
    if operation in {"read_report", "report_completeness"}:
        # upward reports are read by the level above and its oversight; a unit reads its own
        return (role in REPORT_READERS and in_subtree) or (role in REPORT_WRITERS and own)
    if operation == "draft_report":
        return role in REPORT_WRITERS and own  # a unit writes its own report only
    if operation == "return_report":
        # only the office of the level directly above reviews a report
        return role == "office" and relation == "child"
    if operation in {"rollup", "rollup_export"}:
        # sums of a subtree: readers of supervision data, leadership and integrators, never
        # for a sibling or a superior (R-17 reports go up; rollups do not reach up)
        return role in READERS | {"leader", "integrator"} and in_subtree
    if operation in {"read_evaluation", "list_evaluations"}:
        return role in EVALUATION_READERS and in_subtree
    if operation == "read_hosted_evaluation":
        # a host reads the session through the grants to its office and its centre: nobody
        # else of the unit (not its industry, finance, discipline…), not its superiors
        return role in {"office", "centre"} and own
    if operation == "read_sealed_or_closed_hosting":
        return False  # before the start and after the window, a host sees no session
    if operation == "start_evaluation":
        return role == "centre" and own  # the home site's trading centre (主场)
    if operation == "open_investigation":
        return role in {"office", "industry", "finance"} and own  # the home supervises conduct
    if operation == "transfer_lead":
        return role == "office" and own  # the office of the lead's unit (lead:transfer)
    if operation in CASEWORK_MOVES:
        # the competent party in its own unit (the receiver through its grant), nobody else
        return role in CASEWORK_MOVES[operation].parties and own
    if operation in {"send_transfer", "send_letter"}:
        return role in SENDERS and not own  # to another unit, any province
    if operation == "register_lead":
        return role in LEAD_REGISTRARS and own  # from a complaint of its own unit
    # --- Periodic reports, the remaining steps (rollbreadth block) ---
    if operation == "submit_report":
        return role in REPORT_WRITERS and own  # a unit submits its own report only
    if operation in {"accept_report", "reopen_report"}:
        # only the office of the level directly above accepts, or reopens what it accepted
        return role == "office" and relation == "child"
    if operation == "rollup_casework":
        # counted in the receiver's or host's unit, summed like any rollup: the subtree only
        return role in READERS | {"leader", "integrator"} and in_subtree
    # -- Remote evaluation, follow-up (issue 11, eval3).
    if operation == "list_evaluation_copies":
        # copies a host received: readers of investigations over the host's subtree
        return role in READERS and in_subtree
    if operation == "acknowledge_evaluation_copy":
        # the host unit's own supervising departments (evaluation:investigate, own unit)
        return role in {"office", "industry", "finance"} and own
    if operation == "record_conduct":
        # the site's own staff (evaluation:handle in its unit): its centre and its office
        return role in {"centre", "office"} and own
    if operation == "read_expert_results":
        # the library's side: readers of experts over its subtree (never the investigating home)
        return role in READERS | {"centre", "integrator"} and in_subtree
    # -- end of eval3's block.
    # -- eval4: the site's own staff (evaluation:handle in its unit), like conduct records.
    if operation in EVALUATION_SITE_RECORD_OPERATIONS:
        return role in {"centre", "office"} and own
    # -- end of eval4's block.
    raise AssertionError(operation)


@dataclass(frozen=True)
class Case:
    mode: str
    level: str
    role: str
    relation: str
    operation: str

    @property
    def subject_code(self) -> int:
        return PLACES[self.level][1]

    @property
    def target(self) -> int:
        return RELATIONS[self.subject_code][self.relation]

    @property
    def tag(self) -> str:
        return f"{self.mode}/{self.level}/{self.role}/{self.relation}/{self.operation}"


CASES = [
    Case(mode, level, role, relation, operation)
    for mode in ("both-walls", "database-only")
    for level in PLACES
    for role in ROLES
    for relation in RELATIONS[PLACES[level][1]]
    for operation in OPERATIONS
]


@dataclass
class World:
    db: Database
    owner: AsyncEngine
    clients: dict[str, GraphQLClient]
    people: dict[int, tuple[str, str]]  # jurisdiction -> (person global id, login)
    officers: dict[int, tuple[str, uuid.UUID]]  # jurisdiction -> (officer global id, person id)
    keys: dict[int, str]  # jurisdiction -> API key secret
    obligations: dict[int, str]  # jurisdiction -> its office's overdue obligation (global id)
    inboxes: dict[int, str]  # jurisdiction -> a notification to everyone of it (global id)
    projects: dict[int, tuple[str, str, str]]  # jurisdiction -> (open id, classified id, code)
    complaints: dict[int, Filed]  # jurisdiction -> a complaint at its office (read, list, track)
    prepared: dict[str, Filed]  # _prepared_key -> a complaint ready for the case's move
    evaluations: dict[str, dict[int, str]]  # kind ("E", "H", "S", "C") -> unit -> session id
    home_seats: dict[int, str]  # unit -> the home seat of its own session
    to_start: dict[tuple[str, str, str, str], str]  # case -> a scheduled session of the target
    unknown_login_answers: dict[tuple[str, str, str], Any] = field(default_factory=dict)
    casework: dict[str, Any] = field(default_factory=dict)
    """leads, outgoing, incoming, closed, letters: jurisdiction -> global id; receivable:
    case -> a transfer to that case's target, unsigned."""
    reports: dict[int, str] = field(default_factory=dict)  # jurisdiction -> a submitted report
    reviewable: dict[str, str] = field(default_factory=dict)  # case tag -> a report to return
    # -- Remote evaluation, follow-up (issue 11, eval3).
    evaluation_copies: dict[Any, str] = field(default_factory=dict)
    """unit -> a copy it received (global id); (mode, level, role, relation) -> a copy to the
    case's target to acknowledge."""
    # -- end of eval3's block.
    # -- eval4: case -> a fresh home seat of the target's own session (one arrival each);
    # unit -> the home site of its own session.
    site_records: dict[Any, str] = field(default_factory=dict)
    # -- end of eval4's block.


def _gid(type_name: str, value: uuid.UUID) -> str:
    from xietong.api.ids import to_global_id

    return str(to_global_id(type_name, value))


@pytest.fixture(scope="session")
async def world(
    pg_admin_url: str, seeded_template: Database, request: pytest.FixtureRequest
) -> AsyncIterator[World]:
    name = f"xt_matrix_{uuid.uuid4().hex[:8]}"
    db = Database.of(
        await provision(
            pg_admin_url,
            name,
            owner_role=OWNER_ROLE,
            app_role=APP_ROLE,
            template=seeded_template.name,
        )
    )
    owner = make_engine(db.owner_url, pool_size=2)
    targets = {t for rel in RELATIONS.values() for t in rel.values()}
    people: dict[int, tuple[str, str]] = {}
    officers: dict[int, tuple[str, uuid.UUID]] = {}
    keys: dict[int, str] = {}
    async with owner.begin() as conn:
        for code in sorted(targets):
            pid, login = (
                await conn.execute(
                    text(
                        "SELECT id, login FROM person WHERE jurisdiction_code = :c AND active "
                        "ORDER BY login LIMIT 1"
                    ),
                    {"c": code},
                )
            ).one()
            people[code] = (_gid("Person", pid), login)
            oid = await conn.scalar(
                text(
                    "SELECT person_id FROM officer_pool_member WHERE jurisdiction_code = :c "
                    "ORDER BY person_id LIMIT 1"
                ),
                {"c": code},
            )
            officers[code] = (_gid("OfficerPoolMember", oid), oid)
        for _, code in PLACES.values():
            key = new_api_key()
            await conn.execute(
                text(
                    "INSERT INTO api_key (id, prefix, secret_hash, name, jurisdiction_code, "
                    "province_code, roles, created_by) VALUES (:id, :p, :h, 'matrix', :c, :pc, "
                    "ARRAY['integrator'], 'test')"
                ),
                {
                    "id": uuid.uuid4(),
                    "p": key.prefix,
                    "h": key.secret_hash,
                    "c": code,
                    "pc": codes.province_of(code),
                },
            )
            keys[code] = key.secret
        obligations, inboxes = await _clocks(conn, sorted(targets))
        projects = await _trading_world(conn, targets)
        reports, reviewable = await _reports(conn, targets)
        evaluations, home_seats, to_start = await _evaluation_world(conn, targets)
        evaluation_copies = await _evaluation_copy_world(conn, targets, evaluations)  # eval3
        site_records = await _site_record_world(conn, home_seats)  # eval4
    selected = _selected(request)
    complaints, prepared = await _complaints(db, targets, selected)
    casework = await _casework(db, targets, complaints, selected)
    await _received_transfers(owner)
    async with graphql_client(db) as both, graphql_client(db) as database_only:
        database_only.app.state.app_wall = False
        yield World(
            db,
            owner,
            {"both-walls": both, "database-only": database_only},
            people,
            officers,
            keys,
            obligations,
            inboxes,
            projects,
            complaints,
            prepared,
            evaluations,
            home_seats,
            to_start,
            casework=casework,
            reports=reports,
            reviewable=reviewable,
            evaluation_copies=evaluation_copies,  # eval3
            site_records=site_records,  # eval4
        )
    await owner.dispose()
    await drop(pg_admin_url, name)


async def _clocks(conn: Any, units: list[int]) -> tuple[dict[int, str], dict[int, str]]:
    """In every unit, an overdue clock owed by each department, a notification of it to that
    department, and one notification to everyone of the unit (no department named)."""
    await conn.execute(
        text(
            "INSERT INTO obligation (id, rule_id, matter_type, matter_id, jurisdiction_code, "
            "province_code, owing_department_id, escalate_to, started_on, counted_from, unit, "
            "amount, due_on, status, provisional, calendar_version, calendar_jurisdiction, "
            "created_by) SELECT gen_random_uuid(), 'R7.report_to_office', 'complaint', "
            "gen_random_uuid(), d.jurisdiction_code, d.province_code, d.id, j.parent_code, "
            "'2020-01-06', '2020-01-06', 'working_days', 3, '2020-01-09', 'overdue', false, "
            "'cal1-matrix', d.jurisdiction_code, 'matrix' FROM department d "
            "JOIN jurisdiction j ON j.code = d.jurisdiction_code "
            "WHERE d.active AND d.jurisdiction_code = ANY(:units)"
        ),
        {"units": units},
    )
    notice = (
        "INSERT INTO notification (id, jurisdiction_code, province_code, recipient_department_id, "
        "kind, obligation_id, rule_id, source_jurisdiction_code, due_on, idempotency_key, "
        "created_by, created_at) SELECT {id}, o.jurisdiction_code, o.province_code, {recipient}, "
        "'overdue', o.id, o.rule_id, o.jurisdiction_code, o.due_on, {key}, "
        "'system:matrix', now() FROM obligation o JOIN department d ON d.id = "
        "o.owing_department_id WHERE o.jurisdiction_code = ANY(:units) {only}"
    )
    await conn.execute(
        text(
            notice.format(
                id="gen_random_uuid()",
                recipient="o.owing_department_id",
                key="'matrix:' || o.id",
                only="",
            )
        ),
        {"units": units},
    )
    await conn.execute(
        text(
            notice.format(
                id="gen_random_uuid()",
                recipient="NULL",
                key="'matrix-all:' || o.id",
                only="AND d.kind = 'supervision_office'",
            )
        ),
        {"units": units},
    )
    obligations = {
        code: _gid("Obligation", oid)
        for code, oid in await conn.execute(
            text(
                "SELECT o.jurisdiction_code, o.id FROM obligation o JOIN department d "
                "ON d.id = o.owing_department_id WHERE d.kind = 'supervision_office'"
            )
        )
    }
    inboxes = {
        code: _gid("Notification", nid)
        for code, nid in await conn.execute(
            text(
                "SELECT jurisdiction_code, id FROM notification "
                "WHERE recipient_department_id IS NULL"
            )
        )
    }
    return obligations, inboxes


async def _trading_world(conn: Any, targets: set[int]) -> dict[int, tuple[str, str, str]]:
    """In each target unit, an unclassified and a classified housing works (bidding), supervised
    by the unit's housing department; written by the owner, as if a key long revoked had."""
    entity = uuid.uuid4()
    await conn.execute(
        text(
            "INSERT INTO market_entity (id, credit_code, name, kind, division, created_by) "
            "VALUES (:id, :c, '矩阵测试建设有限公司', 'enterprise', '410700', 'matrix')"
        ),
        {"id": entity, "c": compose("9", "1", "410700", "MA47X9Y2").value},
    )
    found: dict[int, tuple[str, str, str]] = {}
    for code in sorted(targets):
        housing = await conn.scalar(
            text("SELECT id FROM department WHERE jurisdiction_code = :c AND industry = 'housing'"),
            {"c": code},
        )
        ids = []
        for classified in (False, True):
            ident = uuid.uuid4()
            await conn.execute(
                text(
                    "INSERT INTO project (id, jurisdiction_code, province_code, source_system, "
                    "source_id, project_code, name, category, industry, method, tenderer_id, "
                    "budget_fen, classified, separated_evaluation, supervisor_ids, "
                    "supervisor_powers, state, registered_at, registered_by) VALUES (:id, :c, "
                    ":pc, 'matrix', :sid, :pcode, '矩阵测试工程', 'construction', 'housing', "
                    "'open_tender', :e, 500000000, :cl, false, ARRAY[:h]::uuid[], "
                    "ARRAY['HOUSING-SUPERVISION'], 'bidding', now(), 'key:revoked')"
                ),
                {
                    "id": ident,
                    "c": code,
                    "pc": codes.province_of(code),
                    "sid": f"{code}-{classified}",
                    "pcode": f"M-{code}-{'S' if classified else 'O'}",
                    "e": entity,
                    "cl": classified,
                    "h": housing,
                },
            )
            ids.append(_gid("Project", ident))
        found[code] = (ids[0], ids[1], f"M-{code}-O")
        # An approved works that never entered trading: on the unit's 应进未进 list.
        await conn.execute(
            text(
                "INSERT INTO approved_project (id, jurisdiction_code, province_code, "
                "approval_number, name, owner_name, amount_fen, category, industry, funding, "
                "approved_on, recorded_by) VALUES (:id, :c, :pc, :n, '矩阵未进场工程', "
                "'矩阵业主', 900000000, 'construction', 'housing', 'government', "
                "'2025-01-02', 'matrix')"
            ),
            {"id": uuid.uuid4(), "c": code, "pc": codes.province_of(code), "n": f"A-{code}"},
        )
    return found


async def _evaluation_world(
    conn: Any, targets: set[int]
) -> tuple[dict[str, dict[int, str]], dict[int, str], dict[tuple[str, str, str, str], str]]:
    """Per target unit: its own started session (E), and sessions of 昆明市 it hosts — started
    with a live grant (H), sealed before the start (S), after the window (C, grant revoked); per
    start case a scheduled session of the target. Written by the owner."""
    pid = uuid.uuid4()
    await conn.execute(
        text(
            "INSERT INTO project (id, jurisdiction_code, province_code, source_system, source_id, "
            "project_code, name, category, industry, method, tenderer_id, budget_fen, classified, "
            "separated_evaluation, supervisor_ids, supervisor_powers, state, registered_at, "
            "registered_by) SELECT :id, 530100, 530000, 'matrix', 'eval', 'M-EVAL', "
            "'矩阵评标工程', 'construction', 'housing', 'open_tender', id, 500000000, false, "
            "false, ARRAY[(SELECT d.id FROM department d WHERE d.jurisdiction_code = 530100 "
            "AND d.industry = 'housing')], ARRAY['HOUSING-SUPERVISION'], 'bidding', now(), "
            "'key:revoked' FROM market_entity LIMIT 1"
        ),
        {"id": pid},
    )
    projects = {
        int(code): ident
        for code, ident in await conn.execute(
            text(
                "SELECT jurisdiction_code, id FROM project WHERE source_system = 'matrix' "
                "AND NOT classified"
            )
        )
    }

    async def session(
        home: int, host: int | None, number: str, state: str, grant: str | None
    ) -> tuple[str, str]:
        sid, home_site, seat = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
        started = "now()" if state != "scheduled" else "NULL"
        closed = "now()" if state == "finished" else "NULL"
        await conn.execute(
            text(
                "INSERT INTO evaluation_session (id, jurisdiction_code, province_code, number, "
                "project_id, scheduled_start, scheduled_end, state, started_at, ended_at, "
                "follow_up_days, window_until, window_closed_at, created_by) VALUES (:id, :h, "
                f":hp, :n, :p, now(), now() + interval '8 hours', :st, {started}, {closed}, 30, "
                f":w, {closed}, 'matrix')"
            ),
            {
                "id": sid,
                "h": home,
                "hp": codes.province_of(home),
                "n": number,
                "p": projects[home],
                "st": state,
                "w": date(2020, 1, 1) if state == "finished" else None,
            },
        )
        sites = [(home_site, home, "home")]
        if host is not None:
            sites.append((uuid.uuid4(), host, "host"))
        for site_id, code, role in sites:
            await conn.execute(
                text(
                    "INSERT INTO evaluation_site (id, session_id, jurisdiction_code, "
                    "province_code, session_jurisdiction_code, role, seats, session_number, "
                    "scheduled_start, scheduled_end, created_by) VALUES (:id, :s, :c, :cp, :h, "
                    ":r, 1, :n, now(), now() + interval '8 hours', 'matrix')"
                ),
                {
                    "id": site_id,
                    "s": sid,
                    "c": code,
                    "cp": codes.province_of(code),
                    "h": home,
                    "r": role,
                    "n": number,
                },
            )
            await conn.execute(
                text(
                    "INSERT INTO evaluation_seat (id, session_id, site_id, jurisdiction_code, "
                    "province_code, site_jurisdiction_code, label, created_by) VALUES (:id, :s, "
                    ":site, :h, :hp, :c, :l, 'matrix')"
                ),
                {
                    "id": seat if role == "home" else uuid.uuid4(),
                    "s": sid,
                    "site": site_id,
                    "h": home,
                    "hp": codes.province_of(home),
                    "c": code,
                    "l": "主场-01" if role == "home" else "副场1-01",
                },
            )
        if grant is not None and host is not None:
            await conn.execute(
                text(
                    # as ``evaluation.start`` grants: the host's office and centre, each
                    "INSERT INTO access_grant (id, object_type, object_id, "
                    "object_jurisdiction_code, province_code, grantee_jurisdiction_code, "
                    "grantee_department_id, actions, include_related, reason, starts_at, "
                    "expires_at, created_by, revoked_at, revoked_by) SELECT gen_random_uuid(), "
                    "'evaluation', :s, :h, :hp, :g, d.id, "
                    "ARRAY['handle', 'read'], true, 'matrix', now() - interval '1 hour', "
                    "now() + interval '1 day', 'matrix', "
                    f"{'now()' if grant == 'revoked' else 'NULL'}, "
                    f"{repr('system:evaluation') if grant == 'revoked' else 'NULL'} "
                    "FROM department d WHERE d.jurisdiction_code = :g "
                    "AND d.kind IN ('supervision_office', 'trading_centre')"
                ),
                {"s": sid, "h": home, "hp": codes.province_of(home), "g": host},
            )
        return _gid("EvaluationSession", sid), _gid("EvaluationSeat", seat)

    found: dict[str, dict[int, str]] = {"E": {}, "H": {}, "S": {}, "C": {}}
    seats: dict[int, str] = {}
    for code in sorted(targets):
        found["E"][code], seats[code] = await session(code, None, f"E-{code}", "started", None)
        for kind, state, grant in (
            ("H", "started", "live"),
            ("S", "scheduled", None),
            ("C", "finished", "revoked"),
        ):
            found[kind][code], _ = await session(
                EVALUATION_HOME, code, f"{kind}-{code}", state, grant
            )
    to_start: dict[tuple[str, str, str, str], str] = {}
    for case in CASES:
        if case.operation == "start_evaluation":
            key = (case.mode, case.level, case.role, case.relation)
            number = "A-" + hashlib.sha256(case.tag.encode()).hexdigest()[:16]
            to_start[key], _ = await session(case.target, None, number, "scheduled", None)
    return found, seats, to_start


# -- Remote evaluation, follow-up (issue 11, eval3). ------------------------------------------


async def _evaluation_copy_world(
    conn: Any, targets: set[int], evaluations: dict[str, dict[int, str]]
) -> dict[Any, str]:
    """Per target unit, an investigation of 昆明市 about its host seat in the session it hosts
    (H), copied to it; per acknowledge case another one, copied to the case's target. Written by
    the owner."""
    from xietong.api.ids import from_global_id

    department = await conn.scalar(
        text(
            "SELECT id FROM department WHERE jurisdiction_code = 530100 "
            "AND kind = 'supervision_office'"
        )
    )

    async def copied(host: int, subject: str, at: str) -> str:
        _, session_id = from_global_id(evaluations["H"][host])
        inv, copy = uuid.uuid4(), uuid.uuid4()
        await conn.execute(
            text(
                "INSERT INTO evaluation_investigation (id, session_id, jurisdiction_code, "
                "province_code, department_id, seat_ids, seat_labels, host_codes, subject, state, "
                "opened_on, ended_on, result, decision, copied_on, created_by) VALUES (:id, :s, "
                "530100, 530000, :d, ARRAY[gen_random_uuid()], ARRAY['副场1-01'], "
                "ARRAY[CAST(:h AS integer)], :m, "
                "'copied', current_date, current_date, '属实', '暂停资格', current_date, 'matrix')"
            ),
            {"id": inv, "s": session_id, "d": department, "h": host, "m": subject},
        )
        await conn.execute(
            text(
                "INSERT INTO evaluation_copy (id, investigation_id, session_id, jurisdiction_code, "
                "province_code, home_jurisdiction_code, session_number, seat_labels, subject, "
                "result, decision, automatic, copied_at, copied_by) VALUES (:id, :i, :s, :h, :hp, "
                f"530100, :n, ARRAY['副场1-01'], :m, '属实', '暂停资格', false, {at}, 'matrix')"
            ),
            {
                "id": copy,
                "i": inv,
                "s": session_id,
                "h": host,
                "hp": codes.province_of(host),
                "n": f"H-{host}",
                "m": subject,
            },
        )
        return _gid("EvaluationCopy", copy)

    found: dict[Any, str] = {}
    for code in sorted(targets):
        # the newest of the unit's inbox: on the first page whatever else it received
        found[code] = await copied(code, f"copy-{code}", "now() + interval '1 hour'")
        # an expert of the unit's library with that result in its record
        expert = uuid.uuid4()
        await conn.execute(
            text(
                "INSERT INTO expert (id, jurisdiction_code, province_code, library_province_code, "
                "name, id_masked, id_digest, specialities, status, recorded_by) VALUES (:id, :c, "
                ":p, :p, '矩阵专家', '******', :d, ARRAY['房屋建筑'], 'active', 'matrix')"
            ),
            {"id": expert, "c": code, "p": codes.province_of(code), "d": expert.hex},
        )
        await conn.execute(
            text(
                "INSERT INTO evaluation_expert_result (id, expert_id, investigation_id, "
                "jurisdiction_code, province_code, home_jurisdiction_code, session_number, "
                "seat_label, subject, result, decision, recorded_on, created_by) SELECT "
                "gen_random_uuid(), :e, c.investigation_id, :c, :p, 530100, c.session_number, "
                "'副场1-01', c.subject, c.result, c.decision, current_date, 'matrix' "
                "FROM evaluation_copy c WHERE c.subject = :m"
            ),
            {"e": expert, "c": code, "p": codes.province_of(code), "m": f"copy-{code}"},
        )
        found[("expert", code)] = _gid("Expert", expert)
    for case in CASES:
        if case.operation == "acknowledge_evaluation_copy":
            key = (case.mode, case.level, case.role, case.relation)
            found[key] = await copied(case.target, f"matrix:{case.tag}", "now()")
    return found


async def _run_evaluation_copies(
    world: World, case: Case, gql: Any, caller: dict[str, Any], target: str
) -> Outcome:
    if case.operation == "list_evaluation_copies":
        body = await gql(
            "query($c: JurisdictionCode!) { evaluationCopies(under: $c, first: 100) { nodes { "
            "id host { code } } } }",
            {"c": target},
            **caller,
        )
        nodes = ((body.get("data") or {}).get("evaluationCopies") or {}).get("nodes") or []
        return Outcome(
            any(n["id"] == world.evaluation_copies[case.target] for n in nodes),
            {int(n["host"]["code"]) for n in nodes},
        )
    if case.operation == "acknowledge_evaluation_copy":
        from xietong.api.ids import from_global_id

        ident = world.evaluation_copies[(case.mode, case.level, case.role, case.relation)]
        await gql(
            "mutation($i: EvaluationCopyRefInput!) { evaluationCopyAcknowledge(input: $i) { "
            "errors { code } } }",
            {"i": {"id": ident}},
            **caller,
        )
        _, copy_id = from_global_id(ident)
        async with world.owner.connect() as conn:
            acknowledged = await conn.scalar(
                text("SELECT acknowledged_at IS NOT NULL FROM evaluation_copy WHERE id = :i"),
                {"i": copy_id},
            )
        return Outcome(bool(acknowledged), set())
    if case.operation == "read_expert_results":
        body = await gql(
            "query($e: ID!) { evaluationExpertResults(expertId: $e) { seat } }",
            {"e": world.evaluation_copies[("expert", case.target)]},
            **caller,
        )
        found = (body.get("data") or {}).get("evaluationExpertResults") or []
        return Outcome(bool(found), {case.target} if found else set())
    if case.operation == "record_conduct":
        marker = f"matrix:{case.tag}"
        await gql(
            "mutation($i: EvaluationConductRecordInput!) { evaluationConductRecord(input: $i) { "
            "errors { code } } }",
            {"i": {"seatId": world.home_seats[case.target], "kind": "PHONE", "note": marker}},
            **caller,
        )
        async with world.owner.connect() as conn:
            made = await conn.scalar(
                text("SELECT count(*) FROM evaluation_conduct WHERE note = :m"), {"m": marker}
            )
        return Outcome(made == 1, set())
    raise AssertionError(case.operation)


# -- end of eval3's block. ----------------------------------------------------------------------


# -- eval4 (issue 11): attendance and audio/video record references per site. ------------------


async def _site_record_world(conn: Any, home_seats: dict[int, str]) -> dict[Any, str]:
    """Per unit, the home site of its own started session; per attendance case, a fresh seat
    there (a seat takes one arrival). Written by the owner."""
    from xietong.api.ids import from_global_id

    found: dict[Any, str] = {}
    for code, seat in home_seats.items():
        site = await conn.scalar(
            text("SELECT site_id FROM evaluation_seat WHERE id = :i"),
            {"i": from_global_id(seat)[1]},
        )
        found[code] = _gid("EvaluationSite", site)
    for case in CASES:
        if case.operation != "record_attendance":
            continue
        seat_id = uuid.uuid4()
        await conn.execute(
            text(
                "INSERT INTO evaluation_seat (id, session_id, site_id, jurisdiction_code, "
                "province_code, site_jurisdiction_code, label, created_by) SELECT :id, "
                "session_id, site_id, jurisdiction_code, province_code, site_jurisdiction_code, "
                ":l, 'matrix' FROM evaluation_seat WHERE id = :home"
            ),
            {
                "id": seat_id,
                "l": "主场-" + seat_id.hex[:8],
                "home": from_global_id(home_seats[case.target])[1],
            },
        )
        found[(case.mode, case.level, case.role, case.relation)] = _gid("EvaluationSeat", seat_id)
    return found


async def _run_site_records(world: World, case: Case, gql: Any, caller: dict[str, Any]) -> Outcome:
    from xietong.api.ids import from_global_id

    if case.operation == "record_attendance":
        seat = world.site_records[(case.mode, case.level, case.role, case.relation)]
        await gql(
            "mutation($i: EvaluationAttendanceRecordInput!) { evaluationAttendanceRecord("
            "input: $i) { errors { code } } }",
            {"i": {"seatId": seat, "kind": "ARRIVED"}},
            **caller,
        )
        async with world.owner.connect() as conn:
            made = await conn.scalar(
                text("SELECT count(*) FROM evaluation_attendance WHERE seat_id = :s"),
                {"s": from_global_id(seat)[1]},
            )
        return Outcome(made == 1, set())
    marker = f"matrix:{case.tag}"
    ended = datetime.now(UTC)
    await gql(
        "mutation($i: EvaluationRecordingRecordInput!) { evaluationRecordingRecord(input: $i) { "
        "errors { code } } }",
        {
            "i": {
                "siteId": world.site_records[case.target],
                "reference": marker,
                # a span ending now: after the session's start (the world's), not in the future
                "startedAt": (ended - timedelta(hours=1)).isoformat(),
                "endedAt": ended.isoformat(),
                "sha256": "0" * 64,
            }
        },
        **caller,
    )
    async with world.owner.connect() as conn:
        made = await conn.scalar(
            text("SELECT count(*) FROM evaluation_recording WHERE reference = :m"), {"m": marker}
        )
    return Outcome(made == 1, set())


# -- end of eval4's block. ----------------------------------------------------------------------


async def _reports(conn: Any, targets: set[int]) -> tuple[dict[int, str], dict[str, str]]:
    """A submitted half-year report in every target unit (read, completeness), and one more for
    every case that tries to return one (returning changes it), each for its own month."""
    parents = dict((await conn.execute(text("SELECT code, parent_code FROM jurisdiction"))).all())

    async def one(code: int, template: str, first: int, last: int) -> str:
        ident = uuid.uuid4()
        figures = (
            '{"separated": {"value": 0}, "separated_budget": {"value": 0}}'
            if template == "separated_monthly"
            else "{}"
        )
        await conn.execute(
            text(
                "INSERT INTO periodic_report (id, template, jurisdiction_code, province_code, "
                "parent_code, first_month, last_month, status, figures, narrative, version, "
                "submitted_on, first_submitted_on, created_by) VALUES (:id, :t, :c, :pc, :p, :f, "
                ":l, 'submitted', CAST(:fig AS jsonb), '{}', 1, '2026-07-01', '2026-07-01', "
                "'matrix')"
            ),
            {
                "id": ident,
                "t": template,
                "c": code,
                "pc": codes.province_of(code),
                "p": parents.get(code),
                "f": first,
                "l": last,
                "fig": figures,
            },
        )
        return _gid("PeriodicReport", ident)

    plain = {code: await one(code, "half_year", 202601, 202606) for code in sorted(targets)}
    reviewable: dict[str, str] = {}
    month = 0
    for case in CASES:
        if case.operation == "return_report":
            first = (2001 + month // 12) * 100 + month % 12 + 1
            reviewable[case.tag] = await one(case.target, "separated_monthly", first, first)
            month += 1
    reviewable.update(await _report_steps(conn, parents))
    return plain, reviewable


async def _received_transfers(owner: AsyncEngine) -> None:
    """Rollbreadth block: the closed transfers to every target were signed for before they
    closed, so each target has a transfer counted in ``transfers_received`` for its own unit
    (the row is 五华区's)."""
    async with owner.begin() as conn:
        await conn.execute(
            text(
                "UPDATE case_transfer SET received_on = sent_on, received_by = 'matrix' "
                "WHERE status = 'closed' AND jurisdiction_code = :s"
            ),
            {"s": SENDER},
        )


async def _report_steps(conn: Any, parents: dict[int, int | None]) -> dict[str, str]:
    """Rollbreadth block: for every case of REPORT_STEPS, a report of the target in the state the
    step starts from, for a month of its own (2101 on; the other report cases use earlier
    ones); for accepting, every unit directly below the target has its report accepted, so a
    refusal can only be access."""
    found: dict[str, str] = {}
    month = 0
    for case in CASES:
        status = REPORT_STEPS.get(case.operation)
        if status is None:
            continue
        first = (2101 + month // 12) * 100 + month % 12 + 1
        month += 1
        ident = uuid.uuid4()
        submitted = "'2026-07-01'" if status != "draft" else "NULL"
        await conn.execute(
            text(
                "INSERT INTO periodic_report (id, template, jurisdiction_code, province_code, "
                "parent_code, first_month, last_month, status, figures, narrative, version, "
                "submitted_on, first_submitted_on, created_by) VALUES (:id, 'separated_monthly', "
                ":c, :pc, :p, :f, :f, :s, CAST(:fig AS jsonb), '{}', 1, "
                f"{submitted}, {submitted}, 'matrix')"
            ),
            {
                "id": ident,
                "c": case.target,
                "pc": codes.province_of(case.target),
                "p": parents.get(case.target),
                "f": first,
                "s": status,
                "fig": '{"separated": {"value": 0}, "separated_budget": {"value": 0}}',
            },
        )
        if case.operation == "accept_report":
            await conn.execute(
                text(
                    "INSERT INTO periodic_report (id, template, jurisdiction_code, province_code, "
                    "parent_code, first_month, last_month, status, figures, narrative, version, "
                    "submitted_on, first_submitted_on, created_by) SELECT gen_random_uuid(), "
                    "'separated_monthly', j.code, j.code - j.code % 10000, j.parent_code, :f, :f, "
                    "'accepted', CAST(:fig AS jsonb), '{}', 1, '2026-07-01', '2026-07-01', "
                    "'matrix' FROM jurisdiction j WHERE j.parent_code = :c AND j.retired_on IS NULL"
                ),
                {
                    "c": case.target,
                    "f": first,
                    "fig": '{"separated": {"value": 0}, "separated_budget": {"value": 0}}',
                },
            )
        found[case.tag] = _gid("PeriodicReport", ident)
    return found


@dataclass(frozen=True)
class Filed:
    id: str  # global id
    tracking_code: str
    secret: str


async def _complaints(
    db: Database, targets: set[int], selected: list[Case]
) -> tuple[dict[int, Filed], dict[str, Filed]]:
    """A complaint at the office of every target unit; and for every case that changes one (a
    move), a complaint in the state the move starts from, made through the
    service as the owner with the parties the workflow names."""
    from tests.conftest import TEST_SERVER_SECRET
    from xietong.audit.enums import ActorKind
    from xietong.complaints import service, tracking
    from xietong.complaints.enums import ComplaintAction, ComplaintCategory, ComplaintRegime
    from xietong.db.engine import make_sessionmaker, transaction
    from xietong.deadlines.clock import SYSTEM_CLOCK
    from xietong.jurisdictions.enums import DepartmentKind, Industry
    from xietong.keys import Keyring

    engine = make_engine(db.owner_url, pool_size=1)
    sessions = make_sessionmaker(engine, keyring=Keyring.of(TEST_SERVER_SECRET))
    plain: dict[int, Filed] = {}
    prepared: dict[str, Filed] = {}

    async def one(session: Any, code: int, steps: tuple[str, ...], regime: str) -> Filed:
        office = await service.receiving_department(session, code, None)
        filing = service.Filing(
            jurisdiction_code=code,
            receiving_department_id=office.id,
            regime=ComplaintRegime(regime),
            category=ComplaintCategory.EVALUATION,
            title="matrix",
            body="matrix",
            project_code="MATRIX-1",
            entity_credit_code=None,
            entity_name=None,
            knew_on=None,
            anonymous=True,
            filer_name=None,
            filer_contact=None,
        )
        secret = tracking.new_secret()
        row = await service.file(
            session,
            filing=filing,
            code=tracking.new_code(),
            secret=secret,
            client=None,
            clock=SYSTEM_CLOCK,
        )
        office_actor = service.Actor(
            name="matrix",
            kind=ActorKind.SYSTEM,
            department_id=office.id,
            department_kind=DepartmentKind.SUPERVISION_OFFICE,
            jurisdiction_code=code,
        )
        for step in steps:
            action = ComplaintAction(step)
            if action is ComplaintAction.ASSIGN:
                actor = office_actor
                industry = Industry.HOUSING if regime == "tendering" else None
                move = service.Move(action, industry=industry)
            else:
                actor = service.Actor(
                    name="matrix",
                    kind=ActorKind.SYSTEM,
                    department_id=row.handling_department_id,
                    department_kind=DepartmentKind.INDUSTRY,
                    jurisdiction_code=code,
                )
                move = service.Move(
                    action,
                    text="matrix",
                    reply_by=SYSTEM_CLOCK.today() + timedelta(days=30),
                )
            row = await service.make_move(
                session, complaint=row, move=move, actor=actor, clock=SYSTEM_CLOCK
            )
        return Filed(_gid("Complaint", row.id), row.tracking_code, secret)

    try:
        async with transaction(sessions) as session:
            # 五华区 too: the complaint its transfers to the targets come from.
            for code in sorted(targets | {SENDER}):
                plain[code] = await one(session, code, (), "tendering")
            for case in selected:
                move = COMPLAINT_MOVES.get(case.operation)
                if move is None:
                    continue
                # A case the rules allow moves its complaint, so it gets its own; the refused
                # ones share one per unit and move (a wrongly allowed case fails where it
                # happens, and the cases after it on that complaint fail too).
                key = _prepared_key(case)
                if key not in prepared:
                    prepared[key] = await one(session, case.target, move.prepare, move.regime)
    finally:
        await engine.dispose()
    return plain, prepared


def _prepared_key(case: Case) -> str:
    if expected(case.role, case.relation, case.operation):
        return case.tag
    return f"{case.mode}/{case.target}/{case.operation}"


def _selected(request: pytest.FixtureRequest) -> list[Case]:
    """The cases this run will run (``-k`` subsets): the complaint and casework moves prepare a
    matter per case, so a run that selects none of them prepares none."""
    found = []
    for item in request.session.items:
        callspec = getattr(item, "callspec", None)
        case = None if callspec is None else callspec.params.get("case")
        if isinstance(case, Case):
            found.append(case)
    return found


async def _casework(
    db: Database, targets: set[int], complaints: dict[int, Filed], selected: list[Case]
) -> dict[str, Any]:
    """In every target unit: a lead; a transfer its housing bureau sent to 五华区's; a transfer
    and a letter 五华区's housing bureau sent to its housing bureau (live grants), and one such
    transfer closed (the grant ended); and, for every case that tries to sign a receipt, its own
    unsigned transfer. Made through the services as the owner."""
    from tests.conftest import TEST_SERVER_SECRET
    from xietong.audit.enums import ActorKind
    from xietong.casework import common, leads, letters, transfers
    from xietong.casework.enums import LeadSource, TransferGround
    from xietong.db.engine import make_sessionmaker, transaction
    from xietong.deadlines.clock import SYSTEM_CLOCK
    from xietong.keys import Keyring

    engine = make_engine(db.owner_url, pool_size=1)
    sessions = make_sessionmaker(engine, keyring=Keyring.of(TEST_SERVER_SECRET))
    found: dict[str, Any] = {
        "leads": {},
        "outgoing": {},
        "incoming": {},
        "closed": {},
        "letters": {},
        "receivable": {},
    }

    async def housing(session: Any, code: int) -> uuid.UUID:
        ident: uuid.UUID = await session.scalar(
            text(
                "SELECT id FROM department WHERE jurisdiction_code = :c AND kind = 'industry' "
                "AND industry = 'housing' AND active ORDER BY key LIMIT 1"
            ),
            {"c": code},
        )
        return ident

    def actor(code: int, department: uuid.UUID) -> common.Actor:
        return common.Actor("matrix", ActorKind.SYSTEM, code, department)

    async def transfer(
        session: Any, sender: int, receiver: int, complaint: uuid.UUID | None = None
    ) -> Any:
        return await transfers.send(
            session,
            sending=transfers.Sending(
                receiver_jurisdiction_code=receiver,
                receiver_department_id=await housing(session, receiver),
                ground=TransferGround.NOT_COMPETENT,
                title="matrix",
                facts="matrix",
                discovered_on=SYSTEM_CLOCK.today(),
                complaint_id=complaint,
            ),
            actor=actor(sender, await housing(session, sender)),
            clock=SYSTEM_CLOCK,
        )

    try:
        async with transaction(sessions) as session:
            for code in sorted(targets):
                lead = await leads.register(
                    session,
                    registration=leads.Registration(
                        source=LeadSource.MONITORING,
                        title="matrix",
                        facts="matrix",
                        serious=False,
                        found_on=SYSTEM_CLOCK.today(),
                        complaint_id=_uuid_of(complaints[code].id),
                    ),
                    actor=actor(code, await housing(session, code)),
                    clock=SYSTEM_CLOCK,
                )
                # The unit's complaint lists this lead and its outgoing transfer (nested paths);
                # the incoming one comes from 五华区's complaint, which its receiver never reads.
                found["leads"][code] = _gid("Lead", lead.id)
                found["outgoing"][code] = _gid(
                    "CaseTransfer",
                    (await transfer(session, code, SENDER, _uuid_of(complaints[code].id))).id,
                )
                found["incoming"][code] = _gid(
                    "CaseTransfer",
                    (await transfer(session, SENDER, code, _uuid_of(complaints[SENDER].id))).id,
                )
                closed = await transfer(session, SENDER, code)
                await session.execute(
                    text(
                        "UPDATE access_grant SET revoked_at = now(), revoked_by = 'matrix' "
                        "WHERE id = :g"
                    ),
                    {"g": closed.grant_id},
                )
                await session.execute(
                    text("UPDATE case_transfer SET status = 'closed' WHERE id = :i"),
                    {"i": closed.id},
                )
                found["closed"][code] = _gid("CaseTransfer", closed.id)
                letter = await letters.send(
                    session,
                    request=letters.Request(
                        helper_jurisdiction_code=code,
                        helper_department_id=await housing(session, code),
                        case_summary="matrix",
                        help_asked="matrix",
                        reasons="matrix",
                    ),
                    actor=actor(SENDER, await housing(session, SENDER)),
                    clock=SYSTEM_CLOCK,
                )
                found["letters"][code] = _gid("AssistanceLetter", letter.id)
            found["letters_to_sign"] = {}
            found["leads_to_transfer"] = {}
            for case in selected:
                key = (case.mode, case.level, case.role, case.relation)
                if case.operation == "receive_transfer":
                    found["receivable"][key] = (await transfer(session, SENDER, case.target)).id
                if case.operation == "receive_letter":
                    sent = await letters.send(
                        session,
                        request=letters.Request(
                            helper_jurisdiction_code=case.target,
                            helper_department_id=await housing(session, case.target),
                            case_summary="matrix",
                            help_asked="matrix",
                            reasons="matrix",
                        ),
                        actor=actor(SENDER, await housing(session, SENDER)),
                        clock=SYSTEM_CLOCK,
                    )
                    found["letters_to_sign"][key] = sent.id
                if case.operation == "transfer_lead":
                    registered = await leads.register(
                        session,
                        registration=leads.Registration(
                            source=LeadSource.MONITORING,
                            title="matrix",
                            facts="matrix",
                            serious=False,
                            found_on=SYSTEM_CLOCK.today(),
                        ),
                        actor=actor(case.target, await housing(session, case.target)),
                        clock=SYSTEM_CLOCK,
                    )
                    found["leads_to_transfer"][key] = (
                        registered.id,
                        await housing(session, case.target),
                    )
            found.update(await _casework_moves(session, targets, transfer, selected))
    finally:
        await engine.dispose()
    return found


OTHER_UNIT = 530100  # 昆明市: never a subject; receives what no subject has a grant on


def _casework_key(case: Case) -> str:
    """A case the rules allow moves its matter, so it gets its own; the refused ones share one
    per unit and move (as ``_prepared_key``)."""
    if expected(case.role, case.relation, case.operation):
        return case.tag
    return f"{case.mode}/{case.target}/{case.operation}"


async def _casework_moves(
    session: Any, targets: set[int], transfer: Any, selected: list[Case]
) -> dict[str, Any]:
    """For every case of a move in CASEWORK_MOVES: its matter in the state the move starts
    from (``moves``), the same on the other side of the target (``reverse``, per unit and
    move) and between 五华区 and 昆明市 (``ungranted``, per move); per unit a closed letter
    (``closed_letters``); the department ids the moves name (``departments``)."""
    from xietong.access.scope import Scope
    from xietong.access.scope_token import ScopeSigner
    from xietong.audit.enums import ActorKind
    from xietong.casework import common, leads, letters, transfers
    from xietong.casework.enums import LeadSource
    from xietong.db.engine import keyring_of
    from xietong.deadlines.clock import SYSTEM_CLOCK

    switch = common.Switch(
        signer=ScopeSigner.from_keyring(keyring_of(session)), caller=Scope(actor="system:matrix")
    )
    departments: dict[tuple[int, str], uuid.UUID] = {}

    async def department(code: int, industry: str) -> uuid.UUID:
        if (code, industry) not in departments:
            departments[code, industry] = await session.scalar(
                text(
                    "SELECT id FROM department WHERE jurisdiction_code = :c AND kind = 'industry' "
                    "AND industry = :i AND active ORDER BY key LIMIT 1"
                ),
                {"c": code, "i": industry},
            )
        return departments[code, industry]

    async def by(code: int, industry: str = "housing") -> common.Actor:
        return common.Actor("matrix", ActorKind.SYSTEM, code, await department(code, industry))

    async def office(code: int) -> common.Actor:
        ident = await session.scalar(
            text(
                "SELECT id FROM department WHERE jurisdiction_code = :c "
                "AND kind = 'supervision_office' AND active ORDER BY key LIMIT 1"
            ),
            {"c": code},
        )
        return common.Actor("matrix", ActorKind.SYSTEM, code, ident)

    async def allow(side: Any) -> None:
        return None

    clock = SYSTEM_CLOCK

    async def a_transfer(sender: int, receiver: int, steps: tuple[str, ...]) -> uuid.UUID:
        row = await transfer(session, sender, receiver)
        them, us = await by(receiver), await by(sender)
        for step in steps:
            if step == "receive":
                await transfers.receive(
                    session,
                    transfer=row,
                    actor=them,
                    clock=clock,
                    switch=switch,
                    authorize=allow,
                    material_hashes=None,
                )
            elif step == "accept":
                await transfers.accept(
                    session, transfer=row, actor=them, clock=clock, authorize=allow, decided_on=None
                )
            elif step == "return":
                await transfers.return_(
                    session, transfer=row, actor=them, clock=clock, authorize=allow, reason="矩阵"
                )
            elif step == "close":
                await transfers.close(session, transfer=row, actor=us, clock=clock, authorize=allow)
            else:
                raise AssertionError(step)
        ident: uuid.UUID = row.id
        return ident

    async def a_letter(sender: int, receiver: int, steps: tuple[str, ...]) -> uuid.UUID:
        them, us = await by(receiver), await by(sender)
        row = await letters.send(
            session,
            request=letters.Request(
                helper_jurisdiction_code=receiver,
                helper_department_id=them.department_id,  # type: ignore[arg-type]
                case_summary="matrix",
                help_asked="matrix",
                reasons="matrix",
            ),
            actor=us,
            clock=clock,
        )
        for step in steps:
            if step == "receive":
                await letters.receive(session, letter=row, actor=them, clock=clock, authorize=allow)
            elif step == "answer":
                await letters.answer(
                    session, letter=row, actor=them, clock=clock, authorize=allow, text="矩阵"
                )
            elif step == "close":
                await letters.close(session, letter=row, actor=us, clock=clock, authorize=allow)
            else:
                raise AssertionError(step)
        ident: uuid.UUID = row.id
        return ident

    async def a_lead(code: int, steps: tuple[str, ...]) -> uuid.UUID:
        row = await leads.register(
            session,
            registration=leads.Registration(
                source=LeadSource.MONITORING,
                title="matrix",
                facts="matrix",
                serious=True,
                found_on=clock.today(),
            ),
            actor=await by(code),
            clock=clock,
        )
        for step in steps:
            if step == "verify":
                await leads.verify_jointly(
                    session,
                    lead=row,
                    actor=await office(code),
                    clock=clock,
                    department_ids=[
                        await department(code, "housing"),
                        await department(code, "transport"),
                    ],
                )
            elif step == "transfer":
                await leads.transfer(
                    session,
                    lead=row,
                    actor=await office(code),
                    clock=clock,
                    department_id=await department(code, "housing"),
                )
            else:
                raise AssertionError(step)
        ident: uuid.UUID = row.id
        return ident

    async def matter(move: CaseworkMove, target: int, *, reverse: bool = False) -> uuid.UUID:
        if move.matter == "lead":
            return await a_lead(target, move.prepare)
        receiving = (move.side == "receiver") != reverse
        sender, receiver = (SENDER, target) if receiving else (target, SENDER)
        make = a_transfer if move.matter == "transfer" else a_letter
        return await make(sender, receiver, move.prepare)

    made: dict[str, Any] = {"moves": {}, "reverse": {}, "ungranted": {}, "closed_letters": {}}
    for case in selected:
        move = CASEWORK_MOVES.get(case.operation)
        if move is None:
            continue
        key = _casework_key(case)
        if key not in made["moves"]:
            made["moves"][key] = await matter(move, case.target)
        if move.side == "unit":
            continue
        # Never moved by anyone: one per unit and move, and one per move, for both modes.
        side = (case.target, case.operation)
        if side not in made["reverse"]:
            made["reverse"][side] = await matter(move, case.target, reverse=True)
        if case.operation not in made["ungranted"]:
            make = a_transfer if move.matter == "transfer" else a_letter
            made["ungranted"][case.operation] = await make(SENDER, OTHER_UNIT, move.prepare)
    for code in sorted(targets):
        made["closed_letters"][code] = await a_letter(SENDER, code, ("receive", "answer", "close"))
        for industry in ("housing", "transport"):
            await department(code, industry)
    await department(OTHER_UNIT, "housing")
    made["departments"] = departments
    return made


def _caller(world: World, case: Case) -> dict[str, Any]:
    place, code = PLACES[case.level]
    if case.role == "public":
        return {}
    if case.role == "integrator":
        return {"headers": {"x-api-key": world.keys[code]}}
    return {"login": f"{place}.{ROLES[case.role]}"}


@dataclass
class Outcome:
    allowed: bool
    seen: set[int]  # jurisdictions of every row returned


# A refusal is one of these; anything else (a mistyped query, an internal error) would make a
# "not allowed" case pass for the wrong reason, so it fails the test instead.
REFUSALS = {"UNAUTHENTICATED", "FORBIDDEN", "POWER_NOT_LISTED", "NOT_FOUND"}


def _checked(client: Any) -> Any:
    async def call(*args: Any, **kwargs: Any) -> dict[str, Any]:
        body: dict[str, Any] = await client(*args, **kwargs)
        codes_seen = {(e.get("extensions") or {}).get("code") for e in body.get("errors") or []}
        assert codes_seen <= REFUSALS, f"not a refusal: {body['errors']}"
        return body

    return call


async def _run(world: World, case: Case) -> Outcome:
    gql = _checked(world.clients[case.mode])
    caller = _caller(world, case)
    target = codes.format_code(case.target)
    marker = f"matrix:{case.tag}"
    if case.operation == "read_person":
        body = await gql(
            "query($id: ID!) { person(id: $id) { login jurisdiction { code } } }",
            {"id": world.people[case.target][0]},
            **caller,
        )
        person = (body.get("data") or {}).get("person")
        return Outcome(
            person is not None, {int(person["jurisdiction"]["code"])} if person else set()
        )
    if case.operation in {"list_people", "read_officer_pool"}:
        query = (
            "query($c: JurisdictionCode!) { people(under: $c, first: 100) { nodes { jurisdiction "
            "{ code } } } }"
            if case.operation == "list_people"
            else "query($c: JurisdictionCode!) { officerPool(jurisdiction: $c, first: 100) { "
            "nodes { jurisdiction { code } } } }"
        )
        body = await gql(query, {"c": target}, **caller)
        field = "people" if case.operation == "list_people" else "officerPool"
        nodes = ((body.get("data") or {}).get(field) or {}).get("nodes") or []
        return Outcome(bool(nodes), {int(n["jurisdiction"]["code"]) for n in nodes})
    if case.operation == "read_officer_pool_people":
        body = await gql(
            "query($c: JurisdictionCode!) { officerPool(jurisdiction: $c, first: 100) { nodes { "
            "jurisdiction { code } person { login jurisdiction { code } } } } }",
            {"c": target},
            **caller,
        )
        nodes = ((body.get("data") or {}).get("officerPool") or {}).get("nodes") or []
        people = [n["person"] for n in nodes if n["person"] is not None]
        own_login = caller.get("login")
        return Outcome(
            any(p["login"] != own_login for p in people),  # one's own record is always readable
            {int(n["jurisdiction"]["code"]) for n in nodes}
            | {int(p["jurisdiction"]["code"]) for p in people},
        )
    if case.operation == "explain_access":
        query = (
            "query($l: Login!, $o: ID!) { explainAccess(login: $l, action: READ, "
            "objectId: $o) { allowed } }"
        )
        own_person = world.people[case.subject_code][0]
        body = await gql(query, {"l": world.people[case.target][1], "o": own_person}, **caller)
        answered = (body.get("data") or {}).get("explainAccess") is not None
        if not answered:
            # Refused exactly as for a login that does not exist: nothing learnt about the
            # target (whether it exists, where, or whether it is deactivated).
            key = (case.mode, case.level, case.role)
            if key not in world.unknown_login_answers:
                world.unknown_login_answers[key] = await gql(
                    query, {"l": "nobody.nowhere", "o": own_person}, **caller
                )
            assert body == world.unknown_login_answers[key], case.tag
        return Outcome(answered, {case.target} if answered else set())
    if case.operation == "set_availability":
        ident, person_id = world.officers[case.target]
        await gql(
            "mutation($id: ID!, $r: LongText) { officerAvailabilitySet(input: {officerId: "
            "$id, available: false, reason: $r}) { errors { code } } }",
            {"id": ident, "r": marker},
            **caller,
        )
        async with world.owner.connect() as conn:
            reason = await conn.scalar(
                text("SELECT unavailable_reason FROM officer_pool_member WHERE person_id = :p"),
                {"p": person_id},
            )
        return Outcome(reason == marker, set())
    if case.operation == "create_api_key":
        await gql(
            "mutation($i: ApiKeyCreateInput!) { apiKeyCreate(input: $i) { errors { code } } }",
            {"i": {"name": marker, "jurisdiction": target, "roles": ["INTEGRATOR"]}},
            **caller,
        )
        async with world.owner.connect() as conn:
            made = await conn.scalar(
                text("SELECT count(*) FROM api_key WHERE name = :n"), {"n": marker}
            )
        return Outcome(made == 1, set())
    if case.operation == "create_grant":
        expires = (datetime.now(UTC) + timedelta(days=1)).isoformat()
        await gql(
            "mutation($i: GrantCreateInput!) { grantCreate(input: $i) { errors { code } } }",
            {
                "i": {
                    "objectId": world.people[case.target][0],
                    "granteeJurisdiction": GRANTEE,
                    "actions": ["READ"],
                    "reason": marker,
                    "expiresAt": expires,
                }
            },
            **caller,
        )
        async with world.owner.connect() as conn:
            made = await conn.scalar(
                text("SELECT count(*) FROM access_grant WHERE reason = :r"), {"r": marker}
            )
        return Outcome(made == 1, set())
    if case.operation in CLOCK_OPERATIONS:
        return await _run_clocks(world, case, gql, caller, target)
    if case.operation in COMPLAINT_OPERATIONS:
        return await _run_complaints(world, case, gql, caller, target)
    if case.operation in CASEWORK_OPERATIONS:
        return await _run_casework(world, case, gql, caller, target)
    if case.operation == "rollup_casework":
        return await _run_rollup_casework(case, gql, caller, target)
    if case.operation in ROLLUP_OPERATIONS:
        return await _run_rollups(world, case, gql, caller, target)
    if case.operation in REPORT_OPERATIONS:
        return await _run_reports(world, case, gql, caller, target)
    if case.operation in EVALUATION_OPERATIONS:
        return await _run_evaluations(world, case, gql, caller, target)
    if case.operation in EVALUATION_COPY_OPERATIONS:  # eval3
        return await _run_evaluation_copies(world, case, gql, caller, target)
    if case.operation in EVALUATION_SITE_RECORD_OPERATIONS:  # eval4
        return await _run_site_records(world, case, gql, caller)
    return await _run_trading(world, case, gql, caller, target)


async def _run_clocks(
    world: World, case: Case, gql: Any, caller: dict[str, Any], target: str
) -> Outcome:
    def nodes_of(body: dict[str, Any], field: str) -> list[Any]:
        return list(((body.get("data") or {}).get(field) or {}).get("nodes") or [])

    if case.operation == "read_obligation":
        body = await gql(
            "query($id: ID!) { obligation(id: $id) { jurisdiction { code } } }",
            {"id": world.obligations[case.target]},
            **caller,
        )
        found = (body.get("data") or {}).get("obligation")
        return Outcome(found is not None, {int(found["jurisdiction"]["code"])} if found else set())
    if case.operation in {"my_work", "my_notifications"}:
        field = "myWork" if case.operation == "my_work" else "myNotifications"
        body = await gql(
            f"{{ {field}(first: 100) {{ nodes {{ jurisdiction {{ code }} }} }} }}", **caller
        )
        seen = {int(n["jurisdiction"]["code"]) for n in nodes_of(body, field)}
        return Outcome(case.target in seen, seen)
    if case.operation == "escalations":
        body = await gql(
            "query($u: JurisdictionCode) { escalations(under: $u, first: 100) { nodes { "
            "jurisdiction { code } } } }",
            {"u": target},
            **caller,
        )
        nodes = nodes_of(body, "escalations")
        return Outcome(bool(nodes), {int(n["jurisdiction"]["code"]) for n in nodes})
    if case.operation == "escalation_summary":
        body = await gql(
            "query($u: JurisdictionCode) { escalationSummary(under: $u) { jurisdiction { code } "
            "overdue includesSubtree } }",
            {"u": target},
            **caller,
        )
        rows = (body.get("data") or {}).get("escalationSummary")
        # A unit counted with overdue clocks is a unit whose rows were read.
        seen = {
            int(r["jurisdiction"]["code"])
            for r in rows or []
            if r["overdue"] and not r["includesSubtree"]
        }
        return Outcome(rows is not None and any(r["overdue"] for r in rows), seen)
    if case.operation == "mark_notification_read":
        body = await gql(
            "mutation($id: ID!) { notificationMarkRead(input: {notificationId: $id}) { "
            "notification { jurisdiction { code } } errors { code } } }",
            {"id": world.inboxes[case.target]},
            **caller,
        )
        payload = (body.get("data") or {}).get("notificationMarkRead") or {}
        marked = payload.get("notification")
        return Outcome(
            marked is not None, {int(marked["jurisdiction"]["code"])} if marked else set()
        )
    if case.operation == "deadline":
        body = await gql(
            'query($j: JurisdictionCode) { deadline(start: "2026-09-30", amount: 3, '
            "unit: WORKING_DAYS, jurisdiction: $j) { due } }",
            {"j": target},
            **caller,
        )
        answer = (body.get("data") or {}).get("deadline")
        return Outcome(answer is not None and answer["due"] == "2026-10-10", set())
    raise AssertionError(case.operation)


PROJECT = "query($id: ID!) { project(id: $id) { classified jurisdiction { code } } }"
ROLLUP = (
    "query($c: JurisdictionCode!) { rollup(metric: PROJECTS, jurisdiction: $c, groupBy: "
    "JURISDICTION, period: {kind: MONTHS, year: 2020, number: 1, lastYear: 2029, lastMonth: "
    "12}) { total { count } lines { key count } } }"
)
ROLLUP_EXPORT = (
    "query($c: JurisdictionCode!) { rollupExport(metric: PROJECTS, jurisdiction: $c, groupBy: "
    "JURISDICTION, period: {kind: MONTHS, year: 2020, number: 1, lastYear: 2029, lastMonth: "
    "12}) { content } }"
)


REPORT_READ = (
    "query($c: JurisdictionCode!) { periodicReport(template: HALF_YEAR, period: {year: 2026, "
    "number: 1}, jurisdiction: $c) { jurisdiction { code } status } }"
)
REPORT_COMPLETENESS = (
    "query($c: JurisdictionCode!) { reportCompleteness(template: HALF_YEAR, period: {year: "
    "2026, number: 1}, jurisdiction: $c, wholeSubtree: true) { children { jurisdiction { code } "
    "status } } }"
)


async def _run_reports(
    world: World, case: Case, gql: Any, caller: dict[str, Any], target: str
) -> Outcome:
    if case.operation == "read_report":
        body = await gql(REPORT_READ, {"c": target}, **caller)
        found = (body.get("data") or {}).get("periodicReport")
        return Outcome(found is not None, {int(found["jurisdiction"]["code"])} if found else set())
    if case.operation == "report_completeness":
        body = await gql(REPORT_COMPLETENESS, {"c": target}, **caller)
        found = (body.get("data") or {}).get("reportCompleteness")
        if found is None:
            return Outcome(False, set())
        # Units below with a report status: their rows were read.
        seen = {int(c["jurisdiction"]["code"]) for c in found["children"] if c["status"]}
        return Outcome(True, seen)
    if case.operation == "draft_report":
        if case.relation != "own":
            # reportDraft writes the caller's own unit's report and names no other: nothing to
            # try outside it.
            return Outcome(False, set())
        month = 1 + sum(map(ord, case.tag)) % 12
        body = await gql(
            "mutation($i: ReportDraftInput!) { reportDraft(input: $i) { report { jurisdiction "
            "{ code } } errors { code } } }",
            {"i": {"template": "SEPARATED_MONTHLY", "period": {"year": 2030, "number": month}}},
            **caller,
        )
        payload = (body.get("data") or {}).get("reportDraft") or {}
        report = payload.get("report")
        return Outcome(
            report is not None, {int(report["jurisdiction"]["code"])} if report else set()
        )
    if case.operation == "return_report":
        ident = world.reviewable[case.tag]
        await gql(
            "mutation($i: ReportReasonInput!) { reportReturn(input: $i) { errors { code } } }",
            {"i": {"id": ident, "reason": "matrix"}},
            **caller,
        )
        from xietong.api.ids import from_global_id

        _, report_id = from_global_id(ident)
        async with world.owner.connect() as conn:
            status = await conn.scalar(
                text("SELECT status FROM periodic_report WHERE id = :i"), {"i": report_id}
            )
        return Outcome(status == "returned", set())
    if case.operation in REPORT_STEPS:
        return await _run_report_steps(world, case, gql, caller)
    raise AssertionError(case.operation)


ROLLUP_OF = (
    "query($m: RollupMetric!, $c: JurisdictionCode!) { rollup(metric: $m, jurisdiction: $c, "
    "groupBy: JURISDICTION, period: {kind: MONTHS, year: 2020, number: 1, lastYear: 2029, "
    "lastMonth: 12}) { total { count } lines { key count } } }"
)


async def _run_rollup_casework(
    case: Case, gql: Any, caller: dict[str, Any], target: str
) -> Outcome:
    """Rollbreadth block: both metrics of ROLLUP_OTHER_SIDE over the target, as `_run_rollups`
    reads its lines (a line above the caller must hold exactly the caller's own total)."""
    seen: set[int] = set()
    answered = True
    own = case.subject_code
    for metric in ROLLUP_OTHER_SIDE:
        body = await gql(ROLLUP_OF, {"m": metric, "c": target}, **caller)
        found = (body.get("data") or {}).get("rollup")
        if found is None:
            answered = False
            continue
        for line in found["lines"]:
            key = int(line["key"])
            if not line["count"]:
                continue
            if key != own and own in codes.subtree(key):
                mine = await gql(ROLLUP_OF, {"m": metric, "c": codes.format_code(own)}, **caller)
                if line["count"] != mine["data"]["rollup"]["total"]["count"]:
                    seen.add(key)
                continue
            seen.add(key)
    return Outcome(answered, seen)


async def _run_report_steps(world: World, case: Case, gql: Any, caller: dict[str, Any]) -> Outcome:
    """Rollbreadth block: submit, accept or reopen the case's own report; the outcome is what
    the report's row says afterwards (as the owner), whatever the answer claimed."""
    from xietong.api.ids import from_global_id

    ident = world.reviewable[case.tag]
    mutation, input_type, reached = {
        "submit_report": ("reportSubmit", "ReportRefInput", "submitted"),
        "accept_report": ("reportAccept", "ReportRefInput", "accepted"),
        "reopen_report": ("reportReopen", "ReportReasonInput", "returned"),
    }[case.operation]
    given: dict[str, Any] = {"id": ident}
    if input_type == "ReportReasonInput":
        given["reason"] = "matrix"
    await gql(
        f"mutation($i: {input_type}!) {{ {mutation}(input: $i) {{ errors {{ code }} }} }}",
        {"i": given},
        **caller,
    )
    _, report_id = from_global_id(ident)
    async with world.owner.connect() as conn:
        status = await conn.scalar(
            text("SELECT status FROM periodic_report WHERE id = :i"), {"i": report_id}
        )
    return Outcome(status == reached, set())


async def _run_rollups(
    world: World, case: Case, gql: Any, caller: dict[str, Any], target: str
) -> Outcome:
    if case.operation == "rollup_export":
        body = await gql(ROLLUP_EXPORT, {"c": target}, **caller)
        exported = (body.get("data") or {}).get("rollupExport")
        if exported is None:
            return Outcome(False, set())
        rows = list(csv.reader(io.StringIO(exported["content"])))[2:-1]
        found = {"lines": [{"key": r[0], "count": int(r[2])} for r in rows]}
    else:
        body = await gql(ROLLUP, {"c": target}, **caller)
        found = (body.get("data") or {}).get("rollup")
        if found is None:
            return Outcome(False, set())
    # The lines name the units whose records were summed: none may lie outside the subtree.
    # A line for a unit above the caller (a county summing its province under PostgreSQL's wall
    # alone sees its own records under its city's line) must hold exactly the caller's own
    # subtree's count, or something from beside it leaked in.
    seen: set[int] = set()
    own = case.subject_code
    for line in found["lines"]:
        key = int(line["key"])
        if not line["count"]:
            continue
        if key != own and own in codes.subtree(key):
            mine = await gql(ROLLUP, {"c": codes.format_code(own)}, **caller)
            if line["count"] != mine["data"]["rollup"]["total"]["count"]:
                seen.add(key)
            continue
        seen.add(key)
    return Outcome(True, seen)


async def _run_complaints(
    world: World, case: Case, gql: Any, caller: dict[str, Any], target: str
) -> Outcome:
    if case.operation == "read_complaint":
        # With its leads and transfers (nested: authorized as leads(complaintId:) and
        # caseTransfers(complaintId:); whoever reads a complaint reads both in its subtree).
        ident = world.complaints[case.target].id
        body = await gql(
            "query($id: ID!) { complaint(id: $id) { jurisdiction { code } "
            "leads { jurisdiction { code } complaint { id } } "
            "caseTransfers { senderJurisdiction { code } complaint { id } } } }",
            {"id": ident},
            **caller,
        )
        found = (body.get("data") or {}).get("complaint")
        if found is None:
            return Outcome(False, set())
        # (register_lead's allowed cases add leads from the same complaint.)
        assert found["leads"], case.tag
        assert len(found["caseTransfers"]) == 1, case.tag
        assert {x["complaint"]["id"] for x in found["leads"] + found["caseTransfers"]} == {ident}
        return Outcome(
            True,
            {int(found["jurisdiction"]["code"])}
            | {int(x["jurisdiction"]["code"]) for x in found["leads"]}
            | {int(x["senderJurisdiction"]["code"]) for x in found["caseTransfers"]},
        )
    if case.operation == "list_complaints":
        body = await gql(
            "query($c: JurisdictionCode!) { complaints(under: $c, first: 100) { nodes { "
            "jurisdiction { code } } } }",
            {"c": target},
            **caller,
        )
        nodes = ((body.get("data") or {}).get("complaints") or {}).get("nodes") or []
        return Outcome(bool(nodes), {int(n["jurisdiction"]["code"]) for n in nodes})
    if case.operation == "file_complaint":
        marker = hashlib.sha256(case.tag.encode()).hexdigest()[:20]
        # Every case files from the same test client: forget earlier cases' clients, or the
        # public's per-client hourly limit (RATE_LIMITED) would refuse the sixth one.
        async with world.owner.begin() as conn:
            await conn.execute(text("UPDATE complaint SET client_hash = NULL"))
        await gql(
            "mutation($i: ComplaintFileInput!) { complaintFile(input: $i) { errors { code } } }",
            {
                "i": {
                    "jurisdiction": target,
                    "regime": "TENDERING",
                    "category": "EVALUATION",
                    "title": marker,
                    "body": "评标专家打分明显不公。",
                    "anonymous": True,
                    "projectCode": "MATRIX-1",
                }
            },
            **caller,
        )
        async with world.owner.connect() as conn:
            made = await conn.scalar(
                text("SELECT count(*) FROM complaint WHERE title = :t AND jurisdiction_code = :c"),
                {"t": marker, "c": case.target},
            )
        return Outcome(made == 1, set())
    if case.operation == "track_complaint":
        filed = world.complaints[case.target]
        body = await gql(
            "mutation($i: ComplaintTrackInput!) { complaintTrack(input: $i) { complaint { "
            "status } errors { code } } }",
            {"i": {"trackingCode": filed.tracking_code, "secret": filed.secret}},
            **caller,
        )
        found = ((body.get("data") or {}).get("complaintTrack") or {}).get("complaint")
        return Outcome(found is not None, set())
    move = COMPLAINT_MOVES[case.operation]
    filed = world.prepared[_prepared_key(case)]
    await gql(
        f"mutation($i: {move.input_type}!) "
        f"{{ {move.mutation}(input: $i) {{ errors {{ code }} }} }}",
        {"i": {"id": filed.id, **move.fields}},
        **caller,
    )
    async with world.owner.connect() as conn:
        row = (
            await conn.execute(
                text(
                    "SELECT status, suspended, respondent_notified_on, respondent_answered_on "
                    "FROM complaint WHERE tracking_code = :t"
                ),
                {"t": filed.tracking_code},
            )
        ).one()
    moved = {
        "suspended": row.suspended,
        "resumed": not row.suspended,
        "respondent notified": row.respondent_notified_on is not None,
        "respondent answered": row.respondent_answered_on is not None,
    }.get(move.status, row.status == move.status)
    return Outcome(bool(moved), set())


async def _run_casework(
    world: World, case: Case, gql: Any, caller: dict[str, Any], target: str
) -> Outcome:
    made = world.casework

    def nodes_of(body: dict[str, Any], name: str) -> list[Any]:
        return list(((body.get("data") or {}).get(name) or {}).get("nodes") or [])

    if case.operation == "read_lead":
        # With its complaint, as complaint(id:) would answer: the police read leads, never
        # complaints.
        body = await gql(
            "query($id: ID!) { lead(id: $id) { jurisdiction { code } "
            "complaint { jurisdiction { code } } } }",
            {"id": made["leads"][case.target]},
            **caller,
        )
        found = (body.get("data") or {}).get("lead")
        if found is None:
            return Outcome(False, set())
        assert (found["complaint"] is not None) is (case.role in READERS), case.tag
        seen = {int(found["jurisdiction"]["code"])}
        if found["complaint"] is not None:
            seen.add(int(found["complaint"]["jurisdiction"]["code"]))
        return Outcome(True, seen)
    if case.operation == "list_leads":
        body = await gql(
            "query($c: JurisdictionCode!) { leads(under: $c, first: 100) { nodes { "
            "jurisdiction { code } } } }",
            {"c": target},
            **caller,
        )
        nodes = nodes_of(body, "leads")
        return Outcome(bool(nodes), {int(n["jurisdiction"]["code"]) for n in nodes})
    if case.operation == "read_transfer":
        body = await gql(
            "query($id: ID!) { caseTransfer(id: $id) { senderJurisdiction { code } "
            "complaint { jurisdiction { code } } } }",
            {"id": made["outgoing"][case.target]},
            **caller,
        )
        found = (body.get("data") or {}).get("caseTransfer")
        if found is None:
            return Outcome(False, set())
        assert found["complaint"] is not None, case.tag  # the sender's readers read both
        return Outcome(
            True,
            {
                int(found["senderJurisdiction"]["code"]),
                int(found["complaint"]["jurisdiction"]["code"]),
            },
        )
    if case.operation == "list_transfers":
        body = await gql(
            "query($c: JurisdictionCode!) { caseTransfers(under: $c, first: 100) { nodes { "
            "senderJurisdiction { code } receiverJurisdiction { code } } } }",
            {"c": target},
            **caller,
        )
        nodes = nodes_of(body, "caseTransfers")
        # With the application's wall off, PostgreSQL also returns the transfers granted to the
        # caller's own unit (its department's incoming ones): those count as its own unit's.
        return Outcome(
            bool(nodes),
            {
                case.subject_code
                if int(n["receiverJurisdiction"]["code"]) == case.subject_code
                else int(n["senderJurisdiction"]["code"])
                for n in nodes
            },
        )
    if case.operation in {"read_incoming_transfer", "read_closed_transfer"}:
        # A granted row lives in the sender's unit (五华区); what the caller is shown of the
        # tenancy is the receiving unit the grant opened it to, which must be its own.
        ident = made["incoming" if case.operation == "read_incoming_transfer" else "closed"]
        body = await gql(
            "query($id: ID!) { caseTransfer(id: $id) { receiverJurisdiction { code } "
            "materials { sha256 } complaintId complaint { id } } }",
            {"id": ident[case.target]},
            **caller,
        )
        found = (body.get("data") or {}).get("caseTransfer")
        # The grant opens the transfer, never the sender's complaint it came from.
        assert found is None or found["complaint"] is None, case.tag
        return Outcome(
            found is not None, {int(found["receiverJurisdiction"]["code"])} if found else set()
        )
    if case.operation == "list_incoming_transfers":
        body = await gql(
            "{ caseTransfers(incoming: true, first: 100) { nodes { id "
            "receiverJurisdiction { code } } } }",
            **caller,
        )
        nodes = nodes_of(body, "caseTransfers")
        ids = {n["id"] for n in nodes}
        return Outcome(
            made["incoming"][case.target] in ids,
            {int(n["receiverJurisdiction"]["code"]) for n in nodes},
        )
    if case.operation == "read_incoming_letter":
        body = await gql(
            "query($id: ID!) { assistanceLetter(id: $id) { helperJurisdiction { code } } }",
            {"id": made["letters"][case.target]},
            **caller,
        )
        found = (body.get("data") or {}).get("assistanceLetter")
        return Outcome(
            found is not None, {int(found["helperJurisdiction"]["code"])} if found else set()
        )
    if case.operation == "receive_transfer":
        transfer_id = made["receivable"][(case.mode, case.level, case.role, case.relation)]
        await gql(
            "mutation($i: CaseTransferReceiveInput!) { caseTransferReceive(input: $i) { "
            "errors { code } } }",
            {"i": {"id": _gid("CaseTransfer", transfer_id)}},
            **caller,
        )
        async with world.owner.connect() as conn:
            status = await conn.scalar(
                text("SELECT status FROM case_transfer WHERE id = :i"), {"i": transfer_id}
            )
        return Outcome(status == "received", set())
    if case.operation == "receive_letter":
        letter_id = made["letters_to_sign"][(case.mode, case.level, case.role, case.relation)]
        await gql(
            "mutation($i: AssistanceLetterRefInput!) { assistanceLetterReceive(input: $i) { "
            "errors { code } } }",
            {"i": {"id": _gid("AssistanceLetter", letter_id)}},
            **caller,
        )
        async with world.owner.connect() as conn:
            status = await conn.scalar(
                text("SELECT status FROM assistance_letter WHERE id = :i"), {"i": letter_id}
            )
        return Outcome(status == "received", set())
    if case.operation == "transfer_lead":
        lead_id, department = made["leads_to_transfer"][
            (case.mode, case.level, case.role, case.relation)
        ]
        await gql(
            "mutation($i: LeadTransferInput!) { leadTransfer(input: $i) { errors { code } } }",
            {"i": {"id": _gid("Lead", lead_id), "departmentId": _gid("Department", department)}},
            **caller,
        )
        async with world.owner.connect() as conn:
            status = await conn.scalar(
                text("SELECT status FROM lead WHERE id = :i"), {"i": lead_id}
            )
        return Outcome(status == "transferred", set())
    if case.operation in CASEWORK_MOVES:
        return await _run_casework_move(world, case, gql, caller)
    return await _run_casework_start(world, case, gql, caller, target)


CASEWORK_TABLES = {"transfer": "case_transfer", "letter": "assistance_letter", "lead": "lead"}
CASEWORK_TYPES = {"transfer": "CaseTransfer", "letter": "AssistanceLetter", "lead": "Lead"}


async def _run_casework_move(world: World, case: Case, gql: Any, caller: dict[str, Any]) -> Outcome:
    from xietong.deadlines.clock import SYSTEM_CLOCK

    made = world.casework
    move = CASEWORK_MOVES[case.operation]
    departments = made["departments"]
    values = {
        "$FORWARD_TO": _gid("Department", departments[OTHER_UNIT, "housing"]),
        "$TODAY": SYSTEM_CLOCK.today().isoformat(),
        "$PARTICIPANTS": [
            _gid("Department", departments[case.target, "housing"]),
            _gid("Department", departments[case.target, "transport"]),
        ],
    }
    fields = {k: values.get(v, v) if isinstance(v, str) else v for k, v in move.fields.items()}
    mutation = (
        f"mutation($i: {move.input_type}!) {{ {move.mutation}(input: $i) {{ errors {{ code }} }} }}"
    )

    async def attempt(ident: uuid.UUID) -> tuple[bool, set[str]]:
        body = await gql(
            mutation, {"i": {"id": _gid(CASEWORK_TYPES[move.matter], ident), **fields}}, **caller
        )
        payload = (body.get("data") or {}).get(move.mutation) or {}
        codes_seen = {e["code"] for e in payload.get("errors") or []}
        async with world.owner.connect() as conn:
            if move.status == "finding recorded":
                moved = bool(
                    await conn.scalar(
                        text(
                            "SELECT count(*) FROM lead_participant WHERE lead_id = :i "
                            "AND finding IS NOT NULL"
                        ),
                        {"i": ident},
                    )
                )
            else:
                status = await conn.scalar(
                    text(f"SELECT status FROM {CASEWORK_TABLES[move.matter]} WHERE id = :i"),
                    {"i": ident},
                )
                moved = status == move.status
        return moved, codes_seen

    allowed, _ = await attempt(made["moves"][_casework_key(case)])
    if move.side != "unit":
        # The other party's side of the same state, and a matter the target has no grant on:
        # never, whoever the caller is.
        for probe in (
            made["reverse"][case.target, case.operation],
            made["ungranted"][case.operation],
        ):
            moved, _ = await attempt(probe)
            assert not moved, f"{case.tag}: moved a matter that is not its side's"
    if move.side == "receiver":
        # After the sender closed, the grant is gone: the former receiver learns nothing more
        # of the matter than of one that never existed.
        closed = (made["closed"] if move.matter == "transfer" else made["closed_letters"])[
            case.target
        ]
        ident = closed if isinstance(closed, uuid.UUID) else _uuid_of(closed)
        moved, codes_seen = await attempt(ident)
        assert not moved, f"{case.tag}: moved after close"
        assert codes_seen <= {"NOT_FOUND"}, f"{case.tag}: after close {codes_seen}"
    return Outcome(allowed, set())


def _uuid_of(global_id: str) -> uuid.UUID:
    from xietong.api.ids import from_global_id

    return from_global_id(global_id)[1]


async def _run_casework_start(
    world: World, case: Case, gql: Any, caller: dict[str, Any], target: str
) -> Outcome:
    from xietong.deadlines.clock import SYSTEM_CLOCK

    marker = hashlib.sha256(case.tag.encode()).hexdigest()[:20]
    housing = _gid("Department", world.casework["departments"][case.target, "housing"])
    today = SYSTEM_CLOCK.today().isoformat()
    if case.operation == "send_transfer":
        mutation, input_type, fields = (
            "caseTransferSend",
            "CaseTransferSendInput",
            {
                "receiverJurisdiction": target,
                "receiverDepartmentId": housing,
                "ground": "NOT_COMPETENT",
                "title": marker,
                "facts": "matrix",
                "discoveredOn": today,
            },
        )
        check = "SELECT count(*) FROM case_transfer WHERE title = :m"
    elif case.operation == "send_letter":
        mutation, input_type, fields = (
            "assistanceLetterSend",
            "AssistanceLetterSendInput",
            {
                "helperJurisdiction": target,
                "helperDepartmentId": housing,
                "caseSummary": marker,
                "helpAsked": "matrix",
                "reasons": "matrix",
            },
        )
        check = "SELECT count(*) FROM assistance_letter WHERE case_summary = :m"
    else:
        mutation, input_type, fields = (
            "leadRegister",
            "LeadRegisterInput",
            {
                "source": "MONITORING",
                "title": marker,
                "facts": "matrix",
                "foundOn": today,
                "complaintId": world.complaints[case.target].id,
            },
        )
        check = "SELECT count(*) FROM lead WHERE title = :m"
    await gql(
        f"mutation($i: {input_type}!) {{ {mutation}(input: $i) {{ errors {{ code }} }} }}",
        {"i": fields},
        **caller,
    )
    async with world.owner.connect() as conn:
        made = await conn.scalar(text(check), {"m": marker})
    return Outcome(made == 1, set())


EVALUATION = (
    "query($id: ID!) { evaluationSession(id: $id) { number jurisdiction { code } project { id } } }"
)


async def _run_evaluations(
    world: World, case: Case, gql: Any, caller: dict[str, Any], target: str
) -> Outcome:
    async def read(ident: str) -> dict[str, Any] | None:
        body = await gql(EVALUATION, {"id": ident}, **caller)
        found: dict[str, Any] | None = (body.get("data") or {}).get("evaluationSession")
        return found

    if case.operation == "read_evaluation":
        found = await read(world.evaluations["E"][case.target])
        return Outcome(found is not None, {int(found["jurisdiction"]["code"])} if found else set())
    if case.operation == "list_evaluations":
        body = await gql(
            "query($c: JurisdictionCode!) { evaluationSessions(under: $c, first: 100) { nodes { "
            "number jurisdiction { code } } } }",
            {"c": target},
            **caller,
        )
        nodes = ((body.get("data") or {}).get("evaluationSessions") or {}).get("nodes") or []
        # A session the caller's own unit hosts is listed through its grant (R-12): not a leak.
        hosted = {f"H-{case.subject_code}"}
        own = [n for n in nodes if n["number"] not in hosted]
        return Outcome(
            any(int(n["jurisdiction"]["code"]) == case.target for n in own),
            {int(n["jurisdiction"]["code"]) for n in own},
        )
    if case.operation == "read_hosted_evaluation":
        found = await read(world.evaluations["H"][case.target])
        if found is not None:
            assert found["project"] is None, f"{case.tag}: a host read the project"
        return Outcome(found is not None, {case.target} if found else set())
    if case.operation == "read_sealed_or_closed_hosting":
        seen = [await read(world.evaluations[kind][case.target]) for kind in ("S", "C")]
        return Outcome(any(f is not None for f in seen), set())
    if case.operation == "start_evaluation":
        ident = world.to_start[(case.mode, case.level, case.role, case.relation)]
        await gql(
            "mutation($i: EvaluationRefInput!) { evaluationStart(input: $i) { errors { code } } }",
            {"i": {"id": ident}},
            **caller,
        )
        from xietong.api.ids import from_global_id

        _, session_id = from_global_id(ident)
        async with world.owner.connect() as conn:
            state = await conn.scalar(
                text("SELECT state FROM evaluation_session WHERE id = :i"), {"i": session_id}
            )
        return Outcome(state == "started", set())
    if case.operation == "open_investigation":
        marker = f"matrix:{case.tag}"
        await gql(
            "mutation($i: EvaluationInvestigationOpenInput!) { evaluationInvestigationOpen("
            "input: $i) { errors { code } } }",
            {
                "i": {
                    "sessionId": world.evaluations["E"][case.target],
                    "seatIds": [world.home_seats[case.target]],
                    "subject": marker,
                }
            },
            **caller,
        )
        async with world.owner.connect() as conn:
            made = await conn.scalar(
                text("SELECT count(*) FROM evaluation_investigation WHERE subject = :m"),
                {"m": marker},
            )
        return Outcome(made == 1, set())
    raise AssertionError(case.operation)


async def _run_trading(
    world: World, case: Case, gql: Any, caller: dict[str, Any], target: str
) -> Outcome:
    open_id, classified_id, open_code = world.projects[case.target]
    marker = hashlib.sha256(case.tag.encode()).hexdigest()[:20]
    if case.operation in {"read_project", "read_classified_project"}:
        ident = open_id if case.operation == "read_project" else classified_id
        body = await gql(PROJECT, {"id": ident}, **caller)
        found = (body.get("data") or {}).get("project")
        return Outcome(found is not None, {int(found["jurisdiction"]["code"])} if found else set())
    if case.operation == "list_projects":
        body = await gql(
            "query($c: JurisdictionCode!) { projects(under: $c, first: 100) { nodes { "
            "classified jurisdiction { code } } } }",
            {"c": target},
            **caller,
        )
        nodes = ((body.get("data") or {}).get("projects") or {}).get("nodes") or []
        return Outcome(bool(nodes), {int(n["jurisdiction"]["code"]) for n in nodes})
    if case.operation == "read_public_projects":
        body = await gql(
            "query($c: JurisdictionCode!) { publicProjects(under: $c, first: 100) { nodes { "
            "code } } }",
            {"c": target},
            **caller,
        )
        seen = {n["code"] for n in body["data"]["publicProjects"]["nodes"]}
        assert not any(c.endswith("-S") for c in seen), f"{case.tag}: a classified project"
        return Outcome(open_code in seen, set())  # public: not tenant rows
    if case.operation == "register_project":
        row = {
            "sourceSystem": "matrix",
            "sourceId": marker,
            "projectCode": marker,
            "name": "矩阵登记测试工程",
            "category": "CONSTRUCTION",
            "industry": "HOUSING",
            "method": "OPEN_TENDER",
            "tendererCreditCode": compose("9", "1", "410700", "MA47X9Y2").value,
            "tendererName": "矩阵测试建设有限公司",
            "budget": "1000000",
            "registeredAt": "2026-03-01T09:00:00+08:00",
        }
        await gql(
            "mutation($i: ProjectRegisterInput!) { projectRegister(input: $i) { errors { code } "
            "} }",
            {"i": {"jurisdiction": target, "project": row}},
            **caller,
        )
        async with world.owner.connect() as conn:
            made = await conn.scalar(
                text("SELECT count(*) FROM project WHERE source_id = :m"), {"m": marker}
            )
        return Outcome(made == 1, set())
    if case.operation == "record_bids":
        row = {
            "projectCode": open_code,
            "bidderCreditCode": compose(
                "9", "1", "410700", f"M{int(marker[:7], 16):07d}"[:8]
            ).value,
            "bidderName": "矩阵投标有限公司",
            "price": "990000",
            "submittedAt": "2026-03-20T09:00:00+08:00",
            "fileCreator": marker,
        }
        await gql(
            "mutation($i: BidsRecordInput!) { bidsRecord(input: $i) { errors { code } } }",
            {"i": {"jurisdiction": target, "rows": [row]}},
            **caller,
        )
        async with world.owner.connect() as conn:
            made = await conn.scalar(
                text("SELECT count(*) FROM bid WHERE file_creator = :m"), {"m": marker}
            )
        return Outcome(made == 1, set())
    if case.operation == "not_entered_list":
        body = await gql(
            "query($c: JurisdictionCode!) { notEnteredProjects(jurisdiction: $c) { "
            "jurisdiction { code } } }",
            {"c": target},
            **caller,
        )
        found = (body.get("data") or {}).get("notEnteredProjects")
        return Outcome(found is not None, {int(n["jurisdiction"]["code"]) for n in found or []})
    raise AssertionError(case.operation)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.tag)
async def test_isolation(world: World, case: Case) -> None:
    outcome = await _run(world, case)
    want = expected(case.role, case.relation, case.operation)
    subtree = codes.subtree(case.subject_code)
    foreign = {c for c in outcome.seen if c not in subtree}
    assert not foreign, f"{case.tag}: rows from outside the caller's subtree: {foreign}"
    if case.mode == "both-walls":
        assert outcome.allowed is want, f"{case.tag}: expected allowed={want}"
        return
    # PostgreSQL alone: never more than the caller's subtree for reads (checked above), never a
    # write outside its own unit, and nothing the rules allow is lost.
    if want:
        assert outcome.allowed, f"{case.tag}: the database wall blocked an allowed case"
    writes = {
        "set_availability",
        "create_grant",
        "register_project",
        "record_bids",
        "mark_notification_read",
        *COMPLAINT_MOVES,
        "receive_transfer",
        "start_evaluation",
        "open_investigation",
        "acknowledge_evaluation_copy",  # eval3
        "record_conduct",  # eval3
        *EVALUATION_SITE_RECORD_OPERATIONS,  # eval4
        "receive_letter",
        "transfer_lead",
        *CASEWORK_MOVES,
        "register_lead",
        "submit_report",  # rollbreadth block
    }
    if case.operation in writes and case.relation != "own":
        assert not outcome.allowed, f"{case.tag}: the database accepted a write outside own unit"
    if case.operation == "create_api_key" and case.target not in subtree:
        assert not outcome.allowed, f"{case.tag}: the database accepted a key outside the subtree"
    # Rollbreadth block: the level above writes its child's report; never one outside its subtree.
    if case.operation in {"accept_report", "reopen_report"} and case.target not in subtree:
        assert not outcome.allowed, f"{case.tag}: the database reviewed a report elsewhere"


def test_the_matrix_covers_every_role_level_relation_and_operation() -> None:
    assert {c.role for c in CASES} == set(ROLES)
    assert {c.level for c in CASES} == set(PLACES)
    assert {c.relation for c in CASES} >= {"own", "child", "sibling", "parent", "other-province"}
    assert {c.operation for c in CASES} == set(OPERATIONS)
    assert len(CASES) == 2 * len(ROLES) * len(OPERATIONS) * sum(len(r) for r in RELATIONS.values())


def test_the_matrix_runs_every_casework_mutation() -> None:
    from graphql import GraphQLObjectType, build_schema

    from xietong.schema import schema_sdl

    mutation = build_schema(schema_sdl()).mutation_type
    assert isinstance(mutation, GraphQLObjectType)
    casework = {
        name
        for name in mutation.fields
        if name.startswith(("lead", "caseTransfer", "assistanceLetter"))
    }
    assert casework == CASEWORK_MUTATIONS


async def test_the_hook_really_switches_the_application_wall_off(world: World) -> None:
    """Without this, the database-only run could pass on the application's wall alone."""
    query = 'query { people(under: "420000") { totalCount } }'
    both = await world.clients["both-walls"](query, login="henan.office")
    alone = await world.clients["database-only"](query, login="henan.office")
    assert both["errors"][0]["extensions"]["code"] == "FORBIDDEN"  # the application refused
    assert "errors" not in alone  # the application let it through…
    assert alone["data"]["people"]["totalCount"] == 0  # …and PostgreSQL returned nothing


async def test_the_other_side_metrics_count_something_in_every_target(world: World) -> None:
    """Rollbreadth block: without counters in every target, rollup_casework could pass on empty
    sums."""
    targets = {t for rel in RELATIONS.values() for t in rel.values()}
    async with world.owner.connect() as conn:
        for metric in ROLLUP_OTHER_SIDE:
            rows = await conn.execute(
                text(
                    # as a reader sees them: month counters plus the journal not yet folded
                    "SELECT jurisdiction_code FROM ("
                    "SELECT jurisdiction_code, month, n FROM rollup_counter "
                    "WHERE metric = :m AND dimension = '' AND grain = 1 UNION ALL "
                    "SELECT jurisdiction_code, month, n FROM rollup_journal "
                    "WHERE metric = :m AND dimension = '') c "
                    "WHERE month BETWEEN 202001 AND 202912 "
                    "GROUP BY jurisdiction_code HAVING sum(n) > 0"
                ),
                {"m": metric.lower()},
            )
            assert targets <= {r[0] for r in rows}, metric
