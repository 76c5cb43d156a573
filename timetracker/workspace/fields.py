"""Form fields for the amounts, hours, durations, times, dates and record choices people type.

Each field reads its text with the parser of its kind (:mod:`timetracker.parsing`) or says
plainly what it accepts; a bad value becomes a message on the form and the view answers 400.
Amounts, hours, percentages, durations and dates are read and shown in the firm's locale
(:func:`timetracker.formatting.current_locale`): ``8.800,50 €`` and ``30.11.2026`` in de_DE;
ISO dates are read in every locale, so old links keep working.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any, Literal

from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import DateField, StringField, TimeField
from wtforms.validators import StopValidation, ValidationError
from wtforms.widgets import NumberInput, TextInput

from timetracker import firm, local_dates, local_numbers, parsing
from timetracker.formatting import current_locale
from timetracker.i18n import _l
from timetracker.parsing import MAX_HOURS, MAX_MONEY, DateValueError, parse_date

#: What a decimal field holds: money takes the currency's sign, hours take ``H:MM``.
Kind = Literal["money", "hours", "number"]

__all__ = [
    "MAX_HOURS",
    "MAX_MONEY",
    "DecimalTextField",
    "DurationField",
    "HoursField",
    "MoneyField",
    "PercentField",
    "PricedForm",
    "SupportedDateField",
    "TimeOfDayField",
    "WholeNumberField",
]


class DecimalTextField(StringField):
    """A decimal typed as text in the firm's locale, with limits and a clear message
    (:func:`parsing.parse_amount`): ``8,800.50`` in en, ``8.800,50`` in de.

    ``kind`` says what it holds: ``"money"`` also takes the sign or code of its currency before
    or after the number (``€149.00``, ``149,00 €``, ``EUR 149``), ``"hours"`` also takes
    ``H:MM``. Left out, it follows the limit: :data:`MAX_MONEY` is money, :data:`MAX_HOURS`
    hours (so forms declared before the kinds existed read as people type). The currency is
    ``currency`` (a code or a function of the form, set on the declaration or by the view
    before validating), else the form's own ``currency`` field (a client's), else the firm's.

    The text is read when the form validates (the currency may depend on other fields); empty
    input gives ``None`` (pair it with ``DataRequired`` or ``Optional``).
    """

    def __init__(
        self,
        label: str | None = None,
        validators: Any = None,
        *,
        places: int = 2,
        minimum: Decimal | None = Decimal("0"),
        maximum: Decimal | None = None,
        example: str = "95.00",
        kind: Kind | None = None,
        currency: str | Callable[[Any], str | None] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(label, validators, **kwargs)
        self.places = places
        self.minimum = minimum
        self.maximum = maximum
        self.example = example
        self.kind: Kind = kind or (
            "money" if maximum == MAX_MONEY else "hours" if maximum == MAX_HOURS else "number"
        )
        self.currency = currency
        self.number: Decimal | None = None

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist:
            return  # not posted: keep the object's value, like WTForms' own fields
        self.number = None
        self.data = str(valuelist[0]).strip()

    def pre_validate(self, form: Any) -> None:
        if self.raw_data and self.data:
            try:
                self.number = self.parse(self.data, self._currency_of(form))
            except ValueError as exc:
                raise StopValidation(str(exc)) from None

    def _currency_of(self, form: Any) -> str | None:
        if self.kind != "money":
            return None
        if callable(self.currency):
            chosen = self.currency(form)  # e.g. the currency of the client chosen on the form
            if chosen:
                return chosen
        elif self.currency:
            return self.currency
        sibling = getattr(form, "currency", None)
        code = str(getattr(sibling, "data", "") or "").strip().upper()
        if len(code) == 3 and code.isascii() and code.isalpha():
            return code
        return firm.get_settings().currency

    def parse(self, text: str, currency: str | None = None) -> Decimal:
        return parsing.parse_amount(
            text,
            places=self.places,
            minimum=self.minimum,
            maximum=self.maximum,
            example=self.example,
            locale=current_locale(),
            currency=currency,
            clock=self.kind == "hours",
        )

    @property
    def checked_number(self) -> Decimal:
        """The number of a required field once the form has validated (``DataRequired``)."""
        if self.number is None:
            raise ValueError(f"{self.name} holds no number: validate the form first.")
        return self.number

    def process_data(self, value: Any) -> None:
        self.number = value if isinstance(value, Decimal) else None
        self.data = "" if value is None else str(value)

    def _value(self) -> str:
        """What the person typed; a value set by the program (``Decimal`` or ``"95.00"``) in
        the locale's format, so that it reads back."""
        if self.raw_data or not self.data:
            return self.data or ""
        try:
            number = parsing.parse_decimal(self.data)
        except ValueError:
            return self.data
        return local_numbers.format_number(number, current_locale())


