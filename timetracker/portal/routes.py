"""The client portal's pages. Read-only: every rule is GET (Flask adds HEAD and OPTIONS), so
any other method answers 405.

URL table (all under /client-portal, every one of them ``portal`` in ``URLS`` below: a signed-in,
active contact of an active client, whose scope the policy puts in ``g.portal``):

    ""                       dashboard       statistics and recent activity
    /dashboard               dashboard
    /projects                projects        active projects with hours, amounts, budgets
    /projects/<id>           project_detail  a project's figures, status history, shared notes
    /invoices                invoices        ?status=all|paid|unpaid|overdue&page=
    /invoices/<id>           invoice_detail  items, totals, payments, balance
    /time-entries            time_entries    ?project_id=&date_from=&date_to=&page=
                                             (404 when the client does not see time entries)
    /invoices/<id>/pdf       invoice_pdf       (in downloads.py) the invoice as a PDF
    /time-entries.csv        time_entries_csv  (in downloads.py) the filtered entries as CSV
    /invoices/<id>/time      invoice_time      (in invoice_time.py, blueprint portal_invoice_time)
    /invoices/<id>/time.csv  invoice_time_csv  the entries an invoice bills, by line / as CSV
    /branding.css            branding_css    the client's accent colour as a stylesheet
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, g, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user

from timetracker import audit
from timetracker.auth.access import Policy, UrlTable, register_urls
from timetracker.billing.states import PORTAL_FILTERS
from timetracker.charts.burndown import forecast_panel
from timetracker.comments import panels as comment_panels
from timetracker.errors import render_error
from timetracker.portal import branding, params
from timetracker.portal.scope import PortalScope
from timetracker.portal.scope.visibility import Visibility
from timetracker.sharing import panels as document_panels

bp = Blueprint("portal", __name__, url_prefix="/client-portal")


@bp.errorhandler(params.ParamError)
def _bad_parameter(error: params.ParamError) -> ResponseReturnValue:
    return render_error(400, error.text)


def scope() -> PortalScope:
    return g.portal


@bp.app_context_processor
def _navigation() -> dict[str, Any]:
    """``portal_visibility()`` for the portal's navigation, on every page a contact opens (the
    account page too, where no scope was built)."""

    def portal_visibility() -> Visibility | None:
        portal = g.get("portal")
        if portal is not None:
            return portal.visibility
        if not current_user.is_authenticated:
            return None
        found = PortalScope.for_user(current_user._get_current_object())
        return found.visibility if found is not None else None

    return {"portal_visibility": portal_visibility}


def _page_size() -> int:
    return int(current_app.config["PAGE_SIZE"])


def dashboard() -> ResponseReturnValue:
    s = scope()
    return render_template(
        "portal/dashboard.html",
        client=s.client,
        stats=s.dashboard_stats(),
        recent_entries=s.recent_time_entries(),
        recent_invoices=s.recent_invoices(),
        charts=s.dashboard_charts(),
        scope=s,
        shown=s.visibility,
    )


def projects() -> ResponseReturnValue:
    page_request = params.page_request(request.args, _page_size())
    s = scope()
    page = s.active_project_page(page_request)
    return render_template(
        "portal/projects.html",
        client=s.client,
        page=page,
        statuses=s.latest_status_updates([summary.project.id for summary in page.items]),
        shown=s.visibility,
    )


#: Status updates per page of a project's history: the newest few matter most.
STATUS_UPDATES_PER_PAGE = 10


def project_detail(project_id: int) -> ResponseReturnValue:
    return render_project_page(project_id)


def render_project_page(project_id: int, status: int = 200, **forms: Any) -> tuple[str, int]:
    """The portal project page with its figures, status history, notes, comments and
    documents. A rejected form of a section (a comment, an upload) comes back in ``forms``,
    with its errors, and the page answers ``status`` (400)."""
    page_request = params.page_request(request.args, STATUS_UPDATES_PER_PAGE)
    s = scope()
    summary = s.project_summary(project_id)
    updates = s.status_update_page(project_id, page_request)
    if updates.number == 1:  # the newest update heads the first page
        current = updates.items[0] if updates.items else None
    else:
        current = s.latest_status_updates([project_id]).get(project_id)
    return render_template(
        "portal/project_detail.html",
        client=s.client,
        summary=summary,
        current=current,
        updates=updates,
        notes=s.visible_notes(project_id),
        shown=s.visibility,
        forecast=forecast_panel(s.project_forecast(project_id), s.client.currency),
        **comment_panels.portal_thread(s, project_id, **forms),
        **document_panels.portal_project_documents(s, project_id, **forms),
    ), status


def invoices() -> ResponseReturnValue:
    which = params.invoice_filter(request.args)
    page_request = params.page_request(request.args, _page_size())
    s = scope()
    return render_template(
        "portal/invoices.html",
        client=s.client,
        status=which,
        filters=PORTAL_FILTERS,
        counts=s.invoice_filter_counts(),
        totals=s.invoice_totals(which),
        page=s.invoice_page(which, page_request),
        scope=s,
    )


def invoice_detail(invoice_id: int) -> ResponseReturnValue:
    s = scope()
    invoice = s.invoice(invoice_id)
    audit.record(audit.Kind.INVOICE_VIEWED, client_id=s.client_id, invoice_id=invoice.id)
    return render_template(
        "portal/invoice_detail.html",
        client=s.client,
        invoice=invoice,
        project_name=s.invoice_project_name(invoice),
        overdue=s.is_overdue(invoice),
        billed=s.invoice_time(invoice),
        shown=s.visibility,
    )


def time_entries() -> ResponseReturnValue:
    filters = params.time_filters(request.args)
    page_request = params.page_request(request.args, _page_size())
    s = scope()
    s.check_filters(filters)
    totals = s.time_entry_totals(filters)
    return render_template(
        "portal/time_entries.html",
        client=s.client,
        filters=filters,
        projects=s.project_choices(),
        totals=totals,
        page=s.time_entry_page(filters, page_request, totals),
        shown=s.visibility,
    )


def branding_css() -> ResponseReturnValue:
    """Per client, so private; revalidated on every page (a 304 while it is unchanged)."""
    accent = branding.accent_of(scope().client.portal_accent_color)
    response = Response(branding.stylesheet(accent), mimetype="text/css")
    response.set_etag(branding.etag(accent))
    response.cache_control.private = True
    response.cache_control.no_cache = True
    return response.make_conditional(request)


GET = ["GET"]
PORTAL = Policy.PORTAL

URLS: UrlTable = [
    ("", dashboard, GET, PORTAL),
    ("/dashboard", dashboard, GET, PORTAL),
    ("/projects", projects, GET, PORTAL),
    ("/projects/<int:project_id>", project_detail, GET, PORTAL),
    ("/invoices", invoices, GET, PORTAL),
    ("/invoices/<int:invoice_id>", invoice_detail, GET, PORTAL),
    ("/time-entries", time_entries, GET, PORTAL),
    ("/branding.css", branding_css, GET, PORTAL),
]
register_urls(bp, URLS)

# The download routes live beside these pages and register on the same blueprint.
from timetracker.portal import downloads  # noqa: E402, F401
