"""Sending an invoice from the send dialog, through the test client, to a real SMTP server
(``tests/smtp.py``): the recipients it offers, the email as written, the delivery status per
recipient, marking as sent without emailing, email not set up, refusals that write nothing, and
a form sent twice."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.conftest import csrf_token, login
from tests.factories import make_admin, make_client, make_invoice, make_portal_user, make_user
from tests.smtp import SmtpServer
from timetracker.models import AuditEvent, EmailDelivery, Invoice, InvoiceStatus

KEY_RE = re.compile(r'name="key" value="([^"]+)"')


@pytest.fixture
def world(session: Session) -> dict[str, Any]:
    admin = make_admin(session)
    customer = make_client(session, name="Müller & Søn", contact_email="books@muller.example")
    draft = make_invoice(
        session, customer, status=InvoiceStatus.DRAFT, number="INV-2026-0100",
        items=[("Design", "3", "100.00")],
    )  # fmt: skip
    rita = make_portal_user(session, customer, email="rita@muller.example", name="Rita Roe")
    make_portal_user(
        session, customer, email="quiet@muller.example", name="Quinn", invoice_emails_enabled=False
    )
    make_portal_user(session, customer, email="gone@muller.example", is_active=False)
    other = make_client(session, contact_email="boss@other.example")
    stranger = make_portal_user(session, other, email="stranger@other.example")
    session.commit()
    return {"admin": admin, "client": customer, "draft": draft, "rita": rita, "stranger": stranger}


@pytest.fixture
def as_admin(client: FlaskClient, world: dict[str, Any]) -> FlaskClient:
    assert login(client, world["admin"].email).status_code == 302
    return client


@pytest.fixture
def inline(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(app.config, "REDIS_URL", None)


def _form(client: FlaskClient, invoice_id: int, **changes: Any) -> dict[str, Any]:
    """The dialog's form as it is offered, with ``changes``."""
    html = client.get(f"/invoices/{invoice_id}/send").get_data(as_text=True)
    key = KEY_RE.search(html)
    assert key, html
    ticked = re.findall(r'name="recipients" value="([^"]+)"[^>]*checked', html)
    data: dict[str, Any] = {
        "csrf_token": csrf_token(client, f"/invoices/{invoice_id}/send"),
        "key": key.group(1),
        "recipients": ticked,
        "extra": "",
        "subject": "Invoice INV-2026-0100 from My Company",
        "message": "Please find the invoice attached.",
    }
    data.update(changes)
    return data


def _written(session: Session, invoice_id: int) -> tuple[str, list[tuple[str, str, int]], int]:
    """The invoice's status, its deliveries (recipient, status, attempts), its audit events."""
    session.expire_all()
    invoice = session.get(Invoice, invoice_id)
    assert invoice is not None
    deliveries = session.scalars(
        select(EmailDelivery)
        .where(EmailDelivery.invoice_id == invoice_id)
        .order_by(EmailDelivery.id)
    )
    events = session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.invoice_id == invoice_id)
    )
    return invoice.status, [(d.recipient, d.status, d.attempts) for d in deliveries], events or 0


def test_the_dialog_offers_the_clients_contacts_ticked(
    as_admin: FlaskClient, world: dict[str, Any], smtp_server: SmtpServer
) -> None:
    invoice_id = world["draft"].id
    response = as_admin.get(f"/invoices/{invoice_id}/send")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    offered = re.findall(r'name="recipients" value="([^"]+)"([^>]*)>', html)
    assert {address: "checked" in rest for address, rest in offered} == {
        "rita@muller.example": True,
        "quiet@muller.example": False,  # switched invoice emails off: offered, not ticked
        "books@muller.example": True,  # the client's contact address
    }
    assert "stranger@other.example" not in html and "gone@muller.example" not in html
    assert 'value="Invoice INV-2026-0100 from My Company"' in html
    assert "Please find attached invoice INV-2026-0100 for €360.00" in html
    assert "Hello Rita Roe," in html  # the preview, for the first ticked recipient
    assert '<th scope="row">Balance due</th><td>€360.00</td>' in html  # owed once sent
    assert "invoice-INV-2026-0100.pdf" in html
    assert "Email is not set up" not in html
    assert 'data-testid="send-button" disabled' not in html
    # The modal loads the same form without the page around it.
    fragment = as_admin.get(f"/invoices/{invoice_id}/send?dialog=1").get_data(as_text=True)
    assert "<html" not in fragment and 'id="send-form"' in fragment and "modal-header" in fragment
    # The invoice page opens it.
    page = as_admin.get(f"/invoices/{invoice_id}").get_data(as_text=True)
    assert f'href="/invoices/{invoice_id}/send" data-send-dialog' in page
    assert f'action="/invoices/{invoice_id}/mark-sent"' in page


