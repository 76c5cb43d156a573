"""A draft invoice from the client's unbilled billable time.

Each line bills hours (rounded up as the settings say: :func:`.rules.billed_hours`) at the
project's rate; the entries point at their line and are locked from then on.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from sqlalchemy import Select, select, update
from sqlalchemy.orm import Session

from timetracker import firm
from timetracker.billing.expressions import billable_condition
from timetracker.billing.invoicing import InvoiceError, new_invoice, recalculate
from timetracker.billing.periods import day_bounds
from timetracker.billing.rules import billed_hours, line_amount
from timetracker.models import Client, Invoice, InvoiceItem, Project, TimeEntry

GroupBy = Literal["project", "task", "entry"]
GROUPINGS: dict[str, str] = {
    "project": "One line per project",
    "task": "One line per project and task description",
    "entry": "One line per time entry",
}


def unbilled_entries_query(
    client_id: int,
    project_id: int | None,
    date_from: dt.date | None,
    date_to: dt.date | None,
) -> Select[Any]:
    """The client's completed, billable, not yet invoiced entries with their projects."""
    start, end = day_bounds(date_from, date_to)
    query = (
        select(TimeEntry, Project)
        .join(Project, Project.id == TimeEntry.project_id)
        .where(
            Project.client_id == client_id,
            billable_condition(),
            TimeEntry.end_time.is_not(None),
            TimeEntry.invoice_item_id.is_(None),
        )
        .order_by(Project.name, TimeEntry.start_time, TimeEntry.id)
    )
    if project_id is not None:
        query = query.where(TimeEntry.project_id == project_id)
    if start is not None:
        query = query.where(TimeEntry.start_time >= start)
    if end is not None:
        query = query.where(TimeEntry.start_time < end)
    return query


def create_invoice_from_time(
    session: Session,
    client: Client,
    *,
    project: Project | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    group_by: GroupBy = "project",
    issue_date: dt.date | None = None,
    due_date: dt.date | None = None,
    tax_rate: Decimal = Decimal("0"),
    notes: str | None = None,
) -> Invoice:
    """A draft invoice billing the client's unbilled billable time in the range.

    Each line bills hours (rounded as the settings say) at the project's rate; the entries
    point at their line and are locked from then on.
    """
    if date_from and date_to and date_from > date_to:
        raise InvoiceError("The start date must not be after the end date.")
    rows = session.execute(
        unbilled_entries_query(client.id, project.id if project else None, date_from, date_to)
    ).all()
    if not rows:
        raise InvoiceError("There is no unbilled billable time for this client in that range.")
    invoice = new_invoice(
        session,
        client,
        project=project,
        issue_date=issue_date,
        due_date=due_date,
        tax_rate=tax_rate,
        notes=notes,
    )
    rounding = firm.get_settings().invoice_rounding_minutes
    groups: dict[tuple[object, ...], list[TimeEntry]] = {}
    projects: dict[int, Project] = {}
    for entry, entry_project in rows:
        projects[entry_project.id] = entry_project
        if group_by == "entry":
            key: tuple[object, ...] = (entry.id,)
        elif group_by == "task":
            key = (entry_project.id, (entry.notes or "").strip())
        else:
            key = (entry_project.id,)
        groups.setdefault(key, []).append(entry)
    items: list[InvoiceItem] = []
    for position, entries in enumerate(groups.values()):
        entry_project = projects[entries[0].project_id]
        seconds = sum(e.duration_seconds or 0 for e in entries)
        quantity = billed_hours(seconds, rounding)
        rate = (
            entry_project.hourly_rate
            if entry_project.hourly_rate is not None
            else client.default_hourly_rate
        )
        description = entry_project.name
        task = (entries[0].notes or "").strip()
        if group_by == "task" and task:
            description = f"{entry_project.name}: {task}"
        elif group_by == "entry":
            day = firm.local(entries[0].start_time).date().isoformat()
            description = f"{entry_project.name} ({day})" + (f": {task}" if task else "")
        item = InvoiceItem(
            invoice_id=invoice.id,
            position=position,
            description=description[:2000],
            quantity=quantity,
            unit_price=rate,
            amount=line_amount(quantity, rate),
        )
        session.add(item)
        session.flush()
        ids = [e.id for e in entries]
        # Only entries still unbilled are taken: a concurrent invoice cannot bill them twice.
        taken = session.execute(  # type: ignore[attr-defined]  # a CursorResult
            update(TimeEntry)
            .where(TimeEntry.id.in_(ids), TimeEntry.invoice_item_id.is_(None))
            .values(invoice_item_id=item.id)
            .execution_options(synchronize_session=False)
        ).rowcount
        if taken != len(ids):
            raise InvoiceError("Some of this time was billed meanwhile; please try again.")
        items.append(item)
    invoice.items = items
    recalculate(invoice, items)
    session.flush()
    return invoice
