"""Parsers of the kinds of value people type, one per kind, shared by the portal's query
parameters, the workspace forms, the admin forms and the session cookie: ids, page numbers and
other whole numbers, dates and date ranges, times of day, durations, decimal amounts (money,
hours, percentages) and colours. (Email addresses: :mod:`timetracker.emails`; redirect targets:
:mod:`timetracker.redirects`.)

Every parser reads ASCII digits only: Python's ``int``, ``Decimal``, ``\\d`` and ``strptime``
also read Arabic-Indic, fullwidth and other digits, which a person did not mean as a number
here. A parser either returns a clean value or raises a :class:`ValueError` whose message is
written for the person who typed the value.

Ids and page numbers: ASCII digits only (``str.isdecimal`` would take Arabic-Indic or fullwidth
digits, which ``int`` then reads), within what the database's INTEGER holds (ids) or
:data:`timetracker.pagination.MAX_PAGE` (pages).

Numbers and dates typed by people in the firm's locale (grouping, a decimal comma, a currency
sign, ``30.11.2026``) are read when a ``locale`` is given (:mod:`timetracker.local_numbers`,
:mod:`timetracker.local_dates`); without one, only the plain machine forms are read (``95.00``,
``2026-11-30``), as the API and links need. ISO dates are read in every locale.

Dates: the application supports the calendar days from :data:`MIN_DATE` to :data:`MAX_DATE`.
Python's calendar ends on 9999-12-31; stopping a year earlier leaves room for every piece of
arithmetic the application does on a typed date (the next week, the day after a range, a due
date up to 365 days after the issue date, a timezone offset) without leaving the calendar.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import ngettext

from timetracker import local_dates, local_numbers
from timetracker.pagination import MAX_PAGE

#: The first and last day a person may type.
MIN_DATE = dt.date(1900, 1, 1)
MAX_DATE = dt.date(9998, 12, 31)
#: The range in English, for the API's messages (people's messages are translated in full).
DATE_RANGE_TEXT = f"from {MIN_DATE.isoformat()} to {MAX_DATE.isoformat()}"

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
#: The largest id the database's INTEGER columns hold.
MAX_ID = 2**31 - 1
_WHOLE = re.compile(r"[0-9]{1,20}")


#: The largest amount of money and of hours a form accepts (the columns are Numeric(12, 2)).
MAX_MONEY = Decimal("9999999999.99")
MAX_HOURS = Decimal("99999999.99")
#: The longest payment terms an invoice may have, in days (a due date stays in the calendar).
MAX_PAYMENT_TERMS_DAYS = 365
#: The longest a single time entry may last.
MAX_DURATION_SECONDS = 24 * 3600

_DECIMAL = re.compile(r"(-?)([0-9]{1,30})(?:[.,]([0-9]{1,30}))?")
_TIME_OF_DAY = re.compile(r"([01]?[0-9]|2[0-3]):([0-5][0-9])")
_CLOCK_DURATION = re.compile(r"([0-9]{1,6}):([0-5][0-9])")
_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")


class DateValueError(ValueError):
    """Text that is not a supported date; the message says what is accepted."""


def parse_date(text: str, locale: str | None = None) -> dt.date:
    """A date written ``YYYY-MM-DD`` (ASCII digits) within the supported range, or, given a
    ``locale``, also in the locale's format (``30.11.2026``, day and month may have one digit).

    Raises :class:`DateValueError` with a message for the person who typed it.
    """
    value = text.strip()
    iso = _DATE.fullmatch(value) is not None
    if iso:
        parts: tuple[int, int, int] | None = (int(value[:4]), int(value[5:7]), int(value[8:10]))
    else:
        parts = local_dates.split_day(value, locale) if locale else None
    if parts is None:
        if locale is None:
            raise DateValueError(_("Write the date as YYYY-MM-DD, for example 2026-01-31."))
        raise DateValueError(
            _(
                "Write the date as %(format)s (or YYYY-MM-DD), for example %(example)s.",
                **_date_hint(locale),
            )
        )
    try:
        day = dt.date(*parts)
    except ValueError:
        if locale and not iso:
            message = _(
                "%(value)s is not a real calendar date; write it as %(format)s (or YYYY-MM-DD), "
                "for example %(example)s.",
                value=value,
                **_date_hint(locale),
            )
        else:
            message = _("%(value)s is not a real calendar date.", value=value)
        raise DateValueError(message) from None
    if not MIN_DATE <= day <= MAX_DATE:
        if locale is None or iso:  # the range in the form the person typed
            first, last = MIN_DATE.isoformat(), MAX_DATE.isoformat()
        else:
            first, last = (local_dates.format_day(d, locale) for d in (MIN_DATE, MAX_DATE))
        raise DateValueError(
            _("The date must be from %(first)s to %(last)s.", first=first, last=last)
        )
    return day


def _date_hint(locale: str) -> dict[str, str]:
    """The format (``dd.mm.yyyy``) and an example (``31.01.2026``) of a date in ``locale``."""
    return {
        "format": local_dates.date_format(locale).placeholder,
        "example": local_dates.format_day(dt.date(2026, 1, 31), locale),
    }


def check_date_range(date_from: dt.date | None, date_to: dt.date | None) -> None:
    """Refuse a range whose end comes before its start (either end may be open)."""
    if date_from is not None and date_to is not None and date_to < date_from:
        raise DateValueError(_("The end of the range must not be before its start."))


def parse_time_of_day(text: str) -> dt.time:
    """A time of day written ``H:MM`` or ``HH:MM`` (ASCII digits, 00:00 to 23:59)."""
    match = _TIME_OF_DAY.fullmatch(text.strip())
    if match is None:
        raise ValueError(_("Not a valid time value. Write it as HH:MM, from 00:00 to 23:59."))
    return dt.time(int(match.group(1)), int(match.group(2)))


def parse_duration(text: str, locale: str | None = None) -> int:
    """A duration as ``H:MM`` or decimal hours (``1:30`` or ``1.5``; in the ``locale`` when
    given, ``1,5`` in de), in whole seconds, more than zero and at most
    :data:`MAX_DURATION_SECONDS`."""
    value = text.strip()
    clock = _CLOCK_DURATION.fullmatch(value)
    if clock:
        seconds = int(clock.group(1)) * 3600 + int(clock.group(2)) * 60
    else:
        try:
            hours = (
                parse_decimal(value)
                if locale is None
                else local_numbers.read_number(value, locale, format_hint="")
            )
        except ValueError:
            raise ValueError(
                _("Enter the duration as hours:minutes (1:30) or hours (1.5).")
            ) from None
        seconds = int((hours * 3600).to_integral_value())
    if seconds <= 0:
        raise ValueError(_("The duration must be more than zero."))
    if seconds > MAX_DURATION_SECONDS:
        raise ValueError(_("One entry can last at most 24 hours; split longer work."))
    return seconds


def parse_decimal(text: str) -> Decimal:
    """A plain decimal number: ASCII digits, an optional leading ``-`` and ``.`` or ``,`` as the
    separator (at most 30 digits on each side); ``ValueError`` otherwise."""
    match = _DECIMAL.fullmatch(text.strip())
    if match is None:
        raise ValueError(text)
    sign, whole, fraction = match.groups()
    return Decimal(f"{sign}{whole}.{fraction}" if fraction else f"{sign}{whole}")


def parse_amount(
    text: str,
    *,
    places: int = 2,
    minimum: Decimal | None = Decimal("0"),
    maximum: Decimal | None = None,
    example: str = "95.00",
    locale: str | None = None,
    currency: str | None = None,
    clock: bool = False,
    percent: bool = False,
) -> Decimal:
    """A decimal amount (money, hours, a quantity, a percentage) with at most ``places``
    decimal places, within ``minimum`` and ``maximum``.

    Without a ``locale``: a plain decimal (:func:`parse_decimal`). With one: as people type it
    there (:func:`timetracker.local_numbers.read_number`): grouped, with the sign or code of
    ``currency``, ``H:MM`` when ``clock``, a trailing ``%`` when ``percent``; ``example`` (a
    plain number) is then shown in the locale's format."""
    if locale is None:
        try:
            number = parse_decimal(text)
        except ValueError:
            raise ValueError(
                _(
                    "Enter a number using digits and a decimal point, like %(example)s.",
                    example=example,
                )
            ) from None
    else:
        hint = _format_hint(example, locale, currency=currency, clock=clock)
        number = local_numbers.read_number(
            text, locale, format_hint=hint, currency=currency, clock=clock, percent=percent
        )
    exponent = number.as_tuple().exponent  # an int: the readers allow no NaN or Infinity
    if isinstance(exponent, int) and -exponent > places:
        raise ValueError(
            ngettext(
                "Use at most %(num)d decimal place.", "Use at most %(num)d decimal places.", places
            )
        )
    if minimum is not None and number < minimum:
        raise ValueError(
            _("The value must be at least %(minimum)s.", minimum=_shown(minimum, locale))
        )
    if maximum is not None and number > maximum:
        raise ValueError(
            _("The value must be at most %(maximum)s.", maximum=_shown(maximum, locale))
        )
    return number


