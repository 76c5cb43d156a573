"""Covering indexes for the portal's aggregates over a client's invoices and recent time.

The invoice list's filter counts and totals and the dashboard's amounts by status read every
non-draft invoice of the client; the dashboard's hours per week read the last twelve weeks of
the client's entries. With the amounts (and the entry's end and duration) in the index, both
are read from the index alone instead of one table row per invoice or entry (measured by
``python -m bench`` at 1,000,000 entries; see README, Performance). Each new index replaces
the narrower one it extends, so writes keep the same number of indexes.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.drop_index("ix_invoices_client_id_status_due_date")
        batch_op.create_index(
            "ix_invoices_client_id_status_due_date_amounts",
            ["client_id", "status", "due_date", "currency", "total", "amount_paid"],
            unique=False,
        )
    with op.batch_alter_table("time_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_time_entries_client_id_start_time")
        batch_op.create_index(
            "ix_time_entries_client_id_start_time_duration",
            ["client_id", "start_time", "end_time", "duration_seconds"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("time_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_time_entries_client_id_start_time_duration")
        batch_op.create_index(
            "ix_time_entries_client_id_start_time", ["client_id", "start_time"], unique=False
        )
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.drop_index("ix_invoices_client_id_status_due_date_amounts")
        batch_op.create_index(
            "ix_invoices_client_id_status_due_date",
            ["client_id", "status", "due_date"],
            unique=False,
        )
