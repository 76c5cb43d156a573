"""Timers stopped under a minute are discarded, and the discard can be undone for a while.

A discarded timer is deleted (it was a mis-click, and never billed: it no longer exists). What
it was is signed into a token (``itsdangerous`` with the app's secret) that the flash message's
"Undo" button posts back; a valid token younger than :data:`UNDO_SECONDS` restores the entry as
an ordinary completed entry. A tampered, foreign or expired token restores nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import current_app
from itsdangerous import BadData, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session

from timetracker.i18n import N_
from timetracker.models import Project, TimeEntry, User
from timetracker.workspace.time import timekeeping
from timetracker.workspace.time.timekeeping import TimeEntryError, create_entry

#: A timer stopped before this many seconds is discarded.
MIN_TIMER_SECONDS = 60
#: How long the "Undo" of a discarded timer works.
UNDO_SECONDS = 600
_SALT = "timetracker.timer-undo"

INVALID = N_("This undo link is not valid or has expired (undo works for 10 minutes).")


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def is_short(entry: TimeEntry) -> bool:
    return entry.duration_seconds is not None and entry.duration_seconds < MIN_TIMER_SECONDS


def discard(session: Session, entry: TimeEntry) -> str:
    """Delete the short, just stopped ``entry``; returns the token that restores it."""
    assert entry.end_time is not None  # noqa: S101 - only a stopped timer is discarded
    token = _serializer().dumps(
        {
            "user": entry.user_id,
            "project": entry.project_id,
            "start": entry.start_time.isoformat(),
            "end": entry.end_time.isoformat(),
            "notes": entry.notes,
            "billable": entry.billable,
        }
    )
    session.delete(entry)
    session.flush()
    return token


def restore(session: Session, user: User, token: str) -> TimeEntry:
    """The entry ``token`` describes, created again (or found, when restored already).

    Raises :class:`TimeEntryError` for a bad, foreign or expired token."""
    try:
        data: dict[str, Any] = _serializer().loads(token, max_age=UNDO_SECONDS)
        start = dt.datetime.fromisoformat(data["start"])
        end = dt.datetime.fromisoformat(data["end"])
        project_id, owner = int(data["project"]), int(data["user"])
        notes, billable = data["notes"], bool(data["billable"])
    except (BadData, KeyError, TypeError, ValueError):
        raise TimeEntryError(INVALID) from None
    if owner != user.id or start.tzinfo is None or end.tzinfo is None:
        raise TimeEntryError(INVALID)
    project = session.get(Project, project_id)
    if project is None:
        raise TimeEntryError(N_("The project of this timer no longer exists."))
    existing = session.scalar(
        select(TimeEntry).where(
            TimeEntry.user_id == user.id,
            TimeEntry.project_id == project_id,
            TimeEntry.start_time == start,
        )
    )
    if existing is not None:  # a second click of the same "Undo"
        return existing
    return create_entry(session, user, project, start, end, notes, billable)


def stop_timer(session: Session, user: User) -> tuple[TimeEntry, str | None]:
    """Stop ``user``'s timer: the entry, and the undo token when it ran under a minute and was
    discarded (it is then deleted and never announced)."""
    entry = timekeeping.halt_timer(session, user)
    if is_short(entry):
        return entry, discard(session, entry)
    timekeeping.completed(session, entry)
    return entry, None
