"""The invoice PDF (drafts too, as a preview) and resending the "new invoice" email.

/invoices/<id>/pdf     invoice_pdf      staff   the invoice as a PDF, invoice-<number>.pdf
/invoices/<id>/resend  invoice_resend   admin   POST: email the client's portal users again
"""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask.typing import ResponseReturnValue

from timetracker.documents.pdf import pdf_filename, render_invoice_pdf
from timetracker.documents.responses import pdf_response
from timetracker.notifications.invoices import NotificationError, resend_invoice_email
from timetracker.workspace.common import found
from timetracker.workspace.invoices.queries import get_invoice


def invoice_pdf(invoice_id: int) -> ResponseReturnValue:
    invoice = found(get_invoice(invoice_id))
    return pdf_response(render_invoice_pdf(invoice), pdf_filename(invoice))


def invoice_resend(invoice_id: int) -> ResponseReturnValue:
    invoice = found(get_invoice(invoice_id))
    try:
        deliveries = resend_invoice_email(invoice)
    except NotificationError as exc:
        abort(400, str(exc))
    recipients = ", ".join(d.recipient for d in deliveries)
    flash(f"The invoice email is on its way to {recipients}.", "success")
    return redirect(url_for("workspace.invoice_detail", invoice_id=invoice.id))
