"""Composing the "new invoice" email and handing messages to the SMTP server."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any

from flask import render_template

from timetracker import firm
from timetracker.billing import states
from timetracker.documents.pdf import pdf_filename
from timetracker.formatting import money
from timetracker.models import Client, Invoice

#: Seconds to wait for the SMTP server before an attempt counts as failed.
DEFAULT_SMTP_TIMEOUT = 10


def _one_line(text: str) -> str:
    """Header text on one line: a stray newline must never start a new header."""
    return " ".join(text.split())


def portal_invoice_url(base_url: str, invoice: Invoice) -> str:
    return f"{base_url.rstrip('/')}/client-portal/invoices/{invoice.id}"


def compose_invoice_email(
    invoice: Invoice,
    client: Client,
    *,
    recipient_email: str,
    recipient_name: str,
    pdf: bytes,
    config: Mapping[str, Any],
) -> EmailMessage:
    """The email telling a portal user about a new invoice, with the invoice PDF attached."""
    company = firm.get_settings().company_name
    total = money(invoice.total, invoice.currency)
    context = {
        "invoice": invoice,
        "client": client,
        "company_name": company,
        "recipient_name": recipient_name,
        "total": total,
        "balance": money(states.open_balance(invoice), invoice.currency),
        "link": portal_invoice_url(config["BASE_URL"], invoice),
    }
    message = EmailMessage()
    message["Subject"] = _one_line(f"Invoice {invoice.number} for {total} from {company}")
    message["From"] = config["MAIL_FROM"]
    message["To"] = Address(display_name=_one_line(recipient_name), addr_spec=recipient_email)
    message["Date"] = format_datetime(firm.now())
    message["Message-ID"] = make_msgid(domain=config["MAIL_FROM"].rpartition("@")[2] or None)
    message.set_content(render_template("email/invoice_sent.txt", **context))
    message.add_alternative(render_template("email/invoice_sent.html", **context), subtype="html")
    message.add_attachment(
        pdf, maintype="application", subtype="pdf", filename=pdf_filename(invoice)
    )
    return message


def send_message(message: EmailMessage, config: Mapping[str, Any]) -> None:
    """Deliver ``message`` to the configured SMTP server; raises on any failure.

    Port 465 speaks TLS from the start; elsewhere ``SMTP_USE_TLS`` upgrades with STARTTLS.
    """
    host = config["SMTP_HOST"]
    port = int(config["SMTP_PORT"])
    timeout = float(config.get("SMTP_TIMEOUT", DEFAULT_SMTP_TIMEOUT))
    context = ssl.create_default_context()
    smtp: smtplib.SMTP
    if port == 465:
        smtp = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
    else:
        smtp = smtplib.SMTP(host, port, timeout=timeout)
    with smtp:
        if port != 465 and config.get("SMTP_USE_TLS"):
            smtp.starttls(context=context)
        if config.get("SMTP_USERNAME"):
            smtp.login(config["SMTP_USERNAME"], config.get("SMTP_PASSWORD") or "")
        smtp.send_message(message)
