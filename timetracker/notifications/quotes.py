"""Emails about quotes: "a new quote for you" to the client's portal contacts when it is sent,
and "the client accepted / declined" to staff (the quote's creator and the firm's
``company_email``) when a contact answers.

They go through the background jobs like every email (RQ when ``REDIS_URL`` is set, inline
otherwise), after the request's commit, in plain text and HTML. Each job carries one recipient
and composes the message from the quote as it is then: a job for a quote or a person that no
longer qualifies (a contact who lost portal access, a quote that is gone) sends nothing.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from email.message import EmailMessage
from functools import partial
from typing import Any

from flask import current_app, has_request_context
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session, contains_eager, selectinload

from timetracker import after_commit, db, firm, i18n
from timetracker.billing import quotes
from timetracker.documents.quote_pdf import quote_filename, render_quote_pdf
from timetracker.formatting import money
from timetracker.models import Client, Quote, QuoteStatus, User
from timetracker.models.users import STAFF_ROLES
from timetracker.notifications.jobs import dispatch_email
from timetracker.notifications.mail import (
    new_message,
    send_message,
)

log = logging.getLogger(__name__)

#: The job's name in the metrics.
QUOTE_EMAIL_JOB = "quote_email"


class QuoteEmail(enum.StrEnum):
    #: To a client contact: a quote was sent to them.
    SENT = "sent"
    #: To staff: the client accepted or declined.
    ANSWERED = "answered"


@dataclass(frozen=True)
class Recipient:
    """One addressee: a user (checked again when the job runs), or the firm's address."""

    email: str
    name: str
    user_id: int | None = None


def mail_enabled() -> bool:
    return bool(current_app.config.get("MAIL_ENABLED"))


def portal_link(quote: Quote, config: Mapping[str, Any]) -> str:
    return f"{str(config.get('BASE_URL') or '').rstrip('/')}/client-portal/quotes/{quote.id}"


def staff_link(quote: Quote, config: Mapping[str, Any]) -> str:
    return f"{str(config.get('BASE_URL') or '').rstrip('/')}/quotes/{quote.id}"


# Who is told ----------------------------------------------------------------------------------
def client_contacts(session: Session, client_id: int) -> list[User]:
    """The active portal contacts of an active client (a quote asks for an answer, so they are
    told whatever their invoice-email switch says), each with their client loaded (the language
    of their email may be the client's)."""
    return list(
        session.scalars(
            select(User)
            .join(Client, Client.id == User.client_id)
            .options(contains_eager(User.client))
            .where(
                User.client_id == client_id,
                User.client_portal_enabled.is_(True),
                User.is_active.is_(True),
                Client.is_active.is_(True),
            )
            .order_by(User.id)
        )
    )


def _active_staff(session: Session, user_id: int | None) -> User | None:
    if user_id is None:
        return None
    return session.scalar(
        select(User).where(User.id == user_id, User.is_active.is_(True), User.role.in_(STAFF_ROLES))
    )


def staff_recipients(session: Session, quote: Quote) -> list[Recipient]:
    """The quote's creator (an active member of staff) and the firm's ``company_email``, each
    address once."""
    found: list[Recipient] = []
    creator = _active_staff(session, quote.created_by_id)
    if creator is not None:
        found.append(Recipient(creator.email, creator.name, creator.id))
    settings = firm.get_settings()
    company = (settings.company_email or "").strip()
    if company and company.lower() not in {r.email.lower() for r in found}:
        found.append(Recipient(company, settings.company_name))
    return found


# Queueing -------------------------------------------------------------------------------------
def notify_quote_sent(quote: Quote) -> list[Recipient] | None:
    """Email the client's contacts a link to the quote once the request commits. Returns who
    will be emailed, or ``None`` when mail is switched off on this server."""
    if not mail_enabled():
        log.info("mail is off: nobody is emailed about quote %s", quote.id)
        return None
    recipients = [
        Recipient(user.email, user.name, user.id)
        for user in client_contacts(db.session, quote.client_id)
    ]
    _queue(QuoteEmail.SENT, quote, recipients)
    return recipients


def notify_quote_answered(quote: Quote) -> list[Recipient] | None:
    """Tell staff that the client answered, once the request commits (``None``: mail off)."""
    if not mail_enabled():
        log.info("mail is off: nobody is told of the answer to quote %s", quote.id)
        return None
    recipients = staff_recipients(db.session, quote)
    _queue(QuoteEmail.ANSWERED, quote, recipients)
    return recipients


