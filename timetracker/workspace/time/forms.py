"""Forms of time tracking: the timer, a manual entry, the list's filters and the week."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_babel import gettext as _
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

from timetracker.i18n import _l
from timetracker.workspace.choices import (
    client_choices,
    flat_project_choices,
    project_choices,
    staff_choices,
)
from timetracker.workspace.fields import (
    DurationField,
    RangeEnd,
    SupportedDateField,
    TimeOfDayField,
)
from timetracker.workspace.record_select import RecordSelectField
from timetracker.workspace.time.queries import TimeFilter, recent_project_ids

#: The picker's first group.
RECENT = _l("Recent")


class TimerStartForm(FlaskForm):
    project = RecordSelectField(
        _l("Project"), [DataRequired(_l("Choose a project."))], noun="project"
    )
    notes = StringField(_l("What are you working on?"), [Optional(), Length(max=2000)])
    submit = SubmitField(_l("Start timer"))


class TimeEntryForm(FlaskForm):
    project = RecordSelectField(
        _l("Project"), [DataRequired(_l("Choose a project."))], noun="project"
    )
    day = SupportedDateField(_l("Date"), [InputRequired(_l("Enter the date of the work."))])
    start = TimeOfDayField(_l("Start"), [InputRequired(_l("Enter the start time (HH:MM)."))])
    end = TimeOfDayField(_l("End"), [Optional()])
    duration = DurationField(_l("or duration"), [Optional()])
    notes = TextAreaField(_l("Notes"), [Optional(), Length(max=2000)])
    billable = BooleanField(_l("Billable"), default=True)
    submit = SubmitField(_l("Save entry"))

    #: An entry whose timer still runs may be saved without an end.
    may_run = False

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        ended = self.end.data is not None or self.duration.seconds is not None
        if valid and not ended and not self.may_run:
            self.duration.errors.append(_("Enter an end time or a duration."))
            return False
        return valid


class TimeFilterForm(Form):
    project = RecordSelectField(_l("Project"), [Optional()], noun="project")
    client = RecordSelectField(_l("Client"), [Optional()], noun="client")
    user = RecordSelectField(_l("Person"), [Optional()], noun="person")
    date_from = SupportedDateField(_l("From"), [Optional()])
    date_to = SupportedDateField(_l("To"), [Optional(), RangeEnd("date_from")])
    awaiting = BooleanField(_l("Awaiting approval only"))

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
    week = SupportedDateField(_l("Week of"), [Optional()])
    user = RecordSelectField(_l("Person"), [Optional()], noun="person")


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
        str(RECENT): [(pid, names[pid]) for pid in recent if pid in names]
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
    form.project.choices = flat_project_choices(_("All projects"))
    form.client.choices = [("", _("All clients")), *client_choices(active_only=False)]
    form.user.choices = [("", _("Everyone")), *staff_choices()]
    if "user" not in args:
        form.user.data = me
    return form
