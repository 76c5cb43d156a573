"""Invoice PDFs: real WeasyPrint output, read back with pypdf."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from pypdf import PdfReader
from sqlalchemy.orm import Session

from tests import factories
from timetracker import firm
from timetracker.billing import states
from timetracker.documents.pdf import pdf_filename, render_invoice_pdf
from timetracker.formatting import money
from timetracker.models import Payment


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_invoice_pdf_carries_number_client_total_and_non_ascii_text(ctx: Session) -> None:
    settings = firm.get_settings()
    settings.company_name = "Acme Studio"
    settings.company_address = "1 Harbour Road\n0150 Oslo"
    client = factories.make_client(
        ctx, name="Müller & Søn €", address="Hauptstraße 5\n10115 Berlin", currency="EUR"
    )
    invoice = factories.make_invoice(
        ctx,
        client,
        number="INV-2026-0042",
        items=[("Entwicklung – Größenänderung", "12.5", "80.00"), ("Design", "3", "95.50")],
        paid="100.00",
        tax_rate="19.00",
    )

    pdf = render_invoice_pdf(invoice, client)

    assert pdf.startswith(b"%PDF")
    text = _text(pdf)
    assert "INV-2026-0042" in text
    assert "Müller & Søn €" in text
    assert "Hauptstraße 5" in text
    assert "Acme Studio" in text and "0150 Oslo" in text
    assert "Entwicklung – Größenänderung" in text
    assert invoice.total == Decimal("1530.94")  # 1286.50 + 19 % tax (244.435 → 244.44)
    assert money(invoice.total, "EUR") in text  # Babel: €1,530.94
    assert money(states.balance(invoice), "EUR") in text
    assert money(Decimal("100.00"), "EUR") in text  # the payment


def test_pdf_follows_the_invoice_currency_and_locale(ctx: Session) -> None:
    firm.get_settings().locale = "de_DE"
    client = factories.make_client(ctx, currency="CHF")
    invoice = factories.make_invoice(ctx, client, items=[("Beratung", "2", "1234.50")])

    text = _text(render_invoice_pdf(invoice, client))

    assert money(invoice.total, "CHF") in text
    assert "2.962,80" in text  # 2469.00 + 20 % tax, German grouping and decimal comma


def test_fifty_line_invoice_flows_onto_more_pages(ctx: Session) -> None:
    client = factories.make_client(ctx)
    items = [(f"Line {i:02d}", "1", "10.00") for i in range(50)]
    invoice = factories.make_invoice(ctx, client, items=items)

    reader = PdfReader(io.BytesIO(render_invoice_pdf(invoice, client)))

    assert len(reader.pages) >= 2
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Line 00" in text and "Line 49" in text


def test_user_text_cannot_make_the_renderer_fetch_urls(ctx: Session, monkeypatch) -> None:
    """Descriptions are escaped; and even a stylesheet URL is refused by the URL fetcher."""
    import weasyprint.urls

    def network(*_args, **_kwargs):
        raise AssertionError("WeasyPrint tried to fetch a URL")

    monkeypatch.setattr(weasyprint.urls, "urlopen", network, raising=False)
    client = factories.make_client(ctx, name='<img src="http://127.0.0.1:9/x.png">')
    invoice = factories.make_invoice(
        ctx, client, items=[('<link rel="stylesheet" href="http://127.0.0.1:9/a.css">', "1", "1")]
    )
    text = _text(render_invoice_pdf(invoice, client))
    assert '<img src="http://127.0.0.1:9/x.png">' in text


def test_refusing_fetcher_blocks_everything_but_data_urls() -> None:
    import pytest

    from timetracker.documents.pdf import RemoteResourceRefused, _offline_url_fetcher

    for url in ("http://example.com/a.css", "https://x/y", "file:///etc/passwd", "ftp://h/f"):
        with pytest.raises(RemoteResourceRefused):
            _offline_url_fetcher(url)
    assert _offline_url_fetcher("data:text/plain,hello")["file_obj"].read() == b"hello"


def test_pdf_filename_is_safe(ctx: Session) -> None:
    client = factories.make_client(ctx)
    invoice = factories.make_invoice(ctx, client, number="INV/2026 0001")
    assert pdf_filename(invoice) == "invoice-INV-2026-0001.pdf"


def test_payments_are_listed(ctx: Session) -> None:
    client = factories.make_client(ctx)
    invoice = factories.make_invoice(ctx, client, items=[("Work", "1", "500.00")])
    invoice.payments.append(
        Payment(amount=Decimal("123.45"), paid_on=dt.date(2026, 3, 15), reference="REF-77")
    )
    invoice.amount_paid = Decimal("123.45")
    ctx.flush()
    text = _text(render_invoice_pdf(invoice, client))
    assert "REF-77" in text
    assert money(Decimal("476.55"), "EUR") in text  # 600.00 − 123.45
