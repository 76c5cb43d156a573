"""Staff downloads and the invoice email: the invoice PDF (drafts too, as a preview), the CSV
export of the time list with the list's own filters, and resending the "new invoice" email.

Rules (in ``blueprint.py``'s URL table):

    /invoices/<id>/pdf     invoice_pdf        staff    the invoice as a PDF, invoice-<number>.pdf
    /invoices/<id>/resend  invoice_resend     admin    POST: email the client's portal users again
    /time/export.csv       time_entries_csv   staff    ?project=&client=&user=&date_from=&date_to=
"""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user

from timetracker import db
from timetracker.documents.csv_export import csv_chunks, export_filename
from timetracker.documents.pdf import pdf_filename, render_invoice_pdf
from timetracker.documents.responses import csv_response, pdf_response
from timetracker.documents.staff_export import staff_export_rows
from timetracker.notifications.invoices import NotificationError, resend_invoice_email
from timetracker.workspace import queries
from timetracker.workspace.common import found
from timetracker.workspace.forms import TimeFilterForm
from timetracker.workspace.time_entries import _filter_choices as filter_choices


def invoice_pdf(invoice_id: int):  # type: ignore[no-untyped-def]
    invoice = found(queries.get_invoice(invoice_id))
    return pdf_response(render_invoice_pdf(invoice), pdf_filename(invoice))


def invoice_resend(invoice_id: int):  # type: ignore[no-untyped-def]
    invoice = found(queries.get_invoice(invoice_id))
    try:
        deliveries = resend_invoice_email(invoice)
    except NotificationError as exc:
        abort(400, str(exc))
    recipients = ", ".join(d.recipient for d in deliveries)
    flash(f"The invoice email is on its way to {recipients}.", "success")
    return redirect(url_for("workspace.invoice_detail", invoice_id=invoice.id))


def time_entries_csv():  # type: ignore[no-untyped-def]
    """The time list's entries as CSV: the same form validates the same filters."""
    form = TimeFilterForm(request.args)
    filter_choices(form)
    if "user" not in request.args:
        form.user.data = current_user.id
    if not form.validate():
        problems = [
            f"{form[name].label.text}: {' '.join(errors)}" for name, errors in form.errors.items()
        ]
        abort(400, "The export filters are not valid. " + " ".join(problems))
    filters = queries.TimeFilter(
        project_id=form.project.data,
        client_id=form.client.data,
        user_id=form.user.data,
        date_from=form.date_from.data,
        date_to=form.date_to.data,
    )
    filename = export_filename(_subject(filters), filters.date_from, filters.date_to)
    rows = staff_export_rows(db.session, filters.conditions())
    return csv_response(csv_chunks(rows), filename)


def _subject(filters: queries.TimeFilter) -> str:
    """What the file is about, for its name: the chosen client, project and person."""
    names: list[str] = []
    if filters.client_id is not None and (client := queries.get_client(filters.client_id)):
        names.append(client.name)
    if filters.project_id is not None and (project := queries.get_project(filters.project_id)):
        names.append(project.name if names else f"{project.client.name} {project.name}")
    if filters.user_id is not None and (user := queries.get_staff_user(filters.user_id)):
        names.append(user.name)
    return " ".join(names) or "all-clients"
