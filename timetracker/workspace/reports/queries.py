"""Report queries: hours and billable amounts per client, project or person (SQL GROUP BY).

An amount is the sum of its entries' values (``timetracker.billing``): the rows of any grouping
add up to the total, and to what the portal shows for the same time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from timetracker import db
from timetracker.billing import periods, rules
from timetracker.billing.expressions import billable_cents_sum, billable_seconds_sum, seconds_sum
from timetracker.models import Client, Project, TimeEntry, User
from timetracker.workspace.paging import Page, paginate


@dataclass(frozen=True)
class ReportRow:
    """One group. Amounts are per currency: a person's time for clients billed in different
    currencies gives one row per currency rather than a meaningless sum."""

    key: int
    label: str
    detail: str | None
    currency: str
    seconds: int
    billable_seconds: int
    amount: Decimal

    @property
    def hours(self) -> Decimal:
        return rules.hours(self.seconds)

    @property
    def billable_hours(self) -> Decimal:
        return rules.hours(self.billable_seconds)


def _group_columns(group: str) -> list[Any]:
    if group == "project":
        return [Project.id, Project.name, Client.name, Client.currency]
    if group == "user":
        return [User.id, User.name, Client.currency]
    return [Client.id, Client.name, Client.currency]


def _base(columns: list[Any], date_from: dt.date | None, date_to: dt.date | None) -> Any:
    start, end = periods.day_bounds(date_from, date_to)
    stmt = (
        select(
            *columns,
            seconds_sum(),
            billable_seconds_sum(),
            billable_cents_sum(),
        )
        .select_from(TimeEntry)
        .join(Project, Project.id == TimeEntry.project_id)
        .join(Client, Client.id == TimeEntry.client_id)
        .join(User, User.id == TimeEntry.user_id)
        .where(TimeEntry.end_time.is_not(None))
        .group_by(*columns)
    )
    if start is not None:
        stmt = stmt.where(TimeEntry.start_time >= start)
    if end is not None:
        stmt = stmt.where(TimeEntry.start_time < end)
    return stmt


def report_page(group: str, date_from: dt.date | None, date_to: dt.date | None) -> Page:
    columns = _group_columns(group)
    order = [columns[1], *columns[2:], columns[0]]
    page = paginate(_base(columns, date_from, date_to).order_by(*order), scalars=False)
    rows = []
    for row in page.items:
        if group == "project":
            key, label, detail, currency, seconds, billable, cents = row
        else:
            key, label, currency, seconds, billable, cents = row
            detail = None
        rows.append(
            ReportRow(
                key=key,
                label=label,
                detail=detail,
                currency=currency,
                seconds=int(seconds),
                billable_seconds=int(billable),
                amount=rules.from_cents(cents),
            )
        )
    return Page(items=rows, total=page.total, number=page.number, size=page.size)


def report_totals(date_from: dt.date | None, date_to: dt.date | None) -> list[ReportRow]:
    """The grand totals, one per currency."""
    rows = db.session.execute(
        _base([Client.currency], date_from, date_to).order_by(Client.currency)
    ).all()
    return [
        ReportRow(0, "Total", None, currency, int(sec), int(billable), rules.from_cents(c))
        for currency, sec, billable, c in rows
    ]
