"""The one way a date is written in a locale, shown and typed: the locale's numeric date
with a four-digit year and two-digit day and month (en_US ``11/30/2026``, en_GB and fr_FR
``30/11/2026``, de_DE ``30.11.2026``).

It is derived from Babel's short date pattern (order and separators), forcing ``dd``, ``MM``
and ``yyyy``: the short pattern's two-digit year is ambiguous, and fixed widths keep the
dates of a table aligned. Every function takes the locale as an argument; the application's
locale is :func:`timetracker.formatting.current_locale`. Reading (with the supported range
and ISO ``YYYY-MM-DD``) is :func:`timetracker.parsing.parse_date`.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from typing import NamedTuple

from babel.core import Locale, UnknownLocaleError

#: A field of a CLDR pattern, a quoted literal, or literal text.
_TOKEN = re.compile(r"'(?:[^']|'')*'|([yYuMLd])\1*|[^yYuMLd']+")
#: Direction marks some locales put around separators (ar: ``d‏/M‏/y``).
_MARKS = str.maketrans("", "", "\u200e\u200f\u061c")


class DateFormat(NamedTuple):
    """How dates are written in a locale."""

    #: A CLDR pattern (``dd.MM.yyyy``) for Babel and for people who read CLDR.
    pattern: str
    #: ``strftime`` text (``%d.%m.%Y``): fast, and the same digits as the pattern.
    strftime: str
    #: What an empty input shows (``dd.mm.yyyy``).
    placeholder: str
    #: The typed text: day and month with one or two digits, a four-digit year.
    regex: re.Pattern[str]
    #: The order of the fields in ``regex``'s groups, e.g. ``("d", "M", "y")``.
    order: tuple[str, ...]


@lru_cache(maxsize=32)
def date_format(locale: str) -> DateFormat:
    """The locale's one date format; ISO order (``yyyy-MM-dd``) for an unknown locale."""
    try:
        short = str(Locale.parse(locale).date_formats["short"].pattern)
    except (UnknownLocaleError, ValueError, TypeError, KeyError):
        short = "yyyy-MM-dd"
    pattern, strftime, placeholder, regex = [], [], [], []
    order: list[str] = []
    for match in _TOKEN.finditer(short.translate(_MARKS)):
        token, field = match.group(0), match.group(1)
        if field is None:
            literal = token[1:-1].replace("''", "'") if token.startswith("'") else token
            pattern.append(token)
            strftime.append(literal.replace("%", "%%"))
            placeholder.append(literal)
            # Spaces around a separator are optional when typed ("30. 11. 2026").
            regex.append(r"\s*" + re.escape(literal.strip()) + r"\s*")
            continue
        kind = {"Y": "y", "u": "y", "L": "M"}.get(field, field)
        if kind in order:
            continue
        order.append(kind)
        pattern.append({"y": "yyyy", "M": "MM", "d": "dd"}[kind])
        strftime.append({"y": "%Y", "M": "%m", "d": "%d"}[kind])
        placeholder.append({"y": "yyyy", "M": "mm", "d": "dd"}[kind])
        regex.append("([0-9]{4})" if kind == "y" else "([0-9]{1,2})")
    if sorted(order) != ["M", "d", "y"]:
        return _iso()
    return DateFormat(
        "".join(pattern).strip(),
        "".join(strftime).strip(),
        "".join(placeholder).strip(),
        re.compile("".join(regex)),
        tuple(order),
    )


def _iso() -> DateFormat:
    return DateFormat(
        "yyyy-MM-dd",
        "%Y-%m-%d",
        "yyyy-mm-dd",
        re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})"),
        ("y", "M", "d"),
    )


def format_day(day: dt.date, locale: str) -> str:
    """``day`` in the locale's one format (``30.11.2026``)."""
    # strftime pads years below 1000 on some platforms only: write the year ourselves.
    text = date_format(locale).strftime.replace("%Y", f"{day.year:04d}")
    return day.strftime(text)


def split_day(text: str, locale: str) -> tuple[int, int, int] | None:
    """(year, month, day) of ``text`` written in the locale's format (ASCII digits), else
    ``None``; whether it is a real date in the supported range is the caller's question."""
    form = date_format(locale)
    match = form.regex.fullmatch(text.strip())
    if match is None:
        return None
    parts = dict(zip(form.order, (int(group) for group in match.groups()), strict=True))
    return parts["y"], parts["M"], parts["d"]
