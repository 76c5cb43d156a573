"""The statement of account in the portal: the page and its PDF, through the contact's scope."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import login
from tests.factories import make_client, make_invoice, make_portal_user, make_user
from timetracker import audit
from timetracker.models import AuditEvent, Client, Invoice, InvoiceStatus, Payment, Settings

PAGE = "/client-portal/statement"
PDF = "/client-portal/statement.pdf"
Q1 = "date_from=2026-01-01&date_to=2026-03-31"


def same_page(response: Any) -> bytes:
    """The body without the logout form's CSRF token, which is signed with the current time."""
    return re.sub(rb'name="csrf_token" value="[^"]+"', b'name="csrf_token"', response.get_data())


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _invoice(session: Session, client: Client, number: str, day: dt.date, amount: str, **kw: Any):  # type: ignore[no-untyped-def]
    return make_invoice(
        session,
        client,
        number=number,
        issue_date=day,
        items=[("Work", "1", amount)],
        tax_rate="0",
        **kw,
    )


def _pay(session: Session, invoice: Invoice, amount: str, day: dt.date) -> None:
    invoice.payments.append(Payment(amount=Decimal(amount), paid_on=day, method="Bank"))
    invoice.amount_paid += Decimal(amount)
    session.flush()


@pytest.fixture
def world(session: Session) -> dict[str, Any]:
    mine = make_client(session, name="Müller & Søn €", address="Hauptstraße 5\n10115 Berlin")
    old = _invoice(session, mine, "MS-2025-0009", dt.date(2025, 12, 1), "500.00")
    _pay(session, old, "200.00", dt.date(2025, 12, 15))
    new = _invoice(session, mine, "MS-2026-0001", dt.date(2026, 2, 1), "1000.00")
    _pay(session, new, "400.00", dt.date(2026, 2, 20))
    _pay(session, new, "50.00", dt.date(2026, 4, 2))  # after the first quarter
    _invoice(session, mine, "MS-DRAFT", dt.date(2026, 2, 2), "7.00", status=InvoiceStatus.DRAFT)
    _invoice(session, mine, "MS-VOID", dt.date(2026, 2, 3), "8.00", status=InvoiceStatus.CANCELLED)
    theirs = make_client(session, name="Other Corp")
    their_invoice = _invoice(session, theirs, "OC-SECRET-1", dt.date(2026, 2, 1), "777.00")
    _pay(session, their_invoice, "77.00", dt.date(2026, 2, 5))
    user = make_portal_user(session, mine, email="portal@muller.example")
    session.commit()
    return {
        "client": mine,
        "old": old,
        "new": new,
        "theirs": theirs,
        "their": their_invoice,
        "user": user,
    }


@pytest.fixture
def portal(client: FlaskClient, world: dict[str, Any]) -> FlaskClient:
    login(client, world["user"].email)
    return client


def test_page_lists_invoices_payments_and_running_balance(
    portal: FlaskClient, world: dict[str, Any]
) -> None:
    response = portal.get(f"{PAGE}?{Q1}")

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    rows = re.findall(r'data-testid="(opening|movement|closing)"(.*?)</tr>', html, re.S)
    text = [(kind, re.sub(r"<[^>]+>|\s+", " ", body).split()) for kind, body in rows]
    assert [(kind, words[-1]) for kind, words in text] == [
        ("opening", "€300.00"),
        ("movement", "€1,300.00"),
        ("movement", "€900.00"),
        ("closing", "€900.00"),
    ]
    new = world["new"]
    assert f'Invoice <a href="/client-portal/invoices/{new.id}">MS-2026-0001</a>' in html
    assert f'Payment for <a href="/client-portal/invoices/{new.id}">MS-2026-0001</a>' in html
    for absent in ("MS-DRAFT", "MS-VOID", "OC-SECRET-1", "Other Corp", "777.00", "€50.00"):
        assert absent not in html
    pdf_link = f'href="{PDF}?date_from=2026-01-01&amp;date_to=2026-03-31"'
    assert pdf_link in html and "Download PDF" in html
    assert 'value="01/01/2026"' in html and 'value="03/31/2026"' in html


