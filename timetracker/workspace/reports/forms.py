"""The report's form: how to group and which days."""

from __future__ import annotations

from wtforms import Form, SelectField
from wtforms.validators import Optional, ValidationError

from timetracker.workspace.fields import SupportedDateField

REPORT_GROUPS = {"client": "Client", "project": "Project", "user": "Person"}


class ReportForm(Form):
    group = SelectField("Group by", choices=list(REPORT_GROUPS.items()), default="client")
    date_from = SupportedDateField("From", [Optional()])
    date_to = SupportedDateField("To", [Optional()])

    def validate_date_to(self, field: SupportedDateField) -> None:
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError("The end of the range must not be before its start.")
