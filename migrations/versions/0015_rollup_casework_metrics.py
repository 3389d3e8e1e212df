"""rollups: metrics of leads, case transfers, assistance letters and remote evaluation

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-27 03:40:00

The metrics declared in ``xietong.rollups.metrics`` for the casework (R-8, R-9, R-10) and
evaluation (R-12) tables: their trigger functions (``ddl.install_statements``, which replaces the
functions of every table a metric reads) and their counters computed once from the rows already
there (``ddl.rebuild_statements``), as docs/rollups.md says a metric is added.
"""

from collections.abc import Sequence

from alembic import op

from xietong.rollups import ddl
from xietong.rollups.metrics import BY_NAME, metrics_at

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ADDED = (
    "leads_received",
    "leads_transferred",
    "leads_disposed",
    "transfers_sent",
    "transfers_sent_returned",
    "transfers_sent_closed",
    "transfers_received",
    "transfers_received_returned",
    "transfers_received_completed",
    "letters_sent",
    "letters_received",
    "letters_answered",
    "letters_returned",
    "evaluations_home",
    "evaluations_hosted",
)


def upgrade() -> None:
    for statement in ddl.install_statements(metrics_at("0015")):
        op.execute(statement)
    for statement in ddl.rebuild_statements([BY_NAME[name] for name in ADDED]):
        op.execute(statement)


def downgrade() -> None:
    # The tables these metrics read are read by no earlier metric: their triggers go entirely.
    for statement in ddl.drop_statements([BY_NAME[name] for name in ADDED]):
        op.execute(statement)
    for name in ADDED:
        op.execute(f"DELETE FROM public.rollup_journal WHERE metric = '{name}'")
        op.execute(f"DELETE FROM public.rollup_counter WHERE metric = '{name}'")
