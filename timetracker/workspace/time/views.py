"""Time views: the entry list with filters, the weekly view, the timer and manual entries.

An entry to edit or delete is loaded with the signed-in person in the query
(``queries.entry_to_change``): another person's entry is a missing one (404); administrators
change everyone's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from babel.dates import format_date
from flask import abort, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_login import current_user

from timetracker import db, firm, i18n, parsing
from timetracker.billing import periods
from timetracker.models import Project, TimeEntry
from timetracker.workspace.choices import staff_choices
from timetracker.workspace.common import empty_page, found, render_form, safe_next
from timetracker.workspace.time import grid, queries, timekeeping, undo
from timetracker.workspace.time.forms import (
    TimeEntryForm,
    WeekForm,
    choose_project,
    picker_choices,
    time_filter_form,
    timer_form,
)
from timetracker.workspace.time.timekeeping import TimeEntryError, reason

ENTRY_FORM = "workspace/time_entry_form.html"


def time_entries() -> ResponseReturnValue:
    form = time_filter_form(request.args, current_user.id)
    status = 200
    if form.validate():
        filters = form.filters()
        page = queries.time_entries_page(filters)
        total = queries.total_seconds(filters)
        groups = by_day(page.items)
        day_totals = queries.day_totals(filters, [day for day, _ in groups])
    else:
        status, page, total, groups, day_totals = 400, empty_page(), 0, [], {}
    args = {k: v for k, v in request.args.items() if k != "page"}
    args.setdefault("user", str(current_user.id))
    return (
        render_template(
            "workspace/time_entries.html",
            filter_form=form,
            page=page,
            page_args=args,
            total_seconds=total,
            groups=groups,
            day_totals=day_totals,
            # The publish gate's approval is for administrators (``approval.py``).
            may_approve=current_user.is_admin,
            timer=queries.running_timer(current_user.id),
            timer_form=timer_form(current_user.id),
        ),
        status,
    )


def time_week() -> ResponseReturnValue:
    form = WeekForm(request.args)
    form.user.choices = staff_choices()
    if not form.validate():
        return render_form("workspace/time_week.html", 400, form=form, week=None, person=None)
    person = found(queries.get_staff_user(form.user.data or current_user.id))
    monday = periods.week_of(form.week.data or firm.today())
    form.user.data = person.id
    mine = person.id == current_user.id
    week = queries.week_summary(person.id, monday)
    last_week = queries.week_summary(person.id, monday - dt.timedelta(days=7))
    asked = [i for raw in request.args.getlist("projects") if (i := parsing.parse_id(raw))]
    extra = queries.trackable_projects(asked) if mine else []
    shown = [*(r.project_id for r in week.rows), *(p.id for p in extra)]
    editable = {p.id for p in queries.trackable_projects(shown)} if mine else set()
    choices, _recent = picker_choices(current_user.id)
    language = i18n.current_language()
    return render_template(
        "workspace/time_week.html",
        form=form,
        person=person,
        week=week,
        # The days' names in the reader's language (``Mon`` and ``Monday`` in English).
        day_names=[format_date(day, "EEE", locale=language) for day in week.days],
        weekday_names=[format_date(day, "EEEE", locale=language) for day in week.days],
        rows=grid.grid_rows(week, extra, editable),
        mine=mine,
        extra_ids=[p.id for p in extra],
        copy_ids=sorted({r.project_id for r in last_week.rows} | {p.id for p in extra})
        if last_week.rows
        else [],
        add_choices=choices,
        today=firm.today(),
        this_week=periods.week_of(firm.today()),
        previous=_week_link(periods.shift_days(monday, -7)),
        next=_week_link(periods.shift_days(monday, 7)),
    )


def _week_link(monday: dt.date | None) -> dt.date | None:
    """A neighbouring week to link to, unless it leaves the supported dates."""
    if monday is None or not parsing.MIN_DATE <= monday <= parsing.MAX_DATE:
        return None
    return monday


def timer_start() -> ResponseReturnValue:
    form = timer_form(current_user.id)
    if not form.validate_on_submit():
        return render_form("workspace/timer_start.html", 400, form=form)
    project = queries.trackable_project(form.project.data)
    if project is None:
        form.project.errors.append(gettext(queries.UNTRACKABLE))
        return render_form("workspace/timer_start.html", 400, form=form)
    try:
        timekeeping.start_timer(db.session, current_user, project, form.notes.data)
    except TimeEntryError as exc:
        form.project.errors.append(reason(exc))
        return render_form("workspace/timer_start.html", 400, form=form)
    flash(gettext("Timer started on %(project)s.", project=project.name), "success")
    return redirect(safe_next("workspace.time_entries"))


def timer_stop() -> ResponseReturnValue:
    try:
        entry, undo_token = undo.stop_timer(db.session, current_user)
    except TimeEntryError as exc:
        abort(400, reason(exc))
    if undo_token is not None:
        # The navigation bar draws the "Undo" button once (``_timer_nav.html``).
        session["timer_undo"] = undo_token
        flash(gettext("Timer discarded: it ran for less than a minute."), "warning")
    else:
        flash(gettext("Timer stopped after %(hours)s hours.", hours=entry.hours), "success")
    return redirect(safe_next("workspace.time_entries"))


def time_entry_new() -> ResponseReturnValue:
    form = TimeEntryForm()
    if request.method == "GET":
        form.day.data = firm.today()
        form.start.data = dt.time(9, 0)
        form.project.data = parsing.parse_id(request.args.get("project"))
    choose_project(form.project, current_user.id)
    if request.method == "GET":
        return render_template(ENTRY_FORM, form=form, entry=None)
    project, span = _validated(form, None)
    if project is None or span is None:
        return render_form(ENTRY_FORM, 400, form=form, entry=None)
    start, end = span
    if end is None:  # a new entry always ends (``TimeEntryForm.validate``)
        abort(400, gettext("Enter an end time or a duration."))
    try:
        timekeeping.create_entry(
            db.session, current_user, project, start, end, form.notes.data, bool(form.billable.data)
        )
    except TimeEntryError as exc:
        form.end.errors.append(reason(exc))
        return render_form(ENTRY_FORM, 400, form=form, entry=None)
    flash(gettext("The time entry was saved."), "success")
    return redirect(url_for("workspace.time_entries"))


def time_entry_edit(entry_id: int) -> ResponseReturnValue:
    entry = found(queries.entry_to_change(entry_id, current_user))
    form = TimeEntryForm()
    form.may_run = entry.is_running
    choose_project(form.project, current_user.id, include_ids=[entry.project_id])
    if entry.is_locked:
        status = 400 if request.method == "POST" else 200
        return render_form(ENTRY_FORM, status, form=None, entry=entry)
    if request.method == "GET":
        _fill(form, entry)
        return render_template(ENTRY_FORM, form=form, entry=entry)
    project, span = _validated(form, entry)
    if project is None or span is None:
        return render_form(ENTRY_FORM, 400, form=form, entry=entry)
    try:
        timekeeping.update_entry(
            db.session, entry, project, span[0], span[1], form.notes.data, bool(form.billable.data)
        )
    except TimeEntryError as exc:
        form.end.errors.append(reason(exc))
        return render_form(ENTRY_FORM, 400, form=form, entry=entry)
    flash(gettext("The time entry was updated."), "success")
    return redirect(url_for("workspace.time_entries"))


def time_entry_delete(entry_id: int) -> ResponseReturnValue:
    entry = found(queries.entry_to_change(entry_id, current_user))
    try:
        timekeeping.delete_entry(db.session, entry)
    except TimeEntryError as exc:
        abort(400, reason(exc))
    flash(gettext("The time entry was deleted."), "success")
    return redirect(safe_next("workspace.time_entries"))


# helpers ------------------------------------------------------------------------------------
def by_day(entries: Iterable[TimeEntry]) -> list[tuple[dt.date, list[TimeEntry]]]:
    """``entries`` (newest first) in groups by the local day they start on."""
    groups: list[tuple[dt.date, list[TimeEntry]]] = []
    for entry in entries:
        day = firm.local(entry.start_time).date()
        if not groups or groups[-1][0] != day:
            groups.append((day, []))
        groups[-1][1].append(entry)
    return groups


def _fill(form: TimeEntryForm, entry: TimeEntry) -> None:
    start = firm.local(entry.start_time)
    form.project.data = entry.project_id
    form.day.data = start.date()
    form.start.data = start.time().replace(second=0, microsecond=0)
    form.notes.data = entry.notes
    form.billable.data = entry.billable
    if entry.end_time is not None:
        end = firm.local(entry.end_time)
        if end.date() == start.date():
            form.end.data = end.time().replace(second=0, microsecond=0)
        else:
            seconds = entry.duration_seconds or 0
            form.duration.data = f"{seconds // 3600}:{seconds // 60 % 60:02d}"


def _validated(
    form: TimeEntryForm, entry: TimeEntry | None
) -> tuple[Project | None, tuple[dt.datetime, dt.datetime | None] | None]:
    """The project and the UTC span the form describes, or ``(None, None)`` with errors set.

    An entry keeps its own project even when that project no longer takes new time."""
    if not form.validate_on_submit():
        return None, None
    project = queries.trackable_project(form.project.data)
    if project is None and entry is not None and form.project.data == entry.project_id:
        project = entry.project
    if project is None:
        form.project.errors.append(gettext(queries.UNTRACKABLE))
        return None, None
    tz = firm.timezone()
    start = dt.datetime.combine(form.day.data, form.start.data, tzinfo=tz).astimezone(dt.UTC)
    end: dt.datetime | None = None
    if form.end.data is not None:
        end = dt.datetime.combine(form.day.data, form.end.data, tzinfo=tz).astimezone(dt.UTC)
        if end < start:
            form.end.errors.append(gettext("The end must not be before the start."))
            return None, None
        if form.duration.seconds is not None and form.duration.seconds != int(
            (end - start).total_seconds()
        ):
            form.duration.errors.append(
                gettext("The end time and the duration disagree; fill in only one of them.")
            )
            return None, None
    elif form.duration.seconds is not None:
        end = start + dt.timedelta(seconds=form.duration.seconds)
    return project, (start, end)
