"""Forms of the project pages: the project, the list filter, status updates and notes."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, Form, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from timetracker import db
from timetracker.i18n import _l
from timetracker.models import Client, DeliveryStatus
from timetracker.workspace.fields import MAX_HOURS, MAX_MONEY, DecimalTextField
from timetracker.workspace.record_select import RecordSelectField


def _client_currency(form: Any) -> str | None:
    """The currency of the client chosen on the form: a project's rate and budget are in it."""
    client_id = form.client.data
    if not isinstance(client_id, int):
        return None
    return db.session.scalar(select(Client.currency).where(Client.id == client_id))


#: How a project stands, in words (``DeliveryStatus.label`` is the English of these).
STATUS_LABELS: dict[DeliveryStatus, Any] = {
    DeliveryStatus.ON_TRACK: _l("On track"),
    DeliveryStatus.AT_RISK: _l("At risk"),
    DeliveryStatus.BLOCKED: _l("Blocked"),
    DeliveryStatus.ON_HOLD: _l("On hold"),
    DeliveryStatus.COMPLETED: _l("Completed"),
}


def status_label(status: DeliveryStatus) -> str:
    """The status in the reader's language."""
    return str(STATUS_LABELS.get(status, status.label))


class ProjectForm(FlaskForm):
    client = RecordSelectField(_l("Client"), [DataRequired(_l("Choose a client."))], noun="client")
    name = StringField(_l("Name"), [DataRequired(_l("Enter the project's name.")), Length(max=200)])
    description = TextAreaField(_l("Description"), [Optional(), Length(max=5000)])
    hourly_rate = DecimalTextField(
        _l("Hourly rate"), [Optional()], maximum=MAX_MONEY, currency=_client_currency
    )
    billable = BooleanField(_l("Billable"), default=True)
    budget_hours = DecimalTextField(
        _l("Budget (hours)"), [Optional()], maximum=MAX_HOURS, example="120"
    )
    budget_amount = DecimalTextField(
        _l("Budget (amount)"),
        [Optional()],
        maximum=MAX_MONEY,
        example="12000",
        currency=_client_currency,
    )
    submit = SubmitField(_l("Save project"))


class ProjectFilterForm(Form):
    client = RecordSelectField(_l("Client"), [Optional()], noun="client")
    status = SelectField(
        _l("Show"),
        choices=[("active", _l("Active")), ("archived", _l("Archived")), ("all", _l("All"))],
        default="active",
    )
    q = StringField(_l("Name"), [Optional(), Length(max=200)])


class StatusUpdateForm(FlaskForm):
    status = SelectField(
        _l("Status"),
        choices=[(s.value, STATUS_LABELS[s]) for s in DeliveryStatus],
        validate_choice=False,
    )
    message = TextAreaField(
        _l("Message for the client"),
        [
            DataRequired(_l("Write a short message about how the project stands.")),
            Length(max=2000),
        ],
    )
    post_update = SubmitField(_l("Post update"))

    def validate_status(self, field: SelectField) -> None:
        if field.data not in {s.value for s in DeliveryStatus}:
            labels = ", ".join(status_label(s) for s in DeliveryStatus)
            raise ValidationError(_("Choose one of the statuses: %(labels)s.", labels=labels))


class NoteForm(FlaskForm):
    body = TextAreaField(_l("Note"), [DataRequired(_l("Write the note.")), Length(max=5000)])
    visible_to_client = BooleanField(_l("Visible to client"), default=False)
    save_note = SubmitField(_l("Add note"))


class NoteEditForm(NoteForm):
    #: Which of the project's notes; looked up within the project by the view (404 otherwise).
    note_id = RecordSelectField(_l("Note"), [DataRequired(_l("Say which note."))], noun="note")
    save_note = SubmitField(_l("Save note"))


class NoteDeleteForm(FlaskForm):
    note_id = RecordSelectField(_l("Note"), [DataRequired(_l("Say which note."))], noun="note")
