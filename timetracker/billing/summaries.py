"""Figures several screens show: a project's hours, billable value and budget use; completed
time per week; invoices per state.

Each function takes the caller's scope as a required argument (the portal passes its client's,
staff pages the signed-in person's or, for administrators, every client's, by saying so with
:data:`EVERY_CLIENT` or ``client_id=None``); nothing here defaults to "everything". One grouped
statement each.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import ColumnElement, case, func, select, true
from sqlalchemy.orm import Session

from timetracker.billing import expressions, rules
from timetracker.billing.periods import local_day_start, week_starts
from timetracker.billing.states import (
    STATE_ORDER,
    InvoiceState,
    open_balance_expression,
    state_expression,
)
from timetracker.models import (
    Client,
    Invoice,
    InvoiceStatus,
    Project,
    TimeEntry,
    TimeEntryMonth,
)

#: The staff dashboard's explicit "all clients" scope (administrators only).
EVERY_CLIENT: ColumnElement[bool] = true()


@dataclass(frozen=True)
class ProjectFigures:
    """A project with all its completed time and the value of its billable time, and how much
    of its budgets they use: the same figures on the portal and on the staff pages."""

    project: Project
    seconds: int
    billable_seconds: int
    billable_cents: int

    @property
    def hours(self) -> Decimal:
        return rules.hours(self.seconds)

    @property
    def billable_amount(self) -> Decimal:
        return rules.from_cents(self.billable_cents)

    @property
    def budget_hours_pct(self) -> int | None:
        return rules.percent(self.hours, self.project.budget_hours)

    @property
    def budget_amount_pct(self) -> int | None:
        return rules.percent(self.billable_amount, self.project.budget_amount)


def project_figures(
    session: Session,
    projects: Sequence[Project],
    client_id: int | None,
    hidden: ColumnElement[bool] | None = None,
) -> dict[int, ProjectFigures]:
    """The figures of ``projects``, keyed by id, from the monthly totals in one query. The
    portal passes its client's id, so the query starts from it, and the condition of the
    entries its publish gate hides (:mod:`.publication`), whose totals a second query takes
    away; staff pages pass ``None`` for both."""
    totals: dict[int, tuple[int, int, int]] = {}
    if projects:
        query = (
            select(
                TimeEntryMonth.project_id,
                func.sum(TimeEntryMonth.seconds),
                func.sum(TimeEntryMonth.billable_seconds),
                func.sum(TimeEntryMonth.billable_cents),
            )
            .where(TimeEntryMonth.project_id.in_([p.id for p in projects]))
            .group_by(TimeEntryMonth.project_id)
        )
        if client_id is not None:
            query = query.where(TimeEntryMonth.client_id == client_id)
        rows = session.execute(query)
        totals = {pid: (int(s), int(b), int(c)) for pid, s, b, c in rows}
    if projects and hidden is not None:
        unpublished = (
            select(
                TimeEntry.project_id,
                expressions.seconds_sum(),
                expressions.billable_seconds_sum(),
                expressions.billable_cents_sum(),
            )
            .join(Project, Project.id == TimeEntry.project_id)
            .join(Client, Client.id == Project.client_id)
            .where(
                TimeEntry.project_id.in_([p.id for p in projects]),
                TimeEntry.end_time.is_not(None),
                hidden,
            )
            .group_by(TimeEntry.project_id)
        )
        if client_id is not None:
            unpublished = unpublished.where(TimeEntry.client_id == client_id)
        for pid, s, b, c in session.execute(unpublished):
            before = totals.get(pid, (0, 0, 0))
            totals[pid] = (before[0] - int(s), before[1] - int(b), before[2] - int(c))
    return {p.id: ProjectFigures(p, *totals.get(p.id, (0, 0, 0))) for p in projects}


@dataclass(frozen=True)
class WeekHours:
    """The completed time recorded in one week, Monday to Sunday in the firm's timezone."""

    week_start: dt.date
    seconds: int

    @property
    def hours(self) -> Decimal:
        return rules.hours(self.seconds)

    @property
    def week_end(self) -> dt.date:
        return self.week_start + dt.timedelta(days=6)


def weekly_hours(
    session: Session, scope: ColumnElement[bool], today: dt.date, weeks: int
) -> list[WeekHours]:
    """Completed time per week over the last ``weeks`` weeks (empty weeks included).

    Weeks begin at local midnight on Monday, so the boundaries are computed in Python (they
    move with daylight saving time) and the rows are bucketed by a CASE over them in SQL.
    """
    starts = week_starts(today, weeks)
    bounds = [local_day_start(day) for day in starts]
    bounds.append(local_day_start(starts[-1] + dt.timedelta(days=7)))
    bucket = case(
        *[(TimeEntry.start_time < bounds[i + 1], i) for i in range(weeks - 1)],
        else_=weeks - 1,
    )
    bucketed = (
        select(bucket.label("week"), TimeEntry.duration_seconds.label("seconds"))
        .where(
            scope,
            TimeEntry.end_time.is_not(None),
            TimeEntry.start_time >= bounds[0],
            TimeEntry.start_time < bounds[-1],
        )
        .subquery()
    )
    rows = session.execute(
        select(bucketed.c.week, func.coalesce(func.sum(bucketed.c.seconds), 0)).group_by(
            bucketed.c.week
        )
    )
    seconds = {int(week): int(total) for week, total in rows}
    return [WeekHours(start, seconds.get(i, 0)) for i, start in enumerate(starts)]


@dataclass(frozen=True)
class StateAmount:
    """Invoices in one state and one currency: how many, their totals, what is still owed."""

    state: InvoiceState
    currency: str
    count: int
    total: Decimal
    open_balance: Decimal

    @property
    def label(self) -> str:
        return self.state.label


def invoice_amounts_by_state(
    session: Session, scope: ColumnElement[bool], today: dt.date, *, include_drafts: bool
) -> list[StateAmount]:
    """Count, total and open balance per currency and :class:`InvoiceState`."""
    conditions = [scope]
    if not include_drafts:
        conditions.append(Invoice.status != InvoiceStatus.DRAFT)
    categorised = (
        select(
            state_expression(today).label("state"),
            Invoice.currency.label("currency"),
            Invoice.total.label("total"),
            open_balance_expression().label("open_balance"),
        )
        .where(*conditions)
        .subquery()
    )
    rows = session.execute(
        select(
            categorised.c.currency,
            categorised.c.state,
            func.count(),
            func.coalesce(func.sum(categorised.c.total), 0),
            func.coalesce(func.sum(categorised.c.open_balance), 0),
        ).group_by(categorised.c.currency, categorised.c.state)
    )
    amounts = [
        StateAmount(InvoiceState(state), currency, int(n), rules.as_money(t), rules.as_money(b))
        for currency, state, n, t, b in rows
    ]
    order = {state: i for i, state in enumerate(STATE_ORDER)}
    return sorted(amounts, key=lambda a: (a.currency, order[a.state]))
