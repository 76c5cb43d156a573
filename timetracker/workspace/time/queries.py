"""Reads of time entries: the filtered list, the weekly grid, the running timer, and the entry a
person may change (scoped in the query: another person's entry is not found)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, Select, and_, case, func, select
from sqlalchemy.orm import contains_eager

from timetracker import db
from timetracker.billing import periods
from timetracker.billing.publication import awaiting_approval_condition
from timetracker.i18n import N_
from timetracker.models import Client, Project, ProjectStatus, TimeEntry, User
from timetracker.models.users import STAFF_ROLES
from timetracker.workspace.paging import Page, paginate

#: Why a project cannot take time (English, for the API; ``gettext`` it for a person).
UNTRACKABLE = N_("Unknown project, or one that is archived or deactivated.")


@dataclass(frozen=True)
class TimeFilter:
    project_id: int | None = None
    client_id: int | None = None
    user_id: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    #: Only entries waiting for approval (the publish gate).
    awaiting: bool = False

    def conditions(self) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        if self.awaiting:
            conditions.append(awaiting_approval_condition())
        if self.project_id is not None:
            conditions.append(TimeEntry.project_id == self.project_id)
        if self.client_id is not None:
            conditions.append(TimeEntry.client_id == self.client_id)
        if self.user_id is not None:
            conditions.append(TimeEntry.user_id == self.user_id)
        start, end = periods.day_bounds(self.date_from, self.date_to)
        if start is not None:
            conditions.append(TimeEntry.start_time >= start)
        if end is not None:
            conditions.append(TimeEntry.start_time < end)
        return conditions


def entries_with_names() -> Select[tuple[TimeEntry]]:
    """Entries with their project, client and person loaded in the same statement."""
    return (
        select(TimeEntry)
        .join(TimeEntry.project)
        .join(Project.client)
        .join(TimeEntry.user)
        .options(
            contains_eager(TimeEntry.project).contains_eager(Project.client),
            contains_eager(TimeEntry.user),
        )
    )


def time_entries_page(filters: TimeFilter) -> Page:
    conditions = filters.conditions()
    stmt = (
        entries_with_names()
        .where(*conditions)
        .order_by(TimeEntry.start_time.desc(), TimeEntry.id.desc())
    )
    count = select(func.count(TimeEntry.id)).where(*conditions)
    return paginate(stmt, count_stmt=count)


def total_seconds(filters: TimeFilter) -> int:
    return int(
        db.session.scalar(
            select(func.coalesce(func.sum(TimeEntry.duration_seconds), 0)).where(
                *filters.conditions()
            )
        )
        or 0
    )


def entry_to_change(entry_id: int, user: User) -> TimeEntry | None:
    """The entry ``user`` may change: one of their own, or (for an administrator) anyone's.

    The person is part of the query, so another person's entry is not found at all (a 404 like
    a missing id); only an administrator opts out of that condition.
    """
    stmt = entries_with_names().where(TimeEntry.id == entry_id)
    if not user.is_admin:
        stmt = stmt.where(TimeEntry.user_id == user.id)
    return db.session.scalars(stmt).first()


def running_timer(user_id: int) -> TimeEntry | None:
    return db.session.scalars(
        entries_with_names().where(TimeEntry.user_id == user_id, TimeEntry.end_time.is_(None))
    ).first()


def trackable_project(project_id: int | None) -> Project | None:
    """The project if time may be tracked on it: active, and its client active."""
    if project_id is None:
        return None
    return db.session.scalar(
        select(Project)
        .join(Project.client)
        .options(contains_eager(Project.client))
        .where(
            Project.id == project_id,
            Project.status == ProjectStatus.ACTIVE,
            Client.is_active.is_(True),
        )
    )


def get_staff_user(user_id: int) -> User | None:
    """A member of staff (or an administrator); nobody else has time to show."""
    return db.session.scalar(select(User).where(User.id == user_id, User.role.in_(STAFF_ROLES)))


# The week -----------------------------------------------------------------------------------
@dataclass
class WeekRow:
    project_id: int
    project_name: str
    client_name: str
    days: list[int]

    @property
    def total(self) -> int:
        return sum(self.days)


@dataclass
class Week:
    monday: dt.date
    rows: list[WeekRow] = field(default_factory=list)

    @property
    def days(self) -> list[dt.date]:
        return [self.monday + dt.timedelta(days=i) for i in range(7)]

    @property
    def day_totals(self) -> list[int]:
        return [sum(row.days[i] for row in self.rows) for i in range(7)]

    @property
    def total(self) -> int:
        return sum(self.day_totals)


def week_summary(user_id: int, monday: dt.date) -> Week:
    """Seconds per project and day of the week (by the local day an entry starts on)."""
    bounds = [periods.local_day_start(monday + dt.timedelta(days=i)) for i in range(8)]
    day_sums = [
        func.coalesce(
            func.sum(
                case(
                    (
                        and_(
                            TimeEntry.start_time >= bounds[i], TimeEntry.start_time < bounds[i + 1]
                        ),
                        TimeEntry.duration_seconds,
                    ),
                    else_=0,
                )
            ),
            0,
        )
        for i in range(7)
    ]
    rows = db.session.execute(
        select(Project.id, Project.name, Client.name, *day_sums)
        .select_from(TimeEntry)
        .join(Project, Project.id == TimeEntry.project_id)
        .join(Client, Client.id == TimeEntry.client_id)
        .where(
            TimeEntry.user_id == user_id,
            TimeEntry.end_time.is_not(None),
            TimeEntry.start_time >= bounds[0],
            TimeEntry.start_time < bounds[7],
        )
        .group_by(Project.id, Project.name, Client.name)
        .order_by(Client.name, Project.name)
    ).all()
    week = Week(monday=monday)
    for project_id, project_name, client_name, *days in rows:
        week.rows.append(WeekRow(project_id, project_name, client_name, [int(d) for d in days]))
    return week


def recent_project_ids(user_id: int, limit: int = 5) -> list[int]:
    """The projects of the person's latest entries, newest first, that still take time."""
    latest = (
        select(TimeEntry.project_id, func.max(TimeEntry.start_time).label("last"))
        .where(TimeEntry.user_id == user_id)
        .group_by(TimeEntry.project_id)
        .subquery()
    )
    return list(
        db.session.scalars(
            select(latest.c.project_id)
            .join(Project, Project.id == latest.c.project_id)
            .join(Client, Client.id == Project.client_id)
            .where(Project.status == ProjectStatus.ACTIVE, Client.is_active.is_(True))
            .order_by(latest.c.last.desc(), latest.c.project_id)
            .limit(limit)
        )
    )


