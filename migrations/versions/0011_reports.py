"""periodic reports upward (R-17, R-5) and their steps

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-26 16:30:00

Two tenant tables under row-level security (``xietong.db.rls``). A report is read in the read
range (the unit's and its superiors'); inserted only in the caller's write unit, by the signed
actor; updated by a writer whose read range holds it — the unit itself (draft, submit) or the
level above (return, accept, reopen); which of them may do what is the service's and the
policy's (``report:create`` own, ``report:accept`` subtree). Steps are appended by the same
writers under their own name, never changed.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from xietong.db import rls

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

POLICIES = [
    rls.TenantPolicy(
        "periodic_report",
        read=rls.in_read_scope("jurisdiction_code"),
        insert=rls.all_of(rls.in_write_unit("jurisdiction_code"), rls.is_actor("created_by")),
        update=rls.all_of(rls.in_read_scope("jurisdiction_code"), rls.may_write()),
    ),
    rls.TenantPolicy(
        "periodic_report_event",
        read=rls.in_read_scope("jurisdiction_code"),
        insert=rls.all_of(
            rls.in_read_scope("jurisdiction_code"), rls.may_write(), rls.is_actor("actor")
        ),
    ),
]


def upgrade() -> None:
    op.create_table(
        "periodic_report",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("template", sa.String(length=32), nullable=False),
        sa.Column("jurisdiction_code", sa.Integer(), nullable=False),
        sa.Column("province_code", sa.Integer(), nullable=False),
        sa.Column("parent_code", sa.Integer(), nullable=True),
        sa.Column("first_month", sa.Integer(), nullable=False),
        sa.Column("last_month", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "submitted",
                "returned",
                "accepted",
                name="report_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("figures", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("narrative", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("return_reason", sa.Text(), nullable=True),
        sa.Column("submitted_on", sa.Date(), nullable=True),
        sa.Column("first_submitted_on", sa.Date(), nullable=True),
        sa.Column("reviewed_by", sa.Text(), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.Text(), nullable=False),
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
            "province_code = jurisdiction_code - jurisdiction_code % 10000",
            name=op.f("ck_periodic_report_province_prefix"),
        ),
        sa.CheckConstraint(
            "first_month <= last_month", name=op.f("ck_periodic_report_months_in_order")
        ),
        sa.CheckConstraint(
            "status <> 'returned' OR return_reason IS NOT NULL",
            name=op.f("ck_periodic_report_returned_with_reason"),
        ),
        sa.ForeignKeyConstraint(
            ["jurisdiction_code"],
            ["jurisdiction.code"],
            name=op.f("fk_periodic_report_jurisdiction_code_jurisdiction"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_periodic_report")),
        sa.UniqueConstraint(
            "template",
            "jurisdiction_code",
            "first_month",
            name=op.f("uq_periodic_report_template_jurisdiction_code_first_month"),
        ),
    )
    op.create_index(
        "ix_periodic_report_parent",
        "periodic_report",
        ["parent_code", "template", "first_month"],
        unique=False,
    )
    op.create_table(
        "periodic_report_event",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("report_id", sa.UUID(), nullable=False),
        sa.Column("jurisdiction_code", sa.Integer(), nullable=False),
        sa.Column("province_code", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "province_code = jurisdiction_code - jurisdiction_code % 10000",
            name=op.f("ck_periodic_report_event_province_prefix"),
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["periodic_report.id"],
            name=op.f("fk_periodic_report_event_report_id_periodic_report"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_periodic_report_event")),
    )
    op.create_index(
        op.f("ix_periodic_report_event_report_id"),
        "periodic_report_event",
        ["report_id"],
        unique=False,
    )
    for policy in POLICIES:
        for statement in policy.create():
            op.execute(statement)


def downgrade() -> None:
    for policy in reversed(POLICIES):
        for statement in policy.drop():
            op.execute(statement)
    op.drop_index(op.f("ix_periodic_report_event_report_id"), table_name="periodic_report_event")
    op.drop_table("periodic_report_event")
    op.drop_index("ix_periodic_report_parent", table_name="periodic_report")
    op.drop_table("periodic_report")
