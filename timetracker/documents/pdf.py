"""Invoice PDFs: an HTML + CSS template rendered by WeasyPrint. An invoice with something owed
carries how to pay it (``timetracker.payments``: bank details, amount due, reference, and for
euros the EPC QR code, embedded as a ``data:`` SVG).

The invoice must come with its ``items`` and ``payments`` loaded (and its ``client``, unless the
caller passes the client): the models' relationships refuse lazy loading.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from typing import Any

from flask import render_template
from weasyprint import CSS, HTML, default_url_fetcher

from timetracker import firm
from timetracker.models import Client, Invoice
from timetracker.payments import instructions_for

log = logging.getLogger(__name__)


class RemoteResourceRefused(ValueError):
    """The document asked for a resource outside itself (a network or file URL)."""


def _offline_url_fetcher(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """Only ``data:`` URLs: a PDF must never make the server fetch a URL (SSRF) or read a file.

    WeasyPrint logs the refusal and renders the document without the resource.
    """
    if url.startswith("data:"):
        return default_url_fetcher(url, *args, **kwargs)
    raise RemoteResourceRefused(f"invoice documents load no external resources: {url[:80]}")


def pdf_filename(invoice: Invoice) -> str:
    """``invoice-<number>.pdf``, with anything but letters, digits, ``-`` ``_`` ``.`` replaced."""
    number = unicodedata.normalize("NFKD", invoice.number).encode("ascii", "ignore").decode()
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", number).strip("-.") or str(invoice.id)
    return f"invoice-{safe}.pdf"


def render_invoice_html(invoice: Invoice, client: Client | None = None) -> str:
    """The invoice as the HTML document the PDF is printed from."""
    client = client if client is not None else invoice.client
    settings = firm.get_settings()
    return render_template(
        "documents/invoice.html",
        invoice=invoice,
        client=client,
        items=invoice.items,
        payments=invoice.payments,
        company_name=settings.company_name,
        company_address=settings.company_address,
        company_email=settings.company_email,
        currency=invoice.currency,
        payment_instructions=instructions_for(invoice, settings),
    )


def render_invoice_pdf(invoice: Invoice, client: Client | None = None) -> bytes:
    """The invoice as an A4 PDF (needs an application context for the template and settings)."""
    html = render_invoice_html(invoice, client)
    stylesheet = CSS(string=render_template("documents/invoice.css"))
    document = HTML(string=html, url_fetcher=_offline_url_fetcher, media_type="print")
    pdf = document.write_pdf(stylesheets=[stylesheet])
    assert pdf is not None  # write_pdf() without a target returns the bytes
    return pdf
