"""CSV export of time entries: streamed in chunks, in constant memory.

The rows come from a streaming query (``yield_per``: a server-side cursor on PostgreSQL), each
with ``start_time``, ``duration_seconds``, ``notes``, ``billable``, ``value_cents``,
``currency``, ``project_name``, ``user_name`` and ``invoice_number``. Nothing here holds more
than one chunk of rows.

Text cells that a spreadsheet would read as a formula are neutralised (OWASP "CSV injection").
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Collection, Iterable, Iterator
from typing import Any, Protocol

from werkzeug.http import dump_options_header

from timetracker import firm
from timetracker.billing import rules
from timetracker.i18n import _l

HEADER = (
    "Date",
    "Project",
    "Notes",
    "User",
    "Hours",
    "Seconds",
    "Billable",
    "Amount",
    "Currency",
    "Invoice",
)
#: The header row as people read it, in the language being spoken (``HEADER`` names the
#: columns in code: ``dropped``).
HEADER_LABELS = {
    "Date": _l("Date"),
    "Project": _l("Project"),
    "Notes": _l("Notes"),
    "User": _l("User"),
    "Hours": _l("Hours"),
    "Seconds": _l("Seconds"),
    "Billable": _l("Billable"),
    "Amount": _l("Amount"),
    "Currency": _l("Currency"),
    "Invoice": _l("Invoice"),
}
#: Characters that make Excel, LibreOffice or Google Sheets start a formula (or a DDE call).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
#: Rows written between two yields: big enough for few, large writes; small enough to be cheap.
ROWS_PER_CHUNK = 1000
#: Excel needs the byte order mark to read UTF-8; other tools skip it.
BOM = "\ufeff"


class ExportRow(Protocol):
    start_time: dt.datetime
    duration_seconds: int | None
    notes: str | None
    billable: bool
    value_cents: int | None
    currency: str
    project_name: str
    user_name: str
    invoice_number: str | None


#: The characters that start a formula once leading whitespace is trimmed, and their Unicode
#: compatibility forms (fullwidth ＝, small ﹢, superscript ⁼ ...: NFKC folds them to the ASCII
#: character), which a spreadsheet may fold the same way.
FORMULA_STARTS = (
    "=", "+", "-", "@",
    "\u207c", "\u208c", "\ufe66", "\uff1d",  # equals
    "\u207a", "\u208a", "\ufb29", "\ufe62", "\uff0b",  # plus
    "\ufe63", "\uff0d",  # hyphen-minus
    "\ufe6b", "\uff20",  # commercial at
)  # fmt: skip
#: Where a spreadsheet may start a new cell: comma, semicolon, tab, a line break (when it ignores
#: the quotes), other line and record separators, and the compatibility forms of , and ;.
_SEPARATORS = (
    ",;\t\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"
    "\ufe10\ufe50\uff0c"  # comma
    "\u037e\ufe14\ufe54\uff1b"  # semicolon
)
#: What a spreadsheet may skip before a formula start: whitespace (trimmed), double quotes (taken
#: for a field's text delimiter) and invisible characters.
_GAP = '[\\s"\uff02\u200b-\u200d\u2060\ufeff]*'
_STARTS_CLASS = "[" + re.escape("".join(FORMULA_STARTS)) + "]"
#: A separator, then what may be skipped, then a formula start.
_FRAGMENT_FORMULA = re.compile(f"([{re.escape(_SEPARATORS)}]{_GAP})({_STARTS_CLASS})")
#: A cell that starts with a formula start once what may be skipped is skipped.
_CELL_FORMULA = re.compile(f"{_GAP}{_STARTS_CLASS}")


def neutralise(value: str | None) -> str:
    """The cell as text that no spreadsheet reads as a formula, whatever separator it splits
    on (``,``, ``;``, tab, a line break) and whether it trims spaces.

    A formula start after a separator (and optional whitespace or quotes) gets a ``'`` before
    it (``ok;=1+1`` -> ``ok;'=1+1``), and so does the whole cell when it starts with a formula
    start after optional whitespace or quotes, or with a tab or CR. Fullwidth and other
    compatibility forms of ``= + - @ , ;`` count as those characters. Other text is unchanged.
    """
    if not value:
        return ""
    text = _FRAGMENT_FORMULA.sub(r"\1'\2", value)
    if text.startswith(FORMULA_TRIGGERS) or _CELL_FORMULA.match(text):
        return "'" + text
    return text


def hours_text(seconds: int | None) -> str:
    """Hours with two decimals and a ``.``, as every page rounds them (``rules.hundredths``)."""
    value = rules.hundredths(seconds)
    return f"{value // 100}.{value % 100:02d}"


def cents_text(cents: int | None) -> str:
    """An entry's value with two decimals and a ``.``; empty when it is not billable."""
    if cents is None:
        return ""
    return f"{cents // 100}.{cents % 100:02d}"


def entry_cells(row: ExportRow, zone: dt.tzinfo) -> list[str]:
    return [
        row.start_time.astimezone(zone).date().isoformat(),
        neutralise(row.project_name),
        neutralise(row.notes),
        neutralise(row.user_name),
        hours_text(row.duration_seconds),
        str(row.duration_seconds or 0),
        "yes" if row.billable else "no",
        cents_text(row.value_cents),
        row.currency,
        neutralise(row.invoice_number),
    ]


def csv_chunks(
    rows: Iterable[Any],
    *,
    rows_per_chunk: int = ROWS_PER_CHUNK,
    dropped: Collection[str] = (),
) -> Iterator[bytes]:
    """The CSV file as UTF-8 byte chunks: a BOM and the header first, then the rows, without
    the columns named in ``dropped`` (what a client's portal does not show).

    Dates are the entry's start day in the firm's timezone; hours and amounts have two decimals
    and a ``.`` as the decimal point whatever the locale, so that spreadsheets read them as
    numbers. Seconds are the exact duration: their sum / 3600 is the total the pages show,
    and the amounts sum to the billable amount the pages show (each entry's value is rounded
    to the cent on its own; see ``timetracker.billing.rules``).
    """
    keep = [i for i, name in enumerate(HEADER) if name not in dropped]
    zone = firm.timezone()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow([str(HEADER_LABELS[HEADER[i]]) for i in keep])
    pending = 0
    for row in rows:
        cells = entry_cells(row, zone)
        writer.writerow([cells[i] for i in keep])
        pending += 1
        if pending >= rows_per_chunk:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    yield buffer.getvalue().encode("utf-8")


#: Letters that Unicode does not decompose into a base letter and an accent.
_TRANSLITERATE = str.maketrans(
    {
        "ø": "o",
        "Ø": "O",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "ß": "ss",
        "đ": "d",
        "Đ": "D",
        "ł": "l",
        "Ł": "L",
        "þ": "th",
        "Þ": "Th",
        "ð": "d",
        "Ð": "D",
        "ı": "i",
    }
)


def _slug(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.translate(_TRANSLITERATE))
    ascii_text = text.encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60]


def export_filename(subject: str | None, date_from: dt.date | None, date_to: dt.date | None) -> str:
    """``time-entries-<subject>-<range>.csv``.

    For example ``time-entries-muller-son-2026-03-01-to-2026-03-31.csv``.
    """
    if date_from and date_to:
        span = f"{date_from.isoformat()}-to-{date_to.isoformat()}"
    elif date_from:
        span = f"from-{date_from.isoformat()}"
    elif date_to:
        span = f"until-{date_to.isoformat()}"
    else:
        span = "all-dates"
    parts = ["time-entries", _slug(subject or ""), span]
    return "-".join(part for part in parts if part) + ".csv"


def attachment_header(filename: str) -> str:
    """A ``Content-Disposition`` value for downloading ``filename`` (ASCII by construction)."""
    return dump_options_header("attachment", {"filename": filename})
