"""The disagreements that made the billing package: each figure the client sees equals the staff
figure for the same data, in the cases where the old copies of the rules differed."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import time_machine
from flask import Flask
from sqlalchemy.orm import Session

from tests import factories
from tests.conftest import login
from timetracker.models import InvoiceStatus

START = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)


def _signed_in(app: Flask, email: str):  # type: ignore[no-untyped-def]
    browser = app.test_client()
    assert login(browser, email).status_code == 302
    return browser


def test_twenty_minutes_at_100_an_hour_is_33_33_for_the_client_and_for_staff(
    app: Flask, session: Session
) -> None:
    customer = factories.make_client(session, default_hourly_rate=Decimal("100.00"))
    project = factories.make_project(session, customer, name="Twenty minutes")
    factories.make_entry(session, project, start=START, minutes=20)
    portal = _signed_in(app, factories.make_portal_user(session, customer).email)
    staff = _signed_in(app, factories.make_admin(session).email)

    row = portal.get("/client-portal/projects").get_data(as_text=True)
    assert re.search(r'data-label="Billable amount" class="num">€33\.33<', row)
    assert "0.33 hours (€33.33 billable)" in staff.get(f"/projects/{project.id}").get_data(
        as_text=True
    )
    listing = portal.get("/client-portal/time-entries").get_data(as_text=True)
    assert 'data-testid="billable-amount">€33.33<' in listing


def test_time_on_a_non_billable_project_is_not_billable_anywhere(
    app: Flask, session: Session
) -> None:
    customer = factories.make_client(session, name="Internal Co")
    project = factories.make_project(session, customer, billable=False)
    factories.make_entry(session, project, start=START, minutes=90, billable=True)
    portal = _signed_in(app, factories.make_portal_user(session, customer).email)
    staff = _signed_in(app, factories.make_admin(session).email)

    totals = portal.get("/client-portal/time-entries").get_data(as_text=True)
    assert "<strong>1.50</strong> hours · 0.00 billable" in totals
    report = staff.get("/reports?group=client&date_from=2026-03-01&date_to=2026-03-31")
    cell = '<td data-label="Client">Internal Co</td>'
    row = report.get_data(as_text=True).split(cell)[1].split("</tr>")[0]
    assert re.findall(r'class="num">([^<]*)<', row) == ["1.50", "0.00", "€0.00"]
    csv_text = portal.get("/client-portal/time-entries.csv").get_data(as_text=True)
    assert ",no,," in csv_text  # billable "no", no amount


@time_machine.travel(dt.datetime(2026, 4, 15, 12, tzinfo=dt.UTC), tick=False)
def test_unpaid_means_every_open_invoice_on_tabs_cards_and_charts(
    app: Flask, session: Session
) -> None:
    customer = factories.make_client(session)
    # 1,200.00 each: one not yet due, one overdue with 200.00 paid.
    factories.make_invoice(session, customer, issue_date=dt.date(2026, 4, 1))
    factories.make_invoice(session, customer, issue_date=dt.date(2026, 1, 1), paid="200.00")
    factories.make_invoice(session, customer, status=InvoiceStatus.PAID, paid="1200.00")
    portal = _signed_in(app, factories.make_portal_user(session, customer).email)

    dashboard = portal.get("/client-portal").get_data(as_text=True)
    assert 'data-stat="outstanding">€2,200.00<' in dashboard
    assert 'data-stat="overdue">€1,000.00<' in dashboard
    # The chart's table: totals per state, and the open balances the cards sum.
    assert re.search(
        r"Not yet due</th><td class=\"num\">1</td><td class=\"num\">€1,200\.00</td>"
        r"<td class=\"num\">€1,200\.00</td>",
        dashboard,
    )
    assert re.search(
        r"Overdue</th><td class=\"num\">1</td><td class=\"num\">€1,200\.00</td>"
        r"<td class=\"num\">€1,000\.00</td>",
        dashboard,
    )
    unpaid = portal.get("/client-portal/invoices?status=unpaid").get_data(as_text=True)
    assert unpaid.count('data-state="not_yet_due"') == 1
    assert unpaid.count('data-state="overdue"') == 1
    # The overdue one has a payment: partially paid is a mark on its state, not a state.
    assert ">Unpaid</span>" in unpaid and ">Overdue · partially paid</span>" in unpaid
