"""Staff downloads: the invoice PDF (drafts included) and the CSV export of the time list."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from typing import Any

import pytest
from flask import Flask
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
from timetracker.models import InvoiceStatus

UTC = dt.UTC


def read_csv(response: Any) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"), newline="")))


@pytest.fixture
def world(session: Session) -> dict[str, Any]:
    ana = make_user(session, name="Ana Staff")
    ben = make_user(session, name="Ben Staff")
    acme = make_client(session, name="Acme")
    zeta = make_client(session, name="Zeta Søn")
    web = make_project(session, acme, name="Web")
    ops = make_project(session, zeta, name="Ops")
    draft = make_invoice(session, acme, status=InvoiceStatus.DRAFT, number="D-0001")
    sent = make_invoice(session, zeta, number="S-0001")
    e1 = make_entry(session, web, ana, start=dt.datetime(2026, 3, 2, 9, tzinfo=UTC), notes="a1")
    e2 = make_entry(session, ops, ana, start=dt.datetime(2026, 3, 9, 9, tzinfo=UTC), notes="a2")
    make_entry(session, ops, ben, start=dt.datetime(2026, 3, 3, 9, tzinfo=UTC), notes="b1")
    make_entry(session, web, ben, start=dt.datetime(2026, 4, 1, 9, tzinfo=UTC), notes="b2")
    make_entry(session, web, ana, start=dt.datetime(2026, 3, 4, 9, tzinfo=UTC), minutes=None,
               notes="running")  # fmt: skip
    e1.invoice_item_id = draft.items[0].id
    e2.invoice_item_id = sent.items[0].id
    session.commit()
    return {"ana": ana, "ben": ben, "acme": acme, "web": web, "draft": draft, "sent": sent}


@pytest.fixture
def as_ana(app: Flask, client: FlaskClient, world: dict[str, Any]) -> FlaskClient:
    assert login(client, world["ana"].email).status_code == 302
    return client


def test_staff_download_the_pdf_of_drafts_and_sent_invoices(
    as_ana: FlaskClient, world: dict[str, Any]
) -> None:
    for invoice in (world["draft"], world["sent"]):
        response = as_ana.get(f"/invoices/{invoice.id}/pdf")
        assert response.status_code == 200
        assert response.headers["Content-Disposition"] == (
            f"attachment; filename=invoice-{invoice.number}.pdf"
        )
        assert invoice.number in PdfReader(io.BytesIO(response.data)).pages[0].extract_text()
    assert as_ana.get("/invoices/999999999/pdf").status_code == 404


def test_invoice_page_links_the_pdf(as_ana: FlaskClient, world: dict[str, Any]) -> None:
    html = as_ana.get(f"/invoices/{world['sent'].id}").get_data(as_text=True)
    assert f'href="/invoices/{world["sent"].id}/pdf"' in html


def test_portal_users_and_strangers_get_no_staff_downloads(
    app: Flask, client: FlaskClient, session: Session, world: dict[str, Any]
) -> None:
    paths = [f"/invoices/{world['sent'].id}/pdf", "/time/export.csv"]
    for path in paths:
        assert client.get(path).status_code == 302
    portal_user = make_portal_user(session, world["acme"])
    session.commit()
    login(client, portal_user.email)
    for path in paths:
        assert client.get(path).status_code == 403


def test_export_defaults_to_my_completed_entries(
    as_ana: FlaskClient, world: dict[str, Any]
) -> None:
    response = as_ana.get("/time/export.csv")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=time-entries-ana-staff-all-dates.csv"
    )
    assert read_csv(response)[1:] == [
        # staff see drafts' numbers
        ["2026-03-02", "Web", "a1", "Ana Staff", "1.00", "3600", "yes", "100.00", "EUR", "D-0001"],
        ["2026-03-09", "Ops", "a2", "Ana Staff", "1.00", "3600", "yes", "100.00", "EUR", "S-0001"],
    ]


@pytest.mark.parametrize(
    ("query", "notes", "filename"),
    [
        ("?user=", ["a1", "b1", "a2", "b2"], "time-entries-all-clients-all-dates.csv"),
        ("?user=&client={acme}", ["a1", "b2"], "time-entries-acme-all-dates.csv"),
        ("?user=&project={web}&date_to=2026-03-31", ["a1"],
         "time-entries-acme-web-until-2026-03-31.csv"),
        ("?user={ben}&date_from=2026-03-01&date_to=2026-03-31", ["b1"],
         "time-entries-ben-staff-2026-03-01-to-2026-03-31.csv"),
    ],
)  # fmt: skip
def test_export_uses_the_time_lists_filters(
    as_ana: FlaskClient, world: dict[str, Any], query: str, notes: list[str], filename: str
) -> None:
    query = query.format(acme=world["acme"].id, web=world["web"].id, ben=world["ben"].id)
    response = as_ana.get(f"/time/export.csv{query}")
    assert [row[2] for row in read_csv(response)[1:]] == notes
    assert response.headers["Content-Disposition"] == f"attachment; filename={filename}"


@pytest.mark.parametrize(
    "query", ["?date_from=2026-02-30", "?client=abc", "?date_from=2026-03-10&date_to=2026-03-01"]
)
def test_bad_export_filters_are_a_400_with_the_reason(as_ana: FlaskClient, query: str) -> None:
    response = as_ana.get(f"/time/export.csv{query}")
    assert response.status_code == 400
    assert "The export filters are not valid." in response.get_data(as_text=True)
    assert as_ana.get(f"/time{query}").status_code == 400  # the list refuses them too


def test_time_list_export_link_carries_its_filters(
    as_ana: FlaskClient, world: dict[str, Any]
) -> None:
    acme = world["acme"].id
    html = as_ana.get(f"/time?user=&client={acme}&date_from=2026-03-01").get_data(as_text=True)
    link = re.search(r'href="(/time/export\.csv[^"]*)"', html).group(1).replace("&amp;", "&")
    assert [row[2] for row in read_csv(as_ana.get(link))[1:]] == ["a1", "b2"]
