"""Invoice emails speak each recipient's language: a portal contact's own, else the client's
document language; the attached PDF is always in the client's document language. Sent to a
real SMTP server, inline."""

from __future__ import annotations

import datetime as dt
import io
from email.message import EmailMessage

import pytest
from flask import Flask
from pypdf import PdfReader
from sqlalchemy.orm import Session

from tests import factories
from tests.smtp import SmtpServer
from timetracker import firm, i18n
from timetracker.formatting import date, money
from timetracker.models import Client, Invoice
from timetracker.notifications import invoice_sending
from timetracker.notifications.invoice_email import (
    Recipient,
    dialog_defaults,
    preview_html,
)
from timetracker.notifications.invoices import notify_invoice_sent
from timetracker.notifications.jobs import dispatch


@pytest.fixture
def inline(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(app.config, "REDIS_URL", None)


def _issued_invoice(session: Session) -> tuple[Client, Invoice]:
    settings = firm.get_settings()
    settings.company_name = "Acme Studio"
    settings.locale = "en_US"
    client = factories.make_client(session, name="Müller & Søn", document_language="de")
    invoice = factories.make_invoice(
        session,
        client,
        number="INV-2026-0007",
        items=[("Design", "2", "50.00")],
        issue_date=dt.date(2026, 3, 1),
        due_date=dt.date(2026, 3, 31),
    )
    return client, invoice


def _in(language: str, invoice: Invoice) -> tuple[str, str]:
    """The invoice's total and due date as a reader of ``language`` reads them."""
    with i18n.speaking(language):
        return _plain(money(invoice.total, invoice.currency)), date(invoice.due_date)


def _plain(text: str) -> str:
    """``text`` with its non-breaking spaces (French and German money) as plain ones."""
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def _greets(text: str, whom: str = "") -> bool:
    """Whether ``text`` greets ``whom`` in German, formally, as every email does."""
    return f"Guten Tag{whom}," in text


def _bodies(message: EmailMessage) -> tuple[str, str]:
    text, html = (message.get_body((kind,)) for kind in ("plain", "html"))
    assert text is not None and html is not None
    return (
        _plain(text.get_content().replace("\r\n", "\n")),
        _plain(html.get_content().replace("\r\n", "\n")),
    )


def test_the_new_invoice_email_reaches_each_contact_in_their_language(
    ctx: Session, smtp_server: SmtpServer, inline: None
) -> None:
    client, invoice = _issued_invoice(ctx)
    factories.make_portal_user(ctx, client, email="anna@client.example", name="Anna", language="de")
    factories.make_portal_user(ctx, client, email="jean@client.example", name="Jean", language="fr")

    deliveries = notify_invoice_sent(invoice)
    ctx.commit()
    dispatch([d.id for d in deliveries])

    by_address = {m["To"].addresses[0].addr_spec: m for m in smtp_server.messages}
    german, french = by_address["anna@client.example"], by_address["jean@client.example"]

    total, due = _in("de", invoice)
    assert _plain(german["Subject"]) == f"Rechnung INV-2026-0007 über {total} von Acme Studio"
    text, html = _bodies(german)
    assert _greets(text, " Anna") and "Fälligkeitsdatum:" in text
    assert due in text and total in text and "31.03.2026" in text
    assert "Die Rechnung ist als PDF angehängt" in text
    assert '<th scope="row">Offener Betrag</th>' in html and '<html lang="de">' in html

    total, due = _in("fr", invoice)
    assert _plain(french["Subject"]).startswith("Facture INV-2026-0007 de Acme Studio")
    assert total in _plain(french["Subject"])
    text, html = _bodies(french)
    assert "Bonjour Jean," in text and "Date d’échéance" in text
    assert due in text and total in text and "31/03/2026" in text
    assert "La facture est jointe au format PDF" in text
    assert '<th scope="row">Montant dû</th>' in html and '<html lang="fr">' in html

    # The PDF is the client's document, in its document language, for every reader.
    [attachment] = list(french.iter_attachments())
    pdf_text = PdfReader(io.BytesIO(attachment.get_content())).pages[0].extract_text()
    assert "Rechnungsnummer" in pdf_text


def test_the_dialogs_defaults_reach_each_recipient_in_their_language(
    app: Flask, ctx: Session, smtp_server: SmtpServer, inline: None
) -> None:
    """The dialog offers its subject and message in the client's document language; left as
    offered, each recipient reads them in their own, the contact address in the client's."""
    client, invoice = _issued_invoice(ctx)
    client.contact_email = "books@client.example"
    factories.make_portal_user(ctx, client, email="jean@client.example", name="Jean", language="fr")
    with app.test_request_context(method="POST"):
        written = dialog_defaults(invoice)
        assert written.subject == "Rechnung INV-2026-0007 von Acme Studio"
        recipients = [c.recipient for c in invoice_sending.choices(ctx, client)]
        assert {r.email: r.language for r in recipients} == {
            "jean@client.example": "fr",
            "books@client.example": None,  # not a person: the client's document language
        }
        deliveries = invoice_sending.send_invoice(
            ctx, invoice, recipients, written, invoice_sending.new_key()
        )
        assert deliveries is not None
        ctx.commit()
    dispatch([d.id for d in deliveries])

    by_address = {m["To"].addresses[0].addr_spec: m for m in smtp_server.messages}
    french, german = by_address["jean@client.example"], by_address["books@client.example"]
    assert french["Subject"] == "Facture INV-2026-0007 de Acme Studio"
    text, _html = _bodies(french)
    assert "Bonjour Jean," in text and "Veuillez trouver ci-joint la facture INV-2026-0007" in text
    assert german["Subject"] == "Rechnung INV-2026-0007 von Acme Studio"
    text, _html = _bodies(german)
    assert _greets(text) and "die Rechnung INV-2026-0007" in text


def test_the_dialogs_preview_reads_as_the_recipient_will(app: Flask, ctx: Session) -> None:
    _client, invoice = _issued_invoice(ctx)
    with app.test_request_context():
        german = dialog_defaults(invoice)
        jean = Recipient("jean@client.example", "Jean", True, False, "fr")
        french = preview_html(invoice, jean, german.message)
        contact = preview_html(invoice, Recipient("books@client.example"), german.message)

    assert "Bonjour Jean," in french and "Veuillez trouver ci-joint" in french
    assert _greets(contact) and "anbei erhalten Sie" in contact
