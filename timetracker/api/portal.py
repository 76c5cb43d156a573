"""The client portal as JSON (scope ``portal:read``), read through the portal's own scope.

Every answer comes from :class:`~timetracker.portal.scope.PortalScope`, with the portal's
parameter parsing (:mod:`timetracker.portal.params`): the isolation (another client's id is a
missing id), the client's visibility settings and the figures are the portal's.

URL table (under /api/v1/portal, GET only, policy ``token``):

    /projects                    projects          active projects with their figures
    /projects/<id>               project           one project (archived ones too)
    /invoices                    invoices          ?status=all|paid|unpaid|overdue
    /invoices/<id>               invoice           lines, payments, balance
    /invoices/<id>/pdf           invoice_pdf       the invoice as a PDF
    /time-entries                time_entries      ?project_id=&date_from=&date_to=
"""

from __future__ import annotations

from typing import Any

from flask import Response, request

from timetracker import audit
from timetracker.api import pagination, schemas
from timetracker.api.core import Blueprint, bearer, cached_get, errors_doc, prepare, token
from timetracker.api.problems import Problem
from timetracker.api.tokens import PORTAL_READ
from timetracker.billing import states
from timetracker.documents.pdf import pdf_filename, render_invoice_pdf
from timetracker.documents.responses import pdf_response
from timetracker.models import Invoice
from timetracker.pagination import Page
from timetracker.portal import params
from timetracker.portal.scope import PortalScope

bp = Blueprint(
    "api_portal",
    __name__,
    url_prefix="/api/v1/portal",
    description="A client contact's portal: projects, invoices and time (scope portal:read).",
)
prepare(bp)


PDF = {"type": "string", "format": "binary"}


def scope() -> PortalScope:
    return PortalScope.require(bearer().user)


def _args(parse: Any, args: Any) -> Any:
    """The portal's parser's value; its refusal is a 400 problem."""
    try:
        return parse(args)
    except params.ParamError as exc:
        raise Problem(400, str(exc)) from None


def invoice_summary(s: PortalScope, invoice: Invoice) -> dict[str, Any]:
    return {
        "id": invoice.id,
        "number": invoice.number,
        "status": s.state_of(invoice).value,
        "overdue": s.is_overdue(invoice),
        "issue_date": invoice.issue_date,
        "due_date": invoice.due_date,
        "currency": invoice.currency,
        "subtotal": invoice.subtotal,
        "tax_rate": invoice.tax_rate,
        "tax_amount": invoice.tax_amount,
        "total": invoice.total,
        "amount_paid": invoice.amount_paid,
        "balance": states.balance(invoice),
    }


@bp.route("/projects", methods=["GET"])
@token(PORTAL_READ)
@bp.arguments(schemas.PageQuery, location="query", as_kwargs=True)
@bp.response(200, schemas.PortalProjectList, headers={"Link": pagination.LINK})
@cached_get(bp)
@errors_doc(bp)
def projects(**args: Any) -> Any:
    """The client's active projects with hours, billable value and budget use."""
    s = scope()
    page = s.active_project_page(pagination.page_request(args))
    return pagination.answer(page, {"currency": s.client.currency})


@bp.route("/projects/<int:project_id>", methods=["GET"])
@token(PORTAL_READ)
@bp.response(200, schemas.PortalProject)
@cached_get(bp)
@errors_doc(bp)
def project(project_id: int) -> Any:
    """One of the client's projects (archived ones too) with its figures."""
    return scope().project_summary(project_id)


@bp.route("/invoices", methods=["GET"])
@token(PORTAL_READ)
@bp.arguments(schemas.InvoiceQuery, location="query", as_kwargs=True)
@bp.response(200, schemas.InvoiceList, headers={"Link": pagination.LINK})
@cached_get(bp)
@errors_doc(bp)
def invoices(**args: Any) -> Any:
    """The client's invoices (never drafts) under one of the portal's filters, with the
    count of every filter and the total and open balance over all pages."""
    which = _args(params.invoice_filter, request.args)
    s = scope()
    page = s.invoice_page(which, pagination.page_request(args))
    totals = s.invoice_totals(which)
    body = {
        "status": which.value,
        "counts": {f.value: n for f, n in s.invoice_filter_counts().items()},
        "totals": {"count": totals.count, "total": totals.total, "balance": totals.balance},
    }
    rows: Page[Any] = Page([invoice_summary(s, i) for i in page.items], *_numbers(page))
    return pagination.answer(rows, body)


def _numbers(page: Page[Any]) -> tuple[int, int, int]:
    return page.total, page.number, page.size


@bp.route("/invoices/<int:invoice_id>", methods=["GET"])
@token(PORTAL_READ)
@bp.response(200, schemas.InvoiceDetail)
@cached_get(bp)
@errors_doc(bp)
def invoice(invoice_id: int) -> Any:
    """One invoice with its lines and payments; another client's id is a missing one."""
    s = scope()
    found = s.invoice(invoice_id)
    audit.record(
        audit.Kind.INVOICE_VIEWED, actor=bearer().user, client_id=s.client_id, invoice_id=found.id
    )
    return {
        **invoice_summary(s, found),
        "project_name": s.invoice_project_name(found),
        "notes": found.notes,
        "items": sorted(found.items, key=lambda item: (item.position, item.id)),
        "payments": sorted(found.payments, key=lambda p: (p.paid_on, p.id)),
    }


@bp.route("/invoices/<int:invoice_id>/pdf", methods=["GET"])
@token(PORTAL_READ)
@bp.response(200, description="The invoice as an A4 PDF (the portal's download).")
@bp.doc(responses={"200": {"content": {"application/pdf": {"schema": PDF}}}})
@cached_get(bp)
@errors_doc(bp)
def invoice_pdf(invoice_id: int) -> Response:
    """The invoice as a PDF, as the portal's download renders it."""
    s = scope()
    found = s.invoice(invoice_id)
    audit.record(
        audit.Kind.INVOICE_PDF_DOWNLOADED,
        actor=bearer().user,
        client_id=s.client_id,
        invoice_id=found.id,
    )
    return pdf_response(render_invoice_pdf(found, s.client), pdf_filename(found))


@bp.route("/time-entries", methods=["GET"])
@token(PORTAL_READ)
@bp.arguments(schemas.DateRangeQuery, location="query", as_kwargs=True)
@bp.response(200, schemas.PortalEntryList, headers={"Link": pagination.LINK})
@cached_get(bp)
@errors_doc(bp)
def time_entries(**args: Any) -> Any:
    """The completed time entries of the client's projects, newest first, with totals over
    all pages; 404 when the client's contacts do not see time entries."""
    filters = _args(params.time_filters, request.args)
    s = scope()
    s.check_filters(filters)
    totals = s.time_entry_totals(filters)
    page = s.time_entry_page(filters, pagination.page_request(args), totals)
    body = {
        "currency": s.client.currency,
        "totals": {
            "count": totals.count,
            "seconds": totals.seconds,
            "hours": totals.hours,
            "billable_seconds": totals.billable_seconds,
            "billable_hours": totals.billable_hours,
            "billable_amount": totals.billable_amount,
        },
    }
    return pagination.answer(page, body)
