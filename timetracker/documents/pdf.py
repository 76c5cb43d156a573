"""Invoice PDFs: an HTML + CSS template rendered by WeasyPrint. An invoice with something owed
carries how to pay it (``timetracker.payments``: bank details, amount due, reference, and for
euros the EPC QR code, embedded as a ``data:`` SVG).

The invoice must come with its ``items`` and ``payments`` loaded (and its ``client``, unless the
caller passes the client): the models' relationships refuse lazy loading.

When the client has ``invoice_time_appendix`` (and sees time entries in its portal), the PDF
ends with the time entries each line bills, person and notes as the client's portal visibility
allows: the staff's download and the portal's are the same document.

The firm's logo (a ``data:`` URI: the renderer fetches nothing), both parties' VAT IDs, the
firm's registration details (at the foot of every page), each line's unit and service period
and the invoice's overall period, and a "Partially paid" mark are printed when they exist.

Every document of a client (invoice, quote, statement) is written in the client's document
language (``i18n.document_language``), whoever downloads it and when it is attached to an
email: its words, dates and money alike.

Every document is printed by :func:`print_pdf`: its HTML and stylesheet are built on every
call, and WeasyPrint runs only when no PDF of exactly that HTML and stylesheet is in the cache
(``timetracker.documents.cache``).
"""

from __future__ import annotations

import base64
import datetime as dt
import logging
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from importlib.metadata import version
from typing import Any

from babel.dates import format_interval
from babel.numbers import format_decimal
from flask import render_template
from flask_babel import gettext as _
from sqlalchemy import null, select
from weasyprint import CSS, HTML, default_url_fetcher

from timetracker import db, firm, formatting, i18n
from timetracker.billing import rules, states
from timetracker.documents import cache
from timetracker.logos.operations import firm_logo
from timetracker.models import Client, Invoice, InvoiceItem, TimeEntry, User
from timetracker.payments import instructions_for
from timetracker.portal.scope.visibility import Visibility

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


@dataclass(frozen=True)
class AppendixEntry:
    start_time: Any
    duration_seconds: int
    notes: str | None
    user_name: str | None

    @property
    def hours(self) -> Decimal:
        return rules.hours(self.duration_seconds)


@dataclass(frozen=True)
class AppendixLine:
    """A line of the invoice with the entries it bills (oldest first)."""

    item: InvoiceItem
    entries: list[AppendixEntry]

    @property
    def hours(self) -> Decimal:
        return rules.hours(sum(e.duration_seconds for e in self.entries))


@dataclass(frozen=True)
class TimeAppendix:
    lines: list[AppendixLine]
    shows_names: bool
    shows_notes: bool
    rounding_minutes: int


def time_appendix(invoice: Invoice, client: Client) -> TimeAppendix | None:
    """The "Time entries billed" appendix, or ``None`` when the client does not get one (the
    setting is off, the client's portal does not show time entries, or no line bills time).
    Names and notes are not even selected when the client's portal hides them."""
    shown = Visibility.of(client)
    if not (client.invoice_time_appendix and shown.time_entries) or not invoice.items:
        return None
    query = select(
        TimeEntry.invoice_item_id,
        TimeEntry.start_time,
        TimeEntry.duration_seconds,
        TimeEntry.notes if shown.entry_notes else null(),
        User.name if shown.staff_names else null(),
    ).select_from(TimeEntry)
    if shown.staff_names:
        query = query.join(User, User.id == TimeEntry.user_id)
    rows = db.session.execute(
        query.where(
            TimeEntry.client_id + 0 == client.id,  # searched by line (portal/scope/invoices.py)
            TimeEntry.invoice_item_id.in_([item.id for item in invoice.items]),
            TimeEntry.end_time.is_not(None),
        ).order_by(TimeEntry.start_time.asc(), TimeEntry.id.asc())
    ).all()
    by_line: dict[int, list[AppendixEntry]] = {}
    for item_id, start, seconds, notes, name in rows:
        by_line.setdefault(item_id, []).append(AppendixEntry(start, seconds or 0, notes, name))
    lines = [AppendixLine(item, by_line[item.id]) for item in invoice.items if item.id in by_line]
    if not lines:
        return None
    rounding = firm.get_settings().invoice_rounding_minutes
    return TimeAppendix(lines, shown.staff_names, shown.entry_notes, rounding)


#: The unit of lines that bill time (``InvoiceItem.unit``); its quantity reads as hours.
HOURS_UNIT = "hours"


def period_text(start: dt.date | None, end: dt.date | None) -> str:
    """A service period in the firm's locale ("Nov 1 – 30, 2026", "1–30 Nov 2026"); one day
    reads as that day; empty without a period."""
    if start is None or end is None:
        return ""
    if start == end:
        return formatting.long_date(start)
    return format_interval(start, end, "yMMMd", locale=formatting.current_locale())


