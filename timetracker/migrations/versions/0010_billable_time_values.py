"""Monthly totals follow the billing rules: billable means the entry and its project are, and
each month keeps the value of its billable time in cents (the sum of the entries' values at the
project's rate, each rounded half-up to the cent).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = "ix_time_entry_months_client_id_month"


def _month_sql() -> str:
    if op.get_bind().dialect.name == "postgresql":
        return "date_trunc('month', e.start_time AT TIME ZONE 'UTC')::date"
    return "date(e.start_time, 'start of month')"


def _refill(with_cents: bool) -> None:
    billable = "e.billable AND p.billable" if with_cents else "e.billable"
    rate = "CAST(round(coalesce(p.hourly_rate, c.default_hourly_rate) * 100) AS BIGINT)"
    cents = (
        f", sum(CASE WHEN {billable} THEN "
        f"(CAST(e.duration_seconds AS BIGINT) * {rate} + 1800) / 3600 ELSE 0 END)"
        if with_cents
        else ""
    )
    op.execute("DELETE FROM time_entry_months")
    op.execute(
        "INSERT INTO time_entry_months (project_id, client_id, month, entries, seconds, "
        f"billable_seconds{', billable_cents' if with_cents else ''}) "
        f"SELECT e.project_id, e.client_id, {_month_sql()}, count(*), sum(e.duration_seconds), "
        f"sum(CASE WHEN {billable} THEN e.duration_seconds ELSE 0 END){cents} "
        "FROM time_entries e JOIN projects p ON p.id = e.project_id "
        "JOIN clients c ON c.id = p.client_id "
        "WHERE e.end_time IS NOT NULL GROUP BY 1, 2, 3"
    )


def upgrade() -> None:
    op.drop_index(INDEX, table_name="time_entry_months")
    with op.batch_alter_table("time_entry_months") as batch:
        batch.add_column(
            sa.Column("billable_cents", sa.BigInteger(), server_default="0", nullable=False)
        )
    op.create_index(
        INDEX,
        "time_entry_months",
        ["client_id", "month", "entries", "seconds", "billable_seconds", "billable_cents"],
    )
    _refill(with_cents=True)


def downgrade() -> None:
    op.drop_index(INDEX, table_name="time_entry_months")
    with op.batch_alter_table("time_entry_months") as batch:
        batch.drop_column("billable_cents")
    op.create_index(
        INDEX, "time_entry_months", ["client_id", "month", "entries", "seconds", "billable_seconds"]
    )
    _refill(with_cents=False)
