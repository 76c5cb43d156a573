"""Paying an invoice in a real browser: an administrator enters the firm's bank account in the
settings; a client contact opens an open euro invoice, sees how to pay it with the EPC QR code
(read back from the page's pixels with a QR reader library), and tells the firm the payment was
sent. The test makes its own client, contact and invoice, so no other flow sees them."""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass
from decimal import Decimal

import zxingcpp
from PIL import Image

from tests.e2e.seed import PASSWORD
from tests.e2e.support import Browse
from timetracker import create_app, db, firm
from timetracker.auth.passwords import hash_password
from timetracker.billing import invoicing, payments
from timetracker.models import Client, Role, User

IBAN_TYPED = "de89 3704 0044 0532 0130 00"
IBAN = "DE89370400440532013000"
IBAN_GROUPED = "DE89 3704 0044 0532 0130 00"
BIC = "COBADEFFXXX"


@dataclass(frozen=True)
class Made:
    contact_email: str
    invoice_id: int
    number: str
    issue_date: dt.date


def _make(database_url: str) -> Made:
    """A euro client with a contact, and a sent invoice of 1,606.50 with 106.50 paid."""
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "e2e-payments",
            "DATABASE_URL": database_url,
            "REDIS_URL": None,
            "RATELIMIT_STORAGE_URI": "memory://",
            "MAIL_ENABLED": False,
        }
    )
    try:
        with app.app_context():
            session = db.session
            client = Client(name="Oscorp Labs", currency="EUR", default_hourly_rate=Decimal("90"))
            session.add(client)
            session.flush()
            contact = User(
                name="Olivia Oscorp",
                email="payer@oscorp.example",
                password_hash=hash_password(PASSWORD),
                role=Role.CLIENT,
                client_portal_enabled=True,
                client_id=client.id,
            )
            session.add(contact)
            issued = firm.today() - dt.timedelta(days=10)
            invoice = invoicing.new_invoice(
                session, client, issue_date=issued, due_date=issued + dt.timedelta(days=30),
                tax_rate=Decimal("19"),
            )  # fmt: skip
            invoicing.add_item(session, invoice, "Reactor design", Decimal("3"), Decimal("450"))
            invoicing.mark_sent(session, invoice)
            payments.record_payment(session, invoice, Decimal("106.50"), issued, "Bank", None)
            session.commit()
            return Made(contact.email, invoice.id, invoice.number, issued)
    finally:
        app.extensions["timetracker.engine"].dispose()


def _read_qr(png: bytes) -> list[str]:
    (code,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert code.format.name == "QRCode"
    return code.text.split("\n")


def test_a_client_pays_an_invoice_with_the_qr_code_and_tells_the_firm(browse: Browse):
    made = _make(browse.server.database_url)
    seed, page = browse.seed, browse.page
    main = page.locator("main")

    # The administrator enters the firm's account: typed in small letters with spaces.
    browse.login(seed.admin_email, seed.admin_password)
    browse.goto("/admin/settings")
    payments = main.get_by_role("group", name="Payments")
    payments.get_by_label("Account holder").fill("Northwind Studio")
    payments.get_by_label("Bank name").fill("Commerzbank")
    payments.get_by_label("IBAN").fill(IBAN_TYPED)
    payments.get_by_label("BIC").fill(BIC.lower())
    browse.click_and_wait(main.get_by_role("button", name="Save settings"))
    assert "Settings were saved." in main.inner_text()
    assert payments.get_by_label("IBAN").input_value() == IBAN_GROUPED
    assert payments.get_by_label("BIC").input_value() == BIC
    browse.logout()

    # The contact opens the invoice: how to pay it, and the QR code.
    browse.login(made.contact_email, PASSWORD)
    browse.goto(f"/client-portal/invoices/{made.invoice_id}")
    card = page.get_by_test_id("how-to-pay")
    assert card.get_by_role("heading", name="How to pay").is_visible()
    assert page.get_by_test_id("amount-due").inner_text() == "€1,500.00"
    assert page.get_by_test_id("payment-reference").inner_text() == made.number
    for shown in ("Northwind Studio", "Commerzbank", IBAN_GROUPED, BIC):
        assert shown in card.inner_text(), shown
    qr = card.get_by_role("img", name=re.compile("QR code for a bank transfer of €1,500.00"))
    assert qr.is_visible()
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0")
    read = _read_qr(qr.screenshot())
    assert read[:8] == ["BCD", "002", "1", "SCT", BIC, "Northwind Studio", IBAN, "EUR1500.00"]
    assert read[10] == made.number
    browse.screens("portal-invoice-payment")

    # "Payment sent" with a date in the future: refused on a page that says why.
    tomorrow = firm_today(browse) + dt.timedelta(days=1)
    form = card.locator("form")
    form.get_by_label("Date you sent the payment").fill(tomorrow.isoformat())
    form.get_by_label("Reference you used (optional)").fill("Oscorp transfer 0042")
    path = f"/client-portal/invoices/{made.invoice_id}/payment-sent"
    browse.expect_status(path, 400)
    browse.click_and_wait(form.get_by_role("button", name="Tell us you sent the payment"))
    assert browse.path == path
    assert "The payment date cannot be in the future." in main.inner_text()

    # Corrected: recorded, and shown on the invoice, whose balance is unchanged.
    main.get_by_label("Date you sent the payment").fill(made.issue_date.isoformat())
    browse.click_and_wait(main.get_by_role("button", name="Tell us you sent the payment"))
    assert browse.path == f"/client-portal/invoices/{made.invoice_id}"
    assert "We have noted that you sent the payment" in main.inner_text()
    told = page.get_by_test_id("payment-notices").inner_text()
    assert "You told us on" in told and "reference “Oscorp transfer 0042”" in told
    assert page.get_by_test_id("amount-due").inner_text() == "€1,500.00"
    browse.screens("portal-invoice-payment-sent")


def firm_today(browse: Browse) -> dt.date:
    """Today as the server's form shows it (the firm's timezone)."""
    value = browse.page.get_by_label("Date you sent the payment").input_value()
    return dt.datetime.strptime(value, "%m/%d/%Y").date()  # the firm's format (en_US)
