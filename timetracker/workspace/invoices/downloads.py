"""The invoice PDF (drafts too, as a preview), and the old "Resend email" address.

/invoices/<id>/pdf     invoice_pdf      staff   the invoice as a PDF, invoice-<number>.pdf
/invoices/<id>/resend  invoice_resend   admin   POST: sends to the send dialog (``sending.py``)
"""

from __future__ import annotations

from flask import redirect, url_for
from flask.typing import ResponseReturnValue

from timetracker.documents.pdf import pdf_filename, render_invoice_pdf
from timetracker.documents.responses import pdf_response
from timetracker.workspace.common import found
from timetracker.workspace.invoices.queries import get_invoice


def invoice_pdf(invoice_id: int) -> ResponseReturnValue:
    invoice = found(get_invoice(invoice_id))
    return pdf_response(render_invoice_pdf(invoice), pdf_filename(invoice))


def invoice_resend(invoice_id: int) -> ResponseReturnValue:
    """A "Resend email" form of an older page: emailing again is done in the send dialog,
    which says who gets what (and whether email is set up) before anything is sent."""
    invoice = found(get_invoice(invoice_id))
    return redirect(url_for("workspace.invoice_send_dialog", invoice_id=invoice.id), 303)
