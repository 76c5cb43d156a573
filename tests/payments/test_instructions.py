"""How to pay an invoice: bank details, amount due (the open balance of billing.states) and the
invoice number as reference, for every invoice with something owed; the EPC QR code only for
euros, an account in the SEPA zone and an amount the code can carry. The PDF carries the same."""

from __future__ import annotations

import base64
import io
import re
from decimal import Decimal

import pytest
from pypdf import PdfReader
from pypdf.generic import ContentStream

from tests.factories import make_client, make_invoice
from tests.payments.conftest import BIC, HOLDER, IBAN, IBAN_GROUPED, decode_svg, set_bank
from timetracker.billing import payments, states
from timetracker.documents.pdf import render_invoice_html, render_invoice_pdf
from timetracker.formatting import money
from timetracker.models import Client, InvoiceStatus
from timetracker.payments import epc, instructions_for, payment_qr


def _invoice(session, **kw):
    client = make_client(session, currency=kw.pop("currency", "EUR"))
    return make_invoice(session, client, number=kw.pop("number", "NW-2026-0042"), **kw)


def test_an_open_euro_invoice_gets_bank_details_amount_reference_and_a_qr_code(ctx):
    set_bank(ctx)
    invoice = _invoice(ctx, paid="200.00")
    (way,) = instructions_for(invoice)
    assert way.method == "bank_transfer"
    assert way.amount_due == states.open_balance(invoice) == Decimal("1000.00")
    assert (way.currency, way.reference) == ("EUR", "NW-2026-0042")
    assert [(d.label, d.value) for d in way.details] == [
        ("Account holder", HOLDER),
        ("Bank", "Commerzbank"),
        ("IBAN", IBAN_GROUPED),
        ("BIC", BIC),
    ]
    assert way.qr is not None
    read = decode_svg(way.qr.svg()).text.split("\n")
    assert read[4:8] == [BIC, HOLDER, IBAN, "EUR1000.00"]
    assert read[10] == invoice.number


def test_the_qr_code_follows_the_open_balance_as_payments_come_in(ctx):
    set_bank(ctx)
    invoice = _invoice(ctx)
    assert payment_qr(invoice).payload.split(b"\n")[7] == b"EUR1200.00"
    payments.record_payment(ctx, invoice, Decimal("1199.99"), invoice.issue_date, None, None)
    assert payment_qr(invoice).payload.split(b"\n")[7] == b"EUR0.01"
    payments.record_payment(ctx, invoice, Decimal("0.01"), invoice.issue_date, None, None)
    assert invoice.status == InvoiceStatus.PAID
    assert payment_qr(invoice) is None
    assert instructions_for(invoice) == []


@pytest.mark.parametrize(
    ("status", "paid"),
    [
        (InvoiceStatus.PAID, "1200.00"),
        (InvoiceStatus.CANCELLED, None),
        (InvoiceStatus.DRAFT, None),
    ],
)
def test_nothing_to_pay_on_a_paid_cancelled_or_draft_invoice(ctx, status, paid):
    set_bank(ctx)
    invoice = _invoice(ctx, status=status, paid=paid)
    assert instructions_for(invoice) == []
    assert payment_qr(invoice) is None


def test_an_invoice_in_another_currency_gets_bank_details_but_no_qr_code(ctx):
    set_bank(ctx)
    invoice = _invoice(ctx, currency="GBP")
    (way,) = instructions_for(invoice)
    assert (way.currency, way.amount_due) == ("GBP", Decimal("1200.00"))
    assert way.qr is None


@pytest.mark.parametrize(
    "bank",
    [
        {"bank_iban": None},
        {"bank_iban": None, "bank_bic": None},
    ],
)
def test_without_an_iban_there_are_no_bank_details(ctx, bank):
    set_bank(ctx, **bank)
    assert instructions_for(_invoice(ctx)) == []


def test_without_a_bic_the_qr_code_leaves_it_empty(ctx):
    set_bank(ctx, bank_bic=None, bank_name=None)
    invoice = _invoice(ctx)
    (way,) = instructions_for(invoice)
    assert [d.label for d in way.details] == ["Account holder", "IBAN"]
    assert way.qr.payload.split(b"\n")[4] == b""


