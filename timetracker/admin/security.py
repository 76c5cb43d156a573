"""An administrator's sign-in actions on a user: reset the second factor, end every session.
Both are buttons of the "Sign-in security" card on the user's edit page (Admin -> Users ->
Edit), which reads its figures from :func:`sign_in_security`, a template global.

/admin/users/<id>/reset-two-factor  POST  reset_two_factor  admin  the secret, its last step and
                                                                   the recovery codes go; the
                                                                   person is emailed
/admin/users/<id>/end-sessions      POST  end_sessions      admin  every session and "keep me
                                                                   signed in" cookie ends

Neither works on the administrator's own account. Resetting one's own second factor here
would turn it off without the password and code the account page asks for, so a session
taken over by someone else could strip it; another administrator can reset it. One's own
sessions are ended on the account page ("Sign out all other sessions"), which keeps the
browser in use signed in.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, flash, redirect, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from timetracker import audit, db
from timetracker.audit import Kind
from timetracker.auth import second_factor, sessions
from timetracker.auth.access import Policy, UrlTable, register_urls
from timetracker.i18n import N_
from timetracker.models import User

bp = Blueprint("admin_security", __name__, url_prefix="/admin")

NOT_YOUR_OWN_TWO_FACTOR = N_(
    "You cannot reset your own two-factor sign-in here. Turn it off on your account page, "
    "which asks for your password and a code, or ask another administrator to reset it."
)
NOT_YOUR_OWN_SESSIONS = N_(
    "You cannot sign yourself out everywhere from here. Use “Sign out all other sessions” on "
    "your account page: it keeps this browser signed in."
)


@dataclass(frozen=True)
class SignInSecurity:
    """What the user edit page shows of a person's sign-in."""

    two_factor: bool
    required: bool
    open_sessions: int
    is_self: bool


@bp.app_template_global("sign_in_security")
def sign_in_security(user: User) -> SignInSecurity:
    return SignInSecurity(
        two_factor=user.has_two_factor,
        required=second_factor.required_for(user),
        open_sessions=sessions.count_open(db.session, user),
        is_self=current_user.is_authenticated and user.id == current_user.id,
    )


def _user_or_404(user_id: int) -> User:
    user = db.session.scalar(select(User).where(User.id == user_id))
    if user is None:
        abort(404)
    return user


def _admin() -> User:
    admin: User = current_user._get_current_object()
    return admin


def _back(user: User) -> ResponseReturnValue:
    return redirect(url_for("admin.user_edit", user_id=user.id, _anchor="sign-in-security"))


def reset_two_factor(user_id: int) -> ResponseReturnValue:
    user = _user_or_404(user_id)
    admin = _admin()
    if user.id == admin.id:
        abort(400, _(NOT_YOUR_OWN_TWO_FACTOR))
    if not user.has_two_factor:
        flash(
            _(
                "Two-factor sign-in is not on for %(name)s: there is nothing to reset.",
                name=user.name,
            ),
            "info",
        )
        return _back(user)
    second_factor.remove(db.session, user, by_admin=admin)
    flash(
        _(
            "Two-factor sign-in of %(name)s was reset. They were emailed; their password alone "
            "signs them in until they set it up again.",
            name=user.name,
        ),
        "success",
    )
    return _back(user)


def end_sessions(user_id: int) -> ResponseReturnValue:
    user = _user_or_404(user_id)
    admin = _admin()
    if user.id == admin.id:
        abort(400, _(NOT_YOUR_OWN_SESSIONS))
    ended = sessions.count_open(db.session, user)
    sessions.revoke(db.session, user)
    audit.record(
        Kind.SESSIONS_ENDED,
        actor=admin,
        subject=user,
        client_id=user.client_id,
        detail=f"every session ({ended}) ended by an administrator",
    )
    flash(_("%(name)s was signed out everywhere.", name=user.name), "success")
    return _back(user)


POST = ["POST"]

URLS: UrlTable = [
    ("/users/<int:user_id>/reset-two-factor", reset_two_factor, POST, Policy.ADMIN),
    ("/users/<int:user_id>/end-sessions", end_sessions, POST, Policy.ADMIN),
]

register_urls(bp, URLS)