@dataclass(frozen=True)
class PrintedLine:
    item: InvoiceItem
    quantity: str
    unit: str
    period: str


def printed_line(item: InvoiceItem) -> PrintedLine:
    """A line as printed: hours with two decimals for time, a plain number otherwise. The unit
    of time ("hours", as stored) is printed in the document's language; any other unit is the
    text staff typed."""
    if item.unit == HOURS_UNIT:
        quantity = formatting.hours(item.quantity)
        unit = _("hours")
    else:  # "3", "2.5": no trailing zeros
        quantity = format_decimal(item.quantity, locale=formatting.current_locale())
        unit = item.unit or ""
    return PrintedLine(item, quantity, unit, period_text(item.period_start, item.period_end))


def invoice_period(items: list[InvoiceItem]) -> str:
    """From the first line's first day to the last line's last day (lines with a period)."""
    starts = [i.period_start for i in items if i.period_start is not None]
    ends = [i.period_end for i in items if i.period_end is not None]
    return period_text(min(starts), max(ends)) if starts and ends else ""


def logo_data_uri() -> str | None:
    """The firm's logo as a ``data:`` URI, or ``None`` without one."""
    logo = firm_logo(db.session, with_data=True)
    if logo is None:
        return None
    return f"data:{logo.content_type};base64,{base64.b64encode(logo.data).decode('ascii')}"


def page_counter_css() -> str:
    """The CSS ``content`` of the page numbers at the foot of a document ("Page 1 of 3"), in
    the language being spoken: its words as CSS strings around the two counters."""
    text = _("Page %(page)s of %(pages)s", page="\x00page\x00", pages="\x00pages\x00")
    parts = []
    for i, piece in enumerate(text.split("\x00")):
        if i % 2:  # a counter's name
            parts.append(f"counter({'pages' if piece == 'pages' else 'page'})")
        elif piece:
            parts.append('"' + piece.replace("\\", "\\\\").replace('"', '\\"') + '"')
    return " ".join(parts)


def document_stylesheet(template: str) -> str:
    """A document's stylesheet (``documents/*.css``), its page numbers in the language being
    spoken."""
    return render_template(template, page_counter=page_counter_css())


#: What turns a document into PDF bytes, part of every document's cache key: another version
#: may print the same HTML differently. The fonts installed on the machine and the options of
#: :func:`write_pdf` are not in it: after changing them, empty the cache folder or raise
#: ``cache.CACHE_FORMAT``.
RENDERER = f"weasyprint {version('weasyprint')}, pydyf {version('pydyf')}, print media"


def write_pdf(html: str, stylesheet: str) -> bytes:
    """WeasyPrint: the HTML document with its stylesheet as PDF bytes, loading nothing from
    outside the document. The slow part of a download (hundreds of milliseconds a page)."""
    document = HTML(string=html, url_fetcher=_offline_url_fetcher, media_type="print")
    pdf = document.write_pdf(stylesheets=[CSS(string=stylesheet)])
    assert pdf is not None  # write_pdf() without a target returns the bytes
    return pdf


def print_pdf(html: str, stylesheet: str) -> bytes:
    """The PDF of ``html`` and ``stylesheet``: from the cache when exactly these were printed
    before, else written by WeasyPrint (and kept)."""
    return cache.cached_pdf((RENDERER, html, stylesheet), lambda: write_pdf(html, stylesheet))


def render_invoice_html(invoice: Invoice, client: Client | None = None) -> str:
    """The invoice as the HTML document the PDF is printed from, in the client's document
    language."""
    client = client if client is not None else invoice.client
    with i18n.speaking(i18n.document_language(client)):
        return _invoice_html(invoice, client)


def _invoice_html(invoice: Invoice, client: Client) -> str:
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
        company_vat_id=settings.vat_id,
        registration_details=settings.registration_details,
        logo=logo_data_uri(),
        lines=[printed_line(item) for item in invoice.items],
        service_period=invoice_period(invoice.items),
        partially_paid=states.is_partially_paid(invoice),
        currency=invoice.currency,
        payment_instructions=instructions_for(invoice, settings),
        appendix=time_appendix(invoice, client),
    )


def render_invoice_pdf(invoice: Invoice, client: Client | None = None) -> bytes:
    """The invoice as an A4 PDF in the client's document language (needs an application
    context for the template and settings). Rendered once per version of the invoice: while
    nothing it prints changes, a download reads the cached PDF."""
    client = client if client is not None else invoice.client
    with i18n.speaking(i18n.document_language(client)):
        html = _invoice_html(invoice, client)
        stylesheet = document_stylesheet("documents/invoice.css")
    return print_pdf(html, stylesheet)
