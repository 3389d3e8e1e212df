"""rollups: counters per jurisdiction, metric, dimension and month, kept by triggers

Revision ID: 0010
Revises: 0008
Create Date: 2026-11-26 16:10:00

``rollup_counter`` is a tenant table (``xietong.db.rls``): read in the caller's read range, written
by nobody but the trigger functions of ``xietong.rollups.ddl`` (``SECURITY DEFINER``, owned by the
migration role, fixed ``search_path``), which run in the transaction that changes the counted rows.

The trigger functions and the counters of the records already there are installed by 0013 (the
counters' grains), generated from the metrics declared in ``xietong.rollups.metrics`` as they
stand when it runs: today's functions write a layout this revision does not have yet. A later
metric comes with its own migration calling ``ddl.install_statements`` and
``ddl.rebuild_statements`` for it (docs/rollups.md).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from xietong.db import rls
from xietong.rollups import ddl

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

POLICY = rls.TenantPolicy("rollup_counter", read=rls.in_read_scope("jurisdiction_code"))


def upgrade() -> None:
    op.create_table(
        "rollup_counter",
        sa.Column("metric", sa.String(length=48), nullable=False),
        sa.Column("dimension", sa.String(length=32), nullable=False),
        sa.Column("jurisdiction_code", sa.Integer(), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("value", sa.String(length=64), nullable=False),
        sa.Column("province_code", sa.Integer(), nullable=False),
        sa.Column("n", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("sum_a", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("sum_b", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.CheckConstraint(
            "province_code = jurisdiction_code - jurisdiction_code % 10000",
            name=op.f("ck_rollup_counter_province_prefix"),
        ),
        sa.CheckConstraint(
            "month BETWEEN 190001 AND 299912", name=op.f("ck_rollup_counter_month_range")
        ),
        sa.PrimaryKeyConstraint(
            "metric",
            "dimension",
            "jurisdiction_code",
            "month",
            "value",
            name=op.f("pk_rollup_counter"),
        ),
    )
    for statement in POLICY.create():
        op.execute(statement)


def downgrade() -> None:
    for statement in ddl.drop_statements():
        op.execute(statement)
    for statement in POLICY.drop():
        op.execute(statement)
    op.drop_table("rollup_counter")
