"""Indexes for the staff pages at scale. A person's time read from the index alone: the index
of entries by person and start also holds the project, the end and the duration, so a person's
total and recent projects (the time list, the picker) no longer visit every entry's row. And the
invoices of every client by issue date, so the staff's invoice list reads its page in order
instead of sorting them all.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COVERING = ["user_id", "start_time", "project_id", "end_time", "duration_seconds"]


def upgrade() -> None:
    op.create_index("ix_time_entries_user_id_start_time_covering", "time_entries", _COVERING)
    op.drop_index("ix_time_entries_user_id_start_time", table_name="time_entries")
    op.create_index("ix_invoices_issue_date_id", "invoices", ["issue_date", "id"])


def downgrade() -> None:
    op.drop_index("ix_invoices_issue_date_id", table_name="invoices")
    op.create_index("ix_time_entries_user_id_start_time", "time_entries", ["user_id", "start_time"])
    op.drop_index("ix_time_entries_user_id_start_time_covering", table_name="time_entries")
