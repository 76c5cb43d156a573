"""Forms of the invoice pages: a new draft (from time or empty) and its preview, its header,
its lines, a payment and its correction, and the list filter."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    Field,
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
from timetracker.billing.invoicing import MAX_UNIT
from timetracker.billing.states import STAFF_FILTERS, InvoiceFilter
from timetracker.parsing import MAX_PAYMENT_TERMS_DAYS, parse_id
from timetracker.workspace.fields import (
    MAX_HOURS,
    MAX_MONEY,
    DecimalTextField,
    PercentField,
    PricedForm,
    RangeEnd,
    RecordSelectField,
    SupportedDateField,
    WholeNumberField,
)


class RecordMultiField(Field):
    """Several records by id (repeated, or comma-separated); ``data`` is the list of ids in
    the order given, without repeats. Whether each id may be used is the view's question."""

    #: More than any client has projects: a longer list is not a person's choice.
    MAX_CHOICES = 500
    data: Any

    def __init__(
        self, label: str | None = None, validators: Any = None, *, noun: str, **kw: Any
    ) -> None:
        super().__init__(label, validators, **kw)
        self.noun = noun

    def process_data(self, value: Any) -> None:
        self.data = list(value or [])

    def process_formdata(self, valuelist: list[Any]) -> None:
        ids: list[int] = []
        self.data = ids
        for part in ",".join(str(v) for v in valuelist).split(","):
            if not part.strip():
                continue
            record_id = parse_id(part.strip())
            if record_id is None:
                raise ValueError(f"Choose {self.noun}s from the list.")
            if record_id not in ids:
                ids.append(record_id)
        if len(ids) > self.MAX_CHOICES:
            self.data = []
            raise ValueError(f"Choose at most {self.MAX_CHOICES} {self.noun}s.")


class TimeChoiceMixin:
    """What time a draft bills: the client, some of its projects (none: all), the range and
    the grouping into lines. Shared by the form and its preview."""

    date_from = SupportedDateField("Time from", [Optional()])
    date_to = SupportedDateField("Time to", [Optional(), RangeEnd("date_from")])
    group_by = SelectField("Lines", choices=list(GROUPINGS.items()), default="project")


class InvoiceCreateForm(TimeChoiceMixin, FlaskForm):
    client = RecordSelectField("Client", [DataRequired("Choose a client.")], noun="client")
    project = RecordMultiField("Projects", noun="project")
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
    preview = SubmitField("Preview")
    submit = SubmitField("Create draft invoice")


class InvoicePreviewForm(TimeChoiceMixin, Form):
    """The preview's query parameters (``/invoices/new/preview``)."""

    client_id = RecordSelectField("Client", [DataRequired("Choose a client.")], noun="client")
    project_ids = RecordMultiField("Projects", noun="project")
    tax_rate = PercentField("Tax rate (%)", [Optional()])


class InvoiceEditForm(FlaskForm):
    issue_date = SupportedDateField("Issue date", [InputRequired("Enter the issue date.")])
    due_date = SupportedDateField("Due date", [InputRequired("Enter the due date.")])
    tax_rate = PercentField("Tax rate (%)", [DataRequired("Enter the tax rate (0 for none).")])
    notes = TextAreaField("Notes", [Optional(), Length(max=5000)])
    submit = SubmitField("Save invoice")

    def validate_due_date(self, field: SupportedDateField) -> None:
        if field.data and self.issue_date.data and field.data < self.issue_date.data:
            raise ValidationError("The due date cannot be before the issue date.")


BOTH_OR_NEITHER = "Give the service period's first and last day, or neither."


class InvoiceItemForm(PricedForm):
    description = StringField("Description", [DataRequired("Describe the line."), Length(max=2000)])
    quantity = DecimalTextField(
        "Quantity",
        [DataRequired("Enter the quantity.")],
        minimum=Decimal("0.01"),
        maximum=MAX_HOURS,
        example="1.5",
    )
    unit = StringField(
        "Unit (optional)",
        [Optional(), Length(max=MAX_UNIT, message=f"A unit has at most {MAX_UNIT} characters.")],
    )
    unit_price = DecimalTextField(
        "Unit price", [DataRequired("Enter the unit price.")], maximum=MAX_MONEY
    )
    period_start = SupportedDateField("Service from", [Optional()])
    period_end = SupportedDateField("Service to", [Optional(), RangeEnd("period_start")])
    submit = SubmitField("Save line")

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        start, end = self.period_start, self.period_end
        if not (start.errors or end.errors) and (start.data is None) != (end.data is None):
            missing = start if start.data is None else end
            missing.errors = [*missing.errors, BOTH_OR_NEITHER]
            return False
        return valid


class PaymentForm(PricedForm):
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


REASON = [
    DataRequired("Say why: the reason is kept in the audit trail."),
    Length(min=3, max=500, message="Give a reason of 3 to 500 characters."),
]


class PaymentEditForm(PaymentForm):
    """A payment corrected: its fields and why."""

    reason = TextAreaField("Reason for the change", REASON)
    submit = SubmitField("Save payment")


class PaymentDeleteForm(FlaskForm):
    reason = TextAreaField("Reason for deleting", REASON)
    submit = SubmitField("Delete payment")


class InvoiceFilterForm(Form):
    status = SelectField(
        "Status", choices=[(f.value, f.label) for f in STAFF_FILTERS], default=InvoiceFilter.ALL
    )
    client = RecordSelectField("Client", [Optional()], noun="client")
