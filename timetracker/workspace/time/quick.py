"""Quick timer actions: restart the timer from an earlier entry, undo a discarded short timer.

/time/<id>/restart   time_entry_restart   staff   POST   a timer on the entry's project and notes
/time/timer/undo     timer_undo           staff   POST   token=  (the signed discarded timer)
"""

from __future__ import annotations

from flask import abort, flash, redirect, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from timetracker import db
from timetracker.workspace.common import found, safe_next
from timetracker.workspace.time import queries, timekeeping, undo
from timetracker.workspace.time.timekeeping import TimeEntryError, reason


def time_entry_restart(entry_id: int) -> ResponseReturnValue:
    """Start the timer again on what one of the person's own entries was about."""
    entry = found(queries.own_entry(entry_id, current_user.id))
    project = queries.trackable_project(entry.project_id)
    if project is None:
        abort(400, _(queries.UNTRACKABLE))
    try:
        timekeeping.start_timer(db.session, current_user, project, entry.notes)
    except TimeEntryError as exc:
        abort(400, reason(exc))
    flash(_("Timer started on %(project)s.", project=project.name), "success")
    return redirect(safe_next("workspace.time_entries"))


def timer_undo() -> ResponseReturnValue:
    """Restore the timer that the signed ``token`` describes (see :mod:`undo`)."""
    try:
        entry = undo.restore(db.session, current_user, request.form.get("token", ""))
    except TimeEntryError as exc:
        abort(400, reason(exc))
    flash(_("The timer was restored (%(hours)s hours).", hours=entry.hours), "success")
    return redirect(safe_next("workspace.time_entries"))
