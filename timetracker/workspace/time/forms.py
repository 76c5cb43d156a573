"""Forms of time tracking: the timer, a manual entry, the list's filters and the week."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import (
    BooleanField,
    Form,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from timetracker.workspace.choices import (
    client_choices,
    flat_project_choices,
    project_choices,
    staff_choices,
)
from timetracker.workspace.fields import (
    DurationField,
    RangeEnd,
    RecordSelectField,
    SupportedDateField,
    TimeOfDayField,
)


class TimerStartForm(FlaskForm):
    project = RecordSelectField("Project", [DataRequired("Choose a project.")], noun="project")
    notes = StringField("What are you working on?", [Optional(), Length(max=2000)])
    submit = SubmitField("Start timer")


class TimeEntryForm(FlaskForm):
    project = RecordSelectField("Project", [DataRequired("Choose a project.")], noun="project")
    day = SupportedDateField("Date", [InputRequired("Enter the date (YYYY-MM-DD).")])
    start = TimeOfDayField("Start", [InputRequired("Enter the start time (HH:MM).")])
    end = TimeOfDayField("End", [Optional()])
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
    date_from = SupportedDateField("From", [Optional()])
    date_to = SupportedDateField("To", [Optional(), RangeEnd("date_from")])


class WeekForm(Form):
    week = SupportedDateField("Week of", [Optional()])
    user = RecordSelectField("Person", [Optional()], noun="person")


def timer_form() -> TimerStartForm:
    """The timer's form with the trackable projects (the time list and the dashboard show it)."""
    form = TimerStartForm()
    form.project.choices = project_choices()
    return form


def time_filter_form(args: MultiDict[str, str], me: int) -> TimeFilterForm:
    """The time list's filters, read from ``args``; the list and its CSV export share them.
    Without a ``user`` parameter the list shows the signed-in person's (``me``) entries."""
    form = TimeFilterForm(args)
    form.project.choices = flat_project_choices("All projects")
    form.client.choices = [("", "All clients"), *client_choices(active_only=False)]
    form.user.choices = [("", "Everyone"), *staff_choices()]
    if "user" not in args:
        form.user.data = me
    return form
