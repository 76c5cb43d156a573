"""Invoice PDFs: real WeasyPrint output, read back with pypdf."""

from __future__ import annotations

import datetime as dt
import io
import re
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


def _professional_invoice(ctx: Session, **kw):
    """An invoice with a time line and a plain line, each with a service period, part paid."""
    settings = firm.get_settings()
    settings.company_name = "Acme Studio"
    settings.vat_id = "DE123456789"
    settings.registration_details = (
        "Registered at Amtsgericht München, HRB 123456 · Managing director: Jane Doe"
    )
    client = factories.make_client(ctx, name="Globex", vat_id="FR12345678901")
    invoice = factories.make_invoice(
        ctx,
        client,
        number="INV-2026-0077",
        items=[("Development", "12.5", "80.00"), ("Licence", "3", "50.00")],
        paid="100.00",
        tax_rate="19.00",
        **kw,
    )
    time_line, plain_line = invoice.items
    time_line.unit = "hours"
    time_line.period_start, time_line.period_end = dt.date(2026, 11, 1), dt.date(2026, 11, 30)
    plain_line.period_start, plain_line.period_end = dt.date(2026, 10, 15), dt.date(2026, 11, 2)
    ctx.flush()
    return invoice, client


def test_vat_ids_registration_details_periods_and_units(ctx: Session) -> None:
    invoice, client = _professional_invoice(ctx)

    reader = PdfReader(io.BytesIO(render_invoice_pdf(invoice, client)))
    text = "\n".join(page.extract_text() for page in reader.pages)
    flat = " ".join(text.replace("\u2009", " ").split())

    assert "VAT ID: DE123456789" in text  # the firm's, under its address
    assert "VAT ID: FR12345678901" in text  # the client's, under its address
    assert "Registered at Amtsgericht München, HRB 123456 · Managing director: Jane Doe" in flat
    assert "Service period: Nov 1 – 30, 2026" in flat  # the time line (en_US)
    assert "Service period: Oct 15 – Nov 2, 2026" in flat  # the plain line
    # pypdf joins table cells without a space.
    assert re.search(r"Service period ?Oct 15 – Nov 30, 2026", flat)  # the whole invoice
    assert re.search(r"Development Service period: .*? 12\.50 ?hours €80\.00", flat)  # time
    assert re.search(r"Licence Service period: .*? 3 ?€50\.00", flat)  # a plain quantity
    assert text.count("INV-2026-0077") == 1


def test_partially_paid_mark_with_paid_and_balance(ctx: Session) -> None:
    invoice, client = _professional_invoice(ctx)
    assert states.is_partially_paid(invoice)

    flat = " ".join(_text(render_invoice_pdf(invoice, client)).split())

    assert "PARTIALLY PAID" in flat
    balance = money(states.balance(invoice), "EUR")
    assert (
        f"Partially paid: €100.00 of {money(invoice.total, 'EUR')} received; balance due "
        f"{balance}." in flat
    )


def test_no_partial_mark_unpaid_or_paid_in_full(ctx: Session) -> None:
    client = factories.make_client(ctx)
    unpaid = factories.make_invoice(ctx, client, items=[("Work", "1", "100.00")])
    paid = factories.make_invoice(
        ctx, client, items=[("Work", "1", "100.00")], paid="120.00", status="paid"
    )
    assert "PARTIALLY PAID" not in _text(render_invoice_pdf(unpaid, client))
    assert "PARTIALLY PAID" not in _text(render_invoice_pdf(paid, client))


def test_what_is_missing_is_left_out(ctx: Session) -> None:
    client = factories.make_client(ctx)
    invoice = factories.make_invoice(ctx, client, items=[("Work", "2", "100.00")])
    text = _text(render_invoice_pdf(invoice, client))
    assert "VAT ID" not in text and "Service period" not in text
    assert text.count(invoice.number) == 1


def test_the_firm_logo_is_embedded(ctx: Session) -> None:
    from tests.logos.images import png
    from timetracker.logos.operations import set_firm_logo
    from timetracker.logos.validation import inspect_logo

    set_firm_logo(ctx, firm.get_settings(), inspect_logo(png((300, 100))))
    client = factories.make_client(ctx)
    invoice = factories.make_invoice(ctx, client)

    page = PdfReader(io.BytesIO(render_invoice_pdf(invoice, client))).pages[0]

    assert [(image.image.width, image.image.height) for image in page.images] == [(300, 100)]


def test_payment_amount_header_is_right_aligned_like_the_amounts() -> None:
    from pathlib import Path

    css = (Path(__file__).parents[2] / "timetracker/templates/documents/invoice.css").read_text()
    assert ".payments th.num, .payments td.num { text-align: right; }" in css