def test_sending_emails_the_written_subject_and_message_with_the_pdf(
    as_admin: FlaskClient,
    session: Session,
    world: dict[str, Any],
    smtp_server: SmtpServer,
    inline: None,
) -> None:
    invoice_id = world["draft"].id
    data = _form(
        as_admin,
        invoice_id,
        extra="Finance@Else.example; ",
        subject="Your invoice <March>",
        message="Dear Rita,\r\nthe March work <b>as agreed</b>.\r\n\r\nThanks, Acme",
    )
    response = as_admin.post(f"/invoices/{invoice_id}/send/email", data=data)

    assert response.status_code == 303
    assert response.headers["Location"] == f"/invoices/{invoice_id}"
    status, deliveries, events = _written(session, invoice_id)
    assert status == "sent" and events == 1
    assert deliveries == [
        ("rita@muller.example", "sent", 1),
        ("books@muller.example", "sent", 1),
        ("Finance@else.example", "sent", 1),
    ]
    by_address = {m["To"].addresses[0].addr_spec: m for m in smtp_server.messages}
    assert set(by_address) == {
        "rita@muller.example",
        "books@muller.example",
        "Finance@else.example",
    }
    for message in by_address.values():
        assert message["Subject"] == "Your invoice <March>"
        text = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
        assert "Dear Rita,\nthe March work <b>as agreed</b>.\n\nThanks, Acme" in text
        html = message.get_body(("html",)).get_content().replace("\r\n", "\n")
        assert "Dear Rita,<br>\nthe March work &lt;b&gt;as agreed&lt;/b&gt;.</p>" in html
        assert "<p>Thanks, Acme</p>" in html
        [attachment] = list(message.iter_attachments())
        assert attachment.get_filename() == "invoice-INV-2026-0100.pdf"
        assert attachment.get_content().startswith(b"%PDF")
    assert by_address["rita@muller.example"]["To"].addresses[0].display_name == "Rita Roe"

    page = as_admin.get(f"/invoices/{invoice_id}").get_data(as_text=True)
    assert page.count('data-testid="delivery-status">sent<') == 3
    assert "Your invoice &lt;March&gt;" in page
    assert "without emailing" not in page


def test_a_refused_delivery_shows_failed_with_the_servers_answer(
    as_admin: FlaskClient,
    session: Session,
    world: dict[str, Any],
    smtp_server: SmtpServer,
    inline: None,
) -> None:
    smtp_server.reply = "550 5.1.1 Mailbox unavailable"
    invoice_id = world["draft"].id
    data = _form(as_admin, invoice_id, recipients=["rita@muller.example"])
    assert as_admin.post(f"/invoices/{invoice_id}/send/email", data=data).status_code == 303
    status, deliveries, _events = _written(session, invoice_id)
    assert status == "sent" and deliveries == [("rita@muller.example", "failed", 3)]
    page = as_admin.get(f"/invoices/{invoice_id}").get_data(as_text=True)
    assert 'data-testid="delivery-status">failed<' in page
    assert "550 5.1.1 Mailbox unavailable" in page


def test_marking_as_sent_without_emailing_sends_nothing_and_says_so(
    as_admin: FlaskClient, session: Session, world: dict[str, Any], smtp_server: SmtpServer
) -> None:
    invoice_id = world["draft"].id
    data = {"csrf_token": csrf_token(as_admin, f"/invoices/{invoice_id}")}
    response = as_admin.post(f"/invoices/{invoice_id}/mark-sent", data=data)
    assert response.status_code == 303
    assert _written(session, invoice_id) == ("sent", [], 1)
    event = session.scalar(select(AuditEvent).where(AuditEvent.invoice_id == invoice_id))
    assert event is not None and event.kind == "invoice_marked_sent"
    assert smtp_server.messages == []
    page = as_admin.get(f"/invoices/{invoice_id}").get_data(as_text=True)
    assert re.search(r"Marked as sent on [^<]+ without emailing\.", page)
    assert 'data-testid="deliveries"' not in page
    # A second click changes nothing.
    assert as_admin.post(f"/invoices/{invoice_id}/mark-sent", data=data).status_code == 303
    assert _written(session, invoice_id) == ("sent", [], 1)


