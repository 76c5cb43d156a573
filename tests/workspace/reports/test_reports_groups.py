"""The report's groups and totals: one currency per row, totals per currency that are the sum
of the groups and the figures of ``billing.summaries``; the unbilled view; drill-down links that
land on time lists with the group's total; the link to invoice a client's unbilled time."""

from __future__ import annotations

import datetime as dt
import html as htmllib
import re
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from tests.factories import make_client, make_entry, make_invoice, make_project, make_user
from timetracker.billing.summaries import project_figures
from timetracker.models import InvoiceItem, Project
from timetracker.workspace.reports.forms import ReportRequest
from timetracker.workspace.reports.queries import report_rows, report_totals

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
MARCH = "date_from=2026-03-01&date_to=2026-03-31"


def _cells(fragment: str, tag: str = "td") -> list[dict[str, str]]:
    rows = []
    for row in fragment.split("<tr")[1:]:
        cells = re.findall(rf'<{tag}[^>]*data-label="([^"]*)"[^>]*>(.*?)</{tag}>', row, re.S)
        rows.append({k: " ".join(re.sub(r"<[^>]+>", " ", v).split()) for k, v in cells})
    return rows


def rows(page: str) -> list[dict[str, str]]:
    return _cells(page.split("<tbody>")[1].split("</tbody>")[0])


def totals(page: str) -> dict[str, dict[str, str]]:
    if "<tfoot>" not in page:
        return {}
    return {r["Currency"]: r for r in _cells(page.split("<tfoot>")[1].split("</tfoot>")[0])}


def links(page: str, testid: str) -> list[str]:
    return [
        htmllib.unescape(h) for h in re.findall(rf'data-testid="{testid}" href="([^"]+)"', page)
    ]


