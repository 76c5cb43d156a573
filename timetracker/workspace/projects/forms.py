"""Forms of the project pages: the project, the list filter, status updates and notes."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, Form, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from timetracker import db
from timetracker.models import Client, DeliveryStatus
from timetracker.workspace.fields import MAX_HOURS, MAX_MONEY, DecimalTextField, RecordSelectField


def _client_currency(form: Any) -> str | None:
    """The currency of the client chosen on the form: a project's rate and budget are in it."""
    client_id = form.client.data
    if not isinstance(client_id, int):
        return None
    return db.session.scalar(select(Client.currency).where(Client.id == client_id))


class ProjectForm(FlaskForm):
    client = RecordSelectField("Client", [DataRequired("Choose a client.")], noun="client")
    name = StringField("Name", [DataRequired("Enter the project's name."), Length(max=200)])
    description = TextAreaField("Description", [Optional(), Length(max=5000)])
    hourly_rate = DecimalTextField(
        "Hourly rate", [Optional()], maximum=MAX_MONEY, currency=_client_currency
    )
    billable = BooleanField("Billable", default=True)
    budget_hours = DecimalTextField(
        "Budget (hours)", [Optional()], maximum=MAX_HOURS, example="120"
    )
    budget_amount = DecimalTextField(
        "Budget (amount)",
        [Optional()],
        maximum=MAX_MONEY,
        example="12000",
        currency=_client_currency,
    )
    submit = SubmitField("Save project")


class ProjectFilterForm(Form):
    client = RecordSelectField("Client", [Optional()], noun="client")
    status = SelectField(
        "Show",
        choices=[("active", "Active"), ("archived", "Archived"), ("all", "All")],
        default="active",
    )
    q = StringField("Name", [Optional(), Length(max=200)])


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
    #: Which of the project's notes; looked up within the project by the view (404 otherwise).
    note_id = RecordSelectField("Note", [DataRequired("Say which note.")], noun="note")
    save_note = SubmitField("Save note")


class NoteDeleteForm(FlaskForm):
    note_id = RecordSelectField("Note", [DataRequired("Say which note.")], noun="note")
