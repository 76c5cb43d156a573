from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)])
    remember = BooleanField("Keep me signed in")
    submit = SubmitField("Log in")


class LogoutForm(FlaskForm):
    submit = SubmitField("Log out")


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        "Current password", validators=[DataRequired(), Length(max=1024)]
    )
    new_password = PasswordField("New password", validators=[DataRequired(), Length(max=1024)])
    confirm = PasswordField(
        "Repeat new password",
        validators=[DataRequired(), EqualTo("new_password", "The two new passwords differ.")],
    )
    submit = SubmitField("Change password")


class NotificationPreferencesForm(FlaskForm):
    invoice_emails_enabled = BooleanField("Email me when a new invoice is issued")
    submit = SubmitField("Save preferences")


class EnrolForm(FlaskForm):
    code = StringField("Code from your app", validators=[DataRequired(), Length(max=20)])
    submit = SubmitField("Turn on two-factor sign-in")


class TurnOffTwoFactorForm(FlaskForm):
    current_password = PasswordField(
        "Current password", validators=[DataRequired(), Length(max=1024)]
    )
    code = StringField(
        "Code from your app, or a recovery code", validators=[DataRequired(), Length(max=40)]
    )
    submit = SubmitField("Turn off two-factor sign-in")


class NewRecoveryCodesForm(FlaskForm):
    code = StringField(
        "Code from your app, or a recovery code", validators=[DataRequired(), Length(max=40)]
    )
    submit = SubmitField("Make new recovery codes")


class SecondStepForm(FlaskForm):
    code = StringField("Code", validators=[DataRequired(), Length(max=40)])
    submit = SubmitField("Continue")
