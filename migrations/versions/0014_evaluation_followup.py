"""evaluation follow-up (R-12): copies received and acknowledged by the host, automatic copying

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-27 03:45:00.000000

``evaluation_copy``: one row per investigation and host site concerned — the result, the host's
seats concerned and the decision — in the host's jurisdiction (its inbox), read by the host's
subtree and by the home side that sent it, written by the home's unit only, acknowledged by the
host's unit only (column privileges: the acknowledgement's two columns).
``evaluation_session.auto_copy``: the home's choice that the worker copies for it.
``evaluation_fault.decision``: what the tenderer decided on a fault more than 2 hours before the
start (the 2-hour rule), or how a fault was resolved.
``evaluation_conduct``: expert conduct events recorded by a site's staff (the recording site's
jurisdiction, like an expert row: a host records through its live grant), each the lead it
became at the home's office; the home side reads them (by seat, never the expert).
``evaluation_draw``: the random draw of host sites (seed, candidates, ranking, chosen), the
home's, sealed like the hosts: readable by the home side only once the session has started.
``evaluation_expert_result``: an investigation's result in the record of each expert concerned,
at the expert's own library (the seating site): read by that side only.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from xietong.db import rls

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

POLICIES = [
    rls.TenantPolicy(
        "evaluation_copy",
        read=rls.any_of(
            rls.in_read_scope("jurisdiction_code"), rls.in_read_scope("home_jurisdiction_code")
        ),
        insert=rls.all_of(rls.in_write_unit("home_jurisdiction_code"), rls.is_actor("copied_by")),
        update=rls.in_write_unit("jurisdiction_code"),
    ),
    rls.TenantPolicy(
        "evaluation_conduct",
        read=rls.any_of(
            rls.all_of(
                rls.in_read_scope("jurisdiction_code"),
                rls.any_of(
                    "jurisdiction_code = session_jurisdiction_code",
                    rls.granted("session_id", "evaluation"),
                ),
            ),
            rls.in_read_scope("session_jurisdiction_code"),
        ),
        insert=rls.all_of(
            rls.in_write_unit("jurisdiction_code"),
            rls.is_actor("recorded_by"),
            rls.any_of(
                "jurisdiction_code = session_jurisdiction_code",
                rls.granted("session_id", "evaluation", "handle"),
            ),
        ),
    ),
    rls.TenantPolicy(
        "evaluation_draw",
        read=rls.all_of(
            rls.in_read_scope("jurisdiction_code"),
            rls.parent_where_set(
                "evaluation_draw", "session_id", "evaluation_session", "started_at"
            ),
        ),
        insert=rls.all_of(rls.in_write_unit("jurisdiction_code"), rls.is_actor("created_by")),
    ),
    rls.TenantPolicy(
        "evaluation_expert_result",
        read=rls.in_read_scope("jurisdiction_code"),
        insert=rls.all_of(rls.in_write_unit("jurisdiction_code"), rls.is_actor("created_by")),
    ),
]


def upgrade() -> None:
    op.add_column(
        "evaluation_session",
        sa.Column("auto_copy", sa.Boolean(), server_default="false", nullable=False),
    )
    op.create_table(
        "evaluation_copy",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("investigation_id", sa.UUID(), nullable=False),
        sa.Column("session_id", sa.UUID(), nullable=False),
        sa.Column("jurisdiction_code", sa.Integer(), nullable=False),
        sa.Column("province_code", sa.Integer(), nullable=False),
        sa.Column("home_jurisdiction_code", sa.Integer(), nullable=False),
        sa.Column("session_number", sa.String(length=64), nullable=False),
        sa.Column("seat_labels", sa.ARRAY(sa.String(length=32)), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
        sa.Column("decision", sa.Text(), nullable=False),
        sa.Column("automatic", sa.Boolean(), nullable=False),
        sa.Column("copied_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("copied_by", sa.String(length=64), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_by", sa.String(length=64), nullable=True),
        sa.CheckConstraint(
            "(acknowledged_at IS NULL) = (acknowledged_by IS NULL)",
            name=op.f("ck_evaluation_copy_acknowledged_together"),
        ),
        sa.CheckConstraint(
            "province_code = jurisdiction_code - jurisdiction_code % 10000",
            name=op.f("ck_evaluation_copy_province_prefix"),
        ),
        sa.ForeignKeyConstraint(
            ["investigation_id"],
            ["evaluation_investigation.id"],
            name=op.f("fk_evaluation_copy_investigation_id_evaluation_investigation"),
        ),
        sa.ForeignKeyConstraint(
            ["jurisdiction_code"],
            ["jurisdiction.code"],
            name=op.f("fk_evaluation_copy_jurisdiction_code_jurisdiction"),
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["evaluation_session.id"],
            name=op.f("fk_evaluation_copy_session_id_evaluation_session"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluation_copy")),
        sa.UniqueConstraint(
            "investigation_id",
            "jurisdiction_code",
            name=op.f("uq_evaluation_copy_investigation_id_jurisdiction_code"),
        ),
    )
    op.create_index(
        "ix_evaluation_copy_inbox",
        "evaluation_copy",
        ["jurisdiction_code", "copied_at", "id"],
        unique=False,
    )
    op.add_column("evaluation_fault", sa.Column("decision", sa.Text(), nullable=True))
    op.create_table(
        "evaluation_conduct",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("session_id", sa.UUID(), nullable=False),
        sa.Column("seat_id", sa.UUID(), nullable=False),
        sa.Column("jurisdiction_code", sa.Integer(), nullable=False),
        sa.Column("province_code", sa.Integer(), nullable=False),
        sa.Column("session_jurisdiction_code", sa.Integer(), nullable=False),
        sa.Column("seat_label", sa.String(length=32), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "late",
                "absent",
                "phone",
                "canvassing",
                "left_seat",
                "other",
                name="conduct_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lead_id", sa.UUID(), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "province_code = jurisdiction_code - jurisdiction_code % 10000",
            name=op.f("ck_evaluation_conduct_province_prefix"),
        ),
        sa.ForeignKeyConstraint(
            ["jurisdiction_code"],
            ["jurisdiction.code"],
            name=op.f("fk_evaluation_conduct_jurisdiction_code_jurisdiction"),
        ),
        sa.ForeignKeyConstraint(
            ["seat_id"],
            ["evaluation_seat.id"],
            name=op.f("fk_evaluation_conduct_seat_id_evaluation_seat"),
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["evaluation_session.id"],
            name=op.f("fk_evaluation_conduct_session_id_evaluation_session"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluation_conduct")),
    )
    op.create_index(
        op.f("ix_evaluation_conduct_session_id"), "evaluation_conduct", ["session_id"], unique=False
    )
    op.create_table(
        "evaluation_draw",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("session_id", sa.UUID(), nullable=False),
        sa.Column("jurisdiction_code", sa.Integer(), nullable=False),
        sa.Column("province_code", sa.Integer(), nullable=False),
        sa.Column("seed", sa.String(length=64), nullable=False),
        sa.Column("candidates", sa.ARRAY(sa.Integer()), nullable=False),
        sa.Column("ranking", sa.ARRAY(sa.Integer()), nullable=False),
        sa.Column("chosen", sa.ARRAY(sa.Integer()), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "province_code = jurisdiction_code - jurisdiction_code % 10000",
            name=op.f("ck_evaluation_draw_province_prefix"),
        ),
        sa.ForeignKeyConstraint(
            ["jurisdiction_code"],
            ["jurisdiction.code"],
            name=op.f("fk_evaluation_draw_jurisdiction_code_jurisdiction"),
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["evaluation_session.id"],
            name=op.f("fk_evaluation_draw_session_id_evaluation_session"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluation_draw")),
        sa.UniqueConstraint("session_id", name=op.f("uq_evaluation_draw_session_id")),
    )
    op.create_table(
        "evaluation_expert_result",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("expert_id", sa.UUID(), nullable=False),
        sa.Column("investigation_id", sa.UUID(), nullable=False),
        sa.Column("jurisdiction_code", sa.Integer(), nullable=False),
        sa.Column("province_code", sa.Integer(), nullable=False),
        sa.Column("home_jurisdiction_code", sa.Integer(), nullable=False),
        sa.Column("session_number", sa.String(length=64), nullable=False),
        sa.Column("seat_label", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
        sa.Column("decision", sa.Text(), nullable=False),
        sa.Column("recorded_on", sa.Date(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "province_code = jurisdiction_code - jurisdiction_code % 10000",
            name=op.f("ck_evaluation_expert_result_province_prefix"),
        ),
        sa.ForeignKeyConstraint(
            ["expert_id"], ["expert.id"], name=op.f("fk_evaluation_expert_result_expert_id_expert")
        ),
        sa.ForeignKeyConstraint(
            ["investigation_id"],
            ["evaluation_investigation.id"],
            name=op.f("fk_evaluation_expert_result_investigation_id_evaluation_investigation"),
        ),
        sa.ForeignKeyConstraint(
            ["jurisdiction_code"],
            ["jurisdiction.code"],
            name=op.f("fk_evaluation_expert_result_jurisdiction_code_jurisdiction"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluation_expert_result")),
        sa.UniqueConstraint(
            "investigation_id",
            "expert_id",
            name=op.f("uq_evaluation_expert_result_investigation_id_expert_id"),
        ),
    )
    op.create_index(
        op.f("ix_evaluation_expert_result_expert_id"),
        "evaluation_expert_result",
        ["expert_id"],
        unique=False,
    )
    for policy in POLICIES:
        for statement in policy.create():
            op.execute(statement)


def downgrade() -> None:
    for policy in reversed(POLICIES):
        for statement in policy.drop():
            op.execute(statement)
    op.drop_index(
        op.f("ix_evaluation_expert_result_expert_id"), table_name="evaluation_expert_result"
    )
    op.drop_table("evaluation_expert_result")
    op.drop_table("evaluation_draw")
    op.drop_index(op.f("ix_evaluation_conduct_session_id"), table_name="evaluation_conduct")
    op.drop_table("evaluation_conduct")
    op.drop_column("evaluation_fault", "decision")
    op.drop_index("ix_evaluation_copy_inbox", table_name="evaluation_copy")
    op.drop_table("evaluation_copy")
    op.drop_column("evaluation_session", "auto_copy")
