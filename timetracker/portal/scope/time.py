"""The completed time entries of all the client's projects: pages, totals and the export.

The client's visibility settings apply here: without ``time_entries`` the list and the export
answer 404 (the aggregate hours stay); without ``staff_names``, ``entry_notes`` or ``amounts``
the rows carry ``None`` for the person, the notes or the value, which are not even selected."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, null, or_, select
from werkzeug.exceptions import NotFound

from timetracker.billing.expressions import billable_cents_sum, billable_seconds_sum, seconds_sum
from timetracker.billing.periods import day_bounds, split_by_months
from timetracker.documents.staff_export import export_statement
from timetracker.models import (
    Client,
    Invoice,
    InvoiceItem,
    InvoiceStatus,
    Project,
    TimeEntry,
    TimeEntryMonth,
    User,
)
from timetracker.pagination import Page, PageRequest
from timetracker.portal.params import TimeFilters
from timetracker.portal.results import EntryRow, EntryTotals
from timetracker.portal.scope.invoices import InvoiceScope


class TimeScope(InvoiceScope):
    def entry_conditions(
        self, filters: TimeFilters, *, gated: bool = True
    ) -> list[ColumnElement[bool]]:
        """The client's completed entries that ``filters`` select: only the published ones
        unless ``gated`` is false (for figures that subtract the unpublished ones themselves)."""
        conditions: list[ColumnElement[bool]] = [
            TimeEntry.client_id == self.client_id,
            TimeEntry.end_time.is_not(None),
        ]
        shown = self.gate.shown()
        if gated and shown is not None:
            conditions.append(shown)
        if filters.project_id is not None:
            conditions.append(TimeEntry.project_id == filters.project_id)
        start, end = day_bounds(filters.date_from, filters.date_to)
        if start is not None:
            conditions.append(TimeEntry.start_time >= start)
        if end is not None:
            conditions.append(TimeEntry.start_time < end)
        return conditions

    def require_time_entries(self) -> None:
        """404, as for a page that does not exist, when the client's contacts do not see time
        entries."""
        if not self.visibility.time_entries:
            raise NotFound()

    def check_filters(self, filters: TimeFilters) -> None:
        """404 when the client does not see time entries, or when the project filter names a
        project that is not the client's."""
        self.require_time_entries()
        if filters.project_id is not None:
            self.project(filters.project_id)

    def _entry_rows(self, filters: TimeFilters) -> Select[Any]:
        shown = self.visibility
        query = select(
            TimeEntry.id,
            TimeEntry.start_time,
            TimeEntry.end_time,
            TimeEntry.duration_seconds,
            TimeEntry.notes if shown.entry_notes else null(),
            TimeEntry.billable,
            TimeEntry.project_id,
            Project.name,
            User.name if shown.staff_names else null(),
            Invoice.id,
            Invoice.number,
        ).join(Project, Project.id == TimeEntry.project_id)
        if shown.staff_names:
            query = query.join(User, User.id == TimeEntry.user_id)
        # The invoice that billed the entry, only when the client sees it (one join, no N+1).
        query = query.outerjoin(InvoiceItem, InvoiceItem.id == TimeEntry.invoice_item_id).outerjoin(
            Invoice, self._visible_invoice()
        )
        return query.where(*self.entry_conditions(filters))

    def _visible_invoice(self) -> ColumnElement[bool]:
        """Joins the invoice of an entry's line when the client may see it (not a draft)."""
        return and_(
            Invoice.id == InvoiceItem.invoice_id,
            Invoice.client_id == self.client_id,
            Invoice.status != InvoiceStatus.DRAFT,
        )

    def time_entry_totals(self, filters: TimeFilters) -> EntryTotals:
        """Count, hours and billable value of every entry the filters select.

        Whole UTC months inside the range come from the monthly totals; only the partial
        months at either end are summed from the entries themselves. Two queries at most,
        whatever the size of the history, and a third for a gated client: the totals of its
        unpublished entries in the range, taken away. No value when amounts are hidden.
        """
        self.require_time_entries()
        totals = self._entry_totals(filters)
        return totals if self.visibility.amounts else totals.without_amount()

    def _entry_totals(self, filters: TimeFilters) -> EntryTotals:
        split = split_by_months(*day_bounds(filters.date_from, filters.date_to))
        if split.months is None:
            return self.raw_entry_totals(filters.project_id, split.edges)

        month_conditions: list[ColumnElement[bool]] = [TimeEntryMonth.client_id == self.client_id]
        if filters.project_id is not None:
            month_conditions.append(TimeEntryMonth.project_id == filters.project_id)
        first_month, end_month = split.months
        if first_month is not None:
            month_conditions.append(TimeEntryMonth.month >= first_month)
        if end_month is not None:
            month_conditions.append(TimeEntryMonth.month < end_month)
        row = self.session.execute(
            select(
                func.coalesce(func.sum(TimeEntryMonth.entries), 0),
                func.coalesce(func.sum(TimeEntryMonth.seconds), 0),
                func.coalesce(func.sum(TimeEntryMonth.billable_seconds), 0),
                func.coalesce(func.sum(TimeEntryMonth.billable_cents), 0),
            ).where(*month_conditions)
        ).one()
        totals = EntryTotals(*(int(value) for value in row))
        if split.edges:
            totals = totals + self.raw_entry_totals(filters.project_id, split.edges, gated=False)
        return totals - self.unpublished_totals(filters)

    def unpublished_totals(self, filters: TimeFilters) -> EntryTotals:
        """Totals of the entries ``filters`` select that the gate hides (zero without a gate;
        the partial index on unpublished entries serves the query)."""
        hidden = self.gate.hidden()
        if hidden is None:
            return EntryTotals(0, 0, 0, 0)
        return self._sum(self.entry_conditions(filters, gated=False) + [hidden])

    def raw_entry_totals(
        self,
        project_id: int | None,
        spans: list[tuple[dt.datetime, dt.datetime]],
        *,
        gated: bool = True,
    ) -> EntryTotals:
        """Totals summed from the entries that start inside any of ``spans``."""
        conditions = self.entry_conditions(TimeFilters(project_id=project_id), gated=gated)
        in_spans = or_(
            *(and_(TimeEntry.start_time >= a, TimeEntry.start_time < b) for a, b in spans)
        )
        return self._sum([*conditions, in_spans])

    def _sum(self, conditions: list[ColumnElement[bool]]) -> EntryTotals:
        row = self.session.execute(
            select(
                func.count(TimeEntry.id),
                seconds_sum(),
                billable_seconds_sum(),
                billable_cents_sum(),
            )
            .join(Project, Project.id == TimeEntry.project_id)
            .join(Client, Client.id == Project.client_id)
            .where(*conditions)
        ).one()
        return EntryTotals(*(int(value) for value in row))

    def time_entry_page(
        self, filters: TimeFilters, request: PageRequest, totals: EntryTotals
    ) -> Page[EntryRow]:
        """Newest first. Pages past the middle are read from the other end, so no page ever
        skips more than half of the filtered entries."""
        self.require_time_entries()
        total = totals.count
        request = request.clamp(total)
        offset = request.offset
        size = min(request.size, max(total - offset, 0))
        query = self._entry_rows(filters)
        if offset > total // 2:
            rows = list(
                self.session.execute(
                    query.order_by(TimeEntry.start_time.asc(), TimeEntry.id.asc())
                    .limit(size)
                    .offset(total - offset - size)
                ).all()
            )
            rows.reverse()
        else:
            rows = list(
                self.session.execute(
                    query.order_by(TimeEntry.start_time.desc(), TimeEntry.id.desc())
                    .limit(request.size)
                    .offset(offset)
                ).all()
            )
        return Page([EntryRow(*row) for row in rows], total, request.number, request.size)

    def recent_time_entries(self, limit: int = 5) -> list[EntryRow]:
        """The newest entries; none when the client does not see time entries."""
        if not self.visibility.time_entries:
            return []
        rows = self.session.execute(
            self._entry_rows(TimeFilters())
            .order_by(TimeEntry.start_time.desc(), TimeEntry.id.desc())
            .limit(limit)
        ).all()
        return [EntryRow(*row) for row in rows]

    def all_time_entries(self) -> list[EntryRow]:
        """Every completed entry, newest first; none when the client does not see them."""
        if not self.visibility.time_entries:
            return []
        rows = self.session.execute(
            self._entry_rows(TimeFilters()).order_by(
                TimeEntry.start_time.desc(), TimeEntry.id.desc()
            )
        ).all()
        return [EntryRow(*row) for row in rows]

    def export_rows(self, filters: TimeFilters, chunk_size: int = 2000) -> Iterator[Any]:
        """Every filtered entry for export, oldest first, streamed in chunks, with its value
        and the number of the invoice that billed it when the client can see that invoice.
        The person, the notes and the value are ``None`` (not selected) where hidden."""
        self.require_time_entries()
        yield from self._export(self.entry_conditions(filters), chunk_size)

    def invoice_export_rows(self, invoice_id: int, chunk_size: int = 2000) -> Iterator[Any]:
        """The entries one of the client's visible invoices bills, for export, oldest first;
        404 (raised here, before the first row is read) when the client does not see time
        entries, or the invoice is missing, a draft or another client's. Hidden columns are
        ``None`` as in :meth:`export_rows`."""
        self.require_time_entries()
        invoice = self.invoice(invoice_id)
        lines = select(InvoiceItem.id).where(InvoiceItem.invoice_id == invoice.id)
        conditions = [
            TimeEntry.client_id + 0 == self.client_id,  # found by line, not by client (invoices.py)
            TimeEntry.invoice_item_id.in_(lines.scalar_subquery()),
        ]
        return self._export(conditions, chunk_size)

    def _export(self, conditions: list[ColumnElement[bool]], chunk_size: int) -> Iterator[Any]:
        query = export_statement(conditions, self._visible_invoice(), chunk_size)
        hidden = self.hidden_export_columns()
        if hidden:
            query = query.with_only_columns(
                *(
                    null().label(column.key) if column.key in hidden else column
                    for column in query.selected_columns
                )
            )
        yield from self.session.execute(query)

    def hidden_export_columns(self) -> frozenset[str]:
        """The export's columns (by row attribute) that the client's contacts do not see."""
        shown = self.visibility
        hidden = set()
        if not shown.entry_notes:
            hidden.add("notes")
        if not shown.staff_names:
            hidden.add("user_name")
        if not shown.amounts:
            hidden.add("value_cents")
        return frozenset(hidden)
