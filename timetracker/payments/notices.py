""" "Payment sent": what a client contact tells the firm about a payment, recorded and shown to
staff on the invoice. A notice is never a payment: the balance changes only when staff record
the money as received (``billing.payments.record_payment``).

A notice comes from a form that carries a submission key; the key is unique in the table, so a
form sent twice (a double click, a reload that posts again) records one notice. The key is an
HMAC of the invoice and of how many notices it has, under a random seed of the contact's browser
session: the page shows the same form (byte for byte) until a notice is recorded, then a new one,
and nobody else can make a key that collides. The caller has found the invoice through the
client's portal scope.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from timetracker import audit, formatting
from timetracker.billing import states
from timetracker.i18n import N_
from timetracker.models import Invoice, PaymentNotice, User

#: The longest reference a notice keeps (the remittance field of a SEPA transfer).
MAX_REFERENCE = 140
#: :func:`submission_key` gives 43 characters; the column holds 64.
_SUBMISSION_KEY = re.compile(r"[A-Za-z0-9_-]{32,64}")


#: What the contact is told, in English (``gettext`` of it in the language of the page).
NOTHING_OWED = N_(
    "Nothing is owed on this invoice any more, so there is no payment to tell us about."
)
PAID_IN_FUTURE = N_("The payment date cannot be in the future.")
STALE_FORM = N_(
    "This form was already used for another invoice. Reload the page and send it again."
)
BAD_KEY = N_("This form is incomplete. Reload the invoice page and send it again.")


def new_seed() -> str:
    """A browser session's random seed of submission keys."""
    return secrets.token_hex(16)


def submission_key(seed: str, invoice_id: int, generation: int) -> str:
    """The key of the form a page shows for ``invoice_id`` when it has ``generation`` notices:
    43 URL-safe characters."""
    message = f"payment-notice:{invoice_id}:{generation}".encode()
    digest = hmac.new(seed.encode(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def is_submission_key(text: str | None) -> bool:
    return bool(text) and _SUBMISSION_KEY.fullmatch(text or "") is not None


def may_send_notice(invoice: Invoice) -> bool:
    """A notice is for an invoice that is still owed (sent, with an open balance)."""
    return states.open_balance(invoice) > 0


def paid_on_problem(paid_on: dt.date, invoice: Invoice, today: dt.date) -> str | None:
    """Why ``paid_on`` cannot be the day the payment was sent, or ``None``: not after today
    (in the firm's timezone), not before the invoice was issued."""
    if paid_on > today:
        return gettext(PAID_IN_FUTURE)
    if paid_on < invoice.issue_date:
        return gettext(
            "The payment date cannot be before the invoice was issued (%(date)s).",
            date=formatting.date(invoice.issue_date),
        )
    return None


def notices_for(session: Session, invoice_id: int) -> list[PaymentNotice]:
    """The invoice's notices, oldest first (staff page and the portal's own invoice page)."""
    return list(
        session.scalars(
            select(PaymentNotice)
            .where(PaymentNotice.invoice_id == invoice_id)
            .order_by(PaymentNotice.created_at, PaymentNotice.id)
        )
    )


def _by_key(session: Session, key: str) -> PaymentNotice | None:
    return session.scalar(select(PaymentNotice).where(PaymentNotice.submission_key == key))


def sent_before(session: Session, invoice: Invoice, key: str | None) -> PaymentNotice | None:
    """The notice a form with ``key`` already recorded for ``invoice``, if it did."""
    if key is None or not is_submission_key(key):
        return None
    notice = _by_key(session, key)
    return notice if notice is not None and notice.invoice_id == invoice.id else None


class NoticeRefused(ValueError):
    """The notice cannot be recorded; the message says why, for the contact."""


@dataclass(frozen=True)
class Recorded:
    notice: PaymentNotice
    #: ``False`` when the same form had been sent before: nothing new was written.
    new: bool


def record_notice(
    session: Session,
    invoice: Invoice,
    user: User,
    *,
    paid_on: dt.date,
    reference: str | None,
    submission_key: str,
    ip_address: str | None,
) -> Recorded:
    """Record the notice once per submission key, audited in the same transaction.

    Raises :class:`NoticeRefused` for a key already used on another invoice.
    """
    earlier = _by_key(session, submission_key)
    if earlier is not None:
        if earlier.invoice_id != invoice.id:
            raise NoticeRefused(gettext(STALE_FORM))
        return Recorded(earlier, new=False)
    notice = PaymentNotice(
        invoice_id=invoice.id,
        user_id=user.id,
        user_name=user.name[:200],
        paid_on=paid_on,
        reference=reference or None,
        ip_address=(ip_address or "")[:45] or None,
        submission_key=submission_key,
    )
    try:
        with session.begin_nested():  # the same form, sent twice at the same moment
            session.add(notice)
    except IntegrityError:
        earlier = _by_key(session, submission_key)
        if earlier is None or earlier.invoice_id != invoice.id:
            raise NoticeRefused(gettext(STALE_FORM)) from None
        return Recorded(earlier, new=False)
    detail = f"Paid on {paid_on.isoformat()}" + (f", reference {reference}" if reference else "")
    audit.record(
        audit.Kind.PAYMENT_NOTICE,
        session,
        actor=user,
        client_id=invoice.client_id,
        invoice_id=invoice.id,
        detail=detail,
    )
    return Recorded(notice, new=True)
