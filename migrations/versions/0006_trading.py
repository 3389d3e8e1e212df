"""trading data: market entities, natural persons, projects and their lifecycle, bids, awards,
contracts, reports, experts, approved investment projects, trading catalogues

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 15:00:00.000000

Market entities are shared by the whole service (read by anyone; written by any caller who may
write). Everything else belongs to a jurisdiction and gets its row-level security from
``xietong.db.rls``:

- a project is read in the caller's subtree (or through a grant) when it is not classified; a
  classified project (涉密) only by the office, discipline inspection and audit of its unit and the
  units above it, by its supervising departments, and by the credential that registered it;
- a project's records (moves, changes, bids, award, contract and its changes, reports) are read
  exactly when their project is (``rls.parent_visible``), and belong to its jurisdiction
  (composite foreign keys);
- writes are local (the caller's write unit) and name the signed caller.

``project_disclosure`` is the public face of the record: the basics of every project that is not
classified (code, name, category, method, state, tenderer, budget, winner and amount), a view
owned by the migration role, so anonymous callers read it without any scope and never see more.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from xietong.db import rls

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JC = "jurisdiction_code"
CLASSIFIED_READERS = rls.department_kind_in("supervision_office", "discipline_inspection", "audit")

POLICIES = [
    rls.TenantPolicy(
        "market_entity",
        read="true",  # shared: the basics of an entity are public
        insert=rls.all_of(rls.may_write(), rls.is_actor("created_by")),
        update=rls.may_write(),
    ),
    rls.TenantPolicy(
        "natural_person",
        read=rls.in_read_scope(JC),
        insert=rls.in_write_unit(JC),
        update=rls.in_write_unit(JC),
    ),
    rls.TenantPolicy(
        "project",
        read=rls.any_of(
            rls.all_of(
                "NOT classified", rls.any_of(rls.in_read_scope(JC), rls.granted("id", "project"))
            ),
            rls.all_of(
                "classified",
                rls.in_read_scope(JC),
                rls.any_of(
                    CLASSIFIED_READERS,
                    rls.department_in("supervisor_ids"),
                    rls.is_actor("registered_by"),
                ),
            ),
        ),
        insert=rls.all_of(rls.in_write_unit(JC), rls.is_actor("registered_by")),
        update=rls.in_write_unit(JC),
    ),
    *(
        rls.TenantPolicy(
            table,
            read=rls.parent_visible(table, "project_id", "project"),
            insert=rls.all_of(
                rls.in_write_unit(JC),
                rls.parent_visible(table, "project_id", "project"),
                rls.is_actor(actor),
            ),
            update=rls.all_of(
                rls.in_write_unit(JC), rls.parent_visible(table, "project_id", "project")
            )
            if updatable
            else None,
        )
        for table, actor, updatable in (
            ("project_move", "actor", False),
            ("project_change", "actor", False),
            ("bid", "recorded_by", True),
            ("award", "recorded_by", True),
            ("contract", "recorded_by", True),
            ("project_report", "recorded_by", False),
        )
    ),
    rls.TenantPolicy(
        "contract_change",
        read=rls.parent_visible("contract_change", "contract_id", "contract"),
        insert=rls.all_of(
            rls.in_write_unit(JC),
            rls.parent_visible("contract_change", "contract_id", "contract"),
            rls.is_actor("recorded_by"),
        ),
    ),
    *(
        rls.TenantPolicy(
            table,
            read=rls.in_read_scope(JC),
            insert=rls.all_of(rls.in_write_unit(JC), rls.is_actor("recorded_by")),
            update=rls.in_write_unit(JC),
        )
        for table in ("expert", "approved_project")
    ),
]

DISCLOSURE = """CREATE VIEW public.project_disclosure WITH (security_barrier) AS
  SELECT p.id, p.jurisdiction_code, p.province_code, p.project_code, p.name, p.category,
         p.method, p.state, p.tenderer_id, p.budget_fen, p.registered_at,
         a.winner_id, a.amount_fen AS award_amount_fen, a.awarded_at
  FROM public.project p LEFT JOIN public.award a ON a.project_id = p.id
  WHERE NOT p.classified"""


def upgrade() -> None:
    op.create_table(
        "market_entity",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("credit_code", sa.String(length=18), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "enterprise",
                "public_institution",
                "social_organisation",
                "individual_business",
                "other",
                name="entity_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("division", sa.String(length=6), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
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
        sa.PrimaryKeyConstraint("id", name=op.f("pk_market_entity")),
        sa.UniqueConstraint("credit_code", name=op.f("uq_market_entity_credit_code")),
    )
    op.create_table(
        "approved_project",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("jurisdiction_code", sa.Integer(), nullable=False),
        sa.Column("province_code", sa.Integer(), nullable=False),
        sa.Column("approval_number", sa.String(length=64), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("owner_name", sa.Text(), nullable=False),
        sa.Column("owner_credit_code", sa.String(length=18), nullable=True),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column(
            "category",
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
        sa.Column(
            "funding",
            sa.Enum(
                "government",
                "state_owned",
                "international",
                "non_state",
                name="funding_source",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("approved_on", sa.Date(), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
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
        sa.CheckConstraint("amount_fen >= 0", name=op.f("ck_approved_project_amount_not_negative")),
        sa.CheckConstraint(
            "province_code = jurisdiction_code - jurisdiction_code % 10000",
            name=op.f("ck_approved_project_province_prefix"),
        ),
        sa.ForeignKeyConstraint(
            ["jurisdiction_code"],
            ["jurisdiction.code"],
            name=op.f("fk_approved_project_jurisdiction_code_jurisdiction"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approved_project")),
        sa.UniqueConstraint(
            "jurisdiction_code",
            "approval_number",
            name=op.f("uq_approved_project_jurisdiction_code_approval_number"),
        ),
    )
    op.create_table(
        "expert",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("jurisdiction_code", sa.Integer(), nullable=False),
        sa.Column("province_code", sa.Integer(), nullable=False),
        sa.Column("library_province_code", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("id_masked", sa.String(length=18), nullable=False),
        sa.Column("id_digest", sa.String(length=64), nullable=False),
        sa.Column("specialities", sa.ARRAY(sa.String(length=64)), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "active",
                "suspended",
                "disqualified",
                "retired",
                name="expert_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
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
            "province_code = jurisdiction_code - jurisdiction_code % 10000",
            name=op.f("ck_expert_province_prefix"),
        ),
        sa.ForeignKeyConstraint(
            ["jurisdiction_code"],
            ["jurisdiction.code"],
            name=op.f("fk_expert_jurisdiction_code_jurisdiction"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_expert")),
        sa.UniqueConstraint(
            "jurisdiction_code", "id_digest", name=op.f("uq_expert_jurisdiction_code_id_digest")
        ),
    )
    op.create_index(op.f("ix_expert_id_digest"), "expert", ["id_digest"], unique=False)
    op.create_table(
        "natural_person",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("jurisdiction_code", sa.Integer(), nullable=False),
        sa.Column("province_code", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("id_masked", sa.String(length=18), nullable=False),
        sa.Column("id_digest", sa.String(length=64), nullable=False),
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
            "province_code = jurisdiction_code - jurisdiction_code % 10000",
            name=op.f("ck_natural_person_province_prefix"),
        ),
        sa.ForeignKeyConstraint(
            ["jurisdiction_code"],
            ["jurisdiction.code"],
            name=op.f("fk_natural_person_jurisdiction_code_jurisdiction"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_natural_person")),
        sa.UniqueConstraint(
            "jurisdiction_code",
            "id_digest",
            name=op.f("uq_natural_person_jurisdiction_code_id_digest"),
        ),
    )
    op.create_index(
        op.f("ix_natural_person_id_digest"), "natural_person", ["id_digest"], unique=False
    )
    op.create_table(
        "trading_catalogue",
        sa.Column("province_code", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("document", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column(
            "loaded_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["province_code"],
            ["jurisdiction.code"],
            name=op.f("fk_trading_catalogue_province_code_jurisdiction"),
        ),
        sa.PrimaryKeyConstraint("province_code", name=op.f("pk_trading_catalogue")),
    )
    op.create_table(
        "project",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("jurisdiction_code", sa.Integer(), nullable=False),
        sa.Column("province_code", sa.Integer(), nullable=False),
        sa.Column("source_system", sa.String(length=64), nullable=False),
        sa.Column("source_id", sa.String(length=64), nullable=False),
        sa.Column("project_code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column(
            "category",
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
        sa.Column(
            "method",
            sa.Enum(
                "open_tender",
                "invited_tender",
                "competitive_negotiation",
                "competitive_consultation",
                "inquiry",
                "single_source",
                "framework_agreement",
                "cooperative_innovation",
                "auction",
                "listing",
                "online_bidding",
                "negotiated_transfer",
                "other",
                name="trading_method",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("tenderer_id", sa.UUID(), nullable=False),
        sa.Column("agency_id", sa.UUID(), nullable=True),
        sa.Column("trading_centre_id", sa.UUID(), nullable=True),
        sa.Column("budget_fen", sa.BigInteger(), nullable=False),
        sa.Column("classified", sa.Boolean(), nullable=False),
        sa.Column("separated_evaluation", sa.Boolean(), nullable=False),
        sa.Column("approval_number", sa.String(length=64), nullable=True),
        sa.Column("supervisor_ids", sa.ARRAY(sa.UUID()), nullable=False),
        sa.Column("supervisor_powers", sa.ARRAY(sa.String(length=64)), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "registered",
                "announced",
                "bidding",
                "evaluating",
                "awarded",
                "contracted",
                "performing",
                "closed",
                "suspended",
                "failed",
                "cancelled",
                name="project_state",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "suspended_from",
            sa.Enum(
                "registered",
                "announced",
                "bidding",
                "evaluating",
                "awarded",
                "contracted",
                "performing",
                "closed",
                "suspended",
                "failed",
                "cancelled",
                name="suspended_from",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("registered_by", sa.String(length=64), nullable=False),
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
        sa.CheckConstraint("budget_fen >= 0", name=op.f("ck_project_budget_not_negative")),
        sa.CheckConstraint("cardinality(supervisor_ids) > 0", name=op.f("ck_project_supervised")),
        sa.CheckConstraint(
            "province_code = jurisdiction_code - jurisdiction_code % 10000",
            name=op.f("ck_project_province_prefix"),
        ),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["market_entity.id"], name=op.f("fk_project_agency_id_market_entity")
        ),
        sa.ForeignKeyConstraint(
            ["jurisdiction_code"],
            ["jurisdiction.code"],
            name=op.f("fk_project_jurisdiction_code_jurisdiction"),
        ),
        sa.ForeignKeyConstraint(
            ["tenderer_id"], ["market_entity.id"], name=op.f("fk_project_tenderer_id_market_entity")
        ),
        sa.ForeignKeyConstraint(
            ["trading_centre_id"],
            ["department.id"],
            name=op.f("fk_project_trading_centre_id_department"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project")),
        sa.UniqueConstraint(
            "id", "jurisdiction_code", name=op.f("uq_project_id_jurisdiction_code")
        ),
        sa.UniqueConstraint(
            "jurisdiction_code",
            "project_code",
            name=op.f("uq_project_jurisdiction_code_project_code"),
        ),
        sa.UniqueConstraint(
            "jurisdiction_code",
            "source_system",
            "source_id",
            name=op.f("uq_project_jurisdiction_code_source_system_source_id"),
        ),
    )
    op.create_index(
        "ix_project_jurisdiction_code_registered_at",
        "project",
        ["jurisdiction_code", "registered_at"],
        unique=False,
    )
    op.create_index(
        "ix_project_supervisor_ids",
        "project",
        ["supervisor_ids"],
        unique=False,
        postgresql_using="gin",
    )
    op.create_index(op.f("ix_project_tenderer_id"), "project", ["tenderer_id"], unique=False)
    op.create_table(
        "award",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("project_id", sa.UUID(), nullable=False),
        sa.Column("jurisdiction_code", sa.Integer(), nullable=False),
        sa.Column("province_code", sa.Integer(), nullable=False),
        sa.Column("winner_id", sa.UUID(), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("awarded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
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
        sa.CheckConstraint("amount_fen >= 0", name=op.f("ck_award_amount_not_negative")),
        sa.CheckConstraint(
            "province_code = jurisdiction_code - jurisdiction_code % 10000",
            name=op.f("ck_award_province_prefix"),
        ),
        sa.ForeignKeyConstraint(
            ["project_id", "jurisdiction_code"],
            ["project.id", "project.jurisdiction_code"],
            name="fk_award_project",
        ),
        sa.ForeignKeyConstraint(
            ["winner_id"], ["market_entity.id"], name=op.f("fk_award_winner_id_market_entity")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_award")),
        sa.UniqueConstraint("project_id", name=op.f("uq_award_project_id")),
    )
    op.create_index(op.f("ix_award_winner_id"), "award", ["winner_id"], unique=False)
    op.create_table(
        "bid",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("project_id", sa.UUID(), nullable=False),
        sa.Column("jurisdiction_code", sa.Integer(), nullable=False),
        sa.Column("province_code", sa.Integer(), nullable=False),
        sa.Column("bidder_id", sa.UUID(), nullable=False),
        sa.Column("price_fen", sa.BigInteger(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ip", sa.String(length=45), nullable=True),
        sa.Column("mac", sa.String(length=17), nullable=True),
        sa.Column("cpu_serial", sa.String(length=64), nullable=True),
        sa.Column("disk_serial", sa.String(length=64), nullable=True),
        sa.Column("board_serial", sa.String(length=64), nullable=True),
        sa.Column("file_creator", sa.String(length=64), nullable=True),
        sa.Column("file_machine_code", sa.String(length=64), nullable=True),
        sa.Column("pricing_lock_serial", sa.String(length=64), nullable=True),
        sa.Column("deposit_account", sa.String(length=64), nullable=True),
        sa.Column("project_manager_id", sa.UUID(), nullable=True),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
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
        sa.CheckConstraint("price_fen >= 0", name=op.f("ck_bid_price_not_negative")),
        sa.CheckConstraint(
            "province_code = jurisdiction_code - jurisdiction_code % 10000",
            name=op.f("ck_bid_province_prefix"),
        ),
        sa.ForeignKeyConstraint(
            ["bidder_id"], ["market_entity.id"], name=op.f("fk_bid_bidder_id_market_entity")
        ),
        sa.ForeignKeyConstraint(
            ["project_id", "jurisdiction_code"],
            ["project.id", "project.jurisdiction_code"],
            name="fk_bid_project",
        ),
        sa.ForeignKeyConstraint(
            ["project_manager_id"],
            ["natural_person.id"],
            name=op.f("fk_bid_project_manager_id_natural_person"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bid")),
        sa.UniqueConstraint("project_id", "bidder_id", name=op.f("uq_bid_project_id_bidder_id")),
    )
    op.create_index(op.f("ix_bid_bidder_id"), "bid", ["bidder_id"], unique=False)
    op.create_table(
        "contract",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("project_id", sa.UUID(), nullable=False),
        sa.Column("jurisdiction_code", sa.Integer(), nullable=False),
        sa.Column("province_code", sa.Integer(), nullable=False),
        sa.Column("contract_number", sa.String(length=64), nullable=False),
        sa.Column("supplier_id", sa.UUID(), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
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
        sa.CheckConstraint("amount_fen >= 0", name=op.f("ck_contract_amount_not_negative")),
        sa.CheckConstraint(
            "province_code = jurisdiction_code - jurisdiction_code % 10000",
            name=op.f("ck_contract_province_prefix"),
        ),
        sa.ForeignKeyConstraint(
            ["project_id", "jurisdiction_code"],
            ["project.id", "project.jurisdiction_code"],
            name="fk_contract_project",
        ),
        sa.ForeignKeyConstraint(
            ["supplier_id"],
            ["market_entity.id"],
            name=op.f("fk_contract_supplier_id_market_entity"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contract")),
        sa.UniqueConstraint(
            "id", "jurisdiction_code", name=op.f("uq_contract_id_jurisdiction_code")
        ),
        sa.UniqueConstraint("project_id", name=op.f("uq_contract_project_id")),
    )
    op.create_table(
        "project_change",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("project_id", sa.UUID(), nullable=False),
        sa.Column("jurisdiction_code", sa.Integer(), nullable=False),
        sa.Column("province_code", sa.Integer(), nullable=False),
        sa.Column(
            "changed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("changes", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.CheckConstraint(
            "province_code = jurisdiction_code - jurisdiction_code % 10000",
            name=op.f("ck_project_change_province_prefix"),
        ),
        sa.ForeignKeyConstraint(
            ["project_id", "jurisdiction_code"],
            ["project.id", "project.jurisdiction_code"],
            name="fk_project_change_project",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_change")),
    )
    op.create_index(
        op.f("ix_project_change_project_id"), "project_change", ["project_id"], unique=False
    )
    op.create_table(
        "project_move",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("project_id", sa.UUID(), nullable=False),
        sa.Column("jurisdiction_code", sa.Integer(), nullable=False),
        sa.Column("province_code", sa.Integer(), nullable=False),
        sa.Column(
            "action",
            sa.Enum(
                "register",
                "announce",
                "open_bidding",
                "open_bids",
                "award",
                "sign_contract",
                "start_performance",
                "close",
                "suspend",
                "resume",
                "fail",
                "cancel",
                name="project_action",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "source",
            sa.Enum(
                "registered",
                "announced",
                "bidding",
                "evaluating",
                "awarded",
                "contracted",
                "performing",
                "closed",
                "suspended",
                "failed",
                "cancelled",
                name="source_state",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column(
            "target",
            sa.Enum(
                "registered",
                "announced",
                "bidding",
                "evaluating",
                "awarded",
                "contracted",
                "performing",
                "closed",
                "suspended",
                "failed",
                "cancelled",
                name="target_state",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "by_role",
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
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "province_code = jurisdiction_code - jurisdiction_code % 10000",
            name=op.f("ck_project_move_province_prefix"),
        ),
        sa.ForeignKeyConstraint(
            ["project_id", "jurisdiction_code"],
            ["project.id", "project.jurisdiction_code"],
            name="fk_project_move_project",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_move")),
    )
    op.create_index(
        op.f("ix_project_move_project_id"), "project_move", ["project_id"], unique=False
    )
    op.create_table(
        "project_report",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("project_id", sa.UUID(), nullable=False),
        sa.Column("jurisdiction_code", sa.Integer(), nullable=False),
        sa.Column("province_code", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.String(length=64), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "performance",
                "supervision",
                "credit",
                name="report_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "reporter",
            sa.Enum(
                "tenderer",
                "industry_department",
                name="reporter_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "province_code = jurisdiction_code - jurisdiction_code % 10000",
            name=op.f("ck_project_report_province_prefix"),
        ),
        sa.ForeignKeyConstraint(
            ["project_id", "jurisdiction_code"],
            ["project.id", "project.jurisdiction_code"],
            name="fk_project_report_project",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_report")),
        sa.UniqueConstraint(
            "project_id", "source_id", name=op.f("uq_project_report_project_id_source_id")
        ),
    )
    op.create_table(
        "contract_change",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("contract_id", sa.UUID(), nullable=False),
        sa.Column("jurisdiction_code", sa.Integer(), nullable=False),
        sa.Column("province_code", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.CheckConstraint("amount_fen >= 0", name=op.f("ck_contract_change_amount_not_negative")),
        sa.CheckConstraint(
            "province_code = jurisdiction_code - jurisdiction_code % 10000",
            name=op.f("ck_contract_change_province_prefix"),
        ),
        sa.ForeignKeyConstraint(
            ["contract_id", "jurisdiction_code"],
            ["contract.id", "contract.jurisdiction_code"],
            name="fk_contract_change_contract",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contract_change")),
    )
    op.create_index(
        op.f("ix_contract_change_contract_id"), "contract_change", ["contract_id"], unique=False
    )
    for policy in POLICIES:
        for statement in policy.create():
            op.execute(statement)
    op.execute(DISCLOSURE)


def downgrade() -> None:
    op.execute("DROP VIEW public.project_disclosure")
    for policy in reversed(POLICIES):
        for statement in policy.drop():
            op.execute(statement)
    op.drop_index(op.f("ix_contract_change_contract_id"), table_name="contract_change")
    op.drop_table("contract_change")
    op.drop_table("project_report")
    op.drop_index(op.f("ix_project_move_project_id"), table_name="project_move")
    op.drop_table("project_move")
    op.drop_index(op.f("ix_project_change_project_id"), table_name="project_change")
    op.drop_table("project_change")
    op.drop_table("contract")
    op.drop_index(op.f("ix_bid_bidder_id"), table_name="bid")
    op.drop_table("bid")
    op.drop_index(op.f("ix_award_winner_id"), table_name="award")
    op.drop_table("award")
    op.drop_index(op.f("ix_project_tenderer_id"), table_name="project")
    op.drop_index("ix_project_supervisor_ids", table_name="project", postgresql_using="gin")
    op.drop_index("ix_project_jurisdiction_code_registered_at", table_name="project")
    op.drop_table("project")
    op.drop_table("trading_catalogue")
    op.drop_index(op.f("ix_natural_person_id_digest"), table_name="natural_person")
    op.drop_table("natural_person")
    op.drop_index(op.f("ix_expert_id_digest"), table_name="expert")
    op.drop_table("expert")
    op.drop_table("approved_project")
    op.drop_table("market_entity")
