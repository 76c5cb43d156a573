"""Portal downloads: the invoice PDF and the time entries CSV, with the portal's isolation."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from typing import Any

import pytest
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy.orm import Session

from tests.conftest import login
from tests.factories import (
    make_client,
    make_entry,
    make_invoice,
    make_portal_user,
    make_project,
    make_user,
)
from timetracker.models import InvoiceStatus, Settings

UTC = dt.UTC


def same_page(response: Any) -> bytes:
    """The body without the logout form's CSRF token, which is signed with the current time."""
    return re.sub(rb'name="csrf_token" value="[^"]+"', b'name="csrf_token"', response.get_data())


def read_csv(response: Any) -> list[list[str]]:
    text = response.get_data().decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline="")))


@pytest.fixture
def world(session: Session) -> dict[str, Any]:
    """Two clients; the first one's portal user is signed in by the tests."""
    mine = make_client(session, name="Müller & Søn €", address="Hauptstraße 5\n10115 Berlin")
    web = make_project(session, mine, name="Website")
    app_project = make_project(session, mine, name="App")
    worker = make_user(session, name="Jörg Worker")
    sent = make_invoice(session, mine, number="MS-2026-0001", items=[("Design", "10", "100.00")])
    draft = make_invoice(session, mine, status=InvoiceStatus.DRAFT, number="MS-DRAFT")
    entries = [
        make_entry(
            session,
            web,
            worker,
            start=dt.datetime(2026, 3, 2, 9, tzinfo=UTC),
            minutes=90,
            notes="Homepage layout",
        ),
        make_entry(
            session,
            web,
            worker,
            start=dt.datetime(2026, 3, 5, 9, tzinfo=UTC),
            minutes=45,
            notes="Contact form",
            billable=False,
        ),
        make_entry(
            session,
            app_project,
            worker,
            start=dt.datetime(2026, 3, 10, 9, tzinfo=UTC),
            minutes=120,
            notes="Login screen",
        ),
        make_entry(
            session,
            web,
            worker,
            start=dt.datetime(2026, 4, 1, 9, tzinfo=UTC),
            minutes=30,
            notes="April fixes",
        ),
    ]
    make_entry(
        session,
        web,
        worker,
        start=dt.datetime(2026, 3, 6, 9, tzinfo=UTC),
        minutes=None,
        notes="running timer",
    )
    # Bill the first entry on the sent invoice, the third on the draft.
    entries[0].invoice_item_id = sent.items[0].id
    entries[2].invoice_item_id = draft.items[0].id
    theirs = make_client(session, name="Other Client")
    their_project = make_project(session, theirs, name="Secret project")
    their_invoice = make_invoice(session, theirs, number="OTHER-0001")
    make_entry(
        session,
        their_project,
        worker,
        start=dt.datetime(2026, 3, 2, 10, tzinfo=UTC),
        notes="their secret entry",
    )
    user = make_portal_user(session, mine, email="portal@muller.example")
    session.commit()
    return {
        "client": mine,
        "web": web,
        "app": app_project,
        "sent": sent,
        "draft": draft,
        "entries": entries,
        "their_invoice": their_invoice,
        "their_project": their_project,
        "user": user,
    }


@pytest.fixture
def portal(client: FlaskClient, world: dict[str, Any]) -> FlaskClient:
    login(client, world["user"].email)
    return client


# PDF -----------------------------------------------------------------------------------------


def test_portal_user_downloads_the_invoice_pdf(portal: FlaskClient, world: dict[str, Any]) -> None:
    response = portal.get(f"/client-portal/invoices/{world['sent'].id}/pdf")

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert (
        response.headers["Content-Disposition"] == "attachment; filename=invoice-MS-2026-0001.pdf"
    )
    assert "no-store" in response.headers["Cache-Control"]
    assert response.data.startswith(b"%PDF")
    text = PdfReader(io.BytesIO(response.data)).pages[0].extract_text()
    assert "MS-2026-0001" in text
    assert "Müller & Søn €" in text
    assert "€1,200.00" in text  # 1000.00 + 20 % tax


