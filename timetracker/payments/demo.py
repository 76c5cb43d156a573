"""Bank details for the demo firm, so that ``make run`` shows the payment card and its QR code."""

from __future__ import annotations

from sqlalchemy.orm import Session

from timetracker.models import Settings

#: The example IBAN of the German banking industry's documentation (Commerzbank, Cologne): a
#: valid IBAN that belongs to no real customer.
DEMO_IBAN = "DE89370400440532013000"
DEMO_BIC = "COBADEFFXXX"
DEMO_BANK = "Commerzbank"


def add_demo_payment_details(session: Session, settings: Settings) -> None:
    """Give the demo firm a bank account held in its own name."""
    settings.bank_account_holder = settings.company_name[:70]
    settings.bank_name = DEMO_BANK
    settings.bank_iban = DEMO_IBAN
    settings.bank_bic = DEMO_BIC
    session.flush()
