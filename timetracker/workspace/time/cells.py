"""A cell of the week grid: the total of one person's time on one project on one day.

Typing a new total changes the entries behind the cell only when that is unambiguous:

* no entry yet: one entry is created, starting at 09:00 in the firm's timezone or, when the
  person already has time that day, where their last entry of the day ends;
* one unlocked, completed entry: its end moves so that it lasts the new total (emptying the
  cell, or typing 0, deletes it);
* several entries, a running timer or an invoiced (locked) entry: refused with a message; such
  days are changed in the time list, where each entry is seen.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from timetracker import parsing
from timetracker.billing import periods
from timetracker.i18n import N_
from timetracker.models import Project, TimeEntry, User
from timetracker.workspace.time.timekeeping import (
    TimeEntryError,
    create_entry,
    delete_entry,
    update_entry,
)

#: When the first entry of an empty day starts (local time).
DAY_START = dt.time(9, 0)

SEVERAL = N_("Several entries make this total: change them in the time list.")
LOCKED = N_("This time is on an invoice and can no longer be changed.")
RUNNING = N_("A timer is running on this project today: stop it first.")


#: Zero as people type it in a cell: ``0``, ``0:00``, ``0.0``, ``0,00`` (not a lone ``.``).
_ZERO = re.compile(r"0+(?:[.,:]0*)?")


def parse_cell(text: str | None) -> int:
    """Seconds typed into a cell (``1:30``, ``1.5``, ``1,5``); empty or zero is 0. Anything
    else goes to :func:`parsing.parse_duration`, so a stray ``.`` is refused, not read as 0."""
    value = (text or "").strip()
    if not value or _ZERO.fullmatch(value):
        return 0
    return parsing.parse_duration(value)


def day_entries(session: Session, user_id: int, day: dt.date) -> Sequence[TimeEntry]:
    """The person's entries starting on ``day`` (local), any project, in order."""
    start, end = periods.local_day_start(day), periods.local_day_start(day + dt.timedelta(days=1))
    return session.scalars(
        select(TimeEntry)
        .where(
            TimeEntry.user_id == user_id,
            TimeEntry.start_time >= start,
            TimeEntry.start_time < end,
        )
        .order_by(TimeEntry.start_time, TimeEntry.id)
    ).all()


def set_day_total(
    session: Session, user: User, project: Project, day: dt.date, seconds: int
) -> int:
    """Make ``user``'s time on ``project`` on ``day`` last ``seconds``; returns the new total.

    Raises :class:`TimeEntryError` (nothing changed) when the cell stands for more than one
    entry, a running timer or invoiced time."""
    entries = day_entries(session, user.id, day)
    mine = [e for e in entries if e.project_id == project.id]
    current = sum(e.duration_seconds or 0 for e in mine)
    if seconds == current and all(not e.is_running for e in mine):
        return current
    if any(e.is_running for e in mine):
        raise TimeEntryError(RUNNING)
    if any(e.is_locked for e in mine):
        raise TimeEntryError(LOCKED)
    if len(mine) > 1:
        raise TimeEntryError(SEVERAL)
    if mine:
        entry = mine[0]
        if seconds == 0:
            delete_entry(session, entry)
        else:
            end = entry.start_time + dt.timedelta(seconds=seconds)
            update_entry(
                session, entry, project, entry.start_time, end, entry.notes, entry.billable
            )
        return seconds
    if seconds == 0:
        return 0
    start = _free_start(entries, day)
    create_entry(
        session, user, project, start, start + dt.timedelta(seconds=seconds), None, project.billable
    )
    return seconds


def _free_start(entries: Sequence[TimeEntry], day: dt.date) -> dt.datetime:
    """09:00 local, or the end of the day's last entry when that is later (still that day)."""
    start = periods.local_day_start(day, DAY_START)
    ends = [e.end_time or e.start_time for e in entries]
    next_day = periods.local_day_start(day + dt.timedelta(days=1))
    if ends and max(ends) > start:
        start = max(ends)
    if start >= next_day:  # the day is full: begin before midnight, it still counts that day
        start = next_day - dt.timedelta(minutes=1)
    return start