def test_an_account_outside_the_sepa_zone_gets_no_qr_code(ctx):
    set_bank(ctx, bank_iban="BR1800360305000010009795493C1", bank_bic=None)
    (way,) = instructions_for(_invoice(ctx))
    assert way.qr is None


def test_an_amount_larger_than_the_code_carries_gets_no_qr_code(ctx):
    set_bank(ctx)
    invoice = _invoice(ctx, items=[("Big", "1", "833333333.33")])  # 1e9 with 20 % tax
    assert states.open_balance(invoice) > epc.MAX_AMOUNT
    (way,) = instructions_for(invoice)
    assert way.qr is None


def test_a_holder_the_code_cannot_carry_gets_no_qr_code_but_the_details(ctx):
    """Saved before the form refused names over 70 characters (the form does now)."""
    set_bank(ctx, bank_account_holder="H" * 71)
    (way,) = instructions_for(_invoice(ctx))
    assert way.qr is None
    assert way.details[0].value == "H" * 71


# The PDF -----------------------------------------------------------------------------------------


def _pdf_text(session, invoice) -> str:
    pdf = render_invoice_pdf(invoice, session.get(Client, invoice.client_id))
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _html(session, invoice) -> str:
    return render_invoice_html(invoice, session.get(Client, invoice.client_id))


def test_the_pdf_shows_bank_details_amount_due_reference_and_embeds_the_qr_code(ctx):
    set_bank(ctx)
    invoice = _invoice(ctx, paid="200.00")
    html = _html(ctx, invoice)
    (uri,) = re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', html)
    svg = base64.b64decode(uri)
    assert svg == payment_qr(invoice).svg()
    read = decode_svg(svg).text.split("\n")
    assert (read[6], read[7], read[10]) == (IBAN, "EUR1000.00", "NW-2026-0042")

    text = _pdf_text(ctx, invoice)
    assert "HOW TO PAY: BANK TRANSFER" in text.upper()
    assert "Amount due" in text and money(Decimal("1000.00"), "EUR") in text
    assert "Payment reference" in text and "NW-2026-0042" in text
    for shown in (HOLDER, "Commerzbank", IBAN_GROUPED, BIC, "GiroCode"):
        assert shown in text, shown


def _line_runs(session, invoice) -> int:
    """How many straight lines the PDF's first page draws (``l`` operators)."""
    reader = PdfReader(
        io.BytesIO(render_invoice_pdf(invoice, session.get(Client, invoice.client_id)))
    )
    operations = ContentStream(reader.pages[0].get_contents(), reader).operations
    return sum(1 for _operands, operator in operations if operator == b"l")


def test_the_pdf_draws_every_run_of_the_qr_code(ctx):
    """WeasyPrint draws the embedded SVG as vector lines, one per run of dark modules: the euro
    invoice's page has at least that many lines more than the same invoice in pounds."""
    set_bank(ctx)
    euros = _invoice(ctx)
    pounds = _invoice(ctx, currency="GBP", number="NW-2026-0043")
    runs = len(re.findall(rb"h[0-9]", payment_qr(euros).svg()))
    assert runs > 100
    assert _line_runs(ctx, euros) - _line_runs(ctx, pounds) >= runs


def test_the_pdf_of_an_invoice_in_pounds_has_bank_details_but_no_qr_code(ctx):
    set_bank(ctx)
    invoice = _invoice(ctx, currency="GBP")
    assert "data:image/svg+xml" not in _html(ctx, invoice)
    text = _pdf_text(ctx, invoice)
    assert IBAN_GROUPED in text and money(Decimal("1200.00"), "GBP") in text
    assert "GiroCode" not in text


@pytest.mark.parametrize("status", [InvoiceStatus.PAID, InvoiceStatus.CANCELLED])
def test_the_pdf_of_a_settled_invoice_says_nothing_about_paying(ctx, status):
    set_bank(ctx)
    invoice = _invoice(ctx, status=status, paid="1200.00" if status == "paid" else None)
    text = _pdf_text(ctx, invoice)
    assert "How to pay" not in text and IBAN_GROUPED not in text


def test_the_pdf_without_bank_details_has_no_payment_section(ctx):
    set_bank(ctx, bank_iban=None, bank_bic=None)
    text = _pdf_text(ctx, _invoice(ctx))
    assert "How to pay" not in text
