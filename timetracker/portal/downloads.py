"""Portal downloads. Like every portal page they read data only through ``PortalScope``:
another client's invoice, or a draft, is answered exactly like a missing id (404).

URL table (under /client-portal, GET only):

    /invoices/<id>/pdf     invoice_pdf       the invoice as an A4 PDF, invoice-<number>.pdf
    /time-entries.csv      time_entries_csv  ?project_id=&date_from=&date_to=, as on the list

The CSV leaves out the columns the client's visibility settings hide (Notes, User, Amount and
its Currency), and answers 404 when the client does not see time entries at all.
"""

from __future__ import annotations

from flask import request
from flask.typing import ResponseReturnValue
from flask_login import current_user

from timetracker import audit
from timetracker.audit.details import time_export_detail
from timetracker.auth.access import Policy, UrlTable, register_urls
from timetracker.documents.csv_export import (
    csv_chunks,
    export_filename,
)
from timetracker.documents.pdf import pdf_filename, render_invoice_pdf
from timetracker.documents.responses import csv_response, pdf_response
from timetracker.extensions import limiter
from timetracker.portal import params
from timetracker.portal.routes import bp, scope

#: A PDF costs about half a second of CPU and a full export about half a minute of a worker:
#: one person may not keep the server busy with them. Counted per portal user in the shared
#: rate-limit storage, so they hold across workers and servers (SECURITY.md).
PDF_LIMIT = "30 per minute"
CSV_LIMIT = "10 per minute"


#: The CSV columns (by header) that each hidden row attribute takes away: an amount goes with
#: its currency.
HIDDEN_COLUMNS = {
    "notes": ("Notes",),
    "user_name": ("User",),
    "value_cents": ("Amount", "Currency"),
}


def _per_user() -> str:
    return f"portal-download:{current_user.id}"


@limiter.limit(PDF_LIMIT, key_func=_per_user)
def invoice_pdf(invoice_id: int) -> ResponseReturnValue:
    s = scope()
    invoice = s.invoice(invoice_id)
    audit.record(audit.Kind.INVOICE_PDF_DOWNLOADED, client_id=s.client_id, invoice_id=invoice.id)
    return pdf_response(render_invoice_pdf(invoice, s.client), pdf_filename(invoice))


@limiter.limit(CSV_LIMIT, key_func=_per_user)
def time_entries_csv() -> ResponseReturnValue:
    filters = params.time_filters(request.args)
    s = scope()
    s.check_filters(filters)
    detail = time_export_detail(s, filters)
    audit.record(audit.Kind.CSV_EXPORTED, client_id=s.client_id, detail=detail)
    filename = export_filename(s.client.name, filters.date_from, filters.date_to)
    dropped = {name for key in s.hidden_export_columns() for name in HIDDEN_COLUMNS[key]}
    return csv_response(csv_chunks(s.export_rows(filters), dropped=dropped), filename)


URLS: UrlTable = [
    ("/invoices/<int:invoice_id>/pdf", invoice_pdf, ["GET"], Policy.PORTAL),
    ("/time-entries.csv", time_entries_csv, ["GET"], Policy.PORTAL),
]
register_urls(bp, URLS)
