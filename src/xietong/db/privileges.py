"""What the application role may do in the database: one explicit allow-list, applied by
``xietong migrate`` after every upgrade, in the migration's transaction.

Everything else is taken away first (``REVOKE ALL`` on every table, sequence and function in our
schemas, from the role and from PUBLIC), so a privilege exists only if it is written here; a test
(``tests/integration/access/test_privileges.py``) reads every privilege the role holds from the
catalogs and fails on any that is not. Row-level security (``xietong.db.rls``) then narrows the
rows within what is granted here.

A new table or function gets nothing until it is added below, with the reason.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

import structlog
from sqlalchemy import Connection, text

log = structlog.get_logger("xietong.db.privileges")

SCHEMAS = ("public", "xietong_private")
"""Schemas whose objects this module governs."""


@dataclass(frozen=True, slots=True, order=True)
class Privilege:
    kind: str
    """``database``, ``schema``, ``table``, ``column``, ``sequence`` or ``function``."""
    name: str
    """The object: ``person``, ``api_key.revoked_at``, ``xietong_granted_ids(text,text)``
    (functions as ``regprocedure`` prints them); empty for the database."""
    privilege: str


@dataclass(frozen=True, slots=True)
class AllowList:
    database: tuple[str, ...] = ()
    schemas: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    tables: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    columns: Mapping[str, Mapping[str, tuple[str, ...]]] = field(default_factory=dict)
    """table -> privilege -> columns: privileges on those columns only."""
    sequences: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    functions: tuple[str, ...] = ()
    """EXECUTE, by ``regprocedure`` signature."""

    def entries(self) -> Iterator[Privilege]:
        for privilege in self.database:
            yield Privilege("database", "", privilege)
        for schema, privileges in self.schemas.items():
            for privilege in privileges:
                yield Privilege("schema", schema, privilege)
        for table, privileges in self.tables.items():
            for privilege in privileges:
                yield Privilege("table", table, privilege)
        for table, by_privilege in self.columns.items():
            for privilege, columns in by_privilege.items():
                for column in columns:
                    yield Privilege("column", f"{table}.{column}", privilege)
        for sequence, privileges in self.sequences.items():
            for privilege in privileges:
                yield Privilege("sequence", sequence, privilege)
        for function in self.functions:
            yield Privilege("function", function, "EXECUTE")


BID_COLUMNS = (
    "price_fen",
    "submitted_at",
    "ip",
    "mac",
    "cpu_serial",
    "disk_serial",
    "board_serial",
    "file_creator",
    "file_machine_code",
    "pricing_lock_serial",
    "deposit_account",
    "project_manager_id",
    "recorded_by",
    "updated_at",
)
"""What a bid pushed again may change (its project and bidder are its identity)."""

APP_ROLE = AllowList(
    database=("CONNECT",),  # never CREATE (schemas) or TEMPORARY (temp tables could shadow names)
    schemas={"public": ("USAGE",)},  # never CREATE; no USAGE at all on xietong_private
    tables={
        # Reference data that tenant loads own, read by everyone (power lists are public, R-2).
        "jurisdiction": ("SELECT",),
        "jurisdiction_version": ("SELECT",),
        "department": ("SELECT",),
        "department_power": ("SELECT",),
        "policy_version": ("SELECT",),  # the policy watcher compares it; only triggers move it
        "alembic_version": ("SELECT",),  # the readiness probe compares it with the code's head
        # People and roles come from tenant files; the application only reads them (RLS).
        "person": ("SELECT",),
        "person_role": ("SELECT",),
        # Day-to-day availability of officers: three columns, below.
        "officer_pool_member": ("SELECT",),
        # Keys and grants are created and revoked (never deleted or edited otherwise).
        "api_key": ("SELECT", "INSERT"),
        "access_grant": ("SELECT", "INSERT"),
        # Audit events are appended, never changed (SELECT: the insert returns the id; RLS scopes
        # both). Nothing at all on audit_chain: the heads move only through the definer
        # function and trigger of migration 0005.
        "audit_event": ("SELECT", "INSERT"),
        # Calendar data: public, loaded by the owner (`xietong calendar load`, tenant files);
        # the token tells a process when to rebuild its calendars.
        "calendar_year": ("SELECT",),
        "calendar_override": ("SELECT",),
        "local_promise": ("SELECT",),
        "deadline_config": ("SELECT",),
        # Obligations are opened by the action that starts a clock (and by nothing else), and
        # their computed dates and status move with pauses, meeting, cancelling and the sweep:
        # the columns below. Who owes what, from when and under which rule never changes.
        "obligation": ("SELECT", "INSERT"),
        # Pause events are recorded, then ended once (three columns, below).
        "obligation_pause": ("SELECT", "INSERT"),
        # The sweep writes notifications; the recipient marks them read (two columns, below).
        "notification": ("SELECT", "INSERT"),
        # Trading data (migration 0006). Market entities are shared: any caller who may write
        # adds one or renames it (RLS); the public reads them. Records of a project are appended
        # (moves, changes, reports, contract changes) or upserted by their natural key (bids,
        # award, contract); nothing is ever deleted. Updates are limited to the columns below,
        # so no row changes jurisdiction, key or registrant.
        "market_entity": ("SELECT", "INSERT"),
        "natural_person": ("SELECT", "INSERT"),
        "project": ("SELECT", "INSERT"),
        "project_move": ("SELECT", "INSERT"),
        "project_change": ("SELECT", "INSERT"),
        "bid": ("SELECT", "INSERT"),
        "award": ("SELECT", "INSERT"),
        "contract": ("SELECT", "INSERT"),
        "contract_change": ("SELECT", "INSERT"),
        "project_report": ("SELECT", "INSERT"),
        "expert": ("SELECT", "INSERT"),
        "approved_project": ("SELECT", "INSERT"),
        "trading_catalogue": ("SELECT",),  # public reference data; tenant loads write it
        "project_disclosure": ("SELECT",),  # the public basics of unclassified projects (a view)
        # Complaints: filed (by the public, under a narrow signed scope), moved along the
        # transition table (the columns below), never deleted. Attachments and notices are
        # written once and kept as they were.
        "complaint": ("SELECT", "INSERT"),
        "complaint_attachment": ("SELECT", "INSERT"),
        "complaint_notice": ("SELECT", "INSERT"),
        # Casework (R-8, R-9, R-10; migration 0009): leads, transfers and letters are registered
        # or sent, then moved along their transition tables (the columns below); materials are
        # written once and kept as handed over. Nothing is deleted.
        "lead": ("SELECT", "INSERT"),
        "lead_participant": ("SELECT", "INSERT"),
        "case_transfer": ("SELECT", "INSERT"),
        "assistance_letter": ("SELECT", "INSERT"),
        "case_material": ("SELECT", "INSERT"),
        "case_document": ("SELECT", "INSERT"),
        # Rollup counters (migration 0010): read in the read range; only the trigger functions
        # (owner's, SECURITY DEFINER) write them, with the rows they count.
        "rollup_counter": ("SELECT",),
        # Rollup journal (migration 0013): the writers' deltas not yet folded, read with the
        # counters in the read range; only the trigger functions append and the fold deletes.
        "rollup_journal": ("SELECT",),
        # Periodic reports (migration 0011): drafted by their unit, reviewed by the level above
        # (the columns below); their steps appended, never changed.
        "periodic_report": ("SELECT", "INSERT"),
        "periodic_report_event": ("SELECT", "INSERT"),
        # Remote evaluation (R-12, migration 0012): sessions are scheduled once and move
        # through their states, a host site records its handover (the columns below); seats
        # and experts are written once;
        # faults end once; investigations end and are copied. Nothing is deleted.
        "evaluation_session": ("SELECT", "INSERT"),
        "evaluation_site": ("SELECT", "INSERT"),
        "evaluation_seat": ("SELECT", "INSERT"),
        "evaluation_expert": ("SELECT", "INSERT"),
        "evaluation_fault": ("SELECT", "INSERT"),
        "evaluation_investigation": ("SELECT", "INSERT"),
        # Copies of results to a host (migration 0014): sent once by the home, acknowledged
        # once by the host (the columns below).
        "evaluation_copy": ("SELECT", "INSERT"),
        # Conduct events (each registered as a lead at the home) and host draws: written once.
        "evaluation_conduct": ("SELECT", "INSERT"),
        "evaluation_draw": ("SELECT", "INSERT"),
        "evaluation_expert_result": ("SELECT", "INSERT"),  # results in an expert's record
        # Attendance and audio/video record references per site (migration 0016): written once.
        "evaluation_attendance": ("SELECT", "INSERT"),
        "evaluation_recording": ("SELECT", "INSERT"),
        # The dated 应进未进 snapshot (migration 0017): a unit's list of a date, written once by
        # its system scope; a date already taken is skipped, so nothing is updated or deleted.
        "not_entered_snapshot": ("SELECT", "INSERT"),
    },
    columns={
        "officer_pool_member": {"UPDATE": ("available", "unavailable_reason", "updated_at")},
        "api_key": {"UPDATE": ("revoked_at", "revoked_by")},
        "access_grant": {"UPDATE": ("revoked_at", "revoked_by")},
        "obligation": {
            "UPDATE": (
                "due_on",
                "promised_due_on",
                "status",
                "met_on",
                "cancelled_on",
                "cancel_reason",
                "paused",
                "paused_since",
                "paused_days",
                "provisional",
                "calendar_version",
                "warn_on",
                "remind_on",
                "next_alert_on",
                "due_at",
                "updated_at",
            )
        },
        "obligation_pause": {"UPDATE": ("ended_on", "ended_document", "ended_by")},
        "evaluation_session": {
            "UPDATE": (
                "state",
                "started_at",
                "ended_at",
                "window_until",
                "window_closed_at",
                "updated_at",
            )
        },
        "evaluation_copy": {"UPDATE": ("acknowledged_at", "acknowledged_by")},
        "evaluation_site": {"UPDATE": ("handed_over_on",)},
        "evaluation_fault": {"UPDATE": ("ended_at", "decision")},
        "evaluation_investigation": {
            "UPDATE": ("state", "ended_on", "result", "decision", "copied_on")
        },
        "notification": {"UPDATE": ("read_at", "read_by")},
        "market_entity": {"UPDATE": ("name", "kind", "updated_at")},
        "natural_person": {"UPDATE": ("name", "updated_at")},
        "project": {
            "UPDATE": (
                "project_code",
                "name",
                "category",
                "industry",
                "method",
                "tenderer_id",
                "agency_id",
                "trading_centre_id",
                "budget_fen",
                "classified",
                "separated_evaluation",
                "approval_number",
                "supervisor_ids",
                "supervisor_powers",
                "state",
                "suspended_from",
                "updated_at",
            )
        },
        "bid": {"UPDATE": BID_COLUMNS},
        "award": {"UPDATE": ("winner_id", "amount_fen", "awarded_at", "recorded_by", "updated_at")},
        "contract": {
            "UPDATE": (
                "contract_number",
                "supplier_id",
                "amount_fen",
                "signed_at",
                "recorded_by",
                "updated_at",
            )
        },
        "expert": {
            "UPDATE": (
                "library_province_code",
                "name",
                "specialities",
                "status",
                "recorded_by",
                "updated_at",
            )
        },
        "approved_project": {
            "UPDATE": (
                "name",
                "owner_name",
                "owner_credit_code",
                "amount_fen",
                "category",
                "industry",
                "funding",
                "approved_on",
                "recorded_by",
                "updated_at",
            )
        },
        "periodic_report": {
            # Never its unit, template, period or author.
            "UPDATE": (
                "status",
                "figures",
                "narrative",
                "version",
                "return_reason",
                "submitted_on",
                "first_submitted_on",
                "reviewed_by",
                "reviewed_at",
                "updated_at",
            )
        },
        "complaint": {
            # What the moves change; never who filed it, what it says, its code or secret hash.
            "UPDATE": (
                "status",
                "outcome",
                "project_category",
                "industry",
                "handling_department_id",
                "at_office_on",
                "handed_on",
                "review_on",
                "accepted_on",
                "concluded_on",
                "closed_on",
                "correction_requested",
                "correction_items",
                "pause_reason",
                "suspended",
                "respondent_notified_on",
                "respondent_answered_on",
                "refusal_ground",
                "redirect_to",
                "answer",
                "satisfied",
                "rating_comment",
                "rated_at",
                "reopen_count",
                "updated_at",
            )
        },
        # What the moves change; never who sent what to whom, the facts, or the source.
        "lead": {
            "UPDATE": (
                "status",
                "competent_department_id",
                "transferred_on",
                "verification_started_on",
                "disposition",
                "disposition_department_id",
                "disposition_note",
                "disposed_on",
                "updated_at",
            )
        },
        "lead_participant": {"UPDATE": ("finding", "found_on", "found_by")},
        "case_transfer": {
            "UPDATE": (
                "status",
                "received_on",
                "received_by",
                "receipt_digest",
                "accepted_on",
                "decided_on",
                "returned_on",
                "return_reason",
                "forwarded_on",
                "forwarded_to_id",
                "forwarded_to_jurisdiction_code",
                "forwarded_to_department_id",
                "forward_reason",
                "concluded_on",
                "result",
                "reported_on",
                "closed_on",
                "closed_by",
                "updated_at",
            )
        },
        "assistance_letter": {
            "UPDATE": (
                "status",
                "received_on",
                "received_by",
                "returned_on",
                "return_reason",
                "answered_on",
                "answer",
                "closed_on",
                "closed_by",
                "updated_at",
            )
        },
    },
    sequences={
        "periodic_report_event_id_seq": ("USAGE",),
        "audit_event_id_seq": ("USAGE",),  # nextval() for a new event's id
        "project_move_id_seq": ("USAGE",),
        "project_change_id_seq": ("USAGE",),
        "contract_change_id_seq": ("USAGE",),
    },
    functions=(
        # The signed scope (migration 0004): what the policies and the application's filter read.
        "xietong_scope_status(text)",
        "xietong_read_lo()",
        "xietong_read_hi()",
        "xietong_write_code()",
        "xietong_jurisdiction()",
        "xietong_department()",
        "xietong_actor()",
        "xietong_granted_ids(text,text)",
        # Authentication: a signed login, or a key's secret hash.
        "xietong_sign_in(text)",
        "xietong_api_key_sign_in(text)",
        # A remembered caller confirmed with the transaction's BEGIN (migration 0019).
        "xietong_sign_in_confirm(text,text)",
        # The audit chain heads (migration 0005): lock-and-read one's own province's head; list
        # the heads of the provinces one may read (checkpoints).
        "xietong_audit_head(integer)",
        "xietong_audit_heads()",
        # Public tracking (migration 0008): one complaint, only with its secret's hash.
        "xietong_complaint_track(text,text)",
        "xietong_complaint_notice(text,text,uuid)",
        # The rollup fold (migration 0013), run by the worker: moves journal deltas into the
        # counters (their sums unchanged, so it reveals and alters nothing a reader sees).
        "xietong_rollup_fold(integer)",
    ),
)


def _quote(connection: Connection, name: str) -> str:
    return connection.dialect.identifier_preparer.quote(name)


def apply(connection: Connection, app_role: str, allowed: AllowList = APP_ROLE) -> None:
    """Take every privilege on our objects away from ``app_role`` and PUBLIC, then grant exactly
    ``allowed`` (objects this revision does not have yet are skipped)."""
    exists = connection.execute(
        text("SELECT 1 FROM pg_roles WHERE rolname = :role"), {"role": app_role}
    ).scalar()
    if not exists:
        return
    role = _quote(connection, app_role)

    def run(sql: str) -> None:
        connection.execute(text(sql))

    for schema in SCHEMAS:
        if connection.execute(
            text("SELECT 1 FROM pg_namespace WHERE nspname = :s"), {"s": schema}
        ).scalar():
            for kind in ("TABLES", "SEQUENCES", "FUNCTIONS"):
                run(f"REVOKE ALL ON ALL {kind} IN SCHEMA {schema} FROM PUBLIC, {role}")
            # PUBLIC keeps USAGE on public (other tools may need it), never CREATE.
            everyone = "PUBLIC, " if schema != "public" else ""
            run(f"REVOKE ALL ON SCHEMA {schema} FROM {everyone}{role}")
            run(f"REVOKE CREATE ON SCHEMA {schema} FROM PUBLIC")
    _database(connection, role, allowed)

    for schema, privileges in allowed.schemas.items():
        run(f"GRANT {', '.join(privileges)} ON SCHEMA {schema} TO {role}")
    for table, privileges in allowed.tables.items():
        if _exists(connection, table):
            run(f"GRANT {', '.join(privileges)} ON TABLE public.{table} TO {role}")
    for table, by_privilege in allowed.columns.items():
        if _exists(connection, table):
            for privilege, columns in by_privilege.items():
                run(f"GRANT {privilege} ({', '.join(columns)}) ON TABLE public.{table} TO {role}")
    for sequence, privileges in allowed.sequences.items():
        if _exists(connection, sequence):
            run(f"GRANT {', '.join(privileges)} ON SEQUENCE public.{sequence} TO {role}")
    for function in allowed.functions:
        if connection.execute(
            text("SELECT to_regprocedure(:f)"), {"f": f"public.{function}"}
        ).scalar():
            run(f"GRANT EXECUTE ON FUNCTION public.{function} TO {role}")


def _exists(connection: Connection, name: str) -> bool:
    return (
        connection.execute(text("SELECT to_regclass(:n)"), {"n": f"public.{name}"}).scalar()
        is not None
    )


def _database(connection: Connection, role: str, allowed: AllowList) -> None:
    """CONNECT only. PostgreSQL gives PUBLIC TEMPORARY on every new database; only the
    database's owner can take that back, so another owner gets a warning to pass on."""
    name, owned = connection.execute(
        text(
            "SELECT current_database(), pg_has_role(current_user, d.datdba, 'MEMBER') "
            "FROM pg_database d WHERE d.datname = current_database()"
        )
    ).one()
    database = _quote(connection, name)
    if not owned:
        log.warning(
            "the migration role does not own the database, so it cannot revoke TEMPORARY "
            "and CREATE from PUBLIC; ask its owner to run the statement given",
            statement=f"REVOKE CREATE, TEMPORARY ON DATABASE {database} FROM PUBLIC, {role}",
        )
        return
    run = connection.execute
    run(text(f"REVOKE ALL ON DATABASE {database} FROM PUBLIC, {role}"))
    run(text(f"GRANT CONNECT ON DATABASE {database} TO PUBLIC"))  # PostgreSQL's default
    if allowed.database:
        run(text(f"GRANT {', '.join(allowed.database)} ON DATABASE {database} TO {role}"))
