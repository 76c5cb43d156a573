"""Figures the dashboards chart (billing.summaries): completed time per local week and
invoices per state, one statement each, scoped by the caller."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from tests import factories
from timetracker import firm
from timetracker.billing.periods import week_starts
from timetracker.billing.states import STATE_ORDER, InvoiceState
from timetracker.billing.summaries import invoice_amounts_by_state, weekly_hours
from timetracker.models import Invoice, InvoiceStatus, TimeEntry
from timetracker.workspace.dashboard.queries import dashboard_charts_for as staff_charts

# A Wednesday; the week of 16 March 2026 is "this week".
NOW = dt.datetime(2026, 3, 18, 12, tzinfo=dt.UTC)
TODAY = NOW.date()


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


def test_week_starts_are_the_mondays_of_the_last_twelve_weeks_oldest_first():
    starts = week_starts(dt.date(2026, 3, 18), 12)
    assert len(starts) == 12
    assert starts[-1] == dt.date(2026, 3, 16)
    assert starts[0] == dt.date(2025, 12, 29)
    assert all(d.weekday() == 0 for d in starts)
    assert week_starts(dt.date(2026, 3, 16), 1) == [dt.date(2026, 3, 16)]
    with pytest.raises(ValueError):
        week_starts(dt.date(2026, 3, 16), 0)


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
    before = count_queries.count
    weeks = weekly_hours(ctx, TimeEntry.client_id == client.id, TODAY, 12)
    assert count_queries.count - before == 1

    assert [w.week_start for w in weeks] == week_starts(dt.date(2026, 3, 18), 12)
    assert weeks[-1].seconds == 120 * 60  # 90 + 30 minutes
    assert weeks[-2].seconds == 60 * 60
    assert weeks[0].seconds == 120 * 60
    assert sum(w.seconds for w in weeks) == 300 * 60
    assert weeks[-1].hours == Decimal("2.00")


@time_machine.travel(NOW, tick=False)
def test_invoice_states_split_unpaid_by_due_date_and_drafts_only_when_asked(ctx, count_queries):
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

    before = count_queries.count
    rows = invoice_amounts_by_state(
        ctx, Invoice.client_id == client.id, TODAY, include_drafts=False
    )
    assert count_queries.count - before == 1
    amounts = {a.state: a for a in rows}

    assert set(amounts) == {"not_yet_due", "overdue", "paid", "cancelled"}
    not_yet_due = amounts[InvoiceState.NOT_YET_DUE]
    assert (not_yet_due.count, not_yet_due.total) == (1, Decimal("1200.00"))
    assert not_yet_due.open_balance == Decimal("1200.00")
    overdue = amounts[InvoiceState.OVERDUE]
    assert (overdue.count, overdue.total, overdue.open_balance) == (
        2,
        Decimal("2400.00"),
        Decimal("2200.00"),
    )
    assert (amounts[InvoiceState.PAID].count, amounts[InvoiceState.PAID].open_balance) == (
        1,
        Decimal("0.00"),
    )
    assert amounts[InvoiceState.CANCELLED].open_balance == Decimal("0.00")
    assert all(a.currency == "EUR" for a in rows)
    with_drafts = invoice_amounts_by_state(
        ctx, Invoice.client_id == client.id, TODAY, include_drafts=True
    )
    assert {a.state for a in with_drafts} == set(amounts) | {InvoiceState.DRAFT}


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

    mine = staff_charts(staff, TODAY)
    assert mine.invoices is None
    assert mine.weeks[-1].seconds == 45 * 60
    assert mine.weeks_total == Decimal("0.75")

    firm_wide = staff_charts(admin, TODAY)
    assert firm_wide.weeks[-1].seconds == 600 * 60
    assert firm_wide.invoices is not None
    by_currency = {c.currency: c for c in firm_wide.invoices}
    assert set(by_currency) >= {"EUR", "GBP"}
    gbp = {a.state: a for a in by_currency["GBP"].amounts}
    # Every state has a bar, even an empty one; amounts never mix currencies.
    assert [a.state for a in by_currency["GBP"].amounts] == list(STATE_ORDER)
    assert gbp[InvoiceState.DRAFT].count >= 1
    assert gbp[InvoiceState.PAID].count == 0 and gbp[InvoiceState.PAID].total == Decimal("0.00")
