from __future__ import annotations

from typing import Any
from zoneinfo import available_timezones

from babel.core import Locale, UnknownLocaleError
from babel.numbers import list_currencies
from flask_babel import gettext as _
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
from timetracker.i18n import _l
from timetracker.logos.fields import HELP as LOGO_HELP
from timetracker.logos.fields import LogoField
from timetracker.parsing import MAX_PAYMENT_TERMS_DAYS
from timetracker.payments import accounts, epc
from timetracker.workspace.fields import WholeNumberField

#: The roles the select offers: only staff and administrators have one to choose. A client
#: contact is made by "Enable Client Portal"; staff access for an account without access is a
#: separate, confirmed action (MakeStaffForm).
ROLE_CHOICES = [("staff", _l("Staff")), ("admin", _l("Administrator"))]


class UserForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254), EmailAddress()])
    role = SelectField(_l("Role"), choices=ROLE_CHOICES, default="staff")
    is_active = BooleanField(_l("Active"), default=True)
    password = PasswordField(
        _l("Password"),
        validators=[Optional(), Length(max=1024)],
        description=_l("Leave empty to keep the current password."),
    )
    client_portal_enabled = BooleanField(_l("Enable Client Portal"))
    client_id = SelectField(_l("Client"), coerce=str, validate_choice=False)
    submit = SubmitField(_l("Save"))


class MakeStaffForm(FlaskForm):
    confirm = BooleanField(
        _l("I confirm: this person works for the firm and may see every client's data."),
        validators=[DataRequired(_l("Tick the box to confirm."))],
    )
    submit = SubmitField(_l("Make staff"))


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def _one_line(field: StringField) -> None:
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in field.data or ""):
        raise ValidationError(_("Write this on one line."))


#: Ten years: longer is "for ever" (0).
MAX_AUDIT_RETENTION_DAYS = 3650
#: Shared documents: the largest file one may upload (what one request may carry), and the
#: largest quota per client (10 TB; 0 is no limit), in megabytes.
MAX_DOCUMENT_MB = 1024
MAX_DOCUMENT_QUOTA_MB = 10 * 1024 * 1024


class SettingsForm(FlaskForm):
    company_name = StringField(_l("Company name"), validators=[DataRequired(), Length(max=200)])
    company_address = TextAreaField(
        _l("Company address"), validators=[Optional(), Length(max=2000)]
    )
    company_email = EmailField(
        _l("Billing email"),
        validators=[Optional(), Length(max=254), EmailAddress()],
    )
    currency = StringField(
        _l("Default currency"),
        validators=[DataRequired(), Regexp(r"^[A-Z]{3}$", message=_l("Use a 3-letter ISO code."))],
    )
    timezone = StringField(_l("Timezone"), validators=[DataRequired(), Length(max=64)])
    locale = StringField(_l("Number and date format (locale)"), validators=[DataRequired()])
    invoice_prefix = StringField(
        _l("Invoice number prefix"),
        validators=[
            Optional(),
            Length(max=20),
            Regexp(r"^[A-Za-z0-9/_\-]*$", message=_l("Use letters, digits, - _ or /.")),
        ],
    )
    payment_terms_days = WholeNumberField(
        _l("Payment terms (days)"),
        validators=[InputRequired(_l("Enter the payment terms in days."))],
        maximum=MAX_PAYMENT_TERMS_DAYS,
        message=_l("Payment terms are 0 to 365 days."),
    )
    invoice_rounding_minutes = SelectField(
        _l("Round invoiced hours up to"),
        choices=[
            ("0", _l("No rounding")),
            ("6", _l("6 minutes")),
            ("15", _l("15 minutes")),
            ("30", _l("30 minutes")),
            ("60", _l("1 hour")),
        ],
        default="0",
    )
    require_two_factor = SelectField(
        _l("Require two-factor sign-in for"),
        choices=[
            ("none", _l("Nobody (everyone may turn it on)")),
            ("staff", _l("Staff and administrators")),
            ("clients", _l("Client contacts")),
            ("all", _l("Everyone")),
        ],
        default="none",
    )
    audit_retention_days = WholeNumberField(
        _l("Keep audit events for (days)"),
        validators=[InputRequired(_l("Enter how many days to keep audit events (0: for ever)."))],
        maximum=MAX_AUDIT_RETENTION_DAYS,
        message=_l("Enter 0 (for ever) to %(max)d days.", max=MAX_AUDIT_RETENTION_DAYS),
    )
    document_max_mb = WholeNumberField(
        _l("Largest document (MB)"),
        validators=[Optional()],
        minimum=1,
        maximum=MAX_DOCUMENT_MB,
        message=_l("Enter 1 to %(max)d MB.", max=MAX_DOCUMENT_MB),
    )
    document_quota_mb = WholeNumberField(
        _l("Document storage per client (MB)"),
        validators=[Optional()],
        maximum=MAX_DOCUMENT_QUOTA_MB,
        message=_l("Enter 0 (no limit) to %(max)d MB.", max=MAX_DOCUMENT_QUOTA_MB),
    )
    clients_may_upload = BooleanField(_l("Client contacts may upload documents to their projects"))
    budget_alerts_to_clients = BooleanField(_l("Email budget alerts to the client's contacts"))
    vat_id = StringField(_l("VAT ID"), validators=[VatId()])
    registration_details = TextAreaField(
        _l("Registration details"),
        validators=[Optional(), Length(max=500, message=_l("At most 500 characters."))],
        filters=[_strip],
    )
    logo = LogoField(_l("Logo"), description=LOGO_HELP)
    remove_logo = BooleanField(_l("Remove the logo"))
    bank_account_holder = StringField(
        _l("Account holder"),
        validators=[
            Optional(),
            Length(
                max=epc.MAX_NAME, message=_l("At most 70 characters (what a bank transfer holds).")
            ),
        ],
        filters=[_strip],
    )
    bank_name = StringField(
        _l("Bank name"), validators=[Optional(), Length(max=200)], filters=[_strip]
    )
    bank_iban = StringField(_l("IBAN"), validators=[Optional()], filters=[_strip])
    bank_bic = StringField(_l("BIC"), validators=[Optional()], filters=[_strip])
    submit = SubmitField(_l("Save settings"))

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        # Here, not in the holder's own validator: ``Optional`` skips that one when it is empty.
        if self.bank_iban.data and not self.bank_account_holder.data:
            self.bank_account_holder.errors = [
                *self.bank_account_holder.errors,
                _("Enter the name the account is held in: it is shown with the IBAN."),
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
            raise ValidationError(_("Enter the IBAN this BIC belongs to, or leave the BIC empty."))
        if not self.bank_iban.errors:  # validated before the BIC: compact, or refused
            try:
                accounts.check_bic_for_iban(field.data, self.bank_iban.data)
            except accounts.AccountNumberError as error:
                raise ValidationError(str(error)) from None

    def validate_currency(self, field: StringField) -> None:
        if field.data not in list_currencies():
            raise ValidationError(_("Unknown currency code."))

    def validate_timezone(self, field: StringField) -> None:
        if field.data not in available_timezones():
            raise ValidationError(_("Unknown timezone; use a name like Europe/Berlin or UTC."))

    def validate_locale(self, field: StringField) -> None:
        try:
            Locale.parse(field.data)
        except (UnknownLocaleError, ValueError, TypeError):
            raise ValidationError(_("Unknown locale; use a code like en_US or de_DE.")) from None
