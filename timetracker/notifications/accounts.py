"""Emails about a person's own account: an invitation, a password reset link, a change of the
second factor, a sign-in from a new browser.

They go through the same background jobs as invoice emails (RQ when ``REDIS_URL`` is set,
inline otherwise), after the request's commit, in plain text and HTML, with the firm's name
and, for a client contact, the client's name and accent colour. A message is composed in the
job from the person's current record, so a job for an account that is gone does nothing.

The link of an invitation or reset travels in the job's arguments (in Redis while queued) and
in the email; the database keeps only its hash (see ``auth/tokens.py``).

An email is written in the person's language (:func:`timetracker.i18n.language_of`: their own
choice, else their client's document language for a contact, else the firm's), whoever's
request sent it. So what the job's ``context`` carries for the words of the message is data,
put into words when it is composed: an expiry as an ISO time (``expires_at``), a browser as its
user agent (``user_agent``), a change as its English sentence (``change``, from
``auth/second_factor.py``, with ``admin``), translated there.
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
from collections.abc import Mapping
from email.message import EmailMessage
from functools import partial
from typing import Any

from flask import current_app, has_request_context
from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm.attributes import set_committed_value

from timetracker import after_commit, db, firm, formatting, i18n
from timetracker.i18n import N_
from timetracker.models import Client, User
from timetracker.notifications.jobs import dispatch_email
from timetracker.notifications.mail import (
    new_message,
    send_message,
)

log = logging.getLogger(__name__)

#: The job's name in the metrics.
ACCOUNT_EMAIL_JOB = "account_email"


class AccountEmail(enum.StrEnum):
    INVITATION = "invitation"
    PASSWORD_RESET = "password_reset"  # noqa: S105 - an email's name
    TWO_FACTOR_CHANGED = "two_factor_changed"
    NEW_SIGN_IN = "new_sign_in"


SUBJECTS: dict[AccountEmail, str] = {
    AccountEmail.INVITATION: N_("%(company)s invites you to your client portal"),
    AccountEmail.PASSWORD_RESET: N_("Reset your %(company)s password"),
    AccountEmail.TWO_FACTOR_CHANGED: N_("Two-factor sign-in changed on your %(company)s account"),
    AccountEmail.NEW_SIGN_IN: N_("New sign-in to your %(company)s account"),
}


def readable_expiry(when: dt.datetime) -> str:
    """``when`` as people read it, in the language being spoken: the date and time in the
    firm's timezone."""
    local = firm.local(when)
    return f"{formatting.long_date(local.date())}, {local:%H:%M} ({firm.timezone().key})"


def mail_enabled() -> bool:
    return bool(current_app.config.get("MAIL_ENABLED"))


def send_account_email(kind: AccountEmail, user: User, **context: str) -> bool:
    """Send ``kind`` to ``user`` once the request commits; ``context`` holds the message's
    variable parts as text (a link, a browser's description). Returns ``False`` when mail is
    switched off on this server (the caller may then say so, or show the link instead)."""
    if not mail_enabled():
        log.info("mail is off: the %s email to user %s is not sent", kind, user.id)
        return False
    job = partial(dispatch, str(kind), user.id, dict(context))
    if has_request_context():
        after_commit(job)
    else:
        job()
    return True


def dispatch(kind: str, user_id: int, context: dict[str, str]) -> None:
    """Send the email through the background jobs (see ``notifications.jobs``)."""
    dispatch_email(
        ACCOUNT_EMAIL_JOB,
        deliver,
        kind,
        user_id,
        context,
        description=f"{kind} email to user {user_id}",
    )


def deliver(kind: str, user_id: int, context: Mapping[str, str]) -> None:
    """Compose and send one account email now; raises on a failure to send."""
    user = db.session.scalar(select(User).where(User.id == user_id))
    if user is None:
        log.info("the %s email for user %s is dropped: the account is gone", kind, user_id)
        return
    client = None
    if user.client_id is not None:
        client = db.session.scalar(select(Client).where(Client.id == user.client_id))
    message = compose(AccountEmail(kind), user, client, context, current_app.config)
    send_message(message, current_app.config)


def _worded(context: Mapping[str, str]) -> dict[str, str]:
    """The message's variable parts put into words, in the language being spoken."""
    values = dict(context)
    if "expires_at" in context:
        values["expires"] = readable_expiry(dt.datetime.fromisoformat(context["expires_at"]))
    if "user_agent" in context:
        from timetracker.auth.browsers import describe  # auth.browsers sends these emails

        values["browser"] = describe(context["user_agent"])
    if "address" in context:
        values["address"] = context["address"] or gettext("unknown")
    if "change" in context:
        # A change made by an administrator names them; a sentence of another caller has no
        # placeholder to fill (and no translation: it is shown as it is).
        change = context["change"]
        values["change"] = (
            gettext(change, admin=context["admin"]) if "admin" in context else gettext(change)
        )
    return values


def compose(
    kind: AccountEmail,
    user: User,
    client: Client | None,
    context: Mapping[str, str],
    config: Mapping[str, Any],
) -> EmailMessage:
    """The email ``kind`` to ``user``: text and HTML from ``email/account/<kind>.*``, in the
    language of ``user`` (``client`` is theirs, or ``None``)."""
    company = firm.get_settings().company_name
    with i18n.speaking(_language(user, client)):
        values: dict[str, Any] = {
            "user": user,
            "client": client,
            "company_name": company,
            "accent": (client.portal_accent_color if client is not None else None) or "#0d6efd",
            "base_url": str(config.get("BASE_URL") or "").rstrip("/"),
            **_worded(context),
        }
        return new_message(
            config,
            subject=gettext(SUBJECTS[kind], company=company),
            to_name=user.name,
            to_email=user.email,
            template=f"email/account/{kind}",
            values=values,
        )


def _language(user: User, client: Client | None) -> str:
    """The language of an email to ``user`` (:func:`i18n.language_of`), their ``client`` as the
    caller loaded it: ``user.client`` never loads on its own."""
    if client is not None and "client" not in user.__dict__:
        set_committed_value(user, "client", client)
    return i18n.language_of(user)
