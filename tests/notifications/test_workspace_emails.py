"""Marking an invoice sent and "Resend" on the staff invoice page, end to end: the request
commits, then the email goes out (inline, or through RQ) to a real SMTP server."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from redis import Redis
from rq import Queue, SimpleWorker
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import login, post
from tests.factories import make_admin, make_client, make_invoice, make_portal_user, make_user
from tests.smtp import SmtpServer
from timetracker.models import EmailDelivery, Invoice, InvoiceStatus
from timetracker.notifications.jobs import queue_name


@pytest.fixture
def world(session: Session) -> dict[str, Any]:
    admin = make_admin(session)
    customer = make_client(session, name="Müller & Søn")
    draft = make_invoice(
        session, customer, status=InvoiceStatus.DRAFT, number="INV-2026-0100",
        items=[("Design", "3", "100.00")],
    )  # fmt: skip
    reader = make_portal_user(session, customer, email="reader@muller.example", name="Rita")
    session.commit()
    return {"admin": admin, "client": customer, "draft": draft, "reader": reader}


@pytest.fixture
def as_admin(client: FlaskClient, world: dict[str, Any]) -> FlaskClient:
    assert login(client, world["admin"].email).status_code == 302
    return client


@pytest.fixture
def inline(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(app.config, "REDIS_URL", None)


def _state(session: Session, invoice_id: int) -> tuple[str, list[tuple[str, str, int]]]:
    session.expire_all()
    invoice = session.get(Invoice, invoice_id)
    assert invoice is not None
    deliveries = session.scalars(
        select(EmailDelivery)
        .where(EmailDelivery.invoice_id == invoice_id)
        .order_by(EmailDelivery.id)
    )
    return invoice.status, [(d.recipient, d.status, d.attempts) for d in deliveries]


def test_marking_sent_emails_the_portal_users(
    as_admin: FlaskClient,
    session: Session,
    world: dict[str, Any],
    smtp_server: SmtpServer,
    inline: None,
) -> None:
    invoice_id = world["draft"].id

    response = post(as_admin, f"/invoices/{invoice_id}/send")

    assert response.status_code == 302
    assert _state(session, invoice_id) == ("sent", [("reader@muller.example", "sent", 1)])
    [message] = smtp_server.messages
    assert message["Subject"] == "Invoice INV-2026-0100 for €360.00 from " + ("My Company")
    assert f"https://tt.example.com/client-portal/invoices/{invoice_id}" in (
        message.get_body(("plain",)).get_content()
    )
    [attachment] = message.iter_attachments()
    assert attachment.get_content().startswith(b"%PDF")
    html = as_admin.get(f"/invoices/{invoice_id}").get_data(as_text=True)
    assert 'data-testid="deliveries"' in html and "reader@muller.example" in html


def test_a_failing_mail_server_neither_blocks_nor_undoes_marking_sent(
    as_admin: FlaskClient,
    session: Session,
    world: dict[str, Any],
    smtp_server: SmtpServer,
    inline: None,
) -> None:
    smtp_server.reply = "451 4.3.2 System not accepting network messages"
    invoice_id = world["draft"].id

    response = post(as_admin, f"/invoices/{invoice_id}/send")

    assert response.status_code == 302
    status, deliveries = _state(session, invoice_id)
    assert status == "sent"
    assert deliveries == [("reader@muller.example", "failed", 3)]
    delivery = session.scalar(select(EmailDelivery).where(EmailDelivery.invoice_id == invoice_id))
    assert "451" in (delivery.last_error or "")
    html = as_admin.get(f"/invoices/{invoice_id}").get_data(as_text=True)
    assert "451 4.3.2 System not accepting network messages" in html


@pytest.mark.redis
def test_marking_sent_through_rq(
    app: Flask,
    as_admin: FlaskClient,
    session: Session,
    world: dict[str, Any],
    smtp_server: SmtpServer,
) -> None:
    url = app.config.get("REDIS_URL")
    assert url, "the redis marker lets this run with Redis only"
    connection = Redis.from_url(url)
    with app.app_context():
        queue = Queue(queue_name(), connection=connection)
    queue.empty()
    invoice_id = world["draft"].id
    try:
        assert post(as_admin, f"/invoices/{invoice_id}/send").status_code == 302
        assert _state(session, invoice_id) == ("sent", [("reader@muller.example", "queued", 0)])
        assert smtp_server.messages == [] and queue.count == 1
        with app.app_context():
            SimpleWorker([queue], connection=connection).work(burst=True)
    finally:
        queue.empty()
        connection.close()
    assert _state(session, invoice_id) == ("sent", [("reader@muller.example", "sent", 1)])
    assert len(smtp_server.messages) == 1


def test_portal_users_who_opted_out_get_nothing(
    as_admin: FlaskClient,
    session: Session,
    world: dict[str, Any],
    smtp_server: SmtpServer,
    inline: None,
) -> None:
    world["reader"].invoice_emails_enabled = False
    session.commit()
    assert post(as_admin, f"/invoices/{world['draft'].id}/send").status_code == 302
    assert _state(session, world["draft"].id) == ("sent", [])
    assert smtp_server.messages == []


def test_resend_leads_to_the_send_dialog_and_sends_nothing_by_itself(
    as_admin: FlaskClient,
    session: Session,
    world: dict[str, Any],
    smtp_server: SmtpServer,
    inline: None,
) -> None:
    """Emailing an issued invoice again is done in the send dialog
    (tests/workspace/test_invoice_sending.py); the old "Resend email" form leads there."""
    sent = make_invoice(session, world["client"], number="INV-2026-0101")
    session.commit()
    html = as_admin.get(f"/invoices/{sent.id}").get_data(as_text=True)
    assert f'href="/invoices/{sent.id}/send" data-send-dialog' in html

    response = post(as_admin, f"/invoices/{sent.id}/resend")

    assert response.status_code == 303
    assert response.headers["Location"] == f"/invoices/{sent.id}/send"
    assert _state(session, sent.id) == ("sent", [])
    assert smtp_server.messages == []


def test_resend_is_for_administrators(
    client: FlaskClient, session: Session, world: dict[str, Any], smtp_server: SmtpServer
) -> None:
    sent = make_invoice(session, world["client"])
    staff = make_user(session)
    session.commit()
    login(client, staff.email)
    assert post(client, f"/invoices/{sent.id}/resend").status_code == 403
    assert _state(session, sent.id)[1] == []
    assert client.get(f"/invoices/{sent.id}/resend").status_code == 405


def test_mail_switched_off_sends_nothing_and_still_marks_sent(
    as_admin: FlaskClient, session: Session, world: dict[str, Any]
) -> None:
    """Without ``smtp_server`` any SMTP connection fails the test (root conftest)."""
    assert post(as_admin, f"/invoices/{world['draft'].id}/send").status_code == 302
    assert _state(session, world["draft"].id) == ("sent", [])
