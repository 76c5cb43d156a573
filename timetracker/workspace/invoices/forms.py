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
from timetracker.billing.states import FILTER_LABELS, STAFF_FILTERS, InvoiceFilter
from timetracker.i18n import _l
from timetracker.parsing import MAX_PAYMENT_TERMS_DAYS, parse_id
from timetracker.workspace.fields import (
    MAX_HOURS,
    MAX_MONEY,
    DecimalTextField,
    PercentField,
    PricedForm,
    RangeEnd,
    SupportedDateField,
    WholeNumberField,
)
from timetracker.workspace.record_select import RecordSelectField


class RecordMultiField(Field):
    """Several records by id (repeated, or comma-separated); ``data`` is the list of ids in
    the order given, without repeats. Whether each id may be used is the view's question.
    ``invalid`` says what to do with an id that is not one; ``too_many`` (with ``%(count)d``)
    refuses a list longer than :data:`MAX_CHOICES`."""

    #: More than any client has projects: a longer list is not a person's choice.
    MAX_CHOICES = 500
    data: Any

    def __init__(
        self,
        label: Any = None,
        validators: Any = None,
        *,
        invalid: Any,
        too_many: Any,
        **kw: Any,
    ) -> None:
        super().__init__(label, validators, **kw)
        self.invalid = invalid
        self.too_many = too_many

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
                raise ValueError(str(self.invalid))
            if record_id not in ids:
                ids.append(record_id)
        if len(ids) > self.MAX_CHOICES:
            self.data = []
            raise ValueError(str(self.too_many) % {"count": self.MAX_CHOICES})


PROJECTS_INVALID = _l("Choose projects from the list.")
PROJECTS_TOO_MANY = _l("Choose at most %(count)d projects.")


class TimeChoiceMixin:
    """What time a draft bills: the client, some of its projects (none: all), the range and
    the grouping into lines. Shared by the form and its preview."""

    date_from = SupportedDateField(_l("Time from"), [Optional()])
    date_to = SupportedDateField(_l("Time to"), [Optional(), RangeEnd("date_from")])
    group_by = SelectField(_l("Lines"), choices=list(GROUPINGS.items()), default="project")


class InvoiceCreateForm(TimeChoiceMixin, FlaskForm):
    client = RecordSelectField(_l("Client"), [DataRequired(_l("Choose a client."))], noun="client")
    project = RecordMultiField(_l("Projects"), invalid=PROJECTS_INVALID, too_many=PROJECTS_TOO_MANY)
    from_time = BooleanField(_l("Bill the unbilled time in this range"), default=True)
    issue_date = SupportedDateField(_l("Issue date"), [InputRequired(_l("Enter the issue date."))])
    payment_terms = WholeNumberField(
        _l("Payment terms (days)"),
        [InputRequired(_l("Enter the payment terms in days."))],
        maximum=MAX_PAYMENT_TERMS_DAYS,
        message=_l("Payment terms are 0 to 365 days."),
    )
    tax_rate = PercentField(
        _l("Tax rate (%)"), [DataRequired(_l("Enter the tax rate (0 for none)."))]
    )
    notes = TextAreaField(_l("Notes"), [Optional(), Length(max=5000)])
    preview = SubmitField(_l("Preview"))
    submit = SubmitField(_l("Create draft invoice"))


class InvoicePreviewForm(TimeChoiceMixin, Form):
    """The preview's query parameters (``/invoices/new/preview``)."""

    client_id = RecordSelectField(
        _l("Client"), [DataRequired(_l("Choose a client."))], noun="client"
    )
    project_ids = RecordMultiField(
        _l("Projects"), invalid=PROJECTS_INVALID, too_many=PROJECTS_TOO_MANY
    )
    tax_rate = PercentField(_l("Tax rate (%)"), [Optional()])


class InvoiceEditForm(FlaskForm):
    issue_date = SupportedDateField(_l("Issue date"), [InputRequired(_l("Enter the issue date."))])
    due_date = SupportedDateField(_l("Due date"), [InputRequired(_l("Enter the due date."))])
    tax_rate = PercentField(
        _l("Tax rate (%)"), [DataRequired(_l("Enter the tax rate (0 for none)."))]
    )
    notes = TextAreaField(_l("Notes"), [Optional(), Length(max=5000)])
    submit = SubmitField(_l("Save invoice"))

    def validate_due_date(self, field: SupportedDateField) -> None:
        if field.data and self.issue_date.data and field.data < self.issue_date.data:
            raise ValidationError(_l("The due date cannot be before the issue date."))


BOTH_OR_NEITHER = _l("Give the service period's first and last day, or neither.")


class InvoiceItemForm(PricedForm):
    description = StringField(
        _l("Description"), [DataRequired(_l("Describe the line.")), Length(max=2000)]
    )
    quantity = DecimalTextField(
        _l("Quantity"),
        [DataRequired(_l("Enter the quantity."))],
        minimum=Decimal("0.01"),
        maximum=MAX_HOURS,
        example="1.5",
    )
    unit = StringField(
        _l("Unit (optional)"),
        [Optional(), Length(max=MAX_UNIT, message=_l("A unit has at most %(max)d characters."))],
    )
    unit_price = DecimalTextField(
        _l("Unit price"), [DataRequired(_l("Enter the unit price."))], maximum=MAX_MONEY
    )
    period_start = SupportedDateField(_l("Service from"), [Optional()])
    period_end = SupportedDateField(_l("Service to"), [Optional(), RangeEnd("period_start")])
    submit = SubmitField(_l("Save line"))

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
        _l("Amount"),
        [DataRequired(_l("Enter the amount paid."))],
        minimum=Decimal("0.01"),
        maximum=MAX_MONEY,
    )
    paid_on = SupportedDateField(_l("Paid on"), [InputRequired(_l("Enter the payment date."))])
    method = StringField(_l("Method"), [Optional(), Length(max=50)])
    reference = StringField(_l("Reference"), [Optional(), Length(max=200)])
    submit = SubmitField(_l("Record payment"))


REASON = [
    DataRequired(_l("Say why: the reason is kept in the audit trail.")),
    Length(min=3, max=500, message=_l("Give a reason of 3 to 500 characters.")),
]


class PaymentEditForm(PaymentForm):
    """A payment corrected: its fields and why."""

    reason = TextAreaField(_l("Reason for the change"), REASON)
    submit = SubmitField(_l("Save payment"))


class PaymentDeleteForm(FlaskForm):
    reason = TextAreaField(_l("Reason for deleting"), REASON)
    submit = SubmitField(_l("Delete payment"))


class InvoiceFilterForm(Form):
    status = SelectField(
        _l("Status"),
        choices=[(f.value, FILTER_LABELS[f]) for f in STAFF_FILTERS],
        default=InvoiceFilter.ALL,
    )
    client = RecordSelectField(_l("Client"), [Optional()], noun="client")
