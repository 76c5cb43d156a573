"""What happens once a person's password is verified: the second step when they use two-factor
sign-in, then the sign-in itself. Every way into an account (the login form, a code at the
second step) ends in :func:`complete`, so each is audited, starts a server-side session and
notices a new browser alike.

The second step keeps the person signed out: the Flask session holds only who is half-way
(:data:`PENDING`: their id and session version, "keep me signed in", where to go next and when
the password was verified) for :data:`PENDING_LIFETIME`. A password change or reset in the
meantime (a new session version) ends it too.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from flask import abort, flash, redirect, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from timetracker import audit, db, firm
from timetracker.audit import Kind
from timetracker.auth import browsers, second_factor, sessions
from timetracker.auth.access import refusal, refusal_text
from timetracker.i18n import N_
from timetracker.models import User
from timetracker.redirects import safe_redirect_target

#: The Flask session's key of a sign-in waiting for its second step.
PENDING = "two_factor_pending"
PENDING_LIFETIME = dt.timedelta(minutes=5)
MUST_ENROL = N_(
    "Your firm requires two-factor sign-in for your account. Set it up to continue; it takes "
    "a minute with an authenticator app on your phone."
)


def start_session(user: User, remember: bool = False) -> None:
    """Log ``user`` in with a new server-side session whose key goes into the cookie."""
    login_user(user, remember=remember)
    session["_user_id"] = sessions.start(db.session, user)


def complete(user: User, *, remember: bool = False, detail: str | None = None) -> None:
    """Sign ``user`` in, their identity proved: a fresh session (nothing of the anonymous one
    carries over), audited, and a new browser noticed."""
    user.last_login_at = firm.now()
    session.clear()
    start_session(user, remember=remember)
    audit.record(Kind.SIGN_IN, actor=user, client_id=user.client_id, detail=detail)
    browsers.note_sign_in(db.session, user)


def home_for(user: User) -> str:
    """The page an account with access lands on; an account without access has none (403)."""
    reason = refusal(user)
    if reason is not None:
        abort(403, refusal_text(reason))
    if user.is_client_contact:
        return url_for("portal.dashboard")
    return url_for("workspace.dashboard")


def landing(user: User, next_target: str | None) -> str:
    """Where a person goes once signed in: the set-up page while they must set up two-factor
    sign-in, else where they were going, else their home."""
    if second_factor.must_enrol(user):
        flash(_(MUST_ENROL), "warning")
        return url_for("twofactor.setup")
    return safe_redirect_target(next_target) or home_for(user)


def after_password(user: User, *, remember: bool, next_target: str | None) -> ResponseReturnValue:
    """The answer once ``user``'s password is verified and they have access: the second step
    for people with two-factor sign-in, else signed in."""
    if user.has_two_factor:
        session.clear()
        session[PENDING] = {
            "user": user.id,
            "version": user.session_version,
            "remember": bool(remember),
            "next": safe_redirect_target(next_target),
            "at": firm.now().timestamp(),
        }
        return redirect(url_for("twofactor.second_step"))
    complete(user, remember=remember)
    return redirect(landing(user, next_target))


@dataclass(frozen=True)
class Pending:
    """A sign-in waiting for its second step."""

    user: User
    remember: bool
    next_target: str | None


def pending_user_id() -> int | None:
    """The id of the account waiting for its second step in this browser (for rate limits)."""
    data = session.get(PENDING)
    value = data.get("user") if isinstance(data, dict) else None
    return value if isinstance(value, int) else None


def pending() -> Pending | None:
    """This browser's sign-in waiting for its second step, if it is still valid: not older than
    :data:`PENDING_LIFETIME`, and its account still the same (session version), active, with
    access and with two-factor sign-in on. An invalid one is dropped."""
    data: Any = session.get(PENDING)
    if not isinstance(data, dict):
        return None
    user = _pending_user(data)
    if user is None:
        session.pop(PENDING, None)
        return None
    return Pending(user=user, remember=bool(data.get("remember")), next_target=data.get("next"))


def _pending_user(data: dict[str, Any]) -> User | None:
    at, user_id = data.get("at"), data.get("user")
    if not isinstance(at, int | float) or not isinstance(user_id, int):
        return None
    age = firm.now() - dt.datetime.fromtimestamp(at, dt.UTC)
    if not dt.timedelta(0) <= age <= PENDING_LIFETIME:
        return None
    user = db.session.scalar(select(User).where(User.id == user_id))
    if user is None or user.session_version != data.get("version"):
        return None
    if not user.has_two_factor or refusal(user) is not None:
        return None
    return user


def end_pending() -> None:
    session.pop(PENDING, None)


def redirect_to_login(message: str) -> Response:
    end_pending()
    flash(message, "warning")
    return redirect(url_for("auth.login"))
