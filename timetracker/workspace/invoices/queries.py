"""Reads of the invoice pages: the list by state, one invoice, its lines and the projects a new
invoice may bill."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from timetracker import db
from timetracker.billing import states
from timetracker.billing.states import InvoiceFilter
from timetracker.models import Invoice, InvoiceItem, Project, TimeEntry
from timetracker.workspace.paging import Page, paginate


def invoices_page(which: InvoiceFilter, client_id: int | None, today: dt.date) -> Page:
    conditions: list[ColumnElement[bool]] = [states.filter_condition(which, today)]
    if client_id is not None:
        conditions.append(Invoice.client_id == client_id)
    stmt = (
        select(Invoice)
        .join(Invoice.client)
        .options(contains_eager(Invoice.client))
        .where(*conditions)
        .order_by(Invoice.issue_date.desc(), Invoice.id.desc())
    )
    count = select(func.count(Invoice.id)).where(*conditions)
    return paginate(stmt, count_stmt=count)


def get_invoice(invoice_id: int) -> Invoice | None:
    """The invoice with its client, project, items and payments loaded."""
    return db.session.scalar(
        select(Invoice)
        .where(Invoice.id == invoice_id)
        .options(
            joinedload(Invoice.client),
            joinedload(Invoice.project),
            selectinload(Invoice.items),
            selectinload(Invoice.payments),
        )
    )


def invoice_item(invoice: Invoice, item_id: int) -> InvoiceItem | None:
    """A line of this invoice; ``None`` for a line of any other invoice or none at all."""
    return db.session.scalar(
        select(InvoiceItem).where(InvoiceItem.id == item_id, InvoiceItem.invoice_id == invoice.id)
    )


def client_project(client_id: int, project_id: int) -> Project | None:
    """A project of this client; ``None`` for another client's project or none at all."""
    return db.session.scalar(
        select(Project).where(Project.id == project_id, Project.client_id == client_id)
    )


def entries_per_item(invoice: Invoice) -> dict[int, int]:
    """How many time entries each line of the invoice bills."""
    ids = [item.id for item in invoice.items]
    if not ids:
        return {}
    rows = db.session.execute(
        select(TimeEntry.invoice_item_id, func.count(TimeEntry.id))
        .where(TimeEntry.invoice_item_id.in_(ids))
        .group_by(TimeEntry.invoice_item_id)
    ).all()
    return {item_id: int(n) for item_id, n in rows}
