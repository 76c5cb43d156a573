"""The dashboards draw both charts from the billing package's figures, with table fallbacks
and the same words for invoice states as every other screen."""

from __future__ import annotations

import datetime as dt

import time_machine

from tests import factories
from tests.conftest import login
from timetracker.models import InvoiceStatus

# A Wednesday; the week of 16 March 2026 is "this week".
NOW = dt.datetime(2026, 3, 18, 12, tzinfo=dt.UTC)


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


@time_machine.travel(NOW, tick=False)
def test_portal_dashboard_draws_both_charts_with_table_fallbacks(app, client, session):
    customer = factories.make_client(session, currency="EUR")
    project = factories.make_project(session, customer)
    factories.make_entry(session, project, start=utc(2026, 3, 16, 9), minutes=90)
    factories.make_invoice(session, customer, issue_date=dt.date(2026, 1, 10))
    factories.make_invoice(session, customer, status=InvoiceStatus.DRAFT, number="SECRET-DRAFT")
    user = factories.make_portal_user(session, customer)
    login(client, user.email)

    html = client.get("/client-portal").get_data(as_text=True)
    assert 'data-testid="chart-hours"' in html
    assert 'data-testid="chart-invoices"' in html
    assert html.count('role="img"') == 2
    assert "Hours per week as a table" in html
    assert "1.50</td>" in html  # this week's hours in the table
    assert 'Overdue</th><td class="num">1</td>' in html
    assert "Draft" not in html  # the portal never shows drafts, not even as an empty bar
    assert "<script" not in html.split("<main")[1].split("</main>")[0]  # SVG, no script
    assert ' style="' not in html


@time_machine.travel(NOW, tick=False)
def test_staff_dashboard_shows_own_hours_chart_and_admins_also_invoice_amounts(
    app, client, session
):
    staff = factories.make_user(session)
    admin = factories.make_admin(session)
    factories.make_entry(
        session, factories.make_project(session), staff, start=utc(2026, 3, 17, 9), minutes=150
    )
    factories.make_invoice(session, factories.make_client(session))

    login(client, staff.email)
    html = client.get("/dashboard").get_data(as_text=True)
    assert "Your hours per week" in html and 'data-testid="chart-hours"' in html
    assert "2.50</td>" in html
    assert 'data-testid="chart-invoices"' not in html

    client = app.test_client()
    login(client, admin.email)
    html = client.get("/dashboard").get_data(as_text=True)
    assert 'data-testid="chart-invoices"' in html
    assert "Invoice totals by status" in html and "Draft</th>" in html
    assert ' style="' not in html
