"""Writing iCalendar (RFC 5545) text: escaping, line folding, all-day events.

Lines end in CRLF and are folded at 75 octets (a CRLF and one space before each continuation,
never inside a UTF-8 character). TEXT values escape backslash, semicolon, comma and newlines;
other control characters are dropped.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

LINE_OCTETS = 75
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def escape_text(value: str) -> str:
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = _CONTROL.sub("", value)
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def fold(line: str) -> str:
    """One content line, folded into pieces of at most 75 octets (the first piece included;
    each continuation's leading space counts), joined by CRLF."""
    pieces: list[str] = []
    current = ""
    size = 0
    limit = LINE_OCTETS
    for char in line:
        width = len(char.encode())
        if size + width > limit:
            pieces.append(current)
            current, size, limit = "", 0, LINE_OCTETS - 1
        current += char
        size += width
    pieces.append(current)
    return "\r\n ".join(pieces)


def _date(value: dt.date) -> str:
    return value.strftime("%Y%m%d")


def _stamp(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


@dataclass(frozen=True)
class AllDayEvent:
    uid: str
    day: dt.date
    summary: str
    description: str
    url: str
    categories: str


def calendar(name: str, events: Iterable[AllDayEvent], stamp: dt.datetime) -> str:
    """The whole VCALENDAR document."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//TimeTracker//Calendar feed//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
        "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
        "X-PUBLISHED-TTL:PT1H",
    ]
    for event in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{escape_text(event.uid)}",
            f"DTSTAMP:{_stamp(stamp)}",
            f"DTSTART;VALUE=DATE:{_date(event.day)}",
            # One day (DTEND is exclusive); without it an all-day event lasts one day too,
            # which is all 9999-12-31 can have.
            *(
                [f"DTEND;VALUE=DATE:{_date(event.day + dt.timedelta(days=1))}"]
                if event.day < dt.date.max
                else []
            ),
            f"SUMMARY:{escape_text(event.summary)}",
            f"DESCRIPTION:{escape_text(event.description)}",
            f"URL:{event.url}",
            f"CATEGORIES:{escape_text(event.categories)}",
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
