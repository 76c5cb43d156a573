"""Paying by bank transfer to the firm's account (Admin → Settings → Payments), with an EPC QR
code for euro invoices to accounts in the SEPA zone."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from flask_babel import gettext
from schwifty import IBAN
from schwifty import exceptions as schwifty_errors

from timetracker.billing import states
from timetracker.models import Invoice, Settings
from timetracker.payments import epc
from timetracker.payments.accounts import group_iban
from timetracker.payments.methods import Detail, PaymentInstructions, PaymentQr, payment_reference

log = logging.getLogger(__name__)


def _in_sepa_zone(iban: str) -> bool:
    try:
        return bool(IBAN(iban).in_sepa_zone)
    except schwifty_errors.SchwiftyException:
        return False


@dataclass(frozen=True)
class BankTransfer:
    """The firm's bank account, as the settings hold it (validated when it was saved)."""

    holder: str | None
    bank_name: str | None
    iban: str | None
    bic: str | None

    key = "bank_transfer"

    @classmethod
    def from_settings(cls, settings: Settings) -> BankTransfer:
        def clean(value: str | None) -> str | None:
            return (value or "").strip() or None

        return cls(
            holder=clean(settings.bank_account_holder),
            bank_name=clean(settings.bank_name),
            iban=clean(settings.bank_iban),
            bic=clean(settings.bank_bic),
        )

    def instructions(self, invoice: Invoice) -> PaymentInstructions | None:
        """Nothing without an IBAN, or when nothing is owed (a draft, a paid or a cancelled
        invoice); the QR code only for an open balance in euros."""
        if self.iban is None:
            return None
        due = states.open_balance(invoice)
        if due <= 0:
            return None
        # In the language being spoken: the portal page's, or the PDF's (the client's).
        rows = [
            (gettext("Account holder"), self.holder, False),
            (gettext("Bank"), self.bank_name, False),
            (gettext("IBAN"), group_iban(self.iban), True),
            (gettext("BIC"), self.bic, True),
        ]
        return PaymentInstructions(
            method=self.key,
            title=gettext("Bank transfer"),
            amount_due=due,
            currency=invoice.currency,
            reference=payment_reference(invoice),
            details=tuple(Detail(label, value, code) for label, value, code in rows if value),
            qr=self.qr(invoice),
        )

    def qr(self, invoice: Invoice) -> PaymentQr | None:
        """The EPC QR code for the open balance of a euro invoice, paid to an account in the
        SEPA zone; ``None`` otherwise (or when a field cannot be written in the code)."""
        due = states.open_balance(invoice)
        if invoice.currency != epc.CURRENCY or due <= 0 or not self.iban or not self.holder:
            return None
        if not _in_sepa_zone(self.iban):
            return None
        transfer = epc.CreditTransfer(
            name=self.holder,
            iban=self.iban,
            amount=due,
            remittance=payment_reference(invoice),
            bic=self.bic,
        )
        try:
            code = epc.qr_code(transfer)
        except epc.EpcError as error:
            log.warning("no EPC QR code for invoice %s: %s", invoice.id, error)
            return None
        return PaymentQr(code=code, payload=epc.payload(transfer))
