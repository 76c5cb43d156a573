"""Forms of the link pages: asking for a reset or a new invitation link, and choosing a
password with a link."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length

from timetracker.emails import MAX_EMAIL_LENGTH, EmailAddress
from timetracker.i18n import _l


def _email_field() -> EmailField:
    return EmailField(
        _l("Email"),
        validators=[
            DataRequired(_l("Enter your email address.")),
            Length(max=MAX_EMAIL_LENGTH),
            EmailAddress(),
        ],
    )


class ForgotPasswordForm(FlaskForm):
    email = _email_field()
    submit = SubmitField(_l("Send me a link"))


class RenewInvitationForm(FlaskForm):
    email = _email_field()
    submit = SubmitField(_l("Send me a new link"))


class NewPasswordForm(FlaskForm):
    new_password = PasswordField(
        _l("New password"), validators=[DataRequired(_l("Enter a new password.")), Length(max=1024)]
    )
    confirm = PasswordField(
        _l("Repeat new password"),
        validators=[
            DataRequired(_l("Repeat the new password.")),
            EqualTo("new_password", _l("The two passwords differ.")),
        ],
    )
    submit = SubmitField(_l("Set password"))
