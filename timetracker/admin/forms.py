from __future__ import annotations

from typing import Any
from zoneinfo import available_timezones

from babel.core import Locale, UnknownLocaleError
from babel.numbers import list_currencies
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    Optional,
    Regexp,
    ValidationError,
)

from timetracker.documents.vat import VatId
from timetracker.emails import EmailAddress
from timetracker.logos.fields import HELP as LOGO_HELP
from timetracker.logos.fields import LogoField
from timetracker.parsing import MAX_PAYMENT_TERMS_DAYS
from timetracker.payments import accounts, epc
from timetracker.workspace.fields import WholeNumberField

#: The roles the select offers: only staff and administrators have one to choose. A client
#: contact is made by "Enable Client Portal"; staff access for an account without access is a
#: separate, confirmed action (MakeStaffForm).
ROLE_CHOICES = [("staff", "Staff"), ("admin", "Administrator")]


class UserForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    email = EmailField("Email", validators=[DataRequired(), Length(max=254), EmailAddress()])
    role = SelectField("Role", choices=ROLE_CHOICES, default="staff")
    is_active = BooleanField("Active", default=True)
    password = PasswordField(
        "Password",
        validators=[Optional(), Length(max=1024)],
        description="Leave empty to keep the current password.",
    )
    client_portal_enabled = BooleanField("Enable Client Portal")
    client_id = SelectField("Client", coerce=str, validate_choice=False)
    submit = SubmitField("Save")


class MakeStaffForm(FlaskForm):
    confirm = BooleanField(
        "I confirm: this person works for the firm and may see every client's data.",
        validators=[DataRequired("Tick the box to confirm.")],
    )
    submit = SubmitField("Make staff")


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def _one_line(field: StringField) -> None:
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in field.data or ""):
        raise ValidationError("Write this on one line.")


#: Ten years: longer is "for ever" (0).
MAX_AUDIT_RETENTION_DAYS = 3650
#: Shared documents: the largest file one may upload (what one request may carry), and the
#: largest quota per client (10 TB; 0 is no limit), in megabytes.
MAX_DOCUMENT_MB = 1024
MAX_DOCUMENT_QUOTA_MB = 10 * 1024 * 1024


