"""The demo firm's bank details pass the settings form's own checks and give euro invoices a QR
code (``make run`` shows the card)."""

from __future__ import annotations

from tests.factories import make_client, make_invoice
from timetracker import firm
from timetracker.payments import instructions_for
from timetracker.payments.accounts import check_bic_for_iban, parse_bic, parse_iban
from timetracker.payments.demo import DEMO_BIC, DEMO_IBAN, add_demo_payment_details


def test_the_demo_bank_details_are_valid_and_make_a_qr_code(ctx):
    settings = firm.get_settings()
    settings.company_name = "Northwind Studio"
    add_demo_payment_details(ctx, settings)
    assert parse_iban(settings.bank_iban) == DEMO_IBAN
    assert parse_bic(settings.bank_bic) == DEMO_BIC
    check_bic_for_iban(DEMO_BIC, DEMO_IBAN)
    assert settings.bank_account_holder == "Northwind Studio"
    (way,) = instructions_for(make_invoice(ctx, make_client(ctx, currency="EUR")))
    assert way.qr is not None
    assert way.qr.payload.split(b"\n")[5:7] == [b"Northwind Studio", DEMO_IBAN.encode()]
