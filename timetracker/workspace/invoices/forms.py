"""Forms of the invoice pages: a new draft (from time or empty), its header, its lines, a
payment and the list filter."""

from __future__ import annotations

from decimal import Decimal

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    Form,
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
    ValidationError,
)

from timetracker.billing.from_time import GROUPINGS
from timetracker.billing.states import STAFF_FILTERS, InvoiceFilter
from timetracker.parsing import MAX_PAYMENT_TERMS_DAYS
from timetracker.workspace.fields import (
    MAX_HOURS,
    MAX_MONEY,
    DecimalTextField,
    PercentField,
    RangeEnd,
    RecordSelectField,
    SupportedDateField,
    WholeNumberField,
)


class InvoiceCreateForm(FlaskForm):
    client = RecordSelectField("Client", [DataRequired("Choose a client.")], noun="client")
    project = RecordSelectField("Project (optional)", [Optional()], noun="project")
    date_from = SupportedDateField("Time from", [Optional()])
    date_to = SupportedDateField("Time to", [Optional(), RangeEnd("date_from")])
    group_by = SelectField("Lines", choices=list(GROUPINGS.items()), default="project")
    from_time = BooleanField("Bill the unbilled time in this range", default=True)
    issue_date = SupportedDateField("Issue date", [InputRequired("Enter the issue date.")])
    payment_terms = WholeNumberField(
        "Payment terms (days)",
        [InputRequired("Enter the payment terms in days.")],
        maximum=MAX_PAYMENT_TERMS_DAYS,
        message="Payment terms are 0 to 365 days.",
    )
    tax_rate = PercentField("Tax rate (%)", [DataRequired("Enter the tax rate (0 for none).")])
    notes = TextAreaField("Notes", [Optional(), Length(max=5000)])
    submit = SubmitField("Create draft invoice")


class InvoiceEditForm(FlaskForm):
    issue_date = SupportedDateField("Issue date", [InputRequired("Enter the issue date.")])
    due_date = SupportedDateField("Due date", [InputRequired("Enter the due date.")])
    tax_rate = PercentField("Tax rate (%)", [DataRequired("Enter the tax rate (0 for none).")])
    notes = TextAreaField("Notes", [Optional(), Length(max=5000)])
    submit = SubmitField("Save invoice")

    def validate_due_date(self, field: SupportedDateField) -> None:
        if field.data and self.issue_date.data and field.data < self.issue_date.data:
            raise ValidationError("The due date cannot be before the issue date.")


class InvoiceItemForm(FlaskForm):
    description = StringField("Description", [DataRequired("Describe the line."), Length(max=2000)])
    quantity = DecimalTextField(
        "Quantity",
        [DataRequired("Enter the quantity.")],
        minimum=Decimal("0.01"),
        maximum=MAX_HOURS,
        example="1.5",
    )
    unit_price = DecimalTextField(
        "Unit price", [DataRequired("Enter the unit price.")], maximum=MAX_MONEY
    )
    submit = SubmitField("Save line")


class PaymentForm(FlaskForm):
    amount = DecimalTextField(
        "Amount",
        [DataRequired("Enter the amount paid.")],
        minimum=Decimal("0.01"),
        maximum=MAX_MONEY,
    )
    paid_on = SupportedDateField("Paid on", [InputRequired("Enter the payment date.")])
    method = StringField("Method", [Optional(), Length(max=50)])
    reference = StringField("Reference", [Optional(), Length(max=200)])
    submit = SubmitField("Record payment")


class InvoiceFilterForm(Form):
    status = SelectField(
        "Status", choices=[(f.value, f.label) for f in STAFF_FILTERS], default=InvoiceFilter.ALL
    )
    client = RecordSelectField("Client", [Optional()], noun="client")
