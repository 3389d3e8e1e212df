"""The vocabulary of access: what kinds of objects there are and what can be done to them.

Policy files (``policies/roles.csv``, ``policies/powers.yaml``) may use only these words; loading
refuses anything else, so a typo in a policy cannot silently deny or allow.
"""

from __future__ import annotations

from enum import StrEnum


class ObjectType(StrEnum):
    PERSON = "person"
    OFFICER_POOL = "officer_pool"  # 执法人员库
    API_KEY = "api_key"
    GRANT = "grant"
    AUDIT_EVENT = "audit_event"
    ACCESS = "access"  # explaining access decisions
    # Casework and supervision objects; their contexts arrive with later issues, and the power
    # catalogue already names what each power allows on them.
    PROJECT = "project"
    COMPLAINT = "complaint"
    LEAD = "lead"
    CASE = "case"
    INSPECTION = "inspection"
    CREDIT_RECORD = "credit_record"
    ROLLUP = "rollup"
    REPORT = "report"
    DISCLOSURE = "disclosure"
    CONSULTATION = "consultation"
    OBLIGATION = "obligation"  # 法定时限: a running statutory clock of a matter
    # Trading data beside projects: the expert directory and approved investment projects.
    EXPERT = "expert"
    APPROVED_PROJECT = "approved_project"
    EVALUATION = "evaluation"  # 远程异地评标: a session; a host site holds a grant on it
    EVALUATION_INVESTIGATION = "evaluation_investigation"  # 专家行为调查: copied to the host


class Action(StrEnum):
    READ = "read"
    ROLLUP = "rollup"  # aggregate a subtree
    RECEIVE_ESCALATION = "receive_escalation"
    EXPLAIN = "explain"
    MANAGE = "manage"  # create, change and revoke (keys, grants, pool availability)
    CREATE = "create"
    REPORT = "report"  # report upward or to the office
    ACCEPT = "accept"
    TRANSFER = "transfer"
    HANDLE = "handle"
    VERIFY = "verify"
    DECIDE = "decide"
    PENALISE = "penalise"
    INVESTIGATE = "investigate"
    SCORE = "score"
    PUBLISH = "publish"
    CONVENE = "convene"
    SUPERVISE = "supervise"


class Reach(StrEnum):
    """How far a role held in one jurisdiction reaches for one action."""

    OWN = "own"  # the object's own jurisdiction only: casework
    SUBTREE = "subtree"  # the jurisdiction and everything below: read, roll up, escalations


def permission(obj: ObjectType, act: Action) -> str:
    """``object:action``, the spelling used in the power catalogue and in messages."""
    return f"{obj.value}:{act.value}"
