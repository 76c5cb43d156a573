"""The invoice email that staff write in the send dialog: its defaults, its composition, its
preview, and where the written text is kept until every delivery has gone out.

The dialog's subject and message are stored on each ``EmailDelivery``, so that a retry hours
later (an RQ job) sends the same words; the audit event of the send (kind ``invoice_emailed``)
records them too, with the form's key that makes a second submission of one form harmless.
The HTML part and the dialog's preview are one template, ``email/invoice_sent.html``: the
preview is its ``content`` block.

Each recipient reads the email in their own language (:func:`reader_language`: a portal
contact's, else the client's document language), dates and money included. What staff wrote is
sent as written, except the dialog's own default subject and message left unchanged: those are
the defaults in the recipient's language (:func:`as_read_by`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from timetracker import audit, firm, i18n
from timetracker.billing import states
from timetracker.documents.pdf import pdf_filename
from timetracker.formatting import long_date, money
from timetracker.models import Client, EmailDelivery, Invoice, InvoiceStatus
from timetracker.notifications.mail import new_message, portal_invoice_url

#: The audit kinds of sending (strings of ``timetracker.audit.Kind``).
EMAILED = audit.Kind.INVOICE_EMAILED
MARKED_SENT = audit.Kind.INVOICE_MARKED_SENT

#: Limits of what a person writes in the dialog.
MAX_SUBJECT = 200
MAX_MESSAGE = 1500
#: The template of the email's text and HTML parts.
TEMPLATE = "email/invoice_sent"


@dataclass(frozen=True)
class Written:
    """What the person wrote: the subject line and the cover message."""

    subject: str
    message: str


@dataclass(frozen=True)
class Recipient:
    """Someone the email goes to; ``portal_user`` when they can open the portal link,
    ``subscribed`` when they also receive invoice emails (the email's footer says so).
    ``language``: a portal contact's (``i18n.language_of``); ``None`` for an address that is
    no user's, which reads the client's document language."""

    email: str
    name: str = ""
    portal_user: bool = False
    subscribed: bool = False
    language: str | None = None


def reader_language(recipient: Recipient, client: Client) -> str:
    """The language ``recipient`` reads the invoice email in."""
    return i18n.known(recipient.language) or i18n.document_language(client)


def default_subject(invoice: Invoice) -> str:
    """The dialog's subject, in the language being spoken."""
    return _(
        "Invoice %(number)s from %(company)s",
        number=invoice.number,
        company=firm.get_settings().company_name,
    )


def default_message(invoice: Invoice) -> str:
    """The dialog's message, in the language being spoken (its money and date too)."""
    return _(
        "Please find attached invoice %(number)s for %(total)s, due on %(due)s.\n\n"
        "Thank you for your business.",
        number=invoice.number,
        total=money(invoice.total, invoice.currency),
        due=long_date(invoice.due_date),
    )


def dialog_defaults(invoice: Invoice) -> Written:
    """What the dialog offers to send: the default subject and message in the client's
    document language (each recipient then reads them in their own: :func:`as_read_by`)."""
    with i18n.speaking(i18n.document_language(invoice.client)):
        return Written(default_subject(invoice), default_message(invoice))


def as_read_by(invoice: Invoice, written: Written, language: str) -> Written:
    """``written`` as a reader of ``language`` gets it: a subject or message that is the
    dialog's default in any language (left as offered) becomes the default in ``language``;
    whatever a person wrote stays as written."""
    defaults = []
    for other in i18n.LANGUAGES:
        with i18n.speaking(other):
            defaults.append((" ".join(default_subject(invoice).split()), default_message(invoice)))
    with i18n.speaking(language):
        subject, message = written.subject, written.message
        if any(" ".join(subject.split()) == default[0] for default in defaults):
            subject = default_subject(invoice)
        if any(message.strip() == default[1] for default in defaults):
            message = default_message(invoice)
    return Written(subject, message)


def email_values(
    invoice: Invoice, client: Client, recipient: Recipient, message: str, base_url: str
) -> dict[str, Any]:
    """What the templates are rendered with (the email and the dialog's preview alike). A
    draft is previewed as it will read once issued: owing its balance."""
    owed = states.balance(invoice) if invoice.status == InvoiceStatus.DRAFT else None
    return {
        "invoice": invoice,
        "client": client,
        "company_name": firm.get_settings().company_name,
        "recipient_name": recipient.name,
        "message": message,
        "total": money(invoice.total, invoice.currency),
        "balance": money(
            owed if owed is not None else states.open_balance(invoice), invoice.currency
        ),
        "pdf_name": pdf_filename(invoice),
        "link": portal_invoice_url(base_url, invoice) if recipient.portal_user else None,
        "subscribed": recipient.subscribed,
    }


def compose(
    invoice: Invoice,
    client: Client,
    recipient: Recipient,
    written: Written,
    *,
    pdf: bytes,
    config: Mapping[str, Any],
) -> EmailMessage:
    """The email as written in the dialog, to one recipient in their language
    (:func:`reader_language`), with the invoice PDF attached."""
    language = reader_language(recipient, client)
    written = as_read_by(invoice, written, language)
    with i18n.speaking(language):
        message = new_message(
            config,
            subject=written.subject,
            to_name=recipient.name,
            to_email=recipient.email,
            template=TEMPLATE,
            values=email_values(invoice, client, recipient, written.message, config["BASE_URL"]),
        )
    message.add_attachment(
        pdf, maintype="application", subtype="pdf", filename=pdf_filename(invoice)
    )
    return message


def preview_html(invoice: Invoice, recipient: Recipient, message: str) -> str:
    """The HTML part's body as the recipient reads it (the ``content`` block of the email's
    template, in the recipient's language), for the dialog."""
    language = reader_language(recipient, invoice.client)
    message = as_read_by(invoice, Written("", message), language).message
    template = current_app.jinja_env.get_template(f"{TEMPLATE}.html")
    with i18n.speaking(language):
        values = email_values(invoice, invoice.client, recipient, message, _base_url())
        context = template.new_context(values)
        return "".join(template.blocks["content"](context))


def preview_subject(invoice: Invoice, recipient: Recipient, subject: str) -> str:
    """The subject as ``recipient`` reads it (the dialog's default in their language)."""
    language = reader_language(recipient, invoice.client)
    return as_read_by(invoice, Written(subject, ""), language).subject


def _base_url() -> str:
    return str(current_app.config["BASE_URL"])


# The audit details of a send, and its form key ------------------------------------------------


def event_detail(invoice: Invoice, deliveries: Sequence[EmailDelivery], text: str) -> str:
    """The audit detail of a send, for the audit page: to whom, then the message written."""
    to = ", ".join(d.recipient for d in deliveries)
    return f"{invoice.number} emailed to {to}\n\n{text}"


def marked_detail(invoice: Invoice) -> str:
    return f"{invoice.number} marked as sent without emailing"


def sent_with_key(session: Session, invoice_id: int, key: str) -> bool:
    """Whether the send form with ``key`` already queued the emails of ``invoice_id``."""
    found = select(EmailDelivery.id).where(
        EmailDelivery.invoice_id == invoice_id, EmailDelivery.send_key == key
    )
    return session.scalar(found.limit(1)) is not None