def test_other_clients_invoice_and_drafts_are_indistinguishable_from_missing(
    portal: FlaskClient, world: dict[str, Any]
) -> None:
    missing = portal.get("/client-portal/invoices/999999999/pdf")
    assert missing.status_code == 404
    for invoice in (world["their_invoice"], world["draft"]):
        response = portal.get(f"/client-portal/invoices/{invoice.id}/pdf")
        assert response.status_code == 404
        assert same_page(response) == same_page(missing)
        assert invoice.number.encode() not in response.data


def test_downloads_need_a_portal_login(
    client: FlaskClient, session: Session, world: dict[str, Any]
) -> None:
    paths = [f"/client-portal/invoices/{world['sent'].id}/pdf", "/client-portal/time-entries.csv"]
    for path in paths:
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    staff = make_user(session)
    session.commit()
    login(client, staff.email)
    for path in paths:
        assert client.get(path).status_code == 403


def test_download_links_on_the_invoice_pages(portal: FlaskClient, world: dict[str, Any]) -> None:
    pdf_url = f"/client-portal/invoices/{world['sent'].id}/pdf"
    for page in ("/client-portal/invoices", f"/client-portal/invoices/{world['sent'].id}"):
        html = portal.get(page).get_data(as_text=True)
        assert f'href="{pdf_url}"' in html and "Download PDF" in html


# CSV -----------------------------------------------------------------------------------------


def test_csv_lists_the_clients_completed_entries_oldest_first(
    portal: FlaskClient, world: dict[str, Any]
) -> None:
    response = portal.get("/client-portal/time-entries.csv")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.is_streamed
    assert response.data.startswith(b"\xef\xbb\xbf")  # BOM, so that Excel reads UTF-8
    rows = read_csv(response)
    assert rows == [
        [
            "Date",
            "Project",
            "Notes",
            "User",
            "Hours",
            "Seconds",
            "Billable",
            "Amount",
            "Currency",
            "Invoice",
        ],
        [
            "2026-03-02",
            "Website",
            "Homepage layout",
            "Jörg Worker",
            "1.50",
            "5400",
            "yes",
            "150.00",
            "EUR",
            "MS-2026-0001",
        ],
        [
            "2026-03-05",
            "Website",
            "Contact form",
            "Jörg Worker",
            "0.75",
            "2700",
            "no",
            "",
            "EUR",
            "",
        ],
        # billed by a draft: the client does not see the draft's number
        [
            "2026-03-10",
            "App",
            "Login screen",
            "Jörg Worker",
            "2.00",
            "7200",
            "yes",
            "200.00",
            "EUR",
            "",
        ],
        [
            "2026-04-01",
            "Website",
            "April fixes",
            "Jörg Worker",
            "0.50",
            "1800",
            "yes",
            "50.00",
            "EUR",
            "",
        ],
    ]
    assert b"their secret entry" not in response.data and b"running timer" not in response.data
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=time-entries-muller-son-all-dates.csv"
    )


def _list_notes(portal: FlaskClient, query: str) -> tuple[int, list[str]]:
    html = portal.get(f"/client-portal/time-entries{query}").get_data(as_text=True)
    count = int(re.search(r'data-testid="totals"><strong>(\d+)</strong>', html).group(1))
    notes = re.findall(r'<td data-label="Description">([^<]*)</td>', html)
    return count, notes


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?date_from=2026-03-03",
        "?date_to=2026-03-31",
        "?date_from=2026-03-01&date_to=2026-03-05",
        "?project_id={web}",
        "?project_id={app}&date_from=2026-03-01&date_to=2026-03-31",
        "?date_from=2027-01-01",
    ],
)
def test_csv_matches_the_filtered_list(
    portal: FlaskClient, world: dict[str, Any], query: str
) -> None:
    query = query.format(web=world["web"].id, app=world["app"].id)
    count, listed = _list_notes(portal, query)

    rows = read_csv(portal.get(f"/client-portal/time-entries.csv{query}"))

    assert len(rows) - 1 == count
    assert sorted(row[2] for row in rows[1:]) == sorted(listed)


def test_csv_filename_names_client_and_range(portal: FlaskClient) -> None:
    response = portal.get("/client-portal/time-entries.csv?date_from=2026-03-01&date_to=2026-03-31")
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=time-entries-muller-son-2026-03-01-to-2026-03-31.csv"
    )


