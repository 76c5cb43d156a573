"""Time entry operations: the running timer and manual entries, with invoice locking."""

from __future__ import annotations

import datetime as dt

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from timetracker import firm
from timetracker.billing import publication
from timetracker.i18n import N_
from timetracker.insight.alerts import check_budget
from timetracker.models import Project, TimeEntry, User
from timetracker.webhooks import events as webhook_events


class TimeEntryError(ValueError):
    """A time entry operation that is not allowed. Its message is English (the API answers it
    and compares it) and marked for the catalogs: :func:`reason` is what a person reads."""


def reason(exc: ValueError) -> str:
    """The message of ``exc`` in the reader's language (as it is when the catalogs lack it)."""
    return str(gettext(str(exc)))


LOCKED = N_("This entry is on an invoice and can no longer be changed.")
ALREADY_RUNNING = N_("Your timer is already running. Stop it first.")
MAX_DURATION = dt.timedelta(hours=24 * 7)


def running_timer(session: Session, user_id: int) -> TimeEntry | None:
    return session.scalar(
        select(TimeEntry).where(TimeEntry.user_id == user_id, TimeEntry.end_time.is_(None))
    )


def start_timer(session: Session, user: User, project: Project, notes: str | None) -> TimeEntry:
    """Start the user's timer. The database allows one running timer per user."""
    if not project.is_active:
        raise TimeEntryError(N_("Time cannot be tracked on an archived project."))
    if running_timer(session, user.id) is not None:
        raise TimeEntryError(ALREADY_RUNNING)
    entry = TimeEntry(
        user_id=user.id,
        project_id=project.id,
        start_time=firm.now(),
        notes=notes or None,
        billable=project.billable,
    )
    try:
        with session.begin_nested():
            session.add(entry)
    except IntegrityError as exc:
        raise TimeEntryError(ALREADY_RUNNING) from exc
    return entry


def stop_timer(session: Session, user: User) -> TimeEntry:
    entry = halt_timer(session, user)
    completed(session, entry)
    return entry


def halt_timer(session: Session, user: User) -> TimeEntry:
    """Stop the user's timer without announcing the entry yet (see :func:`completed`)."""
    entry = running_timer(session, user.id)
    if entry is None:
        raise TimeEntryError(N_("No timer is running."))
    entry.stop(firm.now())
    session.flush()
    return entry


def completed(session: Session, entry: TimeEntry) -> None:
    """What follows a newly completed entry: its webhook and the project's budget alert."""
    webhook_events.time_entry_created(session, entry)
    check_budget(session, entry.project_id)


def validate_span(start: dt.datetime, end: dt.datetime) -> None:
    if end < start:
        raise TimeEntryError(N_("The end must not be before the start."))
    if end - start > MAX_DURATION:
        raise TimeEntryError(N_("An entry cannot be longer than 7 days."))


def create_entry(
    session: Session,
    user: User,
    project: Project,
    start: dt.datetime,
    end: dt.datetime,
    notes: str | None,
    billable: bool,
) -> TimeEntry:
    validate_span(start, end)
    entry = TimeEntry(
        user_id=user.id,
        project_id=project.id,
        start_time=start,
        notes=notes or None,
        billable=billable,
    )
    entry.stop(end)
    session.add(entry)
    session.flush()
    completed(session, entry)
    return entry


def update_entry(
    session: Session,
    entry: TimeEntry,
    project: Project,
    start: dt.datetime,
    end: dt.datetime | None,
    notes: str | None,
    billable: bool,
) -> None:
    if entry.is_locked:
        raise TimeEntryError(LOCKED)
    before = publication.vouched_for(entry)
    entry.project_id = project.id
    entry.start_time = start
    entry.notes = notes or None
    entry.billable = billable
    if end is not None:
        validate_span(start, end)
        entry.stop(end)
    publication.withdraw_if_changed(entry, before)  # the change waits for approval again
    session.flush()
    check_budget(session, project.id)


def delete_entry(session: Session, entry: TimeEntry) -> None:
    if entry.is_locked:
        raise TimeEntryError(LOCKED)
    session.delete(entry)
    session.flush()
