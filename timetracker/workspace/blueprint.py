"""The workspace blueprint and its URL table: every rule, its methods and who may use it.

Staff (role ``staff``) read everything here and write only their own time entries; every other
write (clients, projects, invoices, quotes) is for administrators. Portal users get 403 on all
of it.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from timetracker.auth.access import Policy, UrlTable, register_urls
from timetracker.models import TimeEntry
from timetracker.notifications.limits import limit_blueprint
from timetracker.workspace.clients import views as clients
from timetracker.workspace.dashboard import views as dashboard
from timetracker.workspace.invoices import downloads, sending
from timetracker.workspace.invoices import payments as invoice_payments
from timetracker.workspace.invoices import views as invoices
from timetracker.workspace.projects import updates as project_updates
from timetracker.workspace.projects import views as projects
from timetracker.workspace.quotes import actions as quote_actions
from timetracker.workspace.quotes import views as quotes
from timetracker.workspace.reports import views as reports
from timetracker.workspace.time import approval, export, grid
from timetracker.workspace.time import views as time_entries
from timetracker.workspace.time.queries import running_timer

bp = Blueprint("workspace", __name__)
limit_blueprint(bp)  # the invoice dialog emails addresses typed into it

GET, POST, FORM = ["GET"], ["POST"], ["GET", "POST"]
staff, admin = Policy.STAFF, Policy.ADMIN

URLS: UrlTable = [
    ("/dashboard", dashboard.dashboard, GET, staff),
    # Time: staff change their own entries, administrators everyone's (the entry is looked up
    # with the person in the query: another person's entry is a missing one, 404).
    ("/time", time_entries.time_entries, GET, staff),
    ("/time/week", time_entries.time_week, GET, staff),
    ("/time/new", time_entries.time_entry_new, FORM, staff),
    ("/time/<int:entry_id>/edit", time_entries.time_entry_edit, FORM, staff),
    ("/time/<int:entry_id>/delete", time_entries.time_entry_delete, POST, staff),
    ("/time/timer/start", time_entries.timer_start, POST, staff),
    ("/time/timer/stop", time_entries.timer_stop, POST, staff),
    ("/time/export.csv", export.time_entries_csv, GET, staff),
    # Clients
    ("/clients", clients.clients, GET, staff),
    ("/clients/new", clients.client_new, FORM, admin),
    ("/clients/<int:client_id>", clients.client_detail, GET, staff),
    ("/clients/<int:client_id>/edit", clients.client_edit, FORM, admin),
    ("/clients/<int:client_id>/deactivate", clients.client_deactivate, POST, admin),
    ("/clients/<int:client_id>/reactivate", clients.client_reactivate, POST, admin),
    # Projects
    ("/projects", projects.projects, GET, staff),
    ("/projects/new", projects.project_new, FORM, admin),
    ("/projects/<int:project_id>", projects.project_detail, GET, staff),
    ("/projects/<int:project_id>/edit", projects.project_edit, FORM, admin),
    ("/projects/<int:project_id>/archive", projects.project_archive, POST, admin),
    ("/projects/<int:project_id>/unarchive", projects.project_unarchive, POST, admin),
    # Status updates and notes: the note's id comes in the form and is looked up in the project.
    ("/projects/<int:project_id>/status-updates", project_updates.status_update_new, POST, admin),
    ("/projects/<int:project_id>/notes", project_updates.note_new, POST, admin),
    ("/projects/<int:project_id>/notes/edit", project_updates.note_edit, POST, admin),
    ("/projects/<int:project_id>/notes/delete", project_updates.note_delete, POST, admin),
    # Invoices
    ("/invoices", invoices.invoices, GET, staff),
    ("/invoices/new", invoices.invoice_new, FORM, admin),
    ("/invoices/<int:invoice_id>", invoices.invoice_detail, GET, staff),
    ("/invoices/<int:invoice_id>/edit", invoices.invoice_edit, FORM, admin),
    ("/invoices/<int:invoice_id>/items", invoices.invoice_item_add, POST, admin),
    ("/invoices/<int:invoice_id>/items/<int:item_id>/edit",
        invoices.invoice_item_edit, FORM, admin),
    ("/invoices/<int:invoice_id>/items/<int:item_id>/delete",
        invoices.invoice_item_delete, POST, admin),
    ("/invoices/<int:invoice_id>/send", invoices.invoice_send, POST, admin),
    ("/invoices/<int:invoice_id>/payments", invoices.invoice_payment, POST, admin),
    ("/invoices/<int:invoice_id>/cancel", invoices.invoice_cancel, POST, admin),
    ("/invoices/<int:invoice_id>/pdf", downloads.invoice_pdf, GET, staff),
    ("/invoices/<int:invoice_id>/resend", downloads.invoice_resend, POST, admin),
    # Quotes: a draft is edited (header and lines) and deleted; sending locks it; an accepted
    # quote becomes a project and a draft invoice, each at most once.
    ("/quotes", quotes.quotes, GET, staff),
    ("/quotes/new", quotes.quote_new, FORM, admin),
    ("/quotes/<int:quote_id>", quotes.quote_detail, GET, staff),
    ("/quotes/<int:quote_id>/edit", quotes.quote_edit, FORM, admin),
    ("/quotes/<int:quote_id>/delete", quotes.quote_delete, POST, admin),
    ("/quotes/<int:quote_id>/items", quotes.quote_item_add, POST, admin),
    ("/quotes/<int:quote_id>/items/<int:item_id>/edit", quotes.quote_item_edit, FORM, admin),
    ("/quotes/<int:quote_id>/items/<int:item_id>/delete",
        quotes.quote_item_delete, POST, admin),
    ("/quotes/<int:quote_id>/send", quote_actions.quote_send, POST, admin),
    ("/quotes/<int:quote_id>/pdf", quote_actions.quote_pdf, GET, staff),
    ("/quotes/<int:quote_id>/create-project",
        quote_actions.quote_create_project, POST, admin),
    ("/quotes/<int:quote_id>/create-invoice",
        quote_actions.quote_create_invoice, POST, admin),
    # Reports
    ("/reports", reports.reports, GET, staff),
    *grid.URLS,
    *approval.URLS,
    *sending.URLS,
    *invoice_payments.URLS,
    *invoices.URLS,
]  # fmt: skip

register_urls(bp, URLS)


def _running_timer() -> TimeEntry | None:
    """The signed-in staff member's running timer, for the navigation bar on every page."""
    if not current_user.is_authenticated or not current_user.is_staff:
        return None
    try:
        return running_timer(current_user.id)
    except SQLAlchemyError:
        # An error page rendered after a failed statement must still render.
        return None


@bp.app_context_processor
def _timer_context() -> dict[str, Any]:
    return {"workspace_running_timer": _running_timer}
