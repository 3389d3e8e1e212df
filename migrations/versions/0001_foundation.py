"""jurisdictions, departments, people

Revision ID: 0001
Revises:
Create Date: 2026-11-26 00:09:20.955223
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "jurisdiction",
        sa.Column("code", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column(
            "level",
            sa.Enum(
                "province",
                "city",
                "county",
                name="jurisdiction_level",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("parent_code", sa.Integer(), nullable=True),
        sa.Column("province_code", sa.Integer(), nullable=False),
        sa.Column("retired_on", sa.Date(), nullable=True),
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
            "code BETWEEN 110000 AND 999999", name=op.f("ck_jurisdiction_code_six_digits")
        ),
        sa.CheckConstraint(
            "province_code = code - code % 10000", name=op.f("ck_jurisdiction_province_prefix")
        ),
        sa.ForeignKeyConstraint(
            ["parent_code"],
            ["jurisdiction.code"],
            name=op.f("fk_jurisdiction_parent_code_jurisdiction"),
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_jurisdiction")),
    )
    op.create_index(
        op.f("ix_jurisdiction_parent_code"), "jurisdiction", ["parent_code"], unique=False
    )
    op.create_index(
        op.f("ix_jurisdiction_province_code"), "jurisdiction", ["province_code"], unique=False
    )
    op.create_table(
        "department",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("jurisdiction_code", sa.Integer(), nullable=False),
        sa.Column("province_code", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "supervision_office",
                "industry",
                "finance",
                "trading_centre",
                "discipline_inspection",
                "audit",
                "police",
                "leadership",
                "other",
                name="department_kind",
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
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
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
            "(kind = 'industry' AND industry IS NOT NULL AND industry <> 'procurement') OR (kind = 'finance' AND industry = 'procurement') OR (kind NOT IN ('industry', 'finance') AND industry IS NULL)",
            name=op.f("ck_department_industry_fits_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["jurisdiction_code"],
            ["jurisdiction.code"],
            name=op.f("fk_department_jurisdiction_code_jurisdiction"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_department")),
        sa.UniqueConstraint("key", name=op.f("uq_department_key")),
    )
    op.create_index(
        op.f("ix_department_jurisdiction_code"), "department", ["jurisdiction_code"], unique=False
    )
    op.create_table(
        "jurisdiction_version",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("code", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("parent_code", sa.Integer(), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.CheckConstraint(
            "valid_to IS NULL OR valid_from IS NULL OR valid_to > valid_from",
            name=op.f("ck_jurisdiction_version_valid_period"),
        ),
        sa.ForeignKeyConstraint(
            ["code"], ["jurisdiction.code"], name=op.f("fk_jurisdiction_version_code_jurisdiction")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jurisdiction_version")),
        sa.UniqueConstraint(
            "code", "valid_from", name=op.f("uq_jurisdiction_version_code_valid_from")
        ),
    )
    op.create_index(
        op.f("ix_jurisdiction_version_code"), "jurisdiction_version", ["code"], unique=False
    )
    op.create_table(
        "person",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("login", sa.String(length=64), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("department_id", sa.UUID(), nullable=False),
        sa.Column("jurisdiction_code", sa.Integer(), nullable=False),
        sa.Column("province_code", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
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
        sa.ForeignKeyConstraint(
            ["department_id"], ["department.id"], name=op.f("fk_person_department_id_department")
        ),
        sa.ForeignKeyConstraint(
            ["jurisdiction_code"],
            ["jurisdiction.code"],
            name=op.f("fk_person_jurisdiction_code_jurisdiction"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person")),
        sa.UniqueConstraint("login", name=op.f("uq_person_login")),
    )
    op.create_index(op.f("ix_person_department_id"), "person", ["department_id"], unique=False)
    op.create_index(
        op.f("ix_person_jurisdiction_code"), "person", ["jurisdiction_code"], unique=False
    )
    op.create_table(
        "officer_pool_member",
        sa.Column("person_id", sa.UUID(), nullable=False),
        sa.Column("department_id", sa.UUID(), nullable=False),
        sa.Column("jurisdiction_code", sa.Integer(), nullable=False),
        sa.Column("province_code", sa.Integer(), nullable=False),
        sa.Column(
            "qualification",
            sa.Enum(
                "enforcement_certificate",
                "police_officer",
                "daily_supervision",
                name="qualification",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "speciality",
            sa.Enum(
                "tendering",
                "procurement",
                "criminal_investigation",
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
                name="speciality",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("certificate", sa.String(length=64), nullable=True),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
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
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["department.id"],
            name=op.f("fk_officer_pool_member_department_id_department"),
        ),
        sa.ForeignKeyConstraint(
            ["jurisdiction_code"],
            ["jurisdiction.code"],
            name=op.f("fk_officer_pool_member_jurisdiction_code_jurisdiction"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_officer_pool_member_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_officer_pool_member")),
    )
    op.create_index(
        op.f("ix_officer_pool_member_department_id"),
        "officer_pool_member",
        ["department_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_officer_pool_member_jurisdiction_code"),
        "officer_pool_member",
        ["jurisdiction_code"],
        unique=False,
    )
    op.create_table(
        "person_role",
        sa.Column("person_id", sa.UUID(), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "supervision_office",
                "industry_supervisor",
                "trading_centre",
                "discipline_inspection",
                "audit",
                "police_liaison",
                "leadership",
                "enforcement_officer",
                "integrator",
                "public",
                name="role",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("jurisdiction_code", sa.Integer(), nullable=False),
        sa.Column("province_code", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["jurisdiction_code"],
            ["jurisdiction.code"],
            name=op.f("fk_person_role_jurisdiction_code_jurisdiction"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_person_role_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "person_id", "role", "jurisdiction_code", name=op.f("pk_person_role")
        ),
    )


def downgrade() -> None:

    op.drop_table("person_role")
    op.drop_index(
        op.f("ix_officer_pool_member_jurisdiction_code"), table_name="officer_pool_member"
    )
    op.drop_index(op.f("ix_officer_pool_member_department_id"), table_name="officer_pool_member")
    op.drop_table("officer_pool_member")
    op.drop_index(op.f("ix_person_jurisdiction_code"), table_name="person")
    op.drop_index(op.f("ix_person_department_id"), table_name="person")
    op.drop_table("person")
    op.drop_index(op.f("ix_jurisdiction_version_code"), table_name="jurisdiction_version")
    op.drop_table("jurisdiction_version")
    op.drop_index(op.f("ix_department_jurisdiction_code"), table_name="department")
    op.drop_table("department")
    op.drop_index(op.f("ix_jurisdiction_province_code"), table_name="jurisdiction")
    op.drop_index(op.f("ix_jurisdiction_parent_code"), table_name="jurisdiction")
    op.drop_table("jurisdiction")
