"""Sending an invoice: the send dialog, its preview, and marking as sent without emailing.

/invoices/<id>/send          invoice_send_dialog   admin  GET: the dialog (``?dialog=1``: the
                                                          fragment the modal loads; else a page)
/invoices/<id>/send/preview  invoice_send_preview  admin  GET: the email as it will read
/invoices/<id>/send/email    invoice_send_email    admin  POST: issue a draft, queue the emails
/invoices/<id>/mark-sent     invoice_mark_sent     admin  POST: issue a draft, email nobody

The work is done by ``notifications.invoice_sending``; a refused send answers 400 with the
dialog's page and writes nothing.
"""

from __future__ import annotations

import re
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import HiddenField, SelectMultipleField, StringField, TextAreaField

from timetracker import db
from timetracker.auth.access import Policy, UrlTable
from timetracker.documents.pdf import pdf_filename
from timetracker.emails import check_email
from timetracker.i18n import _l
from timetracker.models import Invoice
from timetracker.notifications import invoice_sending as sending
from timetracker.notifications.invoice_email import (
    MAX_MESSAGE,
    MAX_SUBJECT,
    Recipient,
    Written,
    dialog_defaults,
    preview_html,
    preview_subject,
)
from timetracker.notifications.limits import emails_typed_addresses
from timetracker.notifications.mail import one_line
from timetracker.workspace.common import found
from timetracker.workspace.invoices.queries import get_invoice

#: Extra addresses are separated by commas, semicolons, spaces or lines.
_SEPARATORS = re.compile(r"[,;\s]+")


class SendForm(FlaskForm):
    key = HiddenField()
    recipients = SelectMultipleField(_l("Recipients"), choices=[], validate_choice=False)
    extra = TextAreaField(_l("Other addresses"))
    subject = StringField(_l("Subject"))
    message = TextAreaField(_l("Message"))


def invoice_send_dialog(invoice_id: int) -> ResponseReturnValue:
    invoice = found(get_invoice(invoice_id))
    form = SendForm(formdata=None)
    form.key.data = sending.new_key()
    choices = sending.choices(db.session, invoice.client)
    form.recipients.data = [c.recipient.email for c in choices if c.ticked]
    defaults = dialog_defaults(invoice)
    form.subject.data = defaults.subject
    form.message.data = defaults.message
    problem = None
    try:
        sending.check_sendable(invoice)
    except sending.SendRefused as exc:
        problem = str(exc)
    return _dialog(invoice, form, problem=problem, status=400 if problem else 200, choices=choices)


def invoice_send_preview(invoice_id: int) -> ResponseReturnValue:
    invoice = found(get_invoice(invoice_id))
    subject = one_line(request.args.get("subject", ""))
    message = _text(request.args.get("message", ""))
    if len(subject) > MAX_SUBJECT or len(message) > MAX_MESSAGE:
        return _("The subject or the message is too long to preview."), 400
    address = request.args.get("to", "")
    offered = {c.recipient.email: c.recipient for c in sending.choices(db.session, invoice.client)}
    recipient = offered.get(address) or Recipient(address)
    return render_template(
        "workspace/invoices/send_preview.html",
        invoice=invoice,
        subject=preview_subject(invoice, recipient, subject),
        body=_preview(invoice, recipient, message),
        pdf_name=pdf_filename(invoice),
    )


@emails_typed_addresses
def invoice_send_email(invoice_id: int) -> ResponseReturnValue:
    invoice = found(get_invoice(invoice_id))
    form = SendForm()
    if not form.validate_on_submit():
        return _dialog(invoice, form, problem=_("The form has expired; please send it again."))
    extra = _extra_addresses(form)
    subject = one_line(form.subject.data or "")
    message = _text(form.message.data or "")
    if not subject:
        form.subject.errors.append(_("Enter a subject."))
    elif len(subject) > MAX_SUBJECT:
        form.subject.errors.append(
            _("A subject has at most %(count)d characters.", count=MAX_SUBJECT)
        )
    if len(message) > MAX_MESSAGE:
        form.message.errors.append(
            _("A message has at most %(count)d characters.", count=MAX_MESSAGE)
        )
    if not sending.is_key(form.key.data):
        return _dialog(invoice, form, problem=_("The form is incomplete; open the dialog again."))
    if form.errors or extra is None:
        return _dialog(invoice, form)
    try:
        recipients = sending.recipients_for(
            db.session, invoice.client, list(form.recipients.data or []), extra
        )
        deliveries = sending.send_invoice(
            db.session, invoice, recipients, Written(subject, message), form.key.data or ""
        )
    except sending.SendRefused as exc:
        return _dialog(invoice, form, problem=str(exc))
    if deliveries is None:
        flash(_("This form was already sent; nothing was sent again."), "info")
    else:
        names = ", ".join(d.recipient for d in deliveries)
        flash(
            _(
                "Invoice %(number)s is sent. The email is on its way to %(names)s; "
                "its delivery status is shown below.",
                number=invoice.number,
                names=names,
            ),
            "success",
        )
    return _back(invoice)


