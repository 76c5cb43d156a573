"""Forms of the link pages: asking for a reset or a new invitation link, and choosing a
password with a link."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length

from timetracker.emails import MAX_EMAIL_LENGTH, EmailAddress


def _email_field() -> EmailField:
    return EmailField(
        "Email",
        validators=[
            DataRequired("Enter your email address."),
            Length(max=MAX_EMAIL_LENGTH),
            EmailAddress(),
        ],
    )


class ForgotPasswordForm(FlaskForm):
    email = _email_field()
    submit = SubmitField("Send me a link")


class RenewInvitationForm(FlaskForm):
    email = _email_field()
    submit = SubmitField("Send me a new link")


class NewPasswordForm(FlaskForm):
    new_password = PasswordField(
        "New password", validators=[DataRequired("Enter a new password."), Length(max=1024)]
    )
    confirm = PasswordField(
        "Repeat new password",
        validators=[
            DataRequired("Repeat the new password."),
            EqualTo("new_password", "The two passwords differ."),
        ],
    )
    submit = SubmitField("Set password")
