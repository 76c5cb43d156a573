"""The client's invoices: never drafts; filtered by the billing package's invoice states."""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, case, func, select
from sqlalchemy.orm import selectinload
from werkzeug.exceptions import NotFound

from timetracker.billing import rules, states
from timetracker.billing.states import InvoiceFilter, InvoiceState
from timetracker.models import Invoice, InvoiceStatus, Project
from timetracker.pagination import Page, PageRequest
from timetracker.portal.results import InvoiceTotals
from timetracker.portal.scope.projects import ProjectScope


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
