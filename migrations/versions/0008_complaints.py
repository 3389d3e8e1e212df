"""complaints (投诉举报, R-7): complaints, their attachments and notices, and public tracking

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26 14:12:26.694385

Three tenant tables under row-level security (``xietong.db.rls``): a unit's complaints are read
in its read range (and its superiors'), written in its write unit only, and inserted only under
the signed actor (``created_by``) — for a complaint always ``public:<tracking code>``, since the
public files every complaint (docs/decisions.md: public filing under a narrow signed scope).

Tracking needs no scope at all: ``xietong_complaint_track(code, secret_hash)`` and
``xietong_complaint_notice(code, secret_hash, notice_id)`` are ``SECURITY DEFINER`` functions
(owned by the table owner, fixed ``search_path``, qualified names) that answer for exactly one
complaint, and only when the secret's hash matches: what the filer may see of it, nothing else.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from xietong.db import rls

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

POLICIES = [
    rls.TenantPolicy(
        "complaint",
        read=rls.any_of(rls.in_read_scope("jurisdiction_code"), rls.granted("id", "complaint")),
        insert=rls.all_of(rls.in_write_unit("jurisdiction_code"), rls.is_actor("created_by")),
        update=rls.in_write_unit("jurisdiction_code"),
    ),
    *(
        rls.TenantPolicy(
            table,
            read=rls.in_read_scope("jurisdiction_code"),
            insert=rls.all_of(rls.in_write_unit("jurisdiction_code"), rls.is_actor("created_by")),
        )
        for table in ("complaint_attachment", "complaint_notice")
    ),
]

FUNCTIONS_UP = [
    """CREATE FUNCTION public.xietong_complaint_track(p_code text, p_secret_hash text)
       RETURNS jsonb
       LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
         SELECT jsonb_build_object(
           'id', c.id,
           'jurisdiction_code', c.jurisdiction_code,
           'tracking_code', c.tracking_code,
           'regime', c.regime,
           'category', c.category,
           'title', c.title,
           'status', c.status,
           'outcome', c.outcome,
           'received_on', c.received_on,
           'closed_on', c.closed_on,
           'correction_items', CASE WHEN c.status = 'correction' THEN c.correction_items END,
           'refusal_ground', c.refusal_ground,
           'redirect_to', c.redirect_to,
           'answer', c.answer,
           'satisfied', c.satisfied,
           'rated_at', c.rated_at,
           'reopen_count', c.reopen_count,
           'notices', COALESCE((
             SELECT jsonb_agg(jsonb_build_object(
                      'id', n.id, 'kind', n.kind, 'number', n.number,
                      'issued_on', n.issued_on, 'filename', n.filename,
                      'sha256', n.sha256, 'size', n.size)
                    ORDER BY n.issued_on, n.created_at, n.id)
             FROM public.complaint_notice n WHERE n.complaint_id = c.id), '[]'::jsonb))
         FROM public.complaint c
         WHERE c.tracking_code = p_code AND c.secret_hash = p_secret_hash
       $$""",
    """CREATE FUNCTION public.xietong_complaint_notice(
         p_code text, p_secret_hash text, p_notice uuid)
       RETURNS bytea
       LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
         SELECT n.content
         FROM public.complaint c JOIN public.complaint_notice n ON n.complaint_id = c.id
         WHERE c.tracking_code = p_code AND c.secret_hash = p_secret_hash AND n.id = p_notice
       $$""",
    "REVOKE ALL ON FUNCTION public.xietong_complaint_track(text, text) FROM PUBLIC",
    "REVOKE ALL ON FUNCTION public.xietong_complaint_notice(text, text, uuid) FROM PUBLIC",
]
FUNCTIONS_DOWN = [
    "DROP FUNCTION IF EXISTS public.xietong_complaint_notice(text, text, uuid)",
    "DROP FUNCTION IF EXISTS public.xietong_complaint_track(text, text)",
]


def upgrade() -> None:
    op.create_table(
        "complaint",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("jurisdiction_code", sa.Integer(), nullable=False),
        sa.Column("province_code", sa.Integer(), nullable=False),
        sa.Column("tracking_code", sa.String(length=16), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column(
            "regime",
            sa.Enum(
                "tendering",
                "procurement",
                "other",
                name="complaint_regime",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "category",
            sa.Enum(
                "tender_documents",
                "qualification",
                "evaluation",
                "award",
                "collusion",
                "fraud",
                "contract",
                "official_conduct",
                "other",
                name="complaint_category",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("project_code", sa.String(length=64), nullable=True),
        sa.Column("project_id", sa.UUID(), nullable=True),
        sa.Column(
            "project_category",
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
            nullable=True,
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
        sa.Column("entity_credit_code", sa.String(length=18), nullable=True),
        sa.Column("entity_name", sa.Text(), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("knew_on", sa.Date(), nullable=True),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("filer_name", sa.Text(), nullable=True),
        sa.Column("filer_contact", sa.Text(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "received",
                "at_office",
                "assigned",
                "correction",
                "accepted",
                "examination",
                "decided",
                "refused",
                "redirected",
                "closed",
                name="complaint_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "outcome",
            sa.Enum(
                "decided",
                "refused",
                "redirected",
                name="complaint_outcome",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("receiving_department_id", sa.UUID(), nullable=False),
        sa.Column("handling_department_id", sa.UUID(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("at_office_on", sa.Date(), nullable=True),
        sa.Column("handed_on", sa.Date(), nullable=True),
        sa.Column("review_on", sa.Date(), nullable=True),
        sa.Column("accepted_on", sa.Date(), nullable=True),
        sa.Column("concluded_on", sa.Date(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column(
            "correction_requested", sa.Boolean(), server_default=sa.text("false"), nullable=False
        ),
        sa.Column("correction_items", sa.Text(), nullable=True),
        sa.Column(
            "pause_reason",
            sa.Enum(
                "correction",
                "testing",
                "appraisal",
                "expert_review",
                "objection",
                name="pause_reason",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("suspended", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("respondent_notified_on", sa.Date(), nullable=True),
        sa.Column("respondent_answered_on", sa.Date(), nullable=True),
        sa.Column(
            "refusal_ground",
            sa.Enum(
                "late",
                "not_interested_party",
                "no_specific_matter",
                "anonymous",
                "already_decided",
                "in_reconsideration_or_litigation",
                "no_prior_objection",
                "beyond_query_scope",
                "not_corrected",
                name="refusal_ground",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=True,
        ),
        sa.Column("redirect_to", sa.Text(), nullable=True),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("satisfied", sa.Boolean(), nullable=True),
        sa.Column("rating_comment", sa.Text(), nullable=True),
        sa.Column("rated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reopen_count", sa.SmallInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("client_hash", sa.String(length=64), nullable=True),
        sa.Column("created_by", sa.Text(), nullable=False),
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
            "created_by = 'public:' || tracking_code", name=op.f("ck_complaint_filed_by_public")
        ),
        sa.CheckConstraint(
            "NOT anonymous OR (filer_name IS NULL AND filer_contact IS NULL)",
            name=op.f("ck_complaint_anonymous_has_no_name"),
        ),
        sa.CheckConstraint(
            "anonymous OR (filer_name IS NOT NULL AND filer_contact IS NOT NULL)",
            name=op.f("ck_complaint_named_has_contact"),
        ),
        sa.CheckConstraint(
            "project_code IS NOT NULL OR entity_credit_code IS NOT NULL",
            name=op.f("ck_complaint_has_subject"),
        ),
        sa.CheckConstraint(
            "province_code = jurisdiction_code - jurisdiction_code % 10000",
            name=op.f("ck_complaint_province_prefix"),
        ),
        sa.CheckConstraint("reopen_count BETWEEN 0 AND 1", name=op.f("ck_complaint_reopened_once")),
        sa.ForeignKeyConstraint(
            ["handling_department_id"],
            ["department.id"],
            name=op.f("fk_complaint_handling_department_id_department"),
        ),
        sa.ForeignKeyConstraint(
            ["jurisdiction_code"],
            ["jurisdiction.code"],
            name=op.f("fk_complaint_jurisdiction_code_jurisdiction"),
        ),
        sa.ForeignKeyConstraint(
            ["receiving_department_id"],
            ["department.id"],
            name=op.f("fk_complaint_receiving_department_id_department"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaint")),
        sa.UniqueConstraint("tracking_code", name=op.f("uq_complaint_tracking_code")),
    )
    op.create_index(
        "ix_complaint_client_recent",
        "complaint",
        ["jurisdiction_code", "client_hash", "received_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_complaint_entity_credit_code"), "complaint", ["entity_credit_code"], unique=False
    )
    op.create_index(
        "ix_complaint_handling_department",
        "complaint",
        ["handling_department_id", "status"],
        unique=False,
    )
    op.create_index(
        "ix_complaint_jurisdiction_received",
        "complaint",
        ["jurisdiction_code", "received_at", "id"],
        unique=False,
    )
    op.create_index(op.f("ix_complaint_project_code"), "complaint", ["project_code"], unique=False)
    op.create_table(
        "complaint_attachment",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("complaint_id", sa.UUID(), nullable=False),
        sa.Column("jurisdiction_code", sa.Integer(), nullable=False),
        sa.Column("province_code", sa.Integer(), nullable=False),
        sa.Column("filename", sa.Text(), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "province_code = jurisdiction_code - jurisdiction_code % 10000",
            name=op.f("ck_complaint_attachment_province_prefix"),
        ),
        sa.CheckConstraint(
            "size = octet_length(content)", name=op.f("ck_complaint_attachment_size_matches")
        ),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaint.id"],
            name=op.f("fk_complaint_attachment_complaint_id_complaint"),
        ),
        sa.ForeignKeyConstraint(
            ["jurisdiction_code"],
            ["jurisdiction.code"],
            name=op.f("fk_complaint_attachment_jurisdiction_code_jurisdiction"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaint_attachment")),
    )
    op.create_index(
        op.f("ix_complaint_attachment_complaint_id"),
        "complaint_attachment",
        ["complaint_id"],
        unique=False,
    )
    op.create_table(
        "complaint_notice",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("complaint_id", sa.UUID(), nullable=False),
        sa.Column("jurisdiction_code", sa.Integer(), nullable=False),
        sa.Column("province_code", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "acceptance",
                "refusal",
                "correction",
                "redirect",
                "decision",
                name="notice_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("issued_by_department_id", sa.UUID(), nullable=False),
        sa.Column("rule_ids", postgresql.ARRAY(sa.String(length=64)), nullable=False),
        sa.Column("filename", sa.Text(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "province_code = jurisdiction_code - jurisdiction_code % 10000",
            name=op.f("ck_complaint_notice_province_prefix"),
        ),
        sa.CheckConstraint(
            "size = octet_length(content)", name=op.f("ck_complaint_notice_size_matches")
        ),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaint.id"],
            name=op.f("fk_complaint_notice_complaint_id_complaint"),
        ),
        sa.ForeignKeyConstraint(
            ["issued_by_department_id"],
            ["department.id"],
            name=op.f("fk_complaint_notice_issued_by_department_id_department"),
        ),
        sa.ForeignKeyConstraint(
            ["jurisdiction_code"],
            ["jurisdiction.code"],
            name=op.f("fk_complaint_notice_jurisdiction_code_jurisdiction"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaint_notice")),
        sa.UniqueConstraint("number", name=op.f("uq_complaint_notice_number")),
    )
    op.create_index(
        op.f("ix_complaint_notice_complaint_id"), "complaint_notice", ["complaint_id"], unique=False
    )
    for policy in POLICIES:
        for statement in policy.create():
            op.execute(statement)
    for statement in FUNCTIONS_UP:
        op.execute(statement)


def downgrade() -> None:
    for statement in FUNCTIONS_DOWN:
        op.execute(statement)
    for policy in POLICIES:
        for statement in policy.drop():
            op.execute(statement)
    op.drop_index(op.f("ix_complaint_notice_complaint_id"), table_name="complaint_notice")
    op.drop_table("complaint_notice")
    op.drop_index(op.f("ix_complaint_attachment_complaint_id"), table_name="complaint_attachment")
    op.drop_table("complaint_attachment")
    op.drop_index(op.f("ix_complaint_project_code"), table_name="complaint")
    op.drop_index("ix_complaint_jurisdiction_received", table_name="complaint")
    op.drop_index("ix_complaint_handling_department", table_name="complaint")
    op.drop_index(op.f("ix_complaint_entity_credit_code"), table_name="complaint")
    op.drop_index("ix_complaint_client_recent", table_name="complaint")
    op.drop_table("complaint")
