"""A member of staff's own time (scopes ``time:read`` and ``time:write``): entries and the
timer, through the workspace's operations (:mod:`timetracker.workspace.time.timekeeping`) and
reads (:mod:`timetracker.workspace.time.queries`), so the rules are the workspace's: an entry
on an invoice is locked (409), one timer per person (409), a span of at most seven days.

The owner is part of every query: another person's entry is a missing one (404), for
administrators too (a token is personal; the workspace pages change other people's time).

URL table (under /api/v1, policy ``token``):

    GET     /time-entries          time_entries       ?project_id=&client_id=&date_from=&date_to=
    POST    /time-entries          time_entry_create
    GET     /time-entries/<id>     time_entry
    PATCH   /time-entries/<id>     time_entry_update  If-Match: 412 when it changed
    DELETE  /time-entries/<id>     time_entry_delete
    GET     /timer                 timer              the running timer, if any
    POST    /timer/start           timer_start
    POST    /timer/stop            timer_stop
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from flask import Response, current_app, request, url_for
from sqlalchemy import func, select
from werkzeug.http import generate_etag

from timetracker import db
from timetracker.api import pagination, schemas
from timetracker.api.core import (
    IF_MATCH,
    Blueprint,
    bearer,
    cached_get,
    errors_doc,
    prepare,
    request_headers,
    token,
)
from timetracker.api.problems import Problem
from timetracker.api.tokens import TIME_READ, TIME_WRITE
from timetracker.billing import rules
from timetracker.models import Project, TimeEntry, User
from timetracker.parsing import MAX_ID, parse_whole
from timetracker.portal import params
from timetracker.workspace.paging import paginate
from timetracker.workspace.time import queries, timekeeping
from timetracker.workspace.time.queries import UNTRACKABLE
from timetracker.workspace.time.timekeeping import LOCKED, TimeEntryError

bp = Blueprint(
    "api_time",
    __name__,
    url_prefix="/api/v1",
    description="Your own time entries and timer (scopes time:read, time:write).",
)
prepare(bp)


def me() -> User:
    return bearer().user


def own_entry(entry_id: int) -> TimeEntry:
    """One of the token owner's entries, with its project and client; 404 for any other."""
    entry = db.session.scalars(
        queries.entries_with_names().where(TimeEntry.id == entry_id, TimeEntry.user_id == me().id)
    ).first()
    if entry is None:
        raise Problem(404)
    return entry


def _project(project_id: int, keep: TimeEntry | None = None) -> Project:
    """A project time may be tracked on; an entry keeps its own project even when that
    project no longer takes new time (as on the workspace's form)."""
    project = queries.trackable_project(project_id)
    if project is None and keep is not None and keep.project_id == project_id:
        project = keep.project
    if project is None:
        raise Problem(400, UNTRACKABLE, errors={"json": {"project_id": [UNTRACKABLE]}})
    return project


def _refused(exc: TimeEntryError, field: str = "end_time") -> Problem:
    """A refused operation: a locked entry or a timer's state is a conflict (409), a span
    the rules do not allow a bad field (400)."""
    message = str(exc)
    if message == LOCKED or "timer" in message.lower():
        return Problem(409, message)
    return Problem(400, message, errors={"json": {field: [message]}})


def _client_id() -> int | None:
    values = request.args.getlist("client_id")
    if not values or not values[0].strip():
        return None
    if len(values) > 1:
        raise Problem(400, "The parameter 'client_id' was given more than once; give it once.")
    number = parse_whole(values[0].strip(), 0, MAX_ID)
    if number is None:
        raise Problem(400, "'client_id' must be the number of a client.")
    return number


def entry_etag(entry: TimeEntry) -> str:
    """The ETag a GET of the entry answers with (a hash of the same JSON body)."""
    answer = cast(Response, current_app.json.response(schemas.TimeEntry().dump(entry)))
    body = answer.get_data()
    return generate_etag(body)


@bp.route("/time-entries", methods=["GET"])
@token(TIME_READ)
@bp.arguments(schemas.StaffTimeQuery, location="query", as_kwargs=True)
@bp.response(200, schemas.TimeEntryList, headers={"Link": pagination.LINK})
@cached_get(bp)
@errors_doc(bp)
def time_entries(**args: Any) -> Any:
    """Your time entries (a running one too), newest first, with the total time over all
    pages. The filters read as on the portal's time list."""
    try:
        portal_filters = params.time_filters(request.args)
    except params.ParamError as exc:
        raise Problem(400, str(exc)) from None
    filters = queries.TimeFilter(
        project_id=portal_filters.project_id,
        client_id=_client_id(),
        user_id=me().id,
        date_from=portal_filters.date_from,
        date_to=portal_filters.date_to,
    )
    wanted = pagination.page_request(args)
    stmt = (
        queries.entries_with_names()
        .where(*filters.conditions())
        .order_by(TimeEntry.start_time.desc(), TimeEntry.id.desc())
    )
    count = select(func.count(TimeEntry.id)).where(*filters.conditions())
    page = paginate(stmt, count_stmt=count, number=wanted.number, size=wanted.size)
    seconds = queries.total_seconds(filters)
    body = {"total_seconds": seconds, "total_hours": rules.hours(seconds)}
    return pagination.answer(page, body)


