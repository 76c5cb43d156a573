"""The staff CSV export of the time list, with the list's own filters.

/time/export.csv   time_entries_csv   staff   ?project=&client=&user=&date_from=&date_to=&awaiting=
"""

from __future__ import annotations

from flask import abort, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from timetracker import db
from timetracker.documents.csv_export import csv_chunks, export_filename
from timetracker.documents.responses import csv_response
from timetracker.documents.staff_export import staff_export_rows
from timetracker.workspace.clients.queries import get_client
from timetracker.workspace.projects.queries import get_project
from timetracker.workspace.time.forms import time_filter_form
from timetracker.workspace.time.queries import TimeFilter, get_staff_user


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
    return csv_response(csv_chunks(rows), filename)


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
