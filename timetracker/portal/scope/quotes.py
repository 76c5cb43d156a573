"""The client's quotes: never drafts; filtered by the billing package's quote states; answered
(accepted or declined) only through the scope, with the client id in the UPDATE itself."""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, case, func, select
from sqlalchemy.orm import selectinload
from werkzeug.exceptions import NotFound

from timetracker.billing import quotes
from timetracker.billing.quotes import Answer, Answerer, QuoteFilter, QuoteState
from timetracker.models import Project, Quote, QuoteStatus, User
from timetracker.pagination import Page, PageRequest
from timetracker.portal.scope.base import ScopeBase


class QuoteScope(ScopeBase):
    def _visible_quotes(self) -> ColumnElement[bool]:
        """The client's quotes that it may see: never drafts."""
        return (Quote.client_id == self.client_id) & (Quote.status != QuoteStatus.DRAFT)

    def _quotes(self) -> Select[tuple[Quote]]:
        return select(Quote).where(self._visible_quotes())

    def _quote_condition(self, which: QuoteFilter) -> ColumnElement[bool]:
        return quotes.filter_condition(which, self.today)

    def quote_page(self, which: QuoteFilter, request: PageRequest) -> Page[Quote]:
        query = self._quotes().where(self._quote_condition(which))
        total = self.session.scalar(select(func.count()).select_from(query.subquery())) or 0
        request = request.clamp(total)
        items = list(
            self.session.scalars(
                query.order_by(Quote.issue_date.desc(), Quote.id.desc())
                .limit(request.size)
                .offset(request.offset)
            )
        )
        return Page(items, total, request.number, request.size)

    def quote_filter_counts(self) -> dict[QuoteFilter, int]:
        """How many quotes each of the portal's filters selects, in one query."""
        filters = quotes.PORTAL_FILTERS
        row = self.session.execute(
            select(
                *[
                    func.coalesce(func.sum(case((self._quote_condition(f), 1), else_=0)), 0)
                    for f in filters
                ]
            ).where(self._visible_quotes())
        ).one()
        return {f: int(n) for f, n in zip(filters, row, strict=True)}

    def quote(self, quote_id: int) -> Quote:
        """One of the client's visible quotes with its lines; 404 otherwise, whether the id is
        missing, a draft or another client's."""
        quote = self.session.scalar(
            self._quotes().where(Quote.id == quote_id).options(selectinload(Quote.items))
        )
        if quote is None:
            raise NotFound()
        return quote

    def quote_project_name(self, quote: Quote) -> str | None:
        if quote.project_id is None:
            return None
        return self.session.scalar(
            select(Project.name).where(
                Project.id == quote.project_id, Project.client_id == self.client_id
            )
        )

    def quote_answered_by(self, quote: Quote) -> str | None:
        """The name of the client's contact who answered (``None`` if that account is gone)."""
        if quote.answered_by_id is None:
            return None
        return self.session.scalar(
            select(User.name).where(
                User.id == quote.answered_by_id, User.client_id == self.client_id
            )
        )

    def quote_state(self, quote: Quote) -> QuoteState:
        return quotes.state_of(quote, self.today)

    def accept_quote(self, quote: Quote, answerer: Answerer, signature: str) -> bool:
        """Accept one of the client's open quotes; ``False`` when it was not open any more
        (answered already, or expired): nothing is changed then."""
        return quotes.answer(
            self.session,
            quote,
            self.client_id,
            Answer.ACCEPT,
            answerer,
            self.today,
            signature=signature,
        )

    def decline_quote(self, quote: Quote, answerer: Answerer, reason: str) -> bool:
        """Decline one of the client's open quotes; ``False`` as for :meth:`accept_quote`."""
        return quotes.answer(
            self.session, quote, self.client_id, Answer.DECLINE, answerer, self.today, reason=reason
        )
