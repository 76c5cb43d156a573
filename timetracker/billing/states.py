"""Invoice states: the stored status, and what every screen derives from it, in one place.

Stored: ``draft → sent → paid`` and ``draft|sent → cancelled`` (:class:`InvoiceStatus`).
Derived, never stored, with ``today`` in the firm's timezone:

* **unpaid** — sent and a balance is left (every open invoice, overdue or not);
* **overdue** — unpaid and the due date is before today;
* **not yet due** — unpaid and not overdue;
* **paid**, **draft**, **cancelled** — as stored.

:class:`InvoiceState` is the partition every chart groups by (each invoice in exactly one);
:class:`InvoiceFilter` names the sets the tabs and cards select (unpaid = not yet due +
overdue). Each comes as a SQL condition and as a Python predicate that agree.
"""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

from sqlalchemy import ColumnElement, and_, case, literal, true

from timetracker.billing.rules import ZERO
from timetracker.i18n import _l, lazy_pgettext
from timetracker.models import Invoice, InvoiceStatus


class InvoiceState(enum.StrEnum):
    """Exactly one per invoice."""

    DRAFT = "draft"
    NOT_YET_DUE = "not_yet_due"
    OVERDUE = "overdue"
    PAID = "paid"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return str(STATE_LABELS[self])

    @property
    def badge(self) -> str:
        """The Bootstrap class of its badge."""
        return STATE_BADGES[self]

    @property
    def badge_text(self) -> str:
        """The badge's word: an open invoice is "Unpaid" (or "Overdue"), as the tabs say."""
        return str(_l("Unpaid") if self is InvoiceState.NOT_YET_DUE else STATE_LABELS[self])

    @property
    def is_unpaid(self) -> bool:
        return self in (InvoiceState.NOT_YET_DUE, InvoiceState.OVERDUE)

    def badge_text_for(self, invoice: Invoice) -> str:
        """The badge's words for ``invoice`` in this state, the same for staff and clients:
        an unpaid invoice with a payment reads "Partially paid" ("Overdue · partially paid"
        once past due). Partially paid is a mark on the unpaid states, not a state."""
        if self.is_unpaid and is_partially_paid(invoice):
            return str(PARTIAL_TEXTS[self])
        return self.badge_text


STATE_LABELS = {
    InvoiceState.DRAFT: _l("Draft"),
    InvoiceState.NOT_YET_DUE: _l("Not yet due"),
    InvoiceState.OVERDUE: _l("Overdue"),
    InvoiceState.PAID: _l("Paid"),
    InvoiceState.CANCELLED: _l("Cancelled"),
}
STATE_BADGES = {
    InvoiceState.DRAFT: "text-bg-secondary",
    InvoiceState.NOT_YET_DUE: "text-bg-warning",
    InvoiceState.OVERDUE: "text-bg-danger",
    InvoiceState.PAID: "text-bg-success",
    InvoiceState.CANCELLED: "text-bg-light",
}
PARTIAL_TEXTS = {
    InvoiceState.NOT_YET_DUE: _l("Partially paid"),
    InvoiceState.OVERDUE: _l("Overdue · partially paid"),
}
#: Chart order: the life of an invoice.
STATE_ORDER = tuple(InvoiceState)


class InvoiceFilter(enum.StrEnum):
    """The sets of invoices a tab, card or query parameter selects."""

    ALL = "all"
    DRAFT = "draft"
    UNPAID = "unpaid"
    OVERDUE = "overdue"
    PAID = "paid"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return str(FILTER_LABELS[self])


FILTER_LABELS = {
    # "All" has a gender in French (les factures: toutes), hence its context.
    InvoiceFilter.ALL: lazy_pgettext("invoice filter", "All"),
    InvoiceFilter.DRAFT: _l("Draft"),
    InvoiceFilter.UNPAID: _l("Unpaid"),
    InvoiceFilter.OVERDUE: _l("Overdue"),
    InvoiceFilter.PAID: _l("Paid"),
    InvoiceFilter.CANCELLED: _l("Cancelled"),
}
#: What a client may filter by (it never sees drafts; cancelled invoices show under "all").
PORTAL_FILTERS = (
    InvoiceFilter.ALL,
    InvoiceFilter.PAID,
    InvoiceFilter.UNPAID,
    InvoiceFilter.OVERDUE,
)
#: The staff invoice list's tabs.
STAFF_FILTERS = tuple(InvoiceFilter)


