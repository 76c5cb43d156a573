"""The workspace's forms. Filters are GET forms without CSRF; every other form posts with it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from babel.numbers import list_currencies
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    Form,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from timetracker.billing.from_time import GROUPINGS
from timetracker.billing.states import STAFF_FILTERS, InvoiceFilter
from timetracker.models import DeliveryStatus
from timetracker.portal import branding
from timetracker.workspace.fields import (
    DecimalTextField,
    DurationField,
    PercentField,
    RecordSelectField,
)

MAX_MONEY = Decimal("9999999999.99")
MAX_HOURS = Decimal("99999999.99")


# Time ---------------------------------------------------------------------------------------
class TimerStartForm(FlaskForm):
    project = RecordSelectField("Project", [DataRequired("Choose a project.")], noun="project")
    notes = StringField("What are you working on?", [Optional(), Length(max=2000)])
    submit = SubmitField("Start timer")


class TimeEntryForm(FlaskForm):
    project = RecordSelectField("Project", [DataRequired("Choose a project.")], noun="project")
    day = DateField("Date", [InputRequired("Enter the date (YYYY-MM-DD).")])
    start = TimeField("Start", [InputRequired("Enter the start time (HH:MM).")])
    end = TimeField("End", [Optional()])
    duration = DurationField("or duration", [Optional()])
    notes = TextAreaField("Notes", [Optional(), Length(max=2000)])
    billable = BooleanField("Billable", default=True)
    submit = SubmitField("Save entry")

    #: An entry whose timer still runs may be saved without an end.
    may_run = False

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        ended = self.end.data is not None or self.duration.seconds is not None
        if valid and not ended and not self.may_run:
            self.duration.errors.append("Enter an end time or a duration.")
            return False
        return valid


class TimeFilterForm(Form):
    project = RecordSelectField("Project", [Optional()], noun="project")
    client = RecordSelectField("Client", [Optional()], noun="client")
    user = RecordSelectField("Person", [Optional()], noun="person")
    date_from = DateField("From", [Optional()])
    date_to = DateField("To", [Optional()])

    def validate_date_to(self, field: DateField) -> None:
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError("The end of the range must not be before its start.")


class WeekForm(Form):
    week = DateField("Week of", [Optional()])
    user = RecordSelectField("Person", [Optional()], noun="person")


# Clients and projects -----------------------------------------------------------------------
CURRENCY_CODES = frozenset(list_currencies())


class ClientForm(FlaskForm):
    name = StringField("Name", [DataRequired("Enter the client's name."), Length(max=200)])
    contact_email = EmailField(
        "Contact email", [Optional(), Email("Enter a valid email address."), Length(max=254)]
    )
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
    # Portal branding (all optional).
    portal_display_name = StringField("Portal display name", [Optional(), Length(max=200)])
    portal_accent_color = StringField("Accent colour", [Optional(), Length(max=20)])
    portal_welcome_message = TextAreaField("Welcome message", [Optional(), Length(max=2000)])
    submit = SubmitField("Save client")

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
            field.data = branding.normalize_hex_colour(text)
        except ValueError:
            raise ValidationError(
                "Enter the colour as # and six hexadecimal digits, like #1F4E79, or leave it "
                "empty for the standard portal colours."
            ) from None


class ClientFilterForm(Form):
    status = SelectField(
        "Show",
        choices=[("active", "Active"), ("inactive", "Deactivated"), ("all", "All")],
        default="active",
    )
    q = StringField("Name", [Optional(), Length(max=200)])


class ProjectForm(FlaskForm):
    client = RecordSelectField("Client", [DataRequired("Choose a client.")], noun="client")
    name = StringField("Name", [DataRequired("Enter the project's name."), Length(max=200)])
    description = TextAreaField("Description", [Optional(), Length(max=5000)])
    hourly_rate = DecimalTextField("Hourly rate", [Optional()], maximum=MAX_MONEY)
    billable = BooleanField("Billable", default=True)
    budget_hours = DecimalTextField(
        "Budget (hours)", [Optional()], maximum=MAX_HOURS, example="120"
    )
    budget_amount = DecimalTextField(
        "Budget (amount)", [Optional()], maximum=MAX_MONEY, example="12000"
    )
    submit = SubmitField("Save project")


class StatusUpdateForm(FlaskForm):
    status = SelectField(
        "Status",
        choices=[(s.value, s.label) for s in DeliveryStatus],
        validate_choice=False,
    )
    message = TextAreaField(
        "Message for the client",
        [DataRequired("Write a short message about how the project stands."), Length(max=2000)],
    )
    post_update = SubmitField("Post update")

    def validate_status(self, field: SelectField) -> None:
        if field.data not in {s.value for s in DeliveryStatus}:
            labels = ", ".join(s.label for s in DeliveryStatus)
            raise ValidationError(f"Choose one of the statuses: {labels}.")


class NoteForm(FlaskForm):
    body = TextAreaField("Note", [DataRequired("Write the note."), Length(max=5000)])
    visible_to_client = BooleanField("Visible to client", default=False)
    save_note = SubmitField("Add note")


class NoteEditForm(NoteForm):
    #: Which of the project's notes; checked against the project by the view (404 otherwise).
    note_id = RecordSelectField("Note", [DataRequired("Say which note.")], noun="note")
    save_note = SubmitField("Save note")


class NoteDeleteForm(FlaskForm):
    note_id = RecordSelectField("Note", [DataRequired("Say which note.")], noun="note")


class ProjectFilterForm(Form):
    client = RecordSelectField("Client", [Optional()], noun="client")
    status = SelectField(
        "Show",
        choices=[("active", "Active"), ("archived", "Archived"), ("all", "All")],
        default="active",
    )
    q = StringField("Name", [Optional(), Length(max=200)])


# Invoices -----------------------------------------------------------------------------------
class InvoiceCreateForm(FlaskForm):
    client = RecordSelectField("Client", [DataRequired("Choose a client.")], noun="client")
    project = RecordSelectField("Project (optional)", [Optional()], noun="project")
    date_from = DateField("Time from", [Optional()])
    date_to = DateField("Time to", [Optional()])
    group_by = SelectField("Lines", choices=list(GROUPINGS.items()), default="project")
    from_time = BooleanField("Bill the unbilled time in this range", default=True)
    issue_date = DateField("Issue date", [InputRequired("Enter the issue date.")])
    payment_terms = IntegerField(
        "Payment terms (days)",
        [
            InputRequired("Enter the payment terms in days."),
            NumberRange(0, 365, "Payment terms are 0 to 365 days."),
        ],
    )
    tax_rate = PercentField("Tax rate (%)", [DataRequired("Enter the tax rate (0 for none).")])
    notes = TextAreaField("Notes", [Optional(), Length(max=5000)])
    submit = SubmitField("Create draft invoice")

    def validate_date_to(self, field: DateField) -> None:
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError("The end of the range must not be before its start.")


class InvoiceEditForm(FlaskForm):
    issue_date = DateField("Issue date", [InputRequired("Enter the issue date.")])
    due_date = DateField("Due date", [InputRequired("Enter the due date.")])
    tax_rate = PercentField("Tax rate (%)", [DataRequired("Enter the tax rate (0 for none).")])
    notes = TextAreaField("Notes", [Optional(), Length(max=5000)])
    submit = SubmitField("Save invoice")

    def validate_due_date(self, field: DateField) -> None:
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
    paid_on = DateField("Paid on", [InputRequired("Enter the payment date.")])
    method = StringField("Method", [Optional(), Length(max=50)])
    reference = StringField("Reference", [Optional(), Length(max=200)])
    submit = SubmitField("Record payment")


class InvoiceFilterForm(Form):
    status = SelectField(
        "Status", choices=[(f.value, f.label) for f in STAFF_FILTERS], default=InvoiceFilter.ALL
    )
    client = RecordSelectField("Client", [Optional()], noun="client")


# Reports ------------------------------------------------------------------------------------
REPORT_GROUPS = {"client": "Client", "project": "Project", "user": "Person"}


class ReportForm(Form):
    group = SelectField("Group by", choices=list(REPORT_GROUPS.items()), default="client")
    date_from = DateField("From", [Optional()])
    date_to = DateField("To", [Optional()])

    def validate_date_to(self, field: DateField) -> None:
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError("The end of the range must not be before its start.")
