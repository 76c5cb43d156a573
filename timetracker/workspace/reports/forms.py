"""The report's form: how to group and which days."""

from __future__ import annotations

from wtforms import Form, SelectField
from wtforms.validators import Optional, ValidationError

from timetracker.parsing import check_date_range
from timetracker.workspace.fields import SupportedDateField

REPORT_GROUPS = {"client": "Client", "project": "Project", "user": "Person"}


class ReportForm(Form):
    group = SelectField("Group by", choices=list(REPORT_GROUPS.items()), default="client")
    date_from = SupportedDateField("From", [Optional()])
    date_to = SupportedDateField("To", [Optional()])

    def validate_date_to(self, field: SupportedDateField) -> None:
        try:
            check_date_range(self.date_from.data, field.data)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None
