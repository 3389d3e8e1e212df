"""evaluation (远程异地评标, R-12): sessions, sites, seats, experts, faults, investigations

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-26 16:20:00.000000

Six tenant tables under row-level security (``xietong.db.rls``; docs/evaluation.md "Who sees
what"). A session and its seats, faults and investigations belong to the home site; a host reads
the session and its own seats only through a live grant on the session (``rls.granted``: the one
time-windowed mechanism, ``access.grants``), opened at the start and revoked when the follow-up
window closes. A site row belongs to the site's jurisdiction (a host sees its hosting — number,
time, seats — but not the project, before the start); the home side sees a host site only once
revealed at the start. An expert row belongs to the seating site: the home never reads a host
expert's identity, a host reads its own experts only during its window.

Also: grants may name an evaluation or an investigation (``access_grant.object_type``), and the
deadline engine counts hours (``obligation.unit`` 'hours', ``obligation.due_at``) for the
4-hour fault rule.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from xietong.db import rls

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SESSION = "evaluation"
LIVE_GRANT = rls.granted("session_id", SESSION)
HOME_SIDE = "jurisdiction_code = session_jurisdiction_code"


def _started(table: str) -> str:
    return rls.parent_where_set(table, "session_id", "evaluation_session", "started_at")


POLICIES = [
    rls.TenantPolicy(
        "evaluation_session",
        read=rls.any_of(rls.in_read_scope("jurisdiction_code"), rls.granted("id", SESSION)),
        insert=rls.all_of(rls.in_write_unit("jurisdiction_code"), rls.is_actor("created_by")),
        update=rls.in_write_unit("jurisdiction_code"),
    ),
    rls.TenantPolicy(
        "evaluation_site",
        # The site's own unit always (its hosting: number, time, seats); the home side once
        # revealed at the start.
        read=rls.any_of(
            rls.in_read_scope("jurisdiction_code"),
            rls.all_of(rls.in_read_scope("session_jurisdiction_code"), _started("evaluation_site")),
        ),
        insert=rls.all_of(
            rls.in_write_unit("session_jurisdiction_code"), rls.is_actor("created_by")
        ),
        # A host records its handover (column privileges: that column only).
        update=rls.in_write_unit("jurisdiction_code"),
    ),
    rls.TenantPolicy(
        "evaluation_seat",
        read=rls.any_of(
            rls.all_of(
                rls.in_read_scope("jurisdiction_code"),
                rls.any_of(
                    "site_jurisdiction_code = jurisdiction_code", _started("evaluation_seat")
                ),
            ),
            rls.all_of(rls.in_read_scope("site_jurisdiction_code"), LIVE_GRANT),
        ),
        insert=rls.all_of(rls.in_write_unit("jurisdiction_code"), rls.is_actor("created_by")),
    ),
    rls.TenantPolicy(
        "evaluation_expert",
        # The seating site's own rows: the home's always, a host's during its window only.
        read=rls.all_of(rls.in_read_scope("jurisdiction_code"), rls.any_of(HOME_SIDE, LIVE_GRANT)),
        insert=rls.all_of(
            rls.in_write_unit("jurisdiction_code"),
            rls.is_actor("assigned_by"),
            rls.any_of(HOME_SIDE, rls.granted("session_id", SESSION, "handle")),
        ),
    ),
    rls.TenantPolicy(
        "evaluation_fault",
        read=rls.any_of(rls.in_read_scope("jurisdiction_code"), LIVE_GRANT),
        insert=rls.all_of(rls.in_write_unit("jurisdiction_code"), rls.is_actor("created_by")),
        update=rls.in_write_unit("jurisdiction_code"),
    ),
    rls.TenantPolicy(
        "evaluation_investigation",
        # A host reads an investigation once its result is copied to it (a grant on it).
        read=rls.any_of(
            rls.in_read_scope("jurisdiction_code"), rls.granted("id", "evaluation_investigation")
        ),
        insert=rls.all_of(rls.in_write_unit("jurisdiction_code"), rls.is_actor("created_by")),
        update=rls.in_write_unit("jurisdiction_code"),
    ),
]

OBJECT_TYPES_BEFORE = (
    "person", "officer_pool", "api_key", "grant", "audit_event", "access", "project",
    "complaint", "lead", "case", "inspection", "credit_record", "rollup", "report",
    "disclosure", "consultation",
)  # fmt: skip
OBJECT_TYPES_AFTER = (*OBJECT_TYPES_BEFORE, "obligation", "expert", "approved_project",
                      SESSION, "evaluation_investigation")  # fmt: skip


def _one_of(column: str, values: Sequence[str]) -> str:
    """The CHECK a text enum column gets (written as SQLAlchemy writes it, so a downgrade
    restores the earlier migration's constraint exactly)."""
    listed = ", ".join(f"'{v}'" for v in values)
    return f"{column} IN ({listed})"


def _object_types(values: Sequence[str]) -> None:
    op.drop_constraint(op.f("ck_access_grant_object_type"), "access_grant", type_="check")
    op.create_check_constraint(
        op.f("ck_access_grant_object_type"), "access_grant", _one_of("object_type", values)
    )


def _units(values: Sequence[str]) -> None:
    op.drop_constraint(op.f("ck_obligation_unit"), "obligation", type_="check")
    listed = ", ".join(f"'{v}'" for v in values)
    op.create_check_constraint(
        op.f("ck_obligation_unit"), "obligation", f"unit::text IN ({listed})"
    )


def upgrade() -> None:
    op.create_table(
        "evaluation_session",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("jurisdiction_code", sa.Integer(), nullable=False),
        sa.Column("province_code", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("project_id", sa.UUID(), nullable=False),
        sa.Column("scheduled_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("scheduled_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "scheduled",
                "started",
                "paused",
                "finished",
                "aborted",
                name="evaluation_state",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("follow_up_days", sa.SmallInteger(), nullable=False),
        sa.Column("window_until", sa.Date(), nullable=True),
        sa.Column("window_closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "follow_up_days BETWEEN 1 AND 120", name=op.f("ck_evaluation_session_follow_up_range")
        ),
        sa.CheckConstraint(
            "province_code = jurisdiction_code - jurisdiction_code % 10000",
            name=op.f("ck_evaluation_session_province_prefix"),
        ),
        sa.CheckConstraint(
            "scheduled_end > scheduled_start", name=op.f("ck_evaluation_session_period")
        ),
        sa.ForeignKeyConstraint(
            ["jurisdiction_code"],
            ["jurisdiction.code"],
            name=op.f("fk_evaluation_session_jurisdiction_code_jurisdiction"),
        ),
        sa.ForeignKeyConstraint(
            ["project_id", "jurisdiction_code"],
            ["project.id", "project.jurisdiction_code"],
            name=op.f("fk_evaluation_session_project_id_project"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluation_session")),
        sa.UniqueConstraint(
            "id", "jurisdiction_code", name=op.f("uq_evaluation_session_id_jurisdiction_code")
        ),
        sa.UniqueConstraint(
            "jurisdiction_code",
            "number",
            name=op.f("uq_evaluation_session_jurisdiction_code_number"),
        ),
    )
    op.create_index(
        op.f("ix_evaluation_session_project_id"), "evaluation_session", ["project_id"], unique=False
    )
    op.create_table(
        "evaluation_investigation",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("session_id", sa.UUID(), nullable=False),
        sa.Column("jurisdiction_code", sa.Integer(), nullable=False),
        sa.Column("province_code", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.UUID(), nullable=False),
        sa.Column("seat_ids", postgresql.ARRAY(sa.UUID()), nullable=False),
        sa.Column("seat_labels", postgresql.ARRAY(sa.String(length=32)), nullable=False),
        sa.Column("host_codes", postgresql.ARRAY(sa.Integer()), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "open",
                "ended",
                "copied",
                name="investigation_state",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("result", sa.Text(), nullable=True),
        sa.Column("decision", sa.Text(), nullable=True),
        sa.Column("copied_on", sa.Date(), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "cardinality(seat_ids) BETWEEN 1 AND 99",
            name=op.f("ck_evaluation_investigation_seats_named"),
        ),
        sa.CheckConstraint(
            "province_code = jurisdiction_code - jurisdiction_code % 10000",
            name=op.f("ck_evaluation_investigation_province_prefix"),
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["department.id"],
            name=op.f("fk_evaluation_investigation_department_id_department"),
        ),
        sa.ForeignKeyConstraint(
            ["jurisdiction_code"],
            ["jurisdiction.code"],
            name=op.f("fk_evaluation_investigation_jurisdiction_code_jurisdiction"),
        ),
        sa.ForeignKeyConstraint(
            ["session_id", "jurisdiction_code"],
            ["evaluation_session.id", "evaluation_session.jurisdiction_code"],
            name=op.f("fk_evaluation_investigation_session_id_evaluation_session"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluation_investigation")),
    )
    op.create_index(
        "ix_evaluation_investigation_session_id",
        "evaluation_investigation",
        ["session_id"],
        unique=False,
    )
    op.create_table(
        "evaluation_site",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("session_id", sa.UUID(), nullable=False),
        sa.Column("jurisdiction_code", sa.Integer(), nullable=False),
        sa.Column("province_code", sa.Integer(), nullable=False),
        sa.Column("session_jurisdiction_code", sa.Integer(), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "home",
                "host",
                name="site_role",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("seats", sa.SmallInteger(), nullable=False),
        sa.Column("session_number", sa.String(length=64), nullable=False),
        sa.Column("scheduled_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("scheduled_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("handed_over_on", sa.Date(), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "(role = 'home') = (jurisdiction_code = session_jurisdiction_code)",
            name=op.f("ck_evaluation_site_home_is_home"),
        ),
        sa.CheckConstraint(
            "province_code = jurisdiction_code - jurisdiction_code % 10000",
            name=op.f("ck_evaluation_site_province_prefix"),
        ),
        sa.CheckConstraint("seats BETWEEN 1 AND 99", name=op.f("ck_evaluation_site_seats_range")),
        sa.ForeignKeyConstraint(
            ["jurisdiction_code"],
            ["jurisdiction.code"],
            name=op.f("fk_evaluation_site_jurisdiction_code_jurisdiction"),
        ),
        sa.ForeignKeyConstraint(
            ["session_id", "session_jurisdiction_code"],
            ["evaluation_session.id", "evaluation_session.jurisdiction_code"],
            name=op.f("fk_evaluation_site_session_id_evaluation_session"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluation_site")),
        sa.UniqueConstraint(
            "session_id",
            "jurisdiction_code",
            name=op.f("uq_evaluation_site_session_id_jurisdiction_code"),
        ),
    )
    op.create_index(
        op.f("ix_evaluation_site_jurisdiction_code"),
        "evaluation_site",
        ["jurisdiction_code"],
        unique=False,
    )
    op.create_table(
        "evaluation_fault",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("session_id", sa.UUID(), nullable=False),
        sa.Column("site_id", sa.UUID(), nullable=False),
        sa.Column("jurisdiction_code", sa.Integer(), nullable=False),
        sa.Column("province_code", sa.Integer(), nullable=False),
        sa.Column("cause", sa.Text(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "ended_at IS NULL OR ended_at >= started_at", name=op.f("ck_evaluation_fault_period")
        ),
        sa.CheckConstraint(
            "province_code = jurisdiction_code - jurisdiction_code % 10000",
            name=op.f("ck_evaluation_fault_province_prefix"),
        ),
        sa.ForeignKeyConstraint(
            ["jurisdiction_code"],
            ["jurisdiction.code"],
            name=op.f("fk_evaluation_fault_jurisdiction_code_jurisdiction"),
        ),
        sa.ForeignKeyConstraint(
            ["session_id", "jurisdiction_code"],
            ["evaluation_session.id", "evaluation_session.jurisdiction_code"],
            name=op.f("fk_evaluation_fault_session_id_evaluation_session"),
        ),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["evaluation_site.id"],
            name=op.f("fk_evaluation_fault_site_id_evaluation_site"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluation_fault")),
    )
    op.create_index(
        op.f("ix_evaluation_fault_session_id"), "evaluation_fault", ["session_id"], unique=False
    )
    op.create_table(
        "evaluation_seat",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("session_id", sa.UUID(), nullable=False),
        sa.Column("site_id", sa.UUID(), nullable=False),
        sa.Column("jurisdiction_code", sa.Integer(), nullable=False),
        sa.Column("province_code", sa.Integer(), nullable=False),
        sa.Column("site_jurisdiction_code", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=32), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "province_code = jurisdiction_code - jurisdiction_code % 10000",
            name=op.f("ck_evaluation_seat_province_prefix"),
        ),
        sa.ForeignKeyConstraint(
            ["jurisdiction_code"],
            ["jurisdiction.code"],
            name=op.f("fk_evaluation_seat_jurisdiction_code_jurisdiction"),
        ),
        sa.ForeignKeyConstraint(
            ["session_id", "jurisdiction_code"],
            ["evaluation_session.id", "evaluation_session.jurisdiction_code"],
            name=op.f("fk_evaluation_seat_session_id_evaluation_session"),
        ),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["evaluation_site.id"],
            name=op.f("fk_evaluation_seat_site_id_evaluation_site"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluation_seat")),
        sa.UniqueConstraint(
            "session_id", "label", name=op.f("uq_evaluation_seat_session_id_label")
        ),
    )
    op.create_index(
        op.f("ix_evaluation_seat_session_id"), "evaluation_seat", ["session_id"], unique=False
    )
    op.create_table(
        "evaluation_expert",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("session_id", sa.UUID(), nullable=False),
        sa.Column("seat_id", sa.UUID(), nullable=False),
        sa.Column("expert_id", sa.UUID(), nullable=False),
        sa.Column("jurisdiction_code", sa.Integer(), nullable=False),
        sa.Column("province_code", sa.Integer(), nullable=False),
        sa.Column("session_jurisdiction_code", sa.Integer(), nullable=False),
        sa.Column("assigned_by", sa.String(length=64), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "province_code = jurisdiction_code - jurisdiction_code % 10000",
            name=op.f("ck_evaluation_expert_province_prefix"),
        ),
        sa.ForeignKeyConstraint(
            ["expert_id"], ["expert.id"], name=op.f("fk_evaluation_expert_expert_id_expert")
        ),
        sa.ForeignKeyConstraint(
            ["jurisdiction_code"],
            ["jurisdiction.code"],
            name=op.f("fk_evaluation_expert_jurisdiction_code_jurisdiction"),
        ),
        sa.ForeignKeyConstraint(
            ["seat_id"],
            ["evaluation_seat.id"],
            name=op.f("fk_evaluation_expert_seat_id_evaluation_seat"),
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["evaluation_session.id"],
            name=op.f("fk_evaluation_expert_session_id_evaluation_session"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluation_expert")),
        sa.UniqueConstraint("seat_id", name=op.f("uq_evaluation_expert_seat_id")),
        sa.UniqueConstraint(
            "session_id", "expert_id", name=op.f("uq_evaluation_expert_session_id_expert_id")
        ),
    )
    op.create_index(
        op.f("ix_evaluation_expert_session_id"), "evaluation_expert", ["session_id"], unique=False
    )
    for policy in POLICIES:
        for statement in policy.create():
            op.execute(statement)
    _object_types(OBJECT_TYPES_AFTER)
    # Hour clocks (the 4-hour fault rule): the instant they fall due; `due_on` is its China date.
    op.add_column("obligation", sa.Column("due_at", sa.DateTime(timezone=True), nullable=True))
    _units(("working_days", "calendar_days", "hours"))


def downgrade() -> None:
    _units(("working_days", "calendar_days"))
    op.drop_column("obligation", "due_at")
    _object_types(OBJECT_TYPES_BEFORE)
    for policy in reversed(POLICIES):
        for statement in policy.drop():
            op.execute(statement)
    op.drop_index(op.f("ix_evaluation_expert_session_id"), table_name="evaluation_expert")
    op.drop_table("evaluation_expert")
    op.drop_index(op.f("ix_evaluation_seat_session_id"), table_name="evaluation_seat")
    op.drop_table("evaluation_seat")
    op.drop_index(op.f("ix_evaluation_fault_session_id"), table_name="evaluation_fault")
    op.drop_table("evaluation_fault")
    op.drop_index(op.f("ix_evaluation_site_jurisdiction_code"), table_name="evaluation_site")
    op.drop_table("evaluation_site")
    op.drop_index("ix_evaluation_investigation_session_id", table_name="evaluation_investigation")
    op.drop_table("evaluation_investigation")
    op.drop_index(op.f("ix_evaluation_session_project_id"), table_name="evaluation_session")
    op.drop_table("evaluation_session")
