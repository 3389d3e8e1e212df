"""rollups: leaner trigger functions for the writers, and a leaner fold

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-27 08:00:00

The trigger functions of every counted table are replaced by those ``ddl.install_statements``
generates today (docs/rollups.md "What it costs writers"): one pass over the transition table for
all the metrics of a table (a ``VALUES`` row per metric of each record, expanded into the
counters it moves) instead of one subquery and one aggregate per metric, and no aggregate at all
for an insert or a delete, whose entries cannot cancel (the fold sums them). The fold
(``xietong_rollup_fold``) sums a batch per month key before spreading it over the grains. The
journal and the counters are unchanged: the same rows mean the same deltas, so nothing is
rebuilt, and a journal written by either version folds the same.

Downgrade: the functions stay (an earlier revision's generator is not kept; it wrote the same
deltas into the same journal, summed per key, and folded them into the same counters, so these
count what 0017's would).
"""

from collections.abc import Sequence

from alembic import op

from xietong.rollups import ddl
from xietong.rollups.metrics import metrics_at

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for statement in ddl.fold_statements():
        op.execute(statement)
    for statement in ddl.install_statements(metrics_at("0018")):
        op.execute(statement)


def downgrade() -> None:
    pass
