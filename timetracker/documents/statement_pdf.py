"""Statement of account PDFs: an HTML + CSS template rendered by WeasyPrint, like invoices.

The statement comes from :func:`timetracker.billing.statements.statement_of`; the document adds
the firm's and the client's names and addresses and the day it was made. Like every document,
it loads no resource from outside itself and is printed once per version (``print_pdf``): a
statement made on another day is another version. It is written in the client's document
language.
"""

from __future__ import annotations

import datetime as dt

from flask import render_template

from timetracker import firm, i18n
from timetracker.billing.statements import Statement
from timetracker.documents.csv_export import _slug
from timetracker.documents.pdf import document_stylesheet, print_pdf
from timetracker.models import Client


def statement_filename(client: Client, date_from: dt.date, date_to: dt.date) -> str:
    """``statement-<client>-<from>-<to>.pdf``, the client's name in ASCII letters and digits:
    for example ``statement-muller-son-2026-01-01-2026-03-31.pdf``."""
    parts = ["statement", _slug(client.name), date_from.isoformat(), date_to.isoformat()]
    return "-".join(part for part in parts if part) + ".pdf"


def render_statement_html(statement: Statement, client: Client, today: dt.date) -> str:
    """The statement as the HTML document its PDF is printed from, in the client's document
    language."""
    with i18n.speaking(i18n.document_language(client)):
        return _statement_html(statement, client, today)


def _statement_html(statement: Statement, client: Client, today: dt.date) -> str:
    settings = firm.get_settings()
    return render_template(
        "documents/statement.html",
        statement=statement,
        client=client,
        generated_on=today,
        company_name=settings.company_name,
        company_address=settings.company_address,
        company_email=settings.company_email,
    )


def render_statement_pdf(
    statement: Statement, client: Client, today: dt.date | None = None
) -> bytes:
    """The statement as an A4 PDF in the client's document language (needs an application
    context for the template and settings)."""
    with i18n.speaking(i18n.document_language(client)):
        html = _statement_html(statement, client, today or firm.today())
        stylesheet = document_stylesheet("documents/statement.css")
    return print_pdf(html, stylesheet)
