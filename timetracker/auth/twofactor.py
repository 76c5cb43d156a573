"""Two-factor sign-in: set-up, turning it off and new recovery codes on the account page, the
second step at login, and the confinement of people who must set it up. The rules (codes, who
must use it) are in :mod:`timetracker.auth.second_factor`; the sign-in in
:mod:`timetracker.auth.signin`.

URL table (the policy of each is in ``URLS`` at the end of this module):

/account/two-factor                 GET, POST  setup           login   GET shows the QR code of
                                                                       the set-up under way; POST
                                                                       a code turns it on
/account/two-factor/start           POST       setup_start     login   starts set-up: a fresh
                                                                       secret each time
/account/two-factor/disable         GET, POST  disable         login   password and a code
/account/two-factor/recovery-codes  GET, POST  recovery_codes  login   a code; replaces them all
/login/two-factor                   GET, POST  second_step     public  the code after the password

A wrong code answers 400 and is recorded at once (``TWO_FACTOR_FAILED``). Wrong codes are
limited per account (across the second step and the account pages, so a stolen session does
not get a budget of its own) and, at the second step, per address too.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_limiter.util import get_remote_address
from flask_login import current_user
from werkzeug.wrappers import Response

from timetracker import audit, db
from timetracker.audit import Kind
from timetracker.auth import passwords, second_factor, signin
from timetracker.auth.access import Policy, UrlTable, register_urls
from timetracker.auth.forms import (
    EnrolForm,
    NewRecoveryCodesForm,
    SecondStepForm,
    TurnOffTwoFactorForm,
)
from timetracker.extensions import limiter
from timetracker.i18n import N_
from timetracker.models import User

bp = Blueprint("twofactor", __name__)

#: Wrong codes one account may send (second step and account pages together).
CODE_LIMIT_PER_ACCOUNT = "5 per minute; 30 per hour"
#: Wrong codes at the second step from one address, whichever accounts they are for.
CODE_LIMIT_PER_ADDRESS = "20 per minute"

WRONG_CODE = N_(
    "That code is not right, or it was used already. Enter the current code from your "
    "authenticator app, or one of your recovery codes."
)
WRONG_SETUP_CODE = N_(
    "That code does not match. Check that your app shows the account you just added, and "
    "enter its current code."
)
WRONG_PASSWORD = N_("The current password is not correct.")  # noqa: S105 - a message
EXPIRED = N_(
    "Your sign-in was not finished within five minutes, or your account changed meanwhile. "
    "Please sign in again."
)
ALREADY_ON = N_("Two-factor sign-in is already on.")
IS_OFF = N_("Two-factor sign-in is off.")
REQUIRED = N_(
    "Your firm requires two-factor sign-in for your account, so it cannot be turned off. To "
    "move it to a new phone, make new recovery codes or ask an administrator to reset it."
)

#: What a person who must set up two-factor sign-in may still open (besides this module).
OPEN_WHILE_ENROLLING = {"static", "auth.logout", "portal.branding_css"}
#: Blueprints for machines, not people: never redirected.
MACHINE_BLUEPRINTS = {"health", "monitoring"}


def _failed(response: Response) -> bool:
    return response.status_code >= 400


def _account_key() -> str:
    """Attempts count against the account: the one signed in, or the one waiting for its second
    step in this browser (an address when there is neither)."""
    if current_user.is_authenticated:
        return f"two-factor-account:{current_user.id}"
    user_id = signin.pending_user_id()
    if user_id is not None:
        return f"two-factor-account:{user_id}"
    return f"two-factor-nobody:{get_remote_address()}"


_per_account = limiter.shared_limit(
    CODE_LIMIT_PER_ACCOUNT,
    scope="two-factor-codes",
    key_func=_account_key,
    methods=["POST"],
    deduct_when=_failed,
)


def _record_failure(user: User, detail: str) -> None:
    """A wrong code, in the audit trail: written at once, since the request rolls back."""
    audit.record_now(
        Kind.TWO_FACTOR_FAILED,
        subject=user,
        actor_email=user.email,
        client_id=user.client_id,
        detail=detail,
    )


def _me() -> User:
    user: User = current_user._get_current_object()
    return user


# Set-up -----------------------------------------------------------------------------------------


@_per_account
def setup() -> ResponseReturnValue:
    user = _me()
    if user.has_two_factor:
        flash(_(ALREADY_ON), "info")
        return redirect(url_for("auth.account"))
    form = EnrolForm()
    secret = user.totp_secret
    if secret is None:  # not started (or reset since): the page offers to start
        if request.method == "POST":
            flash(_("Set-up had not started: start it, then scan the QR code."), "warning")
            return redirect(url_for("twofactor.setup"))
        return _setup_page(form, user, None)
    if request.method == "GET":
        return _setup_page(form, user, secret)
    if not form.validate_on_submit():
        return _setup_page(form, user, secret, 400)
    codes = second_factor.enable(db.session, user, form.code.data or "")
    if codes is None:
        _record_failure(user, "setting up two-factor sign-in")
        form.code.errors = [_(WRONG_SETUP_CODE)]
        return _setup_page(form, user, secret, 400)
    flash(_("Two-factor sign-in is on."), "success")
    return render_template("auth/two_factor/codes.html", codes=codes, enrolled=True)


def setup_start() -> ResponseReturnValue:
    """Start set-up with a fresh secret (a POST: it replaces any set-up under way)."""
    user = _me()
    if user.has_two_factor:
        flash(_(ALREADY_ON), "info")
        return redirect(url_for("auth.account"))
    second_factor.start_enrolment(user)
    return redirect(url_for("twofactor.setup"))


def _setup_page(
    form: EnrolForm, user: User, secret: str | None, status: int = 200
) -> ResponseReturnValue:
    """The set-up page: the QR code and key of ``secret``, or (``None``) an offer to start."""
    qr_code = None
    if secret is not None:
        qr_code = second_factor.qr_code(second_factor.provisioning_uri(user, secret))
    return (
        render_template(
            "auth/two_factor/setup.html",
            form=form,
            qr_code=qr_code,
            secret=second_factor.grouped(secret) if secret is not None else None,
            required=second_factor.required_for(user),
        ),
        status,
    )


# Turning it off, new recovery codes -------------------------------------------------------------


@_per_account
def disable() -> ResponseReturnValue:
    user = _me()
    if not user.has_two_factor:
        flash(_(IS_OFF), "info")
        return redirect(url_for("auth.account"))
    form = TurnOffTwoFactorForm()
    required = second_factor.required_for(user)
    if request.method == "GET":
        return render_template("auth/two_factor/disable.html", form=form, required=required)
    if required:
        return render_template("auth/two_factor/disable.html", form=form, required=True), 400
    if not form.validate_on_submit():
        return render_template("auth/two_factor/disable.html", form=form, required=False), 400
    if not passwords.verify_password(user.password_hash, form.current_password.data or ""):
        form.current_password.errors = [_(WRONG_PASSWORD)]
        return render_template("auth/two_factor/disable.html", form=form, required=False), 400
    if second_factor.accept(db.session, user, form.code.data or "") is None:
        _record_failure(user, "turning two-factor sign-in off")
        form.code.errors = [_(WRONG_CODE)]
        return render_template("auth/two_factor/disable.html", form=form, required=False), 400
    second_factor.remove(db.session, user)
    flash(_("Two-factor sign-in is off. Your password alone signs you in now."), "success")
    return redirect(url_for("auth.account"))


@_per_account
def recovery_codes() -> ResponseReturnValue:
    user = _me()
    if not user.has_two_factor:
        flash(_(IS_OFF), "info")
        return redirect(url_for("auth.account"))
    form = NewRecoveryCodesForm()
    if request.method == "GET":
        return render_template("auth/two_factor/new_codes.html", form=form)
    if not form.validate_on_submit():
        return render_template("auth/two_factor/new_codes.html", form=form), 400
    if second_factor.accept(db.session, user, form.code.data or "") is None:
        _record_failure(user, "making new recovery codes")
        form.code.errors = [_(WRONG_CODE)]
        return render_template("auth/two_factor/new_codes.html", form=form), 400
    codes = second_factor.replace_recovery_codes(db.session, user)
    return render_template("auth/two_factor/codes.html", codes=codes, enrolled=False)


# The second step at login -----------------------------------------------------------------------


@_per_account
@limiter.limit(
    CODE_LIMIT_PER_ADDRESS,
    methods=["POST"],
    key_func=lambda: f"two-factor-address:{get_remote_address()}",
    deduct_when=_failed,
)
def second_step() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(signin.home_for(_me()))
    was_pending = signin.PENDING in session
    pending = signin.pending()
    if pending is None:
        if was_pending:
            return signin.redirect_to_login(_(EXPIRED))
        return redirect(url_for("auth.login"))
    form = SecondStepForm()
    if request.method == "GET":
        return render_template("auth/two_factor/second_step.html", form=form)
    if not form.validate_on_submit():
        return render_template("auth/two_factor/second_step.html", form=form), 400
    user = pending.user
    method = second_factor.accept(db.session, user, form.code.data or "")
    if method is None:
        _record_failure(user, "at sign-in")
        form.code.errors = [_(WRONG_CODE)]
        return render_template("auth/two_factor/second_step.html", form=form), 400
    used_recovery = method is second_factor.Method.RECOVERY
    signin.complete(
        user,
        remember=pending.remember,
        detail="with recovery code" if used_recovery else "with two-factor code",
    )
    if used_recovery:
        left = second_factor.remaining_recovery_codes(db.session, user)
        flash(
            ngettext(
                "You signed in with a recovery code; %(num)d left. If you no longer have your "
                "authenticator app, make new recovery codes or set it up again on your account "
                "page.",
                "You signed in with a recovery code; %(num)d left. If you no longer have your "
                "authenticator app, make new recovery codes or set it up again on your account "
                "page.",
                left,
            ),
            "warning",
        )
    return redirect(signin.landing(user, pending.next_target))


# Confinement ------------------------------------------------------------------------------------


@bp.before_app_request
def _confine_until_enrolled() -> ResponseReturnValue | None:
    """A person who must use two-factor sign-in and has not set it up opens nothing but the
    set-up page (and logout, static files) until they have."""
    endpoint = request.endpoint
    if endpoint is None or endpoint in OPEN_WHILE_ENROLLING:
        return None
    if request.blueprint == bp.name or request.blueprint in MACHINE_BLUEPRINTS:
        return None
    if not current_user.is_authenticated or not second_factor.must_enrol(_me()):
        return None
    return redirect(url_for("twofactor.setup"))


POST, FORM = ["POST"], ["GET", "POST"]

URLS: UrlTable = [
    ("/account/two-factor", setup, FORM, Policy.LOGIN),
    ("/account/two-factor/start", setup_start, POST, Policy.LOGIN),
    ("/account/two-factor/disable", disable, FORM, Policy.LOGIN),
    ("/account/two-factor/recovery-codes", recovery_codes, FORM, Policy.LOGIN),
    ("/login/two-factor", second_step, FORM, Policy.PUBLIC),
]

register_urls(bp, URLS)
