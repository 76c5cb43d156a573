"""Budget alerts sent per project, measure and threshold; the per-client time appendix of
invoice PDFs; whether budget alerts go to client contacts.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "budget_alerts",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("measure", sa.String(length=10), nullable=False),
        sa.Column("threshold", sa.Integer(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "measure IN ('hours', 'amount')", name=op.f("ck_budget_alerts_measure_known")
        ),
        sa.CheckConstraint(
            "threshold IN (75, 90, 100)", name=op.f("ck_budget_alerts_threshold_known")
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_budget_alerts_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "project_id", "measure", "threshold", name=op.f("pk_budget_alerts")
        ),
    )
    with op.batch_alter_table("clients", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "invoice_time_appendix", sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )

    with op.batch_alter_table("settings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "budget_alerts_to_clients", sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("settings", schema=None) as batch_op:
        batch_op.drop_column("budget_alerts_to_clients")

    with op.batch_alter_table("clients", schema=None) as batch_op:
        batch_op.drop_column("invoice_time_appendix")

    op.drop_table("budget_alerts")
