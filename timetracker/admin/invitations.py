"""Inviting client contacts: the invitation form and the list of pending invitations. Every rule
is for administrators (``URLS`` at the end of this module):

/admin/invitations                     GET        invitations        pending invitations, paginated
/admin/invitations/new                 GET, POST  invitation_new     name, email, client: a new
                                                                     contact and their email
/admin/invitations/<user_id>/resend    POST       invitation_resend  a new link; the old one dies
/admin/invitations/<user_id>/revoke    POST       invitation_revoke  the link dies; a person who
                                                                     never set a password loses
                                                                     access and is deactivated

Resend and revoke name the person, and the invitation in a form field (``invitation``), so that
a second submission of the same button finds that invitation closed and does nothing.

When mail is off on this server, the link is shown once, on the page that answers the form, for
the administrator to pass on; it is not kept anywhere (the database holds only its hash).
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from timetracker import db
from timetracker.admin.users import active_clients
from timetracker.auth import invitations_service
from timetracker.auth.access import Policy, UrlTable, register_urls
from timetracker.auth.invitations_service import (
    Invitation,
    InvitationClosed,
    InvitationError,
    NoSuchInvitation,
)
from timetracker.auth.recovery_links import email_link
from timetracker.emails import MAX_EMAIL_LENGTH, EmailAddress
from timetracker.errors import render_error
from timetracker.i18n import N_, _l
from timetracker.models import User
from timetracker.models._common import utcnow
from timetracker.notifications.accounts import AccountEmail, readable_expiry, send_account_email
from timetracker.notifications.limits import emails_typed_addresses, limit_blueprint
from timetracker.parsing import parse_id
from timetracker.portal.params import ParamError, page_request

bp = Blueprint("invitations", __name__, url_prefix="/admin")
limit_blueprint(bp)  # invitations email the address typed


@bp.errorhandler(ParamError)
def _bad_parameter(error: ParamError) -> ResponseReturnValue:
    return render_error(400, str(error))


class InviteForm(FlaskForm):
    name = StringField(
        _l("Name"), validators=[DataRequired(_l("Enter the person's name.")), Length(max=200)]
    )
    email = EmailField(
        _l("Email"),
        validators=[
            DataRequired(_l("Enter the person's email address.")),
            Length(max=MAX_EMAIL_LENGTH),
            EmailAddress(),
        ],
    )
    client_id = SelectField(_l("Client"), coerce=str, validate_choice=False)
    submit = SubmitField(_l("Send invitation"))


class InvitationActionForm(FlaskForm):
    """Resend or revoke: the CSRF token and the id of the invitation the button was for."""

    invitation = HiddenField()


NO_INVITATION_FIELD = N_(
    "The form names no invitation; reload the list of invitations and try again."
)
CLOSED = N_(
    "%(name)s's invitation was accepted, resent or revoked in the meantime; nothing was changed."
)


def _admin() -> User:
    user: User = current_user._get_current_object()
    return user


def invitations() -> ResponseReturnValue:
    page = invitations_service.pending_page(
        db.session, page_request(request.args, current_app.config["PAGE_SIZE"])
    )
    return render_template("admin/invitations/list.html", page=page, now=utcnow())


def _invite_page(form: InviteForm, status: int = 200) -> ResponseReturnValue:
    return render_template("admin/invitations/new.html", form=form), status


@emails_typed_addresses
def invitation_new() -> ResponseReturnValue:
    form = InviteForm()
    form.client_id.choices = [("", _("— Select a client —"))] + [
        (str(c.id), c.name) for c in active_clients(db.session)
    ]
    if request.method == "GET":
        return _invite_page(form)
    if not form.validate_on_submit():
        return _invite_page(form, 400)
    try:
        invitation = invitations_service.invite(
            db.session,
            _admin(),
            name=form.name.data or "",
            email=form.email.data or "",
            client_id=form.client_id.data or None,
        )
    except InvitationError as error:
        form[error.field].errors = [str(error)]
        return _invite_page(form, 400)
    return _deliver(invitation, N_("Invitation sent to %(name)s (%(email)s)."))


def _deliver(invitation: Invitation, sent: str) -> ResponseReturnValue:
    """Email the invitation; when mail is off, show its link to the administrator instead.
    ``sent`` is the message (a msgid with ``%(name)s`` and ``%(email)s``)."""
    person = invitation.user
    emailed = send_account_email(
        AccountEmail.INVITATION,
        person,
        link=email_link("recovery.invitation", invitation.token),
        expires_at=invitation.expires_at.isoformat(),  # worded in the person's language
    )
    if emailed:
        flash(_(sent, name=person.name, email=person.email), "success")
        return redirect(url_for("invitations.invitations"))
    # Built on this request's own address: the administrator copies it from their browser.
    link = url_for("recovery.invitation", token=invitation.token, _external=True)
    return render_template(
        "admin/invitations/link.html",
        invitation=invitation,
        link=link,
        expires=readable_expiry(invitation.expires_at),
    )


def _action_token_id() -> int:
    form = InvitationActionForm()
    if not form.validate_on_submit():
        abort(400, _("The form has expired or is incomplete. Reload the page and try again."))
    token_id = parse_id(form.invitation.data)
    if token_id is None:
        abort(400, _(NO_INVITATION_FIELD))
    return token_id


@emails_typed_addresses
def invitation_resend(user_id: int) -> ResponseReturnValue:
    token_id = _action_token_id()
    try:
        invitation = invitations_service.resend(
            db.session, _admin(), user_id=user_id, token_id=token_id
        )
    except NoSuchInvitation:
        abort(404)
    except InvitationClosed as closed:
        return _closed(closed.user)
    except InvitationError as error:
        flash(str(error), "warning")
        return redirect(url_for("invitations.invitations"))
    return _deliver(invitation, N_("A new invitation was sent to %(name)s (%(email)s)."))


def invitation_revoke(user_id: int) -> ResponseReturnValue:
    token_id = _action_token_id()
    try:
        revoked = invitations_service.revoke(
            db.session, _admin(), user_id=user_id, token_id=token_id
        )
    except NoSuchInvitation:
        abort(404)
    except InvitationClosed as closed:
        return _closed(closed.user)
    name = revoked.user.name
    if revoked.account_closed:
        flash(
            _(
                "%(name)s's invitation was revoked: the link no longer works, and the account "
                "has no portal access and is deactivated.",
                name=name,
            ),
            "success",
        )
    else:
        flash(
            _(
                "%(name)s's invitation was revoked: the link no longer works. %(name)s has set a "
                "password and keeps their account.",
                name=name,
            ),
            "success",
        )
    return redirect(url_for("invitations.invitations"))


def _closed(person: User) -> ResponseReturnValue:
    flash(_(CLOSED, name=person.name), "info")
    return redirect(url_for("invitations.invitations"))


GET, POST, FORM = ["GET"], ["POST"], ["GET", "POST"]
ADMIN = Policy.ADMIN

URLS: UrlTable = [
    ("/invitations", invitations, GET, ADMIN),
    ("/invitations/new", invitation_new, FORM, ADMIN),
    ("/invitations/<int:user_id>/resend", invitation_resend, POST, ADMIN),
    ("/invitations/<int:user_id>/revoke", invitation_revoke, POST, ADMIN),
]

register_urls(bp, URLS)
