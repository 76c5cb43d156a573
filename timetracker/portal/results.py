"""What the portal's scope answers with: rows, totals and summaries, plain frozen values."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from timetracker.models import DeliveryStatus, Project
from timetracker.models.time_entries import seconds_to_hours

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class ProjectChoice:
    """A project as a filter menu lists it."""

    id: int
    name: str
    is_active: bool


@dataclass(frozen=True)
class EntryRow:
    """One time entry as the portal shows it."""

    id: int
    start_time: dt.datetime
    end_time: dt.datetime
    duration_seconds: int
    notes: str | None
    billable: bool
    project_id: int
    project_name: str
    user_name: str

    @property
    def hours(self) -> Decimal:
        return seconds_to_hours(self.duration_seconds)


@dataclass(frozen=True)
class EntryTotals:
    count: int
    seconds: int
    billable_seconds: int

    @property
    def hours(self) -> Decimal:
        return seconds_to_hours(self.seconds)

    @property
    def billable_hours(self) -> Decimal:
        return seconds_to_hours(self.billable_seconds)


@dataclass(frozen=True)
class ProjectSummary:
    project: Project
    seconds: int
    billable_seconds: int
    rate: Decimal

    @property
    def hours(self) -> Decimal:
        return seconds_to_hours(self.seconds)

    @property
    def billable_amount(self) -> Decimal:
        if not self.project.billable:
            return ZERO
        return (seconds_to_hours(self.billable_seconds) * self.rate).quantize(Decimal("0.01"))

    @property
    def budget_hours_pct(self) -> int | None:
        budget = self.project.budget_hours
        if not budget:
            return None
        return percent(self.hours, budget)

    @property
    def budget_amount_pct(self) -> int | None:
        budget = self.project.budget_amount
        if not budget:
            return None
        return percent(self.billable_amount, budget)


def percent(used: Decimal, budget: Decimal) -> int:
    return int((used * 100 / budget).to_integral_value()) if budget > 0 else 0


@dataclass(frozen=True)
class StatusUpdateRow:
    """One dated status update of a project, as the client reads it."""

    id: int
    project_id: int
    status: str
    message: str
    created_at: dt.datetime
    author_name: str | None

    @property
    def label(self) -> str:
        return DeliveryStatus(self.status).label


@dataclass(frozen=True)
class NoteRow:
    """A note the firm chose to share with the client."""

    id: int
    body: str
    created_at: dt.datetime
    updated_at: dt.datetime | None
    author_name: str | None


@dataclass(frozen=True)
class InvoiceTotals:
    count: int
    total: Decimal
    balance: Decimal


@dataclass(frozen=True)
class DashboardStats:
    active_projects: int
    seconds_this_month: int
    seconds_total: int
    outstanding_count: int
    outstanding_amount: Decimal
    overdue_count: int
    overdue_amount: Decimal
    paid_count: int

    @property
    def hours_this_month(self) -> Decimal:
        return seconds_to_hours(self.seconds_this_month)

    @property
    def hours_total(self) -> Decimal:
        return seconds_to_hours(self.seconds_total)


def month_floor(moment: dt.datetime) -> dt.datetime:
    """The start of the UTC month containing ``moment``."""
    return moment.astimezone(dt.UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def next_month_start(moment: dt.datetime) -> dt.datetime:
    """The first UTC month boundary at or after ``moment``."""
    floor = month_floor(moment)
    if floor == moment:
        return floor
    return (floor + dt.timedelta(days=32)).replace(day=1)


def as_money(value: Any) -> Decimal:
    """An aggregate of money columns as Decimal cents (SQLite returns floats)."""
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))
