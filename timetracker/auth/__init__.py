"""Signing in and out, the account page, and who may open what."""

from __future__ import annotations

from flask import Flask
from flask_babel import gettext

from timetracker import db
from timetracker.auth import sessions
from timetracker.extensions import login_manager
from timetracker.i18n import N_
from timetracker.models import User


@login_manager.user_loader
def _load_user(login_id: str) -> User | None:
    """Resolve the session's ``"<id>:<version>:<key>"`` (see :mod:`timetracker.auth.sessions`):
    a session that was logged out, or is from before a password change or a deactivation, is
    anonymous. A session that survives a change of the account (a flag set in the database) is
    still resolved, so that every page can answer 403 with the reason (the access policies of
    :mod:`timetracker.auth.access` check the role, ``is_active`` and the contact's client)."""
    return sessions.resolve(db.session, login_id)


def init_app(app: Flask) -> None:
    from timetracker.auth.routes import bp

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = N_("Please log in to open that page.")
    login_manager.localize_callback = gettext  # flashed in the language of the request
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    app.register_blueprint(bp)
