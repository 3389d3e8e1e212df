"""rollup grains and journal: counter rows per quarter, half year and year; writers append

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-27 03:40:00

``rollup_counter`` gains ``grain`` (1, 3, 6 or 12 months; ``month`` is the period's first month)
at the front of the key's periods, so a province's year is read from one row per unit and value
(docs/rollups.md "Grains").

``rollup_journal`` takes the writers' month deltas (insert-only: no key, no conflict, no shared
row to wait on); ``xietong_rollup_fold(batch)`` (``SECURITY DEFINER``, like the trigger
functions) moves them into the counters at every grain, run every few seconds by the worker.
Both tables are read in the caller's read range and written by the owner's functions only.

The trigger functions are replaced by those of today's declarations and every metric's counters
are rebuilt from the base tables.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from xietong.db import rls
from xietong.rollups import ddl
from xietong.rollups.metrics import metrics_at

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_KEY = ("metric", "dimension", "jurisdiction_code", "month", "value")
NEW_KEY = ("metric", "dimension", "grain", "jurisdiction_code", "month", "value")
JOURNAL = rls.TenantPolicy("rollup_journal", read=rls.in_read_scope("jurisdiction_code"))


def upgrade() -> None:
    op.execute("DELETE FROM rollup_counter")  # rebuilt below, at every grain
    op.drop_constraint(op.f("pk_rollup_counter"), "rollup_counter", type_="primary")
    op.add_column(
        "rollup_counter",
        sa.Column("grain", sa.SmallInteger(), server_default=sa.text("1"), nullable=False),
    )
    op.alter_column("rollup_counter", "grain", server_default=None)
    op.create_check_constraint(
        op.f("ck_rollup_counter_grain_aligned"),
        "rollup_counter",
        "grain IN (1, 3, 6, 12) AND (month % 100 - 1) % grain = 0",
    )
    op.create_primary_key(op.f("pk_rollup_counter"), "rollup_counter", list(NEW_KEY))
    op.create_table(
        "rollup_journal",
        sa.Column("metric", sa.String(length=48), nullable=False),
        sa.Column("dimension", sa.String(length=32), nullable=False),
        sa.Column("jurisdiction_code", sa.Integer(), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("value", sa.String(length=64), nullable=False),
        sa.Column("province_code", sa.Integer(), nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.Column("sum_a", sa.BigInteger(), nullable=False),
        sa.Column("sum_b", sa.BigInteger(), nullable=False),
    )
    op.create_index(
        "ix_rollup_journal_read",
        "rollup_journal",
        ["metric", "dimension", "jurisdiction_code", "month"],
    )
    # Rows live seconds: vacuum after a few thousand deletions, not a fifth of the table.
    op.execute(
        "ALTER TABLE rollup_journal SET (autovacuum_vacuum_scale_factor = 0, "
        "autovacuum_vacuum_threshold = 5000, autovacuum_vacuum_insert_scale_factor = 0, "
        "autovacuum_vacuum_insert_threshold = 5000)"
    )
    for statement in JOURNAL.create():
        op.execute(statement)
    for statement in ddl.fold_statements():
        op.execute(statement)
    for statement in ddl.install_statements(metrics_at("0013")):
        op.execute(statement)
    for statement in ddl.rebuild_statements(metrics_at("0013")):
        op.execute(statement)


def downgrade() -> None:
    # Down to the month rows alone, without maintenance (0010 creates the table; its triggers
    # are installed from this revision on).
    for statement in ddl.drop_statements(metrics_at("0013")):
        op.execute(statement)
    for statement in ddl.drop_fold_statements():
        op.execute(statement)
    # The deltas not yet folded go into the month rows before the journal goes.
    op.execute(
        f"INSERT INTO rollup_counter AS c (grain, {ddl.COLUMNS}) SELECT 1, {ddl.COLUMNS} "
        f"FROM (SELECT metric, jurisdiction_code, province_code, month, dimension, value, "
        "sum(n) AS n, sum(sum_a) AS sum_a, sum(sum_b) AS sum_b FROM rollup_journal "
        "GROUP BY 1, 2, 3, 4, 5, 6) j ON CONFLICT (metric, dimension, grain, jurisdiction_code, "
        "month, value) DO UPDATE SET n = c.n + EXCLUDED.n, sum_a = c.sum_a + EXCLUDED.sum_a, "
        "sum_b = c.sum_b + EXCLUDED.sum_b"
    )
    for statement in JOURNAL.drop():
        op.execute(statement)
    op.drop_table("rollup_journal")
    op.execute("DELETE FROM rollup_counter WHERE grain <> 1")
    op.drop_constraint(op.f("pk_rollup_counter"), "rollup_counter", type_="primary")
    op.drop_constraint(op.f("ck_rollup_counter_grain_aligned"), "rollup_counter", type_="check")
    op.drop_column("rollup_counter", "grain")
    op.create_primary_key(op.f("pk_rollup_counter"), "rollup_counter", list(OLD_KEY))
