"""Invoicing from time: the preview shows exactly the lines the draft gets (hours, amounts,
service periods), writes nothing, and refuses another client's project; lines from time bill
"hours" over their service period and link to the entries they bill; manual lines may have a
unit and a service period; a refused line brings the person back to the form."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tests.conftest import post
from tests.factories import make_client, make_entry, make_invoice, make_project, make_user
from timetracker.models import Invoice, InvoiceItem, InvoiceStatus, Project, Settings, TimeEntry

MARCH = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
LINE = re.compile(
    r'<tr data-testid="preview-line">\s*<td data-label="Description">([^<]*)</td>\s*'
    r'<td data-label="Service period" data-period="([^"]*)">.*?</td>\s*'
    r'<td data-label="Entries" class="num">(\d+)</td>\s*'
    r'<td data-label="Hours" class="num" data-hours="([^"]*)">.*?</td>\s*'
    r"<td[^>]*>.*?</td>\s*"
    r'<td data-label="Amount" class="num" data-amount="([^"]*)">',
    re.S,
)


@pytest.fixture
def customer(session):
    """2.5 h on Site (rate 80) over two days, 1 h and 20 min on App (client rate 100), and
    non-billable time."""
    client = make_client(session, default_hourly_rate=Decimal("100.00"))
    staff = make_user(session)
    site = make_project(session, client, name="Site", hourly_rate=Decimal("80.00"))
    app_ = make_project(session, client, name="App")
    make_entry(session, site, staff, start=MARCH, minutes=90, notes="Design")
    make_entry(session, site, staff, start=MARCH + dt.timedelta(days=1), minutes=60, notes="Build")
    make_entry(session, app_, staff, start=MARCH + dt.timedelta(days=2), minutes=60, notes="Build")
    make_entry(session, app_, staff, start=MARCH + dt.timedelta(days=9), minutes=20, notes="Fix")
    make_entry(session, app_, staff, start=MARCH, minutes=600, billable=False)
    return client


def _project(session, name: str) -> int:
    return session.scalar(select(Project.id).where(Project.name == name))


def _preview_lines(html: str) -> list[tuple[str, str, int, Decimal, Decimal]]:
    return [
        (desc.strip(), period, int(n), Decimal(hours), Decimal(amount))
        for desc, period, n, hours, amount in LINE.findall(html)
    ]


def _draft_lines(session, invoice_id: int) -> list[tuple[str, str, int, Decimal, Decimal]]:
    items = session.scalars(
        select(InvoiceItem).where(InvoiceItem.invoice_id == invoice_id).order_by("position")
    ).all()
    lines = []
    for item in items:
        count = session.scalar(
            select(func.count(TimeEntry.id)).where(TimeEntry.invoice_item_id == item.id)
        )
        assert item.unit == "hours"
        period = f"{item.period_start.isoformat()}/{item.period_end.isoformat()}"
        lines.append((item.description, period, count, item.quantity, item.amount))
    return lines


def _form(client_id: int, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "client": client_id,
        "date_from": "2026-03-01",
        "date_to": "2026-03-31",
        "group_by": "project",
        "from_time": "y",
        "issue_date": "2026-04-01",
        "payment_terms": "30",
        "tax_rate": "20",
    }
    data.update(overrides)
    return data


def _query(client_id: int, **overrides: object) -> dict[str, object]:
    query: dict[str, object] = {
        "client_id": client_id,
        "date_from": "2026-03-01",
        "date_to": "2026-03-31",
        "group_by": "project",
        "tax_rate": "20",
    }
    query.update(overrides)
    return query


def _counts(session) -> tuple[int, int]:
    invoices = session.scalar(select(func.count(Invoice.id)))
    billed = session.scalar(
        select(func.count(TimeEntry.id)).where(TimeEntry.invoice_item_id.is_not(None))
    )
    return invoices, billed


def _created(session, response) -> Invoice:
    assert response.status_code == 302, response.get_data(as_text=True)
    invoice = session.get(Invoice, int(response.headers["Location"].rsplit("/", 1)[1]))
    session.refresh(invoice)
    return invoice


@pytest.mark.parametrize("group_by", ["project", "task", "entry"])
@pytest.mark.parametrize("rounding", [0, 15])
def test_the_preview_shows_exactly_the_lines_the_draft_gets(
    as_admin, session, customer, group_by, rounding
):
    session.merge(Settings(id=1, invoice_rounding_minutes=rounding))
    session.flush()
    response = as_admin.get(
        "/invoices/new/preview", query_string=_query(customer.id, group_by=group_by)
    )
    assert response.status_code == 200
    fragment = response.get_data(as_text=True)
    assert "<html" not in fragment  # a fragment for the page's script
    preview = _preview_lines(fragment)
    assert preview and _counts(session) == (0, 0)  # the preview writes nothing
    # The no-JS path: the form's Preview button shows the same lines on the page.
    page = post(as_admin, "/invoices/new", _form(customer.id, group_by=group_by, preview="Preview"))
    assert page.status_code == 200
    assert _preview_lines(page.get_data(as_text=True)) == preview
    assert _counts(session) == (0, 0)

    invoice = _created(
        session, post(as_admin, "/invoices/new", _form(customer.id, group_by=group_by))
    )
    assert _draft_lines(session, invoice.id) == preview
    if group_by == "entry":  # each line names its day in the firm's one date format
        assert all(re.search(r"\(\d\d/\d\d/\d{4}\)", line[0]) for line in preview), preview
    subtotal = re.search(r'data-testid="preview-subtotal">([^<]*)<', fragment).group(1)
    total = re.search(r'data-testid="preview-total">([^<]*)<', fragment).group(1)
    detail = as_admin.get(f"/invoices/{invoice.id}").get_data(as_text=True)
    assert f'data-testid="subtotal">{subtotal}<' in detail
    assert f'data-testid="total">{total}<' in detail


def test_the_lines_per_project_bill_hours_over_their_service_period(as_admin, session, customer):
    fragment = as_admin.get("/invoices/new/preview", query_string=_query(customer.id)).get_data(
        as_text=True
    )
    assert _preview_lines(fragment) == [
        ("App", "2026-03-04/2026-03-11", 2, Decimal("1.34"), Decimal("134.00")),
        ("Site", "2026-03-02/2026-03-03", 2, Decimal("2.50"), Decimal("200.00")),
    ]
    assert 'data-testid="preview-total">€400.80<' in fragment  # 334.00 + 20 %


def test_the_service_period_is_in_the_firms_timezone(as_admin, session):
    session.merge(Settings(id=1, timezone="America/New_York"))
    client = make_client(session)
    project = make_project(session, client, name="Late")
    # 02:00 UTC on the 2nd is the evening of the 1st in New York.
    make_entry(session, project, start=dt.datetime(2026, 3, 2, 2, tzinfo=dt.UTC), minutes=30)
    make_entry(session, project, start=dt.datetime(2026, 3, 5, 3, 30, tzinfo=dt.UTC), minutes=30)
    invoice = _created(session, post(as_admin, "/invoices/new", _form(client.id)))
    item = session.scalars(select(InvoiceItem).where(InvoiceItem.invoice_id == invoice.id)).one()
    assert (item.period_start, item.period_end) == (dt.date(2026, 3, 1), dt.date(2026, 3, 4))
    html = as_admin.get(f"/invoices/{invoice.id}").get_data(as_text=True)
    assert 'data-testid="service-period" data-period="2026-03-01/2026-03-04"' in html
    assert "1.00 hours" in html


def test_some_projects_only(as_admin, session, customer):
    site = _project(session, "Site")
    fragment = as_admin.get(
        "/invoices/new/preview", query_string=_query(customer.id, project_ids=[str(site)])
    ).get_data(as_text=True)
    assert [line[0] for line in _preview_lines(fragment)] == ["Site"]
    invoice = _created(session, post(as_admin, "/invoices/new", _form(customer.id, project=[site])))
    assert [line[0] for line in _draft_lines(session, invoice.id)] == ["Site"]
    assert invoice.project_id == site  # one project: the invoice names it
    both = [site, _project(session, "App")]
    fragment = as_admin.get(
        "/invoices/new/preview",
        query_string=_query(customer.id, project_ids=",".join(str(p) for p in both)),
    ).get_data(as_text=True)
    assert [line[0] for line in _preview_lines(fragment)] == ["App"]  # Site is billed now


def test_another_clients_project_is_refused_and_nothing_is_written(as_admin, session, customer):
    foreign = make_project(session, make_client(session), name="Foreign")
    make_entry(session, foreign, start=MARCH, minutes=60)
    site = _project(session, "Site")
    response = as_admin.get(
        "/invoices/new/preview", query_string=_query(customer.id, project_ids=[site, foreign.id])
    )
    assert response.status_code == 400
    assert "Choose projects of the chosen client only" in response.get_data(as_text=True)
    for preview in ("", "Preview"):
        data = _form(customer.id, project=[str(site), str(foreign.id)])
        if preview:
            data["preview"] = preview
        response = post(as_admin, "/invoices/new", data)
        assert response.status_code == 400
        html = response.get_data(as_text=True)
        assert 'data-testid="project-error">Choose projects of the chosen client only' in html
        assert _counts(session) == (0, 0)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"client_id": ""}, "Choose a client."),
        ({"client_id": "abc"}, "Choose a client from the list."),
        ({"client_id": "999999"}, "Unknown client"),
        ({"project_ids": "x"}, "Choose projects from the list."),
        ({"date_from": "2026-13-01"}, "not a real calendar date"),
        ({"date_from": "2026-03-31", "date_to": "2026-03-01"}, "must not be before its start"),
        ({"date_to": "10000-01-01"}, "Time to:"),
        ({"group_by": "month"}, "Not a valid choice"),
    ],
)
def test_bad_preview_input_answers_400_with_the_reason(as_admin, session, customer, query, message):
    response = as_admin.get("/invoices/new/preview", query_string={**_query(customer.id), **query})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _counts(session) == (0, 0)


def test_the_preview_says_when_there_is_nothing_to_bill(as_admin, session, customer):
    response = as_admin.get(
        "/invoices/new/preview",
        query_string=_query(customer.id, date_from="2027-01-01", date_to=""),
    )
    assert response.status_code == 200
    assert 'data-testid="preview-empty"' in response.get_data(as_text=True)


def test_the_preview_is_for_administrators(as_staff, customer):
    assert (
        as_staff.get("/invoices/new/preview", query_string=_query(customer.id)).status_code == 403
    )


def test_the_form_offers_the_projects_by_client(as_admin, session, customer):
    other = make_client(session, name="Other Co")
    make_project(session, other, name="Elsewhere")
    page = as_admin.get(f"/invoices/new?client={customer.id}").get_data(as_text=True)
    assert f'data-client="{other.id}" hidden' in page  # shown once that client is chosen
    assert f'data-client="{customer.id}">' in page
    assert "/static/js/invoice_new.js" in page
    assert 'data-preview-url="/invoices/new/preview"' in page


# The entries of a line -----------------------------------------------------------------------
def test_a_line_links_to_the_entries_it_bills(as_admin, as_staff, session, customer):
    invoice = _created(session, post(as_admin, "/invoices/new", _form(customer.id)))
    app_line = session.scalar(
        select(InvoiceItem).where(
            InvoiceItem.invoice_id == invoice.id, InvoiceItem.description == "App"
        )
    )
    html = as_admin.get(f"/invoices/{invoice.id}").get_data(as_text=True)
    link = f"/invoices/{invoice.id}/items/{app_line.id}/entries"
    assert f'<a class="small" href="{link}" data-testid="line-entries">(2 time entries)</a>' in html
    page = as_staff.get(link)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert ">Build<" in text and ">Fix<" in text and ">Design<" not in text
    assert "2 time entries, 1.33 hours worked, billed as 1.34 hours" in text
    other = make_invoice(session, customer)
    assert as_staff.get(f"/invoices/{other.id}/items/{app_line.id}/entries").status_code == 404


# Manual lines --------------------------------------------------------------------------------
def _line(**fields: str) -> dict[str, str]:
    data = {"item-description": "Licences", "item-quantity": "3", "item-unit_price": "10"}
    data.update({f"item-{k}": v for k, v in fields.items()})
    return data


def test_a_manual_line_may_have_a_unit_and_a_service_period(as_admin, session, customer):
    invoice = make_invoice(session, customer, status=InvoiceStatus.DRAFT)
    response = post(
        as_admin,
        f"/invoices/{invoice.id}/items",
        _line(unit="licences", period_start="2026-04-01", period_end="2026-06-30"),
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    item = session.scalar(select(InvoiceItem).where(InvoiceItem.description == "Licences"))
    assert (item.unit, item.period_start, item.period_end) == (
        "licences",
        dt.date(2026, 4, 1),
        dt.date(2026, 6, 30),
    )
    html = as_admin.get(f"/invoices/{invoice.id}").get_data(as_text=True)
    assert "3.00 licences" in html and 'data-period="2026-04-01/2026-06-30"' in html
    # Editing the line can take both away again.
    data = {"description": "Licences", "quantity": "3", "unit_price": "10", "unit": "",
            "period_start": "", "period_end": ""}  # fmt: skip
    assert post(as_admin, f"/invoices/{invoice.id}/items/{item.id}/edit", data).status_code == 302
    session.refresh(item)
    assert (item.unit, item.period_start, item.period_end) == (None, None, None)


@pytest.mark.parametrize(
    ("fields", "message", "focused"),
    [
        ({"period_start": "2026-04-01"}, "first and last day, or neither", "item-period_end"),
        ({"period_end": "2026-04-01"}, "first and last day, or neither", "item-period_start"),
        (
            {"period_start": "2026-04-02", "period_end": "2026-04-01"},
            "must not be before its start",
            "item-period_end",
        ),
        (
            {"period_start": "0999-01-01", "period_end": "2026-04-01"},
            "The date must be",
            "item-period_start",
        ),
        ({"unit": "x" * 21}, "at most 20 characters", "item-unit"),
        ({"quantity": "-1"}, "at least 0.01", "item-quantity"),
    ],
)
def test_a_refused_line_comes_back_at_the_form_with_nothing_written(
    as_admin, session, customer, fields, message, focused
):
    invoice = make_invoice(session, customer, status=InvoiceStatus.DRAFT)
    response = post(as_admin, f"/invoices/{invoice.id}/items", _line(**fields))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html
    # The form's action jumps to it, and the field in error has the focus.
    assert f'action="/invoices/{invoice.id}/items#add-line"' in html
    assert re.search(
        rf'<[^>]*autofocus[^>]*id="{focused}"|<[^>]*id="{focused}"[^>]*autofocus', html
    )
    assert html.count("autofocus") == 1
    assert (
        session.scalar(
            select(func.count(InvoiceItem.id)).where(InvoiceItem.invoice_id == invoice.id)
        )
        == 1
    )
