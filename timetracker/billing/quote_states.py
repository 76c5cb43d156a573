"""Quote states: the stored status, and what every screen derives from it, in one place (the
twin of :mod:`.states` for invoices).

Stored: ``draft → sent → accepted | declined``. Derived, never stored, with ``today`` in the
firm's timezone: a sent quote is **open** while ``valid_until`` is today or later, and
**expired** after. :class:`QuoteState` is what the staff pages, the portal, the PDF and the
filters show (each quote is in exactly one); :class:`QuoteFilter` names the sets the tabs select.
Each comes as a SQL condition and as a Python predicate that agree. Import them from
:mod:`timetracker.billing.quotes`, the home of the quote rules.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from flask_babel import pgettext
from sqlalchemy import ColumnElement, and_, case, literal, true

from timetracker.models import Quote, QuoteStatus


class QuoteError(ValueError):
    """A quote operation that the quote's state or the input does not allow; the message is
    written for the person who asked."""


def rowcount(result: Any) -> int:
    """The rows an UPDATE changed (0 when the driver does not say)."""
    return int(getattr(result, "rowcount", 0) or 0)


# States ---------------------------------------------------------------------------------------
class QuoteState(enum.StrEnum):
    """Exactly one per quote."""

    DRAFT = "draft"
    OPEN = "open"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"

    @property
    def label(self) -> str:
        """The state's name in the language being spoken."""
        return state_label(self)

    @property
    def badge(self) -> str:
        """The Bootstrap class of its badge."""
        return STATE_BADGES[self]


def state_label(state: QuoteState) -> str:
    """The name of ``state``, translated when asked (a quote's states have a context of their
    own: in French a quote is masculine, an invoice feminine)."""
    if state is QuoteState.DRAFT:
        return pgettext("quote state", "Draft")
    if state is QuoteState.OPEN:
        return pgettext("quote state", "Open")
    if state is QuoteState.ACCEPTED:
        return pgettext("quote state", "Accepted")
    if state is QuoteState.DECLINED:
        return pgettext("quote state", "Declined")
    return pgettext("quote state", "Expired")


STATE_BADGES = {
    QuoteState.DRAFT: "text-bg-secondary",
    QuoteState.OPEN: "text-bg-primary",
    QuoteState.ACCEPTED: "text-bg-success",
    QuoteState.DECLINED: "text-bg-danger",
    QuoteState.EXPIRED: "text-bg-light",
}
#: The life of a quote.
STATE_ORDER = tuple(QuoteState)


class QuoteFilter(enum.StrEnum):
    """The sets of quotes a tab or query parameter selects."""

    OPEN = "open"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"
    DRAFT = "draft"
    ALL = "all"

    @property
    def label(self) -> str:
        """The filter's name in the language being spoken."""
        if self is QuoteFilter.ALL:
            return pgettext("quote filter", "All")
        return state_label(QuoteState(self.value))


#: What a client may filter by, in the order of the tabs (the default first). A client never
#: sees drafts: its "all" is every quote of its scope, which leaves drafts out.
PORTAL_FILTERS = (
    QuoteFilter.OPEN,
    QuoteFilter.ACCEPTED,
    QuoteFilter.DECLINED,
    QuoteFilter.EXPIRED,
    QuoteFilter.ALL,
)
PORTAL_DEFAULT = QuoteFilter.OPEN
#: The staff list's choices ("all" includes drafts there).
STAFF_FILTERS = (
    QuoteFilter.ALL,
    QuoteFilter.DRAFT,
    QuoteFilter.OPEN,
    QuoteFilter.ACCEPTED,
    QuoteFilter.DECLINED,
    QuoteFilter.EXPIRED,
)


# Python ---------------------------------------------------------------------------------------
def is_expired(quote: Quote, today: dt.date) -> bool:
    """Sent, and the last day it was valid is behind us."""
    return quote.status == QuoteStatus.SENT and quote.valid_until < today


def can_be_answered(quote: Quote, today: dt.date) -> bool:
    """Sent and still valid today (the twin of :func:`answerable_condition`)."""
    return quote.status == QuoteStatus.SENT and quote.valid_until >= today


def state_of(quote: Quote, today: dt.date) -> QuoteState:
    if quote.status == QuoteStatus.SENT:
        return QuoteState.EXPIRED if quote.valid_until < today else QuoteState.OPEN
    return QuoteState(quote.status)


def matches(which: QuoteFilter, quote: Quote, today: dt.date) -> bool:
    """The Python twin of :func:`filter_condition`."""
    return which is QuoteFilter.ALL or state_of(quote, today).value == which.value


# SQL ------------------------------------------------------------------------------------------
def answerable_condition(today: dt.date) -> ColumnElement[bool]:
    return and_(Quote.status == QuoteStatus.SENT, Quote.valid_until >= today)


def state_condition(state: QuoteState, today: dt.date) -> ColumnElement[bool]:
    if state is QuoteState.OPEN:
        return answerable_condition(today)
    if state is QuoteState.EXPIRED:
        return and_(Quote.status == QuoteStatus.SENT, Quote.valid_until < today)
    return Quote.status == state.value


def filter_condition(which: QuoteFilter, today: dt.date) -> ColumnElement[bool]:
    """The SQL condition of a filter (``ALL`` selects every row the caller's scope has)."""
    if which is QuoteFilter.ALL:
        return true()
    return state_condition(QuoteState(which.value), today)


def state_expression(today: dt.date) -> ColumnElement[str]:
    """Each quote's :class:`QuoteState` value, as a SQL CASE."""
    return case(
        *[(state_condition(s, today), literal(s.value)) for s in STATE_ORDER[:-1]],
        else_=literal(QuoteState.EXPIRED.value),
    )