class SettingsForm(FlaskForm):
    company_name = StringField("Company name", validators=[DataRequired(), Length(max=200)])
    company_address = TextAreaField("Company address", validators=[Optional(), Length(max=2000)])
    company_email = EmailField(
        "Billing email",
        validators=[Optional(), Length(max=254), EmailAddress()],
    )
    currency = StringField(
        "Default currency",
        validators=[DataRequired(), Regexp(r"^[A-Z]{3}$", message="Use a 3-letter ISO code.")],
    )
    timezone = StringField("Timezone", validators=[DataRequired(), Length(max=64)])
    locale = StringField("Number and date format (locale)", validators=[DataRequired()])
    invoice_prefix = StringField(
        "Invoice number prefix",
        validators=[
            Optional(),
            Length(max=20),
            Regexp(r"^[A-Za-z0-9/_\-]*$", message="Use letters, digits, - _ or /."),
        ],
    )
    payment_terms_days = WholeNumberField(
        "Payment terms (days)",
        validators=[InputRequired("Enter the payment terms in days.")],
        maximum=MAX_PAYMENT_TERMS_DAYS,
        message="Payment terms are 0 to 365 days.",
    )
    invoice_rounding_minutes = SelectField(
        "Round invoiced hours up to",
        choices=[
            ("0", "No rounding"),
            ("6", "6 minutes"),
            ("15", "15 minutes"),
            ("30", "30 minutes"),
            ("60", "1 hour"),
        ],
        default="0",
    )
    require_two_factor = SelectField(
        "Require two-factor sign-in for",
        choices=[
            ("none", "Nobody (everyone may turn it on)"),
            ("staff", "Staff and administrators"),
            ("clients", "Client contacts"),
            ("all", "Everyone"),
        ],
        default="none",
    )
    audit_retention_days = WholeNumberField(
        "Keep audit events for (days)",
        validators=[InputRequired("Enter how many days to keep audit events (0: for ever).")],
        maximum=MAX_AUDIT_RETENTION_DAYS,
        message=f"Enter 0 (for ever) to {MAX_AUDIT_RETENTION_DAYS} days.",
    )
    document_max_mb = WholeNumberField(
        "Largest document (MB)",
        validators=[Optional()],
        minimum=1,
        maximum=MAX_DOCUMENT_MB,
        message=f"Enter 1 to {MAX_DOCUMENT_MB} MB.",
    )
    document_quota_mb = WholeNumberField(
        "Document storage per client (MB)",
        validators=[Optional()],
        maximum=MAX_DOCUMENT_QUOTA_MB,
        message=f"Enter 0 (no limit) to {MAX_DOCUMENT_QUOTA_MB} MB.",
    )
    clients_may_upload = BooleanField("Client contacts may upload documents to their projects")
    budget_alerts_to_clients = BooleanField("Email budget alerts to the client's contacts")
    vat_id = StringField("VAT ID", validators=[VatId()])
    registration_details = TextAreaField(
        "Registration details",
        validators=[Optional(), Length(max=500, message="At most 500 characters.")],
        filters=[_strip],
    )
    logo = LogoField("Logo", description=LOGO_HELP)
    remove_logo = BooleanField("Remove the logo")
    bank_account_holder = StringField(
        "Account holder",
        validators=[
            Optional(),
            Length(max=epc.MAX_NAME, message="At most 70 characters (what a bank transfer holds)."),
        ],
        filters=[_strip],
    )
    bank_name = StringField("Bank name", validators=[Optional(), Length(max=200)], filters=[_strip])
    bank_iban = StringField("IBAN", validators=[Optional()], filters=[_strip])
    bank_bic = StringField("BIC", validators=[Optional()], filters=[_strip])
    submit = SubmitField("Save settings")

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        # Here, not in the holder's own validator: ``Optional`` skips that one when it is empty.
        if self.bank_iban.data and not self.bank_account_holder.data:
            self.bank_account_holder.errors = [
                *self.bank_account_holder.errors,
                "Enter the name the account is held in: it is shown with the IBAN.",
            ]
            valid = False
        return valid

    def validate_bank_account_holder(self, field: StringField) -> None:
        _one_line(field)

    def validate_bank_name(self, field: StringField) -> None:
        _one_line(field)

    def validate_bank_iban(self, field: StringField) -> None:
        """Stored compact and in capitals (the view saves ``data`` as validated)."""
        if not field.data:
            return
        try:
            field.data = accounts.parse_iban(field.data)
        except accounts.AccountNumberError as error:
            raise ValidationError(str(error)) from None

    def validate_bank_bic(self, field: StringField) -> None:
        if not field.data:
            return
        try:
            field.data = accounts.parse_bic(field.data)
        except accounts.AccountNumberError as error:
            raise ValidationError(str(error)) from None
        if not self.bank_iban.data:
            raise ValidationError("Enter the IBAN this BIC belongs to, or leave the BIC empty.")
        if not self.bank_iban.errors:  # validated before the BIC: compact, or refused
            try:
                accounts.check_bic_for_iban(field.data, self.bank_iban.data)
            except accounts.AccountNumberError as error:
                raise ValidationError(str(error)) from None

    def validate_currency(self, field: StringField) -> None:
        if field.data not in list_currencies():
            raise ValidationError("Unknown currency code.")

    def validate_timezone(self, field: StringField) -> None:
        if field.data not in available_timezones():
            raise ValidationError("Unknown timezone; use a name like Europe/Berlin or UTC.")

    def validate_locale(self, field: StringField) -> None:
        try:
            Locale.parse(field.data)
        except (UnknownLocaleError, ValueError, TypeError):
            raise ValidationError("Unknown locale; use a code like en_US or de_DE.") from None
