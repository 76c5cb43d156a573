"""Parsers of the kinds of value people type, one per kind, shared by the portal's query
parameters, the workspace forms, the admin forms and the session cookie.

Ids and page numbers: ASCII digits only (``str.isdecimal`` would take Arabic-Indic or fullwidth
digits, which ``int`` then reads), within what the database's INTEGER holds (ids) or
:data:`timetracker.pagination.MAX_PAGE` (pages).

Dates: the application supports the calendar days from :data:`MIN_DATE` to :data:`MAX_DATE`.
Python's calendar ends on 9999-12-31; stopping a year earlier leaves room for every piece of
arithmetic the application does on a typed date (the next week, the day after a range, a due
date up to 365 days after the issue date, a timezone offset) without leaving the calendar.
"""

from __future__ import annotations

import datetime as dt
import re

from timetracker.pagination import MAX_PAGE

#: The first and last day a person may type.
MIN_DATE = dt.date(1900, 1, 1)
MAX_DATE = dt.date(9998, 12, 31)
DATE_RANGE_TEXT = f"from {MIN_DATE.isoformat()} to {MAX_DATE.isoformat()}"

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
#: The largest id the database's INTEGER columns hold.
MAX_ID = 2**31 - 1
_WHOLE = re.compile(r"[0-9]{1,20}")


class DateValueError(ValueError):
    """Text that is not a supported date; the message says what is accepted."""


def parse_date(text: str) -> dt.date:
    """A date written ``YYYY-MM-DD`` (ASCII digits) within the supported range.

    Raises :class:`DateValueError` with a message for the person who typed it.
    """
    value = text.strip()
    if not _DATE.fullmatch(value):
        raise DateValueError("Write the date as YYYY-MM-DD, for example 2026-01-31.")
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise DateValueError(f"{value} is not a real calendar date.") from None
    if not MIN_DATE <= day <= MAX_DATE:
        raise DateValueError(f"The date must be {DATE_RANGE_TEXT}.")
    return day


def parse_whole(text: str | None, low: int, high: int) -> int | None:
    """A whole number written in ASCII digits from ``low`` to ``high``, else ``None``."""
    if text is None or not _WHOLE.fullmatch(text):
        return None
    number = int(text)
    return number if low <= number <= high else None


def parse_id(text: str | None) -> int | None:
    """A record id (1 to :data:`MAX_ID`), else ``None``."""
    return parse_whole(text, 1, MAX_ID)


def parse_page(text: str | None) -> int | None:
    """A page number (1 to ``MAX_PAGE``), else ``None``."""
    return parse_whole(text, 1, MAX_PAGE)
