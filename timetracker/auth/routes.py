"""Signing in and out, the home redirect and the account page.

URL table (the policy of each is in ``URLS`` at the end of this module):

/                             GET        index                public  the account's home, or /login
/login                        GET, POST  login                public  the password (then the second
                                                                      step, auth/twofactor.py)
/logout                       GET, POST  logout               public  GET asks; POST signs out
/account                      GET, POST  account              login   password, language, email
                                                                      preferences, two-factor
                                                                      status, sessions
/account/sessions/<id>/end    POST       session_end          login   signs out one other session
/account/sessions/end-others  POST       sessions_end_others  login   signs out all other sessions

The second step of the login and the two-factor pages of the account are in
:mod:`timetracker.auth.twofactor`; what happens once a password is verified is in
:mod:`timetracker.auth.signin`.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import refresh
from flask_limiter.util import get_remote_address
from flask_login import current_user, logout_user
from sqlalchemy import select

from timetracker import audit, db, i18n
from timetracker.audit import Kind
from timetracker.auth import browsers, passwords, second_factor, sessions, signin
from timetracker.auth.access import Policy, UrlTable, refusal, refusal_text, register_urls
from timetracker.auth.forms import (
    BROWSER_LANGUAGE,
    ChangePasswordForm,
    LanguageForm,
    LoginForm,
    LogoutForm,
    NotificationPreferencesForm,
)
from timetracker.auth.signin import home_for
from timetracker.extensions import limiter
from timetracker.i18n import N_, LazyText, _l
from timetracker.models import Role, User
from timetracker.models.users import normalize_email

bp = Blueprint("auth", __name__)

FAILED_LOGIN = N_("Wrong email or password, or the account is not active.")

#: The roles as people read them, in the language being spoken (``User.role_label`` is the
#: English one, for records).
ROLE_NAMES: dict[str, LazyText] = {
    Role.ADMIN: _l("Administrator"),
    Role.STAFF: _l("Staff"),
    Role.CLIENT: _l("Client contact"),
    Role.NONE: _l("No access"),
}


@bp.app_template_global("role_name")
def role_name(user: User) -> str:
    """``user``'s role as people read it."""
    name = ROLE_NAMES.get(user.role)
    return str(name) if name is not None else user.role_label


def _account_key() -> str:
    """The account an attempt is for, as typed (normalised): whether it exists is not looked
    up, so the limits answer alike for every email and reveal nothing about accounts."""
    return "login-account:" + normalize_email(request.form.get("email", ""))[:254]


def _account_address_key() -> str:
    # An address holds no space, so the first space ends it whatever the email holds.
    return f"login-account-ip:{get_remote_address()} {_account_key()}"


def _record_failure(email: str, user: User | None, detail: str) -> None:
    """A failed sign-in, in the audit trail: written at once, since the request rolls back.
    The same row is written whether or not the address belongs to an account (the typed
    address is kept), so recording it takes the same time either way."""
    audit.record_now(
        Kind.SIGN_IN_FAILED,
        subject=user,
        client_id=user.client_id if user is not None else None,
        actor_email=normalize_email(email)[:254],
        detail=detail,
    )


def index() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    return redirect(url_for("auth.login"))