def _hours(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


def _money(text: str) -> Decimal:
    return Decimal(re.sub(r"[^0-9.]", "", text))


@pytest.fixture
def data(session):
    """Two clients in two currencies; a non-billable entry and a non-billable project; an
    invoiced entry; one entry in April."""
    acme = make_client(session, name="Acme", default_hourly_rate=Decimal("100.00"))
    globex = make_client(session, name="Globex", currency="GBP", default_hourly_rate=Decimal("50"))
    site = make_project(session, acme, name="Site", hourly_rate=Decimal("80.00"))
    shop = make_project(session, acme, name="Shop")
    free = make_project(session, acme, name="Pro bono", billable=False)
    tools = make_project(session, globex, name="Tools")
    ann, bob = make_user(session, name="Ann"), make_user(session, name="Bob")
    invoice = make_invoice(session, acme, items=[("Site work", "1", "80.00")])
    item_id = session.scalar(select(InvoiceItem.id).where(InvoiceItem.invoice_id == invoice.id))
    make_entry(session, site, ann, start=START, minutes=90, notes="Design")  # 120.00
    make_entry(session, site, ann, start=START, minutes=60, notes="Design", invoice_item_id=item_id)
    make_entry(session, shop, ann, start=START, minutes=30, notes="Build")  # 50.00
    make_entry(session, shop, bob, start=START, minutes=60, billable=False, notes="Build")
    make_entry(session, free, bob, start=START, minutes=45, notes="Design")
    make_entry(session, tools, bob, start=START, minutes=121, notes="Design")  # 2.0167 h × 50
    make_entry(session, site, bob, start=START + dt.timedelta(days=40), minutes=600)  # April
    return {"acme": acme, "globex": globex, "ann": ann, "bob": bob, "projects": [site, shop, free]}


def test_rows_have_a_currency_and_totals_per_currency_are_their_sum(as_staff, data):
    for group in ("client", "project", "user", "task"):
        page = as_staff.get(f"/reports?group={group}&{MARCH}").get_data(as_text=True)
        listed, sums = rows(page), totals(page)
        assert set(sums) == {"EUR", "GBP"}
        for currency, total in sums.items():
            mine = [r for r in listed if r["Currency"] == currency]
            for column in ("Hours", "Billable hours"):
                # Hours are rounded once per set of entries: within a hundredth per row.
                diff = abs(sum(_hours(r[column]) for r in mine) - _hours(total[column]))
                assert diff <= Decimal("0.01") * len(mine)
            assert sum(_money(r["Billable amount"]) for r in mine) == _money(
                total["Billable amount"]
            )
        assert _money(sums["EUR"]["Billable amount"]) == Decimal("250.00")  # 120 + 80 + 50
        assert _money(sums["GBP"]["Billable amount"]) == Decimal("100.83")


def test_grouped_by_person_a_person_has_one_row_per_currency(as_staff, data):
    page = as_staff.get(f"/reports?group=user&{MARCH}").get_data(as_text=True)
    assert [(r["Person"], r["Currency"], r["Hours"], r["Billable amount"]) for r in rows(page)] == [
        ("Ann", "EUR", "3.00", "€250.00"),
        ("Bob", "EUR", "1.75", "€0.00"),
        ("Bob", "GBP", "2.02", "£100.83"),
    ]


def test_grouped_by_task_the_notes_are_the_task(as_staff, data):
    page = as_staff.get(f"/reports?group=task&{MARCH}").get_data(as_text=True)
    assert [(r["Task (notes)"], r["Currency"], r["Hours"]) for r in rows(page)] == [
        ("Build", "EUR", "1.50"),
        ("Design", "EUR", "3.25"),
        ("Design", "GBP", "2.02"),
    ]


def test_totals_equal_the_project_figures_of_billing_summaries(ctx, data):
    """One rule, one figure: all of the projects' time, grouped by project, gives the same
    seconds, billable seconds and cents as the project pages and the portal show."""
    projects = data["projects"]
    report = ReportRequest("all", "project", None, None, "all", "html")
    by_project = {r.key: r for r in report_rows(report)}
    figures = project_figures(ctx, projects, None)
    for project in projects:
        row, figure = by_project[project.id], figures[project.id]
        assert (row.seconds, row.billable_seconds, row.cents) == (
            figure.seconds,
            figure.billable_seconds,
            figure.billable_cents,
        )
    eur = next(t for t in report_totals(report) if t.currency == "EUR")
    assert eur.cents == sum(figures[p.id].billable_cents for p in projects)
    assert eur.seconds == sum(figures[p.id].seconds for p in projects)


def test_unbilled_view_keeps_only_billable_time_on_no_invoice(as_staff, data):
    page = as_staff.get(f"/reports?view=unbilled&group=project&{MARCH}").get_data(as_text=True)
    listed = rows(page)
    # Not the invoiced hour on Site, not Bob's non-billable hour on Shop, not "Pro bono".
    assert [(r["Project"], r["Hours"], r["Billable amount"]) for r in listed] == [
        ("Shop", "0.50", "€50.00"),
        ("Site", "1.50", "€120.00"),
        ("Tools", "2.02", "£100.83"),
    ]
    assert _money(totals(page)["EUR"]["Billable amount"]) == Decimal("170.00")
    # Staff may not create invoices: no link for them.
    assert links(page, "invoice-link") == []
    # All dates by default: April's ten hours are unbilled too.
    page = as_staff.get("/reports?view=unbilled&group=client").get_data(as_text=True)
    assert [(r["Client"], r["Hours"]) for r in rows(page)] == [
        ("Acme", "12.00"),
        ("Globex", "2.02"),
    ]


def test_unbilled_view_links_administrators_to_a_new_invoice_for_the_client(as_admin, data):
    page = as_admin.get(f"/reports?view=unbilled&group=client&{MARCH}").get_data(as_text=True)
    targets = links(page, "invoice-link")
    assert [urlsplit(t).path for t in targets] == ["/invoices/new", "/invoices/new"]
    chosen = [parse_qs(urlsplit(t).query)["client"] for t in targets]
    assert chosen == [[str(data["acme"].id)], [str(data["globex"].id)]]
    form = as_admin.get(targets[0]).get_data(as_text=True)
    assert re.search(
        rf'<option selected value="{data["acme"].id}">|value="{data["acme"].id}" selected', form
    )
    # Grouped by person, a row may span clients: no invoice link there.
    page = as_admin.get(f"/reports?view=unbilled&group=user&{MARCH}").get_data(as_text=True)
    assert links(page, "invoice-link") == []


@pytest.mark.parametrize("group", ["client", "project", "user"])
def test_drill_down_lands_on_a_time_list_with_the_groups_hours(as_staff, data, group):
    page = as_staff.get(f"/reports?group={group}&{MARCH}").get_data(as_text=True)
    listed, targets = rows(page), links(page, "drill-down")
    assert len(targets) == len(listed)
    checked = 0
    for row, target in zip(listed, targets, strict=True):
        if group == "user" and row["Person"] == "Bob":
            continue  # Bob's rows are per currency; /time has no currency filter (reported)
        entries = as_staff.get(target)
        assert entries.status_code == 200
        total = re.search(r'data-testid="total-hours">([^<]+)<', entries.get_data(as_text=True))
        assert total and _hours(total.group(1)) == _hours(row["Hours"]), (target, row)
        checked += 1
    assert checked >= 1


def test_task_groups_and_the_unbilled_view_have_no_drill_down(as_staff, data):
    """/time filters neither by notes nor by billable and uninvoiced time: a link would land
    on a list with other entries and another total."""
    for query in (f"group=task&{MARCH}", f"view=unbilled&group=client&{MARCH}"):
        assert links(as_staff.get(f"/reports?{query}").get_data(as_text=True), "drill-down") == []


def test_groups_are_paginated(app, as_staff, session, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 2)
    client = make_client(session, name="Many")
    for name in ("A", "B", "C", "D", "E"):
        make_entry(session, make_project(session, client, name=name), start=START)
    first = as_staff.get(f"/reports?group=project&{MARCH}").get_data(as_text=True)
    last = as_staff.get(f"/reports?group=project&{MARCH}&page=3").get_data(as_text=True)
    assert [r["Project"] for r in rows(first)] == ["A", "B"]
    assert [r["Project"] for r in rows(last)] == ["E"]
    # The totals are those of every group, on every page.
    assert totals(first)["EUR"]["Hours"] == totals(last)["EUR"]["Hours"] == "5.00"
    assert "page=2" in first and "group=project" in first


def test_other_clients_time_does_not_leak_into_a_clients_row(as_staff, session, data):
    """A group's figures are its own: a project of the same name at another client is a
    different row."""
    other = make_client(session, name="Other")
    make_entry(session, make_project(session, other, name="Site"), start=START, minutes=60)
    page = as_staff.get(f"/reports?group=project&{MARCH}").get_data(as_text=True)
    sites = [(r["Client"], r["Hours"]) for r in rows(page) if r["Project"] == "Site"]
    assert sites == [("Acme", "2.50"), ("Other", "1.00")]
    assert session.scalar(
        select(Project.id).where(Project.name == "Site", Project.client_id == other.id)
    )
