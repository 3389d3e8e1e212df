"""rollup grains: counter rows per quarter, half year and year beside the months

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-27 03:40:00

``rollup_counter`` gains ``grain`` (1, 3, 6 or 12 months; ``month`` is the period's first month)
at the front of the key's periods, so a province's year is read from one row per unit and value
(docs/rollups.md "Grains"). The trigger functions are replaced by those of today's declarations
(every delta at every grain) and every metric's counters are rebuilt from the base tables.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from xietong.rollups import ddl

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_KEY = ("metric", "dimension", "jurisdiction_code", "month", "value")
NEW_KEY = ("metric", "dimension", "grain", "jurisdiction_code", "month", "value")


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
    for statement in ddl.install_statements():
        op.execute(statement)
    for statement in ddl.rebuild_statements():
        op.execute(statement)


def downgrade() -> None:
    # Down to the month rows alone, without maintenance (0010 creates the table; its triggers
    # are installed from this revision on).
    for statement in ddl.drop_statements():
        op.execute(statement)
    op.execute("DELETE FROM rollup_counter WHERE grain <> 1")
    op.drop_constraint(op.f("pk_rollup_counter"), "rollup_counter", type_="primary")
    op.drop_constraint(op.f("ck_rollup_counter_grain_aligned"), "rollup_counter", type_="check")
    op.drop_column("rollup_counter", "grain")
    op.create_primary_key(op.f("pk_rollup_counter"), "rollup_counter", list(OLD_KEY))
