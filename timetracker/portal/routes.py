"""The client portal's pages. Read-only: every rule is GET (Flask adds HEAD and OPTIONS), so
any other method answers 405.

URL table (all under /client-portal):

    ""                       dashboard       statistics and recent activity
    /dashboard               dashboard
    /projects                projects        active projects with hours, amounts, budgets
    /projects/<id>           project_detail  a project's figures, status history, shared notes
    /invoices                invoices        ?status=all|paid|unpaid|overdue&page=
    /invoices/<id>           invoice_detail  items, totals, payments, balance
    /time-entries            time_entries    ?project_id=&date_from=&date_to=&page=
    /invoices/<id>/pdf       invoice_pdf       (in downloads.py) the invoice as a PDF
    /time-entries.csv        time_entries_csv  (in downloads.py) the filtered entries as CSV
    /branding.css            branding_css    the client's accent colour as a stylesheet
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, g, render_template, request
from flask_login import current_user

from timetracker import charts
from timetracker.auth.access import portal_view
from timetracker.errors import render_error
from timetracker.extensions import login_manager
from timetracker.portal import branding, params
from timetracker.portal.scope import PortalAccessDenied, PortalScope

bp = Blueprint("portal", __name__, url_prefix="/client-portal")


@bp.before_request
def _require_portal_access():  # type: ignore[no-untyped-def]
    """Access control for every portal page, in one place."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    try:
        g.portal = PortalScope.require(current_user)
    except PortalAccessDenied as denied:
        abort(403, denied.reason)
    return None


@bp.errorhandler(params.ParamError)
def _bad_parameter(error: params.ParamError):  # type: ignore[no-untyped-def]
    return render_error(400, str(error))


def scope() -> PortalScope:
    return g.portal  # type: ignore[no-any-return]


def _page_size() -> int:
    return int(current_app.config["PAGE_SIZE"])


@bp.route("", methods=["GET"])
@bp.route("/dashboard", methods=["GET"])
@portal_view
def dashboard():  # type: ignore[no-untyped-def]
    s = scope()
    return render_template(
        "portal/dashboard.html",
        client=s.client,
        stats=s.dashboard_stats(),
        recent_entries=s.recent_time_entries(),
        recent_invoices=s.recent_invoices(),
        charts=charts.portal_dashboard_charts(s),
        scope=s,
    )


@bp.route("/projects", methods=["GET"])
@portal_view
def projects():  # type: ignore[no-untyped-def]
    page_request = params.page_request(request.args, _page_size())
    s = scope()
    page = s.active_project_page(page_request)
    return render_template(
        "portal/projects.html",
        client=s.client,
        page=page,
        statuses=s.latest_status_updates([summary.project.id for summary in page.items]),
    )


#: Status updates per page of a project's history: the newest few matter most.
STATUS_UPDATES_PER_PAGE = 10


@bp.route("/projects/<int:project_id>", methods=["GET"])
@portal_view
def project_detail(project_id: int):  # type: ignore[no-untyped-def]
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
    )


@bp.route("/invoices", methods=["GET"])
@portal_view
def invoices():  # type: ignore[no-untyped-def]
    which = params.invoice_filter(request.args)
    page_request = params.page_request(request.args, _page_size())
    s = scope()
    return render_template(
        "portal/invoices.html",
        client=s.client,
        status=which,
        filters=params.INVOICE_FILTERS,
        counts=s.invoice_filter_counts(),
        totals=s.invoice_totals(which),
        page=s.invoice_page(which, page_request),
        scope=s,
    )


@bp.route("/invoices/<int:invoice_id>", methods=["GET"])
@portal_view
def invoice_detail(invoice_id: int):  # type: ignore[no-untyped-def]
    s = scope()
    invoice = s.invoice(invoice_id)
    return render_template(
        "portal/invoice_detail.html",
        client=s.client,
        invoice=invoice,
        project_name=s.invoice_project_name(invoice),
        overdue=s.is_overdue(invoice),
    )


@bp.route("/time-entries", methods=["GET"])
@portal_view
def time_entries():  # type: ignore[no-untyped-def]
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
    )


@bp.route("/branding.css", methods=["GET"])
@portal_view
def branding_css():  # type: ignore[no-untyped-def]
    """Per client, so private; revalidated on every page (a 304 while it is unchanged)."""
    accent = branding.accent_of(scope().client.portal_accent_color)
    response = Response(branding.stylesheet(accent), mimetype="text/css")
    response.set_etag(branding.etag(accent))
    response.cache_control.private = True
    response.cache_control.no_cache = True
    return response.make_conditional(request)


# The download routes live beside these pages and register on the same blueprint.
from timetracker.portal import downloads  # noqa: E402, F401
