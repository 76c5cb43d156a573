"""How many emails to addresses people type one staff member may have the app send.

The invoice dialog emails any address an administrator adds, and an invitation goes to the
address typed: a stolen administrator session must not turn the server into a mailer. Every
such action counts against one limit per person (``staff-email``), kept in the shared
rate-limit storage (SECURITY.md) so that it holds across workers and servers; past it the
action answers 429 and nothing is sent. A month's invoices sent in one sitting stay far below.
"""

from __future__ import annotations

from flask import current_app

from timetracker.auth.sessions import cookie_user_id
from timetracker.extensions import limiter

STAFF_EMAIL_LIMIT = "60 per hour"


def _limit() -> str:
    """The limit: ``STAFF_EMAIL_LIMIT`` in the app's configuration, else the default."""
    return str(current_app.config.get("STAFF_EMAIL_LIMIT") or STAFF_EMAIL_LIMIT)


def _per_person() -> str:
    return f"staff-email:{cookie_user_id()}"


#: The decorator of every staff action that emails typed addresses (POST only).
staff_email_limit = limiter.shared_limit(
    _limit,
    scope="staff-email",
    key_func=_per_person,
    methods=["POST"],
    exempt_when=lambda: cookie_user_id() is None,
)
