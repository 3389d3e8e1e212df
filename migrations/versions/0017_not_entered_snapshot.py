"""the dated 应进未进 snapshot, and its rollup metric

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-27 05:00:00.000000

``not_entered_snapshot``: each unit's 应进未进 list (R-16, XINXIANG 18) as the daily job or an
operator took it on a China date — its own approved projects past their grace period that match
no trading project its office sees, with the catalogue rule that put each there. Rows are
written once by the unit's system scope (insert in the write unit, by the signed actor) and read
in the read range; the application neither updates nor deletes them (a date already taken is
skipped, so the snapshot of a date is the first). Then the ``projects_not_entered`` metric: the
triggers of every metric's tables (``ddl.install_statements``) and its counters computed from
the rows there (none yet), as docs/rollups.md says a metric is added.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from xietong.db import rls
from xietong.rollups import ddl
from xietong.rollups.metrics import BY_NAME, metrics_at

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "not_entered_snapshot"
METRIC = "projects_not_entered"

POLICY = rls.TenantPolicy(
    TABLE,
    read=rls.in_read_scope("jurisdiction_code"),
    insert=rls.all_of(rls.in_write_unit("jurisdiction_code"), rls.is_actor("recorded_by")),
)


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("jurisdiction_code", sa.Integer(), nullable=False),
        sa.Column("taken_on", sa.Date(), nullable=False),
        sa.Column("approval_number", sa.String(length=64), nullable=False),
        sa.Column("province_code", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column(
            "category",
            sa.Enum(
                "construction",
                "government_procurement",
                "land_use_rights",
                "mining_rights",
                "state_property",
                "other",
                name="project_category",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "industry",
            sa.Enum(
                "housing",
                "transport",
                "water",
                "agriculture",
                "natural_resources",
                "forestry",
                "ecology",
                "health",
                "education",
                "development_reform",
                "procurement",
                name="industry",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("approved_on", sa.Date(), nullable=False),
        sa.Column("rule_code", sa.String(length=32), nullable=False),
        sa.Column("rule_name", sa.Text(), nullable=False),
        sa.Column("rule_basis", sa.Text(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("days_overdue", sa.Integer(), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "amount_fen >= 0", name=op.f("ck_not_entered_snapshot_amount_not_negative")
        ),
        sa.CheckConstraint(
            "days_overdue > 0", name=op.f("ck_not_entered_snapshot_days_overdue_positive")
        ),
        sa.CheckConstraint(
            "province_code = jurisdiction_code - jurisdiction_code % 10000",
            name=op.f("ck_not_entered_snapshot_province_prefix"),
        ),
        sa.ForeignKeyConstraint(
            ["jurisdiction_code"],
            ["jurisdiction.code"],
            name=op.f("fk_not_entered_snapshot_jurisdiction_code_jurisdiction"),
        ),
        sa.PrimaryKeyConstraint(
            "jurisdiction_code", "taken_on", "approval_number", name=op.f("pk_not_entered_snapshot")
        ),
    )
    for statement in POLICY.create():
        op.execute(statement)
    for statement in ddl.install_statements(metrics_at("0017")):
        op.execute(statement)
    for statement in ddl.rebuild_statements([BY_NAME[METRIC]]):
        op.execute(statement)


def downgrade() -> None:
    for statement in ddl.drop_statements([BY_NAME[METRIC]]):
        op.execute(statement)
    op.execute(f"DELETE FROM public.rollup_journal WHERE metric = '{METRIC}'")
    op.execute(f"DELETE FROM public.rollup_counter WHERE metric = '{METRIC}'")
    for statement in POLICY.drop():
        op.execute(statement)
    op.drop_table(TABLE)
