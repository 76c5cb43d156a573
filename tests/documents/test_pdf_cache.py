"""Rendered PDFs are cached by version: an unchanged document is printed by WeasyPrint once,
and anything the document prints that changes makes a new version, rendered afresh.

WeasyPrint's calls are counted by wrapping the real renderer (``pdf.write_pdf``): every PDF
here is real, and the changed ones are read back with pypdf."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy.orm import Session

from tests import factories
from tests.conftest import login
from tests.quotes.conftest import make_quote
from timetracker import firm
from timetracker.billing.statements import statement_of
from timetracker.documents import pdf as pdf_module
from timetracker.documents.pdf import render_invoice_pdf
from timetracker.documents.quote_pdf import render_quote_pdf
from timetracker.documents.statement_pdf import render_statement_pdf
from timetracker.models import Client, Invoice, InvoiceStatus, Payment


class Renders:
    """How many times WeasyPrint ran."""

    def __init__(self) -> None:
        self.count = 0


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> Renders:
    counter = Renders()
    real = pdf_module.write_pdf

    def counted(html: str, stylesheet: str) -> bytes:
        counter.count += 1
        return real(html, stylesheet)

    monkeypatch.setattr(pdf_module, "write_pdf", counted)
    return counter


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join("\n".join(page.extract_text() for page in reader.pages).split())


def _entries(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.pdf"))


@pytest.fixture
def customer(ctx: Session) -> Client:
    firm.get_settings().company_name = "Acme Studio"
    return factories.make_client(ctx, name="Müller & Søn", currency="EUR")


@pytest.fixture
def invoice(ctx: Session, customer: Client) -> Invoice:
    return factories.make_invoice(
        ctx, customer, number="CACHE-0001", items=[("Design", "10", "100.00")]
    )


def test_an_unchanged_invoice_is_printed_once_and_read_back_identical(
    invoice: Invoice, customer: Client, renders: Renders, pdf_cache: Path
) -> None:
    first = render_invoice_pdf(invoice, customer)
    second = render_invoice_pdf(invoice, customer)

    assert renders.count == 1
    assert second == first
    assert "CACHE-0001" in _text(second)
    assert [entry.read_bytes() for entry in _entries(pdf_cache)] == [first]


def _change_a_line(ctx: Session, invoice: Invoice, customer: Client) -> None:
    invoice.items[0].description = "Redesign of the shop"


def _add_a_payment(ctx: Session, invoice: Invoice, customer: Client) -> None:
    invoice.payments.append(
        Payment(amount=Decimal("250.00"), paid_on=dt.date(2026, 3, 10), method="Bank")
    )
    invoice.amount_paid = Decimal("250.00")
    ctx.flush()


def _cancel(ctx: Session, invoice: Invoice, customer: Client) -> None:
    invoice.status = InvoiceStatus.CANCELLED


def _speak_german(ctx: Session, invoice: Invoice, customer: Client) -> None:
    customer.document_language = "de"


def _rename_the_firm(ctx: Session, invoice: Invoice, customer: Client) -> None:
    firm.get_settings().company_name = "Renamed Studio"


@pytest.mark.parametrize(
    ("change", "shown", "gone"),
    [
        (_change_a_line, "Redesign of the shop", "Design"),
        (_add_a_payment, "PARTIALLY PAID", None),
        (_cancel, "CANCELLED", None),
        (_speak_german, "Rechnungsnummer", "Invoice number"),
        (_rename_the_firm, "Renamed Studio", "Acme Studio"),
    ],
    ids=["line", "payment", "status", "document-language", "company-name"],
)
def test_a_changed_invoice_is_a_new_version_that_shows_the_change(
    ctx: Session,
    invoice: Invoice,
    customer: Client,
    renders: Renders,
    pdf_cache: Path,
    change: Callable[[Session, Invoice, Client], None],
    shown: str,
    gone: str | None,
) -> None:
    before = render_invoice_pdf(invoice, customer)
    assert shown not in _text(before)

    change(ctx, invoice, customer)
    after = render_invoice_pdf(invoice, customer)

    assert renders.count == 2
    assert after != before
    assert shown in _text(after)
    if gone is not None:
        assert gone not in _text(after)
    assert len(_entries(pdf_cache)) == 2
    assert render_invoice_pdf(invoice, customer) == after and renders.count == 2


def test_two_invoices_never_share_an_entry(ctx: Session, renders: Renders, pdf_cache: Path) -> None:
    """Two invoices of one client with the same lines: each PDF is its own, under its own key."""
    client = factories.make_client(ctx)
    one = factories.make_invoice(ctx, client, number="TWIN-1")
    two = factories.make_invoice(ctx, client, number="TWIN-2")

    pdfs = [render_invoice_pdf(one), render_invoice_pdf(two)]
    again = [render_invoice_pdf(one), render_invoice_pdf(two)]

    assert renders.count == 2
    assert again == pdfs
    assert "TWIN-1" in _text(pdfs[0]) and "TWIN-2" not in _text(pdfs[0])
    assert "TWIN-2" in _text(pdfs[1]) and "TWIN-1" not in _text(pdfs[1])
    assert sorted(entry.read_bytes() for entry in _entries(pdf_cache)) == sorted(pdfs)


def test_the_same_invoice_for_two_clients_is_two_entries(
    ctx: Session, renders: Renders, pdf_cache: Path
) -> None:
    """The cache is keyed by the whole document: another client's name is another PDF."""
    first = factories.make_client(ctx, name="First Client")
    second = factories.make_client(ctx, name="Second Client")
    invoice = factories.make_invoice(ctx, first, number="SAME-1")

    mine = render_invoice_pdf(invoice, first)
    theirs = render_invoice_pdf(invoice, second)

    assert renders.count == 2
    assert "First Client" in _text(mine) and "Second Client" not in _text(mine)
    assert "Second Client" in _text(theirs)
    assert len(_entries(pdf_cache)) == 2


