"""Dashboard charts: hours per week and invoice amounts by status, computed in SQL (one
statement each, through ``PortalScope`` for the portal) and laid out as SVG bars."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from tests import factories
from tests.conftest import login
from timetracker import charts, firm
from timetracker.models import InvoiceStatus
from timetracker.portal.scope import PortalScope

# A Wednesday; the week of 16 March 2026 is "this week".
NOW = dt.datetime(2026, 3, 18, 12, tzinfo=dt.UTC)


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


def test_week_starts_are_the_mondays_of_the_last_twelve_weeks_oldest_first():
    starts = charts.week_starts(dt.date(2026, 3, 18))
    assert len(starts) == 12
    assert starts[-1] == dt.date(2026, 3, 16)
    assert starts[0] == dt.date(2025, 12, 29)
    assert all(d.weekday() == 0 for d in starts)
    assert charts.week_starts(dt.date(2026, 3, 16), 1) == [dt.date(2026, 3, 16)]
    with pytest.raises(ValueError):
        charts.week_starts(dt.date(2026, 3, 16), 0)


@time_machine.travel(NOW, tick=False)
def test_weekly_hours_bucket_by_local_week_in_one_query(ctx, count_queries):
    firm.get_settings().timezone = "Europe/Berlin"  # UTC+1 in March before the 29th
    client = factories.make_client(ctx)
    project = factories.make_project(ctx, client)
    other = factories.make_project(ctx)  # another client's project
    # Sunday 23:30 in Berlin: last week. Monday 00:30 in Berlin: this week.
    factories.make_entry(ctx, project, start=utc(2026, 3, 15, 22, 30), minutes=60)
    factories.make_entry(ctx, project, start=utc(2026, 3, 15, 23, 30), minutes=90)
    factories.make_entry(ctx, project, start=utc(2026, 3, 17, 9), minutes=30)
    # The oldest week shown begins on Monday 29 December 2025 at 00:00 in Berlin.
    factories.make_entry(ctx, project, start=utc(2025, 12, 28, 23, 0), minutes=120)
    factories.make_entry(ctx, project, start=utc(2025, 12, 28, 22, 59), minutes=600)  # too old
    factories.make_entry(ctx, project, start=utc(2026, 3, 18, 8), minutes=None)  # running
    factories.make_entry(ctx, other, start=utc(2026, 3, 17, 9), minutes=300)
    scope = PortalScope(client, ctx)

    before = count_queries.count
    weeks = scope.weekly_hours()
    assert count_queries.count - before == 1

    assert [w.week_start for w in weeks] == charts.week_starts(dt.date(2026, 3, 18))
    assert weeks[-1].seconds == 120 * 60  # 90 + 30 minutes
    assert weeks[-2].seconds == 60 * 60
    assert weeks[0].seconds == 120 * 60
    assert sum(w.seconds for w in weeks) == 300 * 60
    assert weeks[-1].hours == Decimal("2.00")


@time_machine.travel(NOW, tick=False)
def test_invoice_amounts_by_status_split_sent_by_due_date_and_hide_drafts_from_the_portal(
    ctx, count_queries
):
    client = factories.make_client(ctx, currency="EUR")
    mk = factories.make_invoice
    # 10 h at 100.00 + 20 % tax = 1,200.00 each.
    mk(ctx, client, status=InvoiceStatus.DRAFT)
    mk(ctx, client, issue_date=dt.date(2026, 3, 10))  # due 9 April: unpaid
    mk(ctx, client, issue_date=dt.date(2026, 1, 10))  # due 9 February: overdue
    mk(ctx, client, issue_date=dt.date(2026, 1, 12), paid="200.00")  # overdue, part paid
    mk(ctx, client, status=InvoiceStatus.PAID, paid="1200.00")
    mk(ctx, client, status=InvoiceStatus.CANCELLED)
    mk(ctx, factories.make_client(ctx, currency="EUR"), issue_date=dt.date(2026, 1, 1))

    scope = PortalScope(client, ctx)
    before = count_queries.count
    amounts = {a.category: a for a in scope.invoice_amounts_by_status()}
    assert count_queries.count - before == 1

    assert set(amounts) == {"unpaid", "overdue", "paid", "cancelled"}
    assert (amounts["unpaid"].count, amounts["unpaid"].total) == (1, Decimal("1200.00"))
    assert amounts["unpaid"].balance == Decimal("1200.00")
    assert (amounts["overdue"].count, amounts["overdue"].total) == (2, Decimal("2400.00"))
    assert amounts["overdue"].balance == Decimal("2200.00")
    assert (amounts["paid"].count, amounts["paid"].balance) == (1, Decimal("0.00"))
    assert amounts["cancelled"].balance == Decimal("0.00")
    assert all(a.currency == "EUR" for a in amounts.values())


@time_machine.travel(NOW, tick=False)
def test_staff_charts_show_own_hours_and_only_admins_see_invoices_per_currency(ctx):
    staff = factories.make_user(ctx)
    admin = factories.make_admin(ctx)
    project = factories.make_project(ctx)
    factories.make_entry(ctx, project, staff, start=utc(2026, 3, 16, 9), minutes=45)
    factories.make_entry(ctx, project, admin, start=utc(2026, 3, 16, 9), minutes=600)
    factories.make_invoice(ctx, factories.make_client(ctx, currency="EUR"))
    factories.make_invoice(
        ctx, factories.make_client(ctx, currency="GBP"), status=InvoiceStatus.DRAFT
    )

    mine = charts.staff_dashboard_charts(staff, ctx)
    assert mine.invoices is None
    assert mine.weeks[-1].seconds == 45 * 60
    assert mine.weeks_total == Decimal("0.75")

    firm_wide = charts.staff_dashboard_charts(admin, ctx)
    assert firm_wide.weeks[-1].seconds == 600 * 60
    assert firm_wide.invoices is not None
    by_currency = {c.currency: c for c in firm_wide.invoices}
    assert set(by_currency) >= {"EUR", "GBP"}
    gbp = {a.category: a for a in by_currency["GBP"].amounts}
    # Every category has a bar, even an empty one; amounts never mix currencies.
    assert [a.category for a in by_currency["GBP"].amounts] == list(charts.StatusCategory.ORDER)
    assert gbp["draft"].count >= 1
    assert gbp["paid"].count == 0 and gbp["paid"].total == Decimal("0.00")


@pytest.mark.parametrize(
    ("top", "step", "steps"),
    [
        ("0", "1", 4),
        ("0.3", "0.1", 3),
        ("1", "0.2", 5),
        ("2.2", "0.5", 5),
        ("7.5", "2", 4),
        ("22.25", "5", 5),
        ("38", "10", 4),
        ("240", "50", 5),
        ("13300", "5000", 3),
        ("1000000", "200000", 5),
    ],
)
def test_axis_reaches_the_top_in_at_most_five_round_steps(top, step, steps):
    assert charts.axis_scale(Decimal(top)) == (Decimal(step), steps)


def test_bar_chart_scales_bars_from_zero_and_keeps_them_inside_the_plot():
    specs = [
        charts.BarSpec(label, Decimal(v), "", label, "#000")
        for label, v in [("a", "0"), ("b", "10"), ("c", "38")]
    ]
    chart = charts.bar_chart(specs, str)
    bottom, top = chart.bottom, chart.top
    a, b, c = chart.bars
    assert a.height == 0
    assert [t.label for t in chart.ticks] == ["0", "10", "20", "30", "40"]
    assert chart.ticks[0].y == bottom and chart.ticks[-1].y == top
    assert c.y + c.height == pytest.approx(bottom) and c.y > top
    assert c.height / b.height == pytest.approx(3.8, rel=0.01)
    assert all(chart.left <= bar.x and bar.x + bar.width <= chart.right for bar in chart.bars)
    assert not chart.empty
    assert charts.bar_chart([specs[0]], str).empty


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
    assert "<script" not in html.split("</main>")[0]
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
    assert "Invoice amounts" in html and "Draft</th>" in html
    assert ' style="' not in html
