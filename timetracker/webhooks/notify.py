"""Telling the administrators that an endpoint was turned off for failing.

One email per active administrator, through the background jobs like every email (RQ when
``REDIS_URL`` is set, inline otherwise), composed in the job from the endpoint as it is then:
an endpoint that was removed or turned on again in the meantime sends nothing.
"""

from __future__ import annotations

import logging
from email.message import EmailMessage

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from timetracker import db, firm, i18n
from timetracker.models import Role, User
from timetracker.models.api import WebhookEndpoint
from timetracker.notifications.jobs import dispatch_email
from timetracker.notifications.mail import (
    new_message,
    send_message,
)

log = logging.getLogger(__name__)

WEBHOOK_EMAIL_JOB = "webhook_disabled_email"


def administrators() -> list[User]:
    return list(
        db.session.scalars(
            select(User).where(User.role == Role.ADMIN, User.is_active.is_(True)).order_by(User.id)
        )
    )


def notify_endpoint_disabled(endpoint_id: int) -> list[int]:
    """Email every active administrator (after the caller's commit); returns their ids."""
    if not current_app.config.get("MAIL_ENABLED"):
        log.warning("webhook endpoint %s turned off; mail is off: nobody emailed", endpoint_id)
        return []
    admin_ids = [user.id for user in administrators()]
    for user_id in admin_ids:
        dispatch(endpoint_id, user_id)
    return admin_ids


def dispatch(endpoint_id: int, user_id: int) -> None:
    """Send the email through the background jobs (see ``notifications.jobs``)."""
    dispatch_email(
        WEBHOOK_EMAIL_JOB,
        deliver,
        endpoint_id,
        user_id,
        description=f"webhook {endpoint_id} turned off: email to user {user_id}",
    )


def deliver(endpoint_id: int, user_id: int) -> None:
    """Compose and send the email now, if still due; raises on a failure to send."""
    endpoint = db.session.scalar(
        select(WebhookEndpoint)
        .where(WebhookEndpoint.id == endpoint_id)
        .execution_options(populate_existing=True)
    )
    if endpoint is None or endpoint.disabled_at is None:
        log.info("webhook email dropped: endpoint %s is gone or on again", endpoint_id)
        return
    admin = db.session.scalar(
        select(User).where(User.id == user_id, User.role == Role.ADMIN, User.is_active.is_(True))
    )
    if admin is None:
        log.info("webhook email dropped: user %s is no active administrator", user_id)
        return
    send_message(compose(endpoint, admin), current_app.config)


def compose(endpoint: WebhookEndpoint, admin: User) -> EmailMessage:
    """The email to ``admin``, in their language."""
    with i18n.speaking(i18n.language_of(admin)):
        return _compose(endpoint, admin)


def _compose(endpoint: WebhookEndpoint, admin: User) -> EmailMessage:
    config = current_app.config
    settings = firm.get_settings()
    base = str(config.get("BASE_URL") or "").rstrip("/")
    values = {
        "endpoint": endpoint,
        "recipient_name": admin.name,
        "company_name": settings.company_name,
        "timezone": settings.timezone,
        "link": f"{base}/admin/webhooks/{endpoint.id}",
        "language": i18n.current_language(),
    }
    return new_message(
        config,
        subject=_("Webhook turned off: %(url)s", url=endpoint.url),
        to_name=admin.name,
        to_email=admin.email,
        template="email/webhooks/disabled",
        values=values,
    )
