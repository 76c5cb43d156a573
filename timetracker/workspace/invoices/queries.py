"""Reads of the invoice pages: the list by state, one invoice, its lines, payments and the entries
a line bills, and the projects a new invoice may bill."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from timetracker import db
from timetracker.billing import states
from timetracker.billing.states import InvoiceFilter
from timetracker.models import (
    Client,
    Invoice,
    InvoiceItem,
    Payment,
    Project,
    ProjectStatus,
    TimeEntry,
    User,
)
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


def client_projects(client_id: int, project_ids: Sequence[int]) -> list[Project] | None:
    """These projects, all of this client's; ``None`` when any is another client's or none."""
    if not project_ids:
        return []
    found = db.session.scalars(
        select(Project).where(Project.id.in_(project_ids), Project.client_id == client_id)
    ).all()
    return list(found) if len(found) == len(set(project_ids)) else None


@dataclass(frozen=True)
class ProjectGroup:
    """A client's projects, as the new invoice form offers them."""

    client_id: int
    client_name: str
    projects: list[tuple[int, str]]


def project_groups(client_id: int | None = None) -> list[ProjectGroup]:
    """The projects of active clients (archived ones too: their time may still be billed),
    grouped by client; only ``client_id``'s when given."""
    query = (
        select(Project.id, Project.name, Project.status, Client.id, Client.name)
        .join(Client, Client.id == Project.client_id)
        .where(Client.is_active.is_(True))
        .order_by(Client.name, Client.id, Project.name, Project.id)
    )
    if client_id is not None:
        query = query.where(Client.id == client_id)
    groups: dict[int, ProjectGroup] = {}
    for pid, name, status, cid, client_name in db.session.execute(query):
        group = groups.setdefault(cid, ProjectGroup(cid, client_name, []))
        archived = status == ProjectStatus.ARCHIVED
        group.projects.append((pid, _("%(name)s (archived)", name=name) if archived else name))
    return list(groups.values())


def invoice_payment(invoice: Invoice, payment_id: int) -> Payment | None:
    """A payment of this invoice; ``None`` for another invoice's payment or none at all."""
    return db.session.scalar(
        select(Payment).where(Payment.id == payment_id, Payment.invoice_id == invoice.id)
    )


def item_entries_page(item: InvoiceItem) -> Page:
    """The time entries a line bills, in order, with their person and project (one page)."""
    condition = TimeEntry.invoice_item_id == item.id
    stmt = (
        select(TimeEntry, User.name, Project.name)
        .join(User, User.id == TimeEntry.user_id)
        .join(Project, Project.id == TimeEntry.project_id)
        .where(condition)
        .order_by(TimeEntry.start_time, TimeEntry.id)
    )
    count = select(func.count(TimeEntry.id)).where(condition)
    return paginate(stmt, count_stmt=count, scalars=False)


def item_seconds(item: InvoiceItem) -> int:
    """The seconds worked on the entries a line bills (before the settings' rounding)."""
    total = db.session.scalar(
        select(func.coalesce(func.sum(TimeEntry.duration_seconds), 0)).where(
            TimeEntry.invoice_item_id == item.id
        )
    )
    return int(total or 0)
