"""Attempting a delivery, and what follows from the answer: done, a retry later, or given up.

Back-off: after a failed attempt the next is due 1 minute, 5 minutes, 30 minutes, 2 hours and
6 hours later (``WEBHOOK_RETRY_DELAYS``): six attempts over about 8 h 36 min, then the delivery
has failed. A 2xx answer is success; anything else (another status, a redirect, a timeout, a
refused connection or certificate) is a failure.

Disabling: an endpoint whose deliveries failed (every retry given up) ``WEBHOOK_DISABLE_AFTER``
times in a row (5) is turned off, the reason kept, the audit told (``webhook_disabled``) and
every active administrator emailed. A delivered event resets the count. Test events (``ping``)
get one attempt and never count; nor does an administrator's "Retry now" of a failed delivery
(one attempt, no new schedule).

Every attempt first *claims* its row with a conditional UPDATE (the expected number of attempts,
the status, and that it is due) and commits, so the RQ job, the inline attempt after a request,
the sweep and a second click of "Retry now" can never send one attempt twice. A claim holds the
row for :data:`LEASE` (a process that dies mid-attempt leaves it to the sweep after that).
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from timetracker import audit, db
from timetracker.audit import Kind
from timetracker.models._common import utcnow
from timetracker.models.api import WebhookDelivery, WebhookEndpoint
from timetracker.webhooks import addresses, signing, transport
from timetracker.webhooks.events import Event

log = logging.getLogger(__name__)

#: How long a claimed attempt holds its row.
LEASE = dt.timedelta(minutes=5)
ENDPOINT_OFF = "The endpoint is turned off; the event was not sent."


class Outcome(enum.Enum):
    DELIVERED = "delivered"
    RETRY = "retry"
    FAILED = "failed"
    #: Not attempted: not due, claimed by another process, or gone.
    SKIPPED = "skipped"


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    #: For ``RETRY``: the attempts made so far and the seconds until the next.
    attempts: int = 0
    retry_in: int = 0
    #: The endpoint this attempt turned off, if it did.
    disabled_endpoint_id: int | None = None


def retry_delays() -> list[int]:
    delays = current_app.config["WEBHOOK_RETRY_DELAYS"]
    return [max(0, int(d)) for d in delays]


def disable_after() -> int:
    return max(1, int(current_app.config["WEBHOOK_DISABLE_AFTER"]))


def is_live(endpoint: WebhookEndpoint) -> bool:
    return endpoint.is_active and endpoint.disabled_at is None


def _claim(session: Session, delivery_id: int, expected: int, manual: bool) -> bool:
    now = utcnow()
    conditions = [WebhookDelivery.id == delivery_id, WebhookDelivery.attempts == expected]
    if manual:
        conditions.append(WebhookDelivery.status == "failed")
    else:
        conditions += [
            WebhookDelivery.status == "pending",
            or_(WebhookDelivery.next_attempt_at.is_(None), WebhookDelivery.next_attempt_at <= now),
        ]
    result = session.execute(
        update(WebhookDelivery)
        .where(*conditions)
        .values(
            attempts=expected + 1,
            last_attempt_at=now,
            next_attempt_at=None if manual else now + LEASE,
        )
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


def attempt(delivery_id: int, expected: int, *, manual: bool = False) -> Result:
    """Make attempt number ``expected + 1`` of the delivery, if it is still due; commits."""
    session = db.session
    row = session.execute(
        select(WebhookDelivery, WebhookEndpoint)
        .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
        .where(WebhookDelivery.id == delivery_id)
        .execution_options(populate_existing=True)
    ).first()
    if row is None:
        session.rollback()
        return Result(Outcome.SKIPPED)
    delivery, endpoint = row
    if not is_live(endpoint):
        return _drop(session, delivery, expected)
    if not _claim(session, delivery_id, expected, manual):
        session.rollback()
        return Result(Outcome.SKIPPED)
    session.commit()
    session.refresh(delivery)
    timestamp = int(utcnow().timestamp())
    config = current_app.config
    answer: transport.Answer | None = None
    try:
        answer = transport.post(
            endpoint.url,
            delivery.payload,
            signing.headers(endpoint.secret, delivery.event_id, timestamp, delivery.payload),
            timeout=float(config["WEBHOOK_TIMEOUT"]),
            ca_bundle=config.get("WEBHOOK_CA_BUNDLE"),
            private_ok=addresses.allow_private(config),
        )
        error = None if answer.ok else _refusal(answer)
    except (transport.TransportError, addresses.AddressError) as failure:
        error = str(failure)
    except Exception as failure:  # noqa: BLE001 - any failure is the attempt's, recorded
        log.exception("webhook delivery %s failed unexpectedly", delivery_id)
        error = f"Unexpected error: {type(failure).__name__}"
    delivery.response_status = answer.status if answer is not None else None
    delivery.response_body = answer.body if answer is not None else None
    delivery.error = error[:500] if error else None
    if error is None:
        return _delivered(session, delivery)
    return _failed(session, delivery, endpoint, manual)


def _refusal(answer: transport.Answer) -> str:
    if 300 <= answer.status < 400:
        where = f" to {answer.location}" if answer.location else ""
        return (
            f"The endpoint answered {answer.status} (a redirect{where}); "
            "redirects are not followed."
        )
    return f"The endpoint answered {answer.status}; only 2xx counts as delivered."


def _drop(session: Session, delivery: WebhookDelivery, expected: int) -> Result:
    """The endpoint was turned off: a pending delivery fails without an attempt."""
    result = session.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.id == delivery.id,
            WebhookDelivery.status == "pending",
            WebhookDelivery.attempts == expected,
        )
        .values(status="failed", next_attempt_at=None, error=ENDPOINT_OFF)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return Result(Outcome.FAILED if getattr(result, "rowcount", 0) else Outcome.SKIPPED)


def _delivered(session: Session, delivery: WebhookDelivery) -> Result:
    delivery.status = "delivered"
    delivery.next_attempt_at = None
    session.execute(
        update(WebhookEndpoint)
        .where(WebhookEndpoint.id == delivery.endpoint_id)
        .values(consecutive_failures=0)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return Result(Outcome.DELIVERED, delivery.attempts)


def _failed(
    session: Session, delivery: WebhookDelivery, endpoint: WebhookEndpoint, manual: bool
) -> Result:
    delays = retry_delays()
    if manual:
        delivery.status = "failed"
        session.commit()
        return Result(Outcome.FAILED, delivery.attempts)
    if delivery.event != Event.PING and delivery.attempts <= len(delays):
        wait = delays[delivery.attempts - 1]
        delivery.status = "pending"
        delivery.next_attempt_at = utcnow() + dt.timedelta(seconds=wait)
        session.commit()
        return Result(Outcome.RETRY, delivery.attempts, wait)
    delivery.status = "failed"
    delivery.next_attempt_at = None
    disabled = None
    if delivery.event != Event.PING:
        session.execute(
            update(WebhookEndpoint)
            .where(WebhookEndpoint.id == endpoint.id)
            .values(consecutive_failures=WebhookEndpoint.consecutive_failures + 1)
            .execution_options(synchronize_session=False)
        )
        if _disable_if_failing(session, endpoint):
            disabled = endpoint.id
    session.commit()
    if disabled is not None:
        from timetracker.webhooks.notify import notify_endpoint_disabled

        notify_endpoint_disabled(disabled)
    return Result(Outcome.FAILED, delivery.attempts, disabled_endpoint_id=disabled)


def _disable_if_failing(session: Session, endpoint: WebhookEndpoint) -> bool:
    """Turn the endpoint off when it failed too often in a row (once: a conditional UPDATE)."""
    limit = disable_after()
    reason = (
        f"Turned off after {limit} deliveries in a row failed (each after every retry). "
        "Fix the receiver, then turn the endpoint on again."
    )
    result = session.execute(
        update(WebhookEndpoint)
        .where(
            WebhookEndpoint.id == endpoint.id,
            WebhookEndpoint.disabled_at.is_(None),
            WebhookEndpoint.consecutive_failures >= limit,
        )
        .values(is_active=False, disabled_at=utcnow(), disabled_reason=reason)
        .execution_options(synchronize_session=False)
    )
    if not getattr(result, "rowcount", 0):
        return False
    event = audit.build(Kind.WEBHOOK_DISABLED, detail=f"{endpoint.url}: {reason}")
    # The system did it, not whoever's request made the last attempt inline.
    event.actor_id = event.actor_name = event.actor_email = None
    session.add(event)
    return True


def due(session: Session, limit: int) -> Sequence[tuple[int, int]]:
    """(delivery id, attempts made) of pending deliveries that are due, oldest first."""
    rows = session.execute(
        select(WebhookDelivery.id, WebhookDelivery.attempts)
        .where(WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at <= utcnow())
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
        .limit(limit)
    ).all()
    return [(int(i), int(a)) for i, a in rows]