# The login limits (SECURITY.md). Flask-Limiter checks a view's limits in the order they were
# applied, the lowest decorator first, and stops at the first that refuses: an attempt refused
# for its address, or for one account from that address, never counts against the account's
# ceiling. So one address spends at most its own share of the ceiling, and a stranger who spends
# an account's limit from their address does not lock its owner out of theirs.
@limiter.limit(
    lambda: current_app.config["LOGIN_RATE_LIMIT_ACCOUNT"],
    methods=["POST"],
    key_func=_account_key,
)
@limiter.limit(
    lambda: current_app.config["LOGIN_RATE_LIMIT_ACCOUNT_IP"],
    methods=["POST"],
    key_func=_account_address_key,
)
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT_IP"], methods=["POST"], key_func=None)
def login() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = LoginForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            return render_template("auth/login.html", form=form), 400
        user = db.session.scalar(
            select(User).where(User.email == normalize_email(form.email.data or ""))
        )
        password = form.password.data or ""
        valid = passwords.verify_password(user.password_hash if user else None, password)
        if user is None or not valid or not user.is_active:
            _record_failure(form.email.data or "", user, "wrong email or password")
            form.password.errors = [_(FAILED_LOGIN)]
            return render_template("auth/login.html", form=form), 400
        # An active account without access (no role, or a contact of a client that is no longer
        # active) is told why, but only once the password is verified: the answer reveals
        # nothing to someone who does not know it.
        reason = refusal(user)
        if reason is not None:
            _record_failure(user.email, user, str(reason))
            return render_template("auth/login.html", form=form, refused=refusal_text(reason)), 403
        if passwords.needs_rehash(user.password_hash):
            user.password_hash = passwords.hash_password(password)
        # A new session at login (or the second step first): nothing of the anonymous session
        # carries over, and the cookie gets a fresh server-side key (see auth/sessions.py).
        return signin.after_password(
            user, remember=bool(form.remember.data), next_target=request.args.get("next")
        )
    return render_template("auth/login.html", form=form)


#: Sent with the logout's answer: the browser drops this site's cache and storage. Not its
#: cookies: the session and "keep me signed in" cookies are deleted one by one (and their
#: server-side session ended), while the cookie that recognises the browser stays, or every
#: sign-in after a logout would be emailed as one from a new browser (auth/browsers.py).
CLEAR_SITE_DATA = '"cache", "storage"'


def logout() -> ResponseReturnValue:
    form = LogoutForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            return render_template("auth/logout.html", form=form), 400
        if current_user.is_authenticated:
            audit.record(Kind.SIGN_OUT, client_id=current_user.client_id)
        sessions.end(db.session, session.get("_user_id"))
        session.clear()
        logout_user()  # after clear(): it asks for the "keep me signed in" cookie to be deleted
        flash(_("You have been logged out."), "success")
        response = redirect(url_for("auth.login"))
        # The browser forgets this person's cached pages and site storage too.
        response.headers["Clear-Site-Data"] = CLEAR_SITE_DATA
        return response
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    return render_template("auth/logout.html", form=form)


@dataclass
class AccountForms:
    """The forms of the account page; the one submitted carries its errors."""

    password: ChangePasswordForm
    language: LanguageForm
    prefs: NotificationPreferencesForm


def account() -> ResponseReturnValue:
    forms = AccountForms(
        password=ChangePasswordForm(prefix="pw"),
        language=LanguageForm(
            prefix="lang", language=i18n.known(current_user.language) or BROWSER_LANGUAGE
        ),
        prefs=NotificationPreferencesForm(
            prefix="prefs", invoice_emails_enabled=current_user.invoice_emails_enabled
        ),
    )
    if request.method == "POST":
        if "pw-submit" in request.form:
            return _change_password(forms)
        if "lang-submit" in request.form:
            return _change_language(forms)
        if "prefs-submit" in request.form and current_user.is_client_contact:
            if not forms.prefs.validate_on_submit():
                return _account_page(forms, 400)
            current_user.invoice_emails_enabled = bool(forms.prefs.invoice_emails_enabled.data)
            flash(_("Your email preferences were saved."), "success")
            return redirect(url_for("auth.account"))
        return _account_page(forms, 400)
    return _account_page(forms)


def _change_language(forms: AccountForms) -> ResponseReturnValue:
    """Store the person's language (``None``: the browser's); the answer already speaks it."""
    if not forms.language.validate_on_submit():
        return _account_page(forms, 400)
    user: User = current_user._get_current_object()
    user.language = i18n.known(forms.language.language.data)
    refresh()  # the language of this request was chosen before the change
    flash(_("Your language was saved."), "success")
    return redirect(url_for("auth.account"))


