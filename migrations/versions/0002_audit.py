"""audit events, hash-chained per province

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 00:17:22.239959
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "audit_chain",
        sa.Column("province_code", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_event_id", sa.BigInteger(), nullable=True),
        sa.Column("last_hash", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("province_code", name=op.f("pk_audit_chain")),
    )
    op.create_table(
        "audit_event",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("province_code", sa.Integer(), nullable=False),
        sa.Column("jurisdiction_code", sa.Integer(), nullable=False),
        sa.Column(
            "actor_kind",
            sa.Enum(
                "person",
                "api_key",
                "system",
                "anonymous",
                name="actor_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("object_type", sa.Text(), nullable=False),
        sa.Column("object_id", sa.Text(), nullable=True),
        sa.Column(
            "details",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column("prev_hash", sa.Text(), nullable=True),
        sa.Column("hash", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "province_code = jurisdiction_code - jurisdiction_code % 10000",
            name=op.f("ck_audit_event_province_prefix"),
        ),
        sa.ForeignKeyConstraint(
            ["jurisdiction_code"],
            ["jurisdiction.code"],
            name=op.f("fk_audit_event_jurisdiction_code_jurisdiction"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
        sa.UniqueConstraint("hash", name=op.f("uq_audit_event_hash")),
        sa.UniqueConstraint("prev_hash", name=op.f("uq_audit_event_prev_hash")),
    )
    op.create_index(
        "ix_audit_event_jurisdiction_code_occurred_at",
        "audit_event",
        ["jurisdiction_code", "occurred_at"],
        unique=False,
    )
    op.create_index(
        "ix_audit_event_object", "audit_event", ["object_type", "object_id"], unique=False
    )
    op.create_index(
        "ix_audit_event_province_code_id", "audit_event", ["province_code", "id"], unique=False
    )
    op.create_index(
        "ix_audit_event_province_first",
        "audit_event",
        ["province_code"],
        unique=True,
        postgresql_where=sa.text("prev_hash IS NULL"),
    )


def downgrade() -> None:

    op.drop_index(
        "ix_audit_event_province_first",
        table_name="audit_event",
        postgresql_where=sa.text("prev_hash IS NULL"),
    )
    op.drop_index("ix_audit_event_province_code_id", table_name="audit_event")
    op.drop_index("ix_audit_event_object", table_name="audit_event")
    op.drop_index("ix_audit_event_jurisdiction_code_occurred_at", table_name="audit_event")
    op.drop_table("audit_event")
    op.drop_table("audit_chain")
