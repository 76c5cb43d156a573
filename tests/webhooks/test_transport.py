"""What counts as delivered, and what the server refuses to do: follow redirects, read more
than 2 KB, wait longer than the time limit, call private addresses, trust unknown CAs."""

from __future__ import annotations

import socket

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import post
from tests.webhooks.conftest import make_endpoint, wire
from tests.webhooks.receiver import Receiver
from timetracker.models.api import WebhookDelivery, WebhookEndpoint


def _ping(as_admin: FlaskClient, session: Session, endpoint: WebhookEndpoint) -> WebhookDelivery:
    assert post(as_admin, f"/admin/webhooks/{endpoint.id}/test").status_code == 302
    session.expire_all()
    return session.scalars(
        select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id)
    ).one()


def test_redirects_are_not_followed(
    as_admin: FlaskClient, session: Session, receiver: Receiver
) -> None:
    endpoint = wire(receiver, make_endpoint(session, receiver.url))
    receiver.replies = [(302, b"", {"Location": "https://169.254.169.254/latest"})]
    delivery = _ping(as_admin, session, endpoint)
    assert len(receiver.requests) == 1
    assert (delivery.status, delivery.response_status) == ("failed", 302)
    assert "redirects are not followed" in (delivery.error or "")
    assert "169.254.169.254" in (delivery.error or "")


@pytest.mark.parametrize("status", [201, 204, 299])
def test_any_2xx_is_delivered(
    as_admin: FlaskClient, session: Session, receiver: Receiver, status: int
) -> None:
    endpoint = wire(receiver, make_endpoint(session, receiver.url))
    receiver.replies = [(status, b"", {})]
    assert _ping(as_admin, session, endpoint).status == "delivered"


def test_only_the_first_2_kb_of_the_answer_is_kept(
    as_admin: FlaskClient, session: Session, receiver: Receiver
) -> None:
    endpoint = wire(receiver, make_endpoint(session, receiver.url))
    receiver.replies = [(200, b"x" * 100_000, {})]
    delivery = _ping(as_admin, session, endpoint)
    assert delivery.status == "delivered"
    assert delivery.response_body == "x" * 2048


def test_a_slow_receiver_times_out(
    app: Flask,
    as_admin: FlaskClient,
    session: Session,
    receiver: Receiver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(app.config, "WEBHOOK_TIMEOUT", 0.5)
    endpoint = wire(receiver, make_endpoint(session, receiver.url))
    receiver.delay = 2
    delivery = _ping(as_admin, session, endpoint)
    assert delivery.status == "failed" and delivery.response_status is None
    assert delivery.error == "No answer within 0.5 seconds."


def test_a_refused_connection_is_a_failure(
    as_admin: FlaskClient, session: Session, receiver: Receiver
) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    endpoint = make_endpoint(session, f"https://127.0.0.1:{port}/hooks")
    delivery = _ping(as_admin, session, endpoint)
    assert delivery.status == "failed"
    assert (delivery.error or "").startswith("Could not connect")


def test_a_certificate_from_an_unknown_ca_is_refused(
    app: Flask,
    as_admin: FlaskClient,
    session: Session,
    receiver: Receiver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(app.config, "WEBHOOK_CA_BUNDLE", None)  # the system's CAs only
    endpoint = wire(receiver, make_endpoint(session, receiver.url))
    delivery = _ping(as_admin, session, endpoint)
    assert delivery.status == "failed"
    assert (delivery.error or "").startswith("TLS failed")
    assert receiver.requests == []


def test_private_addresses_are_refused_again_before_each_attempt(
    app: Flask,
    as_admin: FlaskClient,
    session: Session,
    receiver: Receiver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    endpoint = wire(receiver, make_endpoint(session, receiver.url))  # saved while allowed
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_PRIVATE", False)
    delivery = _ping(as_admin, session, endpoint)
    assert delivery.status == "failed"
    assert "private, loopback or link-local" in (delivery.error or "")
    assert receiver.requests == []


def test_the_host_name_is_checked_against_the_certificate(
    as_admin: FlaskClient, session: Session, receiver: Receiver
) -> None:
    """``localhost`` is in the certificate, and the connection goes to the checked address."""
    endpoint = wire(
        receiver, make_endpoint(session, f"https://localhost:{receiver.port}/hooks/timetracker")
    )
    delivery = _ping(as_admin, session, endpoint)
    assert delivery.status == "delivered"
    host = {k.lower(): v for k, v in receiver.requests[0].headers.items()}["host"]
    assert host == f"localhost:{receiver.port}"
