"""Emails about new invoices: who gets them, recording each delivery, and one attempt to send.

A delivery row (``EmailDelivery``) is written in the same transaction that marks the invoice
sent; the sending itself happens after the commit (see ``notifications.jobs``), so a slow or
broken mail server can neither roll back nor hold up issuing the invoice. Every attempt is
counted on the row, with the last error, until it is ``sent`` or finally ``failed``.

Two kinds of delivery: the automatic "new invoice" email to portal users who receive them
(``subject`` empty, composed by ``mail.compose_invoice_email``), and the email staff write in
the send dialog (``subject`` set; ``invoice_email`` composes it, ``invoice_sending`` queues it).
"""

from __future__ import annotations

import enum
import logging
import smtplib
from collections.abc import Callable, Sequence
from email.message import EmailMessage
from functools import partial

from flask import current_app, has_request_context
from sqlalchemy import func, select
from sqlalchemy.orm import Session, contains_eager, joinedload, selectinload

from timetracker import after_commit, config, db, firm, i18n
from timetracker.documents.pdf import render_invoice_pdf
from timetracker.models import Client, EmailDelivery, Invoice, InvoiceStatus, User
from timetracker.notifications import invoice_email
from timetracker.notifications.mail import compose_invoice_email, send_message

log = logging.getLogger(__name__)

#: Attempts per delivery, the first one included.
DEFAULT_MAX_ATTEMPTS = config.DEFAULT_MAIL_MAX_ATTEMPTS  # (``MAIL_MAX_ATTEMPTS``)
#: Invoices a client is told about: issued ones (an invoice of zero is paid when issued).
ISSUED = (InvoiceStatus.SENT, InvoiceStatus.PAID)


class DeliveryStatus(enum.StrEnum):
    QUEUED = "queued"
    RETRYING = "retrying"
    SENT = "sent"
    FAILED = "failed"
    #: Not sent on purpose: the recipient or the invoice no longer qualifies.
    SKIPPED = "skipped"


class Outcome(enum.Enum):
    DONE = "done"
    RETRY = "retry"


