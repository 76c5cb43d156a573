"""Invoice emails against a real SMTP server: inline, through RQ, and with a failing server."""

from __future__ import annotations

import io
import smtplib
from collections.abc import Iterator

import pytest
from flask import Flask
from pypdf import PdfReader
from redis import Redis
from rq import Queue, SimpleWorker
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests import factories
from tests.smtp import SmtpServer, free_port
from timetracker import firm
from timetracker.models import Client, EmailDelivery, Invoice, InvoiceStatus
from timetracker.notifications.invoice_email import Recipient, Written
from timetracker.notifications.invoice_sending import new_key, send_invoice
from timetracker.notifications.invoices import (
    DeliveryStatus,
    describe_failure,
    notify_invoice_sent,
)
from timetracker.notifications.jobs import dispatch, queue_name


def _deliveries(session: Session, invoice: Invoice) -> list[EmailDelivery]:
    session.expire_all()
    return list(
        session.scalars(
            select(EmailDelivery)
            .where(EmailDelivery.invoice_id == invoice.id)
            .order_by(EmailDelivery.recipient)
        )
    )


def _issued_invoice(session: Session) -> tuple[Client, Invoice]:
    firm.get_settings().company_name = "Acme Studio"
    client = factories.make_client(session, name="Müller & Søn")
    invoice = factories.make_invoice(
        session, client, number="INV-2026-0007", items=[("Design", "2", "50.00")]
    )
    return client, invoice


