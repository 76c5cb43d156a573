"""Read queries of the workspace. Lists are paginated in SQL; sums are SQL aggregates.

Money, "billable" and invoice states come from ``timetracker.billing`` (the portal uses the same
expressions), so a figure on a staff page is the figure the client sees.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ColumnElement,
    and_,
    case,
    func,
    select,
)
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from timetracker import db
from timetracker.billing import expressions, periods, rules, states
from timetracker.billing.states import InvoiceFilter
from timetracker.models import (
    Client,
    Invoice,
    Project,
    ProjectStatus,
    TimeEntry,
    TimeEntryMonth,
    User,
)
from timetracker.models.users import STAFF_ROLES
from timetracker.workspace.paging import Page, paginate


# Choices for forms --------------------------------------------------------------------------
def project_choices(*, include_ids: Iterable[int] = ()) -> dict[str, list[tuple[int, str]]]:
    """Active projects of active clients grouped by client, plus ``include_ids`` (e.g. the
    project an entry already has)."""
    extra = [i for i in include_ids if i]
    trackable = and_(Project.status == ProjectStatus.ACTIVE, Client.is_active.is_(True))
    condition = trackable if not extra else trackable | Project.id.in_(extra)
    rows = db.session.execute(
        select(Project.id, Project.name, Client.name)
        .join(Client, Client.id == Project.client_id)
        .where(condition)
        .order_by(Client.name, Project.name)
    ).all()
    groups: dict[str, list[tuple[int, str]]] = {}
    for project_id, project_name, client_name in rows:
        groups.setdefault(client_name, []).append((project_id, project_name))
    return groups


def client_choices(*, active_only: bool = True) -> list[tuple[int, str]]:
    query = select(Client.id, Client.name).order_by(Client.name)
    if active_only:
        query = query.where(Client.is_active.is_(True))
    return [(row.id, row.name) for row in db.session.execute(query)]


def staff_choices() -> list[tuple[int, str]]:
    rows = db.session.execute(
        select(User.id, User.name).where(User.role.in_(STAFF_ROLES)).order_by(User.name, User.id)
    )
    return [(row.id, row.name) for row in rows]


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


def get_project(project_id: int) -> Project | None:
    return db.session.scalar(
        select(Project)
        .join(Project.client)
        .options(contains_eager(Project.client))
        .where(Project.id == project_id)
    )


def get_client(client_id: int) -> Client | None:
    return db.session.scalar(select(Client).where(Client.id == client_id))


def get_staff_user(user_id: int) -> User | None:
    return db.session.scalar(select(User).where(User.id == user_id, User.role.in_(STAFF_ROLES)))


# Time entries -------------------------------------------------------------------------------
@dataclass(frozen=True)
class TimeFilter:
    project_id: int | None = None
    client_id: int | None = None
    user_id: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
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


def _entries_with_names() -> Any:
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
        _entries_with_names()
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


def recent_entries(user_id: int, limit: int = 8) -> Sequence[TimeEntry]:
    return (
        db.session.scalars(
            _entries_with_names()
            .where(TimeEntry.user_id == user_id)
            .order_by(TimeEntry.start_time.desc(), TimeEntry.id.desc())
            .limit(limit)
        )
        .unique()
        .all()
    )


def get_entry(entry_id: int) -> TimeEntry | None:
    return db.session.scalars(_entries_with_names().where(TimeEntry.id == entry_id)).first()


def running_timer(user_id: int) -> TimeEntry | None:
    return db.session.scalars(
        _entries_with_names().where(TimeEntry.user_id == user_id, TimeEntry.end_time.is_(None))
    ).first()


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


def seconds_between(user_id: int, start: dt.datetime, end: dt.datetime) -> int:
    """Seconds of the user's completed entries that start in ``[start, end)``."""
    return int(
        db.session.scalar(
            select(func.coalesce(func.sum(TimeEntry.duration_seconds), 0)).where(
                TimeEntry.user_id == user_id,
                TimeEntry.start_time >= start,
                TimeEntry.start_time < end,
                TimeEntry.end_time.is_not(None),
            )
        )
        or 0
    )


# Clients and projects -----------------------------------------------------------------------
def clients_page(status: str, q: str | None) -> Page:
    active_projects = (
        select(func.count(Project.id))
        .where(Project.client_id == Client.id, Project.status == ProjectStatus.ACTIVE)
        .correlate(Client)
        .scalar_subquery()
    )
    conditions: list[ColumnElement[bool]] = []
    if status == "active":
        conditions.append(Client.is_active.is_(True))
    elif status == "inactive":
        conditions.append(Client.is_active.is_(False))
    if q:
        conditions.append(Client.name.ilike(f"%{_escape_like(q)}%", escape="\\"))
    stmt = select(Client, active_projects).where(*conditions).order_by(Client.name)
    count = select(func.count(Client.id)).where(*conditions)
    return paginate(stmt, count_stmt=count, scalars=False)


