"""Monthly time totals carry the project's client, indexed, so a client's totals are one range.

The rows are derived from the time entries, so the table is rebuilt rather than altered.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _month_sql() -> str:
    if op.get_bind().dialect.name == "postgresql":
        return "date_trunc('month', start_time AT TIME ZONE 'UTC')::date"
    return "date(start_time, 'start of month')"


_TOTALS = (
    "count(*), sum(duration_seconds), sum(CASE WHEN billable THEN duration_seconds ELSE 0 END) "
    "FROM time_entries WHERE end_time IS NOT NULL"
)


def upgrade() -> None:
    op.drop_table("time_entry_months")
    op.create_table(
        "time_entry_months",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.Column("seconds", sa.Integer(), nullable=False),
        sa.Column("billable_seconds", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id", "client_id"],
            ["projects.id", "projects.client_id"],
            name="fk_time_entry_months_project_client",
            onupdate="CASCADE",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("project_id", "month", name=op.f("pk_time_entry_months")),
    )
    op.create_index(
        "ix_time_entry_months_client_id_month",
        "time_entry_months",
        ["client_id", "month", "entries", "seconds", "billable_seconds"],
    )
    op.execute(
        "INSERT INTO time_entry_months "
        "(project_id, client_id, month, entries, seconds, billable_seconds) "
        f"SELECT project_id, client_id, {_month_sql()}, {_TOTALS} GROUP BY 1, 2, 3"
    )


def downgrade() -> None:
    op.drop_table("time_entry_months")
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
    op.execute(
        "INSERT INTO time_entry_months (project_id, month, entries, seconds, billable_seconds) "
        f"SELECT project_id, {_month_sql()}, {_TOTALS} GROUP BY 1, 2"
    )