@bp.route("/time-entries", methods=["POST"])
@token(TIME_WRITE)
@bp.arguments(schemas.TimeEntryCreate)
@bp.response(201, schemas.TimeEntry, headers={"Location": {"schema": {"type": "string"}}})
@errors_doc(bp, 409, 413, 415)
def time_entry_create(body: dict[str, Any]) -> Any:
    """Record a finished piece of work on a project that takes time."""
    project = _project(body["project_id"])
    billable = body.get("billable", project.billable)
    try:
        entry = timekeeping.create_entry(
            db.session,
            me(),
            project,
            body["start_time"],
            body["end_time"],
            body.get("notes"),
            bool(billable),
        )
    except TimeEntryError as exc:
        raise _refused(exc) from None
    entry = own_entry(entry.id)
    location = url_for("api_time.time_entry", entry_id=entry.id)
    return entry, 201, {"Location": location}


@bp.route("/time-entries/<int:entry_id>", methods=["GET"])
@token(TIME_READ)
@bp.response(200, schemas.TimeEntry)
@cached_get(bp)
@errors_doc(bp)
def time_entry(entry_id: int) -> Any:
    """One of your entries."""
    return own_entry(entry_id)


@bp.route("/time-entries/<int:entry_id>", methods=["PATCH"])
@token(TIME_WRITE)
@bp.arguments(schemas.TimeEntryUpdate)
@bp.response(200, schemas.TimeEntry)
@request_headers(IF_MATCH)
@errors_doc(bp, 409, 412, 413, 415)
def time_entry_update(body: dict[str, Any], entry_id: int) -> Any:
    """Change one of your entries (the fields given); 409 when it is on an invoice."""
    entry = own_entry(entry_id)
    _check_if_match(entry)
    if entry.is_locked:
        raise Problem(409, LOCKED)
    project = _project(body.get("project_id", entry.project_id), keep=entry)
    start: dt.datetime = body.get("start_time", entry.start_time)
    end: dt.datetime | None = body.get("end_time", entry.end_time)
    try:
        timekeeping.update_entry(
            db.session,
            entry,
            project,
            start,
            end,
            body.get("notes", entry.notes),
            bool(body.get("billable", entry.billable)),
        )
    except TimeEntryError as exc:
        raise _refused(exc) from None
    db.session.expire(entry)
    return own_entry(entry_id)


@bp.route("/time-entries/<int:entry_id>", methods=["DELETE"])
@token(TIME_WRITE)
@bp.response(204)
@request_headers(IF_MATCH)
@errors_doc(bp, 409, 412)
def time_entry_delete(entry_id: int) -> Response:
    """Delete one of your entries; 409 when it is on an invoice."""
    entry = own_entry(entry_id)
    _check_if_match(entry)
    try:
        timekeeping.delete_entry(db.session, entry)
    except TimeEntryError as exc:
        raise _refused(exc) from None
    return Response(status=204)


def _check_if_match(entry: TimeEntry) -> None:
    if request.if_match and not request.if_match.contains(entry_etag(entry)):
        raise Problem(412)


@bp.route("/timer", methods=["GET"])
@token(TIME_READ)
@bp.response(200, schemas.Timer)
@cached_get(bp)
@errors_doc(bp)
def timer() -> Any:
    """Your running timer, if any."""
    entry = queries.running_timer(me().id)
    return {"running": entry is not None, "entry": entry}


@bp.route("/timer/start", methods=["POST"])
@token(TIME_WRITE)
@bp.arguments(schemas.TimerStart)
@bp.response(201, schemas.Timer)
@errors_doc(bp, 409, 413, 415)
def timer_start(body: dict[str, Any]) -> Any:
    """Start your timer on a project; 409 when it is running already."""
    project = _project(body["project_id"])
    try:
        entry = timekeeping.start_timer(db.session, me(), project, body.get("notes"))
    except TimeEntryError as exc:
        raise _refused(exc, "project_id") from None
    return {"running": True, "entry": own_entry(entry.id)}, 201


@bp.route("/timer/stop", methods=["POST"])
@token(TIME_WRITE)
@bp.response(200, schemas.TimeEntry)
@errors_doc(bp, 409, 413, 415)
def timer_stop() -> Any:
    """Stop your timer: the entry it made; 409 when no timer is running."""
    try:
        entry = timekeeping.stop_timer(db.session, me())
    except TimeEntryError as exc:
        raise _refused(exc) from None
    return own_entry(entry.id)
