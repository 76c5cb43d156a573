"""The staff CSV export of the time list, with the list's own filters.

/time/export.csv   time_entries_csv   staff   ?project=&client=&user=&date_from=&date_to=&awaiting=
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence

from flask import abort, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from timetracker import db
from timetracker.documents.csv_export import BOM, HEADER, csv_chunks, export_filename
from timetracker.documents.responses import csv_response
from timetracker.documents.staff_export import staff_export_rows
from timetracker.i18n import _l
from timetracker.workspace.clients.queries import get_client
from timetracker.workspace.projects.queries import get_project
from timetracker.workspace.time.forms import time_filter_form
from timetracker.workspace.time.queries import TimeFilter, get_staff_user

#: The columns' headings in the reader's language, by their English names (``HEADER``).
COLUMNS = {
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


def time_entries_csv() -> ResponseReturnValue:
    """The time list's entries as CSV: the same form validates the same filters."""
    form = time_filter_form(request.args, current_user.id)
    if not form.validate():
        problems = [
            f"{form[name].label.text}: {' '.join(map(str, errors))}"
            for name, errors in form.errors.items()
        ]
        abort(400, _("The export filters are not valid. %(problems)s", problems=" ".join(problems)))
    filters = form.filters()
    filename = export_filename(_subject(filters), filters.date_from, filters.date_to)
    rows = staff_export_rows(db.session, filters.conditions())
    header = [str(COLUMNS.get(name, name)) for name in HEADER]
    return csv_response(with_header(csv_chunks(rows), header), filename)


def with_header(chunks: Iterator[bytes], header: Sequence[str]) -> Iterator[bytes]:
    """``chunks`` of a CSV file (a BOM, then the header line first) with ``header`` as its
    header line: the columns' headings in the reader's language."""
    first = next(chunks, None)
    if first is None:
        return
    _english, _newline, rest = first.decode("utf-8").partition("\r\n")
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(header)
    yield (BOM + buffer.getvalue() + rest).encode("utf-8")
    yield from chunks


def _subject(filters: TimeFilter) -> str:
    """What the file is about, for its name: the chosen client, project and person."""
    names: list[str] = []
    if filters.client_id is not None and (client := get_client(filters.client_id)):
        names.append(client.name)
    if filters.project_id is not None and (project := get_project(filters.project_id)):
        names.append(project.name if names else f"{project.client.name} {project.name}")
    if filters.user_id is not None and (user := get_staff_user(filters.user_id)):
        names.append(user.name)
    return " ".join(names) or "all-clients"
