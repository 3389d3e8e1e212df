"""casework (R-8, R-9, R-10): leads with joint verification, case transfers with receipts,
assistance letters, and the materials handed over with them

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26 15:49:33.095071

Six tenant tables under row-level security (``xietong.db.rls``). A lead and its participants
belong to the registering unit: read up the chain, written in the unit; a participant's finding is
written only by that participant department. A transfer or letter belongs to the sender's unit;
the receiving unit reads it, and its materials, only while a live grant on it names that unit
(``rls.granted``), and moves it (receipt, acceptance, return, forwarding, result) only under a
grant for ``accept`` and only from its own write unit. No wider role is ever given.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from xietong.db import rls

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OWN = rls.all_of(rls.in_write_unit("jurisdiction_code"), rls.is_actor("created_by"))


def _crossing(other_unit: str) -> str:
    """The sender's unit moves its own rows; the other side moves them only from its own write
    unit and only under a live grant for ``accept`` on the row."""
    return rls.any_of(
        rls.in_write_unit("jurisdiction_code"),
        rls.all_of(rls.in_write_unit(other_unit), rls.granted("id", "case", "accept")),
    )


POLICIES = [
    rls.TenantPolicy(
        "lead",
        read=rls.in_read_scope("jurisdiction_code"),
        insert=_OWN,
        update=rls.in_write_unit("jurisdiction_code"),
    ),
    rls.TenantPolicy(
        "lead_participant",
        read=rls.in_read_scope("jurisdiction_code"),
        insert=_OWN,
        update=rls.all_of(
            rls.in_write_unit("jurisdiction_code"), rls.is_department("department_id")
        ),
        update_check=rls.all_of(
            rls.in_write_unit("jurisdiction_code"),
            rls.is_department("department_id"),
            rls.is_actor("found_by"),
        ),
    ),
    rls.TenantPolicy(
        "case_transfer",
        read=rls.any_of(rls.in_read_scope("jurisdiction_code"), rls.granted("id", "case")),
        insert=_OWN,
        update=_crossing("receiver_jurisdiction_code"),
    ),
    rls.TenantPolicy(
        "assistance_letter",
        read=rls.any_of(rls.in_read_scope("jurisdiction_code"), rls.granted("id", "case")),
        insert=_OWN,
        update=_crossing("helper_jurisdiction_code"),
    ),
    rls.TenantPolicy(
        "case_document",
        read=rls.any_of(rls.in_read_scope("jurisdiction_code"), rls.granted("matter_id", "case")),
        # The matter's unit issues into its own matters; the other side only from its own write
        # unit (as the issuer) and only under a live grant for `accept` on the matter.
        insert=rls.all_of(
            rls.is_actor("created_by"),
            rls.any_of(
                rls.all_of(
                    rls.in_write_unit("jurisdiction_code"),
                    rls.in_write_unit("issuer_jurisdiction_code"),
                ),
                rls.all_of(
                    rls.in_write_unit("issuer_jurisdiction_code"),
                    rls.granted("matter_id", "case", "accept"),
                ),
            ),
        ),
    ),
    rls.TenantPolicy(
        "case_material",
        read=rls.any_of(rls.in_read_scope("jurisdiction_code"), rls.granted("matter_id", "case")),
        insert=_OWN,
    ),
]


def upgrade() -> None:
    op.create_table(
        "case_material",
        sa.Column("matter_type", sa.String(length=16), nullable=False),
        sa.Column("matter_id", sa.UUID(), nullable=False),
        sa.Column("jurisdiction_code", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("filename", sa.Text(), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("province_code", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "matter_type IN ('transfer', 'letter')", name=op.f("ck_case_material_matter_type_known")
        ),
        sa.CheckConstraint(
            "province_code = jurisdiction_code - jurisdiction_code % 10000",
            name=op.f("ck_case_material_province_prefix"),
        ),
        sa.CheckConstraint(
            "size = octet_length(content)", name=op.f("ck_case_material_size_matches")
        ),
        sa.ForeignKeyConstraint(
            ["jurisdiction_code"],
            ["jurisdiction.code"],
            name=op.f("fk_case_material_jurisdiction_code_jurisdiction"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_material")),
    )
    op.create_index(
        op.f("ix_case_material_matter_id"), "case_material", ["matter_id"], unique=False
    )
    op.create_table(
        "assistance_letter",
        sa.Column("jurisdiction_code", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("requesting_department_id", sa.UUID(), nullable=False),
        sa.Column("helper_jurisdiction_code", sa.Integer(), nullable=False),
        sa.Column("helper_province_code", sa.Integer(), nullable=False),
        sa.Column("helper_department_id", sa.UUID(), nullable=False),
        sa.Column("case_summary", sa.Text(), nullable=False),
        sa.Column("help_asked", sa.Text(), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("sent_on", sa.Date(), nullable=False),
        sa.Column("grant_id", sa.UUID(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "sent",
                "received",
                "returned",
                "answered",
                "closed",
                name="letter_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("received_on", sa.Date(), nullable=True),
        sa.Column("received_by", sa.Text(), nullable=True),
        sa.Column("returned_on", sa.Date(), nullable=True),
        sa.Column("return_reason", sa.Text(), nullable=True),
        sa.Column("answered_on", sa.Date(), nullable=True),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("closed_by", sa.Text(), nullable=True),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("province_code", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "status <> 'returned' OR return_reason IS NOT NULL",
            name=op.f("ck_assistance_letter_return_has_reason"),
        ),
        sa.CheckConstraint(
            "helper_jurisdiction_code <> jurisdiction_code",
            name=op.f("ck_assistance_letter_another_unit"),
        ),
        sa.CheckConstraint(
            "helper_province_code = helper_jurisdiction_code - helper_jurisdiction_code % 10000",
            name=op.f("ck_assistance_letter_helper_province_prefix"),
        ),
        sa.CheckConstraint(
            "province_code = jurisdiction_code - jurisdiction_code % 10000",
            name=op.f("ck_assistance_letter_province_prefix"),
        ),
        sa.ForeignKeyConstraint(
            ["grant_id"],
            ["access_grant.id"],
            name=op.f("fk_assistance_letter_grant_id_access_grant"),
        ),
        sa.ForeignKeyConstraint(
            ["helper_department_id"],
            ["department.id"],
            name=op.f("fk_assistance_letter_helper_department_id_department"),
        ),
        sa.ForeignKeyConstraint(
            ["helper_jurisdiction_code"],
            ["jurisdiction.code"],
            name=op.f("fk_assistance_letter_helper_jurisdiction_code_jurisdiction"),
        ),
        sa.ForeignKeyConstraint(
            ["jurisdiction_code"],
            ["jurisdiction.code"],
            name=op.f("fk_assistance_letter_jurisdiction_code_jurisdiction"),
        ),
        sa.ForeignKeyConstraint(
            ["requesting_department_id"],
            ["department.id"],
            name=op.f("fk_assistance_letter_requesting_department_id_department"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assistance_letter")),
        sa.UniqueConstraint("number", name=op.f("uq_assistance_letter_number")),
    )
    op.create_index(
        "ix_assistance_letter_jurisdiction_created",
        "assistance_letter",
        ["jurisdiction_code", "created_at", "id"],
        unique=False,
    )
    op.create_table(
        "lead",
        sa.Column("jurisdiction_code", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column(
            "source",
            sa.Enum(
                "witnessing",
                "monitoring",
                "random_inspection",
                "special_inspection",
                "complaint",
                name="lead_source",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("facts", sa.Text(), nullable=False),
        sa.Column("serious", sa.Boolean(), nullable=False),
        sa.Column("project_code", sa.String(length=64), nullable=True),
        sa.Column("entity_name", sa.Text(), nullable=True),
        sa.Column("found_on", sa.Date(), nullable=False),
        sa.Column("registered_by_department_id", sa.UUID(), nullable=True),
        sa.Column("complaint_id", sa.UUID(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "registered",
                "transferred",
                "verifying",
                "disposed",
                name="lead_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("competent_department_id", sa.UUID(), nullable=True),
        sa.Column("transferred_on", sa.Date(), nullable=True),
        sa.Column("verification_started_on", sa.Date(), nullable=True),
        sa.Column(
            "disposition",
            sa.Enum(
                "penalty",
                "discipline",
                "police",
                "unfounded",
                name="lead_disposition",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("disposition_department_id", sa.UUID(), nullable=True),
        sa.Column("disposition_note", sa.Text(), nullable=True),
        sa.Column("disposed_on", sa.Date(), nullable=True),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("province_code", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "(status = 'disposed') = (disposition IS NOT NULL)",
            name=op.f("ck_lead_disposed_has_disposition"),
        ),
        sa.CheckConstraint(
            "province_code = jurisdiction_code - jurisdiction_code % 10000",
            name=op.f("ck_lead_province_prefix"),
        ),
        sa.ForeignKeyConstraint(
            ["competent_department_id"],
            ["department.id"],
            name=op.f("fk_lead_competent_department_id_department"),
        ),
        sa.ForeignKeyConstraint(
            ["complaint_id"], ["complaint.id"], name=op.f("fk_lead_complaint_id_complaint")
        ),
        sa.ForeignKeyConstraint(
            ["disposition_department_id"],
            ["department.id"],
            name=op.f("fk_lead_disposition_department_id_department"),
        ),
        sa.ForeignKeyConstraint(
            ["jurisdiction_code"],
            ["jurisdiction.code"],
            name=op.f("fk_lead_jurisdiction_code_jurisdiction"),
        ),
        sa.ForeignKeyConstraint(
            ["registered_by_department_id"],
            ["department.id"],
            name=op.f("fk_lead_registered_by_department_id_department"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lead")),
        sa.UniqueConstraint("number", name=op.f("uq_lead_number")),
    )
    op.create_index(op.f("ix_lead_complaint_id"), "lead", ["complaint_id"], unique=False)
    op.create_index(
        "ix_lead_jurisdiction_created",
        "lead",
        ["jurisdiction_code", "created_at", "id"],
        unique=False,
    )
    op.create_table(
        "case_transfer",
        sa.Column("jurisdiction_code", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("sender_department_id", sa.UUID(), nullable=False),
        sa.Column("receiver_jurisdiction_code", sa.Integer(), nullable=False),
        sa.Column("receiver_province_code", sa.Integer(), nullable=False),
        sa.Column("receiver_department_id", sa.UUID(), nullable=False),
        sa.Column(
            "ground",
            sa.Enum(
                "not_competent",
                "suspension",
                "qualification",
                "licence",
                "land_transfer",
                "payment",
                "trading_ban",
                "crime",
                "other",
                name="transfer_ground",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("facts", sa.Text(), nullable=False),
        sa.Column("discovered_on", sa.Date(), nullable=False),
        sa.Column("sent_on", sa.Date(), nullable=False),
        sa.Column("complaint_id", sa.UUID(), nullable=True),
        sa.Column("lead_id", sa.UUID(), nullable=True),
        sa.Column("forwarded_from_id", sa.UUID(), nullable=True),
        sa.Column("grant_id", sa.UUID(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "sent",
                "received",
                "accepted",
                "returned",
                "forwarded",
                "reported",
                "closed",
                name="transfer_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("received_on", sa.Date(), nullable=True),
        sa.Column("received_by", sa.Text(), nullable=True),
        sa.Column("receipt_digest", sa.String(length=64), nullable=True),
        sa.Column("accepted_on", sa.Date(), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("returned_on", sa.Date(), nullable=True),
        sa.Column("return_reason", sa.Text(), nullable=True),
        sa.Column("forwarded_on", sa.Date(), nullable=True),
        sa.Column("forwarded_to_id", sa.UUID(), nullable=True),
        sa.Column("forwarded_to_jurisdiction_code", sa.Integer(), nullable=True),
        sa.Column("forwarded_to_department_id", sa.UUID(), nullable=True),
        sa.Column("forward_reason", sa.Text(), nullable=True),
        sa.Column("concluded_on", sa.Date(), nullable=True),
        sa.Column("result", sa.Text(), nullable=True),
        sa.Column("reported_on", sa.Date(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("closed_by", sa.Text(), nullable=True),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("province_code", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "status <> 'returned' OR return_reason IS NOT NULL",
            name=op.f("ck_case_transfer_return_has_reason"),
        ),
        sa.CheckConstraint(
            "province_code = jurisdiction_code - jurisdiction_code % 10000",
            name=op.f("ck_case_transfer_province_prefix"),
        ),
        sa.CheckConstraint(
            "receiver_jurisdiction_code <> jurisdiction_code",
            name=op.f("ck_case_transfer_another_unit"),
        ),
        sa.CheckConstraint(
            "receiver_province_code = receiver_jurisdiction_code - receiver_jurisdiction_code % 10000",
            name=op.f("ck_case_transfer_receiver_province_prefix"),
        ),
        sa.ForeignKeyConstraint(
            ["complaint_id"], ["complaint.id"], name=op.f("fk_case_transfer_complaint_id_complaint")
        ),
        sa.ForeignKeyConstraint(
            ["forwarded_from_id"],
            ["case_transfer.id"],
            name=op.f("fk_case_transfer_forwarded_from_id_case_transfer"),
        ),
        sa.ForeignKeyConstraint(
            ["grant_id"], ["access_grant.id"], name=op.f("fk_case_transfer_grant_id_access_grant")
        ),
        sa.ForeignKeyConstraint(
            ["jurisdiction_code"],
            ["jurisdiction.code"],
            name=op.f("fk_case_transfer_jurisdiction_code_jurisdiction"),
        ),
        sa.ForeignKeyConstraint(
            ["lead_id"], ["lead.id"], name=op.f("fk_case_transfer_lead_id_lead")
        ),
        sa.ForeignKeyConstraint(
            ["receiver_department_id"],
            ["department.id"],
            name=op.f("fk_case_transfer_receiver_department_id_department"),
        ),
        sa.ForeignKeyConstraint(
            ["receiver_jurisdiction_code"],
            ["jurisdiction.code"],
            name=op.f("fk_case_transfer_receiver_jurisdiction_code_jurisdiction"),
        ),
        sa.ForeignKeyConstraint(
            ["sender_department_id"],
            ["department.id"],
            name=op.f("fk_case_transfer_sender_department_id_department"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_transfer")),
        sa.UniqueConstraint("number", name=op.f("uq_case_transfer_number")),
    )
    op.create_index(
        op.f("ix_case_transfer_complaint_id"), "case_transfer", ["complaint_id"], unique=False
    )
    op.create_index(
        "ix_case_transfer_jurisdiction_created",
        "case_transfer",
        ["jurisdiction_code", "created_at", "id"],
        unique=False,
    )
    op.create_index(op.f("ix_case_transfer_lead_id"), "case_transfer", ["lead_id"], unique=False)
    op.create_index(
        "ix_case_transfer_receiver",
        "case_transfer",
        ["receiver_jurisdiction_code", "status"],
        unique=False,
    )
    op.create_table(
        "lead_participant",
        sa.Column("lead_id", sa.UUID(), nullable=False),
        sa.Column("jurisdiction_code", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.UUID(), nullable=False),
        sa.Column("finding", sa.Text(), nullable=True),
        sa.Column("found_on", sa.Date(), nullable=True),
        sa.Column("found_by", sa.Text(), nullable=True),
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("province_code", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "(finding IS NULL) = (found_by IS NULL)",
            name=op.f("ck_lead_participant_finding_signed"),
        ),
        sa.CheckConstraint(
            "province_code = jurisdiction_code - jurisdiction_code % 10000",
            name=op.f("ck_lead_participant_province_prefix"),
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["department.id"],
            name=op.f("fk_lead_participant_department_id_department"),
        ),
        sa.ForeignKeyConstraint(
            ["jurisdiction_code"],
            ["jurisdiction.code"],
            name=op.f("fk_lead_participant_jurisdiction_code_jurisdiction"),
        ),
        sa.ForeignKeyConstraint(
            ["lead_id"], ["lead.id"], name=op.f("fk_lead_participant_lead_id_lead")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lead_participant")),
        sa.UniqueConstraint("lead_id", "department_id", name="one_per_department"),
    )
    op.create_index(
        op.f("ix_lead_participant_lead_id"), "lead_participant", ["lead_id"], unique=False
    )
    op.create_table(
        "case_document",
        sa.Column("matter_type", sa.String(length=16), nullable=False),
        sa.Column("matter_id", sa.UUID(), nullable=False),
        sa.Column("jurisdiction_code", sa.Integer(), nullable=False),
        sa.Column("issuer_jurisdiction_code", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "transfer_letter",
                "receipt",
                "return_letter",
                "forward_notice",
                "result_reply",
                "assistance_letter",
                "letter_return",
                "letter_reply",
                "lead_disposition",
                name="case_document_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("filename", sa.Text(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("province_code", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "matter_type IN ('transfer', 'letter', 'lead')",
            name=op.f("ck_case_document_matter_type_known"),
        ),
        sa.CheckConstraint(
            "province_code = jurisdiction_code - jurisdiction_code % 10000",
            name=op.f("ck_case_document_province_prefix"),
        ),
        sa.CheckConstraint(
            "size = octet_length(content)", name=op.f("ck_case_document_size_matches")
        ),
        sa.ForeignKeyConstraint(
            ["issuer_jurisdiction_code"],
            ["jurisdiction.code"],
            name=op.f("fk_case_document_issuer_jurisdiction_code_jurisdiction"),
        ),
        sa.ForeignKeyConstraint(
            ["jurisdiction_code"],
            ["jurisdiction.code"],
            name=op.f("fk_case_document_jurisdiction_code_jurisdiction"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_document")),
        sa.UniqueConstraint("number", name=op.f("uq_case_document_number")),
    )
    op.create_index(
        op.f("ix_case_document_matter_id"), "case_document", ["matter_id"], unique=False
    )
    for policy in POLICIES:
        for statement in policy.create():
            op.execute(statement)


def downgrade() -> None:
    for policy in reversed(POLICIES):
        for statement in policy.drop():
            op.execute(statement)
    op.drop_index(op.f("ix_case_document_matter_id"), table_name="case_document")
    op.drop_table("case_document")
    op.drop_index(op.f("ix_lead_participant_lead_id"), table_name="lead_participant")
    op.drop_table("lead_participant")
    op.drop_index("ix_case_transfer_receiver", table_name="case_transfer")
    op.drop_index(op.f("ix_case_transfer_lead_id"), table_name="case_transfer")
    op.drop_index("ix_case_transfer_jurisdiction_created", table_name="case_transfer")
    op.drop_index(op.f("ix_case_transfer_complaint_id"), table_name="case_transfer")
    op.drop_table("case_transfer")
    op.drop_index("ix_lead_jurisdiction_created", table_name="lead")
    op.drop_index(op.f("ix_lead_complaint_id"), table_name="lead")
    op.drop_table("lead")
    op.drop_index("ix_assistance_letter_jurisdiction_created", table_name="assistance_letter")
    op.drop_table("assistance_letter")
    op.drop_index(op.f("ix_case_material_matter_id"), table_name="case_material")
    op.drop_table("case_material")
