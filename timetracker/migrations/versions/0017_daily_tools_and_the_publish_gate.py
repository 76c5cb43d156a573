"""The publish gate (approval of time per client), logos, VAT IDs and registration details,
service periods and units of invoice lines, the subject, message and form key of invoice emails,
and invoices marked as sent without emailing.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "logos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("content_type", sa.String(length=20), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=True),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "content_type IN ('image/png', 'image/jpeg', 'image/webp')",
            name=op.f("ck_logos_content_type_known"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_logos")),
    )
    with op.batch_alter_table("clients", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "time_requires_approval", sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )
        batch_op.add_column(sa.Column("publish_after_days", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("vat_id", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("portal_logo_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_clients_portal_logo_id_logos"),
            "logos",
            ["portal_logo_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_clients_publish_after_days_range"),
            "publish_after_days IS NULL OR publish_after_days BETWEEN 1 AND 365",
        )

    with op.batch_alter_table("email_deliveries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("subject", sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column("message", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("send_key", sa.String(length=64), nullable=True))
        batch_op.create_index("ix_email_deliveries_send_key", ["invoice_id", "send_key"])

    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("sent_without_email", sa.Boolean(), server_default=sa.false(), nullable=False)
        )

    with op.batch_alter_table("invoice_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("unit", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("period_start", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("period_end", sa.Date(), nullable=True))
        batch_op.create_check_constraint(
            batch_op.f("ck_invoice_items_service_period"),
            "(period_start IS NULL AND period_end IS NULL)"
            " OR (period_start IS NOT NULL AND period_end >= period_start)",
        )

    with op.batch_alter_table("settings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("vat_id", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("registration_details", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("logo_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_settings_logo_id_logos"),
            "logos",
            ["logo_id"],
            ["id"],
            ondelete="SET NULL",
        )

    with op.batch_alter_table("time_entries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("approved_by_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            "ix_time_entries_unpublished",
            ["client_id", "start_time"],
            unique=False,
            sqlite_where=sa.text("approved_at IS NULL AND invoice_item_id IS NULL"),
            postgresql_where=sa.text("approved_at IS NULL AND invoice_item_id IS NULL"),
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_time_entries_approved_by_id_users"),
            "users",
            ["approved_by_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("time_entries", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_time_entries_approved_by_id_users"), type_="foreignkey"
        )
        batch_op.drop_index(
            "ix_time_entries_unpublished",
            sqlite_where=sa.text("approved_at IS NULL AND invoice_item_id IS NULL"),
            postgresql_where=sa.text("approved_at IS NULL AND invoice_item_id IS NULL"),
        )
        batch_op.drop_column("approved_by_id")
        batch_op.drop_column("approved_at")

    with op.batch_alter_table("settings", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_settings_logo_id_logos"), type_="foreignkey")
        batch_op.drop_column("logo_id")
        batch_op.drop_column("registration_details")
        batch_op.drop_column("vat_id")

    with op.batch_alter_table("invoice_items", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_invoice_items_service_period"), type_="check")
        batch_op.drop_column("period_end")
        batch_op.drop_column("period_start")
        batch_op.drop_column("unit")

    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.drop_column("sent_without_email")

    with op.batch_alter_table("email_deliveries", schema=None) as batch_op:
        batch_op.drop_index("ix_email_deliveries_send_key")
        batch_op.drop_column("send_key")
        batch_op.drop_column("message")
        batch_op.drop_column("subject")

    with op.batch_alter_table("clients", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_clients_publish_after_days_range"), type_="check")
        batch_op.drop_constraint(batch_op.f("fk_clients_portal_logo_id_logos"), type_="foreignkey")
        batch_op.drop_column("portal_logo_id")
        batch_op.drop_column("vat_id")
        batch_op.drop_column("publish_after_days")
        batch_op.drop_column("time_requires_approval")

    op.drop_table("logos")
