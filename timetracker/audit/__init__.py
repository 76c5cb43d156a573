"""The audit trail: who did what, and when.

Every event is written with :func:`record` in the transaction of the request that did it, so an
event is kept exactly when what it describes is (a failed sign-in, which writes nothing else, is
recorded all the same: its request answers 400 and rolls back, so it is written in a transaction
of its own, see :func:`record_now`). Nothing in the app changes or deletes an event; the ORM
refuses it, and only :func:`purge_expired` removes events older than the retention setting.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from flask import current_app, has_request_context, request
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy import delete, event
from sqlalchemy.orm import Session

from timetracker import db
from timetracker.i18n import N_
from timetracker.models import AuditEvent, User
from timetracker.models._common import utcnow
from timetracker.sidewrites import write_after_request


class Kind(enum.StrEnum):
    SIGN_IN = "sign_in"
    SIGN_IN_FAILED = "sign_in_failed"
    SIGN_OUT = "sign_out"
    PASSWORD_CHANGED = "password_changed"  # noqa: S105 - an event name
    PASSWORD_RESET_REQUESTED = "password_reset_requested"  # noqa: S105
    PASSWORD_RESET = "password_reset"  # noqa: S105 - an event name
    TWO_FACTOR_ENROLLED = "two_factor_enrolled"
    TWO_FACTOR_REMOVED = "two_factor_removed"
    TWO_FACTOR_RESET = "two_factor_reset"
    TWO_FACTOR_FAILED = "two_factor_failed"
    RECOVERY_CODE_USED = "recovery_code_used"
    SESSION_ENDED = "session_ended"
    SESSIONS_ENDED = "sessions_ended"
    INVITATION_SENT = "invitation_sent"
    INVITATION_ACCEPTED = "invitation_accepted"
    INVITATION_REVOKED = "invitation_revoked"
    PORTAL_ACCESS_GRANTED = "portal_access_granted"
    PORTAL_ACCESS_REMOVED = "portal_access_removed"
    USER_DEACTIVATED = "user_deactivated"
    USER_ACTIVATED = "user_activated"
    CLIENT_DEACTIVATED = "client_deactivated"
    CLIENT_ACTIVATED = "client_activated"
    INVOICE_VIEWED = "invoice_viewed"
    INVOICE_PDF_DOWNLOADED = "invoice_pdf_downloaded"
    CSV_EXPORTED = "csv_exported"
    QUOTE_SENT = "quote_sent"
    QUOTE_VIEWED = "quote_viewed"
    QUOTE_ACCEPTED = "quote_accepted"
    QUOTE_DECLINED = "quote_declined"
    QUOTE_CONVERTED = "quote_converted"
    PAYMENT_NOTICE = "payment_notice"
    TIME_APPROVED = "time_approved"
    INVOICE_EMAILED = "invoice_emailed"
    INVOICE_MARKED_SENT = "invoice_marked_sent"
    LOGO_CHANGED = "logo_changed"
    SETTINGS_CHANGED = "settings_changed"
    PAYMENT_CHANGED = "payment_changed"
    PAYMENT_DELETED = "payment_deleted"
    COMMENT_POSTED = "comment_posted"
    COMMENT_EDITED = "comment_edited"
    COMMENT_DELETED = "comment_deleted"
    DOCUMENT_UPLOADED = "document_uploaded"
    DOCUMENT_DOWNLOADED = "document_downloaded"
    DOCUMENT_DELETED = "document_deleted"
    PORTAL_VISIBILITY_CHANGED = "portal_visibility_changed"
    API_TOKEN_CREATED = "api_token_created"  # noqa: S105 - an event name
    API_TOKEN_REVOKED = "api_token_revoked"  # noqa: S105 - an event name
    API_REQUEST = "api_request"
    WEBHOOK_ADDED = "webhook_added"
    WEBHOOK_CHANGED = "webhook_changed"
    WEBHOOK_REMOVED = "webhook_removed"
    WEBHOOK_DISABLED = "webhook_disabled"
    CALENDAR_FEED_CREATED = "calendar_feed_created"
    CALENDAR_FEED_REVOKED = "calendar_feed_revoked"
    STATEMENT_DOWNLOADED = "statement_downloaded"


#: How each kind reads on the audit page and in its CSV: the English, marked for translation
#: (:func:`label` gives it in the language being spoken).
LABELS: dict[str, str] = {
    Kind.SIGN_IN: N_("Signed in"),
    Kind.SIGN_IN_FAILED: N_("Sign-in failed"),
    Kind.SIGN_OUT: N_("Signed out"),
    Kind.PASSWORD_CHANGED: N_("Password changed"),
    Kind.PASSWORD_RESET_REQUESTED: N_("Password reset requested"),
    Kind.PASSWORD_RESET: N_("Password reset"),
    Kind.TWO_FACTOR_ENROLLED: N_("Two-factor sign-in turned on"),
    Kind.TWO_FACTOR_REMOVED: N_("Two-factor sign-in turned off"),
    Kind.TWO_FACTOR_RESET: N_("Two-factor sign-in reset by an administrator"),
    Kind.TWO_FACTOR_FAILED: N_("Wrong two-factor code"),
    Kind.RECOVERY_CODE_USED: N_("Recovery code used"),
    Kind.SESSION_ENDED: N_("Session signed out"),
    Kind.SESSIONS_ENDED: N_("All other sessions signed out"),
    Kind.INVITATION_SENT: N_("Invitation sent"),
    Kind.INVITATION_ACCEPTED: N_("Invitation accepted"),
    Kind.INVITATION_REVOKED: N_("Invitation revoked"),
    Kind.PORTAL_ACCESS_GRANTED: N_("Portal access granted"),
    Kind.PORTAL_ACCESS_REMOVED: N_("Portal access taken away"),
    Kind.USER_DEACTIVATED: N_("User deactivated"),
    Kind.USER_ACTIVATED: N_("User activated"),
    Kind.CLIENT_DEACTIVATED: N_("Client deactivated"),
    Kind.CLIENT_ACTIVATED: N_("Client activated"),
    Kind.INVOICE_VIEWED: N_("Invoice viewed"),
    Kind.INVOICE_PDF_DOWNLOADED: N_("Invoice PDF downloaded"),
    Kind.CSV_EXPORTED: N_("CSV exported"),
    Kind.QUOTE_SENT: N_("Quote sent"),
    Kind.QUOTE_VIEWED: N_("Quote viewed"),
    Kind.QUOTE_ACCEPTED: N_("Quote accepted"),
    Kind.QUOTE_DECLINED: N_("Quote declined"),
    Kind.QUOTE_CONVERTED: N_("Quote turned into a project or invoice"),
    Kind.PAYMENT_NOTICE: N_("Client reported a payment as sent"),
    Kind.TIME_APPROVED: N_("Time approved for the client portal"),
    Kind.INVOICE_EMAILED: N_("Invoice emailed"),
    Kind.INVOICE_MARKED_SENT: N_("Invoice marked as sent without emailing"),
    Kind.LOGO_CHANGED: N_("Logo uploaded, replaced or removed"),
    Kind.SETTINGS_CHANGED: N_("Firm settings changed"),
    Kind.PAYMENT_CHANGED: N_("Payment corrected"),
    Kind.PAYMENT_DELETED: N_("Payment deleted"),
    Kind.COMMENT_POSTED: N_("Comment posted"),
    Kind.COMMENT_EDITED: N_("Comment edited"),
    Kind.COMMENT_DELETED: N_("Comment deleted"),
    Kind.DOCUMENT_UPLOADED: N_("Document uploaded"),
    Kind.DOCUMENT_DOWNLOADED: N_("Document downloaded"),
    Kind.DOCUMENT_DELETED: N_("Document removed"),
    Kind.PORTAL_VISIBILITY_CHANGED: N_("What the client sees in the portal changed"),
    Kind.API_TOKEN_CREATED: N_("API token created"),
    Kind.API_TOKEN_REVOKED: N_("API token revoked"),
    Kind.API_REQUEST: N_("API request"),
    Kind.WEBHOOK_ADDED: N_("Webhook added"),
    Kind.WEBHOOK_CHANGED: N_("Webhook changed"),
    Kind.WEBHOOK_REMOVED: N_("Webhook removed"),
    Kind.WEBHOOK_DISABLED: N_("Webhook turned off after failing"),
    Kind.CALENDAR_FEED_CREATED: N_("Calendar feed address created"),
    Kind.CALENDAR_FEED_REVOKED: N_("Calendar feed address revoked"),
    Kind.STATEMENT_DOWNLOADED: N_("Statement of account downloaded"),
}


class AuditTrailIsAppendOnly(RuntimeError):
    """Something tried to change or delete a recorded event."""


def label(kind: str) -> str:
    """How ``kind`` reads, in the language being spoken (an unknown kind as it is stored)."""
    text = LABELS.get(kind)
    return gettext(text) if text is not None else kind


def _signed_in_user() -> User | None:
    if not has_request_context():
        return None
    user = current_user
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return user._get_current_object()


def build(
    kind: Kind,
    *,
    actor: User | None = None,
    subject: User | None = None,
    client_id: int | None = None,
    invoice_id: int | None = None,
    detail: str | None = None,
    actor_email: str | None = None,
) -> AuditEvent:
    """An event (not yet added to a session). ``actor`` defaults to the signed-in user; the
    request's address and browser are taken from the request, when there is one."""
    if actor is None:
        actor = _signed_in_user()
    ip_address = user_agent = None
    if has_request_context():
        ip_address = (request.remote_addr or "")[:45] or None
        user_agent = (request.user_agent.string or "")[:300] or None
    return AuditEvent(
        at=utcnow(),
        kind=str(kind),
        actor_id=actor.id if actor is not None else None,
        actor_name=actor.name[:200] if actor is not None else None,
        actor_email=(actor.email if actor is not None else actor_email or None),
        subject_id=subject.id if subject is not None else None,
        subject_email=subject.email if subject is not None else None,
        client_id=client_id,
        invoice_id=invoice_id,
        ip_address=ip_address,
        user_agent=user_agent,
        detail=(detail or None) and detail[:2000],
    )


