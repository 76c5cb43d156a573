"""The editable week grid of time: hours typed per project and day, saved without a reload.

/time/week/cell   time_week_cell   staff  POST  JSON {project, day, hours}: one cell (time.js)
/time/week/save   time_week_save   staff  POST  the whole grid as a form (the page without JS)
/time/week/copy   time_week_copy   staff  POST  last week's hours into this week's empty cells

A cell is the signed-in person's total on one project and day; what typing a total does to the
entries behind it is :mod:`cells`. The grid only ever changes the person's own entries.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from flask import abort, flash, jsonify, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from timetracker import db, formatting, parsing
from timetracker.auth.access import Policy, UrlTable
from timetracker.billing import periods
from timetracker.formatting import hours
from timetracker.models import Project
from timetracker.workspace.record_select import choose_from_list
from timetracker.workspace.time import cells, queries, quick
from timetracker.workspace.time.queries import Week, WeekRow
from timetracker.workspace.time.timekeeping import TimeEntryError, reason


def cell_text(seconds: int) -> str:
    """How a cell shows its total (empty when there is none)."""
    return hours(seconds, seconds=True) if seconds else ""


@dataclass
class GridRow:
    row: WeekRow
    #: Whether the person may type into the row (their own week, a project that takes time).
    editable: bool


def grid_rows(week: Week, extra: Iterable[Project], editable_ids: set[int]) -> list[GridRow]:
    """The week's rows plus the ``extra`` projects (added or copied rows) without time yet."""
    rows = list(week.rows)
    present = {row.project_id for row in rows}
    for project in extra:
        if project.id not in present:
            rows.append(WeekRow(project.id, project.name, project.client.name, [0] * 7))
            present.add(project.id)
    rows.sort(key=lambda r: (r.client_name.casefold(), r.project_name.casefold()))
    return [GridRow(row, row.project_id in editable_ids) for row in rows]


def _json_error(message: str, status: int = 400) -> ResponseReturnValue:
    return jsonify(error=message), status


def time_week_cell() -> ResponseReturnValue:
    """Save one cell; answers the cell's new text and the totals it changes."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return _json_error(_("Send the cell as JSON: project, day and hours."))
    project_id = parsing.parse_id(str(body.get("project", "")))
    if project_id is None:
        return _json_error(choose_from_list("project"))
    try:
        day = parsing.parse_date(str(body.get("day", "")))
        seconds = cells.parse_cell(str(body.get("hours") or ""))
    except ValueError as exc:
        return _json_error(reason(exc))
    project = queries.trackable_project(project_id)
    if project is None:
        return _json_error(_(queries.UNTRACKABLE), 404)
    try:
        total = cells.set_day_total(db.session, current_user, project, day, seconds)
    except TimeEntryError as exc:
        return _json_error(reason(exc))
    week = queries.week_summary(current_user.id, periods.week_of(day))
    index = day.weekday()
    row = next((r for r in week.rows if r.project_id == project.id), None)
    return jsonify(
        seconds=total,
        value=cell_text(total),
        row_total=hours(row.total if row else 0, seconds=True),
        day_total=hours(week.day_totals[index], seconds=True),
        week_total=hours(week.total, seconds=True),
    )


def time_week_save() -> ResponseReturnValue:
    """The whole grid as a form: every cell whose text changed is saved, or none at all."""
    monday = periods.week_of(_posted_week())
    week = queries.week_summary(current_user.id, monday)
    shown = {(r.project_id, i): cell_text(s) for r in week.rows for i, s in enumerate(r.days)}
    changes: list[tuple[int, dt.date, str]] = []
    for name, text in request.form.items():
        parts = name.split("-", 2)
        if len(parts) != 3 or parts[0] != "cell":
            continue
        project_id, day = parsing.parse_id(parts[1]), _date_or_none(parts[2])
        if project_id is None or day is None or periods.week_of(day) != monday:
            abort(400, _("Unknown cell %(name)s.", name=repr(name)))
        if text.strip() != shown.get((project_id, day.weekday()), ""):
            changes.append((project_id, day, text))
    problems: list[str] = []
    projects = {p.id: p for p in queries.trackable_projects([c[0] for c in changes])}
    for project_id, day, text in changes:
        project = projects.get(project_id)
        where = f"{formatting.date(day)}, {project.name if project else _('unknown project')}"
        try:
            if project is None:
                raise TimeEntryError(queries.UNTRACKABLE)
            cells.set_day_total(db.session, current_user, project, day, cells.parse_cell(text))
        except ValueError as exc:  # TimeEntryError too
            problems.append(f"{where}: {reason(exc)}")
    if problems:
        abort(400, _("Nothing was saved. %(problems)s", problems=" ".join(problems)))
    flash(_("The week was saved."), "success")
    return redirect(url_for("workspace.time_week", week=monday.isoformat()))


def time_week_copy() -> ResponseReturnValue:
    """Last week's hours into this week's empty cells (cells with time stay as they are)."""
    monday = periods.week_of(_posted_week())
    before = periods.shift_days(monday, -7)
    if before is None or before < parsing.MIN_DATE:
        abort(400, _("There is no week before this one."))
    last = queries.week_summary(current_user.id, before)
    this = queries.week_summary(current_user.id, monday)
    filled = {(r.project_id, i) for r in this.rows for i, s in enumerate(r.days) if s}
    projects = {p.id: p for p in queries.trackable_projects([r.project_id for r in last.rows])}
    copied = 0
    for row in last.rows:
        project = projects.get(row.project_id)
        for i, seconds in enumerate(row.days):
            if project is None or not seconds or (row.project_id, i) in filled:
                continue
            day = monday + dt.timedelta(days=i)
            cells.set_day_total(db.session, current_user, project, day, seconds)
            copied += 1
    flash(
        ngettext(
            "Copied %(num)d day of time from last week.",
            "Copied %(num)d days of time from last week.",
            copied,
        ),
        "success",
    )
    return redirect(url_for("workspace.time_week", week=monday.isoformat()))


def _posted_week() -> dt.date:
    day = _date_or_none(request.form.get("week", ""))
    if day is None:
        abort(
            400,
            _(
                "Give the week as a date (YYYY-MM-DD), from %(first)s to %(last)s.",
                first=parsing.MIN_DATE.isoformat(),
                last=parsing.MAX_DATE.isoformat(),
            ),
        )
    return day


def _date_or_none(text: str) -> dt.date | None:
    try:
        day = parsing.parse_date(text)
    except ValueError:
        return None
    # Room for the week's arithmetic at both ends of the calendar.
    return day if parsing.MIN_DATE + dt.timedelta(days=7) <= day else None


POST = ["POST"]
URLS: UrlTable = [
    ("/time/week/cell", time_week_cell, POST, Policy.STAFF),
    ("/time/week/save", time_week_save, POST, Policy.STAFF),
    ("/time/week/copy", time_week_copy, POST, Policy.STAFF),
    ("/time/<int:entry_id>/restart", quick.time_entry_restart, POST, Policy.STAFF),
    ("/time/timer/undo", quick.timer_undo, POST, Policy.STAFF),
]
