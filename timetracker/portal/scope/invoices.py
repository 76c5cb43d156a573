"""The client's invoices: never drafts; filtered by the billing package's invoice states.

An invoice's lines also show the time entries they bill (``time_entries.invoice_item_id``),
when the client sees time entries; person and notes as its visibility settings allow (not
selected otherwise)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, case, func, null, select
from sqlalchemy.orm import selectinload
from werkzeug.exceptions import NotFound

from timetracker import firm
from timetracker.billing import rules, states
from timetracker.billing.expressions import seconds_sum
from timetracker.billing.states import InvoiceFilter, InvoiceState
from timetracker.models import Invoice, InvoiceItem, InvoiceStatus, Project, TimeEntry, User
from timetracker.pagination import Page, PageRequest
from timetracker.portal.results import BilledEntryRow, BilledTime, InvoiceTotals, LineTime
from timetracker.portal.scope.projects import ProjectScope

#: A line of the invoice page lists its entries up to this many; a longer one links to its pages.
LINE_LIMIT = 50
#: At most this many entries on the invoice page in all (an invoice of a line per entry).
PAGE_BUDGET = 200


class InvoiceScope(ProjectScope):
    def _visible(self) -> ColumnElement[bool]:
        """The client's invoices that it may see: never drafts."""
        return (Invoice.client_id == self.client_id) & (Invoice.status != InvoiceStatus.DRAFT)

    def _invoices(self) -> Select[tuple[Invoice]]:
        return select(Invoice).where(self._visible())

    def _condition(self, which: InvoiceFilter) -> ColumnElement[bool]:
        return states.filter_condition(which, self.today)

    def invoice_page(self, which: InvoiceFilter, request: PageRequest) -> Page[Invoice]:
        query = self._invoices().where(self._condition(which))
        total = self.session.scalar(select(func.count()).select_from(query.subquery())) or 0
        request = request.clamp(total)
        items = list(
            self.session.scalars(
                query.order_by(Invoice.issue_date.desc(), Invoice.id.desc())
                .limit(request.size)
                .offset(request.offset)
            )
        )
        return Page(items, total, request.number, request.size)

    def invoice_totals(self, which: InvoiceFilter) -> InvoiceTotals:
        """Count, total and open balance of every invoice the filter selects (all pages)."""
        count, total, balance = self.session.execute(
            select(
                func.count(),
                func.coalesce(func.sum(Invoice.total), 0),
                func.coalesce(func.sum(states.open_balance_expression()), 0),
            ).where(self._visible(), self._condition(which))
        ).one()
        return InvoiceTotals(int(count), rules.as_money(total), rules.as_money(balance))

    def invoice_filter_counts(self) -> dict[InvoiceFilter, int]:
        """How many invoices each of the portal's filters selects, in one query."""
        filters = states.PORTAL_FILTERS
        row = self.session.execute(
            select(
                *[
                    func.coalesce(func.sum(case((self._condition(f), 1), else_=0)), 0)
                    for f in filters
                ]
            ).where(self._visible())
        ).one()
        return {f: int(n) for f, n in zip(filters, row, strict=True)}

    def invoice(self, invoice_id: int) -> Invoice:
        """One of the client's visible invoices with its items and payments; 404 otherwise,
        whether the id is missing, a draft or another client's."""
        invoice = self.session.scalar(
            self._invoices()
            .where(Invoice.id == invoice_id)
            .options(selectinload(Invoice.items), selectinload(Invoice.payments))
        )
        if invoice is None:
            raise NotFound()
        return invoice

    def invoice_project_name(self, invoice: Invoice) -> str | None:
        if invoice.project_id is None:
            return None
        return self.session.scalar(
            select(Project.name).where(
                Project.id == invoice.project_id, Project.client_id == self.client_id
            )
        )

    def all_invoices(self) -> list[Invoice]:
        return list(
            self.session.scalars(
                self._invoices().order_by(Invoice.issue_date.desc(), Invoice.id.desc())
            )
        )

    def recent_invoices(self, limit: int = 5) -> list[Invoice]:
        return list(
            self.session.scalars(
                self._invoices().order_by(Invoice.issue_date.desc(), Invoice.id.desc()).limit(limit)
            )
        )

    def state_of(self, invoice: Invoice) -> InvoiceState:
        return states.state_of(invoice, self.today)

    def is_overdue(self, invoice: Invoice) -> bool:
        return states.is_overdue(invoice, self.today)

    # The time an invoice bills. The invoice passed in comes from :meth:`invoice` (the client's,
    # not a draft); the queries check it again, and every entry is the client's own.

    def _billed(self, invoice_id: int) -> list[ColumnElement[bool]]:
        return [
            self._visible(),
            Invoice.id == invoice_id,
            # ``+ 0``: checked on each entry found, never the index to search by. SQLite, which
            # keeps no statistics, otherwise walks all of the client's entries (100,000 at a
            # million) instead of the few on the invoice's lines (ix_time_entries_invoice_item_id).
            TimeEntry.client_id + 0 == self.client_id,
            TimeEntry.end_time.is_not(None),
        ]

    def _billed_rows(self, invoice_id: int) -> Select[Any]:
        shown = self.visibility
        query = (
            select(
                TimeEntry.id,
                TimeEntry.invoice_item_id,
                TimeEntry.start_time,
                TimeEntry.duration_seconds,
                TimeEntry.notes if shown.entry_notes else null(),
                User.name if shown.staff_names else null(),
            )
            .select_from(TimeEntry)
            .join(InvoiceItem, InvoiceItem.id == TimeEntry.invoice_item_id)
            .join(Invoice, Invoice.id == InvoiceItem.invoice_id)
        )
        if shown.staff_names:
            query = query.join(User, User.id == TimeEntry.user_id)
        return query.where(*self._billed(invoice_id))

    def invoice_time(self, invoice: Invoice) -> BilledTime:
        """What the invoice page draws under its lines: each line's time and, for the lines
        short enough, their entries; nothing when the client does not see time entries."""
        lines = self.invoice_line_times(invoice)
        return BilledTime(lines, self.invoice_line_entries(invoice, lines, LINE_LIMIT, PAGE_BUDGET))

    def invoice_line_times(self, invoice: Invoice) -> dict[int, LineTime]:
        """Per line (by item id) that bills time: its entries' count and seconds, in one
        query; empty when the client does not see time entries (or the invoice bills none)."""
        if not self.visibility.time_entries:
            return {}
        rounding = firm.get_settings().invoice_rounding_minutes
        rows = self.session.execute(
            select(TimeEntry.invoice_item_id, func.count(TimeEntry.id), seconds_sum())
            .select_from(TimeEntry)
            .join(InvoiceItem, InvoiceItem.id == TimeEntry.invoice_item_id)
            .join(Invoice, Invoice.id == InvoiceItem.invoice_id)
            .where(*self._billed(invoice.id))
            .group_by(TimeEntry.invoice_item_id)
        ).all()
        return {
            int(item_id): LineTime(int(item_id), int(count), int(seconds), rounding)
            for item_id, count, seconds in rows
        }

    def invoice_line_entries(
        self, invoice: Invoice, lines: dict[int, LineTime], limit: int, budget: int
    ) -> dict[int, list[BilledEntryRow]]:
        """The entries of the lines (in the invoice's order) that bill at most ``limit``
        entries each, while they add up to at most ``budget``: what the invoice page lists
        under its lines. The other lines are read page by page (:meth:`invoice_entry_page`)."""
        chosen: list[int] = []
        for item in invoice.items:
            line = lines.get(item.id)
            if line is None or line.count > limit or line.count > budget:
                continue
            chosen.append(item.id)
            budget -= line.count
        if not chosen:
            return {}
        rows = self.session.execute(
            self._billed_rows(invoice.id)
            .where(TimeEntry.invoice_item_id.in_(chosen))
            .order_by(TimeEntry.start_time.asc(), TimeEntry.id.asc())
        ).all()
        found: dict[int, list[BilledEntryRow]] = {item_id: [] for item_id in chosen}
        for row in rows:
            entry = BilledEntryRow(*row)
            found[entry.invoice_item_id].append(entry)
        return found

    def invoice_entry_page(
        self,
        invoice: Invoice,
        lines: dict[int, LineTime],
        request: PageRequest,
        line_id: int | None = None,
    ) -> Page[BilledEntryRow]:
        """One page of the entries the invoice bills, in the order of its lines, each line's
        oldest first; with ``line_id``, one line's (404 unless it is a line of this invoice
        that bills time). 404 when the client does not see time entries."""
        if not self.visibility.time_entries:
            raise NotFound()
        query = self._billed_rows(invoice.id)
        if line_id is not None:
            if line_id not in lines:
                raise NotFound()
            query = query.where(TimeEntry.invoice_item_id == line_id)
            total = lines[line_id].count
        else:
            total = sum(line.count for line in lines.values())
        request = request.clamp(total)
        rows = self.session.execute(
            query.order_by(
                InvoiceItem.position.asc(),
                InvoiceItem.id.asc(),
                TimeEntry.start_time.asc(),
                TimeEntry.id.asc(),
            )
            .limit(request.size)
            .offset(request.offset)
        ).all()
        return Page([BilledEntryRow(*row) for row in rows], total, request.number, request.size)
