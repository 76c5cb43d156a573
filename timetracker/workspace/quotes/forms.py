"""Forms of the quote pages: a new draft, its header, its lines (the invoice line form: the same
fields and limits) and the list filter."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import Form, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from timetracker.billing.quotes import MAX_TITLE, STAFF_FILTERS, QuoteFilter
from timetracker.i18n import _l
from timetracker.workspace.fields import PercentField, SupportedDateField
from timetracker.workspace.invoices.forms import InvoiceItemForm
from timetracker.workspace.record_select import RecordSelectField

#: A quote's lines: description, quantity and unit price, as on an invoice.
QuoteItemForm = InvoiceItemForm

MAX_NOTES = 5000
MAX_TERMS = 10000


class QuoteEditForm(FlaskForm):
    """The header of a draft: everything but its client (a quote stays with its client)."""

    project = RecordSelectField(_l("Project (optional)"), [Optional()], noun="project")
    title = StringField(
        _l("Title"), [DataRequired(_l("Give the quote a title.")), Length(max=MAX_TITLE)]
    )
    issue_date = SupportedDateField(_l("Issue date"), [InputRequired(_l("Enter the issue date."))])
    valid_until = SupportedDateField(
        _l("Valid until"),
        [InputRequired(_l("Enter the last day on which the client can accept."))],
    )
    tax_rate = PercentField(
        _l("Tax rate (%)"), [DataRequired(_l("Enter the tax rate (0 for none)."))]
    )
    notes = TextAreaField(_l("Notes for the client"), [Optional(), Length(max=MAX_NOTES)])
    terms = TextAreaField(_l("Terms the client accepts"), [Optional(), Length(max=MAX_TERMS)])
    submit = SubmitField(_l("Save quote"))

    def validate_valid_until(self, field: SupportedDateField) -> None:
        if field.data and self.issue_date.data and field.data < self.issue_date.data:
            raise ValidationError(_("The quote cannot be valid until a day before its issue date."))


class QuoteCreateForm(QuoteEditForm):
    client = RecordSelectField(_l("Client"), [DataRequired(_l("Choose a client."))], noun="client")
    submit = SubmitField(_l("Create draft quote"))


def _status_choices() -> list[tuple[str, str]]:
    """The list's filters, named in the language of the request (the form is made per request)."""
    return [(f.value, f.label) for f in STAFF_FILTERS]


class QuoteFilterForm(Form):
    status = SelectField(_l("Status"), choices=_status_choices, default=QuoteFilter.ALL)
    client = RecordSelectField(_l("Client"), [Optional()], noun="client")