def projects_page(client_id: int | None, status: str, q: str | None) -> Page:
    conditions: list[ColumnElement[bool]] = []
    if client_id is not None:
        conditions.append(Project.client_id == client_id)
    if status in (ProjectStatus.ACTIVE, ProjectStatus.ARCHIVED):
        conditions.append(Project.status == status)
    if q:
        conditions.append(Project.name.ilike(f"%{_escape_like(q)}%", escape="\\"))
    stmt = (
        select(Project)
        .join(Project.client)
        .options(contains_eager(Project.client))
        .where(*conditions)
        .order_by(Client.name, Project.name)
    )
    count = select(func.count(Project.id)).where(*conditions)
    return paginate(stmt, count_stmt=count)


@dataclass(frozen=True)
class Budget:
    """What a project has used of its budget: all its completed time, and the value of its
    billable time (the billing rules, from the monthly totals the portal reads too)."""

    seconds: int
    billable_cents: int
    budget_hours: Decimal | None
    budget_amount: Decimal | None

    @property
    def hours(self) -> Decimal:
        return rules.hours(self.seconds)

    @property
    def amount(self) -> Decimal:
        return rules.from_cents(self.billable_cents)

    @property
    def hours_percent(self) -> int | None:
        return rules.percent(self.hours, self.budget_hours)

    @property
    def amount_percent(self) -> int | None:
        return rules.percent(self.amount, self.budget_amount)


def budget_usage(projects: Sequence[Project]) -> dict[int, Budget]:
    """Hours and billable value used per project, in one GROUP BY over the monthly totals."""
    ids = [p.id for p in projects]
    used: dict[int, tuple[int, int]] = {}
    if ids:
        rows = db.session.execute(
            select(
                TimeEntryMonth.project_id,
                func.sum(TimeEntryMonth.seconds),
                func.sum(TimeEntryMonth.billable_cents),
            )
            .where(TimeEntryMonth.project_id.in_(ids))
            .group_by(TimeEntryMonth.project_id)
        ).all()
        used = {pid: (int(sec), int(cents)) for pid, sec, cents in rows}
    return {
        p.id: Budget(*used.get(p.id, (0, 0)), p.budget_hours, p.budget_amount) for p in projects
    }


# Invoices -----------------------------------------------------------------------------------
def invoices_page(which: InvoiceFilter, client_id: int | None, today: dt.date) -> Page:
    conditions: list[ColumnElement[bool]] = [states.filter_condition(which, today)]
    if client_id is not None:
        conditions.append(Invoice.client_id == client_id)
    stmt = (
        select(Invoice)
        .join(Invoice.client)
        .options(contains_eager(Invoice.client))
        .where(*conditions)
        .order_by(Invoice.issue_date.desc(), Invoice.id.desc())
    )
    count = select(func.count(Invoice.id)).where(*conditions)
    return paginate(stmt, count_stmt=count)


def overdue_invoices(today: dt.date, limit: int = 10) -> tuple[Sequence[Invoice], int]:
    condition = states.overdue_condition(today)
    invoices = db.session.scalars(
        select(Invoice)
        .join(Invoice.client)
        .options(contains_eager(Invoice.client))
        .where(condition)
        .order_by(Invoice.due_date, Invoice.id)
        .limit(limit)
    ).all()
    total = db.session.scalar(select(func.count(Invoice.id)).where(condition)) or 0
    return invoices, total


def get_invoice(invoice_id: int) -> Invoice | None:
    """The invoice with its client, project, items and payments loaded."""
    return db.session.scalar(
        select(Invoice)
        .where(Invoice.id == invoice_id)
        .options(
            joinedload(Invoice.client),
            joinedload(Invoice.project),
            selectinload(Invoice.items),
            selectinload(Invoice.payments),
        )
    )


def entries_per_item(invoice: Invoice) -> dict[int, int]:
    ids = [item.id for item in invoice.items]
    if not ids:
        return {}
    rows = db.session.execute(
        select(TimeEntry.invoice_item_id, func.count(TimeEntry.id))
        .where(TimeEntry.invoice_item_id.in_(ids))
        .group_by(TimeEntry.invoice_item_id)
    ).all()
    return {item_id: int(n) for item_id, n in rows}


# Dashboard ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Unbilled:
    client_id: int
    client_name: str
    currency: str
    seconds: int
    amount: Decimal

    @property
    def hours(self) -> Decimal:
        return rules.hours(self.seconds)


def unbilled_by_client(limit: int = 10, client_id: int | None = None) -> tuple[list[Unbilled], int]:
    """Completed, billable, not yet invoiced time per client, valued at the project rates."""
    conditions = [
        TimeEntry.end_time.is_not(None),
        TimeEntry.invoice_item_id.is_(None),
        expressions.billable_condition(),
    ]
    if client_id is not None:
        conditions.append(TimeEntry.client_id == client_id)
    stmt = (
        select(
            Client.id,
            Client.name,
            Client.currency,
            func.sum(TimeEntry.duration_seconds),
            expressions.billable_cents_sum(),
        )
        .select_from(TimeEntry)
        .join(Project, Project.id == TimeEntry.project_id)
        .join(Client, Client.id == TimeEntry.client_id)
        .where(*conditions)
        .group_by(Client.id, Client.name, Client.currency)
    )
    rows = db.session.execute(stmt.order_by(Client.name).limit(limit)).all()
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    return [
        Unbilled(cid, name, currency, int(sec or 0), rules.from_cents(cents))
        for cid, name, currency, sec, cents in rows
    ], total


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