def max_attempts() -> int:
    return max(1, int(current_app.config.get("MAIL_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS)))


def invoice_recipients(session: Session, client_id: int) -> list[User]:
    """Active portal users of an active client who have not switched invoice emails off."""
    return list(
        session.scalars(
            select(User)
            .join(Client, Client.id == User.client_id)
            .where(
                User.client_id == client_id,
                User.client_portal_enabled.is_(True),
                User.is_active.is_(True),
                User.invoice_emails_enabled.is_(True),
                Client.is_active.is_(True),
            )
            .options(contains_eager(User.client))  # for i18n.language_of
            .order_by(User.id)
        )
    )


def _queue_deliveries(session: Session, invoice: Invoice) -> list[EmailDelivery]:
    deliveries = [
        EmailDelivery(
            invoice_id=invoice.id,
            recipient=user.email,
            status=DeliveryStatus.QUEUED,
            attempts=0,
        )
        for user in invoice_recipients(session, invoice.client_id)
    ]
    if deliveries:
        session.add_all(deliveries)
        session.flush()
        if has_request_context():
            from timetracker.notifications.jobs import dispatch

            after_commit(partial(dispatch, [d.id for d in deliveries]))
    return deliveries


def notify_invoice_sent(invoice: Invoice) -> list[EmailDelivery]:
    """Queue the "new invoice" email for every recipient; sent once the request commits.

    Does nothing when mail is switched off (``MAIL_ENABLED``) or nobody is to be told. Outside
    a request, the caller commits and then passes the ids to ``notifications.jobs.dispatch``.
    """
    if not current_app.config.get("MAIL_ENABLED") or invoice.status not in ISSUED:
        return []
    return _queue_deliveries(db.session, invoice)


def deliveries_for(session: Session, invoice_id: int) -> Sequence[EmailDelivery]:
    """The invoice's deliveries, newest first (for the staff invoice page)."""
    return list(
        session.scalars(
            select(EmailDelivery)
            .where(EmailDelivery.invoice_id == invoice_id)
            .order_by(EmailDelivery.created_at.desc(), EmailDelivery.id.desc())
        )
    )


def _skip(session: Session, delivery: EmailDelivery, reason: str) -> Outcome:
    delivery.status = DeliveryStatus.SKIPPED
    delivery.last_error = reason
    session.commit()
    return Outcome.DONE


def describe_failure(exc: Exception) -> str:
    """The failure as staff read it on the invoice page."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        refused = "; ".join(
            f"{address}: {code} {_text(reply)}" for address, (code, reply) in exc.recipients.items()
        )
        return f"The mail server refused the recipient ({refused})."
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"The mail server answered {exc.smtp_code} {_text(exc.smtp_error)}"
    return f"{type(exc).__name__}: {exc}"


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


Composer = Callable[[bytes], EmailMessage]


def _standard_email(session: Session, invoice: Invoice, delivery: EmailDelivery) -> Composer | str:
    """The automatic "new invoice" email to a portal user who still receives them, in their
    language (or why it is skipped)."""
    recipients = invoice_recipients(session, invoice.client_id)
    recipient = next((u for u in recipients if u.email == delivery.recipient), None)
    if recipient is None:
        return "The recipient no longer receives invoice emails from the portal."
    return lambda pdf: compose_invoice_email(
        invoice,
        invoice.client,
        recipient_email=recipient.email,
        recipient_name=recipient.name,
        pdf=pdf,
        config=current_app.config,
        language=i18n.language_of(recipient),
    )


def _written_email(session: Session, invoice: Invoice, delivery: EmailDelivery) -> Composer | str:
    """The email written in the send dialog, to whichever address staff chose: in a portal
    contact's language, else in the client's document language."""
    message = delivery.message
    if message is None:
        return "The message written for this email is no longer on record."
    portal_user = session.scalar(
        select(User)
        .where(
            User.client_id == invoice.client_id,
            User.client_portal_enabled.is_(True),
            User.is_active.is_(True),
            func.lower(User.email) == delivery.recipient.lower(),
        )
        .options(joinedload(User.client))  # for i18n.language_of
    )
    recipient = invoice_email.Recipient(
        delivery.recipient,
        portal_user.name if portal_user is not None else "",
        portal_user is not None,
        portal_user is not None and portal_user.invoice_emails_enabled,
        i18n.language_of(portal_user) if portal_user is not None else None,
    )
    written = invoice_email.Written(delivery.subject or "", message)
    return lambda pdf: invoice_email.compose(
        invoice, invoice.client, recipient, written, pdf=pdf, config=current_app.config
    )


def attempt_delivery(delivery_id: int) -> Outcome:
    """Make one attempt to send a queued email and record it; commits the session.

    Returns ``Outcome.RETRY`` when the attempt failed and attempts remain.
    """
    session = db.session
    delivery = session.scalar(
        select(EmailDelivery).where(EmailDelivery.id == delivery_id).with_for_update()
    )
    if delivery is None or delivery.status not in (
        DeliveryStatus.QUEUED,
        DeliveryStatus.RETRYING,
    ):
        session.rollback()
        return Outcome.DONE
    invoice = session.scalar(
        select(Invoice)
        .where(Invoice.id == delivery.invoice_id)
        .options(
            joinedload(Invoice.client), selectinload(Invoice.items), selectinload(Invoice.payments)
        )
    )
    if invoice is None or invoice.status not in ISSUED:
        return _skip(session, delivery, "The invoice is no longer issued (cancelled).")
    if delivery.subject is not None:
        compose = _written_email(session, invoice, delivery)
    else:
        compose = _standard_email(session, invoice, delivery)
    if isinstance(compose, str):
        return _skip(session, delivery, compose)
    delivery.attempts += 1
    try:
        message = compose(render_invoice_pdf(invoice, invoice.client))
        send_message(message, current_app.config)
    except Exception as exc:  # any failure (SMTP, TLS, rendering) is recorded and retried
        delivery.last_error = describe_failure(exc)[:2000]
        final = delivery.attempts >= max_attempts()
        delivery.status = DeliveryStatus.FAILED if final else DeliveryStatus.RETRYING
        session.commit()
        log.warning(
            "invoice email %s to %s failed (attempt %s): %s",
            delivery.id,
            delivery.recipient,
            delivery.attempts,
            delivery.last_error,
        )
        return Outcome.DONE if final else Outcome.RETRY
    delivery.status = DeliveryStatus.SENT
    delivery.sent_at = firm.now()
    session.commit()
    return Outcome.DONE
