"""Invoice operations: numbering, arithmetic, billing time, status changes and payments.

These functions flush but never commit: the request (or the CLI command) commits once.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from typing import Literal

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from timetracker import firm
from timetracker.db import to_cents
from timetracker.models import (
    Client,
    Invoice,
    InvoiceItem,
    InvoiceSequence,
    InvoiceStatus,
    Payment,
    Project,
    TimeEntry,
)

GroupBy = Literal["project", "task", "entry"]
GROUPINGS: dict[str, str] = {
    "project": "One line per project",
    "task": "One line per project and task description",
    "entry": "One line per time entry",
}


class InvoiceError(ValueError):
    """An invoice operation that the invoice's state or the input does not allow."""


def line_amount(quantity: Decimal, unit_price: Decimal) -> Decimal:
    return to_cents(quantity * unit_price)


def tax_for(subtotal: Decimal, rate: Decimal) -> Decimal:
    return (subtotal * rate / Decimal(100)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def billed_hours(seconds: int, rounding_minutes: int) -> Decimal:
    """Hours to bill for ``seconds`` of work, rounded up to whole ``rounding_minutes``."""
    if rounding_minutes > 0:
        blocks = math.ceil(seconds / (rounding_minutes * 60))
        seconds = blocks * rounding_minutes * 60
    return (Decimal(seconds) / 3600).quantize(Decimal("0.01"), rounding=ROUND_CEILING)


def next_invoice_number(session: Session, year: int) -> str:
    """The next number of ``year``: the settings prefix, the year and a per-year sequence.

    A single ``INSERT .. ON CONFLICT DO UPDATE .. RETURNING`` statement increments the counter,
    so concurrent creations on PostgreSQL serialise on the row and never share a number.
    """
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = (
        insert(InvoiceSequence)
        .values(year=year, last_number=1)
        .on_conflict_do_update(
            index_elements=[InvoiceSequence.year],
            set_={"last_number": InvoiceSequence.last_number + 1},
        )
        .returning(InvoiceSequence.last_number)
    )
    number = session.execute(stmt).scalar_one()
    return f"{firm.get_settings().invoice_prefix}{year}-{number:04d}"


def recalculate(invoice: Invoice, items: Sequence[InvoiceItem] | None = None) -> None:
    """Set subtotal, tax and total from the items."""
    items = invoice.items if items is None else items
    invoice.subtotal = to_cents(sum((item.amount for item in items), Decimal("0")))
    invoice.tax_amount = tax_for(invoice.subtotal, invoice.tax_rate)
    invoice.total = invoice.subtotal + invoice.tax_amount


def new_invoice(
    session: Session,
    client: Client,
    *,
    project: Project | None = None,
    issue_date: dt.date | None = None,
    due_date: dt.date | None = None,
    tax_rate: Decimal = Decimal("0"),
    notes: str | None = None,
) -> Invoice:
    if project is not None and project.client_id != client.id:
        raise InvoiceError("The project does not belong to this client.")
    if not Decimal(0) <= tax_rate <= Decimal(100):
        raise InvoiceError("The tax rate must be between 0 and 100 percent.")
    settings = firm.get_settings()
    issue_date = issue_date or firm.today()
    due_date = due_date or issue_date + dt.timedelta(days=settings.payment_terms_days)
    if due_date < issue_date:
        raise InvoiceError("The due date cannot be before the issue date.")
    invoice = Invoice(
        number=next_invoice_number(session, issue_date.year),
        client_id=client.id,
        project_id=project.id if project else None,
        issue_date=issue_date,
        due_date=due_date,
        status=InvoiceStatus.DRAFT,
        currency=client.currency,
        tax_rate=to_cents(tax_rate),
        notes=notes,
        subtotal=Decimal("0.00"),
        tax_amount=Decimal("0.00"),
        total=Decimal("0.00"),
        amount_paid=Decimal("0.00"),
    )
    invoice.items = []
    invoice.payments = []
    session.add(invoice)
    session.flush()
    return invoice


def unbilled_entries_query(
    client_id: int,
    project_id: int | None,
    date_from: dt.date | None,
    date_to: dt.date | None,
):  # type: ignore[no-untyped-def]
    start, end = firm.day_bounds(date_from, date_to)
    query = (
        select(TimeEntry, Project)
        .join(Project, Project.id == TimeEntry.project_id)
        .where(
            Project.client_id == client_id,
            Project.billable.is_(True),
            TimeEntry.billable.is_(True),
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


def require_draft(invoice: Invoice) -> None:
    if invoice.status != InvoiceStatus.DRAFT:
        raise InvoiceError(
            "Only a draft invoice can be changed; this one is " + invoice.status + "."
        )


def _line_values(
    description: str, quantity: Decimal, unit_price: Decimal
) -> tuple[Decimal, Decimal]:
    """Quantity (hundredths) and unit price (cents) as stored, so that the line amount is
    computed from exactly the numbers printed on the invoice."""
    if not description.strip():
        raise InvoiceError("A line needs a description.")
    quantity = quantity.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if quantity <= 0:
        raise InvoiceError("The quantity must be more than zero.")
    unit_price = to_cents(unit_price)
    if unit_price < 0:
        raise InvoiceError("The unit price must not be negative.")
    return quantity, unit_price


def add_item(
    session: Session, invoice: Invoice, description: str, quantity: Decimal, unit_price: Decimal
) -> InvoiceItem:
    require_draft(invoice)
    quantity, unit_price = _line_values(description, quantity, unit_price)
    item = InvoiceItem(
        invoice_id=invoice.id,
        position=max((i.position for i in invoice.items), default=-1) + 1,
        description=description,
        quantity=quantity,
        unit_price=unit_price,
        amount=line_amount(quantity, unit_price),
    )
    session.add(item)
    invoice.items.append(item)
    recalculate(invoice)
    session.flush()
    return item


def update_item(
    session: Session,
    invoice: Invoice,
    item: InvoiceItem,
    description: str,
    quantity: Decimal,
    unit_price: Decimal,
) -> None:
    require_draft(invoice)
    quantity, unit_price = _line_values(description, quantity, unit_price)
    item.description = description
    item.quantity = quantity
    item.unit_price = unit_price
    item.amount = line_amount(quantity, unit_price)
    recalculate(invoice)
    session.flush()


def remove_item(session: Session, invoice: Invoice, item: InvoiceItem) -> None:
    """Remove a line; time entries it billed become billable again."""
    require_draft(invoice)
    session.execute(
        update(TimeEntry)
        .where(TimeEntry.invoice_item_id == item.id)
        .values(invoice_item_id=None)
        .execution_options(synchronize_session=False)
    )
    invoice.items.remove(item)
    session.delete(item)
    recalculate(invoice)
    session.flush()


def update_draft(
    session: Session,
    invoice: Invoice,
    *,
    issue_date: dt.date,
    due_date: dt.date,
    tax_rate: Decimal,
    notes: str | None,
) -> None:
    require_draft(invoice)
    if due_date < issue_date:
        raise InvoiceError("The due date cannot be before the issue date.")
    if not Decimal(0) <= tax_rate <= Decimal(100):
        raise InvoiceError("The tax rate must be between 0 and 100 percent.")
    invoice.issue_date = issue_date
    invoice.due_date = due_date
    invoice.tax_rate = to_cents(tax_rate)
    invoice.notes = notes
    recalculate(invoice)
    session.flush()


def mark_sent(session: Session, invoice: Invoice) -> None:
    """Issue the invoice: from now on it is locked and visible to the client."""
    require_draft(invoice)
    if not invoice.items:
        raise InvoiceError("An invoice without lines cannot be sent.")
    invoice.status = InvoiceStatus.SENT
    invoice.sent_at = firm.now()
    if invoice.total <= 0:
        invoice.status = InvoiceStatus.PAID
        invoice.paid_at = invoice.sent_at
    session.flush()


def record_payment(
    session: Session,
    invoice: Invoice,
    amount: Decimal,
    paid_on: dt.date,
    method: str | None = None,
    reference: str | None = None,
) -> Payment:
    """Record a payment; the invoice is paid when its balance reaches zero."""
    if invoice.status != InvoiceStatus.SENT:
        raise InvoiceError("Payments can only be recorded on a sent, unpaid invoice.")
    amount = to_cents(amount)
    if amount <= 0:
        raise InvoiceError("The amount must be greater than zero.")
    if amount > invoice.balance:
        raise InvoiceError(f"The amount is more than the balance of {invoice.balance}.")
    payment = Payment(
        invoice_id=invoice.id, amount=amount, paid_on=paid_on, method=method, reference=reference
    )
    session.add(payment)
    invoice.payments.append(payment)
    invoice.amount_paid = to_cents(invoice.amount_paid + amount)
    if invoice.balance <= 0:
        invoice.status = InvoiceStatus.PAID
        invoice.paid_at = firm.now()
    session.flush()
    return payment


def cancel(session: Session, invoice: Invoice) -> None:
    """Cancel a draft or sent invoice; its time entries can be billed again."""
    if invoice.status not in (InvoiceStatus.DRAFT, InvoiceStatus.SENT):
        raise InvoiceError("Only a draft or sent invoice can be cancelled.")
    if invoice.amount_paid > 0:
        raise InvoiceError("An invoice with payments cannot be cancelled.")
    item_ids = select(InvoiceItem.id).where(InvoiceItem.invoice_id == invoice.id)
    session.execute(
        update(TimeEntry)
        .where(TimeEntry.invoice_item_id.in_(item_ids))
        .values(invoice_item_id=None)
        .execution_options(synchronize_session=False)
    )
    invoice.status = InvoiceStatus.CANCELLED
    session.flush()