@pytest.mark.parametrize(
    "damage",
    [b"", b"%PDF-1.7\n%truncated in the middle of an obj", b"not a pdf at all\n%%EOF\n"],
    ids=["empty", "truncated", "not-a-pdf"],
)
def test_a_damaged_entry_is_rendered_again_and_replaced(
    invoice: Invoice,
    customer: Client,
    renders: Renders,
    pdf_cache: Path,
    damage: bytes,
    caplog: pytest.LogCaptureFixture,
) -> None:
    render_invoice_pdf(invoice, customer)
    [entry] = _entries(pdf_cache)
    entry.write_bytes(damage)

    served = render_invoice_pdf(invoice, customer)

    assert renders.count == 2
    assert served.startswith(b"%PDF-") and "CACHE-0001" in _text(served)
    assert entry.read_bytes() == served
    assert "not a whole PDF" in caplog.text


def test_a_cache_folder_that_cannot_be_made_still_serves_the_pdf(
    app: Flask,
    invoice: Invoice,
    customer: Client,
    renders: Renders,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("the cache folder would be below this file")
    monkeypatch.setitem(app.config, "PDF_CACHE_DIR", str(blocker / "pdf"))

    pdfs = [render_invoice_pdf(invoice, customer), render_invoice_pdf(invoice, customer)]

    assert renders.count == 2
    assert all("CACHE-0001" in _text(pdf) for pdf in pdfs)
    assert "cannot keep" in caplog.text


def test_an_entry_that_cannot_be_read_or_replaced_still_serves_the_pdf(
    invoice: Invoice,
    customer: Client,
    renders: Renders,
    pdf_cache: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A directory where the entry should be: reading it and replacing it both fail."""
    render_invoice_pdf(invoice, customer)
    [entry] = _entries(pdf_cache)
    entry.unlink()
    entry.mkdir()

    served = render_invoice_pdf(invoice, customer)

    assert renders.count == 2
    assert "CACHE-0001" in _text(served)
    assert "cannot read" in caplog.text and "cannot keep" in caplog.text
    assert [p.name for p in pdf_cache.iterdir()] == [entry.name]  # no temporary file left


def test_without_a_cache_folder_every_download_is_rendered(
    app: Flask,
    invoice: Invoice,
    customer: Client,
    renders: Renders,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(app.config, "PDF_CACHE_DIR", None)

    assert render_invoice_pdf(invoice, customer) and render_invoice_pdf(invoice, customer)

    assert renders.count == 2


def test_quotes_are_cached_by_version(ctx: Session, renders: Renders, pdf_cache: Path) -> None:
    client = factories.make_client(ctx)
    quote = make_quote(ctx, client, number="Q-CACHE-1")

    first = render_quote_pdf(quote, client)
    assert render_quote_pdf(quote, client) == first and renders.count == 1

    quote.title = "A different scope"
    changed = render_quote_pdf(quote, client)

    assert renders.count == 2
    assert "A different scope" in _text(changed)


def test_statements_are_cached_by_version_and_by_day(
    ctx: Session, renders: Renders, pdf_cache: Path
) -> None:
    client = factories.make_client(ctx)
    factories.make_invoice(ctx, client, number="ST-1")
    statement = statement_of(ctx, client.id, dt.date(2026, 1, 1), dt.date(2026, 3, 31))

    first = render_statement_pdf(statement, client, dt.date(2026, 4, 1))
    assert render_statement_pdf(statement, client, dt.date(2026, 4, 1)) == first
    assert renders.count == 1

    next_day = render_statement_pdf(statement, client, dt.date(2026, 4, 2))

    assert renders.count == 2
    assert "04/02/2026" in _text(next_day)


def test_a_portal_user_downloading_twice_gets_the_same_pdf_from_one_render(
    client: FlaskClient, session: Session, renders: Renders
) -> None:
    mine: Client = factories.make_client(session, name="Portal Client")
    invoice = factories.make_invoice(session, mine, number="PORTAL-CACHE-1")
    user = factories.make_portal_user(session, mine, email="cache@portal.example")
    session.commit()
    login(client, user.email)

    first = client.get(f"/client-portal/invoices/{invoice.id}/pdf")
    second = client.get(f"/client-portal/invoices/{invoice.id}/pdf")

    assert first.status_code == second.status_code == 200
    assert second.get_data() == first.get_data()
    assert "PORTAL-CACHE-1" in _text(second.get_data())
    assert renders.count == 1
