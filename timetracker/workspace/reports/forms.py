"""The report's parameters: which time (all or unbilled), which days (a preset or from/to),
how to group, and the format (the page, CSV or XLSX).

Every parameter is read here, once; a bad one is a message on the form and a 400.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from werkzeug.datastructures import MultiDict
from wtforms import Form, SelectField
from wtforms.validators import AnyOf, Optional

from timetracker.i18n import _l
from timetracker.workspace.fields import RangeEnd, SupportedDateField
from timetracker.workspace.reports import presets

#: Group key -> the column's heading. There is no task model: a "task" is the entry's notes.
REPORT_GROUPS: dict[str, Any] = {
    "client": _l("Client"),
    "project": _l("Project"),
    "user": _l("Person"),
    "task": _l("Task (notes)"),
}
VIEWS: dict[str, Any] = {"all": _l("All time"), "unbilled": _l("Unbilled time")}
FORMATS: dict[str, Any] = {"html": _l("Page"), "csv": "CSV", "xlsx": "XLSX"}


def _one_of(choices: dict[str, Any]) -> AnyOf:
    """A choice among known keys, with a message that lists them."""
    return AnyOf(
        list(choices), message=_l("Choose one of: %(choices)s.", choices=", ".join(choices))
    )


def _select(label: Any, choices: dict[str, Any], default: str) -> SelectField:
    return SelectField(
        label,
        [_one_of(choices)],
        choices=list(choices.items()),
        default=default,
        validate_choice=False,
        # An empty value (``?group=``) means the default, like no value.
        filters=[lambda value: value or default],
    )


class ReportForm(Form):
    view = _select(_l("Show"), VIEWS, "all")
    period = SelectField(
        _l("Period"),
        [Optional(), _one_of({**presets.PRESETS, presets.CUSTOM: _l("Custom")})],
        choices=[("", "")],
        validate_choice=False,
    )
    group = _select(_l("Group by"), REPORT_GROUPS, "client")
    date_from = SupportedDateField(_l("From"), [Optional()])
    date_to = SupportedDateField(_l("To"), [Optional(), RangeEnd("date_from")])
    format = _select(_l("Format"), FORMATS, "html")


@dataclass(frozen=True)
class ReportRequest:
    """A valid report request, its days resolved."""

    view: str
    group: str
    date_from: dt.date | None
    date_to: dt.date | None
    #: The preset these days are (or :data:`presets.CUSTOM`), to highlight it.
    preset: str
    format: str

    @property
    def unbilled(self) -> bool:
        return self.view == "unbilled"

    def args(self, **changes: str) -> dict[str, str]:
        """The query parameters that show this report again (for links), with ``changes``."""
        args = {
            "view": self.view,
            "group": self.group,
            "date_from": self.date_from.isoformat() if self.date_from else "",
            "date_to": self.date_to.isoformat() if self.date_to else "",
        }
        return {**args, **changes}


def read_report_form(
    args: MultiDict[str, str], today: dt.date
) -> tuple[ReportForm, ReportRequest | None]:
    """The form over ``args`` and, when valid, the request it makes.

    A preset (``period``) decides the days; without one, ``date_from``/``date_to`` do; without
    either, the default preset (this month; all dates for the unbilled view). The form's date
    fields are set to the days shown, so that the page's form shows them.
    """
    form = ReportForm(args)
    if not form.validate():
        return form, None
    period = form.period.data or ""
    if period and period != presets.CUSTOM:
        date_from, date_to = presets.preset_range(period, today)
    elif period or "date_from" in args or "date_to" in args:
        date_from, date_to = form.date_from.data, form.date_to.data
    else:
        default = presets.DEFAULT_UNBILLED if form.view.data == "unbilled" else presets.DEFAULT
        date_from, date_to = presets.preset_range(default, today)
    form.date_from.data, form.date_to.data = date_from, date_to
    form.date_from.raw_data = form.date_to.raw_data = None
    request = ReportRequest(
        view=form.view.data,
        group=form.group.data,
        date_from=date_from,
        date_to=date_to,
        preset=presets.matching_preset(date_from, date_to, today),
        format=form.format.data,
    )
    return form, request
