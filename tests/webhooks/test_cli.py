"""``timetracker webhooks sweep``: what cron runs without Redis (and as a safety net with it)."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.webhooks.conftest import make_endpoint, wire
from tests.webhooks.receiver import Receiver
from timetracker.models.api import WebhookDelivery
from timetracker.webhooks.cli import webhooks_group
from timetracker.webhooks.events import write_deliveries


def test_sweep_sends_what_was_emitted_outside_a_request(
    app: Flask, session: Session, receiver: Receiver
) -> None:
    endpoint = wire(receiver, make_endpoint(session, receiver.url))
    write_deliveries(session, "invoice.sent", {"invoice": {"id": 1}}, [endpoint])
    session.flush()
    result = app.test_cli_runner().invoke(webhooks_group, ["sweep"])
    assert result.exit_code == 0, result.output
    assert "Attempted 1 webhook deliveries: 1 delivered" in result.output
    session.expire_all()
    assert session.scalars(select(WebhookDelivery.status)).all() == ["delivered"]
    assert len(receiver.requests) == 1 and receiver.requests[0].verified
    again = app.test_cli_runner().invoke(webhooks_group, ["sweep"])
    assert "Attempted 0 webhook deliveries" in again.output


def test_sweep_refuses_a_bad_limit(app: Flask) -> None:
    result = app.test_cli_runner().invoke(webhooks_group, ["sweep", "--limit", "0"])
    assert result.exit_code == 2
