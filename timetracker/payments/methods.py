"""The one small interface every way of paying an invoice implements, and what it hands to the
portal page and the PDF.

A :class:`PaymentMethod` looks at an invoice and answers with :class:`PaymentInstructions` (or
``None`` when it has nothing to offer for that invoice: nothing is owed, or the method is not
set up). The pages and the PDF draw every method's instructions the same way: a title, the
amount due, the reference to quote, rows of details, and a QR code when the method has one.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

import segno

from timetracker import firm
from timetracker.models import Invoice, Settings
from timetracker.payments import epc


@dataclass(frozen=True)
class Detail:
    """One row of a method's details, such as the IBAN."""

    label: str
    value: str
    #: Drawn in a fixed-width font (account numbers are easier to read and copy).
    code: bool = False


@dataclass(frozen=True, eq=False)
class PaymentQr:
    """A QR code a banking app scans, with its payload (kept to compare and to test)."""

    code: segno.QRCode
    payload: bytes

    def svg(self) -> bytes:
        return epc.svg(self.code)

    def png(self) -> bytes:
        return epc.png(self.code)

    def svg_data_uri(self) -> str:
        """The SVG as a ``data:`` URL, for documents that embed it (the PDF)."""
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg()).decode("ascii")


@dataclass(frozen=True)
class PaymentInstructions:
    """How to pay one invoice with one method."""

    #: The method's key, e.g. ``bank_transfer``.
    method: str
    title: str
    #: The open balance (billing.states.open_balance), in the invoice's currency.
    amount_due: Decimal
    currency: str
    #: What the payer quotes so that the payment is matched to the invoice.
    reference: str
    details: tuple[Detail, ...]
    qr: PaymentQr | None = None


class PaymentMethod(Protocol):
    """A way to pay an invoice."""

    #: A short stable name (``bank_transfer``).
    key: str

    def instructions(self, invoice: Invoice) -> PaymentInstructions | None:
        """How to pay ``invoice`` this way, or ``None`` when this method offers nothing for it
        (nothing is owed, or the method is not set up)."""
        ...


def payment_reference(invoice: Invoice) -> str:
    """What a payer quotes: the invoice number (unique, printed on the invoice, at most 40
    characters, so it fits every bank's remittance field)."""
    return invoice.number


def available_methods(settings: Settings | None = None) -> list[PaymentMethod]:
    """The methods the firm has set up, in the order the pages show them."""
    from timetracker.payments.bank_transfer import BankTransfer

    settings = settings if settings is not None else firm.get_settings()
    return [BankTransfer.from_settings(settings)]


def instructions_for(
    invoice: Invoice, settings: Settings | None = None
) -> list[PaymentInstructions]:
    """Every method's instructions for ``invoice`` (empty when nothing is owed or nothing is
    set up)."""
    found = (method.instructions(invoice) for method in available_methods(settings))
    return [instructions for instructions in found if instructions is not None]


def payment_qr(invoice: Invoice, settings: Settings | None = None) -> PaymentQr | None:
    """The QR code to pay ``invoice`` with, if a method offers one."""
    return next((i.qr for i in instructions_for(invoice, settings) if i.qr is not None), None)
