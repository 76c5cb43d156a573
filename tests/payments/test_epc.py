"""The EPC QR code's payload, field by field (EPC069-12 version 002), its limits, and the code
read back with a QR reader library."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.payments.conftest import BIC, IBAN, decode_png, decode_svg
from timetracker.payments import epc
from timetracker.payments.epc import CreditTransfer, EpcError


def _transfer(**fields):
    values = {
        "name": "Northwind Studio GmbH",
        "iban": IBAN,
        "amount": Decimal("1000.00"),
        "remittance": "NW-2026-0007",
        "bic": BIC,
    }
    values.update(fields)
    return CreditTransfer(**values)


def test_the_payload_has_every_field_in_its_place():
    lines = epc.payload(_transfer()).decode("utf-8").split("\n")
    assert lines == [
        "BCD",  # service tag
        "002",  # version
        "1",  # character set: UTF-8
        "SCT",  # SEPA credit transfer
        BIC,
        "Northwind Studio GmbH",
        IBAN,
        "EUR1000.00",
        "",  # purpose
        "",  # structured remittance
        "NW-2026-0007",  # unstructured remittance: the invoice number
    ]


def test_the_bic_is_optional_in_version_002():
    lines = epc.payload(_transfer(bic=None)).decode().split("\n")
    assert lines[4] == ""
    assert len(lines) == 11


@pytest.mark.parametrize(
    ("amount", "written"),
    [
        ("0.01", "EUR0.01"),
        ("12.5", "EUR12.50"),
        ("1000", "EUR1000.00"),
        ("999999999.99", "EUR999999999.99"),
    ],
)
def test_the_amount_is_written_with_two_decimals(amount, written):
    assert epc.payload(_transfer(amount=Decimal(amount))).decode().split("\n")[7] == written


@pytest.mark.parametrize("amount", ["0", "0.00", "-1.00", "1000000000.00", "1.005"])
def test_an_amount_outside_the_rules_makes_no_payload(amount):
    with pytest.raises(EpcError):
        epc.payload(_transfer(amount=Decimal(amount)))


def test_names_and_remittance_are_utf8_within_their_limits():
    data = epc.payload(_transfer(name="Müller & Søn – Ærø", remittance="Rechnung Nr. ÄÖÜ"))
    assert data.decode("utf-8").split("\n")[5] == "Müller & Søn – Ærø"
    epc.payload(_transfer(name="N" * 70, remittance="R" * 140))
    with pytest.raises(EpcError, match="1 to 70"):
        epc.payload(_transfer(name="N" * 71))
    with pytest.raises(EpcError, match="1 to 140"):
        epc.payload(_transfer(remittance="R" * 141))
    with pytest.raises(EpcError, match="1 to 70"):
        epc.payload(_transfer(name="   "))


def test_the_payload_never_passes_331_bytes():
    """70 characters of four bytes each and a 140-character text do not fit: refused."""
    with pytest.raises(EpcError, match="at most 331 fit"):
        epc.payload(_transfer(name="\U0001f600" * 70, remittance="R" * 140))


@pytest.mark.parametrize(
    "fields",
    [
        {"name": "Two\nlines"},
        {"remittance": "NW-1\r\nEUR999"},
        {"iban": "de89370400440532013000"},
        {"iban": "DE89 3704 0044 0532 0130 00"},
        {"bic": "COBADEF"},
    ],
)
def test_a_field_that_would_break_the_layout_is_refused(fields):
    with pytest.raises(EpcError):
        epc.payload(_transfer(**fields))


def test_the_qr_code_reads_back_as_the_payload_with_error_correction_m():
    transfer = _transfer(name="Müller & Søn")
    code = epc.qr_code(transfer)
    read = decode_png(epc.png(code))
    assert read.format.name == "QRCode"
    assert read.bytes == epc.payload(transfer)
    assert read.text.split("\n")[5] == "Müller & Søn"
    assert read.ec_level == "M"
    assert code.error == "M"
    assert code.mode == "byte"
    assert code.version <= epc.MAX_QR_VERSION


def test_the_largest_payload_fits_qr_version_13():
    """331 bytes exactly (61 two-byte letters and one more in the name, 140 in the text, the
    largest amount, an 11-character BIC) is a code; a byte more is not."""
    longest = {"remittance": "R" * 140, "amount": Decimal("999999999.99")}
    transfer = _transfer(name="Ä" * 61 + "N", **longest)
    assert len(epc.payload(transfer)) == epc.MAX_PAYLOAD_BYTES
    with pytest.raises(EpcError, match="332 bytes"):
        epc.payload(_transfer(name="Ä" * 61 + "NN", **longest))
    code = epc.qr_code(transfer)
    assert code.version <= 13
    assert decode_png(epc.png(code)).bytes == epc.payload(transfer)


def test_the_svg_draws_the_same_code():
    transfer = _transfer()
    code = epc.qr_code(transfer)
    svg = epc.svg(code)
    assert svg.startswith(b'<svg xmlns="http://www.w3.org/2000/svg"')
    assert b"<script" not in svg and b"style=" not in svg
    assert decode_svg(svg).bytes == epc.payload(transfer)


def test_the_svg_reader_of_the_tests_bites():
    """The SVG check reads the drawn modules: a code with one field changed reads differently."""
    other = _transfer(amount=Decimal("1000.01"))
    read = decode_svg(epc.svg(epc.qr_code(other))).bytes
    assert read == epc.payload(other)
    assert read != epc.payload(_transfer())
