"""Payments of an invoice: recording one, correcting or deleting it; the invoice's amount paid,
status and ``paid_at`` follow the payments (:func:`_settle`); ``invoice.paid`` is emitted when it
becomes paid and ``invoice.reopened`` when a paid invoice owes money again.

These functions flush but never commit: the request (or the CLI command) commits once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from timetracker import firm
from timetracker.billing.invoicing import InvoiceError
from timetracker.billing.rules import as_money, to_cents
from timetracker.billing.states import balance
from timetracker.models import Invoice, InvoiceStatus, Payment
from timetracker.webhooks import events as webhook_events


def record_payment(
    session: Session,
    invoice: Invoice,
    amount: Decimal,
    paid_on: dt.date,
    method: str | None = None,
    reference: str | None = None,
) -> Payment:
    """Record a payment; the invoice is paid when its balance reaches zero."""
    _lock(session, invoice)
    if invoice.status != InvoiceStatus.SENT:
        raise InvoiceError(_("Payments can only be recorded on a sent, unpaid invoice."))
    amount = _payment_amount(amount, balance(invoice))
    payment = Payment(
        invoice_id=invoice.id, amount=amount, paid_on=paid_on, method=method, reference=reference
    )
    session.add(payment)
    invoice.payments.append(payment)
    _settle(session, invoice)
    return payment


@dataclass(frozen=True)
class PaymentValues:
    """A payment's fields, before or after a correction (for the audit trail)."""

    amount: Decimal
    paid_on: dt.date
    method: str | None
    reference: str | None

    @classmethod
    def of(cls, payment: Payment) -> PaymentValues:
        return cls(to_cents(payment.amount), payment.paid_on, payment.method, payment.reference)

    def describe(self, currency: str) -> str:
        parts = [f"{currency} {self.amount} on {self.paid_on.isoformat()}"]
        if self.method:
            parts.append(f"method {self.method}")
        if self.reference:
            parts.append(f"reference {self.reference}")
        return ", ".join(parts)


def may_correct(invoice: Invoice) -> bool:
    """Whether the invoice's payments may still be corrected or deleted: a sent or paid
    invoice's (not a draft's, which has none, nor a cancelled one's)."""
    return invoice.status in (InvoiceStatus.SENT, InvoiceStatus.PAID)


def locked_refusal(invoice: Invoice) -> str:
    """Why the payments of ``invoice`` can no longer be changed (one whole sentence per status
    that :func:`may_correct` refuses)."""
    if invoice.status == InvoiceStatus.DRAFT:
        return _("The payments of a draft invoice can no longer be changed.")
    if invoice.status == InvoiceStatus.CANCELLED:
        return _("The payments of a cancelled invoice can no longer be changed.")
    return _(
        "The payments of a %(status)s invoice can no longer be changed.", status=invoice.status
    )


class PaymentGone(InvoiceError):
    """The payment is not (or no longer) one of the invoice's: deleted meanwhile."""


def correctable_payment(session: Session, invoice: Invoice, payment_id: int) -> Payment:
    """The invoice's payment ``payment_id``, read again once the invoice is locked, if the
    invoice's payments may still be corrected (not a cancelled invoice's)."""
    _lock(session, invoice)
    payment = session.scalar(
        select(Payment)
        .where(Payment.id == payment_id, Payment.invoice_id == invoice.id)
        .execution_options(populate_existing=True)
    )
    if payment is None:
        raise PaymentGone(_("This payment does not exist (any more): it may have been deleted."))
    if not may_correct(invoice):
        raise InvoiceError(locked_refusal(invoice))
    return payment


def change_payment(
    session: Session,
    invoice: Invoice,
    payment: Payment,
    new: PaymentValues,
) -> tuple[PaymentValues, PaymentValues]:
    """Correct a payment; amount paid, balance and status follow. Returns (before, after).

    The amount may not exceed what the invoice owes without this payment."""
    before = PaymentValues.of(payment)
    owed_without = balance(invoice) + before.amount
    after = PaymentValues(
        _payment_amount(new.amount, owed_without),
        new.paid_on,
        (new.method or "").strip() or None,
        (new.reference or "").strip() or None,
    )
    if after == before:
        raise InvoiceError(_("Nothing was changed."))
    payment.amount = after.amount
    payment.paid_on = after.paid_on
    payment.method = after.method
    payment.reference = after.reference
    _settle(session, invoice)
    return before, after


def delete_payment(session: Session, invoice: Invoice, payment: Payment) -> PaymentValues:
    """Delete a payment (recorded by mistake); a paid invoice owing again is sent (unpaid)
    again. Returns what the payment was."""
    before = PaymentValues.of(payment)
    if payment in invoice.payments:
        invoice.payments.remove(payment)
    session.delete(payment)
    session.flush()
    _settle(session, invoice)
    return before


def _payment_amount(amount: Decimal, owed: Decimal) -> Decimal:
    amount = to_cents(amount)
    if amount <= 0:
        raise InvoiceError(_("The amount must be greater than zero."))
    if amount > owed:
        raise InvoiceError(_("The amount is more than the balance of %(owed)s.", owed=owed))
    return amount


def _lock(session: Session, invoice: Invoice) -> None:
    """Lock the invoice's row (PostgreSQL: until the commit) and read it again, so that two
    requests changing its payments at once take turns and see each other's work."""
    session.flush()
    session.refresh(invoice, _SETTLED, with_for_update=True)


#: What the payments decide (:func:`_settle`) and a correction reads.
_SETTLED = ["status", "total", "amount_paid", "paid_at"]


def _settle(session: Session, invoice: Invoice) -> None:
    """Amount paid = the sum of the payments (read from the database); the invoice is paid
    exactly when that leaves nothing to pay, ``paid_at`` set then and cleared otherwise.
    ``invoice.paid`` is emitted when it becomes paid, ``invoice.reopened`` when a paid invoice
    owes money again."""
    session.flush()
    paid = session.scalar(
        select(func.coalesce(func.sum(Payment.amount), 0)).where(Payment.invoice_id == invoice.id)
    )
    invoice.amount_paid = as_money(paid)
    was_paid = invoice.status == InvoiceStatus.PAID
    if balance(invoice) <= 0:
        invoice.status = InvoiceStatus.PAID
        if not was_paid or invoice.paid_at is None:
            invoice.paid_at = firm.now()
    else:
        invoice.status = InvoiceStatus.SENT
        invoice.paid_at = None
    session.flush()
    if not was_paid:
        webhook_events.invoice_paid(session, invoice)  # only when it is paid now
    elif invoice.status == InvoiceStatus.SENT:
        webhook_events.invoice_reopened(session, invoice)  # paid before, owing again
