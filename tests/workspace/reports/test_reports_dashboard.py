"""Reports (SQL GROUP BY over a date range) and the dashboard's figures."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import time_machine

from tests.conftest import login
from tests.factories import make_client, make_entry, make_invoice, make_project, make_user
from timetracker.models import InvoiceStatus

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def _rows(html: str) -> list[list[str]]:
    body = html.split("<tbody>")[1].split("</tbody>")[0]
    rows = []
    for row in body.split("<tr>")[1:]:
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        cells = [" ".join(re.sub(r"<[^>]+>", " ", c).split()) for c in cells]
        rows.append([c for c in cells if not c.startswith("Entries of ")])
    return rows


def _data(session):
    acme = make_client(session, name="Acme", default_hourly_rate=Decimal("100.00"))
    globex = make_client(session, name="Globex", currency="GBP", default_hourly_rate=Decimal("50"))
    site = make_project(session, acme, name="Site", hourly_rate=Decimal("80.00"))
    shop = make_project(session, acme, name="Shop")
    tools = make_project(session, globex, name="Tools")
    ann, bob = make_user(session, name="Ann"), make_user(session, name="Bob")
    make_entry(session, site, ann, start=START, minutes=90)  # 1.5 h × 80 = 120
    make_entry(session, shop, ann, start=START, minutes=30)  # 0.5 h × 100 = 50
    make_entry(session, shop, bob, start=START, minutes=60, billable=False)
    make_entry(session, tools, bob, start=START, minutes=120)  # 2 h × 50 GBP
    make_entry(session, site, bob, start=START + dt.timedelta(days=40), minutes=600)  # outside
    return ann, bob


def test_report_by_client(as_staff, session):
    _data(session)
    html = as_staff.get("/reports?group=client&date_from=2026-03-01&date_to=2026-03-31")
    assert html.status_code == 200
    assert _rows(html.get_data(as_text=True)) == [
        ["Acme", "EUR", "3.00", "2.00", "€170.00"],
        ["Globex", "GBP", "2.00", "2.00", "£100.00"],
    ]
    text = html.get_data(as_text=True)
    assert "Total (EUR)" in text and "Total (GBP)" in text


def test_report_by_project_and_by_person(as_staff, session):
    _data(session)
    html = as_staff.get("/reports?group=project&date_from=2026-03-01&date_to=2026-03-31")
    assert _rows(html.get_data(as_text=True)) == [
        ["Shop", "Acme", "EUR", "1.50", "0.50", "€50.00"],
        ["Site", "Acme", "EUR", "1.50", "1.50", "€120.00"],
        ["Tools", "Globex", "GBP", "2.00", "2.00", "£100.00"],
    ]
    html = as_staff.get("/reports?group=user&date_from=2026-03-01&date_to=2026-03-31")
    assert _rows(html.get_data(as_text=True)) == [
        ["Ann", "EUR", "2.00", "2.00", "€170.00"],
        ["Bob", "EUR", "1.00", "0.00", "€0.00"],
        ["Bob", "GBP", "2.00", "2.00", "£100.00"],
    ]


def test_report_date_range_includes_both_days(as_staff, session):
    _data(session)
    html = as_staff.get("/reports?group=client&date_from=2026-04-11&date_to=2026-04-11")
    assert _rows(html.get_data(as_text=True)) == [["Acme", "EUR", "10.00", "10.00", "€800.00"]]


def test_report_rejects_bad_parameters(as_staff):
    assert as_staff.get("/reports?group=planet").status_code == 400
    assert as_staff.get("/reports?date_from=2026-04-02&date_to=2026-04-01").status_code == 400
    assert as_staff.get("/reports?date_to=tomorrow").status_code == 400


def test_dashboard_shows_own_hours_and_admin_figures(client, session):
    ann, _bob = _data(session)
    ann.role = "admin"
    session.flush()
    with time_machine.travel(START + dt.timedelta(hours=8), tick=False):
        login(client, ann.email)
        html = client.get("/dashboard").get_data(as_text=True)
    assert re.search(r'data-testid="hours-today">2.00<', html)
    assert re.search(r'data-testid="hours-week">2.00<', html)
    unbilled = html.split('id="unbilled-heading"')[1].split("</table>")[0]
    # Billable, uninvoiced time of any date: 120 + 50 + 800 (the April entry), in 12 hours.
    assert re.search(r">12.00</td>\s*<td class=\"num\">€970.00<", unbilled), unbilled
    assert "£100.00" in unbilled


def test_staff_dashboard_has_no_billing_figures(as_staff, session):
    make_invoice(session, make_client(session), status=InvoiceStatus.SENT)
    html = as_staff.get("/dashboard").get_data(as_text=True)
    assert "Unbilled time" not in html and "Overdue invoices" not in html
