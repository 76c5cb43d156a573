"""One fact, one figure: for any data, every screen and document shows the same amounts.

Hypothesis builds a client (several currencies, a default rate with cents), projects (their own
rate or the client's, billable or not), completed entries (durations to the second, billable or
not) and invoices in every state. The expected figures are computed here from the rules as
``docs/billing.md`` states them, entry by entry; then the test reads what the client's portal,
the staff pages, the reports, the CSV exports (summed) and the invoice PDF show, through HTTP
like a person, and requires the same figure, to the cent, everywhere.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import time_machine
from flask import Flask, g
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader
from sqlalchemy.orm import Session

from tests import factories
from tests.conftest import login
from timetracker import formatting
from timetracker.extensions import limiter
from timetracker.models import Client, InvoiceStatus, Project

NOW = dt.datetime(2026, 4, 15, 12, tzinfo=dt.UTC)
FIRST_DAY = dt.date(2026, 2, 1)
DAYS = 59  # entries start on a day in February or March 2026
CENT = Decimal("0.01")

#: Durations at the edges of the roundings (half a cent, half a hundredth of an hour).
EDGE_SECONDS = [1, 17, 18, 19, 35, 36, 1799, 1800, 1801, 3599, 3600, 3601, 5399, 86399]
durations = st.one_of(st.sampled_from(EDGE_SECONDS), st.integers(min_value=1, max_value=36000))
rates = st.integers(min_value=0, max_value=99_999).map(lambda cents: Decimal(cents) / 100)


@dataclass(frozen=True)
class ProjectSpec:
    rate: Decimal | None
    billable: bool


@dataclass(frozen=True)
class EntrySpec:
    project: int
    seconds: int
    day: int
    billable: bool


@dataclass(frozen=True)
class InvoiceSpec:
    state: str
    lines: tuple[tuple[Decimal, Decimal], ...]
    tax_rate: Decimal
    paid_share: int  # percent of the total paid (for partly paid invoices)


lines = st.lists(
    st.tuples(
        st.integers(min_value=1, max_value=100_000).map(lambda n: Decimal(n) / 100),
        st.integers(min_value=0, max_value=99_999).map(lambda n: Decimal(n) / 100),
    ),
    min_size=1,
    max_size=3,
).map(tuple)
invoice_specs = st.builds(
    InvoiceSpec,
    state=st.sampled_from(["draft", "not_yet_due", "overdue", "part_paid", "paid", "cancelled"]),
    lines=lines,
    tax_rate=st.sampled_from([Decimal("0"), Decimal("7.7"), Decimal("19"), Decimal("20.5")]),
    paid_share=st.integers(min_value=1, max_value=99),
)
worlds = st.fixed_dictionaries(
    {
        "currency": st.sampled_from(["EUR", "GBP", "CHF", "USD"]),
        "default_rate": rates,
        "projects": st.lists(
            st.builds(ProjectSpec, rate=st.one_of(st.none(), rates), billable=st.booleans()),
            min_size=1,
            max_size=3,
        ),
        "entries": st.lists(
            st.builds(
                EntrySpec,
                project=st.integers(min_value=0, max_value=2),
                seconds=durations,
                day=st.integers(min_value=0, max_value=DAYS - 1),
                billable=st.booleans(),
            ),
            min_size=1,
            max_size=8,
        ),
        "invoices": st.lists(invoice_specs, max_size=2),
        "period": st.tuples(
            st.integers(min_value=0, max_value=DAYS - 1),
            st.integers(min_value=0, max_value=DAYS - 1),
        ).map(sorted),
    }
)


# The rules, as docs/billing.md states them ----------------------------------------------------
def half_up(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def entry_value(seconds: int, rate: Decimal) -> Decimal:
    """seconds × rate / 3600, rounded half-up to the cent, per entry."""
    return half_up(Decimal(seconds) * rate / 3600)


def hours_of(seconds: int) -> Decimal:
    return half_up(Decimal(seconds) / 3600)


@dataclass
class Figures:
    seconds: int = 0
    billable_seconds: int = 0
    amount: Decimal = Decimal("0.00")

    def add(self, seconds: int, billable: bool, rate: Decimal) -> None:
        self.seconds += seconds
        if billable:
            self.billable_seconds += seconds
            self.amount += entry_value(seconds, rate)


# Reading the pages --------------------------------------------------------------------------
def row_containing(html: str, text: str) -> str:
    rows = [row for row in html.split("<tr")[1:] if text in row]
    assert len(rows) == 1, f"expected one row with {text!r}, found {len(rows)}"
    return rows[0].split("</tr>")[0]


def num_cells(row: str) -> list[str]:
    return [
        re.sub(r"<[^>]+>", "", c).strip()
        for c in re.findall(r'class="num"[^>]*>(.*?)</td>', row, re.S)
    ]


def by_testid(html: str, name: str, end: str = "</") -> str:
    """The text after the element marked ``name`` up to ``end``."""
    match = re.search(rf'data-testid="{name}"[^>]*>(.*?){end}', html, re.S)
    assert match, f"no {name} on the page"
    return match.group(1).strip()


def read_csv(response: Any) -> list[dict[str, str]]:
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def csv_figures(rows: list[dict[str, str]]) -> tuple[Decimal, Decimal, Decimal]:
    """Hours (from the exact seconds), billable hours and amount, summed like a spreadsheet."""
    seconds = sum(int(r["Seconds"]) for r in rows)
    billable = sum(int(r["Seconds"]) for r in rows if r["Billable"] == "yes")
    amount = sum((Decimal(r["Amount"]) for r in rows if r["Amount"]), Decimal("0.00"))
    return hours_of(seconds), hours_of(billable), amount


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


# Building the data --------------------------------------------------------------------------
def build(session: Session, world: dict[str, Any]) -> dict[str, Any]:
    client = factories.make_client(
        session, currency=world["currency"], default_hourly_rate=world["default_rate"]
    )
    projects: list[Project] = [
        factories.make_project(session, client, hourly_rate=p.rate, billable=p.billable)
        for p in world["projects"]
    ]
    worker = factories.make_user(session)
    per_project = {p.id: Figures() for p in projects}
    period = Figures()
    first, last = (FIRST_DAY + dt.timedelta(days=d) for d in world["period"])
    for spec in world["entries"]:
        project = projects[spec.project % len(projects)]
        day = FIRST_DAY + dt.timedelta(days=spec.day)
        start = dt.datetime.combine(day, dt.time(10), tzinfo=dt.UTC)
        entry = factories.make_entry(session, project, worker, start=start, minutes=None)
        entry.billable = spec.billable
        entry.stop(start + dt.timedelta(seconds=spec.seconds))
        billable = spec.billable and project.billable
        rate = (
            project.hourly_rate if project.hourly_rate is not None else client.default_hourly_rate
        )
        per_project[project.id].add(spec.seconds, billable, rate)
        if first <= day <= last:
            period.add(spec.seconds, billable, rate)
    session.flush()
    invoices = [make_invoice(session, client, spec) for spec in world["invoices"]]
    return {
        "client": client,
        "projects": projects,
        "per_project": per_project,
        "period": (first, last, period),
        "invoices": invoices,
    }


def make_invoice(session: Session, client: Client, spec: InvoiceSpec) -> Any:
    subtotal = sum((half_up(q * p) for q, p in spec.lines), Decimal("0.00"))
    total = subtotal + half_up(subtotal * spec.tax_rate / 100)
    status, issued, paid = InvoiceStatus.SENT, dt.date(2026, 4, 1), None
    if spec.state == "draft":
        status = InvoiceStatus.DRAFT
    elif spec.state == "overdue":
        issued = dt.date(2026, 2, 1)  # due 3 March, before NOW
    elif spec.state == "part_paid":
        paid = half_up(total * spec.paid_share / 100)
        paid = paid if Decimal("0") < paid < total else None
    elif spec.state == "paid":
        status, paid = InvoiceStatus.PAID, total if total > 0 else None
    elif spec.state == "cancelled":
        status = InvoiceStatus.CANCELLED
    invoice = factories.make_invoice(
        session,
        client,
        status=status,
        issue_date=issued,
        items=[("Work", str(q), str(p)) for q, p in spec.lines],
        tax_rate=str(spec.tax_rate),
        paid=str(paid) if paid else None,
    )
    owed = total - (paid or 0) if status == InvoiceStatus.SENT else Decimal("0.00")
    assert invoice.total == total  # the factory computed what the rules say
    return invoice, total, max(owed, Decimal("0.00"))


def signed_in(app: Flask, email: str) -> FlaskClient:
    browser = app.test_client()
    response = login(browser, email)
    assert response.status_code == 302
    return browser


# The property -------------------------------------------------------------------------------
@settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(world=worlds)
def test_every_surface_shows_the_same_figures(app: Flask, session: Session, world: dict) -> None:
    # Each example's data lives in a savepoint that is rolled back after it: the requests
    # (same connection) see it, the next example does not.
    savepoint = session.begin_nested()
    try:
        with time_machine.travel(NOW, tick=False):
            check_every_surface(app, session, world)
    finally:
        savepoint.rollback()


def check_every_surface(app: Flask, session: Session, world: dict) -> None:
    if True:
        with app.app_context():
            limiter.reset()
        data = build(session, world)
        client: Client = data["client"]
        contact = factories.make_portal_user(session, client)
        admin = factories.make_admin(session)
        session.flush()
        cur = client.currency
        with app.app_context():
            g.db_session = session
            money = lambda amount: formatting.money(amount, cur)  # noqa: E731
            hours = formatting.hours
            expected_projects = {
                pid: (hours(hours_of(f.seconds)), money(f.amount))
                for pid, f in data["per_project"].items()
            }
            first, last, period = data["period"]
            expected_period = (
                hours(hours_of(period.seconds)),
                hours(hours_of(period.billable_seconds)),
                money(period.amount),
            )
            expected_invoices = [
                (inv.id, money(total), money(owed)) for inv, total, owed in data["invoices"]
            ]
            g.pop("db_session")
        portal = signed_in(app, contact.email)
        staff = signed_in(app, admin.email)

        # A project: the portal's list, the staff project page, the report, both CSVs.
        portal_projects = portal.get("/client-portal/projects").get_data(as_text=True)
        everything = f"date_from={FIRST_DAY.isoformat()}&date_to=2026-03-31"
        by_project = staff.get(f"/reports?group=project&{everything}").get_data(as_text=True)
        for project in data["projects"]:
            figure_hours, figure_amount = expected_projects[project.id]
            f = data["per_project"][project.id]
            cells = num_cells(row_containing(portal_projects, f">{project.name}</a>"))
            assert cells[0] == figure_hours
            assert cells[1] == (figure_amount if project.billable else "Not billable")
            if not project.billable:
                assert f.amount == 0
            page = staff.get(f"/projects/{project.id}").get_data(as_text=True)
            assert f"{figure_hours} hours ({figure_amount} billable)" in page
            if f.seconds:
                cell = f'data-label="Project">{project.name}</td>'
                report = num_cells(row_containing(by_project, cell))
                assert (report[0], report[2]) == (figure_hours, figure_amount)
            else:
                assert f"<td>{project.name} " not in by_project
            portal_csv = read_csv(
                portal.get(f"/client-portal/time-entries.csv?project_id={project.id}")
            )
            staff_csv = read_csv(staff.get(f"/time/export.csv?project={project.id}&user="))
            for rows in (portal_csv, staff_csv):
                csv_hours, _, csv_amount = csv_figures(rows)
                assert (csv_hours, csv_amount) == (hours_of(f.seconds), f.amount)

        # A period: the portal's time list, the report by client, both CSVs, same dates.
        dates = f"date_from={first.isoformat()}&date_to={last.isoformat()}"
        listing = portal.get(f"/client-portal/time-entries?{dates}").get_data(as_text=True)
        totals = by_testid(listing, "totals", "</p>")
        assert f"<strong>{expected_period[0]}</strong> hours" in totals
        assert f"{expected_period[1]} billable" in totals
        assert by_testid(listing, "billable-amount") == expected_period[2]
        report = staff.get(f"/reports?group=client&{dates}").get_data(as_text=True)
        if period.seconds:
            row = row_containing(report, f'<td data-label="Client">{client.name}</td>')
            assert tuple(num_cells(row)) == expected_period
        else:
            assert f'<td data-label="Client">{client.name}</td>' not in report
        for rows in (
            read_csv(portal.get(f"/client-portal/time-entries.csv?{dates}")),
            read_csv(staff.get(f"/time/export.csv?client={client.id}&user=&{dates}")),
        ):
            assert csv_figures(rows) == (
                hours_of(period.seconds),
                hours_of(period.billable_seconds),
                period.amount,
            )

        # An invoice: the portal's page and PDF, the staff page; the list's and the card's sums.
        owed_total = Decimal("0.00")
        for (invoice, _total, owed), (invoice_id, total_text, owed_text) in zip(
            data["invoices"], expected_invoices, strict=True
        ):
            staff_page = staff.get(f"/invoices/{invoice_id}").get_data(as_text=True)
            assert by_testid(staff_page, "total") == total_text
            assert by_testid(staff_page, "balance") == owed_text
            portal_page = portal.get(f"/client-portal/invoices/{invoice_id}")
            if invoice.status == InvoiceStatus.DRAFT:
                assert portal_page.status_code == 404
                continue
            html = portal_page.get_data(as_text=True)
            assert by_testid(html, "total") == total_text
            assert by_testid(html, "balance") == owed_text
            text = pdf_text(portal.get(f"/client-portal/invoices/{invoice_id}/pdf").data)
            assert total_text in text and owed_text in text
            owed_total += owed
        dashboard = portal.get("/client-portal").get_data(as_text=True)
        with app.app_context():
            g.db_session = session
            owed_text = formatting.money(owed_total, cur)
            g.pop("db_session")
        assert re.search(rf'data-stat="outstanding">{re.escape(owed_text)}<', dashboard)
