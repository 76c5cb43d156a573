"""Emitting events: one :class:`WebhookDelivery` per active endpoint subscribed to the event,
written in the caller's transaction, and handed to the background jobs once that transaction
commits (a rolled-back request sends nothing).

Outside a request (a CLI command, the demo data) there is no commit hook to wait for: the rows
are due at once and the next sweep (``timetracker webhooks sweep``) sends them.

The operations call the helpers at the end of this module, one line each.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from flask import has_request_context
from flask_babel import LazyString
from sqlalchemy import select
from sqlalchemy.orm import Session

from timetracker.i18n import _l
from timetracker.models import Invoice, InvoiceStatus, TimeEntry
from timetracker.models._common import utcnow
from timetracker.models.api import WebhookDelivery, WebhookEndpoint
from timetracker.webhooks import payloads


class Event(enum.StrEnum):
    INVOICE_SENT = "invoice.sent"
    INVOICE_PAID = "invoice.paid"
    INVOICE_REOPENED = "invoice.reopened"
    TIME_ENTRY_CREATED = "time_entry.created"
    #: The administrator's "Send test event"; only ever to one endpoint.
    PING = "ping"


#: What an endpoint can subscribe to, with the label of its checkbox.
SUBSCRIBABLE: dict[str, LazyString] = {
    Event.INVOICE_SENT: _l("Invoice sent (issued to the client)"),
    Event.INVOICE_PAID: _l("Invoice paid (its balance reached zero)"),
    Event.INVOICE_REOPENED: _l("Paid invoice owing again (a payment corrected or deleted)"),
    Event.TIME_ENTRY_CREATED: _l("Time entry created (a completed entry or a stopped timer)"),
}


def subscribed(endpoint: WebhookEndpoint) -> list[str]:
    return [e for e in endpoint.events.split() if e in SUBSCRIBABLE]


def _active_endpoints(session: Session, event: str) -> list[WebhookEndpoint]:
    endpoints = session.scalars(
        select(WebhookEndpoint)
        .where(WebhookEndpoint.is_active.is_(True), WebhookEndpoint.disabled_at.is_(None))
        .order_by(WebhookEndpoint.id)
    )
    return [e for e in endpoints if event in e.events.split()]


def write_deliveries(
    session: Session, event: str, data: dict[str, Any], endpoints: Sequence[WebhookEndpoint]
) -> list[WebhookDelivery]:
    """The delivery rows of one event (one event id and one body for all of them), flushed."""
    if not endpoints:
        return []
    event_id = str(uuid.uuid4())
    created_at = utcnow()
    body = payloads.envelope(event_id, event, created_at, data)
    deliveries = [
        WebhookDelivery(
            endpoint_id=endpoint.id,
            event=event,
            event_id=event_id,
            payload=body,
            created_at=created_at,
            status="pending",
            attempts=0,
            next_attempt_at=created_at,
        )
        for endpoint in endpoints
    ]
    session.add_all(deliveries)
    session.flush()
    return deliveries


def send_after_commit(deliveries: Sequence[WebhookDelivery]) -> None:
    """Hand the deliveries to the jobs once the request commits (see the module's note)."""
    if not deliveries or not has_request_context():
        return
    from timetracker import after_commit
    from timetracker.webhooks.jobs import dispatch

    after_commit(partial(dispatch, [(d.id, 0, False) for d in deliveries]))


Data = dict[str, Any]


def emit(session: Session, event: str, data: Data | Callable[[], Data]) -> list[WebhookDelivery]:
    """Record ``event`` for every active endpoint subscribed to it; sent after the commit.
    ``data`` may be a function, called only when some endpoint is subscribed."""
    endpoints = _active_endpoints(session, event)
    if not endpoints:
        return []
    body = data() if callable(data) else data
    deliveries = write_deliveries(session, event, body, endpoints)
    send_after_commit(deliveries)
    return deliveries


# What the operations call ------------------------------------------------------------------
def invoice_sent(session: Session, invoice: Invoice) -> None:
    """``invoice.sent``, and ``invoice.paid`` too when it was issued with nothing to pay."""
    emit(session, Event.INVOICE_SENT, partial(payloads.invoice_data, session, invoice))
    invoice_paid(session, invoice)


def invoice_paid(session: Session, invoice: Invoice) -> None:
    """``invoice.paid`` when the invoice is paid now (a partial payment is no event)."""
    if invoice.status == InvoiceStatus.PAID:
        emit(session, Event.INVOICE_PAID, partial(payloads.invoice_data, session, invoice))


def invoice_reopened(session: Session, invoice: Invoice) -> None:
    """``invoice.reopened``: a paid invoice owes money again (a payment corrected or deleted)."""
    if invoice.status == InvoiceStatus.SENT:
        emit(session, Event.INVOICE_REOPENED, partial(payloads.invoice_data, session, invoice))


def time_entry_created(session: Session, entry: TimeEntry) -> None:
    """``time_entry.created`` for a completed entry (a running timer is not one yet)."""
    if entry.end_time is not None:
        emit(session, Event.TIME_ENTRY_CREATED, partial(payloads.time_entry_data, session, entry))