class MoneyField(DecimalTextField):
    """An amount of money (``kind="money"``), at most :data:`MAX_MONEY` unless told."""

    def __init__(self, label: str | None = None, validators: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("maximum", MAX_MONEY)
        super().__init__(label, validators, kind="money", **kwargs)


class PricedForm(FlaskForm):
    """A form whose amounts are in a currency the view knows (an invoice's or a quote's):
    ``currency=`` on construction sets it on every money field, so ``149,00 €`` is read on a
    EUR invoice of a firm that bills in USD."""

    def __init__(self, *args: Any, currency: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if currency:
            for field in self:
                if isinstance(field, DecimalTextField) and field.kind == "money":
                    field.currency = currency


class HoursField(DecimalTextField):
    """Hours as ``1.5``, ``1,5`` (de) or ``1:30`` (``kind="hours"``), at most
    :data:`MAX_HOURS` unless told."""

    def __init__(self, label: str | None = None, validators: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("maximum", MAX_HOURS)
        kwargs.setdefault("example", "1.5")
        super().__init__(label, validators, kind="hours", **kwargs)


class PercentField(DecimalTextField):
    """A percentage from 0 to 100 (:func:`parsing.parse_percent`), ``19,5 %`` in de."""

    def __init__(self, label: str | None = None, validators: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("example", "20")
        super().__init__(label, validators, minimum=None, maximum=None, kind="number", **kwargs)

    def parse(self, text: str, currency: str | None = None) -> Decimal:
        return parsing.parse_percent(text, current_locale())


class WholeNumberField(StringField):
    """A whole number from ``minimum`` to ``maximum`` in ASCII digits (WTForms' own
    ``IntegerField`` reads ``int()``, which takes other scripts' digits and ``1_000``).
    ``data`` is the number, ``None`` when empty or refused."""

    widget = NumberInput()
    data: Any

    def __init__(
        self,
        label: str | None = None,
        validators: Any = None,
        *,
        minimum: int = 0,
        maximum: int,
        message: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(label, validators, **kwargs)
        self.minimum = minimum
        self.maximum = maximum
        self.message = message or _l(
            "Enter a whole number from %(minimum)s to %(maximum)s, in digits.",
            minimum=minimum,
            maximum=maximum,
        )
        #: Drawn like WTForms' own number field (the form macros choose the CSS class by type).
        self.type = "IntegerField"

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist:
            return
        text = str(valuelist[0]).strip()
        self.data = None
        if not text:
            return
        self.data = parsing.parse_whole(text, self.minimum, self.maximum)
        if self.data is None:
            raise ValueError(str(self.message))

    def process_data(self, value: Any) -> None:
        self.data = value if isinstance(value, int) else None

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        # ``data`` may be set by the view after the form is made (a default from the settings).
        return "" if self.data is None else str(self.data)


class DurationField(StringField):
    """A duration as ``H:MM`` or decimal hours (``1:30`` or ``1.5``); ``seconds`` holds it in
    whole seconds (:func:`parsing.parse_duration`)."""

    def __init__(self, label: str | None = None, validators: Any = None, **kwargs: Any) -> None:
        super().__init__(label, validators, **kwargs)
        self.seconds: int | None = None

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist:
            return
        self.seconds = None
        self.data = str(valuelist[0]).strip()
        if not self.data:
            return
        self.seconds = parsing.parse_duration(self.data, current_locale())

    def _value(self) -> str:
        return self.data or ""


class TimeOfDayField(TimeField):
    """A time of day ``HH:MM`` in ASCII digits (:func:`parsing.parse_time_of_day`); WTForms'
    own reading uses ``strptime``, which takes other scripts' digits."""

    #: The time, ``None`` when empty or refused (a required field is set once validated).
    data: Any

    def __init__(self, label: str | None = None, validators: Any = None, **kwargs: Any) -> None:
        super().__init__(label, validators, **kwargs)
        #: Drawn like WTForms' own time field.
        self.type = "TimeField"

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist:
            return
        self.data = None
        raw = str(valuelist[0]).strip()
        if not raw:
            return
        self.data = parsing.parse_time_of_day(raw)


class LocalDateInput(TextInput):
    """A text input for a date in the firm's locale: the browser's ``type=date`` shows its own
    format, not the one the application shows. The placeholder names the format; ``min`` and
    ``max`` (which only date inputs understand) are dropped: the field checks the range. No
    ``inputmode``: a phone's numeric keypad lacks the ``.``, ``/`` and ``-`` that dates need."""

    def __call__(self, field: Any, **kwargs: Any) -> Markup:
        for name in ("min", "max"):
            kwargs.pop(name, None)
        kwargs.setdefault("placeholder", local_dates.date_format(current_locale()).placeholder)
        kwargs.setdefault("autocomplete", "off")
        return super().__call__(field, **kwargs)


class SupportedDateField(DateField):
    """A date typed in the firm's locale (``30.11.2026`` in de) or ``YYYY-MM-DD``, within the
    supported range (:func:`parsing.parse_date`), and shown in the locale's format."""

    widget = LocalDateInput()

    #: The date, ``None`` when empty or refused (a required field is set once validated).
    data: Any

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist:
            return
        self.data = None
        raw = str(valuelist[0]).strip()
        if not raw:
            return
        try:
            self.data = parse_date(raw, current_locale())
        except DateValueError as exc:
            raise ValueError(str(exc)) from None

    def _value(self) -> str:
        if self.raw_data:
            return " ".join(str(v) for v in self.raw_data)
        if isinstance(self.data, dt.date):
            return local_dates.format_day(self.data, current_locale())
        return ""


class RangeEnd:
    """Validator of a date range's end: not before the start, the field named ``start``
    (:func:`parsing.check_date_range`; either end may be empty)."""

    def __init__(self, start: str) -> None:
        self.start = start

    def __call__(self, form: Any, field: Any) -> None:
        try:
            parsing.check_date_range(form[self.start].data, field.data)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None
