"""What the portal's scope answers with: rows, totals and summaries, plain frozen values."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from timetracker.billing import rules
from timetracker.billing.project_status import StatusUpdateRow

__all__ = ["StatusUpdateRow"]


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
        return rules.hours(self.duration_seconds)


@dataclass(frozen=True)
class EntryTotals:
    count: int
    seconds: int
    billable_seconds: int
    billable_cents: int

    def __add__(self, other: EntryTotals) -> EntryTotals:
        return EntryTotals(
            self.count + other.count,
            self.seconds + other.seconds,
            self.billable_seconds + other.billable_seconds,
            self.billable_cents + other.billable_cents,
        )

    @property
    def billable_amount(self) -> Decimal:
        return rules.from_cents(self.billable_cents)

    @property
    def hours(self) -> Decimal:
        return rules.hours(self.seconds)

    @property
    def billable_hours(self) -> Decimal:
        return rules.hours(self.billable_seconds)


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
        return rules.hours(self.seconds_this_month)

    @property
    def hours_total(self) -> Decimal:
        return rules.hours(self.seconds_total)
