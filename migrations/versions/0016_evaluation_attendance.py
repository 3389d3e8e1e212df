"""evaluation attendance and audio/video record references per site (R-12)

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-27 04:45:00.000000

``evaluation_attendance``: an expert's arrival, departure or absence at a seat, recorded by the
site's staff; ``evaluation_recording``: a reference to a site's audio/video record (storage URI
or archive number, span, SHA-256), part of its records handover. Both belong to the recording
site (a host writes through its live grant for ``handle``, reads during its window only) and are
read by the home side by seat — never naming a host expert (sealed identities). The same policy
as ``evaluation_conduct`` (migration 0014).
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from xietong.db import rls

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _site_policy(table: str) -> rls.TenantPolicy:
    return rls.TenantPolicy(
        table,
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
    )


POLICIES = [_site_policy("evaluation_attendance"), _site_policy("evaluation_recording")]


def _common(table: str) -> list[Any]:
    return [
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("session_id", sa.UUID(), nullable=False),
        sa.Column("jurisdiction_code", sa.Integer(), nullable=False),
        sa.Column("province_code", sa.Integer(), nullable=False),
        sa.Column("session_jurisdiction_code", sa.Integer(), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "province_code = jurisdiction_code - jurisdiction_code % 10000",
            name=op.f(f"ck_{table}_province_prefix"),
        ),
        sa.ForeignKeyConstraint(
            ["jurisdiction_code"],
            ["jurisdiction.code"],
            name=op.f(f"fk_{table}_jurisdiction_code_jurisdiction"),
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["evaluation_session.id"],
            name=op.f(f"fk_{table}_session_id_evaluation_session"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
    ]


def upgrade() -> None:
    op.create_table(
        "evaluation_attendance",
        *_common("evaluation_attendance"),
        sa.Column("seat_id", sa.UUID(), nullable=False),
        sa.Column("seat_label", sa.String(length=32), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "arrived",
                "departed",
                "absent",
                name="attendance_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["seat_id"],
            ["evaluation_seat.id"],
            name=op.f("fk_evaluation_attendance_seat_id_evaluation_seat"),
        ),
        sa.UniqueConstraint("seat_id", "kind", name=op.f("uq_evaluation_attendance_seat_id_kind")),
    )
    op.create_index(
        op.f("ix_evaluation_attendance_session_id"),
        "evaluation_attendance",
        ["session_id"],
        unique=False,
    )
    op.create_table(
        "evaluation_recording",
        *_common("evaluation_recording"),
        sa.Column("site_id", sa.UUID(), nullable=False),
        sa.Column("reference", sa.Text(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.CheckConstraint("ended_at > started_at", name=op.f("ck_evaluation_recording_span")),
        sa.CheckConstraint(
            "sha256 ~ '^[0-9a-f]{64}$'", name=op.f("ck_evaluation_recording_sha256_hex")
        ),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["evaluation_site.id"],
            name=op.f("fk_evaluation_recording_site_id_evaluation_site"),
        ),
    )
    op.create_index(
        op.f("ix_evaluation_recording_session_id"),
        "evaluation_recording",
        ["session_id"],
        unique=False,
    )
    for policy in POLICIES:
        for statement in policy.create():
            op.execute(statement)


def downgrade() -> None:
    for policy in reversed(POLICIES):
        for statement in policy.drop():
            op.execute(statement)
    op.drop_index(op.f("ix_evaluation_recording_session_id"), table_name="evaluation_recording")
    op.drop_table("evaluation_recording")
    op.drop_index(op.f("ix_evaluation_attendance_session_id"), table_name="evaluation_attendance")
    op.drop_table("evaluation_attendance")
