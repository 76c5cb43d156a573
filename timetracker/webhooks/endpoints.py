"""The administrators' operations on endpoints and deliveries; each is audited, none commits.

The URL is checked by :func:`addresses.check` when it is saved (HTTPS, a public host); a
changed URL keeps the secret (rotate it on purpose). Turning an endpoint on again clears the
reason it was turned off and its count of failures.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from timetracker import audit
from timetracker.audit import Kind
from timetracker.models import User
from timetracker.models._common import utcnow
from timetracker.models.api import WebhookDelivery, WebhookEndpoint
from timetracker.pagination import Page, PageRequest
from timetracker.webhooks import addresses, payloads, signing
from timetracker.webhooks.events import SUBSCRIBABLE, Event, subscribed, write_deliveries


class EndpointError(ValueError):
    """The input cannot be saved; ``field`` names the form field it is about."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class EndpointInput:
    url: str
    description: str | None
    events: Sequence[str]
    is_active: bool = True


def _checked(data: EndpointInput, config: Mapping[str, Any]) -> tuple[str, str]:
    try:
        url = addresses.check(data.url, config)
    except addresses.AddressError as error:
        raise EndpointError("url", error.translated()) from None
    unknown = [e for e in data.events if e not in SUBSCRIBABLE]
    if unknown:
        raise EndpointError("events", _("Unknown event: %(event)s.", event=unknown[0]))
    if not data.events:
        raise EndpointError("events", _("Choose at least one event to send."))
    events = " ".join(e for e in SUBSCRIBABLE if e in data.events)
    return url, events


def _describe(endpoint: WebhookEndpoint) -> str:
    return f"{endpoint.url} (events: {', '.join(subscribed(endpoint))})"


def create(
    session: Session, admin: User, data: EndpointInput, config: Mapping[str, Any]
) -> WebhookEndpoint:
    url, events = _checked(data, config)
    endpoint = WebhookEndpoint(
        url=url,
        description=(data.description or "").strip() or None,
        secret=signing.new_secret(),
        events=events,
        is_active=True,
        created_at=utcnow(),
        created_by_id=admin.id,
        consecutive_failures=0,
    )
    session.add(endpoint)
    session.flush()
    audit.record(Kind.WEBHOOK_ADDED, session, actor=admin, detail=_describe(endpoint))
    return endpoint


def update(
    session: Session,
    admin: User,
    endpoint: WebhookEndpoint,
    data: EndpointInput,
    config: Mapping[str, Any],
) -> list[str]:
    """Save the form; returns what changed, in words (empty: nothing did)."""
    url, events = _checked(data, config)
    description = (data.description or "").strip() or None
    changes: list[str] = []
    if url != endpoint.url:
        changes.append(f"URL {endpoint.url} → {url}")
        endpoint.url = url
    if description != endpoint.description:
        changes.append("description")
        endpoint.description = description
    if events != endpoint.events:
        changes.append(f"events: {events.replace(' ', ', ')}")
        endpoint.events = events
    live = endpoint.is_active and endpoint.disabled_at is None
    if data.is_active and not live:
        changes.append("turned on")
        endpoint.is_active = True
        endpoint.disabled_at = None
        endpoint.disabled_reason = None
        endpoint.consecutive_failures = 0
    elif not data.is_active and endpoint.is_active:
        changes.append("turned off")
        endpoint.is_active = False
    if changes:
        session.flush()
        audit.record(
            Kind.WEBHOOK_CHANGED, session, actor=admin, detail=f"{url}: {'; '.join(changes)}"
        )
    return changes


def rotate_secret(session: Session, admin: User, endpoint: WebhookEndpoint) -> None:
    endpoint.secret = signing.new_secret()
    session.flush()
    audit.record(
        Kind.WEBHOOK_CHANGED, session, actor=admin, detail=f"{endpoint.url}: secret rotated"
    )


def remove(session: Session, admin: User, endpoint: WebhookEndpoint) -> None:
    """The endpoint and its deliveries go (the foreign key cascades)."""
    detail = _describe(endpoint)
    session.execute(delete(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id))
    session.delete(endpoint)
    session.flush()
    audit.record(Kind.WEBHOOK_REMOVED, session, actor=admin, detail=detail)


def ping(session: Session, endpoint: WebhookEndpoint) -> WebhookDelivery:
    """A test event to this endpoint alone (one attempt; it never counts as a failure)."""
    (delivery,) = write_deliveries(session, Event.PING, payloads.ping_data(endpoint.id), [endpoint])
    return delivery


# Reading --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class EndpointRow:
    endpoint: WebhookEndpoint
    last_delivery: WebhookDelivery | None


def listing(session: Session) -> list[EndpointRow]:
    """Every endpoint, oldest first, with its latest delivery (two queries)."""
    endpoints = list(session.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.id)))
    latest = (
        select(func.max(WebhookDelivery.id)).group_by(WebhookDelivery.endpoint_id).scalar_subquery()
    )
    last = {
        d.endpoint_id: d
        for d in session.scalars(select(WebhookDelivery).where(WebhookDelivery.id.in_(latest)))
    }
    return [EndpointRow(e, last.get(e.id)) for e in endpoints]


def get(session: Session, endpoint_id: int) -> WebhookEndpoint | None:
    return session.scalar(select(WebhookEndpoint).where(WebhookEndpoint.id == endpoint_id))


def delivery_of(session: Session, endpoint_id: int, delivery_id: int) -> WebhookDelivery | None:
    """A delivery of this endpoint (another endpoint's id is a missing one)."""
    return session.scalar(
        select(WebhookDelivery).where(
            WebhookDelivery.id == delivery_id, WebhookDelivery.endpoint_id == endpoint_id
        )
    )


def deliveries_page(
    session: Session, endpoint_id: int, request: PageRequest
) -> Page[WebhookDelivery]:
    """The endpoint's deliveries, newest first."""
    where = WebhookDelivery.endpoint_id == endpoint_id
    total = session.scalar(select(func.count(WebhookDelivery.id)).where(where)) or 0
    request = request.clamp(total)
    items = list(
        session.scalars(
            select(WebhookDelivery)
            .where(where)
            .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc())
            .limit(request.size)
            .offset(request.offset)
        )
    )
    return Page(items, total, request.number, request.size)
