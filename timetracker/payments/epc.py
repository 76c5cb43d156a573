"""The EPC QR code ("GiroCode"): a SEPA credit transfer that a banking app reads from a QR code.

The payload follows the European Payments Council's guideline EPC069-12, version 002, one field
a line (``\\n`` between fields, none after the last):

====  ===========================  ==========================================================
 1    service tag                  ``BCD``
 2    version                      ``002``
 3    character set                ``1`` (UTF-8)
 4    identification               ``SCT`` (SEPA credit transfer)
 5    BIC of the beneficiary bank  optional in version 002 (empty when not set)
 6    beneficiary name             at most 70 characters
 7    beneficiary IBAN             at most 34 characters
 8    amount                       ``EUR`` and the amount with two decimals, 0.01 to
                                   999999999.99
 9    purpose                      empty
10    structured remittance        empty (we send the unstructured text instead)
11    unstructured remittance      at most 140 characters: the payment reference
====  ===========================  ==========================================================

The whole payload is at most 331 bytes; the code uses error correction level M (not raised) and
at most QR version 13. Nothing here rounds money or decides what is owed: the caller passes the
open balance from :mod:`timetracker.billing.states`.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal

import segno

SERVICE_TAG = "BCD"
VERSION = "002"
#: 1 is UTF-8, the only character set every field can be written in.
CHARACTER_SET = "1"
IDENTIFICATION = "SCT"
CURRENCY = "EUR"
MIN_AMOUNT = Decimal("0.01")
MAX_AMOUNT = Decimal("999999999.99")
MAX_NAME = 70
MAX_IBAN = 34
MAX_REMITTANCE = 140
MAX_PAYLOAD_BYTES = 331
MAX_QR_VERSION = 13
ERROR_CORRECTION = "M"
#: Pixels per module of the SVG and PNG renderings, and the quiet zone around the code (the QR
#: standard asks for four modules).
SCALE = 4
QUIET_ZONE = 4


class EpcError(ValueError):
    """The transfer cannot be written as an EPC QR code (the message says which rule)."""


@dataclass(frozen=True)
class CreditTransfer:
    """What the QR code asks the payer's bank to do."""

    name: str
    iban: str
    amount: Decimal
    remittance: str
    bic: str | None = None


def _single_line(label: str, value: str) -> str:
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
        raise EpcError(f"The {label} must be one line of text without control characters.")
    return value


def payload(transfer: CreditTransfer) -> bytes:
    """The payload's bytes (UTF-8); raises :class:`EpcError` when a field breaks a rule."""
    name = _single_line("beneficiary name", transfer.name.strip())
    if not 0 < len(name) <= MAX_NAME:
        raise EpcError(f"The beneficiary name must have 1 to {MAX_NAME} characters.")
    iban = transfer.iban
    if not (iban.isascii() and iban.isalnum() and iban.isupper() and 5 <= len(iban) <= MAX_IBAN):
        raise EpcError("The IBAN must be written compact: capital letters and digits only.")
    bic = transfer.bic or ""
    if bic and not (bic.isascii() and bic.isalnum() and len(bic) in (8, 11)):
        raise EpcError("The BIC must have 8 or 11 letters and digits.")
    amount = transfer.amount
    if amount != amount.quantize(MIN_AMOUNT):
        raise EpcError("The amount must be in whole cents.")
    if not MIN_AMOUNT <= amount <= MAX_AMOUNT:
        raise EpcError(f"The amount must be from {MIN_AMOUNT} to {MAX_AMOUNT} EUR.")
    remittance = _single_line("remittance text", transfer.remittance.strip())
    if not 0 < len(remittance) <= MAX_REMITTANCE:
        raise EpcError(f"The remittance text must have 1 to {MAX_REMITTANCE} characters.")
    fields = [
        SERVICE_TAG,
        VERSION,
        CHARACTER_SET,
        IDENTIFICATION,
        bic,
        name,
        iban,
        f"{CURRENCY}{amount:.2f}",
        "",  # purpose
        "",  # structured remittance (creditor reference)
        remittance,
    ]
    data = "\n".join(fields).encode("utf-8")
    if len(data) > MAX_PAYLOAD_BYTES:
        raise EpcError(f"The payload has {len(data)} bytes; at most {MAX_PAYLOAD_BYTES} fit.")
    return data


def qr_code(transfer: CreditTransfer) -> segno.QRCode:
    """The QR code of the transfer (byte mode, error correction M, version 13 at most)."""
    code = segno.make_qr(payload(transfer), error=ERROR_CORRECTION, boost_error=False)
    version = int(code.version)  # an int for QR codes (a string only for Micro QR codes)
    if version > MAX_QR_VERSION:  # cannot happen within 331 bytes at level M; kept as a rule
        raise EpcError(f"The code needs QR version {version}; at most 13 is allowed.")
    return code


def svg(code: segno.QRCode, title: str | None = None) -> bytes:
    """The code as a standalone SVG document: black modules on white, with its quiet zone."""
    out = io.BytesIO()
    code.save(
        out,
        kind="svg",
        scale=SCALE,
        border=QUIET_ZONE,
        dark="#000",
        light="#fff",
        xmldecl=False,
        title=title,
    )
    return out.getvalue()


def png(code: segno.QRCode) -> bytes:
    """The code as a PNG image (for readers that need pixels, such as the tests' decoder)."""
    out = io.BytesIO()
    code.save(out, kind="png", scale=SCALE, border=QUIET_ZONE, dark="#000", light="#fff")
    return out.getvalue()
