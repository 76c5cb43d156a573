"""Quote PDFs: the invoice document's layout and stylesheet (``documents/invoice.css``), with
the quote's validity, terms, state and, once answered, the client's answer.

The quote must come with its ``items`` loaded (and its ``client``, unless the caller passes the
client): the models' relationships refuse lazy loading. Like invoices, a quote document loads
no resource from outside itself, and is printed once per version (``print_pdf``). It is
written in the client's document language.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from flask import render_template

from timetracker import firm, i18n
from timetracker.billing import quotes
from timetracker.documents.pdf import document_stylesheet, print_pdf
from timetracker.models import Client, Quote


def quote_filename(quote: Quote) -> str:
    """``quote-<number>.pdf``, with anything but letters, digits, ``-`` ``_`` ``.`` replaced."""
    number = unicodedata.normalize("NFKD", quote.number).encode("ascii", "ignore").decode()
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", number).strip("-.") or str(quote.id)
    return f"quote-{safe}.pdf"


def render_quote_html(
    quote: Quote,
    client: Client | None = None,
    *,
    project_name: str | None = None,
    today: dt.date | None = None,
) -> str:
    """The quote as the HTML document its PDF is printed from, in the client's document
    language."""
    client = client if client is not None else quote.client
    with i18n.speaking(i18n.document_language(client)):
        return _quote_html(quote, client, project_name, today)


def _quote_html(
    quote: Quote, client: Client, project_name: str | None, today: dt.date | None
) -> str:
    settings = firm.get_settings()
    return render_template(
        "documents/quote.html",
        quote=quote,
        client=client,
        items=quote.items,
        state=quotes.state_of(quote, today or firm.today()),
        project_name=project_name,
        company_name=settings.company_name,
        company_address=settings.company_address,
        company_email=settings.company_email,
        currency=quote.currency,
    )


def render_quote_pdf(
    quote: Quote,
    client: Client | None = None,
    *,
    project_name: str | None = None,
    today: dt.date | None = None,
) -> bytes:
    """The quote as an A4 PDF in the client's document language (needs an application context
    for the template and settings)."""
    client = client if client is not None else quote.client
    with i18n.speaking(i18n.document_language(client)):
        html = _quote_html(quote, client, project_name, today)
        stylesheet = document_stylesheet("documents/invoice.css")
    return print_pdf(html, stylesheet)
