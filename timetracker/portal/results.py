"""What the portal's scope answers with: rows, totals and summaries, plain frozen values.

What the client's visibility settings hide is ``None`` here (a staff name, an entry's notes, an
amount): the scope does not hand it out, so no reader of these values can show it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from timetracker.billing import rules
from timetracker.billing.project_status import StatusUpdateRow

__all__ = ["StatusUpdateRow"]


@dataclass(frozen=True)
class ProjectRow:
    """A project as the portal shows it; ``budget_amount`` is ``None`` when the client's
    contacts do not see amounts (or the project has no budget in money)."""

    id: int
    name: str
    description: str | None
    is_active: bool
    billable: bool
    budget_hours: Decimal | None
    budget_amount: Decimal | None


@dataclass(frozen=True)
class ProjectSummary:
    """A project with all its completed time, the value of its billable time (``None`` when
    amounts are hidden) and how much of its budgets they use."""

    project: ProjectRow
    seconds: int
    billable_seconds: int
    billable_cents: int | None

    @property
    def hours(self) -> Decimal:
        return rules.hours(self.seconds)

    @property
    def billable_amount(self) -> Decimal | None:
        if self.billable_cents is None:
            return None
        return rules.from_cents(self.billable_cents)

    @property
    def budget_hours_pct(self) -> int | None:
        return rules.percent(self.hours, self.project.budget_hours)

    @property
    def budget_amount_pct(self) -> int | None:
        amount = self.billable_amount
        if amount is None:
            return None
        return rules.percent(amount, self.project.budget_amount)


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
    #: ``None`` when the client's contacts do not see staff names.
    user_name: str | None
    #: The invoice that billed the entry, when the client sees it (not a draft); else ``None``.
    invoice_id: int | None = None
    invoice_number: str | None = None

    @property
    def hours(self) -> Decimal:
        return rules.hours(self.duration_seconds)


@dataclass(frozen=True)
class BilledEntryRow:
    """A time entry as listed under the invoice line that bills it."""

    id: int
    invoice_item_id: int
    start_time: dt.datetime
    duration_seconds: int
    #: ``None`` when the client's contacts do not see entry notes.
    notes: str | None
    #: ``None`` when the client's contacts do not see staff names.
    user_name: str | None

    @property
    def hours(self) -> Decimal:
        return rules.hours(self.duration_seconds)


@dataclass(frozen=True)
class LineTime:
    """The time an invoice line bills: its entries' count and seconds, and how those become
    the line's quantity under the billing rules (:func:`.rules.billed_hours`)."""

    invoice_item_id: int
    count: int
    seconds: int
    #: The firm's ``invoice_rounding_minutes`` (0: no rounding but to the hundredth).
    rounding_minutes: int

    @property
    def hours(self) -> Decimal:
        """The entries' hours as every page shows a sum of entries."""
        return rules.hours(self.seconds)

    @property
    def billed_hours(self) -> Decimal:
        """The quantity the billing rules make of these seconds."""
        return rules.billed_hours(self.seconds, self.rounding_minutes)

    def matches(self, quantity: Decimal) -> bool:
        """Whether the line's quantity is what the rules make of its entries (it is not when
        the line was edited by hand, or the rounding setting changed since it was made)."""
        return self.billed_hours == Decimal(quantity)


@dataclass(frozen=True)
class BilledTime:
    """The time an invoice bills, by line (item id): each line's :class:`LineTime`, and the
    entries of the lines the invoice page lists (the others are read page by page)."""

    lines: dict[int, LineTime]
    entries: dict[int, list[BilledEntryRow]]

    @property
    def count(self) -> int:
        return sum(line.count for line in self.lines.values())


@dataclass(frozen=True)
class EntryTotals:
    count: int
    seconds: int
    billable_seconds: int
    #: ``None`` when the client's contacts do not see amounts.
    billable_cents: int | None

    def __add__(self, other: EntryTotals) -> EntryTotals:
        cents = None
        if self.billable_cents is not None and other.billable_cents is not None:
            cents = self.billable_cents + other.billable_cents
        return EntryTotals(
            self.count + other.count,
            self.seconds + other.seconds,
            self.billable_seconds + other.billable_seconds,
            cents,
        )

    def __sub__(self, other: EntryTotals) -> EntryTotals:
        return self + EntryTotals(
            -other.count,
            -other.seconds,
            -other.billable_seconds,
            None if other.billable_cents is None else -other.billable_cents,
        )

    def without_amount(self) -> EntryTotals:
        return EntryTotals(self.count, self.seconds, self.billable_seconds, None)

    @property
    def billable_amount(self) -> Decimal | None:
        if self.billable_cents is None:
            return None
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