def trackable_projects(project_ids: list[int]) -> list[Project]:
    """The projects among ``project_ids`` that take time, with their clients, by name."""
    if not project_ids:
        return []
    return list(
        db.session.scalars(
            select(Project)
            .join(Project.client)
            .options(contains_eager(Project.client))
            .where(
                Project.id.in_(project_ids),
                Project.status == ProjectStatus.ACTIVE,
                Client.is_active.is_(True),
            )
            .order_by(Client.name, Project.name)
        )
    )


def own_entry(entry_id: int, user_id: int) -> TimeEntry | None:
    """One of the person's own entries (another person's is not found)."""
    return db.session.scalars(
        entries_with_names().where(TimeEntry.id == entry_id, TimeEntry.user_id == user_id)
    ).first()


def day_totals(filters: TimeFilter, days: list[dt.date]) -> dict[dt.date, int]:
    """Seconds per local day of ``days`` under the list's filters (its day headings)."""
    if not days:
        return {}
    bounds = [
        (periods.local_day_start(d), periods.local_day_start(d + dt.timedelta(days=1)))
        for d in days
    ]
    sums = [
        func.coalesce(
            func.sum(
                case(
                    (
                        and_(TimeEntry.start_time >= lo, TimeEntry.start_time < hi),
                        TimeEntry.duration_seconds,
                    ),
                    else_=0,
                )
            ),
            0,
        )
        for lo, hi in bounds
    ]
    row = db.session.execute(select(*sums).where(*filters.conditions())).one()
    return {d: int(v) for d, v in zip(days, row, strict=True)}