# Python -------------------------------------------------------------------------------------
def balance(invoice: Invoice) -> Decimal:
    """What is left to pay: total − payments."""
    return invoice.total - invoice.amount_paid


def open_balance(invoice: Invoice) -> Decimal:
    """The balance still owed: only an unpaid invoice owes anything."""
    return balance(invoice) if is_unpaid(invoice) else ZERO


def is_unpaid(invoice: Invoice) -> bool:
    return invoice.status == InvoiceStatus.SENT and balance(invoice) > 0


def is_partially_paid(invoice: Invoice) -> bool:
    """Unpaid, and some of it paid: staff and clients read "Partially paid"."""
    return is_unpaid(invoice) and invoice.amount_paid > 0


def is_overdue(invoice: Invoice, today: dt.date) -> bool:
    return is_unpaid(invoice) and invoice.due_date < today


def state_of(invoice: Invoice, today: dt.date) -> InvoiceState:
    if is_overdue(invoice, today):
        return InvoiceState.OVERDUE
    if is_unpaid(invoice):
        return InvoiceState.NOT_YET_DUE
    if invoice.status == InvoiceStatus.SENT:  # a balance of zero: settled
        return InvoiceState.PAID
    return InvoiceState(invoice.status)


def matches(which: InvoiceFilter, invoice: Invoice, today: dt.date) -> bool:
    """The Python twin of :func:`filter_condition`."""
    state = state_of(invoice, today)
    if which is InvoiceFilter.ALL:
        return True
    if which is InvoiceFilter.UNPAID:
        return state in (InvoiceState.NOT_YET_DUE, InvoiceState.OVERDUE)
    return state.value == which.value


# SQL ----------------------------------------------------------------------------------------
def unpaid_condition() -> ColumnElement[bool]:
    return and_(Invoice.status == InvoiceStatus.SENT, Invoice.total > Invoice.amount_paid)


def partially_paid_condition() -> ColumnElement[bool]:
    """The SQL twin of :func:`is_partially_paid`."""
    return and_(unpaid_condition(), Invoice.amount_paid > 0)


def overdue_condition(today: dt.date) -> ColumnElement[bool]:
    return and_(unpaid_condition(), Invoice.due_date < today)


def state_condition(state: InvoiceState, today: dt.date) -> ColumnElement[bool]:
    if state is InvoiceState.OVERDUE:
        return overdue_condition(today)
    if state is InvoiceState.NOT_YET_DUE:
        return and_(unpaid_condition(), Invoice.due_date >= today)
    if state is InvoiceState.PAID:
        return (Invoice.status == InvoiceStatus.PAID) | and_(
            Invoice.status == InvoiceStatus.SENT, Invoice.total <= Invoice.amount_paid
        )
    return Invoice.status == state.value


def filter_condition(which: InvoiceFilter, today: dt.date) -> ColumnElement[bool]:
    """The SQL condition of a filter (``ALL`` selects every row the caller's scope has)."""
    if which is InvoiceFilter.ALL:
        return true()
    if which is InvoiceFilter.UNPAID:
        return unpaid_condition()
    return state_condition(InvoiceState(which.value), today)


def state_expression(today: dt.date) -> ColumnElement[str]:
    """Each invoice's :class:`InvoiceState` value, as a SQL CASE."""
    return case(
        *[(state_condition(s, today), literal(s.value)) for s in STATE_ORDER],
        else_=literal(InvoiceState.CANCELLED.value),
    )


def open_balance_expression() -> ColumnElement[Decimal]:
    """The balance still owed, per invoice (zero unless unpaid)."""
    return case((unpaid_condition(), Invoice.total - Invoice.amount_paid), else_=ZERO)