def _queue(kind: QuoteEmail, quote: Quote, recipients: list[Recipient]) -> None:
    for recipient in recipients:
        job = partial(dispatch, str(kind), quote.id, asdict(recipient))
        if has_request_context():
            after_commit(job)
        else:
            job()


def dispatch(kind: str, quote_id: int, recipient: dict[str, Any]) -> None:
    """Send the email through the background jobs (see ``notifications.jobs``)."""
    dispatch_email(
        QUOTE_EMAIL_JOB,
        deliver,
        kind,
        quote_id,
        recipient,
        description=f"quote {kind} email for quote {quote_id}",
    )


def deliver(kind: str, quote_id: int, recipient: Mapping[str, Any]) -> None:
    """Compose and send one quote email now, if it is still due; raises on a failure to send."""
    session = db.session
    quote = session.scalar(
        select(Quote).where(Quote.id == quote_id).options(selectinload(Quote.items))
    )
    if quote is None:
        log.info("quote %s email dropped: the quote is gone", quote_id)
        return
    client = session.scalar(select(Client).where(Client.id == quote.client_id))
    assert client is not None  # the foreign key (RESTRICT) keeps it
    to = Recipient(**recipient)
    which = QuoteEmail(kind)
    language = i18n.firm_language()  # the firm's own address
    if which is QuoteEmail.SENT:
        if quote.status != QuoteStatus.SENT:
            log.info("quote %s email dropped: the quote is %s", quote_id, quote.status)
            return
        contacts = {u.id: u for u in client_contacts(session, quote.client_id)}
        user = contacts.get(to.user_id or 0)
        if user is None:
            log.info("quote %s email dropped: user %s is no contact now", quote_id, to.user_id)
            return
        to = Recipient(user.email, user.name, user.id)
        language = i18n.language_of(user)
    elif to.user_id is not None:
        staff = _active_staff(session, to.user_id)
        if staff is None:
            log.info("quote %s email dropped: user %s is no staff now", quote_id, to.user_id)
            return
        to = Recipient(staff.email, staff.name, staff.id)
        language = i18n.language_of(staff)
    message = compose(which, quote, client, to, current_app.config, language=language)
    send_message(message, current_app.config)


def subject_of(kind: QuoteEmail, quote: Quote, client: Client, company: str) -> str:
    """The email's subject, in the language being spoken."""
    if kind is QuoteEmail.SENT:
        return _(
            "Quote %(number)s from %(company)s: %(title)s",
            number=quote.number,
            company=company,
            title=quote.title,
        )
    if quote.status == QuoteStatus.ACCEPTED:
        return _("%(client)s accepted quote %(number)s", client=client.name, number=quote.number)
    return _("%(client)s declined quote %(number)s", client=client.name, number=quote.number)


def compose(
    kind: QuoteEmail,
    quote: Quote,
    client: Client,
    recipient: Recipient,
    config: Mapping[str, Any],
    *,
    language: str | None = None,
) -> EmailMessage:
    """The email ``kind`` about ``quote`` to ``recipient``, from ``email/quote_<kind>.*``, in
    ``language`` (the firm's by default); the "sent" email carries the quote's PDF, in the
    client's document language."""
    with i18n.speaking(language or i18n.firm_language()):
        message = _compose(kind, quote, client, recipient, config)
    if kind is QuoteEmail.SENT:
        with i18n.speaking(i18n.document_language(client)):
            pdf = render_quote_pdf(quote, client)
            filename = quote_filename(quote)
        message.add_attachment(pdf, maintype="application", subtype="pdf", filename=filename)
    return message


def _compose(
    kind: QuoteEmail,
    quote: Quote,
    client: Client,
    recipient: Recipient,
    config: Mapping[str, Any],
) -> EmailMessage:
    settings = firm.get_settings()
    company = settings.company_name
    state = quotes.state_of(quote, firm.today())
    answered_by = None
    if quote.answered_by_id is not None:
        answered_by = db.session.scalar(select(User).where(User.id == quote.answered_by_id))
    values: dict[str, Any] = {
        "quote": quote,
        "client": client,
        "state": state,
        "company_name": company,
        "recipient_name": recipient.name,
        "total": money(quote.total, quote.currency),
        "link": portal_link(quote, config)
        if kind is QuoteEmail.SENT
        else staff_link(quote, config),
        "answered_by": answered_by,
        "timezone": settings.timezone,
        "language": i18n.current_language(),
    }
    return new_message(
        config,
        subject=subject_of(kind, quote, client, company),
        to_name=recipient.name,
        to_email=recipient.email,
        template=f"email/quote_{kind}",
        values=values,
    )