def _account_page(forms: AccountForms, status: int = 200) -> ResponseReturnValue:
    user: User = current_user._get_current_object()
    return (
        render_template(
            "auth/account.html",
            password_form=forms.password,
            language_form=forms.language,
            prefs_form=forms.prefs,
            two_factor_required=second_factor.required_for(user),
            recovery_codes_left=(
                second_factor.remaining_recovery_codes(db.session, user)
                if user.has_two_factor
                else None
            ),
            browser_sessions=_session_rows(user),
        ),
        status,
    )


def _session_rows(user: User) -> list[dict[str, object]]:
    """The account's open sessions as the page lists them, this browser's marked."""
    mine = sessions.key_hash(session.get("_user_id"))
    return [
        {
            "row": row,
            "browser": browsers.describe(row.user_agent),
            "current": row.key_hash == mine,
        }
        for row in sessions.open_sessions(db.session, user)
    ]


def _change_password(forms: AccountForms) -> ResponseReturnValue:
    form = forms.password
    if not form.validate_on_submit():
        return _account_page(forms, 400)
    user: User = current_user._get_current_object()
    if not passwords.verify_password(user.password_hash, form.current_password.data or ""):
        form.current_password.errors = [_("The current password is not correct.")]
        return _account_page(forms, 400)
    problem = passwords.password_problem(form.new_password.data or "")
    if problem:
        form.new_password.errors = [problem]
        return _account_page(forms, 400)
    user.password_hash = passwords.hash_password(form.new_password.data or "")
    # Every other session of this user ends; this one carries on with a fresh id.
    user.session_version += 1
    sessions.end_all(db.session, user)
    session.clear()
    signin.start_session(user)
    audit.record(Kind.PASSWORD_CHANGED, actor=user, client_id=user.client_id)
    flash(_("Your password was changed. Other sessions have been signed out."), "success")
    return redirect(url_for("auth.account"))


THIS_BROWSER = N_("This is the browser you are using: to sign it out, use Log out.")


def session_end(session_id: int) -> ResponseReturnValue:
    """Sign out one other session of the account; another person's session is a missing one."""
    user: User = current_user._get_current_object()
    row = sessions.find(db.session, user, session_id)
    if row is None:
        abort(404)
    if row.key_hash == sessions.key_hash(session.get("_user_id")):
        abort(400, _(THIS_BROWSER))
    with i18n.speaking(i18n.SOURCE_LANGUAGE):  # the audit trail's detail is in English
        recorded = browsers.describe(row.user_agent)
    db.session.delete(row)
    audit.record(Kind.SESSION_ENDED, actor=user, client_id=user.client_id, detail=recorded)
    flash(
        _("The session in %(browser)s was signed out.", browser=browsers.describe(row.user_agent)),
        "success",
    )
    return redirect(url_for("auth.account", _anchor="sessions-heading"))


def sessions_end_others() -> ResponseReturnValue:
    user: User = current_user._get_current_object()
    ended = sessions.end_other(db.session, user, session.get("_user_id"))
    if ended:
        audit.record(
            Kind.SESSIONS_ENDED,
            actor=user,
            client_id=user.client_id,
            detail=f"{ended} other session{'' if ended == 1 else 's'}",
        )
        flash(_("Every other session was signed out."), "success")
    else:
        flash(_("There were no other sessions to sign out."), "info")
    return redirect(url_for("auth.account", _anchor="sessions-heading"))


GET, POST, FORM = ["GET"], ["POST"], ["GET", "POST"]

URLS: UrlTable = [
    ("/", index, GET, Policy.PUBLIC),
    ("/login", login, FORM, Policy.PUBLIC),
    ("/logout", logout, FORM, Policy.PUBLIC),
    ("/account", account, FORM, Policy.LOGIN),
    ("/account/sessions/<int:session_id>/end", session_end, POST, Policy.LOGIN),
    ("/account/sessions/end-others", sessions_end_others, POST, Policy.LOGIN),
]

register_urls(bp, URLS)
