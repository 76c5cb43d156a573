"""Forgotten passwords and invitation links: asking for a reset, setting a password from a link.

URL table (every rule is public; the policy of each is in ``URLS`` at the end of this module):

/forgot-password          GET, POST  forgot_password   asks for a reset link; one answer for
                                                       every address (rate-limited)
/reset-password/<token>   GET, POST  reset_password    a new password; ends every session
/invitation/<token>       GET, POST  invitation        an invited contact sets a password and
                                                       is signed in to the portal
/invitation/renew         GET, POST  invitation_renew  a new link for an expired invitation; one
                                                       answer for every address (rate-limited)

A link that does not open answers with what is wrong: 404 for an unknown (or tampered) link,
410 for one that expired, was used or was revoked (unknown and revoked read alike), 403 for an
account that can no longer sign in; where a new link would help, the page offers to ask for
one.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address

from timetracker import db
from timetracker.auth import invitations_service, recovery_service, signin, tokens
from timetracker.auth.access import Policy, UrlTable, register_urls
from timetracker.auth.passwords import password_problem
from timetracker.auth.recovery_forms import (
    ForgotPasswordForm,
    NewPasswordForm,
    RenewInvitationForm,
)
from timetracker.auth.recovery_links import (
    LinkProblem,
    email_link,
    link_problem,
    send_after_response,
)
from timetracker.auth.tokens import Problem
from timetracker.extensions import limiter
from timetracker.models import TokenPurpose
from timetracker.models.users import normalize_email
from timetracker.notifications.accounts import AccountEmail

bp = Blueprint("recovery", __name__)

#: Requests for a link by email (SECURITY.md): per address typed, and per client address. The
#: error page of a refusal says "wait a minute", so the windows are minutes.
LINK_LIMIT_ADDRESS = "5 per minute"
LINK_LIMIT_IP = "20 per minute"


def _typed_address() -> str:
    """The address a request is for, as typed (normalised): whether an account has it is not
    looked up, so the limits answer alike for every address."""
    return normalize_email(request.form.get("email", ""))[:254]


def _reset_address_key() -> str:
    return "reset-address:" + _typed_address()


def _renew_address_key() -> str:
    return "renew-address:" + _typed_address()


def _ip_key() -> str:
    return "link-ip:" + get_remote_address()


def _problem_page(problem: LinkProblem, purpose: TokenPurpose) -> ResponseReturnValue:
    page = render_template("auth/recovery/link_problem.html", problem=problem, purpose=purpose)
    return page, problem.status


def _new_password(form: NewPasswordForm) -> str | None:
    """The new password of a submitted form, or ``None`` with the form's errors set."""
    if not form.validate_on_submit():
        return None
    password = form.new_password.data or ""
    problem = password_problem(password)
    if problem:
        form.new_password.errors = [problem]
        return None
    return password


# Password reset ---------------------------------------------------------------------------


# Limits are checked lowest decorator first (see auth/routes.py login): the client address's
# share first, then the address typed.
@limiter.limit(LINK_LIMIT_ADDRESS, methods=["POST"], key_func=_reset_address_key)
@limiter.limit(LINK_LIMIT_IP, methods=["POST"], key_func=_ip_key)
def forgot_password() -> ResponseReturnValue:
    form = ForgotPasswordForm()
    if request.method == "GET":
        return render_template("auth/recovery/forgot.html", form=form)
    if not form.validate_on_submit():
        return render_template("auth/recovery/forgot.html", form=form), 400
    reset = recovery_service.request_reset(db.session, form.email.data or "")
    response = make_response(
        render_template(
            "auth/recovery/requested.html",
            title=_("Check your email"),
            message=_(recovery_service.RESET_REQUESTED),
            again=url_for("recovery.forgot_password"),
        )
    )
    if reset is not None:
        link = email_link("recovery.reset_password", reset.token)
        send_after_response(response, AccountEmail.PASSWORD_RESET, reset.user, link=link)
    return response


def reset_password(token: str) -> ResponseReturnValue:
    checked = tokens.check(db.session, token, TokenPurpose.PASSWORD_RESET)
    problem = link_problem(checked)
    if problem is not None:
        return _problem_page(problem, TokenPurpose.PASSWORD_RESET)
    assert checked.user is not None
    form = NewPasswordForm()
    page = "auth/recovery/reset.html"
    if request.method == "GET":
        return render_template(page, form=form, person=checked.user)
    password = _new_password(form)
    if password is None:
        return render_template(page, form=form, person=checked.user), 400
    if recovery_service.reset_password(db.session, checked, password) is None:
        return _problem_page(LinkProblem(Problem.USED), TokenPurpose.PASSWORD_RESET)
    # Not signed in: the person signs in with the new password, and with their second factor
    # when they have one.
    flash(_("Your password was reset. Sign in with the new password."), "success")
    return redirect(url_for("auth.login"))


# Invitations ------------------------------------------------------------------------------


def invitation(token: str) -> ResponseReturnValue:
    checked = tokens.check(db.session, token, TokenPurpose.INVITATION)
    problem = link_problem(checked)
    if problem is not None:
        return _problem_page(problem, TokenPurpose.INVITATION)
    person = checked.user
    assert person is not None
    form = NewPasswordForm()
    client = invitations_service.client_of(db.session, person)
    page = "auth/recovery/invitation.html"
    if request.method == "GET":
        return render_template(page, form=form, person=person, client=client)
    password = _new_password(form)
    if password is None:
        return render_template(page, form=form, person=person, client=client), 400
    user = invitations_service.accept(db.session, checked, password)
    if user is None:
        return _problem_page(LinkProblem(Problem.USED), TokenPurpose.INVITATION)
    # Signed in as every login does (a fresh session, audited), and sent where a login sends
    # them: the portal, or first the two-factor set-up when the firm requires it.
    signin.complete(user, detail="invitation accepted")
    flash(_("Welcome, %(name)s. Your password is set.", name=user.name), "success")
    return redirect(signin.landing(user, None))


@limiter.limit(LINK_LIMIT_ADDRESS, methods=["POST"], key_func=_renew_address_key)
@limiter.limit(LINK_LIMIT_IP, methods=["POST"], key_func=_ip_key)
def invitation_renew() -> ResponseReturnValue:
    form = RenewInvitationForm()
    if request.method == "GET":
        return render_template("auth/recovery/renew.html", form=form)
    if not form.validate_on_submit():
        return render_template("auth/recovery/renew.html", form=form), 400
    renewed = invitations_service.renew(db.session, form.email.data or "")
    response = make_response(
        render_template(
            "auth/recovery/requested.html",
            title=_("Check your email"),
            message=_(invitations_service.RENEWAL_REQUESTED),
            again=url_for("recovery.invitation_renew"),
        )
    )
    if renewed is not None:
        send_after_response(
            response,
            AccountEmail.INVITATION,
            renewed.user,
            link=email_link("recovery.invitation", renewed.token),
            expires_at=renewed.expires_at.isoformat(),
        )
    return response


GET, FORM = ["GET"], ["GET", "POST"]
PUBLIC = Policy.PUBLIC

URLS: UrlTable = [
    ("/forgot-password", forgot_password, FORM, PUBLIC),
    ("/reset-password/<token>", reset_password, FORM, PUBLIC),
    ("/invitation/renew", invitation_renew, FORM, PUBLIC),
    ("/invitation/<token>", invitation, FORM, PUBLIC),
]

register_urls(bp, URLS)
