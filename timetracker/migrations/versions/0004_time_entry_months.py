"""Monthly totals of completed time entries per project, filled from the existing entries.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "time_entry_months",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.Column("seconds", sa.Integer(), nullable=False),
        sa.Column("billable_seconds", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_time_entry_months_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("project_id", "month", name=op.f("pk_time_entry_months")),
    )
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        month = "date_trunc('month', start_time AT TIME ZONE 'UTC')::date"
    else:
        month = "date(start_time, 'start of month')"
    op.execute(
        "INSERT INTO time_entry_months (project_id, month, entries, seconds, billable_seconds) "
        f"SELECT project_id, {month}, count(*), sum(duration_seconds), "
        "sum(CASE WHEN billable THEN duration_seconds ELSE 0 END) "
        "FROM time_entries WHERE end_time IS NOT NULL GROUP BY 1, 2"
    )


def downgrade() -> None:
    op.drop_table("time_entry_months")
