"""The client's statement of account: invoices, payments and the running balance.

Computed by :func:`timetracker.billing.statements.statement_of` from the scope's client id:
drafts never count (as everywhere in the portal) and neither do cancelled invoices. The amounts
are invoice money, shown whatever the client's visibility settings say about amounts of time.
"""

from __future__ import annotations

import datetime as dt

from timetracker.billing import statements
from timetracker.billing.statements import Statement
from timetracker.portal.scope.invoices import InvoiceScope


class StatementScope(InvoiceScope):
    def statement(self, date_from: dt.date, date_to: dt.date) -> Statement:
        """The client's statement of the inclusive period (raises
        :class:`~timetracker.billing.statements.StatementError` for a period it cannot cover)."""
        return statements.statement_of(self.session, self.client_id, date_from, date_to)
