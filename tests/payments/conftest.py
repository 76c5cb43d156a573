"""A firm with a bank account, a euro client with invoices in every state and a contact, a
second euro client with its own contact and invoice, a client billed in pounds, and helpers to
read QR codes back (PNG and the SVG the portal serves) with a QR reader library."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Any

import pytest
import zxingcpp
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image, ImageDraw
from sqlalchemy.orm import Session

from tests.conftest import login
from tests.factories import make_admin, make_client, make_invoice, make_portal_user, make_user
from timetracker.models import InvoiceStatus, Settings

IBAN = "DE89370400440532013000"
IBAN_GROUPED = "DE89 3704 0044 0532 0130 00"
BIC = "COBADEFFXXX"
HOLDER = "Northwind Studio GmbH"
BANK = "Commerzbank"


@dataclass
class Firm:
    admin: Any
    staff: Any
    alpha: Any
    bravo: Any
    pounds: Any
    anna: Any  # contact of alpha
    bruno: Any  # contact of bravo
    percy: Any  # contact of pounds
    sent: Any  # alpha's, 1200.00 EUR owed (of which 200.00 paid: 1000.00 open)
    paid: Any
    cancelled: Any
    draft: Any
    bravo_sent: Any
    pounds_sent: Any


def set_bank(session: Session, **fields: Any) -> Settings:
    values = {
        "bank_account_holder": HOLDER,
        "bank_name": BANK,
        "bank_iban": IBAN,
        "bank_bic": BIC,
    }
    values.update(fields)
    settings = session.merge(Settings(id=1, company_name="Northwind Studio", **values))
    session.commit()
    return settings


@pytest.fixture
def firm(session: Session) -> Firm:
    set_bank(session)
    admin = make_admin(session, name="Ada Admin", email="ada@firm.example")
    staff = make_user(session, name="Sam Staff", email="sam@firm.example")
    alpha = make_client(session, name="Alpha GmbH", currency="EUR")
    bravo = make_client(session, name="Bravo SA", currency="EUR")
    pounds = make_client(session, name="Pounds Ltd", currency="GBP")
    anna = make_portal_user(session, alpha, name="Anna Müller", email="anna@alpha.example")
    bruno = make_portal_user(session, bravo, name="Bruno Bravo", email="bruno@bravo.example")
    percy = make_portal_user(session, pounds, name="Percy Pound", email="percy@pounds.example")
    invoices = {
        "sent": make_invoice(session, alpha, number="NW-2026-0007", paid="200.00"),
        "paid": make_invoice(
            session, alpha, number="NW-2026-0002", status=InvoiceStatus.PAID, paid="1200.00"
        ),
        "cancelled": make_invoice(
            session, alpha, number="NW-2026-0003", status=InvoiceStatus.CANCELLED
        ),
        "draft": make_invoice(session, alpha, number="NW-DRAFT-1", status=InvoiceStatus.DRAFT),
        "bravo_sent": make_invoice(session, bravo, number="NW-2026-0011"),
        "pounds_sent": make_invoice(session, pounds, number="NW-2026-0012"),
    }
    session.commit()
    return Firm(admin, staff, alpha, bravo, pounds, anna, bruno, percy, **invoices)


def signed_in(app: Flask, user: Any) -> FlaskClient:
    browser = app.test_client()
    assert login(browser, user.email).status_code == 302
    return browser


@pytest.fixture
def anna(app: Flask, connection: Any, firm: Firm) -> FlaskClient:
    return signed_in(app, firm.anna)


# Reading QR codes back ------------------------------------------------------------------------


def decode_png(png: bytes) -> Any:
    """The one QR code in a PNG, as the QR reader library reads it."""
    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert len(results) == 1, results
    return results[0]


_SVG_SCALE = re.compile(rb'<g transform="scale\((\d+)\)">')
_SVG_SIZE = re.compile(rb'<svg [^>]*width="(\d+)" height="(\d+)"')
_SVG_LINE = re.compile(rb'<path class="qrline" stroke="#000" d="([^"]+)"/>')
_PATH_STEP = re.compile(r"([MmHh])(-?[\d.]+)(?: (-?[\d.]+))?")


def svg_modules(svg: bytes) -> tuple[int, set[tuple[int, int]]]:
    """The dark modules an SVG of segno's draws: its size in modules and the (x, y) of each.

    segno draws each row's dark runs as one path of moves (``M``/``m``) and horizontal lines
    (``h``) a module wide, centred half a module down. Reading that path back tells which
    modules the SVG shows, without an SVG renderer.
    """
    scale = int(_SVG_SCALE.search(svg).group(1))
    width = int(_SVG_SIZE.search(svg).group(1)) // scale
    path = _SVG_LINE.search(svg).group(1).decode()
    x = y = 0.0
    dark: set[tuple[int, int]] = set()
    for command, first, second in _PATH_STEP.findall(path):
        if command == "M":
            x, y = float(first), float(second)
        elif command == "m":
            x, y = x + float(first), y + float(second)
        else:  # h: a horizontal run of dark modules from x
            length = float(first)
            row = int(y - 0.5)
            for column in range(int(x), int(x + length)):
                dark.add((column, row))
            x += length
    return width, dark


def png_from_modules(width: int, dark: set[tuple[int, int]], pixels: int = 4) -> bytes:
    """A PNG drawing those modules, black on white (the quiet zone is part of ``width``)."""
    image = Image.new("L", (width * pixels, width * pixels), 255)
    draw = ImageDraw.Draw(image)
    for x, y in dark:
        draw.rectangle([x * pixels, y * pixels, (x + 1) * pixels - 1, (y + 1) * pixels - 1], 0)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def decode_svg(svg: bytes) -> Any:
    """The QR code an SVG of segno's shows, read by the QR reader library."""
    width, dark = svg_modules(svg)
    return decode_png(png_from_modules(width, dark))
