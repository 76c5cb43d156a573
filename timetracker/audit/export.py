"""The audit trail as CSV: the rows of the page's filters, streamed in chunks.

Written like the time export (``documents/csv_export.py``): UTF-8 with a byte order mark, CRLF
line ends, and every text cell neutralised against formulas, since names, emails, browsers and
details are typed by people outside the firm (a failed sign-in records the address typed).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator

from flask_babel import gettext as _

from timetracker import firm
from timetracker.audit.queries import TrailFilter, TrailRow
from timetracker.documents.csv_export import BOM, ROWS_PER_CHUNK, neutralise


def header(zone: dt.tzinfo) -> list[str]:
    return [
        _("When (%(zone)s)", zone=zone),
        _("Who"),
        _("Who (email)"),
        _("What"),
        _("About whom"),
        _("Client"),
        _("Invoice"),
        _("Address"),
        _("Browser"),
        _("Detail"),
    ]


def when_text(at: dt.datetime, zone: dt.tzinfo) -> str:
    """The local time to the second, as spreadsheets read a date and time."""
    return at.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")


def cells(row: TrailRow, zone: dt.tzinfo) -> list[str]:
    return [
        when_text(row.at, zone),
        neutralise(row.actor_name),
        neutralise(row.actor_email),
        neutralise(row.label),
        neutralise(row.subject_email),
        neutralise(row.client_name),
        neutralise(row.invoice_number),
        neutralise(row.ip_address),
        neutralise(row.user_agent),
        neutralise(row.detail),
    ]


def csv_chunks(
    rows: Iterable[TrailRow], *, rows_per_chunk: int = ROWS_PER_CHUNK
) -> Iterator[bytes]:
    """The file as UTF-8 byte chunks: the BOM and the header first, then the rows."""
    zone = firm.timezone()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow(header(zone))
    pending = 0
    for row in rows:
        writer.writerow(cells(row, zone))
        pending += 1
        if pending >= rows_per_chunk:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    yield buffer.getvalue().encode("utf-8")


def filename(filters: TrailFilter) -> str:
    """``audit-trail-<range>.csv``: ASCII by construction (dates only)."""
    if filters.date_from and filters.date_to:
        span = f"{filters.date_from.isoformat()}-to-{filters.date_to.isoformat()}"
    elif filters.date_from:
        span = f"from-{filters.date_from.isoformat()}"
    elif filters.date_to:
        span = f"until-{filters.date_to.isoformat()}"
    else:
        span = "all-dates"
    return f"audit-trail-{span}.csv"
