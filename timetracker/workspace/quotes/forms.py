"""Forms of the quote pages: a new draft, its header, its lines (the invoice line form: the same
fields and limits) and the list filter."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import Form, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from timetracker.billing.quotes import MAX_TITLE, STAFF_FILTERS, QuoteFilter
from timetracker.workspace.fields import PercentField, RecordSelectField, SupportedDateField
from timetracker.workspace.invoices.forms import InvoiceItemForm

#: A quote's lines: description, quantity and unit price, as on an invoice.
QuoteItemForm = InvoiceItemForm

MAX_NOTES = 5000
MAX_TERMS = 10000


class QuoteEditForm(FlaskForm):
    """The header of a draft: everything but its client (a quote stays with its client)."""

    project = RecordSelectField("Project (optional)", [Optional()], noun="project")
    title = StringField("Title", [DataRequired("Give the quote a title."), Length(max=MAX_TITLE)])
    issue_date = SupportedDateField("Issue date", [InputRequired("Enter the issue date.")])
    valid_until = SupportedDateField(
        "Valid until", [InputRequired("Enter the last day on which the client can accept.")]
    )
    tax_rate = PercentField("Tax rate (%)", [DataRequired("Enter the tax rate (0 for none).")])
    notes = TextAreaField("Notes for the client", [Optional(), Length(max=MAX_NOTES)])
    terms = TextAreaField("Terms the client accepts", [Optional(), Length(max=MAX_TERMS)])
    submit = SubmitField("Save quote")

    def validate_valid_until(self, field: SupportedDateField) -> None:
        if field.data and self.issue_date.data and field.data < self.issue_date.data:
            raise ValidationError("The quote cannot be valid until a day before its issue date.")


class QuoteCreateForm(QuoteEditForm):
    client = RecordSelectField("Client", [DataRequired("Choose a client.")], noun="client")
    submit = SubmitField("Create draft quote")


class QuoteFilterForm(Form):
    status = SelectField(
        "Status", choices=[(f.value, f.label) for f in STAFF_FILTERS], default=QuoteFilter.ALL
    )
    client = RecordSelectField("Client", [Optional()], noun="client")
