"""The portal's "Payment sent" form."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_babel import gettext
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from timetracker.i18n import _l
from timetracker.models import Invoice
from timetracker.payments import notices
from timetracker.workspace.fields import SupportedDateField


def _single_line(_form: Any, field: Any) -> None:
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in field.data or ""):
        raise ValidationError(gettext("Write the reference on one line."))


class PaymentNoticeForm(FlaskForm):
    """``invoice`` and ``today`` (the firm's) bound the date; ``submission_key`` makes a
    double submission record one notice."""

    paid_on = SupportedDateField(
        _l("Date you sent the payment"), [InputRequired(_l("Enter the date you sent the payment."))]
    )
    reference = StringField(
        _l("Reference you used (optional)"),
        [Optional(), Length(max=notices.MAX_REFERENCE), _single_line],
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
    )
    submission_key = HiddenField()
    submit = SubmitField(_l("Tell us you sent the payment"))

    def __init__(self, *args: Any, invoice: Invoice, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.invoice = invoice
        self.today = today

    @classmethod
    def blank(cls, invoice: Invoice, today: dt.date, submission_key: str) -> PaymentNoticeForm:
        """The form as a page shows it: today's date and the page's submission key."""
        form = cls(formdata=None, invoice=invoice, today=today)
        form.paid_on.data = today
        form.submission_key.data = submission_key
        return form

    def validate_paid_on(self, field: SupportedDateField) -> None:
        if field.data is None:
            return
        problem = notices.paid_on_problem(field.data, self.invoice, self.today)
        if problem:
            raise ValidationError(problem)

    def validate_submission_key(self, field: HiddenField) -> None:
        if not notices.is_submission_key(field.data):
            raise ValidationError(gettext(notices.BAD_KEY))
