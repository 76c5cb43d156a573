"""Monthly totals of completed time entries per project, kept in step with every ORM write.

The portal's counts, hours and amounts over a client's whole history read these rows (at most
one per project and month) instead of every entry, so they cost the same at 10,000 or 1,000,000
entries. Only the partial months at the ends of a date range are summed from the entries.

``billable_seconds`` and ``billable_cents`` follow the billing rules (``timetracker.billing``):
billable means the entry and its project are; the cents are the sum of the entries' values at
the project's current rate. So a change of a project's rate or billable flag, or of its
client's default rate, recomputes that project's months (:func:`refresh_projects`). Bulk loads
that bypass the ORM call :func:`rebuild` afterwards.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKeyConstraint,
    Index,
    Integer,
    and_,
    case,
    delete,
    event,
    func,
    insert,
    literal,
    literal_column,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.orm.attributes import get_history
from sqlalchemy.sql.elements import ColumnClause

from timetracker.db import Base
from timetracker.models.clients import Client
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
            "billable_cents",
        ),
    )

    project_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(Integer)
    #: First day of the UTC month in which the entries started.
    month: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    entries: Mapped[int] = mapped_column(Integer, default=0)
    seconds: Mapped[int] = mapped_column(Integer, default=0)
    #: Seconds of billable time (the entry and its project billable).
    billable_seconds: Mapped[int] = mapped_column(Integer, default=0)
    #: The value of that time in cents: the sum of the entries' values.
    billable_cents: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")


_COLUMNS = [
    "project_id",
    "client_id",
    "month",
    "entries",
    "seconds",
    "billable_seconds",
    "billable_cents",
]


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
    """Add (``sign`` +1) or take away (-1) one entry, in one statement: the project's client,
    billable flag and rate are read by the same INSERT .. SELECT that writes the month."""
    from timetracker.billing.expressions import entry_value_cents, rate_cents

    billed = and_(literal(billable, Boolean), Project.billable.is_(True))
    value = entry_value_cents(literal(seconds, Integer), rate_cents())
    row = (
        select(
            literal(project_id, Integer),
            Project.client_id,
            literal(month_of(start), Date),
            literal(sign, Integer),
            literal(sign * seconds, Integer),
            case((billed, sign * seconds), else_=0),
            case((billed, sign * value), else_=0),
        )
        .join(Client, Client.id == Project.client_id)
        .where(Project.id == project_id)
    )
    table = TimeEntryMonth.__table__
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(table).from_select(_COLUMNS, row)
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.project_id, table.c.month],
        set_={
            "entries": table.c.entries + stmt.excluded.entries,
            "seconds": table.c.seconds + stmt.excluded.seconds,
            "billable_seconds": table.c.billable_seconds + stmt.excluded.billable_seconds,
            "billable_cents": table.c.billable_cents + stmt.excluded.billable_cents,
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


@event.listens_for(Project, "after_update")
def _project_updated(_mapper: Any, connection: Connection, project: Project) -> None:
    if any(get_history(project, name).has_changes() for name in ("billable", "hourly_rate")):
        refresh_projects(connection, [project.id])


@event.listens_for(Client, "after_update")
def _client_updated(_mapper: Any, connection: Connection, client: Client) -> None:
    if get_history(client, "default_hourly_rate").has_changes():
        ids = connection.scalars(
            select(Project.id).where(Project.client_id == client.id, Project.hourly_rate.is_(None))
        ).all()
        refresh_projects(connection, list(ids))


def _month_expression(connection: Connection) -> ColumnClause[Any]:
    if connection.dialect.name == "postgresql":
        return literal_column(
            "date_trunc('month', time_entries.start_time AT TIME ZONE 'UTC')::date"
        )
    return literal_column("date(time_entries.start_time, 'start of month')")


def _recompute(connection: Connection, project_ids: list[int] | None) -> None:
    from timetracker.billing.expressions import (
        billable_cents_sum,
        billable_seconds_sum,
        seconds_sum,
    )

    month = _month_expression(connection)
    grouped = (
        select(
            TimeEntry.project_id,
            TimeEntry.client_id,
            month,
            func.count(TimeEntry.id),
            seconds_sum(),
            billable_seconds_sum(),
            billable_cents_sum(),
        )
        .join(Project, Project.id == TimeEntry.project_id)
        .join(Client, Client.id == Project.client_id)
        .where(TimeEntry.end_time.is_not(None))
        .group_by(TimeEntry.project_id, TimeEntry.client_id, month)
    )
    clear = delete(TimeEntryMonth)
    if project_ids is not None:
        grouped = grouped.where(TimeEntry.project_id.in_(project_ids))
        clear = clear.where(TimeEntryMonth.project_id.in_(project_ids))
    connection.execute(clear)
    connection.execute(insert(TimeEntryMonth).from_select(_COLUMNS, grouped))


def refresh_projects(connection: Connection, project_ids: list[int]) -> None:
    """Recompute the months of these projects (after a change of rate or billable flag)."""
    if project_ids:
        _recompute(connection, project_ids)


def rebuild(connection: Connection) -> None:
    """Recompute every row from the entries (after a bulk load that bypassed the ORM)."""
    _recompute(connection, None)
