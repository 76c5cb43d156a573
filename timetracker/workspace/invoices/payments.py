"""Correcting payments: edit and delete, each with a reason, audited with the values before and
after. The invoice's amount paid, balance and status follow (``billing.invoicing``): a paid
invoice whose payment is deleted or reduced is sent (unpaid) again. A cancelled invoice's
payments stay as they are.

/invoices/<id>/payments/<payment_id>/edit    payment_edit    admin  GET the form, POST the change
/invoices/<id>/payments/<payment_id>/delete  payment_delete  admin  POST, with a reason

A payment of another invoice is a missing one (404); so is one deleted meanwhile, which makes a
second "Delete" of the same payment a harmless 404.
"""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from timetracker import audit, db
from timetracker.audit import Kind
from timetracker.auth.access import Policy, UrlTable
from timetracker.billing import payments, states
from timetracker.billing.invoicing import InvoiceError
from timetracker.billing.payments import PaymentGone, PaymentValues
from timetracker.formatting import money
from timetracker.models import Invoice, InvoiceStatus, Payment
from timetracker.workspace.common import found, render_form
from timetracker.workspace.invoices import queries
from timetracker.workspace.invoices.forms import PaymentDeleteForm, PaymentEditForm

TEMPLATE = "workspace/invoices/payment_edit.html"


PAYMENT_CHANGED = Kind.PAYMENT_CHANGED
PAYMENT_DELETED = Kind.PAYMENT_DELETED


def payment_edit(invoice_id: int, payment_id: int) -> ResponseReturnValue:
    invoice = found(queries.get_invoice(invoice_id))
    payment = found(queries.invoice_payment(invoice, payment_id))
    form = PaymentEditForm(prefix="edit", obj=payment, currency=invoice.currency)
    delete_form = PaymentDeleteForm(prefix="delete", formdata=None)
    if not form.is_submitted():
        return _page(invoice, payment, form, delete_form)
    if not form.validate_on_submit():
        return _page(invoice, payment, form, delete_form, status=400)
    new = PaymentValues(
        form.amount.checked_number,
        form.paid_on.data,
        form.method.data,
        form.reference.data,
    )
    try:
        payment = payments.correctable_payment(db.session, invoice, payment.id)
        before, after = payments.change_payment(db.session, invoice, payment, new)
    except PaymentGone:
        abort(404)
    except InvoiceError as exc:
        form.form_errors.append(str(exc))
        return _page(invoice, payment, form, delete_form, status=400)
    reason = (form.reason.data or "").strip()
    _audit(
        PAYMENT_CHANGED,
        invoice,
        f"Payment {payment.id} changed from {before.describe(invoice.currency)}"
        f" to {after.describe(invoice.currency)}.",
        reason,
    )
    flash(_("The payment was changed. %(outcome)s", outcome=_said_outcome(invoice)), "success")
    return redirect(url_for("workspace.invoice_detail", invoice_id=invoice.id))


def payment_delete(invoice_id: int, payment_id: int) -> ResponseReturnValue:
    invoice = found(queries.get_invoice(invoice_id))
    payment = found(queries.invoice_payment(invoice, payment_id))
    form = PaymentEditForm(prefix="edit", obj=payment, formdata=None)
    delete_form = PaymentDeleteForm(prefix="delete")
    if not delete_form.validate_on_submit():
        return _page(invoice, payment, form, delete_form, status=400)
    try:
        payment = payments.correctable_payment(db.session, invoice, payment.id)
        before = payments.delete_payment(db.session, invoice, payment)
    except PaymentGone:
        abort(404)
    except InvoiceError as exc:
        delete_form.form_errors.append(str(exc))
        return _page(invoice, payment, form, delete_form, status=400)
    reason = (delete_form.reason.data or "").strip()
    _audit(
        PAYMENT_DELETED,
        invoice,
        f"Payment {payment_id} deleted: {before.describe(invoice.currency)}.",
        reason,
    )
    flash(_("The payment was deleted. %(outcome)s", outcome=_said_outcome(invoice)), "success")
    return redirect(url_for("workspace.invoice_detail", invoice_id=invoice.id))


def _page(
    invoice: Invoice,
    payment: Payment,
    form: PaymentEditForm,
    delete_form: PaymentDeleteForm,
    *,
    status: int = 200,
) -> tuple[str, int]:
    return render_form(
        TEMPLATE,
        status,
        invoice=invoice,
        payment=payment,
        form=form,
        delete_form=delete_form,
        locked=not payments.may_correct(invoice),
        # Bound forms come back to the form in error: the first field in error takes the focus.
        first_error=_first_error(form) or _first_error(delete_form),
    )


def _first_error(form: PaymentEditForm | PaymentDeleteForm) -> str | None:
    return next((field.name for field in form if field.errors), None)


def _audit(kind: Kind, invoice: Invoice, what: str, reason: str) -> None:
    audit.record(
        kind,
        client_id=invoice.client_id,
        invoice_id=invoice.id,
        detail=f"Invoice {invoice.number}: {what} {_outcome(invoice)} Reason: {reason}",
    )


def _outcome(invoice: Invoice) -> str:
    """What the invoice is after the correction, in words (for the audit trail, which keeps
    English: :func:`_said_outcome` says it to the person)."""
    paid = money(invoice.amount_paid, invoice.currency)
    if invoice.status == InvoiceStatus.PAID:
        return f"The invoice is paid ({paid} in all)."
    owed = money(states.balance(invoice), invoice.currency)
    return f"The invoice is unpaid: {paid} paid, {owed} to pay."


def _said_outcome(invoice: Invoice) -> str:
    """:func:`_outcome` in the language of the person who corrected the payment."""
    paid = money(invoice.amount_paid, invoice.currency)
    if invoice.status == InvoiceStatus.PAID:
        return _("The invoice is paid (%(paid)s in all).", paid=paid)
    owed = money(states.balance(invoice), invoice.currency)
    return _("The invoice is unpaid: %(paid)s paid, %(owed)s to pay.", paid=paid, owed=owed)


URLS: UrlTable = [
    ("/invoices/<int:invoice_id>/payments/<int:payment_id>/edit",
        payment_edit, ["GET", "POST"], Policy.ADMIN),
    ("/invoices/<int:invoice_id>/payments/<int:payment_id>/delete",
        payment_delete, ["POST"], Policy.ADMIN),
    # Invoicing from time (views.py): the workspace table lists views.URLS here until
    # workspace/blueprint.py includes it itself.
]  # fmt: skip
