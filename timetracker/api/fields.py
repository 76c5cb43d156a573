"""marshmallow fields of the API that read values with the app's own parsers
(:mod:`timetracker.parsing`): a query parameter or a body means what it means in a form."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from marshmallow import ValidationError, fields

from timetracker import parsing


class Money(fields.Field):
    """A decimal amount written as a string with two places (``"1234.50"``): exact, unlike a
    JSON number. Documented as ``string``/``decimal``."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        if value is None:
            return None
        return f"{Decimal(value):.2f}"


class QueryWhole(fields.Integer):
    """A whole number in ASCII digits from ``low`` to ``high`` (``parsing.parse_whole``)."""

    def __init__(self, low: int, high: int, message: str, **kwargs: Any) -> None:
        metadata = {"minimum": low, "maximum": high, **kwargs.pop("metadata", {})}
        super().__init__(metadata=metadata, **kwargs)
        self.low, self.high, self.message = low, high, message

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        number = parsing.parse_whole(str(value).strip(), self.low, self.high)
        if number is None:
            raise ValidationError(self.message)
        return number


class QueryDate(fields.Date):
    """A day written YYYY-MM-DD within the supported dates (``parsing.parse_date``)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> dt.date:
        try:
            return parsing.parse_date(str(value))
        except parsing.DateValueError as exc:
            raise ValidationError(str(exc)) from None


class Instant(fields.AwareDateTime):
    """An ISO 8601 date and time with its UTC offset, within the supported dates; in UTC."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> dt.datetime:
        if not isinstance(value, str) or not value.isascii():
            raise ValidationError("Write the time as ISO 8601 with ASCII digits.")
        moment = super()._deserialize(value, attr, data, **kwargs)
        if not parsing.MIN_DATE <= moment.date() <= parsing.MAX_DATE:
            raise ValidationError(f"The date must be {parsing.DATE_RANGE_TEXT}.")
        return moment.astimezone(dt.UTC)


def no_nul(text: str | None) -> None:
    """No field takes a NUL character (PostgreSQL cannot store one in text)."""
    if text is not None and "\x00" in text:
        raise ValidationError("The text contains a NUL character (0x00).")
