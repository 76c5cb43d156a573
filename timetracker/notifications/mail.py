"""Composing the "new invoice" email and handing messages to the SMTP server."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping
from email import message_from_bytes, policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses, make_msgid
from typing import Any

from flask import render_template
from flask_babel import gettext

from timetracker import config as settings
from timetracker import firm, i18n
from timetracker.billing import states
from timetracker.documents.pdf import pdf_filename
from timetracker.formatting import money
from timetracker.models import Client, Invoice
from timetracker.observability import metrics

#: Seconds to wait for the SMTP server before an attempt counts as failed.
#: (``SMTP_TIMEOUT``, see timetracker.config)
DEFAULT_SMTP_TIMEOUT = settings.DEFAULT_SMTP_TIMEOUT


def one_line(text: str) -> str:
    """Header text on one line: a stray newline must never start a new header."""
    return " ".join(text.split())


#: Characters with a meaning in an address header. The ``email`` package folds a long display
#: name without its quotes, so a name holding ``<x@evil>`` or a comma could be read as another
#: recipient; in a display name they become spaces (``"Müller, Anna"`` -> ``Müller Anna``).
_ADDRESS_SPECIALS = str.maketrans({ch: " " for ch in '"<>@,;:\\()[]'})
#: A display name is cut to this many characters (header lines stay well under 998).
MAX_DISPLAY_NAME = 200


class AddressError(ValueError):
    """An address header that would not name exactly the intended mailbox."""


def mail_address(display_name: str, addr_spec: str) -> Address:
    """An :class:`~email.headerregistry.Address` whose display name cannot add or change a
    mailbox, however the header is folded."""
    # "=?" would start an RFC 2047 encoded word, which a mail client decodes (it is not text).
    text = display_name.translate(_ADDRESS_SPECIALS).replace("=?", "= ?")
    name = one_line(text)[:MAX_DISPLAY_NAME].strip()
    return Address(display_name=name, addr_spec=addr_spec.strip())


def sender_address(mail_from: str) -> Address:
    """``MAIL_FROM`` (``name <addr>`` or a bare address) as an address object."""
    try:
        mailboxes = policy.default.header_factory("From", mail_from).addresses
    except Exception:  # the parser's errors are of many kinds: all mean "not an address"
        mailboxes = ()
    if len(mailboxes) != 1 or not mailboxes[0].username or not mailboxes[0].domain:
        raise AddressError(f"MAIL_FROM is not one email address: {mail_from!r}")
    return mail_address(mailboxes[0].display_name, mailboxes[0].addr_spec)


def checked_header(header: str, address: Address) -> Address:
    """``address``, once its header, serialised and read back as a mail client reads it, names
    exactly that mailbox; :class:`AddressError` otherwise."""
    probe = EmailMessage()
    probe[header] = address
    parsed = message_from_bytes(probe.as_bytes(), policy=policy.compat32)
    mailboxes = getaddresses(parsed.get_all(header, []))
    if [addr.lower() for _, addr in mailboxes] != [address.addr_spec.lower()]:
        raise AddressError(f"The {header} header would not name {address.addr_spec} alone.")
    return address


def new_message(
    config: Mapping[str, Any],
    *,
    subject: str,
    to_name: str,
    to_email: str,
    template: str,
    values: Mapping[str, Any],
) -> EmailMessage:
    """An email to one person from ``MAIL_FROM``: the subject on one line, the addresses
    checked, a Date and a Message-ID, and the text and HTML parts rendered from
    ``<template>.txt`` and ``<template>.html`` with ``values``."""
    message = EmailMessage()
    message["Subject"] = one_line(subject)
    sender = sender_address(config["MAIL_FROM"])
    message["From"] = checked_header("From", sender)
    message["To"] = checked_header("To", mail_address(to_name, to_email))
    message["Date"] = format_datetime(firm.now())
    message["Message-ID"] = make_msgid(domain=sender.domain or None)
    message.set_content(render_template(f"{template}.txt", **values))
    message.add_alternative(render_template(f"{template}.html", **values), subtype="html")
    return message


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
    language: str | None = None,
) -> EmailMessage:
    """The email telling a portal user about a new invoice, with the invoice PDF attached, in
    ``language`` (the user's: ``i18n.language_of``; else the client's document language)."""
    with i18n.speaking(language or i18n.document_language(client)):
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
        message = new_message(
            config,
            subject=gettext(
                "Invoice %(number)s for %(total)s from %(company)s",
                number=invoice.number,
                total=total,
                company=company,
            ),
            to_name=recipient_name,
            to_email=recipient_email,
            template="email/invoice_sent",
            values=context,
        )
    message.add_attachment(
        pdf, maintype="application", subtype="pdf", filename=pdf_filename(invoice)
    )
    return message


def send_message(message: EmailMessage, config: Mapping[str, Any]) -> None:
    """Deliver ``message`` to the configured SMTP server; raises on any failure.

    Port 465 speaks TLS from the start; elsewhere ``SMTP_USE_TLS`` upgrades with STARTTLS.
    A failure is counted in ``timetracker_emails_failed_total``.
    """
    try:
        _send(message, config)
    except Exception:
        metrics.EMAILS_FAILED.inc()
        raise


def _send(message: EmailMessage, config: Mapping[str, Any]) -> None:
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
