"""What a person's calendar feed holds: due dates of unpaid invoices and expiry dates of open
quotes, as all-day events.

- A client contact: their client's invoices that are sent and unpaid (drafts never) and its
  open quotes (sent, still valid), read only through :class:`PortalScope` (the portal's
  visibility and rules), with links into the portal.
- Staff and administrators: every sent, unpaid invoice and every open quote of the active
  clients, with links to the staff pages.
- Anyone else (deactivated, without a role, a contact of a deactivated client): no feed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from timetracker import firm
from timetracker.auth.access import refusal
from timetracker.billing import quotes as quote_rules
from timetracker.billing import states
from timetracker.billing.quotes import QuoteFilter
from timetracker.billing.states import InvoiceFilter
from timetracker.feeds.ics import AllDayEvent
from timetracker.formatting import long_date, money
from timetracker.models import Client, Invoice, Quote, User
from timetracker.pagination import PageRequest
from timetracker.portal.scope import PortalAccessDenied, PortalScope

#: Invoices and quotes a feed holds at most, each.
MAX_ITEMS = 1000


class NoFeed(Exception):
    """The person may not have a feed (any more)."""


def _base() -> str:
    return str(current_app.config.get("BASE_URL") or request.host_url).rstrip("/")


def _link(endpoint: str, **values: Any) -> str:
    return _base() + url_for(endpoint, **values)


def _uid(kind: str, item_id: int) -> str:
    host = urlsplit(_base()).hostname or "timetracker"
    return f"{kind}-{item_id}@{host}"


def _invoice_event(invoice: Invoice, client_name: str, endpoint: str) -> AllDayEvent:
    open_amount = money(states.balance(invoice), invoice.currency)
    return AllDayEvent(
        uid=_uid("invoice", invoice.id),
        day=invoice.due_date,
        summary=_(
            "Invoice %(number)s due (%(client)s, %(amount)s open)",
            number=invoice.number,
            client=client_name,
            amount=open_amount,
        ),
        description=_(
            "Invoice %(number)s for %(client)s\nTotal: %(total)s\nOpen: %(open)s\nDue: %(due)s",
            number=invoice.number,
            client=client_name,
            total=money(invoice.total, invoice.currency),
            open=open_amount,
            due=long_date(invoice.due_date),
        ),
        url=_link(endpoint, invoice_id=invoice.id),
        categories=_("Invoice due"),
    )


def _quote_event(quote: Quote, client_name: str, endpoint: str) -> AllDayEvent:
    total = money(quote.total, quote.currency)
    return AllDayEvent(
        uid=_uid("quote", quote.id),
        day=quote.valid_until,
        summary=_(
            "Quote %(number)s expires (%(client)s, %(total)s)",
            number=quote.number,
            client=client_name,
            total=total,
        ),
        description=_(
            "Quote %(number)s for %(client)s: %(title)s\nTotal: %(total)s\nValid until: %(day)s",
            number=quote.number,
            client=client_name,
            title=quote.title,
            total=total,
            day=long_date(quote.valid_until),
        ),
        url=_link(endpoint, quote_id=quote.id),
        categories=_("Quote expires"),
    )


def _contact_events(user: User, session: Session) -> tuple[str, list[AllDayEvent]]:
    try:
        scope = PortalScope.require(user, session)
    except PortalAccessDenied:
        raise NoFeed() from None
    everything = PageRequest(1, MAX_ITEMS)
    name = scope.client.name
    invoices = scope.invoice_page(InvoiceFilter.UNPAID, everything).items
    quotes = scope.quote_page(QuoteFilter.OPEN, everything).items
    events = [_invoice_event(i, name, "portal.invoice_detail") for i in invoices]
    events += [_quote_event(q, name, "portal_quotes.quote_detail") for q in quotes]
    return name, events


def _staff_events(session: Session) -> list[AllDayEvent]:
    today = firm.today()
    invoices = session.execute(
        select(Invoice, Client.name)
        .join(Client, Client.id == Invoice.client_id)
        .where(states.unpaid_condition(), Client.is_active.is_(True))
        .order_by(Invoice.due_date, Invoice.id)
        .limit(MAX_ITEMS)
    ).all()
    quotes = session.execute(
        select(Quote, Client.name)
        .join(Client, Client.id == Quote.client_id)
        .where(quote_rules.filter_condition(QuoteFilter.OPEN, today), Client.is_active.is_(True))
        .order_by(Quote.valid_until, Quote.id)
        .limit(MAX_ITEMS)
    ).all()
    events = [_invoice_event(i, name, "workspace.invoice_detail") for i, name in invoices]
    events += [_quote_event(q, name, "workspace.quote_detail") for q, name in quotes]
    return events


def feed_for(session: Session, user: User) -> tuple[str, Iterable[AllDayEvent]]:
    """The calendar's name and events for ``user``; :class:`NoFeed` when they have no access."""
    if refusal(user) is not None:
        raise NoFeed()
    company = firm.get_settings().company_name
    if user.is_client_contact:
        client_name, events = _contact_events(user, session)
        return (
            _("%(company)s: %(client)s invoices and quotes", company=company, client=client_name),
            events,
        )
    if user.is_staff:
        return (
            _("%(company)s: invoices due and quotes expiring", company=company),
            _staff_events(session),
        )
    raise NoFeed()


def stamp() -> dt.datetime:
    return firm.now().replace(microsecond=0)
