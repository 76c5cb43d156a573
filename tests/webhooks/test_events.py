"""Events are fired by the real operations, through the staff pages, and reach the receiver
after the request commits; a request that fails sends nothing."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import time_machine
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.conftest import login, post
from tests.factories import make_client, make_invoice, make_project, make_user
from tests.webhooks.conftest import make_endpoint, wire
from tests.webhooks.receiver import Receiver
from timetracker.models import InvoiceStatus, User
from timetracker.models.api import WebhookDelivery


def _events(receiver: Receiver) -> list[dict[str, Any]]:
    assert all(r.verified for r in receiver.requests)
    return [json.loads(r.body) for r in receiver.requests]


def test_sending_an_invoice_fires_invoice_sent(
    as_admin: FlaskClient, session: Session, receiver: Receiver
) -> None:
    wire(receiver, make_endpoint(session, receiver.url))
    client = make_client(session, name="Acme, Inc.")
    invoice = make_invoice(
        session, client, status=InvoiceStatus.DRAFT, items=[("Work", "3", "100.00")]
    )
    assert post(as_admin, f"/invoices/{invoice.id}/send").status_code == 302
    (event,) = _events(receiver)
    assert event["type"] == "invoice.sent"
    data = event["data"]["invoice"]
    assert data["id"] == invoice.id and data["number"] == invoice.number
    assert data["client"] == {"id": client.id, "name": "Acme, Inc."}
    assert (data["status"], data["currency"]) == ("sent", "EUR")
    assert (data["total"], data["balance"], data["amount_paid"]) == ("360.00", "360.00", "0.00")
    assert data["due_date"] == invoice.due_date.isoformat()


def test_recording_the_last_payment_fires_invoice_paid_once(
    as_admin: FlaskClient, session: Session, receiver: Receiver
) -> None:
    wire(receiver, make_endpoint(session, receiver.url))
    invoice = make_invoice(session, make_client(session), items=[("Work", "1", "100.00")])
    pay = {"pay-paid_on": "2026-03-10", "pay-method": "Bank"}
    path = f"/invoices/{invoice.id}/payments"
    assert post(as_admin, path, {**pay, "pay-amount": "20.00"}).status_code == 302
    assert receiver.requests == []  # a partial payment is no event
    assert post(as_admin, path, {**pay, "pay-amount": "100.00"}).status_code == 302
    (event,) = _events(receiver)
    assert event["type"] == "invoice.paid"
    data = event["data"]["invoice"]
    assert (data["status"], data["balance"], data["amount_paid"]) == ("paid", "0.00", "120.00")


def test_a_refused_payment_sends_nothing(
    as_admin: FlaskClient, session: Session, receiver: Receiver
) -> None:
    wire(receiver, make_endpoint(session, receiver.url))
    invoice = make_invoice(session, make_client(session), items=[("Work", "1", "100.00")])
    pay = {"pay-paid_on": "2026-03-10", "pay-amount": "999.00"}
    assert post(as_admin, f"/invoices/{invoice.id}/payments", pay).status_code == 400
    assert receiver.requests == []
    assert session.scalar(select(func.count(WebhookDelivery.id))) == 0


def test_issuing_an_invoice_with_nothing_to_pay_fires_sent_then_paid(
    as_admin: FlaskClient, session: Session, receiver: Receiver
) -> None:
    wire(receiver, make_endpoint(session, receiver.url))
    invoice = make_invoice(
        session, make_client(session), status=InvoiceStatus.DRAFT, items=[("Free", "1", "0.00")]
    )
    post(as_admin, f"/invoices/{invoice.id}/send")
    assert [e["type"] for e in _events(receiver)] == ["invoice.sent", "invoice.paid"]


def _staff(session: Session, client: FlaskClient) -> User:
    user = make_user(session, name="Sam Staff")
    login(client, user.email)
    return user


def test_a_time_entry_entered_by_hand_fires_time_entry_created(
    client: FlaskClient, session: Session, receiver: Receiver
) -> None:
    wire(receiver, make_endpoint(session, receiver.url, events="time_entry.created"))
    user = _staff(session, client)
    project = make_project(session, make_client(session, name="Bravo"), name="Site")
    form = {
        "project": project.id,
        "day": "2026-03-10",
        "start": "14:00",
        "end": "16:30",
        "notes": "Build; test, ship",
        "billable": "y",
    }
    response = post(client, "/time/new", form)
    assert response.status_code == 302, response.get_data(as_text=True)
    (event,) = _events(receiver)
    entry = event["data"]["time_entry"]
    assert event["type"] == "time_entry.created"
    assert entry["user"] == {"id": user.id, "name": "Sam Staff"}
    assert entry["project"] == {"id": project.id, "name": "Site"}
    assert entry["client"]["name"] == "Bravo"
    assert (entry["hours"], entry["billable"], entry["notes"]) == (
        "2.50",
        True,
        "Build; test, ship",
    )
    assert entry["start"].endswith("Z") and entry["end"].endswith("Z")


def test_starting_a_timer_sends_nothing_and_stopping_it_fires_the_event(
    client: FlaskClient, session: Session, receiver: Receiver
) -> None:
    wire(receiver, make_endpoint(session, receiver.url, events="time_entry.created"))
    project = make_project(session, make_client(session))
    start = dt.datetime(2026, 5, 4, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as clock:
        _staff(session, client)
        assert post(client, "/time/timer/start", {"project": project.id}).status_code == 302
        assert receiver.requests == []
        clock.shift(dt.timedelta(minutes=45))
        assert post(client, "/time/timer/stop").status_code == 302
    (event,) = _events(receiver)
    assert event["data"]["time_entry"]["hours"] == "0.75"
    assert event["data"]["time_entry"]["end"] == "2026-05-04T09:45:00Z"


def test_only_active_subscribed_endpoints_get_the_event(
    as_admin: FlaskClient, session: Session, receiver: Receiver
) -> None:
    wanted = wire(receiver, make_endpoint(session, receiver.url, events="invoice.sent"))
    make_endpoint(session, receiver.url, events="invoice.paid")
    make_endpoint(session, receiver.url, events="invoice.sent", is_active=False)
    invoice = make_invoice(session, make_client(session), status=InvoiceStatus.DRAFT)
    post(as_admin, f"/invoices/{invoice.id}/send")
    rows = session.scalars(select(WebhookDelivery)).all()
    assert [(d.endpoint_id, d.event) for d in rows] == [(wanted.id, "invoice.sent")]
    assert len(receiver.requests) == 1


def test_amounts_are_strings_with_two_decimals(
    as_admin: FlaskClient, session: Session, receiver: Receiver
) -> None:
    wire(receiver, make_endpoint(session, receiver.url))
    invoice = make_invoice(
        session,
        make_client(session),
        status=InvoiceStatus.DRAFT,
        items=[("A", "1", "0.10"), ("B", "3", "33.33")],
        tax_rate="0",
    )
    post(as_admin, f"/invoices/{invoice.id}/send")
    (event,) = _events(receiver)
    assert event["data"]["invoice"]["total"] == str(Decimal("100.09"))
