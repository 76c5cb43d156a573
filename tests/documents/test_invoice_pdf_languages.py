"""Client documents speak the client's document language: the invoice PDF in German and in
French (its words, dates and money), whoever downloads it. Real WeasyPrint output, read back
with pypdf."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy.orm import Session

from tests import factories
from tests.conftest import login
from timetracker import firm, i18n
from timetracker.documents.pdf import render_invoice_pdf
from timetracker.documents.statement_pdf import render_statement_pdf
from timetracker.formatting import date, money
from timetracker.models import Client, Invoice


def _text(pdf: bytes) -> str:
    """The PDF's text, its spaces (non-breaking ones of French numbers included) as spaces."""
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


def _plain(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


def _invoice(
    session: Session, language: str | None, firm_locale: str | None = "en_US"
) -> tuple[Client, Invoice]:
    """An invoice of 15,000.00 EUR due on 31 March 2026 for a client reading ``language``, of a
    firm in ``firm_locale`` (``None``: as it is; setting it needs an application context)."""
    if firm_locale is not None:
        firm.get_settings().locale = firm_locale
    client = factories.make_client(session, name="Müller & Søn", document_language=language)
    invoice = factories.make_invoice(
        session,
        client,
        number="INV-2026-0042",
        items=[("Beratung", "12.5", "1000.00")],
        issue_date=dt.date(2026, 3, 1),
        due_date=dt.date(2026, 3, 31),
        tax_rate="20.00",
    )
    return client, invoice


@pytest.mark.parametrize(
    ("language", "words", "english"),
    [
        ("de", ["Rechnung", "Rechnungsnummer", "Fälligkeitsdatum", "Zwischensumme", "Gesamt"],
         ["Invoice number", "Due date", "Subtotal"]),
        ("fr", ["Facture", "Numéro de facture", "Date d’échéance", "Sous-total", "Montant dû"],
         ["Invoice number", "Due date", "Subtotal"]),
    ],
)  # fmt: skip
def test_invoice_pdf_is_in_the_clients_document_language(
    ctx: Session, language: str, words: list[str], english: list[str]
) -> None:
    client, invoice = _invoice(ctx, language)

    text = _text(render_invoice_pdf(invoice, client))

    for word in words:
        assert word in text
    for word in english:
        assert word not in text
    with i18n.speaking(language):
        total = _plain(money(invoice.total, "EUR"))  # 15.000,00 € / 15 000,00 €
        due = date(invoice.due_date)  # 31.03.2026 / 31/03/2026
    assert total in text and total.startswith("15") and "15,000.00" not in text
    assert due in text and due != "03/31/2026"
    assert "INV-2026-0042" in text and "Müller & Søn" in text


def test_a_german_invoice_reads_german_numbers_and_dates(ctx: Session) -> None:
    client, invoice = _invoice(ctx, "de")

    text = _text(render_invoice_pdf(invoice, client))

    assert "15.000,00 €" in text
    assert "31.03.2026" in text
    assert "Seite 1 von 1" in text


def test_a_french_invoice_reads_french_numbers_and_dates(ctx: Session) -> None:
    client, invoice = _invoice(ctx, "fr")

    text = _text(render_invoice_pdf(invoice, client))

    assert "15 000,00 €" in text
    assert "31/03/2026" in text
    assert "Page 1 sur 1" in text


def test_a_client_without_a_document_language_reads_the_firms(ctx: Session) -> None:
    client, invoice = _invoice(ctx, None)

    text = _text(render_invoice_pdf(invoice, client))

    assert "Invoice number" in text and "Rechnung" not in text
    assert "€15,000.00" in text and "03/31/2026" in text


def test_the_statement_pdf_is_in_the_clients_document_language(ctx: Session) -> None:
    from timetracker.billing.statements import statement_of

    client, _invoice_ = _invoice(ctx, "de")
    statement = statement_of(ctx, client.id, dt.date(2026, 1, 1), dt.date(2026, 3, 31))

    text = _text(render_statement_pdf(statement, client, dt.date(2026, 4, 1)))

    assert "Kontoauszug" in text and "Anfangssaldo" in text
    assert "01.04.2026" in text


def test_staff_reading_english_download_the_clients_german_invoice(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    staff = factories.make_user(session, language="en")
    _customer, invoice = _invoice(session, "de", firm_locale=None)
    session.commit()
    assert login(client, staff.email).status_code == 302

    page = client.get(f"/invoices/{invoice.id}", headers={"Accept-Language": "en"})
    pdf = client.get(f"/invoices/{invoice.id}/pdf", headers={"Accept-Language": "en"})

    assert "Download PDF" in page.get_data(as_text=True)  # the page speaks the reader's
    assert pdf.status_code == 200
    text = _text(pdf.get_data())
    assert "Rechnungsnummer" in text and "15.000,00 €" in text  # the PDF the client's
