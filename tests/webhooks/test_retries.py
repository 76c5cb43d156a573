"""Retries with back-off (the clock frozen), the sweep, "Retry now", and turning off an
endpoint that keeps failing, with the administrators emailed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import post
from tests.factories import make_admin, make_client, make_invoice
from tests.smtp import SmtpServer
from tests.webhooks.conftest import make_endpoint, wire
from tests.webhooks.receiver import Receiver
from timetracker.audit import Kind
from timetracker.models import AuditEvent, InvoiceStatus
from timetracker.models.api import WebhookDelivery, WebhookEndpoint
from timetracker.webhooks import delivery, jobs

START = dt.datetime(2026, 6, 1, 8, 0, tzinfo=dt.UTC)
FAIL = (500, b"Internal Server Error", {})


@pytest.fixture
def clock() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def _sweep(app: Flask, session: Session) -> jobs.SweepReport:
    """The sweep as the CLI runs it: an application context (and session) of its own."""
    session.flush()
    with app.app_context():
        report = jobs.sweep()
    session.expire_all()
    return report


def _send_invoice(as_admin: FlaskClient, session: Session) -> None:
    invoice = make_invoice(session, make_client(session), status=InvoiceStatus.DRAFT)
    assert post(as_admin, f"/invoices/{invoice.id}/send").status_code == 302


def _only_delivery(session: Session) -> WebhookDelivery:
    session.expire_all()
    (found,) = session.scalars(select(WebhookDelivery)).all()
    return found


def test_failed_attempts_are_retried_after_1_5_30_120_360_minutes_then_given_up(
    app: Flask,
    clock: time_machine.Coordinates,
    as_admin: FlaskClient,
    session: Session,
    receiver: Receiver,
) -> None:
    endpoint = wire(receiver, make_endpoint(session, receiver.url, events="invoice.sent"))
    receiver.default = FAIL
    _send_invoice(as_admin, session)  # the first attempt, inline after the commit
    row = _only_delivery(session)
    assert (row.status, row.attempts, row.response_status) == ("pending", 1, 500)
    assert row.next_attempt_at == START + dt.timedelta(minutes=1)
    assert row.response_body == "Internal Server Error"

    for attempt, wait in enumerate((1, 5, 30, 120, 360), start=2):
        clock.shift(dt.timedelta(minutes=wait) - dt.timedelta(seconds=1))
        assert _sweep(app, session).attempted == 0  # not due yet
        clock.shift(dt.timedelta(seconds=1))
        report = _sweep(app, session)
        assert report.attempted == 1
        row = _only_delivery(session)
        assert row.attempts == attempt
    assert (row.status, row.next_attempt_at) == ("failed", None)
    assert len(receiver.requests) == 6
    assert all(r.verified for r in receiver.requests)
    # each attempt is signed anew with its own time
    stamps = [int(r.headers["Webhook-Timestamp"]) for r in receiver.requests]
    assert stamps == sorted(stamps) and len(set(stamps)) == 6
    session.refresh(endpoint)
    assert endpoint.consecutive_failures == 1 and endpoint.disabled_at is None


def test_a_retry_that_succeeds_resets_the_failure_count(
    app: Flask,
    clock: time_machine.Coordinates,
    as_admin: FlaskClient,
    session: Session,
    receiver: Receiver,
) -> None:
    endpoint = wire(
        receiver,
        make_endpoint(session, receiver.url, events="invoice.sent", consecutive_failures=3),
    )
    receiver.replies = [FAIL]
    _send_invoice(as_admin, session)
    clock.shift(dt.timedelta(minutes=1))
    assert _sweep(app, session).delivered == 1
    row = _only_delivery(session)
    assert (row.status, row.attempts, row.response_status, row.error) == (
        "delivered",
        2,
        200,
        None,
    )
    session.refresh(endpoint)
    assert endpoint.consecutive_failures == 0


def test_an_attempt_is_made_once_even_when_two_sweeps_race(
    app: Flask, clock: time_machine.Coordinates, session: Session, receiver: Receiver
) -> None:
    endpoint = wire(receiver, make_endpoint(session, receiver.url))
    from timetracker.webhooks.events import write_deliveries

    (row,) = write_deliveries(session, "invoice.sent", {"x": 1}, [endpoint])
    with app.app_context():
        first = delivery.attempt(row.id, 0)
    with app.app_context():
        second = delivery.attempt(row.id, 0)  # a stale job for the same attempt
    assert (first.outcome, second.outcome) == (delivery.Outcome.DELIVERED, delivery.Outcome.SKIPPED)
    assert len(receiver.requests) == 1


def test_endpoint_is_turned_off_after_five_failed_deliveries_and_admins_are_emailed(
    app: Flask,
    clock: time_machine.Coordinates,
    as_admin: FlaskClient,
    session: Session,
    receiver: Receiver,
    smtp_server: SmtpServer,
) -> None:
    other_admin = make_admin(session, name="Bea Admin")
    make_admin(session, name="Gone Admin", is_active=False)
    endpoint = wire(
        receiver,
        make_endpoint(session, receiver.url, events="invoice.sent", consecutive_failures=4),
    )
    receiver.default = FAIL
    _send_invoice(as_admin, session)
    for wait in (1, 5, 30, 120, 360):
        clock.shift(dt.timedelta(minutes=wait))
        _sweep(app, session)
    session.refresh(endpoint)
    assert endpoint.is_active is False
    assert endpoint.disabled_at == START + dt.timedelta(minutes=516)
    assert "5 deliveries in a row failed" in (endpoint.disabled_reason or "")
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.kind == Kind.WEBHOOK_DISABLED)
    ).all()
    assert len(events) == 1 and receiver.url in (events[0].detail or "")
    recipients = sorted(str(m["To"]) for m in smtp_server.messages)
    assert len(recipients) == 2
    assert any(other_admin.email in r for r in recipients)
    assert not any("Gone Admin" in r for r in recipients)
    message = smtp_server.messages[0]
    assert message["Subject"] == f"Webhook turned off: {receiver.url}"
    assert f"/admin/webhooks/{endpoint.id}" in message.get_body(("plain",)).get_content()

    # Nothing more is sent to it; the page says why.
    before = len(receiver.requests)
    _send_invoice(as_admin, session)
    assert len(receiver.requests) == before
    page = as_admin.get(f"/admin/webhooks/{endpoint.id}").get_data(as_text=True)
    assert "Turned off for failing" in page and "5 deliveries in a row failed" in page

    # Turning it on again starts the count afresh.
    response = post(
        as_admin,
        f"/admin/webhooks/{endpoint.id}/edit",
        {"url": receiver.url, "events": ["invoice.sent"], "is_active": "y"},
    )
    assert response.status_code == 302
    session.refresh(endpoint)
    assert (endpoint.is_active, endpoint.disabled_at, endpoint.consecutive_failures) == (
        True,
        None,
        0,
    )


def test_pending_deliveries_of_an_endpoint_turned_off_are_not_sent(
    app: Flask, clock: time_machine.Coordinates, session: Session, receiver: Receiver
) -> None:
    endpoint = wire(receiver, make_endpoint(session, receiver.url))
    from timetracker.webhooks.events import write_deliveries

    write_deliveries(session, "invoice.sent", {"x": 1}, [endpoint])
    endpoint.is_active = False
    session.flush()
    _sweep(app, session)
    row = _only_delivery(session)
    assert row.status == "failed" and row.attempts == 0 and "turned off" in (row.error or "")
    assert receiver.requests == []


def test_retry_now_makes_one_more_attempt_of_a_failed_delivery(
    clock: time_machine.Coordinates,
    as_admin: FlaskClient,
    session: Session,
    receiver: Receiver,
) -> None:
    endpoint = wire(receiver, make_endpoint(session, receiver.url))
    receiver.replies = [FAIL]
    post(as_admin, f"/admin/webhooks/{endpoint.id}/test")
    row = _only_delivery(session)
    assert row.status == "failed"
    page = as_admin.get(f"/admin/webhooks/{endpoint.id}").get_data(as_text=True)
    assert "Retry now" in page
    response = post(as_admin, f"/admin/webhooks/{endpoint.id}/deliveries/{row.id}/retry")
    assert response.status_code == 302
    row = _only_delivery(session)
    assert (row.status, row.attempts, row.response_status) == ("delivered", 2, 200)
    # Retrying what is not failed changes nothing.
    post(as_admin, f"/admin/webhooks/{endpoint.id}/deliveries/{row.id}/retry")
    assert len(receiver.requests) == 2


def test_a_failed_retry_now_does_not_count_again(
    clock: time_machine.Coordinates,
    as_admin: FlaskClient,
    session: Session,
    receiver: Receiver,
) -> None:
    endpoint = wire(receiver, make_endpoint(session, receiver.url))
    receiver.default = FAIL
    from timetracker.webhooks.events import write_deliveries

    (row,) = write_deliveries(session, "invoice.sent", {"x": 1}, [endpoint])
    row.status, row.attempts = "failed", 6
    endpoint.consecutive_failures = 1
    session.flush()
    post(as_admin, f"/admin/webhooks/{endpoint.id}/deliveries/{row.id}/retry")
    row = _only_delivery(session)
    assert (row.status, row.attempts, row.next_attempt_at) == ("failed", 7, None)
    session.refresh(endpoint)
    assert endpoint.consecutive_failures == 1


def test_another_endpoints_delivery_is_a_missing_one(
    as_admin: FlaskClient, session: Session, receiver: Receiver
) -> None:
    mine = make_endpoint(session, receiver.url)
    other = make_endpoint(session, receiver.url)
    from timetracker.webhooks.events import write_deliveries

    (row,) = write_deliveries(session, "invoice.sent", {"x": 1}, [other])
    row.status = "failed"
    session.flush()
    assert post(as_admin, f"/admin/webhooks/{mine.id}/deliveries/{row.id}/retry").status_code == 404
    assert post(as_admin, f"/admin/webhooks/999999/deliveries/{row.id}/retry").status_code == 404
    assert receiver.requests == []


def test_endpoint_rows_survive_only_with_their_endpoint(
    as_admin: FlaskClient, session: Session, receiver: Receiver
) -> None:
    endpoint = make_endpoint(session, receiver.url)
    from timetracker.webhooks.events import write_deliveries

    write_deliveries(session, "invoice.sent", {"x": 1}, [endpoint])
    assert post(as_admin, f"/admin/webhooks/{endpoint.id}/delete").status_code == 302
    session.expire_all()
    assert session.scalars(select(WebhookEndpoint)).all() == []
    assert session.scalars(select(WebhookDelivery)).all() == []
    kinds = session.scalars(select(AuditEvent.kind)).all()
    assert Kind.WEBHOOK_REMOVED in kinds
