"""Monthly totals of completed time entries per project, kept in step with every ORM write.

The portal's counts and hour totals over a client's whole history read these rows (at most one
per project and month) instead of every entry, so they cost the same at 10,000 or 1,000,000
entries. Only the partial months at the ends of a date range are summed from the entries.
Bulk loads that bypass the ORM call :func:`rebuild` afterwards.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    Date,
    ForeignKeyConstraint,
    Index,
    Integer,
    case,
    delete,
    event,
    func,
    insert,
    literal_column,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.orm.attributes import get_history
from sqlalchemy.sql.elements import ColumnClause

from timetracker.db import Base
from timetracker.models.projects import Project
from timetracker.models.time_entries import TimeEntry


class TimeEntryMonth(Base):
    __tablename__ = "time_entry_months"
    __table_args__ = (
        # The project's client, like on the entries: a client's months are one index range.
        ForeignKeyConstraint(
            ["project_id", "client_id"],
            ["projects.id", "projects.client_id"],
            name="fk_time_entry_months_project_client",
            onupdate="CASCADE",
            ondelete="CASCADE",
        ),
        Index(
            "ix_time_entry_months_client_id_month",
            "client_id",
            "month",
            "entries",
            "seconds",
            "billable_seconds",
        ),
    )

    project_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(Integer)
    #: First day of the UTC month in which the entries started.
    month: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    entries: Mapped[int] = mapped_column(Integer, default=0)
    seconds: Mapped[int] = mapped_column(Integer, default=0)
    billable_seconds: Mapped[int] = mapped_column(Integer, default=0)


def month_of(moment: dt.datetime) -> dt.date:
    return moment.astimezone(dt.UTC).date().replace(day=1)


def _apply(
    connection: Connection,
    project_id: int,
    start: dt.datetime,
    seconds: int,
    billable: bool,
    sign: int,
) -> None:
    values = {
        "project_id": project_id,
        "client_id": select(Project.client_id).where(Project.id == project_id).scalar_subquery(),
        "month": month_of(start),
        "entries": sign,
        "seconds": sign * seconds,
        "billable_seconds": sign * seconds if billable else 0,
    }
    table = TimeEntryMonth.__table__
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(table).values(**values)
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.project_id, table.c.month],
        set_={
            "entries": table.c.entries + stmt.excluded.entries,
            "seconds": table.c.seconds + stmt.excluded.seconds,
            "billable_seconds": table.c.billable_seconds + stmt.excluded.billable_seconds,
        },
    )
    connection.execute(stmt)


def _old(entry: TimeEntry, name: str) -> Any:
    """The attribute's value as the database has it now (before this flush)."""
    history = get_history(entry, name)
    if history.deleted:
        return history.deleted[0]
    if history.added:
        return None  # it was empty before
    if history.unchanged:
        return history.unchanged[0]
    return getattr(entry, name)


_FIELDS = ("project_id", "start_time", "end_time", "duration_seconds", "billable")


def _add(connection: Connection, entry: TimeEntry) -> None:
    """Count the entry as it is now, if it is completed."""
    if entry.end_time is not None:
        _apply(
            connection,
            entry.project_id,
            entry.start_time,
            entry.duration_seconds or 0,
            entry.billable,
            +1,
        )


def _remove(connection: Connection, entry: TimeEntry) -> None:
    """Uncount the entry as the database still has it, if it was completed."""
    if _old(entry, "end_time") is not None:
        _apply(
            connection,
            _old(entry, "project_id"),
            _old(entry, "start_time"),
            _old(entry, "duration_seconds") or 0,
            _old(entry, "billable"),
            -1,
        )


@event.listens_for(TimeEntry, "after_insert")
def _inserted(_mapper: Any, connection: Connection, entry: TimeEntry) -> None:
    _add(connection, entry)


@event.listens_for(TimeEntry, "before_update")
def _updating(_mapper: Any, connection: Connection, entry: TimeEntry) -> None:
    if any(get_history(entry, name).has_changes() for name in _FIELDS):
        _remove(connection, entry)
        _add(connection, entry)


@event.listens_for(TimeEntry, "before_delete")
def _deleting(_mapper: Any, connection: Connection, entry: TimeEntry) -> None:
    _remove(connection, entry)


def rebuild(connection: Connection) -> None:
    """Recompute every row from the entries (after a bulk load that bypassed the ORM)."""
    month: ColumnClause[Any]
    if connection.dialect.name == "postgresql":
        month = literal_column("date_trunc('month', start_time AT TIME ZONE 'UTC')::date")
    else:
        month = literal_column("date(start_time, 'start of month')")
    connection.execute(delete(TimeEntryMonth))
    grouped = (
        select(
            TimeEntry.project_id,
            TimeEntry.client_id,
            month,
            func.count(TimeEntry.id),
            func.sum(TimeEntry.duration_seconds),
            func.sum(case((TimeEntry.billable.is_(True), TimeEntry.duration_seconds), else_=0)),
        )
        .where(TimeEntry.end_time.is_not(None))
        .group_by(TimeEntry.project_id, TimeEntry.client_id, month)
    )
    connection.execute(
        insert(TimeEntryMonth).from_select(
            ["project_id", "client_id", "month", "entries", "seconds", "billable_seconds"],
            grouped,
        )
    )
