from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length

from timetracker import i18n
from timetracker.i18n import _l


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1024)])
    remember = BooleanField(_l("Keep me signed in"))
    submit = SubmitField(_l("Log in"))


class LogoutForm(FlaskForm):
    submit = SubmitField(_l("Log out"))


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"), validators=[DataRequired(), Length(max=1024)]
    )
    new_password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=1024)])
    confirm = PasswordField(
        _l("Repeat new password"),
        validators=[DataRequired(), EqualTo("new_password", _l("The two new passwords differ."))],
    )
    submit = SubmitField(_l("Change password"))


#: The value of "Browser's language" in the language select (stored as ``None``).
BROWSER_LANGUAGE = ""


class LanguageForm(FlaskForm):
    """The language a person reads the app and their emails in (``User.language``)."""

    language = SelectField(
        _l("Language"),
        choices=[(BROWSER_LANGUAGE, _l("Browser's language")), *i18n.LANGUAGES.items()],
        default=BROWSER_LANGUAGE,
    )
    submit = SubmitField(_l("Save language"))


class NotificationPreferencesForm(FlaskForm):
    invoice_emails_enabled = BooleanField(_l("Email me when a new invoice is issued"))
    submit = SubmitField(_l("Save preferences"))


class EnrolForm(FlaskForm):
    code = StringField(_l("Code from your app"), validators=[DataRequired(), Length(max=20)])
    submit = SubmitField(_l("Turn on two-factor sign-in"))


class TurnOffTwoFactorForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"), validators=[DataRequired(), Length(max=1024)]
    )
    code = StringField(
        _l("Code from your app, or a recovery code"), validators=[DataRequired(), Length(max=40)]
    )
    submit = SubmitField(_l("Turn off two-factor sign-in"))


class NewRecoveryCodesForm(FlaskForm):
    code = StringField(
        _l("Code from your app, or a recovery code"), validators=[DataRequired(), Length(max=40)]
    )
    submit = SubmitField(_l("Make new recovery codes"))


class SecondStepForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=40)])
    submit = SubmitField(_l("Continue"))
