"""What each invoice bills: the time entries under the invoice's lines, in the portal.

The invoice page (``portal.invoice_detail``) lists under each line that bills time its
entries, with their hours' sum and how the billing rules make the line's quantity of it
(``PortalScope.invoice_time``). A line of more than ``LINE_LIMIT`` entries, or the lines
past ``PAGE_BUDGET`` entries on one page (both in ``scope/invoices.py``), are read on the
invoice's time page instead, which lists every entry grouped by line, :data:`ENTRIES_PER_PAGE`
at a time (a page of its own rather than a page parameter per line: one address per view, fit
for big invoices, and the invoice page stays the same size whatever the invoice bills).

Every read goes through the contact's :class:`~timetracker.portal.scope.PortalScope`: a draft,
another client's invoice and a missing id are the same 404; so is every route here when the
client's contacts do not see time entries (and the invoice page then draws none of this).

URL table (under /client-portal, GET only, every one ``portal``):

    /invoices/<id>/time      invoice_time      ?line=<item id>&page=: the entries by line
    /invoices/<id>/time.csv  invoice_time_csv  the invoice's entries as CSV, as the time export
"""

from __future__ import annotations

from itertools import groupby
from operator import attrgetter

from flask import Blueprint, g, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from timetracker import audit
from timetracker.auth.access import Policy, UrlTable, register_urls
from timetracker.documents.csv_export import csv_chunks
from timetracker.documents.pdf import pdf_filename
from timetracker.documents.responses import csv_response
from timetracker.errors import render_error
from timetracker.extensions import limiter
from timetracker.parsing import MAX_ID, parse_whole
from timetracker.portal import params
from timetracker.portal.downloads import CSV_LIMIT, HIDDEN_COLUMNS
from timetracker.portal.scope import PortalScope

bp = Blueprint("portal_invoice_time", __name__, url_prefix="/client-portal")

#: Entries per page of the invoice's time page.
ENTRIES_PER_PAGE = 50


@bp.errorhandler(params.ParamError)
def _bad_parameter(error: params.ParamError) -> ResponseReturnValue:
    return render_error(400, error.text)


def scope() -> PortalScope:
    return g.portal


def _line(args: MultiDict[str, str]) -> int | None:
    values = args.getlist("line")
    if len(values) > 1:
        raise params.ParamError(
            params.N_("The parameter '%(name)s' was given more than once; give it once."),
            name="line",
        )
    if not values or not values[0].strip():
        return None
    line = parse_whole(values[0].strip(), 0, MAX_ID)  # 0 is a missing line: 404
    if line is None:
        raise params.ParamError(
            params.N_("'line' must be the number of one of this invoice's lines.")
        )
    return line


def invoice_time(invoice_id: int) -> ResponseReturnValue:
    line_id = _line(request.args)
    page_request = params.page_request(request.args, ENTRIES_PER_PAGE)
    s = scope()
    s.require_time_entries()
    invoice = s.invoice(invoice_id)
    lines = s.invoice_line_times(invoice)
    page = s.invoice_entry_page(invoice, lines, page_request, line_id)
    args = {"line": str(line_id)} if line_id is not None else {}
    items = {item.id: item for item in invoice.items}
    # The page's entries come in the lines' order: consecutive runs are the groups.
    groups = [
        (items[item_id], lines[item_id], list(entries))
        for item_id, entries in groupby(page.items, key=attrgetter("invoice_item_id"))
    ]
    return render_template(
        "portal/invoice_time/entries.html",
        client=s.client,
        invoice=invoice,
        groups=groups,
        line_id=line_id,
        page=page,
        page_args=dict(args, invoice_id=invoice.id),
        shown=s.visibility,
    )


def _per_user() -> str:
    """Counted per contact, as the portal's time-entries CSV (the limiter scopes the counter
    to this route)."""
    return f"portal-download:{current_user.id}"


@limiter.limit(CSV_LIMIT, key_func=_per_user)
def invoice_time_csv(invoice_id: int) -> ResponseReturnValue:
    s = scope()
    s.require_time_entries()
    invoice = s.invoice(invoice_id)
    rows = s.invoice_export_rows(invoice.id)  # checked again in the scope, before streaming
    audit.record(
        audit.Kind.CSV_EXPORTED,
        client_id=s.client_id,
        invoice_id=invoice.id,
        detail=f"time entries of invoice {invoice.number}",
    )
    dropped = {name for key in s.hidden_export_columns() for name in HIDDEN_COLUMNS[key]}
    filename = pdf_filename(invoice).removesuffix(".pdf") + "-time-entries.csv"
    return csv_response(csv_chunks(rows, dropped=dropped), filename)


GET = ["GET"]
PORTAL = Policy.PORTAL

URLS: UrlTable = [
    ("/invoices/<int:invoice_id>/time", invoice_time, GET, PORTAL),
    ("/invoices/<int:invoice_id>/time.csv", invoice_time_csv, GET, PORTAL),
]
register_urls(bp, URLS)
