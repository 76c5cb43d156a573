"""Invoice views: everyone on the staff reads; administrators create, edit, send, record
payments and cancel. The work is done by ``timetracker.billing.invoicing``; a line and a
project are looked up within their invoice and client (another one's is a missing one)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from timetracker import db, firm
from timetracker.audit.queries import invoice_viewers
from timetracker.auth.access import Policy, UrlTable
from timetracker.billing import from_time, invoicing, payments, states
from timetracker.billing.invoicing import InvoiceError
from timetracker.billing.states import InvoiceFilter
from timetracker.documents.vat import lacks_firm_vat_id
from timetracker.models import Client, Invoice, InvoiceItem, InvoiceStatus, Project
from timetracker.notifications import invoice_sending
from timetracker.notifications.invoices import deliveries_for, notify_invoice_sent
from timetracker.parsing import parse_id
from timetracker.payments import notices_for
from timetracker.workspace.choices import client_choices
from timetracker.workspace.clients.queries import active_client
from timetracker.workspace.common import empty_page, found, render_form
from timetracker.workspace.fields import PercentField
from timetracker.workspace.invoices import queries
from timetracker.workspace.invoices.forms import (
    InvoiceCreateForm,
    InvoiceEditForm,
    InvoiceFilterForm,
    InvoiceItemForm,
    InvoicePreviewForm,
    PaymentForm,
    RecordMultiField,
    TimeChoiceMixin,
)
from timetracker.workspace.record_select import RecordSelectField


def invoices() -> ResponseReturnValue:
    form = InvoiceFilterForm(request.args)
    form.client.choices = [("", _("All clients")), *client_choices(active_only=False)]
    today = firm.today()
    if not form.validate():
        return render_form(
            "workspace/invoices.html",
            400,
            filter_form=form,
            page=empty_page(),
            page_args={},
            today=today,
        )
    page = queries.invoices_page(InvoiceFilter(form.status.data), form.client.data, today)
    args = {k: v for k, v in request.args.items() if k != "page"}
    return render_template(
        "workspace/invoices.html", filter_form=form, page=page, page_args=args, today=today
    )


def invoice_detail(invoice_id: int) -> ResponseReturnValue:
    invoice = found(queries.get_invoice(invoice_id))
    return _detail(invoice)


def invoice_new() -> ResponseReturnValue:
    """The new draft form; its "Preview" button shows the lines without creating anything
    (the page's script shows the same preview as the choices change: :func:`invoice_preview`)."""
    form = InvoiceCreateForm()
    if request.method == "GET":
        settings = firm.get_settings()
        form.issue_date.data = firm.today()
        form.payment_terms.data = settings.payment_terms_days
        form.tax_rate.data = str(firm.default_tax_rate())
        form.client.data = parse_id(request.args.get("client"))
        return _new_form(form, None)
    valid = form.validate_on_submit()
    client, projects = _chosen(form.client, form.project)
    if not valid or client is None or projects is None:
        return _new_form(form, client, status=400)
    if form.preview.data:
        return _new_form(form, client, preview=_preview(form, client, projects, form.tax_rate))
    issue = form.issue_date.data
    options: dict[str, Any] = {
        "issue_date": issue,
        "due_date": issue + dt.timedelta(days=form.payment_terms.data or 0),
        "tax_rate": form.tax_rate.number or Decimal("0"),
        "notes": (form.notes.data or "").strip() or None,
    }
    try:
        if form.from_time.data:
            invoice = from_time.create_invoice_from_time(
                db.session,
                client,
                projects=projects,
                date_from=form.date_from.data,
                date_to=form.date_to.data,
                group_by=form.group_by.data,
                **options,
            )
        else:
            project = projects[0] if len(projects) == 1 else None
            invoice = invoicing.new_invoice(db.session, client, project=project, **options)
    except InvoiceError as exc:
        form.form_errors.append(str(exc))
        return _new_form(form, client, status=400)
    flash(_("Draft invoice %(number)s was created.", number=invoice.number), "success")
    return redirect(url_for("workspace.invoice_detail", invoice_id=invoice.id))


def invoice_preview() -> ResponseReturnValue:
    """GET /invoices/new/preview?client_id=&project_ids=&date_from=&date_to=&group_by=&tax_rate=
    an HTML fragment: the lines, hours and amounts the draft would have. Writes nothing."""
    form = InvoicePreviewForm(request.args)
    valid = form.validate()
    client, projects = _chosen(form.client_id, form.project_ids)
    if not valid or client is None or projects is None:
        return render_form("workspace/invoices/preview.html", 400, preview=None, errors=form)
    preview = _preview(form, client, projects, form.tax_rate)
    return render_template("workspace/invoices/preview.html", preview=preview, errors=None)


def invoice_item_entries(invoice_id: int, item_id: int) -> ResponseReturnValue:
    """The time entries a line bills (the "(18 time entries)" of the invoice page)."""
    invoice = found(queries.get_invoice(invoice_id))
    item = _item(invoice, item_id)
    return render_template(
        "workspace/invoices/entries.html",
        invoice=invoice,
        item=item,
        page=queries.item_entries_page(item),
        seconds=queries.item_seconds(item),
    )


def invoice_edit(invoice_id: int) -> ResponseReturnValue:
    invoice = found(queries.get_invoice(invoice_id))
    form = InvoiceEditForm(obj=invoice)
    if request.method == "GET":
        if not invoice.is_editable:
            return redirect(url_for("workspace.invoice_detail", invoice_id=invoice.id))
        return render_template("workspace/invoice_edit.html", form=form, invoice=invoice)
    if not form.validate_on_submit():
        return render_form("workspace/invoice_edit.html", 400, form=form, invoice=invoice)
    try:
        invoicing.update_draft(
            db.session,
            invoice,
            issue_date=form.issue_date.data,
            due_date=form.due_date.data,
            tax_rate=form.tax_rate.number or Decimal("0"),
            notes=(form.notes.data or "").strip() or None,
        )
    except InvoiceError as exc:
        form.form_errors.append(str(exc))
        return render_form("workspace/invoice_edit.html", 400, form=form, invoice=invoice)
    flash(_("The invoice was saved."), "success")
    return redirect(url_for("workspace.invoice_detail", invoice_id=invoice.id))


def invoice_item_add(invoice_id: int) -> ResponseReturnValue:
    invoice = found(queries.get_invoice(invoice_id))
    form = InvoiceItemForm(prefix="item", currency=invoice.currency)
    try:
        invoicing.require_draft(invoice)
    except InvoiceError as exc:
        return _detail(invoice, problem=str(exc), status=400)
    if not form.validate_on_submit():
        return _detail(invoice, item_form=form, status=400)
    try:
        invoicing.add_item(
            db.session,
            invoice,
            (form.description.data or "").strip(),
            form.quantity.checked_number,
            form.unit_price.checked_number,
            _line_details(form),
        )
    except InvoiceError as exc:
        form.form_errors.append(str(exc))
        return _detail(invoice, item_form=form, status=400)
    flash(_("The line was added."), "success")
    return redirect(url_for("workspace.invoice_detail", invoice_id=invoice.id))


def invoice_item_edit(invoice_id: int, item_id: int) -> ResponseReturnValue:
    invoice = found(queries.get_invoice(invoice_id))
    item = _item(invoice, item_id)
    form = InvoiceItemForm(obj=item, currency=invoice.currency)
    if request.method == "GET":
        if not invoice.is_editable:
            return redirect(url_for("workspace.invoice_detail", invoice_id=invoice.id))
        return render_template("workspace/invoice_item.html", form=form, invoice=invoice, item=item)
    if not form.validate_on_submit():
        return render_form(
            "workspace/invoice_item.html", 400, form=form, invoice=invoice, item=item
        )
    try:
        invoicing.update_item(
            db.session,
            invoice,
            item,
            (form.description.data or "").strip(),
            form.quantity.checked_number,
            form.unit_price.checked_number,
            _line_details(form),
        )
    except InvoiceError as exc:
        form.form_errors.append(str(exc))
        return render_form(
            "workspace/invoice_item.html", 400, form=form, invoice=invoice, item=item
        )
    flash(_("The line was saved."), "success")
    return redirect(url_for("workspace.invoice_detail", invoice_id=invoice.id))


def invoice_item_delete(invoice_id: int, item_id: int) -> ResponseReturnValue:
    invoice = found(queries.get_invoice(invoice_id))
    item = _item(invoice, item_id)
    _apply(invoicing.remove_item, invoice, item)
    flash(_("The line was removed; any time it billed can be billed again."), "success")
    return redirect(url_for("workspace.invoice_detail", invoice_id=invoice.id))


def invoice_send(invoice_id: int) -> ResponseReturnValue:
    invoice = found(queries.get_invoice(invoice_id))
    _apply(invoicing.mark_sent, invoice)
    notify_invoice_sent(invoice)  # emails the client's portal users once this commits
    flash(
        _(
            "Invoice %(number)s is marked as sent and can no longer be edited.",
            number=invoice.number,
        ),
        "success",
    )
    return redirect(url_for("workspace.invoice_detail", invoice_id=invoice.id))


def invoice_payment(invoice_id: int) -> ResponseReturnValue:
    invoice = found(queries.get_invoice(invoice_id))
    form = PaymentForm(prefix="pay", currency=invoice.currency)
    if invoice.status != InvoiceStatus.SENT:
        problem = _("Payments can only be recorded on a sent, unpaid invoice.")
        return _detail(invoice, problem=problem, status=400)
    if not form.validate_on_submit():
        return _detail(invoice, payment_form=form, status=400)
    try:
        payments.record_payment(
            db.session,
            invoice,
            form.amount.checked_number,
            form.paid_on.data,
            (form.method.data or "").strip() or None,
            (form.reference.data or "").strip() or None,
        )
    except InvoiceError as exc:
        form.amount.errors.append(str(exc))
        return _detail(invoice, payment_form=form, status=400)
    flash(_("The payment was recorded."), "success")
    return redirect(url_for("workspace.invoice_detail", invoice_id=invoice.id))


def invoice_cancel(invoice_id: int) -> ResponseReturnValue:
    invoice = found(queries.get_invoice(invoice_id))
    _apply(invoicing.cancel, invoice)
    flash(
        _("Invoice %(number)s was cancelled; its time can be billed again.", number=invoice.number),
        "success",
    )
    return redirect(url_for("workspace.invoice_detail", invoice_id=invoice.id))


# helpers ------------------------------------------------------------------------------------
def _detail(
    invoice: Invoice,
    *,
    item_form: InvoiceItemForm | None = None,
    payment_form: PaymentForm | None = None,
    problem: str | None = None,
    status: int = 200,
) -> tuple[str, int]:
    if payment_form is None:
        payment_form = PaymentForm(prefix="pay", formdata=None)
        payment_form.amount.data = str(states.open_balance(invoice))
        payment_form.paid_on.data = firm.today()
    return render_form(
        "workspace/invoice_detail.html",
        status,
        invoice=invoice,
        entries=queries.entries_per_item(invoice),
        today=firm.today(),
        item_form=item_form or InvoiceItemForm(prefix="item", formdata=None),
        payment_form=payment_form,
        can_manage=current_user.is_admin,
        deliveries=deliveries_for(db.session, invoice.id),
        viewers=invoice_viewers(db.session, invoice.id),
        payment_notices=notices_for(db.session, invoice.id),
        payments_correctable=payments.may_correct(invoice),
        cancellable=invoicing.cancel_refusal(invoice) is None,
        sendable=invoice.status in invoice_sending.SENDABLE,
        lacks_vat_id=invoice.is_editable and lacks_firm_vat_id(invoice, firm.get_settings()),
        problem=problem,
    )


def _apply(operation: Any, invoice: Invoice, *args: Any) -> None:
    try:
        operation(db.session, invoice, *args)
    except InvoiceError as exc:
        abort(400, str(exc))


def _item(invoice: Invoice, item_id: int) -> InvoiceItem:
    return found(queries.invoice_item(invoice, item_id))


def _new_form(
    form: InvoiceCreateForm,
    client: Client | None,
    *,
    preview: Preview | None = None,
    status: int = 200,
) -> tuple[str, int]:
    """The new invoice page; once a client is chosen only its projects are offered."""
    form.client.choices = client_choices()
    chosen = client.id if client is not None else None
    return render_form(
        "workspace/invoice_new.html",
        status,
        form=form,
        project_groups=queries.project_groups(chosen),
        preview=preview,
    )


def _chosen(
    client_field: RecordSelectField, field: RecordMultiField
) -> tuple[Client | None, list[Project] | None]:
    """The active client chosen in ``client_field`` and its projects chosen in ``field`` (none:
    all of them); ``None`` for either, with the field's error, when it is unknown, deactivated
    or, for a project, another client's."""
    client = active_client(client_field.data)
    if client_field.data is not None and client is None:
        client_field.errors.append(_("Unknown client, or one that is deactivated."))
    if client is None or field.errors:
        return client, None if field.errors else []
    projects = queries.client_projects(client.id, field.data)
    if projects is None:
        field.errors.append(_("Choose projects of the chosen client only (or none for all)."))
    return client, projects


@dataclass(frozen=True)
class Preview:
    """What the preview fragment shows: the plan of lines and the totals at the tax rate."""

    client: Client
    plan: from_time.Plan
    tax_rate: Decimal | None


def _preview(
    form: TimeChoiceMixin, client: Client, projects: list[Project], tax: PercentField
) -> Preview:
    plan = from_time.plan_lines(
        db.session,
        client,
        projects=projects,
        date_from=form.date_from.data,
        date_to=form.date_to.data,
        group_by=form.group_by.data,
    )
    return Preview(client, plan, None if tax.errors else tax.number)


def _line_details(form: InvoiceItemForm) -> invoicing.LineDetails:
    return invoicing.LineDetails(
        unit=(form.unit.data or "").strip() or None,
        period_start=form.period_start.data,
        period_end=form.period_end.data,
    )


#: The rows of the pages above that the workspace table does not list itself (it includes
#: them through ``payments.URLS``).
URLS: UrlTable = [
    ("/invoices/new/preview", invoice_preview, ["GET"], Policy.ADMIN),
    ("/invoices/<int:invoice_id>/items/<int:item_id>/entries",
        invoice_item_entries, ["GET"], Policy.STAFF),
]  # fmt: skip
