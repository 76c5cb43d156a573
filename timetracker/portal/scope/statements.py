"""The client's statement of account: invoices, payments and the running balance."""

from __future__ import annotations

from timetracker.portal.scope.invoices import InvoiceScope


class StatementScope(InvoiceScope):
    pass
