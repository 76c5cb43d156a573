"""The CSV export's statement, and the staff export's rows (completed entries of any client).

The portal builds its rows with the same statement through ``PortalScope.export_rows``, from its
client's conditions and joining only invoice numbers the client may see; staff see every client
and the numbers of draft invoices too. The columns are in the order ``csv_export`` expects.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, case, select
from sqlalchemy.orm import Session

from timetracker.billing.expressions import billable_condition, entry_value_cents
from timetracker.models import Client, Invoice, InvoiceItem, Project, TimeEntry, User

#: Rows fetched per round trip (a server-side cursor on PostgreSQL).
CHUNK_SIZE = 2000


def export_statement(
    conditions: Sequence[ColumnElement[bool]],
    invoice_on: ColumnElement[bool] | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> Select[Any]:
    """The CSV export's rows: completed entries matching ``conditions``, oldest first, with
    the number of the invoice joined by ``invoice_on`` (by default, whatever billed them), and
    whether each is billable and its value (the billing rules: summed, the values give the
    amounts the portal, the reports and the project pages show).

    A running timer has no duration yet, so it is left out (the time list shows it; the
    export is for billing). Fetched in chunks: a server-side cursor on PostgreSQL.
    """
    if invoice_on is None:
        invoice_on = Invoice.id == InvoiceItem.invoice_id
    return (
        select(
            TimeEntry.start_time,
            TimeEntry.duration_seconds,
            TimeEntry.notes,
            billable_condition().label("billable"),
            case((billable_condition(), entry_value_cents()), else_=None).label("value_cents"),
            Client.currency.label("currency"),
            Project.name.label("project_name"),
            User.name.label("user_name"),
            Invoice.number.label("invoice_number"),
        )
        .join(Project, Project.id == TimeEntry.project_id)
        .join(Client, Client.id == Project.client_id)
        .join(User, User.id == TimeEntry.user_id)
        .outerjoin(InvoiceItem, InvoiceItem.id == TimeEntry.invoice_item_id)
        .outerjoin(Invoice, invoice_on)
        .where(TimeEntry.end_time.is_not(None), *conditions)
        .order_by(TimeEntry.start_time.asc(), TimeEntry.id.asc())
        .execution_options(yield_per=chunk_size)
    )


def staff_export_rows(
    session: Session, conditions: Sequence[ColumnElement[bool]], chunk_size: int = CHUNK_SIZE
) -> Iterator[Any]:
    """Every completed entry matching ``conditions`` (staff see every invoice number)."""
    yield from session.execute(export_statement(conditions, chunk_size=chunk_size))
