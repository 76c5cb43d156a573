"""Report queries: hours and billable amounts per client, project, person or task (the entry's
notes), per currency, in one SQL GROUP BY.

An amount is the sum of its entries' values (``timetracker.billing``): the rows of any grouping
add up to the currency's total, and to what the portal and the project pages show for the same
time. Amounts of different currencies are never added: every row and every total has one.
The unbilled view keeps billable time (entry and project) that no invoice line holds yet.

Reports by client or project read the whole UTC months of their range from the monthly totals
(``TimeEntryMonth``, the same figures by the same rules) and sum only the partial months at the
ends from the entries, so a year costs about what a month does. By person, by task and the
unbilled view need what the monthly totals do not keep, and sum the entries.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, Select, and_, func, null, or_, select, union_all

from timetracker import db
from timetracker.billing import periods, rules
from timetracker.billing.expressions import (
    billable_cents_sum,
    billable_seconds_sum,
    seconds_sum,
    unbilled_condition,
)
from timetracker.models import Client, Project, TimeEntry, TimeEntryMonth, User
from timetracker.pagination import Page
from timetracker.workspace.paging import paginate
from timetracker.workspace.reports.forms import ReportRequest

#: Rows fetched at a time while an export is written.
EXPORT_BATCH = 1000


@dataclass(frozen=True)
class ReportRow:
    """One group in one currency. ``key`` is the client's, project's or person's id (``None``
    for a task); ``client_id`` is set when the group belongs to one client."""

    key: int | None
    label: str
    detail: str | None
    client_id: int | None
    currency: str
    seconds: int
    billable_seconds: int
    cents: int

    @property
    def hours(self) -> Decimal:
        return rules.hours(self.seconds)

    @property
    def billable_hours(self) -> Decimal:
        return rules.hours(self.billable_seconds)

    @property
    def amount(self) -> Decimal:
        return rules.from_cents(self.cents)


def _group_columns(group: str) -> tuple[list[Any], list[Any]]:
    """(key, label, detail, client id) of a group, and what to GROUP BY."""
    if group == "project":
        cols = [Project.id, Project.name, Client.name, Client.id]
        return cols, cols
    if group == "user":
        return [User.id, User.name, null(), null()], [User.id, User.name]
    if group == "task":
        label = func.coalesce(TimeEntry.notes, "")
        return [null(), label, null(), null()], [label]
    return [Client.id, Client.name, null(), Client.id], [Client.id, Client.name]


def conditions(report: ReportRequest) -> list[ColumnElement[bool]]:
    """Completed time started within the report's days (both included, in the firm's
    timezone); for the unbilled view, only billable time that is on no invoice."""
    where: list[ColumnElement[bool]] = [TimeEntry.end_time.is_not(None)]
    start, end = periods.day_bounds(report.date_from, report.date_to)
    if start is not None:
        where.append(TimeEntry.start_time >= start)
    if end is not None:
        where.append(TimeEntry.start_time < end)
    if report.unbilled:
        where.append(unbilled_condition())
    return where


def _statement(report: ReportRequest, columns: list[Any], group_by: list[Any]) -> Select[Any]:
    if report.group in MONTHLY_GROUPS and not report.unbilled:
        return _monthly_statement(report, columns, group_by)
    return (
        select(
            *columns, Client.currency, seconds_sum(), billable_seconds_sum(), billable_cents_sum()
        )
        .select_from(TimeEntry)
        .join(Project, Project.id == TimeEntry.project_id)
        .join(Client, Client.id == TimeEntry.client_id)
        .join(User, User.id == TimeEntry.user_id)
        .where(*conditions(report))
        .group_by(*group_by, Client.currency)
    )


#: The groupings the monthly totals can answer (they keep projects and clients, not people).
MONTHLY_GROUPS = ("client", "project")


def _monthly_statement(
    report: ReportRequest, columns: list[Any], group_by: list[Any]
) -> Select[Any]:
    """The same groups from the monthly totals of the range's whole months and, for the
    partial months at its ends, from the entries (rows of both, added up per group)."""
    split = periods.split_by_months(*periods.day_bounds(report.date_from, report.date_to))
    parts: list[Select[Any]] = []
    if split.months is not None:
        first_month, end_month = split.months
        months = select(
            TimeEntryMonth.project_id.label("project_id"),
            TimeEntryMonth.entries.label("entries"),
            TimeEntryMonth.seconds.label("seconds"),
            TimeEntryMonth.billable_seconds.label("billable_seconds"),
            TimeEntryMonth.billable_cents.label("cents"),
        )
        if first_month is not None:
            months = months.where(TimeEntryMonth.month >= first_month)
        if end_month is not None:
            months = months.where(TimeEntryMonth.month < end_month)
        parts.append(months)
    if split.edges:
        in_edges = or_(
            *(and_(TimeEntry.start_time >= a, TimeEntry.start_time < b) for a, b in split.edges)
        )
        parts.append(
            select(
                TimeEntry.project_id.label("project_id"),
                func.count(TimeEntry.id).label("entries"),
                seconds_sum().label("seconds"),
                billable_seconds_sum().label("billable_seconds"),
                billable_cents_sum().label("cents"),
            )
            .join(Project, Project.id == TimeEntry.project_id)
            .join(Client, Client.id == Project.client_id)
            .where(TimeEntry.end_time.is_not(None), in_edges)
            .group_by(TimeEntry.project_id)
        )
    rows = union_all(*parts).subquery() if len(parts) > 1 else parts[0].subquery()
    return (
        select(
            *columns,
            Client.currency,
            func.coalesce(func.sum(rows.c.seconds), 0),
            func.coalesce(func.sum(rows.c.billable_seconds), 0),
            func.coalesce(func.sum(rows.c.cents), 0),
        )
        .select_from(rows)
        .join(Project, Project.id == rows.c.project_id)
        .join(Client, Client.id == Project.client_id)
        .group_by(*group_by, Client.currency)
        .having(func.sum(rows.c.entries) > 0)  # as the entries: groups with time only
    )


def _ordered(report: ReportRequest) -> Select[Any]:
    columns, group_by = _group_columns(report.group)
    order = [columns[1], *([columns[2]] if report.group == "project" else []), Client.currency]
    if report.group != "task":
        order.append(columns[0])
    return _statement(report, columns, group_by).order_by(*order)


def _row(values: Any) -> ReportRow:
    key, label, detail, client_id, currency, seconds, billable, cents = values
    return ReportRow(
        key=key,
        label=label,
        detail=detail,
        client_id=client_id,
        currency=currency,
        seconds=int(seconds or 0),
        billable_seconds=int(billable or 0),
        cents=int(cents or 0),
    )


def report_page(report: ReportRequest) -> Page[ReportRow]:
    """One page of the groups (the ``page`` query parameter), ordered by name and currency."""
    page = paginate(_ordered(report), scalars=False)
    return Page(
        items=[_row(r) for r in page.items], total=page.total, number=page.number, size=page.size
    )


def report_rows(report: ReportRequest) -> Iterator[ReportRow]:
    """Every group, in the page's order, read in batches (for the exports)."""
    result = db.session.execute(_ordered(report).execution_options(yield_per=EXPORT_BATCH))
    for values in result:
        yield _row(values)


def report_totals(report: ReportRequest) -> list[ReportRow]:
    """The totals, one per currency (the sum of that currency's groups)."""
    columns = [null(), null(), null(), null()]
    stmt = _statement(report, columns, []).order_by(Client.currency)
    return [replace(_row(values), label=_("Total")) for values in db.session.execute(stmt)]
