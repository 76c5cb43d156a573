"""The rows of the staff CSV export: completed entries of any client, streamed.

The portal reads its rows through ``PortalScope.export_rows``; staff see every client, and the
numbers of draft invoices too. Both yield the same columns, in the order ``csv_export`` expects.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from timetracker.models import Invoice, InvoiceItem, Project, TimeEntry, User

#: Rows fetched per round trip (a server-side cursor on PostgreSQL).
CHUNK_SIZE = 2000


def staff_export_rows(
    session: Session, conditions: Sequence[ColumnElement[bool]], chunk_size: int = CHUNK_SIZE
) -> Iterator[Any]:
    """Completed entries matching ``conditions``, oldest first. A running timer has no
    duration yet, so it is left out (the time list shows it; the export is for billing)."""
    query = (
        select(
            TimeEntry.start_time,
            TimeEntry.duration_seconds,
            TimeEntry.notes,
            TimeEntry.billable,
            Project.name.label("project_name"),
            User.name.label("user_name"),
            Invoice.number.label("invoice_number"),
        )
        .join(Project, Project.id == TimeEntry.project_id)
        .join(User, User.id == TimeEntry.user_id)
        .outerjoin(InvoiceItem, InvoiceItem.id == TimeEntry.invoice_item_id)
        .outerjoin(Invoice, Invoice.id == InvoiceItem.invoice_id)
        .where(TimeEntry.end_time.is_not(None), *conditions)
        .order_by(TimeEntry.start_time.asc(), TimeEntry.id.asc())
        .execution_options(yield_per=chunk_size)
    )
    yield from session.execute(query)