#: Methods that only read: their events are written after the request (see :func:`record`).
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def record(kind: Kind, session: Session | None = None, **fields: Any) -> AuditEvent:
    """Record an event (see :func:`build` for ``fields``): in the request's transaction when the
    request changes something (the event is kept exactly when the change is), and for a read
    (an invoice viewed, a PDF downloaded) in a transaction of its own once the read has
    succeeded (:mod:`timetracker.sidewrites`), so that a page that reads never writes in its
    own transaction."""
    audit_event = build(kind, **fields)
    session = session or db.session
    if has_request_context() and request.method in READ_METHODS:
        write_after_request(lambda own: own.add(audit_event), session)
    else:
        session.add(audit_event)
    return audit_event


def record_now(kind: Kind, **fields: Any) -> None:
    """Write an event in a transaction of its own, committed at once: for events of requests
    that roll back (a failed sign-in answers 400)."""
    audit_event = build(kind, **fields)
    with current_app.extensions["timetracker.sessionmaker"]() as own:
        own.add(audit_event)
        own.commit()


def purge_expired(session: Session, retention_days: int, now: dt.datetime | None = None) -> int:
    """Delete events older than ``retention_days`` (0 keeps every event); returns how many."""
    if retention_days <= 0:
        return 0
    cutoff = (now or utcnow()) - dt.timedelta(days=retention_days)
    result = session.execute(delete(AuditEvent).where(AuditEvent.at < cutoff))
    return int(getattr(result, "rowcount", 0) or 0)


@event.listens_for(AuditEvent, "before_update")
def _refuse_update(*_args: Any) -> None:
    raise AuditTrailIsAppendOnly("An audit event cannot be changed.")


@event.listens_for(AuditEvent, "before_delete")
def _refuse_delete(*_args: Any) -> None:
    raise AuditTrailIsAppendOnly("An audit event cannot be deleted.")
