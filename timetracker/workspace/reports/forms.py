"""The report's form: how to group and which days."""

from __future__ import annotations

from wtforms import Form, SelectField
from wtforms.validators import Optional

from timetracker.workspace.fields import RangeEnd, SupportedDateField

REPORT_GROUPS = {"client": "Client", "project": "Project", "user": "Person"}


class ReportForm(Form):
    group = SelectField("Group by", choices=list(REPORT_GROUPS.items()), default="client")
    date_from = SupportedDateField("From", [Optional()])
    date_to = SupportedDateField("To", [Optional(), RangeEnd("date_from")])
