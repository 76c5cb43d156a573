"""Reports by client and project read whole months from the monthly totals and the partial
months at the ends of their range from the entries: the figures are those the entries give,
for every kind of range, at the UTC month boundaries that the firm's midnight does not share."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from flask import Flask, g

from tests.factories import make_client, make_entry, make_project, make_user
from timetracker.models import Settings
from timetracker.workspace.reports import queries
from timetracker.workspace.reports.forms import ReportRequest

UTC = dt.UTC
#: Moments around the month boundaries of 2026 (Berlin is UTC+1 in winter, +2 in summer).
MOMENTS = [
    dt.datetime(2025, 12, 31, 23, 30, tzinfo=UTC),  # 1 January in Berlin, December in UTC
    dt.datetime(2026, 1, 1, 0, 0, tzinfo=UTC),
    dt.datetime(2026, 1, 15, 9, 0, tzinfo=UTC),
    dt.datetime(2026, 1, 31, 23, 0, tzinfo=UTC),  # Berlin's 1 February, January in UTC
    dt.datetime(2026, 2, 28, 22, 59, tzinfo=UTC),
    dt.datetime(2026, 3, 31, 22, 30, tzinfo=UTC),  # Berlin's 1 April (summer time)
    dt.datetime(2026, 6, 30, 21, 59, tzinfo=UTC),
    dt.datetime(2026, 12, 31, 23, 0, tzinfo=UTC),  # Berlin's 1 January 2027
]
RANGES = [
    (None, None),
    (dt.date(2026, 1, 1), dt.date(2026, 12, 31)),  # a year: whole months and two edges
    (dt.date(2026, 1, 1), dt.date(2026, 1, 31)),  # one month: no whole UTC month
    (dt.date(2026, 1, 16), dt.date(2026, 4, 1)),  # starting and ending mid-month
    (dt.date(2026, 2, 1), None),
    (None, dt.date(2026, 3, 31)),
    (dt.date(2027, 1, 1), dt.date(2027, 12, 31)),  # nothing
]


@pytest.fixture
def berlin(ctx):
    ctx.merge(Settings(id=1, timezone="Europe/Berlin"))
    ctx.flush()
    g.pop("firm_settings", None)
    acme = make_client(ctx, name="Acme", default_hourly_rate=Decimal("100.00"))
    globex = make_client(ctx, name="Globex", currency="GBP", default_hourly_rate=Decimal("55"))
    site = make_project(ctx, acme, name="Site", hourly_rate=Decimal("80.00"))
    free = make_project(ctx, acme, name="Pro bono", billable=False)
    tools = make_project(ctx, globex, name="Tools")
    make_project(ctx, globex, name="Idle")  # no time: no row
    ann, bob = make_user(ctx, name="Ann"), make_user(ctx, name="Bob")
    for i, moment in enumerate(MOMENTS):
        make_entry(ctx, site, ann, start=moment, minutes=17 + i)
        make_entry(ctx, tools, bob, start=moment, minutes=61 + i, billable=i % 3 != 0)
        make_entry(ctx, free, bob, start=moment, minutes=5)
    make_entry(ctx, site, bob, start=MOMENTS[2], minutes=0)  # a group of no time still counts
    # A rate changed after the time was recorded: the totals follow the current rate.
    site.hourly_rate = Decimal("92.50")
    ctx.flush()
    return ctx


def _figures(report: ReportRequest) -> tuple[list[tuple], list[tuple]]:
    rows = [
        (r.key, r.label, r.detail, r.client_id, r.currency, r.seconds, r.billable_seconds, r.cents)
        for r in queries.report_rows(report)
    ]
    totals = [
        (t.currency, t.seconds, t.billable_seconds, t.cents) for t in queries.report_totals(report)
    ]
    return rows, totals


@pytest.mark.parametrize("group", queries.MONTHLY_GROUPS)
@pytest.mark.parametrize(("date_from", "date_to"), RANGES)
def test_the_monthly_totals_give_the_entries_figures(
    berlin, monkeypatch: pytest.MonkeyPatch, group: str, date_from, date_to
) -> None:
    report = ReportRequest("all", group, date_from, date_to, "custom", "html")
    from_months = _figures(report)
    monkeypatch.setattr(queries, "MONTHLY_GROUPS", ())  # every figure from the entries
    from_entries = _figures(report)
    assert from_months == from_entries
    if date_from is None and date_to is None:
        assert len(from_months[0]) == (2 if group == "client" else 3)  # not the idle project


def test_a_page_of_groups_is_the_same_either_way(
    app: Flask, berlin, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = ReportRequest("all", "project", dt.date(2026, 1, 16), None, "custom", "html")
    with app.test_request_context("/reports?page=1"):
        page = queries.report_page(report)
        monkeypatch.setattr(queries, "MONTHLY_GROUPS", ())
        again = queries.report_page(report)
    assert (page.items, page.total) == (again.items, again.total)
    assert page.total == 3