@pytest.mark.parametrize(
    "query",
    [
        "?date_from=2026-13-01",
        "?date_from=yesterday",
        "?date_from=2026-03-10&date_to=2026-03-01",
        "?project_id=abc",
        "?project_id=1&project_id=2",
    ],
)
def test_csv_rejects_what_the_list_rejects_with_the_same_message(
    portal: FlaskClient, query: str
) -> None:
    listed = portal.get(f"/client-portal/time-entries{query}")
    exported = portal.get(f"/client-portal/time-entries.csv{query}")
    assert listed.status_code == exported.status_code == 400
    message = re.compile(r'data-testid="error-message">([^<]+)<')
    assert message.search(exported.get_data(as_text=True)).group(1) == (
        message.search(listed.get_data(as_text=True)).group(1)
    )


def test_csv_of_another_clients_project_is_404_like_a_missing_one(
    portal: FlaskClient, world: dict[str, Any]
) -> None:
    missing = portal.get("/client-portal/time-entries.csv?project_id=999999999")
    foreign = portal.get(f"/client-portal/time-entries.csv?project_id={world['their_project'].id}")
    assert missing.status_code == foreign.status_code == 404
    assert same_page(foreign) == same_page(missing)


def test_csv_neutralises_formulas(
    portal: FlaskClient, session: Session, world: dict[str, Any]
) -> None:
    evil_project = make_project(session, world["client"], name="=cmd|' /C calc'!A0")
    evil_user = make_user(session, name="@SUM(1+1)")
    for notes in ('=HYPERLINK("http://evil.example","x")', "+1+1", "-2+3", "\t=1", "\r=1", "a=1"):
        make_entry(
            session,
            evil_project,
            evil_user,
            start=dt.datetime(2026, 5, 1, 9, tzinfo=UTC),
            notes=notes,
        )
    session.commit()

    rows = read_csv(portal.get(f"/client-portal/time-entries.csv?project_id={evil_project.id}"))

    notes = sorted(row[2] for row in rows[1:])
    assert notes == sorted(
        ['\'=HYPERLINK("http://evil.example","x")', "'+1+1", "'-2+3", "'\t'=1", "'\r'=1", "a=1"]
    )
    assert {row[1] for row in rows[1:]} == {"'=cmd|' /C calc'!A0"}
    assert {row[3] for row in rows[1:]} == {"'@SUM(1+1)"}


def test_csv_dates_are_days_in_the_firms_timezone(
    portal: FlaskClient, session: Session, world: dict[str, Any]
) -> None:
    settings = session.get(Settings, 1) or Settings(id=1)
    settings.timezone = "America/New_York"
    session.add(settings)
    make_entry(
        session,
        world["app"],
        start=dt.datetime(2026, 6, 2, 2, 30, tzinfo=UTC),  # 22:30 on 1 June in New York
        notes="late night",
    )
    session.commit()
    rows = read_csv(portal.get("/client-portal/time-entries.csv?date_from=2026-06-01"))
    assert [(row[0], row[2]) for row in rows[1:]] == [("2026-06-01", "late night")]


def test_export_link_carries_the_current_filters(
    portal: FlaskClient, world: dict[str, Any]
) -> None:
    web = world["web"].id
    html = portal.get(
        f"/client-portal/time-entries?project_id={web}&date_from=2026-03-01&date_to=2026-03-31&page=1"
    ).get_data(as_text=True)
    link = re.search(r'href="(/client-portal/time-entries\.csv[^"]*)"', html).group(1)
    assert link.replace("&amp;", "&") == (
        f"/client-portal/time-entries.csv?project_id={web}&date_from=2026-03-01&date_to=2026-03-31"
    )
    rows = read_csv(portal.get(link.replace("&amp;", "&")))
    assert [row[2] for row in rows[1:]] == ["Homepage layout", "Contact form"]


def test_exports_are_rate_limited_per_user(portal: FlaskClient, frozen_clock: Any) -> None:
    # frozen_clock (tests/conftest.py): in memory the minute's window cannot end mid-test; in
    # Redis it starts at this test's first request, and eleven small downloads take far less.
    statuses = []
    for _ in range(11):
        response = portal.get("/client-portal/time-entries.csv")
        statuses.append(response.status_code)
        body = response.get_data(as_text=True)  # read each download to its end, as a browser does
    assert statuses == [200] * 10 + [429]
    assert "Too many attempts" in body
