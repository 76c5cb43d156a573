"""A client whose portal holds one of everything the visibility settings govern, each with a
value found nowhere else: a staff person "Zelda Staffname" who logged a time entry with the
note "NOTE-MARKER-7731" at a rate that makes it worth 185.21 (1.5 h x 123.47, found in no
invoice or quote), a budget of 9,876.54, a status update and a shared note by her, a sent
invoice (120.00) and a sent quote (360.00); and ``surfaces``, which reads every portal page
and download as the client's contact sees them."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy.orm import Session

from tests.conftest import login
from tests.factories import (
    make_admin,
    make_client,
    make_entry,
    make_invoice,
    make_portal_user,
    make_project,
    make_user,
)
from tests.quotes.conftest import make_quote
from timetracker.models import Client, ProjectNote, ProjectStatusUpdate

STAFF_NAME = "Zelda Staffname"
NOTE = "NOTE-MARKER-7731"
#: The entry's value: 1.5 hours at 123.47 (half-up to the cent).
AMOUNT = "185.21"
RATE = "123.47"
BUDGET_AMOUNT = "9,876.54"
#: Totals of the invoice and the quote, which stay whatever the settings.
INVOICE_TOTAL = "120.00"
QUOTE_TOTAL = "360.00"
HOURS = "1.50"
#: Links to the time entry list (the navigation, the project pages, the dashboard).
TIME_LINK = 'href="/client-portal/time-entries'

FLAGS = ("staff_names", "entry_notes", "amounts", "time_entries")


@dataclass
class VisibilityWorld:
    client: Client
    project: Any
    invoice: Any
    quote: Any
    contact: Any
    staff: Any
    admin: Any


@pytest.fixture
def vis(session: Session) -> VisibilityWorld:
    admin = make_admin(session, name="Ada Admin")
    staff = make_user(session, name=STAFF_NAME)
    client = make_client(session, name="Visibility Corp")
    project = make_project(
        session,
        client,
        name="Harbour Website",
        hourly_rate=Decimal(RATE),
        budget_hours=Decimal("40"),
        budget_amount=Decimal("9876.54"),
    )
    make_entry(
        session,
        project,
        staff,
        start=dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC),
        minutes=90,
        notes=NOTE,
    )
    session.add(
        ProjectStatusUpdate(
            project_id=project.id,
            status="on_track",
            message="Design approved",
            author_id=staff.id,
            created_at=dt.datetime(2026, 3, 3, 12, tzinfo=dt.UTC),
        )
    )
    session.add(
        ProjectNote(
            project_id=project.id,
            body="Staging is ready",
            visible_to_client=True,
            author_id=staff.id,
        )
    )
    invoice = make_invoice(session, client, items=[("Consulting", "2", "50.00")])
    quote = make_quote(session, client, items=[("Workshop", "1", "300.00")], created_by=staff)
    contact = make_portal_user(session, client, name="Vera Contact")
    session.commit()
    return VisibilityWorld(client, project, invoice, quote, contact, staff, admin)


def set_visibility(session: Session, client: Client, **flags: bool) -> None:
    for name, value in flags.items():
        setattr(client, f"portal_shows_{name}", value)
    session.commit()


@pytest.fixture
def contact_browser(app: Flask, connection, vis: VisibilityWorld) -> FlaskClient:  # type: ignore[no-untyped-def]
    browser = app.test_client()
    assert login(browser, vis.contact.email).status_code == 302
    return browser


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def surfaces(browser: FlaskClient, w: VisibilityWorld) -> dict[str, tuple[int, str]]:
    """Every portal page and download of the world's client: status and text."""
    pages = {
        "dashboard": "/client-portal/dashboard",
        "projects": "/client-portal/projects",
        "project": f"/client-portal/projects/{w.project.id}",
        "invoices": "/client-portal/invoices",
        "invoice": f"/client-portal/invoices/{w.invoice.id}",
        "quotes": "/client-portal/quotes",
        "quote": f"/client-portal/quotes/{w.quote.id}",
        "time_entries": "/client-portal/time-entries",
        "time_entries_csv": "/client-portal/time-entries.csv",
    }
    found: dict[str, tuple[int, str]] = {}
    for name, path in pages.items():
        response = browser.get(path)
        found[name] = (response.status_code, response.get_data(as_text=True))
    for name, path in {
        "invoice_pdf": f"/client-portal/invoices/{w.invoice.id}/pdf",
        "quote_pdf": f"/client-portal/quotes/{w.quote.id}/pdf",
    }.items():
        response = browser.get(path)
        assert response.status_code == 200, name
        found[name] = (200, _pdf_text(response.data))
    return found


#: Where each marker shows when the client sees everything; it shows nowhere else.
WHERE_SHOWN: dict[str, frozenset[str]] = {
    STAFF_NAME: frozenset({"project", "time_entries", "time_entries_csv"}),
    NOTE: frozenset({"dashboard", "time_entries", "time_entries_csv"}),
    AMOUNT: frozenset({"projects", "project", "time_entries", "time_entries_csv"}),
    BUDGET_AMOUNT: frozenset({"projects", "project"}),
}
#: The markers each setting hides.
HIDES: dict[str, tuple[str, ...]] = {
    "staff_names": (STAFF_NAME,),
    "entry_notes": (NOTE,),
    "amounts": (AMOUNT, BUDGET_AMOUNT),
    "time_entries": (NOTE,),
}