def test_amounts_show_whatever_the_amounts_visibility(
    portal: FlaskClient, session: Session, world: dict[str, Any]
) -> None:
    world["client"].portal_shows_amounts = False
    session.commit()
    assert "€900.00" in portal.get(f"{PAGE}?{Q1}").get_data(as_text=True)


def test_ids_in_the_query_change_nothing(portal: FlaskClient, world: dict[str, Any]) -> None:
    plain = portal.get(f"{PAGE}?{Q1}")
    theirs, their = world["theirs"], world["their"]
    forged = portal.get(f"{PAGE}?{Q1}&client_id={theirs.id}&invoice_id={their.id}&id={their.id}")
    assert forged.status_code == 200 and same_page(forged) == same_page(plain)
    pdf = portal.get(f"{PDF}?{Q1}&client_id={theirs.id}&invoice_id={their.id}")
    assert "OC-SECRET-1" not in pdf_text(pdf.data) and "Other Corp" not in pdf_text(pdf.data)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("date_from=2026-13-01", "2026-13-01 is not a real calendar date."),
        ("date_to=31.03.2026", "Write the date as mm/dd/yyyy (or YYYY-MM-DD)"),
        ("date_from=２０２６-01-01", "Write the date as mm/dd/yyyy (or YYYY-MM-DD)"),
        ("date_from=2026-03-01&date_to=2026-02-01", "&#39;date_from&#39; must be on or before"),
        ("date_from=2026-01-01&date_from=2026-02-01", "given more than once"),
        ("date_from=2020-01-01&date_to=2026-01-01", "at most 5 years"),
    ],
)
def test_bad_periods_answer_400_with_the_reason(
    portal: FlaskClient, query: str, message: str
) -> None:
    for path in (PAGE, PDF):
        response = portal.get(f"{path}?{query}")
        assert response.status_code == 400
        assert message in response.get_data(as_text=True)


def test_default_period_is_this_year_to_today_in_the_firms_timezone(
    client: FlaskClient, session: Session, world: dict[str, Any]
) -> None:
    settings = session.get(Settings, 1) or Settings(id=1)
    settings.timezone = "Europe/Berlin"
    session.add(settings)
    session.commit()
    # 23:30 UTC on New Year's Eve is already 2027 in Berlin.
    with time_machine.travel(dt.datetime(2026, 12, 31, 23, 30, tzinfo=dt.UTC), tick=False):
        login(client, world["user"].email)
        html = client.get(PAGE).get_data(as_text=True)
    assert 'id="date_from" name="date_from" class="form-control" value="01/01/2027"' in html
    assert 'id="date_to" name="date_to" class="form-control" value="01/01/2027"' in html
    opening = re.search(r'data-testid="opening".*?</tr>', html, re.S)
    assert opening and "€850.00" in opening.group(0)  # 300 + 1000 − 400 − 50, all before


def test_an_end_alone_starts_the_period_on_the_first_of_january_of_its_year(
    portal: FlaskClient,
) -> None:
    html = portal.get(f"{PAGE}?date_to=2025-12-31").get_data(as_text=True)
    assert 'value="01/01/2025"' in html and 'value="12/31/2025"' in html
    closing = re.search(r'data-testid="closing".*?</tr>', html, re.S)
    assert closing and "€300.00" in closing.group(0)


