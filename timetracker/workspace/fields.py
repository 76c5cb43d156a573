"""Form fields for the amounts, hours, durations and record choices people type.

Each field turns text into a value or says plainly what it accepts; a bad value becomes a message
on the form and the view answers 400.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from markupsafe import Markup
from wtforms import DateField, SelectField, StringField
from wtforms.validators import StopValidation, ValidationError
from wtforms.widgets import Select

from timetracker.parsing import DateValueError, parse_date, parse_id

#: The largest amount of money and of hours a form accepts (the columns are Numeric(12, 2)).
MAX_MONEY = Decimal("9999999999.99")
MAX_HOURS = Decimal("99999999.99")

_NUMBER = re.compile(r"^-?\d+([.,]\d+)?$")
_CLOCK = re.compile(r"^(\d+):([0-5]\d)$")


def parse_decimal(text: str) -> Decimal:
    """A plain decimal number (``.`` or ``,`` as the separator); ``ValueError`` otherwise."""
    text = text.strip().replace(" ", "")
    if not _NUMBER.match(text):
        raise ValueError(text)
    try:
        return Decimal(text.replace(",", "."))
    except InvalidOperation as exc:  # pragma: no cover - the pattern already rules this out
        raise ValueError(text) from exc


class DecimalTextField(StringField):
    """A decimal typed as text, with limits and a clear message.

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
        try:
            number = parse_decimal(self.data)
        except ValueError as exc:
            raise ValueError(
                f"Enter a number using digits and a decimal point, like {self.example}."
            ) from exc
        exponent = number.as_tuple().exponent  # an int: the pattern allows no NaN or Infinity
        if isinstance(exponent, int) and -exponent > self.places:
            raise ValueError(f"Use at most {self.places} decimal places.")
        if self.minimum is not None and number < self.minimum:
            raise ValueError(f"The value must be at least {self.minimum}.")
        if self.maximum is not None and number > self.maximum:
            raise ValueError(f"The value must be at most {self.maximum}.")
        self.number = number

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
    def __init__(self, label: str | None = None, validators: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("example", "20")
        super().__init__(label, validators, minimum=None, maximum=None, **kwargs)

    def pre_validate(self, form: Any) -> None:
        if self.number is not None and not Decimal(0) <= self.number <= Decimal(100):
            raise ValidationError("The tax rate must be between 0 and 100 percent.")


class DurationField(StringField):
    """A duration as ``H:MM`` or decimal hours (``1:30`` or ``1.5``); data is whole seconds."""

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
        if self.data.startswith("-"):
            raise ValueError("The duration must be more than zero.")
        clock = _CLOCK.match(self.data)
        if clock:
            seconds = int(clock.group(1)) * 3600 + int(clock.group(2)) * 60
        else:
            try:
                hours = parse_decimal(self.data)
            except ValueError as exc:
                raise ValueError(
                    "Enter the duration as hours:minutes (1:30) or hours (1.5)."
                ) from exc
            seconds = int((hours * 3600).to_integral_value())
        if seconds <= 0:
            raise ValueError("The duration must be more than zero.")
        if seconds > 24 * 3600:
            raise ValueError("One entry can last at most 24 hours; split longer work.")
        self.seconds = seconds

    def _value(self) -> str:
        return self.data or ""


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


class _RecordSelect(Select):
    """WTForms' select, with an empty first choice outside the groups when the choices are
    grouped: a required ``<select>`` must start with an empty option that no ``<optgroup>``
    holds (HTML's "placeholder label option"), and nobody is preselected into a record."""

    def __call__(self, field: Any, **kwargs: Any) -> Markup:
        html = str(super().__call__(field, **kwargs))
        if not field.has_groups():
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


#: The largest id the database's INTEGER columns hold.


def is_record_id(raw: str) -> bool:
    """Whether ``raw`` is an id the database could hold."""
    return parse_id(raw) is not None


def _coerce_id(value: Any) -> int | None:
    if value in (None, ""):
        return None
    return int(value)
