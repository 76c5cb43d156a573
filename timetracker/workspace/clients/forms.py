"""Forms of the client pages: the client itself (with its portal branding) and the list filter."""

from __future__ import annotations

from babel.numbers import list_currencies
from flask_babel import gettext as _
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
from wtforms.validators import AnyOf, DataRequired, Length, Optional, ValidationError

from timetracker import i18n
from timetracker.billing.publication import MAX_PUBLISH_AFTER_DAYS
from timetracker.documents.vat import VatId
from timetracker.emails import EmailAddress
from timetracker.i18n import _l
from timetracker.logos.fields import HELP as LOGO_HELP
from timetracker.logos.fields import LogoField
from timetracker.parsing import parse_colour
from timetracker.portal.branding import contrast_warning
from timetracker.workspace.fields import MAX_MONEY, DecimalTextField, WholeNumberField

CURRENCY_CODES = frozenset(list_currencies())
#: The document language's choice of "the firm's language" (stored as ``None``).
FIRM_LANGUAGE = ""


def document_language_choices() -> list[tuple[str, str]]:
    """The firm's language first, then the languages the product speaks, in their own names."""
    return [(FIRM_LANGUAGE, _("Firm's language")), *i18n.LANGUAGES.items()]


class ClientForm(FlaskForm):
    name = StringField(_l("Name"), [DataRequired(_l("Enter the client's name.")), Length(max=200)])
    contact_email = EmailField(_l("Contact email"), [Optional(), Length(max=254), EmailAddress()])
    address = TextAreaField(_l("Address"), [Optional(), Length(max=2000)])
    currency = StringField(
        _l("Currency"),
        [
            DataRequired(_l("Enter a currency code such as EUR.")),
            Length(3, 3, _l("Enter a three-letter currency code such as EUR.")),
        ],
    )
    default_hourly_rate = DecimalTextField(
        _l("Default hourly rate"),
        [DataRequired(_l("Enter the default hourly rate."))],
        maximum=MAX_MONEY,
    )
    vat_id = StringField(_l("VAT ID"), [VatId()])
    #: The language of the client's documents and of the emails to its address (``None``: the
    #: firm's language; ``i18n.document_language``).
    document_language = SelectField(
        _l("Document language"),
        [
            AnyOf(
                [FIRM_LANGUAGE, *i18n.LANGUAGES],
                message=_l("Choose one of the languages in the list."),
            )
        ],
        choices=document_language_choices,
        validate_choice=False,
        default=FIRM_LANGUAGE,
        # No value (``None`` on the client) is the firm's language, like an empty one.
        filters=[lambda value: value or FIRM_LANGUAGE],
    )
    # Portal branding (all optional).
    portal_display_name = StringField(_l("Portal display name"), [Optional(), Length(max=200)])
    portal_accent_color = StringField(_l("Accent colour"), [Optional(), Length(max=20)])
    portal_welcome_message = TextAreaField(_l("Welcome message"), [Optional(), Length(max=2000)])
    portal_logo = LogoField(_l("Portal logo"), description=LOGO_HELP)
    remove_portal_logo = BooleanField(_l("Remove the portal logo"))
    # What the client's contacts see in the portal (portal/scope/visibility.py); named as the
    # client's columns, so ``ClientForm(obj=client)`` fills them in.
    portal_shows_staff_names = BooleanField(
        _l("Names of the staff (who logged time, wrote updates and notes)"), default=True
    )
    portal_shows_entry_notes = BooleanField(_l("Notes of time entries"), default=True)
    portal_shows_amounts = BooleanField(
        _l(
            "Hourly rates and billable amounts of time and projects (invoices and quotes keep "
            "their totals)"
        ),
        default=True,
    )
    portal_shows_time_entries = BooleanField(
        _l("Time entries (the list and its CSV export; project hours stay)"), default=True
    )
    portal_shows_documents = BooleanField(_l("Shared documents"), default=True)
    #: Named as the client's column, like the flags above.
    invoice_time_appendix = BooleanField(
        _l("Invoice PDFs list the time entries they bill"), default=False
    )
    #: The publish gate (``billing/publication.py``).
    time_requires_approval = BooleanField(
        _l("Time waits for approval before the client's contacts see it"), default=False
    )
    publish_after_days = WholeNumberField(
        _l("Show unapproved time after this many days (empty: only once approved)"),
        [Optional()],
        minimum=1,
        maximum=MAX_PUBLISH_AFTER_DAYS,
        message=_l(
            "Enter a number of days from 1 to %(maximum)s, or leave it empty.",
            maximum=MAX_PUBLISH_AFTER_DAYS,
        ),
    )
    submit = SubmitField(_l("Save client"))

    #: Set by validation when the accent colour is hard to read on white (a warning: the
    #: colour is still saved; the portal darkens it for links).
    accent_warning: str | None = None

    def validate_currency(self, field: StringField) -> None:
        field.data = (field.data or "").strip().upper()
        if field.data not in CURRENCY_CODES:
            raise ValidationError(_("Enter an ISO 4217 currency code such as EUR, USD or GBP."))

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
        _l("Show"),
        choices=[("active", _l("Active")), ("inactive", _l("Deactivated")), ("all", _l("All"))],
        default="active",
    )
    q = StringField(_l("Name"), [Optional(), Length(max=200)])
