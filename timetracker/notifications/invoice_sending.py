"""Sending an invoice from the send dialog: who may be chosen, issuing a draft, queuing one
delivery per chosen address with the written subject, and marking as sent without emailing.

Both operations flush and audit in the request's transaction; the emails go out after the
commit (``notifications.jobs.dispatch``). A form carries a key: a second submission of the same
form (a double click, a reload that posts again) finds the emails the first queued under that
key (``email_deliveries.send_key``) and does nothing, so it never queues a second set.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from functools import partial

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from timetracker import after_commit, audit, i18n
from timetracker.billing import invoicing
from timetracker.i18n import _l
from timetracker.models import Client, EmailDelivery, Invoice, InvoiceStatus, User
from timetracker.notifications.invoice_email import (
    EMAILED,
    MARKED_SENT,
    Recipient,
    Written,
    event_detail,
    marked_detail,
    sent_with_key,
)
from timetracker.notifications.invoices import ISSUED, DeliveryStatus

#: At most this many addresses per send.
MAX_RECIPIENTS = 20
#: Only these invoices can be sent (a draft is issued by sending it).
SENDABLE = (InvoiceStatus.DRAFT, *ISSUED)
NOT_CONFIGURED = _l(
    "Email is not set up on this server (SMTP_HOST is not set, or MAIL_ENABLED is off), so "
    "nothing can be emailed from here. You can still mark the invoice as sent and send the PDF "
    "yourself."
)


class SendRefused(ValueError):
    """The invoice cannot be sent like this; the message says why (answered with 400)."""


@dataclass(frozen=True)
class Choice:
    """A recipient offered in the dialog: ticked unless they switched invoice emails off."""

    recipient: Recipient
    ticked: bool
    note: str


def mail_configured() -> bool:
    return bool(current_app.config.get("MAIL_ENABLED"))


def new_key() -> str:
    """The key of one rendered send form (22 URL-safe characters)."""
    return secrets.token_urlsafe(16)


def is_key(text: str | None) -> bool:
    return (
        bool(text)
        and len(text or "") == 22
        and (text or "").replace("-", "").replace("_", "").isalnum()
    )


def choices(session: Session, client: Client) -> list[Choice]:
    """The client's active portal contacts, each with the language they read, then its contact
    address (once per address), which reads the client's document language."""
    offered: list[Choice] = []
    seen: set[str] = set()
    contacts = session.scalars(
        select(User)
        .where(
            User.client_id == client.id,
            User.client_portal_enabled.is_(True),
            User.is_active.is_(True),
        )
        .options(joinedload(User.client))  # i18n.language_of falls back on the client's
        .order_by(User.name, User.id)
    )
    for user in contacts:
        seen.add(user.email.lower())
        note = (
            _("portal contact")
            if user.invoice_emails_enabled
            else _("portal contact, has switched invoice emails off")
        )
        offered.append(
            Choice(
                Recipient(
                    user.email,
                    user.name,
                    True,
                    user.invoice_emails_enabled,
                    i18n.language_of(user),
                ),
                user.invoice_emails_enabled,
                note,
            )
        )
    if client.contact_email and client.contact_email.lower() not in seen:
        offered.append(Choice(Recipient(client.contact_email), True, _("client's contact address")))
    return offered


def recipients_for(
    session: Session, client: Client, chosen: list[str], extra: list[str]
) -> list[Recipient]:
    """The chosen offered addresses and the extra ones, once each (case-insensitively);
    :class:`SendRefused` when none or too many."""
    offered = {c.recipient.email.lower(): c.recipient for c in choices(session, client)}
    result: dict[str, Recipient] = {}
    for address in chosen:
        recipient = offered.get(address.lower())
        if recipient is None:
            raise SendRefused(
                _("%(address)s is not one of this client's addresses.", address=address)
            )
        result.setdefault(address.lower(), recipient)
    for address in extra:
        result.setdefault(address.lower(), offered.get(address.lower()) or Recipient(address))
    if not result:
        raise SendRefused(_("Choose at least one recipient, or enter an address."))
    if len(result) > MAX_RECIPIENTS:
        raise SendRefused(
            _("An invoice can be emailed to at most %(count)d addresses.", count=MAX_RECIPIENTS)
        )
    return list(result.values())


def check_sendable(invoice: Invoice) -> None:
    if invoice.status not in SENDABLE:
        if invoice.status == InvoiceStatus.CANCELLED:
            raise SendRefused(_("A cancelled invoice cannot be sent."))
        raise SendRefused(_("A %(status)s invoice cannot be sent.", status=invoice.status))


def send_invoice(
    session: Session,
    invoice: Invoice,
    recipients: list[Recipient],
    written: Written,
    key: str,
) -> list[EmailDelivery] | None:
    """Issue a draft and queue the email for each recipient; ``None`` when the form with
    ``key`` was already sent (nothing is done again)."""
    if not mail_configured():
        raise SendRefused(str(NOT_CONFIGURED))
    check_sendable(invoice)
    _lock(session, invoice)
    if sent_with_key(session, invoice.id, key):
        return None
    if invoice.status == InvoiceStatus.DRAFT:
        _issue(session, invoice)
    deliveries = [
        EmailDelivery(
            invoice_id=invoice.id,
            recipient=r.email,
            subject=written.subject,
            message=written.message,
            status=DeliveryStatus.QUEUED,
            attempts=0,
            send_key=key,
        )
        for r in recipients
    ]
    session.add_all(deliveries)
    session.flush()
    audit.record(
        EMAILED,
        session,
        client_id=invoice.client_id,
        invoice_id=invoice.id,
        detail=event_detail(invoice, deliveries, written.message),
    )
    from timetracker.notifications.jobs import dispatch

    after_commit(partial(dispatch, [d.id for d in deliveries]))
    return deliveries


def mark_sent_without_email(session: Session, invoice: Invoice) -> bool:
    """Issue a draft and email nobody; ``False`` when it was already marked so (a second
    submission: nothing is done again)."""
    _lock(session, invoice)
    if invoice.status != InvoiceStatus.DRAFT and invoice.sent_without_email:
        return False
    _issue(session, invoice)
    invoice.sent_without_email = True
    audit.record(
        MARKED_SENT,
        session,
        client_id=invoice.client_id,
        invoice_id=invoice.id,
        detail=marked_detail(invoice),
    )
    return True


def _issue(session: Session, invoice: Invoice) -> None:
    try:
        invoicing.mark_sent(session, invoice)
    except invoicing.InvoiceError as exc:
        raise SendRefused(str(exc)) from exc


def _lock(session: Session, invoice: Invoice) -> None:
    """Hold the invoice's row (PostgreSQL) so that two submissions of one form are taken one
    after the other: the second then sees the first's deliveries and the invoice as the first
    left it."""
    session.refresh(
        invoice, ["status", "sent_at", "paid_at", "sent_without_email"], with_for_update=True
    )
