"""Forms of time tracking: the timer, a manual entry, the list's filters and the week."""

from __future__ import annotations

from collections.abc import Iterable
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
from timetracker.workspace.time.queries import TimeFilter, recent_project_ids

#: The picker's first group.
RECENT = "Recent"


class TimerStartForm(FlaskForm):
    project = RecordSelectField("Project", [DataRequired("Choose a project.")], noun="project")
    notes = StringField("What are you working on?", [Optional(), Length(max=2000)])
    submit = SubmitField("Start timer")


class TimeEntryForm(FlaskForm):
    project = RecordSelectField("Project", [DataRequired("Choose a project.")], noun="project")
    day = SupportedDateField("Date", [InputRequired("Enter the date of the work.")])
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
    awaiting = BooleanField("Awaiting approval only")

    def filters(self) -> TimeFilter:
        """The filters the validated form names: the list and its CSV export read the same."""
        return TimeFilter(
            project_id=self.project.data,
            client_id=self.client.data,
            user_id=self.user.data,
            date_from=self.date_from.data,
            date_to=self.date_to.data,
            awaiting=bool(self.awaiting.data),
        )


class WeekForm(Form):
    week = SupportedDateField("Week of", [Optional()])
    user = RecordSelectField("Person", [Optional()], noun="person")


def timer_form(user_id: int | None = None) -> TimerStartForm:
    """The timer's form with the trackable projects, the person's recent ones first and
    chosen (the time list and the dashboard show it)."""
    form = TimerStartForm()
    choose_project(form.project, user_id)
    return form


def picker_choices(
    user_id: int | None, *, include_ids: Iterable[int] = ()
) -> tuple[dict[str, list[tuple[int, str]]], list[int]]:
    """The project picker's groups: "Recent" (the person's latest projects), then each client's
    other projects; and the recent ids, newest first."""
    groups = project_choices(include_ids=include_ids)
    recent = recent_project_ids(user_id) if user_id is not None else []
    if not recent:
        return groups, recent
    names = {pid: f"{client} · {name}" for client, items in groups.items() for pid, name in items}
    picked: dict[str, list[tuple[int, str]]] = {
        RECENT: [(pid, names[pid]) for pid in recent if pid in names]
    }
    for client, items in groups.items():
        rest = [(pid, name) for pid, name in items if pid not in recent]
        if rest:
            picked.setdefault(client, []).extend(rest)
    return picked, recent


def choose_project(
    field: RecordSelectField, user_id: int | None, *, include_ids: Iterable[int] = ()
) -> None:
    """Draw ``field`` as the project picker; with nothing chosen yet, the latest project."""
    field.choices, recent = picker_choices(user_id, include_ids=include_ids)
    if field.data is None and not field.raw_data and recent:
        field.data = recent[0]


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
