"""Invoice operations: numbering, drafts and their lines, sending, cancelling (payments and
their correction: :mod:`timetracker.billing.payments`).

These functions flush but never commit: the request (or the CLI command) commits once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from timetracker import firm
from timetracker.billing.rules import document_totals, line_amount, tax_for, to_cents
from timetracker.i18n import _l
from timetracker.models import (
    Client,
    Invoice,
    InvoiceItem,
    InvoiceSequence,
    InvoiceStatus,
    Project,
    QuoteSequence,
    TimeEntry,
)
from timetracker.webhooks import events as webhook_events

__all__ = ["InvoiceError", "line_amount", "tax_for"]


class InvoiceError(ValueError):
    """An invoice operation that the invoice's state or the input does not allow."""


def next_in_sequence(
    session: Session, sequence: type[InvoiceSequence | QuoteSequence], year: int
) -> int:
    """The next number of ``year`` in ``sequence`` (invoices' or quotes').

    A single ``INSERT .. ON CONFLICT DO UPDATE .. RETURNING`` statement increments the counter,
    so concurrent creations on PostgreSQL serialise on the row and never share a number.
    """
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = (
        insert(sequence)
        .values(year=year, last_number=1)
        .on_conflict_do_update(
            index_elements=[sequence.year],
            set_={"last_number": sequence.last_number + 1},
        )
        .returning(sequence.last_number)
    )
    return int(session.execute(stmt).scalar_one())


def next_invoice_number(session: Session, year: int) -> str:
    """The next number of ``year``: the settings prefix, the year and a per-year sequence."""
    number = next_in_sequence(session, InvoiceSequence, year)
    return f"{firm.get_settings().invoice_prefix}{year}-{number:04d}"


def recalculate(invoice: Invoice, items: Sequence[InvoiceItem] | None = None) -> None:
    """Set subtotal, tax and total from the items."""
    items = invoice.items if items is None else items
    invoice.subtotal, invoice.tax_amount, invoice.total = document_totals(
        (item.amount for item in items), invoice.tax_rate
    )


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
        raise InvoiceError(_("The project does not belong to this client."))
    if not Decimal(0) <= tax_rate <= Decimal(100):
        raise InvoiceError(_("The tax rate must be between 0 and 100 percent."))
    settings = firm.get_settings()
    issue_date = issue_date or firm.today()
    due_date = due_date or issue_date + dt.timedelta(days=settings.payment_terms_days)
    if due_date < issue_date:
        raise InvoiceError(_("The due date cannot be before the issue date."))
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


#: Why an issued invoice cannot be changed, by its status (one sentence each, for translation).
NOT_A_DRAFT = {
    InvoiceStatus.SENT: _l("Only a draft invoice can be changed; this one is sent."),
    InvoiceStatus.PAID: _l("Only a draft invoice can be changed; this one is paid."),
    InvoiceStatus.CANCELLED: _l("Only a draft invoice can be changed; this one is cancelled."),
}


def require_draft(invoice: Invoice) -> None:
    if invoice.status != InvoiceStatus.DRAFT:
        refusal = NOT_A_DRAFT.get(InvoiceStatus(invoice.status))
        raise InvoiceError(
            str(refusal)
            if refusal is not None
            else _(
                "Only a draft invoice can be changed; this one is %(status)s.",
                status=invoice.status,
            )
        )


def _line_values(
    description: str, quantity: Decimal, unit_price: Decimal
) -> tuple[Decimal, Decimal]:
    """Quantity (hundredths) and unit price (cents) as stored, so that the line amount is
    computed from exactly the numbers printed on the invoice."""
    if not description.strip():
        raise InvoiceError(_("A line needs a description."))
    quantity = quantity.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if quantity <= 0:
        raise InvoiceError(_("The quantity must be more than zero."))
    unit_price = to_cents(unit_price)
    if unit_price < 0:
        raise InvoiceError(_("The unit price must not be negative."))
    return quantity, unit_price


@dataclass(frozen=True)
class LineDetails:
    """What a line may say beside its numbers: the unit its quantity counts ("hours",
    "licences"; none for a plain quantity) and its service period (both days or neither)."""

    unit: str | None = None
    period_start: dt.date | None = None
    period_end: dt.date | None = None

    def checked(self) -> LineDetails:
        if (self.period_start is None) != (self.period_end is None):
            raise InvoiceError(_("Give the service period's first and last day, or neither."))
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise InvoiceError(_("The service period cannot end before it starts."))
        unit = (self.unit or "").strip()[:MAX_UNIT] or None
        return LineDetails(unit, self.period_start, self.period_end)


#: The longest unit a line may name (the column's width).
MAX_UNIT = 20


def add_item(
    session: Session,
    invoice: Invoice,
    description: str,
    quantity: Decimal,
    unit_price: Decimal,
    details: LineDetails | None = None,
) -> InvoiceItem:
    require_draft(invoice)
    quantity, unit_price = _line_values(description, quantity, unit_price)
    details = (details or LineDetails()).checked()
    item = InvoiceItem(
        invoice_id=invoice.id,
        position=max((i.position for i in invoice.items), default=-1) + 1,
        description=description,
        quantity=quantity,
        unit_price=unit_price,
        amount=line_amount(quantity, unit_price),
        unit=details.unit,
        period_start=details.period_start,
        period_end=details.period_end,
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
    details: LineDetails | None = None,
) -> None:
    """Change a draft's line; ``details`` ``None`` keeps its unit and service period."""
    require_draft(invoice)
    quantity, unit_price = _line_values(description, quantity, unit_price)
    if details is not None:
        details = details.checked()
        item.unit = details.unit
        item.period_start = details.period_start
        item.period_end = details.period_end
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
        raise InvoiceError(_("The due date cannot be before the issue date."))
    if not Decimal(0) <= tax_rate <= Decimal(100):
        raise InvoiceError(_("The tax rate must be between 0 and 100 percent."))
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
        raise InvoiceError(_("An invoice without lines cannot be sent."))
    invoice.status = InvoiceStatus.SENT
    invoice.sent_at = firm.now()
    if invoice.total <= 0:
        invoice.status = InvoiceStatus.PAID
        invoice.paid_at = invoice.sent_at
    session.flush()
    webhook_events.invoice_sent(session, invoice)


def cancel_refusal(invoice: Invoice) -> str | None:
    """Why the invoice cannot be cancelled, or ``None`` when it can: a draft or sent invoice
    without payments (the invoice page offers "Cancel invoice" exactly then)."""
    if invoice.status not in (InvoiceStatus.DRAFT, InvoiceStatus.SENT):
        return _("Only a draft or sent invoice can be cancelled.")
    if invoice.amount_paid > 0:
        return _("An invoice with payments cannot be cancelled: delete its payments to cancel it.")
    return None


def cancel(session: Session, invoice: Invoice) -> None:
    """Cancel a draft or sent invoice; its time entries can be billed again."""
    refusal = cancel_refusal(invoice)
    if refusal is not None:
        raise InvoiceError(refusal)
    item_ids = select(InvoiceItem.id).where(InvoiceItem.invoice_id == invoice.id)
    session.execute(
        update(TimeEntry)
        .where(TimeEntry.invoice_item_id.in_(item_ids))
        .values(invoice_item_id=None)
        .execution_options(synchronize_session=False)
    )
    invoice.status = InvoiceStatus.CANCELLED
    session.flush()
