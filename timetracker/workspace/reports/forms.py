"""The report's form: how to group and which days."""

from __future__ import annotations

from wtforms import DateField, Form, SelectField
from wtforms.validators import Optional, ValidationError

REPORT_GROUPS = {"client": "Client", "project": "Project", "user": "Person"}


class ReportForm(Form):
    group = SelectField("Group by", choices=list(REPORT_GROUPS.items()), default="client")
    date_from = DateField("From", [Optional()])
    date_to = DateField("To", [Optional()])

    def validate_date_to(self, field: DateField) -> None:
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError("The end of the range must not be before its start.")