def test_without_email_set_up_the_dialog_says_so_and_a_send_writes_nothing(
    app: Flask, as_admin: FlaskClient, session: Session, world: dict[str, Any]
) -> None:
    """No ``smtp_server`` here: any SMTP connection would fail the test (root conftest)."""
    assert app.config["MAIL_ENABLED"] is False
    invoice_id = world["draft"].id
    html = as_admin.get(f"/invoices/{invoice_id}/send").get_data(as_text=True)
    assert "Email is not set up on this server" in html
    assert "You can still mark the invoice as sent" in html
    assert re.search(r'data-testid="send-button" disabled', html)
    assert "Mark as sent without emailing" in html

    response = as_admin.post(f"/invoices/{invoice_id}/send/email", data=_form(as_admin, invoice_id))
    assert response.status_code == 400
    assert "Email is not set up on this server" in response.get_data(as_text=True)
    assert _written(session, invoice_id) == ("draft", [], 0)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"recipients": [], "extra": ""}, "Choose at least one recipient"),
        ({"extra": "someone@"}, "Enter a valid email address"),
        ({"extra": "a@localhost"}, "Enter a valid email address"),
        ({"subject": "x" * 201}, "A subject has at most 200 characters."),
        ({"subject": "  "}, "Enter a subject."),
        ({"message": "x" * 1501}, "A message has at most 1500 characters."),
        ({"recipients": ["stranger@other.example"]}, "is not one of this client"),
        ({"recipients": ["boss@other.example"]}, "is not one of this client"),
        ({"key": "not-a-key"}, "The form is incomplete"),
        ({"csrf_token": "forged"}, "CSRF"),
    ],
)
def test_bad_input_is_refused_with_400_and_writes_nothing(
    as_admin: FlaskClient,
    session: Session,
    world: dict[str, Any],
    smtp_server: SmtpServer,
    changes: dict[str, Any],
    message: str,
) -> None:
    invoice_id = world["draft"].id
    data = _form(as_admin, invoice_id, **changes)
    response = as_admin.post(f"/invoices/{invoice_id}/send/email", data=data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _written(session, invoice_id) == ("draft", [], 0)
    assert smtp_server.messages == []


def test_an_unknown_invoice_is_404(as_admin: FlaskClient, smtp_server: SmtpServer) -> None:
    token = csrf_token(as_admin, "/invoices")
    assert as_admin.get("/invoices/999999/send").status_code == 404
    assert as_admin.get("/invoices/999999/send/preview").status_code == 404
    for path in ("/invoices/999999/send/email", "/invoices/999999/mark-sent"):
        assert as_admin.post(path, data={"csrf_token": token}).status_code == 404


def test_a_form_sent_twice_queues_the_emails_once(
    as_admin: FlaskClient,
    session: Session,
    world: dict[str, Any],
    smtp_server: SmtpServer,
    inline: None,
) -> None:
    invoice_id = world["draft"].id
    data = _form(as_admin, invoice_id, recipients=["rita@muller.example"])
    first = as_admin.post(f"/invoices/{invoice_id}/send/email", data=data)
    second = as_admin.post(f"/invoices/{invoice_id}/send/email", data=data)
    assert (first.status_code, second.status_code) == (303, 303)
    assert _written(session, invoice_id) == ("sent", [("rita@muller.example", "sent", 1)], 1)
    assert len(smtp_server.messages) == 1
    page = as_admin.get(f"/invoices/{invoice_id}").get_data(as_text=True)
    assert "This form was already sent; nothing was sent again." in page

    # "Send again…" on the sent invoice: a new form, a new set; that form twice, still one.
    again = _form(as_admin, invoice_id, recipients=["books@muller.example"])
    assert as_admin.post(f"/invoices/{invoice_id}/send/email", data=again).status_code == 303
    assert as_admin.post(f"/invoices/{invoice_id}/send/email", data=again).status_code == 303
    status, deliveries, events = _written(session, invoice_id)
    assert status == "sent" and events == 2
    assert deliveries == [("rita@muller.example", "sent", 1), ("books@muller.example", "sent", 1)]
    assert len(smtp_server.messages) == 2


def test_the_preview_is_the_emails_template_escaped_with_line_breaks(
    as_admin: FlaskClient, world: dict[str, Any], smtp_server: SmtpServer
) -> None:
    invoice_id = world["draft"].id
    response = as_admin.get(
        f"/invoices/{invoice_id}/send/preview",
        query_string={
            "subject": "Hi <you>",
            "message": "One\nTwo <i>",
            "to": "rita@muller.example",
        },
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Hi &lt;you&gt;" in html and "Hello Rita Roe," in html
    assert "One<br>\nTwo &lt;i&gt;</p>" in html
    assert "<i>" not in html
    too_long = as_admin.get(
        f"/invoices/{invoice_id}/send/preview", query_string={"message": "x" * 1501}
    )
    assert too_long.status_code == 400


def test_a_cancelled_invoice_cannot_be_sent(
    as_admin: FlaskClient, session: Session, world: dict[str, Any], smtp_server: SmtpServer
) -> None:
    cancelled = make_invoice(session, world["client"], status=InvoiceStatus.CANCELLED)
    session.commit()
    response = as_admin.get(f"/invoices/{cancelled.id}/send")
    assert response.status_code == 400
    assert "A cancelled invoice cannot be sent." in response.get_data(as_text=True)


def test_the_old_resend_button_leads_to_the_dialog(
    as_admin: FlaskClient, session: Session, world: dict[str, Any]
) -> None:
    sent = make_invoice(session, world["client"], number="INV-2026-0101")
    session.commit()
    page = as_admin.get(f"/invoices/{sent.id}").get_data(as_text=True)
    assert "Send again…" in page and "/resend" not in page
    response = as_admin.post(
        f"/invoices/{sent.id}/resend", data={"csrf_token": csrf_token(as_admin, "/invoices")}
    )
    assert response.status_code == 303
    assert response.headers["Location"] == f"/invoices/{sent.id}/send"
    assert _written(session, sent.id)[1:] == ([], 0)


def test_sending_is_for_administrators(
    client: FlaskClient, session: Session, world: dict[str, Any], smtp_server: SmtpServer
) -> None:
    staff = make_user(session)
    session.commit()
    login(client, staff.email)
    invoice_id = world["draft"].id
    token = csrf_token(client, "/account")
    assert client.get(f"/invoices/{invoice_id}/send").status_code == 403
    assert client.get(f"/invoices/{invoice_id}/send/preview").status_code == 403
    for path in ("send/email", "mark-sent"):
        assert (
            client.post(f"/invoices/{invoice_id}/{path}", data={"csrf_token": token}).status_code
            == 403
        )
        assert client.get(f"/invoices/{invoice_id}/{path}").status_code == 405
    assert _written(session, invoice_id) == ("draft", [], 0)


def test_the_audit_retention_does_not_change_how_sends_behave(
    as_admin: FlaskClient,
    session: Session,
    world: dict[str, Any],
    smtp_server: SmtpServer,
    inline: None,
) -> None:
    """Whether a form was already sent, and whether an invoice was marked as sent without
    emailing, are kept on the deliveries and the invoice, not read from the audit trail: once
    `timetracker audit purge` removed the events, both answer as before."""
    import datetime as dt

    from timetracker import audit

    emailed = world["draft"]
    marked = make_invoice(
        session, world["client"], status=InvoiceStatus.DRAFT, number="INV-2026-0101"
    )
    session.commit()
    data = _form(as_admin, emailed.id, recipients=["rita@muller.example"])
    assert as_admin.post(f"/invoices/{emailed.id}/send/email", data=data).status_code == 303
    token = {"csrf_token": csrf_token(as_admin, f"/invoices/{marked.id}")}
    assert as_admin.post(f"/invoices/{marked.id}/mark-sent", data=token).status_code == 303
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=2)
    assert audit.purge_expired(session, retention_days=1, now=later) >= 2
    session.commit()

    assert as_admin.post(f"/invoices/{emailed.id}/send/email", data=data).status_code == 303
    assert len(smtp_server.messages) == 1  # the same form: nothing sent again
    assert as_admin.post(f"/invoices/{marked.id}/mark-sent", data=token).status_code == 303
    page = as_admin.get(f"/invoices/{marked.id}").get_data(as_text=True)
    assert "was already marked as sent; nothing changed." in page
    assert 'data-testid="sent-without-email"' in page
    emailed_page = as_admin.get(f"/invoices/{emailed.id}").get_data(as_text=True)
    assert 'data-testid="sent-without-email"' not in emailed_page