def test_pdf_carries_the_statement(
    portal: FlaskClient, session: Session, world: dict[str, Any]
) -> None:
    settings = session.get(Settings, 1) or Settings(id=1)
    settings.company_name = "Acme Studio"
    settings.company_address = "1 Harbour Road\n0150 Oslo"
    session.add(settings)
    session.commit()

    response = portal.get(f"{PDF}?{Q1}")

    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=statement-muller-son-2026-01-01-2026-03-31.pdf"
    )
    assert "no-store" in response.headers["Cache-Control"]
    text = pdf_text(response.data)
    for expected in (
        "Statement of account",
        "Acme Studio",
        "0150 Oslo",
        "Müller & Søn €",
        "Hauptstraße 5",
        "Opening balance",
        "€300.00",
        "Invoice MS-2026-0001",
        "Payment for MS-2026-0001",
        "€1,300.00",
        "Closing balance",
        "€900.00",
        "Generated on",
    ):
        assert expected in text, expected
    for absent in ("MS-DRAFT", "MS-VOID", "OC-SECRET-1", "Other Corp"):
        assert absent not in text


def test_pdf_download_is_audited(
    portal: FlaskClient, session: Session, world: dict[str, Any]
) -> None:
    assert portal.get(f"{PDF}?{Q1}").status_code == 200
    events = list(
        session.scalars(
            select(AuditEvent).where(AuditEvent.kind == audit.Kind.STATEMENT_DOWNLOADED)
        )
    )
    assert [(e.client_id, e.actor_id, e.detail) for e in events] == [
        (
            world["client"].id,
            world["user"].id,
            "statement of account 2026-01-01..2026-03-31 (PDF)",
        )
    ]
    assert portal.get(f"{PAGE}?{Q1}").status_code == 200  # reading the page is not a download
    assert (
        len(
            list(
                session.scalars(
                    select(AuditEvent.id).where(AuditEvent.kind == audit.Kind.STATEMENT_DOWNLOADED)
                )
            )
        )
        == 1
    )


def test_pdf_is_rate_limited_per_contact(portal: FlaskClient, frozen_clock: Any) -> None:
    # Every request counts, a refused one too: thirty cheap ones fill the minute.
    statuses = [portal.get(f"{PDF}?date_from=bad").status_code for _ in range(30)]
    assert statuses == [400] * 30
    response = portal.get(f"{PDF}?{Q1}")
    assert response.status_code == 429
    assert portal.get(f"{PAGE}?{Q1}").status_code == 200  # the page is not limited


def test_statement_needs_a_portal_login(
    client: FlaskClient, session: Session, world: dict[str, Any]
) -> None:
    for path in (PAGE, PDF):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    staff = make_user(session)
    session.commit()
    login(client, staff.email)
    for path in (PAGE, PDF):
        assert client.get(path).status_code == 403


def test_statement_is_read_only(portal: FlaskClient) -> None:
    for path in (PAGE, PDF):
        assert portal.post(path).status_code == 405


# Staff: /clients/<id>/statement.pdf (blueprint ``client_statement``) --------------------------
@pytest.fixture
def staff_route(app: Flask) -> None:
    assert "client_statement" in app.blueprints  # the staff route exists; a lost one fails


def test_staff_download_any_clients_statement(
    staff_route: None, client: FlaskClient, session: Session, world: dict[str, Any]
) -> None:
    staff = make_user(session)
    session.commit()
    login(client, staff.email)
    theirs = world["theirs"]
    response = client.get(f"/clients/{theirs.id}/statement.pdf?{Q1}")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].endswith(
        "statement-other-corp-2026-01-01-2026-03-31.pdf"
    )
    text = pdf_text(response.data)
    assert "OC-SECRET-1" in text and "€700.00" in text and "MS-2026-0001" not in text
    assert client.get(f"/clients/999999999/statement.pdf?{Q1}").status_code == 404
    bad = client.get(f"/clients/{theirs.id}/statement.pdf?date_from=2026-02-30")
    assert bad.status_code == 400 and "not a real calendar date" in bad.get_data(as_text=True)


def test_staff_statement_is_not_for_portal_users(
    staff_route: None, portal: FlaskClient, world: dict[str, Any]
) -> None:
    assert portal.get(f"/clients/{world['client'].id}/statement.pdf").status_code == 403
