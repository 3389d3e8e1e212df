"""obligations, their pauses, notifications, loaded calendar years, overrides and promises

Revision ID: 0007
Revises: 0005
Create Date: 2026-11-26 14:08:19.626384

Tenant tables (``obligation``, ``obligation_pause``, ``notification``) get row-level security
from ``xietong.db.rls``: obligations and their pauses are read up the chain (a superior reads its
subtree) and written only in the caller's write unit, by the signed actor; a notification is read
in its recipient's own unit only and written by the sweep's system scope of that unit; marking it
read is allowed to the recipient department alone. Calendar data (``calendar_year``,
``calendar_override``, ``local_promise``) is public reference data the table owner writes
(``xietong calendar load``, ``xietong tenants load``); statement triggers move
``deadline_config.token`` whenever it changes, so every process rebuilds its calendars.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from xietong.db import rls

revision: str = "0007"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

POLICIES = [
    rls.TenantPolicy(
        "obligation",
        read=rls.in_read_scope("jurisdiction_code"),
        insert=rls.all_of(rls.in_write_unit("jurisdiction_code"), rls.is_actor("created_by")),
        update=rls.in_write_unit("jurisdiction_code"),
    ),
    rls.TenantPolicy(
        "obligation_pause",
        read=rls.in_read_scope("jurisdiction_code"),
        insert=rls.all_of(
            rls.in_write_unit("jurisdiction_code"),
            rls.is_actor("created_by"),
            rls.is_null("ended_on", "ended_by"),
        ),
        update=rls.all_of(rls.in_write_unit("jurisdiction_code"), rls.is_null("ended_on")),
        update_check=rls.all_of(rls.in_write_unit("jurisdiction_code"), rls.is_actor("ended_by")),
    ),
    rls.TenantPolicy(
        "notification",
        read=rls.in_own_unit("jurisdiction_code"),
        insert=rls.all_of(
            rls.in_write_unit("jurisdiction_code"),
            rls.is_actor("created_by"),
            rls.is_null("read_at", "read_by"),
        ),
        update=rls.all_of(
            rls.in_write_unit("jurisdiction_code"),
            rls.any_of(
                rls.is_null("recipient_department_id"),
                rls.is_department("recipient_department_id"),
            ),
        ),
        update_check=rls.all_of(
            rls.in_write_unit("jurisdiction_code"),
            rls.any_of(
                rls.is_null("recipient_department_id"),
                rls.is_department("recipient_department_id"),
            ),
            rls.is_actor("read_by"),
        ),
    ),
]

CALENDAR_TABLES = ("calendar_year", "calendar_override", "local_promise")

TRIGGERS_UP = [
    "INSERT INTO deadline_config (id) VALUES (true)",
    # Owner-only writes fire it (the application role may not write these tables).
    """CREATE FUNCTION xietong_deadline_config_changed() RETURNS trigger
       LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
       BEGIN
         UPDATE public.deadline_config SET token = gen_random_uuid(), changed_at = now();
         RETURN NULL;
       END $$""",
    "REVOKE ALL ON FUNCTION xietong_deadline_config_changed() FROM PUBLIC",
    *(
        f"CREATE TRIGGER deadline_config_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
        f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION xietong_deadline_config_changed()"
        for table in CALENDAR_TABLES
    ),
]
TRIGGERS_DOWN = [
    *(f"DROP TRIGGER deadline_config_changed ON {table}" for table in CALENDAR_TABLES),
    "DROP FUNCTION xietong_deadline_config_changed()",
]


def upgrade() -> None:
    op.create_table(
        "calendar_year",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("notice", sa.Text(), nullable=False),
        sa.Column("document", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("loaded_by", sa.Text(), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("year BETWEEN 2000 AND 2199", name=op.f("ck_calendar_year_year_range")),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_calendar_year")),
    )
    op.create_table(
        "deadline_config",
        sa.Column("id", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("token", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column(
            "changed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("id", name=op.f("ck_deadline_config_one_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deadline_config")),
    )
    op.create_table(
        "calendar_override",
        sa.Column("jurisdiction_code", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("province_code", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "closed",
                "open",
                name="override_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "province_code = jurisdiction_code - jurisdiction_code % 10000",
            name=op.f("ck_calendar_override_province_prefix"),
        ),
        sa.ForeignKeyConstraint(
            ["jurisdiction_code"],
            ["jurisdiction.code"],
            name=op.f("fk_calendar_override_jurisdiction_code_jurisdiction"),
        ),
        sa.PrimaryKeyConstraint("jurisdiction_code", "day", name=op.f("pk_calendar_override")),
    )
    op.create_index(
        op.f("ix_calendar_override_province_code"),
        "calendar_override",
        ["province_code"],
        unique=False,
    )
    op.create_table(
        "local_promise",
        sa.Column("jurisdiction_code", sa.Integer(), nullable=False),
        sa.Column("rule_id", sa.String(length=64), nullable=False),
        sa.Column("province_code", sa.Integer(), nullable=False),
        sa.Column("amount", sa.SmallInteger(), nullable=False),
        sa.Column(
            "unit",
            sa.Enum(
                "working_days",
                "calendar_days",
                name="unit",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("source", sa.Text(), nullable=False),
        sa.CheckConstraint("amount BETWEEN 1 AND 3650", name=op.f("ck_local_promise_amount_range")),
        sa.CheckConstraint(
            "province_code = jurisdiction_code - jurisdiction_code % 10000",
            name=op.f("ck_local_promise_province_prefix"),
        ),
        sa.ForeignKeyConstraint(
            ["jurisdiction_code"],
            ["jurisdiction.code"],
            name=op.f("fk_local_promise_jurisdiction_code_jurisdiction"),
        ),
        sa.PrimaryKeyConstraint("jurisdiction_code", "rule_id", name=op.f("pk_local_promise")),
    )
    op.create_index(
        op.f("ix_local_promise_province_code"), "local_promise", ["province_code"], unique=False
    )
    op.create_table(
        "obligation",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("rule_id", sa.String(length=64), nullable=False),
        sa.Column("matter_type", sa.String(length=32), nullable=False),
        sa.Column("matter_id", sa.UUID(), nullable=False),
        sa.Column("jurisdiction_code", sa.Integer(), nullable=False),
        sa.Column("province_code", sa.Integer(), nullable=False),
        sa.Column("owing_department_id", sa.UUID(), nullable=True),
        sa.Column("escalate_to", sa.Integer(), nullable=True),
        sa.Column("counterparty", sa.Text(), nullable=True),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("counted_from", sa.Date(), nullable=False),
        sa.Column(
            "unit",
            sa.Enum(
                "working_days",
                "calendar_days",
                name="unit",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("amount", sa.SmallInteger(), nullable=False),
        sa.Column("promised_amount", sa.SmallInteger(), nullable=True),
        sa.Column("promise_source", sa.Text(), nullable=True),
        sa.Column("promise_jurisdiction", sa.Integer(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("promised_due_on", sa.Date(), nullable=True),
        sa.Column(
            "work_due_on",
            sa.Date(),
            sa.Computed("COALESCE(due_on, DATE '2199-12-31')", persisted=True),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "met",
                "overdue",
                "cancelled",
                name="obligation_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            server_default="open",
            nullable=False,
        ),
        sa.Column("met_on", sa.Date(), nullable=True),
        sa.Column("cancelled_on", sa.Date(), nullable=True),
        sa.Column("cancel_reason", sa.Text(), nullable=True),
        sa.Column("paused", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("paused_since", sa.Date(), nullable=True),
        sa.Column("paused_days", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("provisional", sa.Boolean(), nullable=False),
        sa.Column("calendar_version", sa.String(length=32), nullable=False),
        sa.Column("calendar_jurisdiction", sa.Integer(), nullable=False),
        sa.Column("warn_on", sa.Date(), nullable=True),
        sa.Column("remind_on", sa.Date(), nullable=True),
        sa.Column("next_alert_on", sa.Date(), nullable=True),
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
            "(status = 'cancelled') = (cancelled_on IS NOT NULL)",
            name=op.f("ck_obligation_cancelled_has_date"),
        ),
        sa.CheckConstraint(
            "(status = 'met') = (met_on IS NOT NULL)", name=op.f("ck_obligation_met_has_date")
        ),
        sa.CheckConstraint("amount BETWEEN 1 AND 3650", name=op.f("ck_obligation_amount_range")),
        sa.CheckConstraint(
            "counted_from <= started_on", name=op.f("ck_obligation_counted_before_start")
        ),
        sa.CheckConstraint(
            "paused = (paused_since IS NOT NULL)", name=op.f("ck_obligation_paused_since")
        ),
        sa.CheckConstraint(
            "paused OR due_on IS NOT NULL", name=op.f("ck_obligation_due_unless_paused")
        ),
        sa.CheckConstraint(
            "promised_amount IS NULL OR promised_amount BETWEEN 1 AND amount",
            name=op.f("ck_obligation_promise_tightens"),
        ),
        sa.CheckConstraint(
            "province_code = jurisdiction_code - jurisdiction_code % 10000",
            name=op.f("ck_obligation_province_prefix"),
        ),
        sa.ForeignKeyConstraint(
            ["escalate_to"],
            ["jurisdiction.code"],
            name=op.f("fk_obligation_escalate_to_jurisdiction"),
        ),
        sa.ForeignKeyConstraint(
            ["jurisdiction_code"],
            ["jurisdiction.code"],
            name=op.f("fk_obligation_jurisdiction_code_jurisdiction"),
        ),
        sa.ForeignKeyConstraint(
            ["owing_department_id"],
            ["department.id"],
            name=op.f("fk_obligation_owing_department_id_department"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_obligation")),
    )
    op.create_index(
        "ix_obligation_escalation",
        "obligation",
        ["escalate_to", "due_on"],
        unique=False,
        postgresql_where=sa.text("status IN ('open', 'overdue') AND NOT paused"),
    )
    op.create_index(
        op.f("ix_obligation_jurisdiction_code"), "obligation", ["jurisdiction_code"], unique=False
    )
    op.create_index(
        "ix_obligation_matter", "obligation", ["matter_type", "matter_id"], unique=False
    )
    op.create_index(
        "ix_obligation_next_alert",
        "obligation",
        ["jurisdiction_code", "next_alert_on"],
        unique=False,
        postgresql_where=sa.text("status IN ('open', 'overdue') AND NOT paused"),
    )
    op.create_index(
        "ix_obligation_open_per_matter",
        "obligation",
        ["matter_type", "matter_id", "rule_id"],
        unique=True,
        postgresql_where=sa.text("status IN ('open', 'overdue')"),
    )
    op.create_index(
        "ix_obligation_unfinished",
        "obligation",
        ["jurisdiction_code", "due_on"],
        unique=False,
        postgresql_where=sa.text("status IN ('open', 'overdue')"),
    )
    op.create_index(
        "ix_obligation_work",
        "obligation",
        ["owing_department_id", "work_due_on", "id"],
        unique=False,
    )
    op.create_table(
        "notification",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("jurisdiction_code", sa.Integer(), nullable=False),
        sa.Column("province_code", sa.Integer(), nullable=False),
        sa.Column("recipient_department_id", sa.UUID(), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(
                "warning",
                "last_day",
                "overdue",
                "escalation",
                name="notification_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("obligation_id", sa.UUID(), nullable=False),
        sa.Column("rule_id", sa.String(length=64), nullable=False),
        sa.Column("source_jurisdiction_code", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=160), nullable=False),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("read_by", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "created_by LIKE 'system:%'", name=op.f("ck_notification_written_by_the_system")
        ),
        sa.CheckConstraint(
            "(read_at IS NULL) = (read_by IS NULL)", name=op.f("ck_notification_read_together")
        ),
        sa.CheckConstraint(
            "province_code = jurisdiction_code - jurisdiction_code % 10000",
            name=op.f("ck_notification_province_prefix"),
        ),
        sa.ForeignKeyConstraint(
            ["jurisdiction_code"],
            ["jurisdiction.code"],
            name=op.f("fk_notification_jurisdiction_code_jurisdiction"),
        ),
        sa.ForeignKeyConstraint(
            ["obligation_id"],
            ["obligation.id"],
            name=op.f("fk_notification_obligation_id_obligation"),
        ),
        sa.ForeignKeyConstraint(
            ["recipient_department_id"],
            ["department.id"],
            name=op.f("fk_notification_recipient_department_id_department"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_notification_idempotency_key")),
    )
    op.create_index(
        "ix_notification_inbox",
        "notification",
        ["recipient_department_id", "created_at", "id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_notification_jurisdiction_code"),
        "notification",
        ["jurisdiction_code"],
        unique=False,
    )
    op.create_index(
        op.f("ix_notification_obligation_id"), "notification", ["obligation_id"], unique=False
    )
    op.create_table(
        "obligation_pause",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("obligation_id", sa.UUID(), nullable=False),
        sa.Column("jurisdiction_code", sa.Integer(), nullable=False),
        sa.Column("province_code", sa.Integer(), nullable=False),
        sa.Column(
            "reason",
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
            nullable=False,
        ),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("started_document", sa.Text(), nullable=False),
        sa.Column("notice", sa.Text(), nullable=True),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("ended_document", sa.Text(), nullable=True),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("ended_by", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "(ended_on IS NULL) = (ended_document IS NULL) AND (ended_on IS NULL) = (ended_by IS NULL)",
            name=op.f("ck_obligation_pause_ended_together"),
        ),
        sa.CheckConstraint(
            "ended_on IS NULL OR ended_on >= started_on",
            name=op.f("ck_obligation_pause_ends_after_start"),
        ),
        sa.CheckConstraint(
            "province_code = jurisdiction_code - jurisdiction_code % 10000",
            name=op.f("ck_obligation_pause_province_prefix"),
        ),
        sa.ForeignKeyConstraint(
            ["jurisdiction_code"],
            ["jurisdiction.code"],
            name=op.f("fk_obligation_pause_jurisdiction_code_jurisdiction"),
        ),
        sa.ForeignKeyConstraint(
            ["obligation_id"],
            ["obligation.id"],
            name=op.f("fk_obligation_pause_obligation_id_obligation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_obligation_pause")),
    )
    op.create_index(
        op.f("ix_obligation_pause_jurisdiction_code"),
        "obligation_pause",
        ["jurisdiction_code"],
        unique=False,
    )
    op.create_index(
        op.f("ix_obligation_pause_obligation_id"),
        "obligation_pause",
        ["obligation_id"],
        unique=False,
    )
    for policy in POLICIES:
        for statement in policy.create():
            op.execute(statement)
    for statement in TRIGGERS_UP:
        op.execute(statement)


def downgrade() -> None:
    for statement in TRIGGERS_DOWN:
        op.execute(statement)
    for policy in reversed(POLICIES):
        for statement in policy.drop():
            op.execute(statement)
    op.drop_index(op.f("ix_obligation_pause_obligation_id"), table_name="obligation_pause")
    op.drop_index(op.f("ix_obligation_pause_jurisdiction_code"), table_name="obligation_pause")
    op.drop_table("obligation_pause")
    op.drop_index(op.f("ix_notification_obligation_id"), table_name="notification")
    op.drop_index(op.f("ix_notification_jurisdiction_code"), table_name="notification")
    op.drop_index("ix_notification_inbox", table_name="notification")
    op.drop_table("notification")
    op.drop_index("ix_obligation_work", table_name="obligation")
    op.drop_index(
        "ix_obligation_unfinished",
        table_name="obligation",
        postgresql_where=sa.text("status IN ('open', 'overdue')"),
    )
    op.drop_index(
        "ix_obligation_open_per_matter",
        table_name="obligation",
        postgresql_where=sa.text("status IN ('open', 'overdue')"),
    )
    op.drop_index(
        "ix_obligation_next_alert",
        table_name="obligation",
        postgresql_where=sa.text("status IN ('open', 'overdue') AND NOT paused"),
    )
    op.drop_index("ix_obligation_matter", table_name="obligation")
    op.drop_index(op.f("ix_obligation_jurisdiction_code"), table_name="obligation")
    op.drop_index(
        "ix_obligation_escalation",
        table_name="obligation",
        postgresql_where=sa.text("status IN ('open', 'overdue') AND NOT paused"),
    )
    op.drop_table("obligation")
    op.drop_index(op.f("ix_local_promise_province_code"), table_name="local_promise")
    op.drop_table("local_promise")
    op.drop_index(op.f("ix_calendar_override_province_code"), table_name="calendar_override")
    op.drop_table("calendar_override")
    op.drop_table("deadline_config")
    op.drop_table("calendar_year")
