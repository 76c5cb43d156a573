"""Quote PDFs: real WeasyPrint output, read back with pypdf."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from pypdf import PdfReader
from sqlalchemy.orm import Session

from tests.factories import make_client
from tests.quotes.conftest import FUTURE, PAST, make_quote
from timetracker import firm
from timetracker.documents.quote_pdf import quote_filename, render_quote_pdf
from timetracker.formatting import money
from timetracker.models import QuoteStatus


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_a_quote_pdf_carries_number_lines_totals_validity_and_terms(ctx: Session) -> None:
    firm.get_settings().company_name = "Acme Studio"
    client = make_client(ctx, name="Müller & Søn €", address="Hauptstraße 5\n10115 Berlin")
    quote = make_quote(
        ctx, client, number="Q-2026-0042", title="Shop relaunch – phase 2",
        items=[("Entwicklung – Größenänderung", "12.5", "80.00"), ("Design", "3", "95.50")],
        tax_rate="19.00", terms="Half on acceptance, half on delivery.", valid_until=FUTURE,
    )  # fmt: skip

    pdf = render_quote_pdf(quote, client, project_name="Online shop")

    assert pdf.startswith(b"%PDF")
    text = _text(pdf)
    for expected in (
        "Q-2026-0042",
        "Shop relaunch – phase 2",
        "Müller & Søn €",
        "Hauptstraße 5",
        "Acme Studio",
        "Entwicklung – Größenänderung",
        "Online shop",
        "Valid until",
        "12/31/2099",
        "Half on acceptance, half on delivery.",
    ):
        assert expected in text, expected
    assert quote.total == Decimal("1530.94")  # 1286.50 + 19 % (244.435 -> 244.44)
    assert money(quote.total, "EUR") in text
    assert money(quote.subtotal, "EUR") in text


@pytest.mark.parametrize(
    ("status", "valid_until", "stamp"),
    [
        (QuoteStatus.DRAFT, FUTURE, "DRAFT"),
        (QuoteStatus.SENT, PAST, "EXPIRED"),
        (QuoteStatus.ACCEPTED, FUTURE, "ACCEPTED"),
        (QuoteStatus.DECLINED, FUTURE, "DECLINED"),
    ],
)
def test_the_pdf_shows_the_quotes_state(ctx: Session, status: str, valid_until, stamp: str) -> None:  # type: ignore[no-untyped-def]
    client = make_client(ctx)
    quote = make_quote(ctx, client, status=status, valid_until=valid_until)
    text = _text(render_quote_pdf(quote, client))
    assert stamp in text
    if status == QuoteStatus.ACCEPTED:
        assert "Accepted by Signed Person" in text


def test_an_open_quote_pdf_says_how_to_accept(ctx: Session) -> None:
    client = make_client(ctx)
    quote = make_quote(ctx, client, status=QuoteStatus.SENT, valid_until=FUTURE)
    text = _text(render_quote_pdf(quote, client))
    assert "accept or decline it in your client portal" in text
    assert "EXPIRED" not in text and "ACCEPTED" not in text


def test_the_filename_keeps_only_safe_characters(ctx: Session) -> None:
    quote = make_quote(ctx, make_client(ctx), number="Q/2026 0001\u202e")
    assert quote_filename(quote) == "quote-Q-2026-0001.pdf"
