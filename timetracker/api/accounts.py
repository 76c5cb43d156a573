"""The pages of personal access tokens: a person's own (create, list, revoke) and the
administrators' list of everyone's active tokens. Every POST is CSRF-protected and audited.

URL table:

    /account/api-tokens                  api_tokens         GET, POST (create)   login
    /account/api-tokens/<id>/revoke      api_token_revoke   POST                 login
    /admin/api-tokens                    admin_api_tokens   GET                  admin
    /admin/api-tokens/<id>/revoke        admin_revoke       POST                 admin
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectMultipleField, StringField, SubmitField, widgets
from wtforms.validators import DataRequired, InputRequired, Length

from timetracker import db
from timetracker.api import tokens
from timetracker.auth.access import Policy, UrlTable, register_urls
from timetracker.i18n import _l
from timetracker.models import User
from timetracker.models._common import utcnow

bp = Blueprint("api_tokens", __name__)

LIFETIME_CHOICES = [
    ("30", _l("30 days")),
    ("90", _l("90 days")),
    ("365", _l("1 year")),
    ("never", _l("Never expires")),
]


class CheckboxesField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class TokenForm(FlaskForm):
    name = StringField(
        _l("Name"), [DataRequired(_l("Give the token a name.")), Length(max=100)], default=""
    )
    scopes = CheckboxesField(_l("Scopes"), [DataRequired(_l("Choose at least one scope."))])
    lifetime = RadioField(
        _l("Expires after"),
        [InputRequired(_l("Choose when the token expires."))],
        choices=LIFETIME_CHOICES,
        default="90",
    )
    submit = SubmitField(_l("Create token"))


def _form(user: User) -> TokenForm:
    form = TokenForm()
    form.scopes.choices = [
        (s, _("%(scope)s: %(meaning)s", scope=s, meaning=tokens.SCOPES[s]))
        for s in tokens.scopes_for(user)
    ]
    return form


def _me() -> User:
    user: User = current_user._get_current_object()
    return user


def _page(form: TokenForm, status: int = 200, secret: str | None = None) -> ResponseReturnValue:
    user = _me()
    return render_template(
        "api/tokens.html",
        form=form,
        tokens=tokens.tokens_of(db.session, user.id),
        may_create=bool(tokens.scopes_for(user)),
        secret=secret,
        now=utcnow(),
        is_active=tokens.is_active,
    ), status


def api_tokens() -> ResponseReturnValue:
    user = _me()
    form = _form(user)
    if not form.is_submitted():
        return _page(form)
    if not form.validate() or not tokens.scopes_for(user):
        return _page(form, 400)
    try:
        _token, secret = tokens.create(
            db.session,
            user,
            form.name.data or "",
            list(form.scopes.data or []),
            tokens.LIFETIMES[form.lifetime.data or "90"],
        )
    except tokens.TokenError as exc:
        form.name.errors = [*form.name.errors, str(exc)]
        return _page(form, 400)
    # The secret is shown on this answer only (the page is never cached: no-store).
    return _page(_form(user), 200, secret)


def api_token_revoke(token_id: int) -> ResponseReturnValue:
    user = _me()
    _revoke(token_id, user.id)
    flash(_("The token was revoked. Programs using it can no longer sign in with it."), "success")
    return redirect(url_for("api_tokens.api_tokens"))


def admin_api_tokens() -> ResponseReturnValue:
    return render_template(
        "api/admin_tokens.html", rows=tokens.active_tokens(db.session), now=utcnow()
    )


def admin_revoke(token_id: int) -> ResponseReturnValue:
    _revoke(token_id, None)
    flash(_("The token was revoked."), "success")
    return redirect(url_for("api_tokens.admin_api_tokens"))


def _revoke(token_id: int, owner_id: int | None) -> None:
    """Revoke a token of ``owner_id`` (any owner's for ``None``); another person's token is
    a missing one (404)."""
    token = tokens.token_of(db.session, token_id, owner_id)
    if token is None:
        abort(404)
    owner = db.session.get(User, token.user_id)
    assert owner is not None  # the foreign key holds
    tokens.revoke(db.session, token, owner, _me())


GET_POST = ["GET", "POST"]
POST = ["POST"]
URLS: UrlTable = [
    ("/account/api-tokens", api_tokens, GET_POST, Policy.LOGIN),
    ("/account/api-tokens/<int:token_id>/revoke", api_token_revoke, POST, Policy.LOGIN),
    ("/admin/api-tokens", admin_api_tokens, ["GET"], Policy.ADMIN),
    ("/admin/api-tokens/<int:token_id>/revoke", admin_revoke, POST, Policy.ADMIN),
]
register_urls(bp, URLS)