@pytest.fixture
def inline(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(app.config, "REDIS_URL", None)


@pytest.fixture
def rq_queue(app: Flask) -> Iterator[Queue]:
    """An empty RQ queue on the suite's Redis; tests using it carry ``@pytest.mark.redis``."""
    url = app.config.get("REDIS_URL")
    assert url, "mark the test @pytest.mark.redis"
    connection = Redis.from_url(url)
    with app.app_context():
        queue = Queue(queue_name(), connection=connection)
    queue.empty()
    yield queue
    queue.empty()
    connection.close()


def _work(queue: Queue) -> None:
    SimpleWorker([queue], connection=queue.connection).work(burst=True)


def test_every_subscribed_portal_user_gets_the_email_with_link_and_pdf(
    ctx: Session, smtp_server: SmtpServer, inline: None
) -> None:
    client, invoice = _issued_invoice(ctx)
    anna = factories.make_portal_user(ctx, client, email="anna@client.example", name="Anna Ørsted")
    factories.make_portal_user(
        ctx, client, email="optout@client.example", invoice_emails_enabled=False
    )
    factories.make_portal_user(ctx, client, email="gone@client.example", is_active=False)
    factories.make_user(ctx, email="staff@acme.example")
    other = factories.make_client(ctx)
    factories.make_portal_user(ctx, other, email="other@client.example")

    deliveries = notify_invoice_sent(invoice)
    ctx.commit()
    dispatch([d.id for d in deliveries])

    assert [m["To"].addresses[0].addr_spec for m in smtp_server.messages] == [anna.email]
    message = smtp_server.messages[0]
    assert message["Subject"] == "Invoice INV-2026-0007 for €120.00 from Acme Studio"
    assert message["From"] == "billing@acme.example"
    assert message["To"].addresses[0].display_name == "Anna Ørsted"
    body = message.get_body(("plain",)).get_content()
    assert f"https://tt.example.com/client-portal/invoices/{invoice.id}" in body
    assert "Müller & Søn" in body
    html = message.get_body(("html",)).get_content()
    assert f'href="https://tt.example.com/client-portal/invoices/{invoice.id}"' in html
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == "invoice-INV-2026-0007.pdf"
    assert attachment.get_content_type() == "application/pdf"
    pdf = attachment.get_content()
    assert pdf.startswith(b"%PDF")
    assert "INV-2026-0007" in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()

    [delivery] = _deliveries(ctx, invoice)
    assert (delivery.recipient, delivery.status, delivery.attempts) == (anna.email, "sent", 1)
    assert delivery.sent_at is not None and delivery.last_error is None


def test_failing_smtp_server_is_retried_and_recorded_and_the_invoice_stays_sent(
    ctx: Session, smtp_server: SmtpServer, inline: None
) -> None:
    client, invoice = _issued_invoice(ctx)
    factories.make_portal_user(ctx, client, email="anna@client.example")
    smtp_server.reply = "451 4.3.0 Mailbox temporarily unavailable"

    deliveries = notify_invoice_sent(invoice)
    ctx.commit()
    dispatch([d.id for d in deliveries])

    assert smtp_server.refused == 3 and smtp_server.messages == []
    [delivery] = _deliveries(ctx, invoice)
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts == 3
    assert "451" in (delivery.last_error or "")
    assert ctx.get(Invoice, invoice.id).status == InvoiceStatus.SENT


def test_a_server_that_recovers_gets_the_retry(
    ctx: Session, smtp_server: SmtpServer, inline: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    client, invoice = _issued_invoice(ctx)
    factories.make_portal_user(ctx, client, email="anna@client.example")
    smtp_server.reply = "421 4.7.0 Try again later"
    import timetracker.notifications.jobs as jobs

    def recover(_seconds: float) -> None:
        smtp_server.reply = None

    monkeypatch.setattr(jobs.time, "sleep", recover)
    deliveries = notify_invoice_sent(invoice)
    ctx.commit()
    dispatch([d.id for d in deliveries])

    [delivery] = _deliveries(ctx, invoice)
    assert (delivery.status, delivery.attempts) == ("sent", 2)
    assert "421" in (delivery.last_error or "")
    assert len(smtp_server.messages) == 1


def test_unreachable_smtp_server_is_recorded(
    app: Flask,
    ctx: Session,
    smtp_server: SmtpServer,
    inline: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(app.config, "SMTP_PORT", free_port())  # nothing listens there
    client, invoice = _issued_invoice(ctx)
    factories.make_portal_user(ctx, client)

    deliveries = notify_invoice_sent(invoice)
    ctx.commit()
    dispatch([d.id for d in deliveries])

    [delivery] = _deliveries(ctx, invoice)
    assert delivery.status == "failed" and delivery.attempts == 3
    assert "ConnectionRefusedError" in (delivery.last_error or "")


@pytest.mark.redis
def test_through_rq_the_worker_sends_the_email(
    ctx: Session, smtp_server: SmtpServer, rq_queue: Queue
) -> None:
    client, invoice = _issued_invoice(ctx)
    user = factories.make_portal_user(ctx, client, email="anna@client.example")

    deliveries = notify_invoice_sent(invoice)
    ctx.commit()
    dispatch([d.id for d in deliveries])

    assert smtp_server.messages == []  # queued, not sent inline
    assert rq_queue.count == 1
    [delivery] = _deliveries(ctx, invoice)
    assert delivery.status == "queued"
    _work(rq_queue)

    assert [m["To"].addresses[0].addr_spec for m in smtp_server.messages] == [user.email]
    [delivery] = _deliveries(ctx, invoice)
    assert (delivery.status, delivery.attempts) == ("sent", 1)


@pytest.mark.redis
def test_through_rq_a_failing_server_is_retried_then_recorded_as_failed(
    ctx: Session, smtp_server: SmtpServer, rq_queue: Queue
) -> None:
    client, invoice = _issued_invoice(ctx)
    factories.make_portal_user(ctx, client, email="anna@client.example")
    smtp_server.reply = "554 5.7.1 Rejected"

    deliveries = notify_invoice_sent(invoice)
    ctx.commit()
    dispatch([d.id for d in deliveries])
    _work(rq_queue)

    assert smtp_server.refused == 3
    [delivery] = _deliveries(ctx, invoice)
    assert (delivery.status, delivery.attempts) == ("failed", 3)
    assert "554" in (delivery.last_error or "")
    assert ctx.get(Invoice, invoice.id).status == InvoiceStatus.SENT


def test_unreachable_redis_falls_back_to_sending_inline(
    app: Flask, ctx: Session, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "REDIS_URL", f"redis://127.0.0.1:{free_port()}/0")
    client, invoice = _issued_invoice(ctx)
    factories.make_portal_user(ctx, client)

    deliveries = notify_invoice_sent(invoice)
    ctx.commit()
    dispatch([d.id for d in deliveries])

    assert len(smtp_server.messages) == 1


def test_nothing_is_queued_when_mail_is_off(app: Flask, ctx: Session) -> None:
    assert app.config["MAIL_ENABLED"] is False
    client, invoice = _issued_invoice(ctx)
    factories.make_portal_user(ctx, client)
    assert notify_invoice_sent(invoice) == []
    assert _deliveries(ctx, invoice) == []


def test_drafts_are_never_emailed(ctx: Session, smtp_server: SmtpServer) -> None:
    client = factories.make_client(ctx)
    factories.make_portal_user(ctx, client)
    draft = factories.make_invoice(ctx, client, status=InvoiceStatus.DRAFT)
    assert notify_invoice_sent(draft) == []


WRITTEN = Written("Your invoice from Acme", "Dear team,\nhere it is <3\n\nRegards")


def test_a_written_email_goes_to_any_chosen_address_with_its_subject_and_message(
    app: Flask, ctx: Session, smtp_server: SmtpServer, inline: None
) -> None:
    """Unlike the automatic email, the one written in the send dialog goes to the addresses
    staff chose (not only subscribed portal users), with their subject and message."""
    client, invoice = _issued_invoice(ctx)
    user = factories.make_portal_user(ctx, client, email="anna@client.example", name="Anna")
    user.invoice_emails_enabled = False  # chosen on purpose all the same
    with app.test_request_context(method="POST"):
        deliveries = send_invoice(
            ctx,
            invoice,
            [Recipient("anna@client.example", "Anna", True), Recipient("books@else.example")],
            WRITTEN,
            new_key(),
        )
        assert deliveries is not None
        ctx.commit()
    dispatch([d.id for d in deliveries])

    assert [d.status for d in _deliveries(ctx, invoice)] == ["sent", "sent"]
    by_address = {m["To"].addresses[0].addr_spec: m for m in smtp_server.messages}
    assert set(by_address) == {"anna@client.example", "books@else.example"}
    for message in by_address.values():
        assert message["Subject"] == "Your invoice from Acme"
        text = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
        assert "Dear team,\nhere it is <3\n\nRegards" in text
        html = message.get_body(("html",)).get_content().replace("\r\n", "\n")
        assert "Dear team,<br>\nhere it is &lt;3</p>" in html
        [attachment] = list(message.iter_attachments())
        assert attachment.get_filename() == "invoice-INV-2026-0007.pdf"
    # The portal link is for the portal user only.
    link = f"https://tt.example.com/client-portal/invoices/{invoice.id}"
    assert link in by_address["anna@client.example"].get_body(("plain",)).get_content()
    assert link not in by_address["books@else.example"].get_body(("plain",)).get_content()


@pytest.mark.redis
def test_a_written_email_through_rq_keeps_its_message(
    app: Flask, ctx: Session, smtp_server: SmtpServer, rq_queue: Queue
) -> None:
    _client, invoice = _issued_invoice(ctx)
    with app.test_request_context(method="POST"):
        deliveries = send_invoice(
            ctx, invoice, [Recipient("books@else.example")], WRITTEN, new_key()
        )
        assert deliveries is not None
        ctx.commit()
    dispatch([d.id for d in deliveries])
    assert smtp_server.messages == [] and rq_queue.count == 1
    _work(rq_queue)
    [message] = smtp_server.messages
    assert message["Subject"] == "Your invoice from Acme"
    assert "here it is <3" in message.get_body(("plain",)).get_content()


def test_invoice_cancelled_before_sending_is_skipped(
    ctx: Session, smtp_server: SmtpServer, inline: None
) -> None:
    client, invoice = _issued_invoice(ctx)
    factories.make_portal_user(ctx, client)
    deliveries = notify_invoice_sent(invoice)
    invoice.status = InvoiceStatus.CANCELLED
    ctx.commit()
    dispatch([d.id for d in deliveries])
    assert smtp_server.messages == []
    [delivery] = _deliveries(ctx, invoice)
    assert delivery.status == "skipped" and delivery.attempts == 0


def test_recipient_who_opts_out_meanwhile_is_skipped(
    ctx: Session, smtp_server: SmtpServer, inline: None
) -> None:
    client, invoice = _issued_invoice(ctx)
    user = factories.make_portal_user(ctx, client)
    deliveries = notify_invoice_sent(invoice)
    user.invoice_emails_enabled = False
    ctx.commit()
    dispatch([d.id for d in deliveries])
    assert smtp_server.messages == []
    assert [d.status for d in _deliveries(ctx, invoice)] == ["skipped"]


def test_a_delivery_is_sent_once_even_if_dispatched_twice(
    ctx: Session, smtp_server: SmtpServer, inline: None
) -> None:
    client, invoice = _issued_invoice(ctx)
    factories.make_portal_user(ctx, client)
    ids = [d.id for d in notify_invoice_sent(invoice)]
    ctx.commit()
    dispatch(ids)
    dispatch(ids)
    assert len(smtp_server.messages) == 1


def test_failures_are_described_for_people() -> None:
    assert describe_failure(smtplib.SMTPDataError(451, b"4.3.0 Try later")) == (
        "The mail server answered 451 4.3.0 Try later"
    )
    refused = smtplib.SMTPRecipientsRefused({"a@client.example": (550, b"5.1.1 No such user")})
    assert describe_failure(refused) == (
        "The mail server refused the recipient (a@client.example: 550 5.1.1 No such user)."
    )
    assert describe_failure(ConnectionRefusedError(111, "Connection refused")) == (
        "ConnectionRefusedError: [Errno 111] Connection refused"
    )
