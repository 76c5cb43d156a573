"""Deliveries reach a real HTTPS receiver on loopback, which verifies them exactly as
docs/webhooks.md tells receivers to."""

from __future__ import annotations

import json
import time

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import post
from tests.webhooks.conftest import make_endpoint, wire
from tests.webhooks.receiver import Receiver, documented_verifier
from timetracker.models.api import WebhookDelivery, WebhookEndpoint
from timetracker.webhooks import signing


def _deliveries(session: Session, endpoint: WebhookEndpoint) -> list[WebhookDelivery]:
    session.expire_all()
    return list(
        session.scalars(
            select(WebhookDelivery)
            .where(WebhookDelivery.endpoint_id == endpoint.id)
            .order_by(WebhookDelivery.id)
        )
    )


def test_test_event_is_signed_and_verified_by_the_documented_code(
    as_admin: FlaskClient, session: Session, receiver: Receiver
) -> None:
    endpoint = wire(receiver, make_endpoint(session, receiver.url))
    response = post(as_admin, f"/admin/webhooks/{endpoint.id}/test")
    assert response.status_code == 302

    assert len(receiver.requests) == 1
    got = receiver.requests[0]
    assert got.verified
    assert got.path == "/hooks/timetracker"
    headers = {k.lower(): v for k, v in got.headers.items()}
    assert headers["content-type"] == "application/json"
    assert headers["user-agent"].startswith("TimeTracker-Webhooks/")
    assert abs(int(headers["webhook-timestamp"]) - time.time()) < 60
    body = json.loads(got.body)
    assert body["type"] == "ping"
    assert headers["webhook-id"] == body["id"]
    assert body["data"]["endpoint_id"] == endpoint.id

    (delivery,) = _deliveries(session, endpoint)
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("delivered", 1, 200)
    assert delivery.payload.encode() == got.body  # stored exactly as signed and sent
    assert delivery.response_body == '{"ok":true}'
    page = as_admin.get(f"/admin/webhooks/{endpoint.id}").get_data(as_text=True)
    assert "HTTP 200" in page and "Delivered" in page


def test_a_receiver_with_another_secret_refuses_and_the_answer_is_recorded(
    as_admin: FlaskClient, session: Session, receiver: Receiver
) -> None:
    endpoint = make_endpoint(session, receiver.url)
    receiver.secret = signing.new_secret()  # not the endpoint's
    post(as_admin, f"/admin/webhooks/{endpoint.id}/test")
    assert receiver.requests and not receiver.requests[0].verified
    (delivery,) = _deliveries(session, endpoint)
    assert delivery.status == "failed"  # a test event gets one attempt
    assert delivery.response_status == 401
    assert delivery.response_body == "bad signature"
    assert "401" in (delivery.error or "")


def test_rotated_secret_signs_the_next_delivery(
    as_admin: FlaskClient, session: Session, receiver: Receiver
) -> None:
    endpoint = wire(receiver, make_endpoint(session, receiver.url))
    old = endpoint.secret
    assert post(as_admin, f"/admin/webhooks/{endpoint.id}/secret").status_code == 302
    session.refresh(endpoint)
    assert endpoint.secret != old and endpoint.secret.startswith("whsec_")
    receiver.secret = old
    post(as_admin, f"/admin/webhooks/{endpoint.id}/test")
    assert not receiver.requests[-1].verified
    receiver.secret = endpoint.secret
    post(as_admin, f"/admin/webhooks/{endpoint.id}/test")
    assert receiver.requests[-1].verified


def test_documented_verifier_refuses_old_timestamps_and_tampered_bodies() -> None:
    verify = documented_verifier()
    secret = signing.new_secret()
    body = '{"id":"x","type":"ping"}'
    now = 1_800_000_000
    headers = signing.headers(secret, "x", now, body)
    assert verify(secret, headers, body.encode(), now=now + 299)
    assert not verify(secret, headers, body.encode(), now=now + 301)
    assert not verify(secret, headers, body.encode() + b" ", now=now)
    assert not verify("whsec_other", headers, body.encode(), now=now)
    assert not verify(secret, {**headers, "Webhook-Timestamp": "abc"}, body.encode(), now=now)


def test_secrets_are_prefixed_and_random() -> None:
    a, b = signing.new_secret(), signing.new_secret()
    assert a != b and a.startswith("whsec_") and len(a) >= len("whsec_") + 43
