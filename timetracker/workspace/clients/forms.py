"""Forms of the client pages: the client itself (with its portal branding) and the list filter."""

from __future__ import annotations

from babel.numbers import list_currencies
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    Form,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from timetracker.billing.publication import MAX_PUBLISH_AFTER_DAYS
from timetracker.documents.vat import VatId
from timetracker.emails import EmailAddress
from timetracker.logos.fields import HELP as LOGO_HELP
from timetracker.logos.fields import LogoField
from timetracker.parsing import parse_colour
from timetracker.portal.branding import contrast_warning
from timetracker.workspace.fields import MAX_MONEY, DecimalTextField, WholeNumberField

CURRENCY_CODES = frozenset(list_currencies())


class ClientForm(FlaskForm):
    name = StringField("Name", [DataRequired("Enter the client's name."), Length(max=200)])
    contact_email = EmailField("Contact email", [Optional(), Length(max=254), EmailAddress()])
    address = TextAreaField("Address", [Optional(), Length(max=2000)])
    currency = StringField(
        "Currency",
        [
            DataRequired("Enter a currency code such as EUR."),
            Length(3, 3, "Enter a three-letter currency code such as EUR."),
        ],
    )
    default_hourly_rate = DecimalTextField(
        "Default hourly rate", [DataRequired("Enter the default hourly rate.")], maximum=MAX_MONEY
    )
    vat_id = StringField("VAT ID", [VatId()])
    # Portal branding (all optional).
    portal_display_name = StringField("Portal display name", [Optional(), Length(max=200)])
    portal_accent_color = StringField("Accent colour", [Optional(), Length(max=20)])
    portal_welcome_message = TextAreaField("Welcome message", [Optional(), Length(max=2000)])
    portal_logo = LogoField("Portal logo", description=LOGO_HELP)
    remove_portal_logo = BooleanField("Remove the portal logo")
    # What the client's contacts see in the portal (portal/scope/visibility.py); named as the
    # client's columns, so ``ClientForm(obj=client)`` fills them in.
    portal_shows_staff_names = BooleanField(
        "Names of the staff (who logged time, wrote updates and notes)", default=True
    )
    portal_shows_entry_notes = BooleanField("Notes of time entries", default=True)
    portal_shows_amounts = BooleanField(
        "Hourly rates and billable amounts of time and projects (invoices and quotes keep "
        "their totals)",
        default=True,
    )
    portal_shows_time_entries = BooleanField(
        "Time entries (the list and its CSV export; project hours stay)", default=True
    )
    portal_shows_documents = BooleanField("Shared documents", default=True)
    #: Named as the client's column, like the flags above.
    invoice_time_appendix = BooleanField(
        "Invoice PDFs list the time entries they bill", default=False
    )
    #: The publish gate (``billing/publication.py``).
    time_requires_approval = BooleanField(
        "Time waits for approval before the client's contacts see it", default=False
    )
    publish_after_days = WholeNumberField(
        "Show unapproved time after this many days (empty: only once approved)",
        [Optional()],
        minimum=1,
        maximum=MAX_PUBLISH_AFTER_DAYS,
        message=f"Enter a number of days from 1 to {MAX_PUBLISH_AFTER_DAYS}, or leave it empty.",
    )
    submit = SubmitField("Save client")

    #: Set by validation when the accent colour is hard to read on white (a warning: the
    #: colour is still saved; the portal darkens it for links).
    accent_warning: str | None = None

    def validate_currency(self, field: StringField) -> None:
        field.data = (field.data or "").strip().upper()
        if field.data not in CURRENCY_CODES:
            raise ValidationError("Enter an ISO 4217 currency code such as EUR, USD or GBP.")

    def validate_portal_accent_color(self, field: StringField) -> None:
        text = (field.data or "").strip()
        if not text:
            field.data = None
            return
        try:
            field.data = parse_colour(text)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None
        self.accent_warning = contrast_warning(field.data)


class ClientFilterForm(Form):
    status = SelectField(
        "Show",
        choices=[("active", "Active"), ("inactive", "Deactivated"), ("all", "All")],
        default="active",
    )
    q = StringField("Name", [Optional(), Length(max=200)])