def invoice_mark_sent(invoice_id: int) -> ResponseReturnValue:
    invoice = found(get_invoice(invoice_id))
    form = SendForm()
    if not form.validate_on_submit():
        return _dialog(invoice, form, problem=_("The form has expired; please try again."))
    try:
        marked = sending.mark_sent_without_email(db.session, invoice)
    except sending.SendRefused as exc:
        return _dialog(invoice, form, problem=str(exc))
    if marked:
        flash(
            _("Invoice %(number)s is marked as sent; nobody was emailed.", number=invoice.number),
            "success",
        )
    else:
        flash(
            _(
                "Invoice %(number)s was already marked as sent; nothing changed.",
                number=invoice.number,
            ),
            "info",
        )
    return _back(invoice)


# helpers ------------------------------------------------------------------------------------


def _dialog(
    invoice: Invoice,
    form: SendForm,
    *,
    problem: str | None = None,
    status: int = 400,
    choices: list[sending.Choice] | None = None,
) -> tuple[str, int]:
    """The dialog: the modal's fragment, or the page around it (also the answer to a refused
    send, with status 400 so that nothing is committed). ``choices``: the recipients offered,
    when the caller read them already."""
    if status == 200 and not form.key.data:
        form.key.data = sending.new_key()
    if choices is None:
        choices = sending.choices(db.session, invoice.client)
    ticked = set(form.recipients.data or [])
    first = next((c.recipient for c in choices if c.recipient.email in ticked), None)
    context: dict[str, Any] = {
        "invoice": invoice,
        "form": form,
        "choices": choices,
        "ticked": ticked,
        "problem": problem,
        "mail_configured": sending.mail_configured(),
        "not_configured": str(sending.NOT_CONFIGURED),
        "max_subject": MAX_SUBJECT,
        "max_message": MAX_MESSAGE,
        "preview_to": first.email if first else "",
        "preview_subject": preview_subject(
            invoice, first or Recipient(""), one_line(form.subject.data or "")
        ),
        "preview": _preview(invoice, first or Recipient(""), _text(form.message.data or "")),
        "pdf_name": pdf_filename(invoice),
    }
    fragment = request.method == "GET" and request.args.get("dialog") == "1"
    context["in_dialog"] = fragment
    template = "send_form.html" if fragment else "send.html"
    return render_template(f"workspace/invoices/{template}", **context), status


def _preview(invoice: Invoice, recipient: Recipient, message: str) -> Markup:
    # The email's own template, rendered with autoescaping: its output is HTML, not user text.
    return Markup(preview_html(invoice, recipient, message))  # noqa: S704


def _extra_addresses(form: SendForm) -> list[str] | None:
    """The typed addresses, each checked by the app's one email rule; ``None`` (with the
    field's errors) when one is not an address."""
    addresses = [a for a in _SEPARATORS.split(form.extra.data or "") if a]
    if len(addresses) > sending.MAX_RECIPIENTS:
        form.extra.errors.append(
            _("Enter at most %(count)d addresses.", count=sending.MAX_RECIPIENTS)
        )
        return None
    checked = []
    for address in addresses:
        try:
            checked.append(check_email(address))
        except ValueError as exc:
            form.extra.errors.append(f"{address[:80]}: {exc}")
    return None if form.extra.errors else checked


def _text(text: str) -> str:
    """The message with its lines kept (``\\r\\n`` as ``\\n``) and outer blank space gone."""
    return "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").split("\n")).strip()


def _back(invoice: Invoice) -> ResponseReturnValue:
    return redirect(url_for("workspace.invoice_detail", invoice_id=invoice.id), 303)


GET, POST = ["GET"], ["POST"]
URLS: UrlTable = [
    ("/invoices/<int:invoice_id>/send", invoice_send_dialog, GET, Policy.ADMIN),
    ("/invoices/<int:invoice_id>/send/preview", invoice_send_preview, GET, Policy.ADMIN),
    ("/invoices/<int:invoice_id>/send/email", invoice_send_email, POST, Policy.ADMIN),
    ("/invoices/<int:invoice_id>/mark-sent", invoice_mark_sent, POST, Policy.ADMIN),
]
