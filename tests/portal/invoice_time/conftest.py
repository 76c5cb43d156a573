"""Two clients whose time was invoiced by the billing code itself (one line per project), a
manual line, a draft that bills more time, and a contact of each; ``build`` takes the
firm's rounding setting, so every test can run under several."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask, g
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.conftest import login
from tests.factories import (
    make_admin,
    make_client,
    make_entry,
    make_portal_user,
    make_project,
    make_user,
)
from timetracker.billing.from_time import create_invoice_from_time
from timetracker.billing.invoicing import add_item, mark_sent
from timetracker.models import Client, Invoice, Settings

STAFF = "Wanda Worker"
NOTE = "Wireframes for the shop"
#: A note a spreadsheet would run as a formula, were it not guarded.
FORMULA_NOTE = '=HYPERLINK("http://evil.example","x")'
#: Minutes of the entries of each project of client A (one line per project).
SITE_MINUTES = (20, 25, 7)
APP_MINUTES = (50, 13)


@dataclass
class Side:
    client: Client
    contact: Any
    invoice: Invoice
    draft: Invoice


@dataclass
class World:
    a: Side
    b: Side
    admin: Any
    staff: Any
    rounding: int


def _entries(
    session: Session, project: Any, staff: Any, minutes: tuple[int, ...], day: int
) -> None:
    for n, length in enumerate(minutes):
        make_entry(
            session,
            project,
            staff,
            start=dt.datetime(2026, 3, day, 8 + n, tzinfo=dt.UTC),
            minutes=length,
            notes=FORMULA_NOTE if n == 1 else f"{NOTE} {n}",
        )


def _side(session: Session, name: str, staff: Any, big: int = 0) -> Side:
    client = make_client(session, name=f"{name} Corp")
    site = make_project(session, client, name=f"{name} Site", hourly_rate=Decimal("100"))
    app_project = make_project(session, client, name=f"{name} App", hourly_rate=Decimal("80"))
    _entries(session, site, staff, SITE_MINUTES, 2)
    _entries(session, app_project, staff, APP_MINUTES, 3)
    for n in range(big):
        make_entry(
            session,
            app_project,
            staff,
            start=dt.datetime(2026, 3, 4, tzinfo=dt.UTC) + dt.timedelta(minutes=20 * n),
            minutes=11,
            notes=f"Batch {n}",
        )
    invoice = create_invoice_from_time(
        session, client, date_from=dt.date(2026, 3, 1), date_to=dt.date(2026, 3, 10)
    )
    add_item(session, invoice, "Domain renewal", Decimal("1"), Decimal("25.00"))
    mark_sent(session, invoice)
    _entries(session, site, staff, (30,), 20)
    draft = create_invoice_from_time(
        session, client, date_from=dt.date(2026, 3, 20), date_to=dt.date(2026, 3, 20)
    )
    contact = make_portal_user(session, client, name=f"{name} Contact")
    return Side(client, contact, invoice, draft)


def build(app: Flask, session: Session, rounding: int, big: int = 0) -> World:
    """The world, built with the billing code inside an application context of its own (the
    test client's requests then run in theirs)."""
    with app.app_context():
        g.db_session = session
        session.merge(Settings(id=1, invoice_rounding_minutes=rounding))
        session.flush()
        admin = make_admin(session, name="Ada Admin")
        staff = make_user(session, name=STAFF)
        a = _side(session, "Alpha", staff, big)
        b = _side(session, "Bravo", staff)
        session.commit()
        g.pop("db_session", None)
    return World(a, b, admin, staff, rounding)


@pytest.fixture
def world(app: Flask, session: Session, connection: Any) -> World:
    return build(app, session, 15)


def signed_in(app: Flask, user: Any) -> FlaskClient:
    browser = app.test_client()
    assert login(browser, user.email).status_code == 302
    return browser


@pytest.fixture
def alpha(app: Flask, world: World) -> FlaskClient:
    return signed_in(app, world.a.contact)


def set_visibility(session: Session, client: Client, **flags: bool) -> None:
    for name, value in flags.items():
        setattr(client, f"portal_shows_{name}", value)
    session.commit()


def line_block(html: str, item_id: int) -> str | None:
    """The row under an invoice line that holds its time entries, or ``None``."""
    found = re.search(
        rf'<tr class="line-time" data-testid="line-time-{item_id}">(.*?)</details>', html, re.S
    )
    return found.group(1) if found else None


def read_csv(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
