"""VAT IDs as invoices print them: the firm's and each client's.

One rule, for the settings form and the client form: spaces are dropped and letters made
capitals, then a VAT ID is a 2-letter country prefix followed by 2 to 13 letters or digits
(``DE123456789``, ``ATU12345678``, ``FRXX123456789``). Only the shape is checked; no external
service is asked whether the number exists.
"""

from __future__ import annotations

import re
from typing import Any

from wtforms import Field
from wtforms.validators import ValidationError

from timetracker.i18n import _l
from timetracker.models import Invoice, Settings

_VAT_ID = re.compile(r"[A-Z]{2}[A-Z0-9]{2,13}")
RULE = _l(
    "A VAT ID is a 2-letter country code followed by 2 to 13 letters or digits, "
    "for example DE123456789 (spaces are fine)."
)


def parse_vat_id(text: str) -> str:
    """``text`` compact and in capitals; ``ValueError`` with :data:`RULE` otherwise."""
    compact = "".join(text.split()).upper()
    if not compact.isascii() or not _VAT_ID.fullmatch(compact):
        raise ValueError(str(RULE))
    return compact


class VatId:
    """WTForms validator: an empty field becomes ``None``; anything else must be a VAT ID, and
    the field's data becomes its compact form."""

    def __call__(self, _form: Any, field: Field) -> None:
        text = (field.data or "").strip()
        if not text:
            field.data = None
            return
        try:
            field.data = parse_vat_id(text)
        except ValueError as error:
            raise ValidationError(str(error)) from None


def lacks_firm_vat_id(invoice: Invoice, settings: Settings) -> bool:
    """Whether ``invoice`` charges VAT while the firm has no VAT ID to print on it (an invoice
    with VAT must show the supplier's)."""
    return invoice.tax_rate > 0 and not settings.vat_id