def _format_hint(example: str, locale: str, *, currency: str | None, clock: bool) -> str:
    """How to write the amount, the end of every message of
    :func:`timetracker.local_numbers.read_number`: ``like 8,800.00 or $8,800.00``."""
    plain = local_numbers.example(example, locale)
    if currency is None:
        if clock:
            return _("like %(example)s or 1:30 (hours:minutes)", example=plain)
        return _("like %(example)s", example=plain)
    money = local_numbers.example(example, locale, currency=currency)
    if clock:
        return _(
            "like %(example)s or %(money)s or 1:30 (hours:minutes)", example=plain, money=money
        )
    return _("like %(example)s or %(money)s", example=plain, money=money)


def _shown(value: Decimal, locale: str | None) -> str:
    return str(value) if locale is None else local_numbers.format_number(value, locale)


def parse_percent(text: str, locale: str | None = None) -> Decimal:
    """A percentage from 0 to 100 with at most two decimal places (a tax rate); in the
    ``locale`` when given (``19,5`` or ``19,5 %`` in de)."""
    number = parse_amount(text, minimum=None, example="20", locale=locale, percent=True)
    if not Decimal(0) <= number <= Decimal(100):
        raise ValueError(_("The tax rate must be between 0 and 100 percent."))
    return number


def parse_colour(text: str) -> str:
    """A colour written ``#RRGGBB`` (hexadecimal digits), returned in lower case."""
    value = text.strip()
    if not _COLOUR.fullmatch(value):
        raise ValueError(
            _(
                "Enter the colour as # and six hexadecimal digits, like #1F4E79, or leave it "
                "empty for the standard portal colours."
            )
        )
    return value.lower()


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
