"""Form fields for the amounts, hours, durations, times, dates and record choices people type.

Each field reads its text with the parser of its kind (:mod:`timetracker.parsing`) or says
plainly what it accepts; a bad value becomes a message on the form and the view answers 400.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from markupsafe import Markup
from wtforms import DateField, SelectField, StringField, TimeField
from wtforms.validators import StopValidation, ValidationError
from wtforms.widgets import NumberInput, Select

from timetracker import parsing
from timetracker.parsing import MAX_HOURS, MAX_MONEY, DateValueError, parse_date, parse_id

__all__ = [
    "MAX_HOURS",
    "MAX_MONEY",
    "DecimalTextField",
    "DurationField",
    "PercentField",
    "RecordSelectField",
    "SupportedDateField",
    "TimeOfDayField",
    "WholeNumberField",
]


class DecimalTextField(StringField):
    """A decimal typed as text, with limits and a clear message (:func:`parsing.parse_amount`).

    Empty input gives ``None`` (pair it with ``DataRequired`` or ``Optional``).
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
        **kwargs: Any,
    ) -> None:
        super().__init__(label, validators, **kwargs)
        self.places = places
        self.minimum = minimum
        self.maximum = maximum
        self.example = example
        self.number: Decimal | None = None

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist:
            return  # not posted: keep the object's value, like WTForms' own fields
        self.number = None
        self.data = str(valuelist[0]).strip()
        if not self.data:
            return
        self.number = self.parse(self.data)

    def parse(self, text: str) -> Decimal:
        return parsing.parse_amount(
            text,
            places=self.places,
            minimum=self.minimum,
            maximum=self.maximum,
            example=self.example,
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
        return self.data or ""


class PercentField(DecimalTextField):
    """A percentage from 0 to 100 (:func:`parsing.parse_percent`)."""

    def __init__(self, label: str | None = None, validators: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("example", "20")
        super().__init__(label, validators, minimum=None, maximum=None, **kwargs)

    def parse(self, text: str) -> Decimal:
        return parsing.parse_percent(text)


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
        self.message = message or f"Enter a whole number from {minimum} to {maximum}, in digits."
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
            raise ValueError(self.message)

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
        self.seconds = parsing.parse_duration(self.data)

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


class SupportedDateField(DateField):
    """A date typed ``YYYY-MM-DD`` within the supported range (:mod:`timetracker.parsing`)."""

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
            self.data = parse_date(raw)
        except DateValueError as exc:
            raise ValueError(str(exc)) from None


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


class _RecordSelect(Select):
    """WTForms' select, with an empty first choice outside the groups when the choices are
    grouped, and for a required one too, grouped or not: a required ``<select>`` must start
    with an empty option that no ``<optgroup>`` holds (HTML's "placeholder label option"), and
    nobody is preselected into a record."""

    def __call__(self, field: Any, **kwargs: Any) -> Markup:
        html = str(super().__call__(field, **kwargs))
        if not field.has_groups():
            first = list(field.choices or [])[:1]
            placeholder_first = any(str(choice[0]) == "" for choice in first)
            if not field.flags.required or placeholder_first:
                return Markup(html)
        empty = self.render_option("", f"Choose a {field.noun}…", field.data is None)
        head, _, rest = html.partition(">")  # the end of ``<select ...>`` (values are escaped)
        return Markup(f"{head}>{empty}{rest}")


class RecordSelectField(SelectField):
    """A choice of a record by id. Empty gives ``None``; anything but an id is refused.

    Whether the id exists (and may be used) is checked against the database by the view, so
    the choices only serve to draw the list.
    """

    #: The chosen id, ``None`` when nothing was chosen.
    data: Any

    widget = _RecordSelect()

    def __init__(
        self, label: str | None = None, validators: Any = None, *, noun: str = "record", **kw: Any
    ) -> None:
        kw.setdefault("validate_choice", False)
        kw.setdefault("coerce", _coerce_id)
        super().__init__(label, validators, **kw)
        self.noun = noun
        #: Drawn like any select (the form macros choose the CSS class by type).
        self.type = "SelectField"

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist or not str(valuelist[0]).strip():
            self.data = None
            return
        self.data = parse_id(str(valuelist[0]).strip())
        if self.data is None:
            # No id to look up: views may query with ``data`` before validating the form.
            raise ValueError(f"Choose a {self.noun} from the list.")

    def pre_validate(self, form: Any) -> None:
        if self.process_errors:
            # Our message stands alone; ``DataRequired`` would add its own to the empty value.
            raise StopValidation()


def _coerce_id(value: Any) -> int | None:
    """The id of a choice: choices hold ints, or the text of an id (as the record selects of
    the forms are drawn)."""
    if value is None or value == "":
        return None
    if isinstance(value, int):
        return value
    return parse_id(str(value))
