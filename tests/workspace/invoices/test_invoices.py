"""Invoices: arithmetic, creation from time, drafts, sending, payments, locking, cancelling."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tests.conftest import post
from tests.factories import make_client, make_entry, make_invoice, make_project, make_user
from timetracker.billing import invoicing, rules, states
from timetracker.models import Invoice, InvoiceItem, InvoiceStatus, Payment, Settings, TimeEntry

MARCH = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def customer(session):
    return make_client(session, default_hourly_rate=Decimal("100.00"))


@pytest.fixture
def billed(session, customer):
    """A client with 2.5 unbilled hours on one project (rate 80) and 1 on another (default)."""
    staff = make_user(session)
    site = make_project(session, customer, name="Site", hourly_rate=Decimal("80.00"))
    app_ = make_project(session, customer, name="App")
    make_entry(session, site, staff, start=MARCH, minutes=90, notes="Design")
    make_entry(session, site, staff, start=MARCH + dt.timedelta(days=1), minutes=60, notes="Build")
    make_entry(session, app_, staff, start=MARCH + dt.timedelta(days=2), minutes=60, notes="Build")
    make_entry(session, app_, staff, start=MARCH, minutes=600, billable=False)
    return customer


def _invoice(session, number: int) -> Invoice:
    invoice = session.get(Invoice, number)
    session.refresh(invoice)
    return invoice


def _create(browser, customer_id: int, **overrides: str):
    data = {
        "client": customer_id,
        "date_from": "2026-03-01",
        "date_to": "2026-03-31",
        "group_by": "project",
        "from_time": "y",
        "issue_date": "2026-04-01",
        "payment_terms": "30",
        "tax_rate": "20",
    }
    data.update(overrides)
    return post(browser, "/invoices/new", data)


def _new_id(response) -> int:
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(response.headers["Location"].rsplit("/", 1)[1])


# Arithmetic -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("quantity", "price", "amount"),
    [
        ("1.25", "33.33", "41.66"),  # 41.6625
        ("0.50", "0.05", "0.03"),  # 0.025 rounds half up, not to even
        ("3", "19.99", "59.97"),
        ("0.33", "100.00", "33.00"),
    ],
)
def test_line_amount_rounds_half_up_to_cents(quantity, price, amount):
    assert rules.line_amount(Decimal(quantity), Decimal(price)) == Decimal(amount)


@pytest.mark.parametrize(
    ("subtotal", "rate", "tax"),
    [("10.10", "5", "0.51"), ("10.05", "7.5", "0.75"), ("99.99", "19", "19.00"), ("1", "0", "0")],
)
def test_tax_rounds_half_up(subtotal, rate, tax):
    assert rules.tax_for(Decimal(subtotal), Decimal(rate)) == Decimal(tax)


def test_billed_hours_round_up_to_the_settings_minutes():
    assert rules.billed_hours(60 * 61, 15) == Decimal("1.25")
    assert rules.billed_hours(60 * 61, 0) == Decimal("1.02")
    assert rules.billed_hours(0, 15) == Decimal("0.00")


def test_manual_lines_and_tax_give_exact_totals(ctx, customer):
    invoice = invoicing.new_invoice(ctx, customer, tax_rate=Decimal("7.5"))
    invoicing.add_item(ctx, invoice, "Workshop", Decimal("1.25"), Decimal("33.33"))
    invoicing.add_item(ctx, invoice, "Hosting", Decimal("1"), Decimal("10.005"))
    assert [item.unit_price for item in invoice.items] == [Decimal("33.33"), Decimal("10.01")]
    assert invoice.subtotal == Decimal("51.67")
    assert invoice.tax_amount == Decimal("3.88")  # 3.87525
    assert invoice.total == Decimal("55.55")
    ctx.expire_all()
    stored = ctx.get(Invoice, invoice.id)
    assert (stored.subtotal, stored.tax_amount, stored.total) == (
        Decimal("51.67"),
        Decimal("3.88"),
        Decimal("55.55"),
    )


# Creation from time -----------------------------------------------------------------------
def test_invoice_bills_unbilled_time_per_project_at_its_rate(as_admin, session, billed):
    invoice = _invoice(session, _new_id(_create(as_admin, billed.id)))
    lines = session.scalars(
        select(InvoiceItem).where(InvoiceItem.invoice_id == invoice.id).order_by("position")
    ).all()
    assert [(i.description, i.quantity, i.unit_price, i.amount) for i in lines] == [
        ("App", Decimal("1.00"), Decimal("100.00"), Decimal("100.00")),
        ("Site", Decimal("2.50"), Decimal("80.00"), Decimal("200.00")),
    ]
    assert (invoice.subtotal, invoice.tax_amount, invoice.total) == (
        Decimal("300.00"),
        Decimal("60.00"),
        Decimal("360.00"),
    )
    assert invoice.due_date == dt.date(2026, 5, 1)
    assert invoice.status == InvoiceStatus.DRAFT
    unbilled = session.scalar(
        select(func.count(TimeEntry.id)).where(TimeEntry.invoice_item_id.is_(None))
    )
    assert unbilled == 1  # only the non-billable entry


def test_grouping_per_task_and_per_entry(as_admin, session, billed):
    per_task = _invoice(session, _new_id(_create(as_admin, billed.id, group_by="task")))
    descriptions = session.scalars(
        select(InvoiceItem.description).where(InvoiceItem.invoice_id == per_task.id)
    ).all()
    assert sorted(descriptions) == ["App: Build", "Site: Build", "Site: Design"]
    assert post(as_admin, f"/invoices/{per_task.id}/cancel").status_code == 302
    per_entry = _invoice(session, _new_id(_create(as_admin, billed.id, group_by="entry")))
    count = session.scalar(
        select(func.count(InvoiceItem.id)).where(InvoiceItem.invoice_id == per_entry.id)
    )
    assert count == 3


def test_invoice_for_one_project_and_the_settings_rounding(as_admin, session, billed):
    session.merge(Settings(id=1, invoice_rounding_minutes=60, invoice_prefix="AC-"))
    session.flush()
    site = session.scalar(select(InvoiceItem).limit(0))  # noqa: F841 - nothing billed yet
    project_id = session.scalar(select(TimeEntry.project_id).where(TimeEntry.notes == "Design"))
    invoice = _invoice(session, _new_id(_create(as_admin, billed.id, project=str(project_id))))
    assert invoice.number == "AC-2026-0001"
    assert invoice.subtotal == Decimal("240.00")  # 2.5 h rounded up to 3 h at 80


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"tax_rate": "120"}, "The tax rate must be between 0 and 100 percent."),
        ({"tax_rate": "-1"}, "The tax rate must be between 0 and 100 percent."),
        ({"tax_rate": "ten"}, "Enter a number"),
        ({"date_from": "2026-03-31", "date_to": "2026-03-01"}, "must not be before its start"),
        ({"date_from": "2027-01-01", "date_to": "2027-01-31"}, "There is no unbilled billable"),
        ({"client": "999999"}, "Unknown client"),
        ({"project": "999999"}, "Choose projects of the chosen client only"),
        ({"payment_terms": "-3"}, "Payment terms are 0 to 365 days."),
        ({"issue_date": "04.01.2026"}, "Write the date as mm/dd/yyyy (or YYYY-MM-DD)"),
    ],
)
def test_bad_invoice_input_writes_nothing(as_admin, session, billed, overrides, message):
    response = _create(as_admin, billed.id, **overrides)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert session.scalar(select(func.count(Invoice.id))) == 0
    assert (
        session.scalar(
            select(func.count(TimeEntry.id)).where(TimeEntry.invoice_item_id.is_not(None))
        )
        == 0
    )


def test_project_of_another_client_is_refused(as_admin, session, billed):
    foreign = make_project(session, make_client(session))
    response = _create(as_admin, billed.id, project=str(foreign.id))
    assert response.status_code == 400
    assert session.scalar(select(func.count(Invoice.id))) == 0


# Drafts, sending and locking --------------------------------------------------------------
def test_draft_lines_can_be_added_edited_and_removed(as_admin, session, billed):
    invoice_id = _new_id(_create(as_admin, billed.id))
    response = post(
        as_admin,
        f"/invoices/{invoice_id}/items",
        {"item-description": "Hosting", "item-quantity": "12", "item-unit_price": "9.99"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    invoice = _invoice(session, invoice_id)
    assert invoice.subtotal == Decimal("419.88")
    hosting = session.scalar(select(InvoiceItem).where(InvoiceItem.description == "Hosting"))
    response = post(
        as_admin,
        f"/invoices/{invoice_id}/items/{hosting.id}/edit",
        {"description": "Hosting (year)", "quantity": "1", "unit_price": "100"},
    )
    assert response.status_code == 302
    assert _invoice(session, invoice_id).subtotal == Decimal("400.00")
    # Removing a time line frees its entries for billing again.
    site = session.scalar(select(InvoiceItem).where(InvoiceItem.description == "Site"))
    assert post(as_admin, f"/invoices/{invoice_id}/items/{site.id}/delete").status_code == 302
    assert _invoice(session, invoice_id).subtotal == Decimal("200.00")
    freed = session.scalar(
        select(func.count(TimeEntry.id)).where(
            TimeEntry.invoice_item_id.is_(None), TimeEntry.billable.is_(True)
        )
    )
    assert freed == 2


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"item-quantity": "-1", "item-unit_price": "5"}, "The value must be at least 0.01."),
        ({"item-quantity": "1", "item-unit_price": "5$"}, "This amount is in EUR, not $"),
        ({"item-quantity": "1", "item-unit_price": "5.123"}, "at most 2 decimal places"),
    ],
)
def test_bad_lines_write_nothing(as_admin, session, customer, data, message):
    invoice = make_invoice(session, customer, status=InvoiceStatus.DRAFT)
    response = post(as_admin, f"/invoices/{invoice.id}/items", {"item-description": "X", **data})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert (
        len(session.scalars(select(InvoiceItem).where(InvoiceItem.invoice_id == invoice.id)).all())
        == 1
    )


def test_draft_settings_change_the_tax(as_admin, session, customer):
    invoice = make_invoice(session, customer, status=InvoiceStatus.DRAFT, tax_rate="0")
    data = {"issue_date": "2026-03-01", "due_date": "2026-03-15", "tax_rate": "19", "notes": "N"}
    assert post(as_admin, f"/invoices/{invoice.id}/edit", data).status_code == 302
    invoice = _invoice(session, invoice.id)
    assert (invoice.tax_amount, invoice.total) == (Decimal("190.00"), Decimal("1190.00"))
    bad = {**data, "tax_rate": "100.5"}
    assert post(as_admin, f"/invoices/{invoice.id}/edit", bad).status_code == 400
    bad = {**data, "due_date": "2026-02-01"}
    assert post(as_admin, f"/invoices/{invoice.id}/edit", bad).status_code == 400
    assert _invoice(session, invoice.id).tax_rate == Decimal("19.00")


def test_sent_invoice_is_locked(as_admin, session, billed):
    invoice_id = _new_id(_create(as_admin, billed.id))
    assert post(as_admin, f"/invoices/{invoice_id}/send").status_code == 302
    invoice = _invoice(session, invoice_id)
    assert invoice.status == InvoiceStatus.SENT and invoice.sent_at is not None
    item = session.scalar(select(InvoiceItem).where(InvoiceItem.invoice_id == invoice_id))
    attempts = [
        (
            f"/invoices/{invoice_id}/items",
            {"item-description": "X", "item-quantity": "1", "item-unit_price": "1"},
        ),
        (
            f"/invoices/{invoice_id}/items/{item.id}/edit",
            {"description": "X", "quantity": "1", "unit_price": "1"},
        ),
        (f"/invoices/{invoice_id}/items/{item.id}/delete", {}),
        (
            f"/invoices/{invoice_id}/edit",
            {"issue_date": "2026-04-01", "due_date": "2026-04-02", "tax_rate": "0"},
        ),
        (f"/invoices/{invoice_id}/send", {}),
    ]
    for path, data in attempts:
        response = post(as_admin, path, data)
        assert response.status_code == 400, path
        assert "Only a draft invoice can be changed" in response.get_data(as_text=True), path
    invoice = _invoice(session, invoice_id)
    assert (invoice.total, invoice.tax_rate) == (Decimal("360.00"), Decimal("20.00"))
    html = as_admin.get(f"/invoices/{invoice_id}").get_data(as_text=True)
    assert "Add a line" not in html and "Record a payment" in html


def test_empty_draft_cannot_be_sent(as_admin, session, customer):
    response = _create(as_admin, customer.id, from_time="")
    invoice_id = _new_id(response)
    response = post(as_admin, f"/invoices/{invoice_id}/send")
    assert response.status_code == 400
    assert _invoice(session, invoice_id).status == InvoiceStatus.DRAFT


# Payments ---------------------------------------------------------------------------------
def test_partial_then_full_payment_marks_paid(as_admin, session, customer):
    invoice = make_invoice(session, customer)  # 1000 + 20 % = 1200, sent
    pay = {"pay-paid_on": "2026-03-10", "pay-method": "Bank"}
    assert (
        post(
            as_admin, f"/invoices/{invoice.id}/payments", {**pay, "pay-amount": "200.50"}
        ).status_code
        == 302
    )
    invoice = _invoice(session, invoice.id)
    assert (invoice.status, states.balance(invoice)) == (InvoiceStatus.SENT, Decimal("999.50"))
    response = post(as_admin, f"/invoices/{invoice.id}/payments", {**pay, "pay-amount": "999.51"})
    assert response.status_code == 400
    assert "more than the balance" in response.get_data(as_text=True)
    assert (
        post(
            as_admin, f"/invoices/{invoice.id}/payments", {**pay, "pay-amount": "999.50"}
        ).status_code
        == 302
    )
    invoice = _invoice(session, invoice.id)
    assert (invoice.status, states.balance(invoice), invoice.amount_paid) == (
        InvoiceStatus.PAID,
        Decimal("0.00"),
        Decimal("1200.00"),
    )
    assert (
        session.scalar(select(func.count(Payment.id)).where(Payment.invoice_id == invoice.id)) == 2
    )
    response = post(as_admin, f"/invoices/{invoice.id}/payments", {**pay, "pay-amount": "1"})
    assert response.status_code == 400


@pytest.mark.parametrize("amount", ["0", "-5", "abc", ""])
def test_bad_payment_writes_nothing(as_admin, session, customer, amount):
    invoice = make_invoice(session, customer)
    data = {"pay-amount": amount, "pay-paid_on": "2026-03-10"}
    assert post(as_admin, f"/invoices/{invoice.id}/payments", data).status_code == 400
    assert session.scalar(select(func.count(Payment.id))) == 0


def test_payment_on_a_draft_is_refused(as_admin, session, customer):
    invoice = make_invoice(session, customer, status=InvoiceStatus.DRAFT)
    data = {"pay-amount": "10", "pay-paid_on": "2026-03-10"}
    assert post(as_admin, f"/invoices/{invoice.id}/payments", data).status_code == 400
    assert session.scalar(select(func.count(Payment.id))) == 0


# Cancelling -------------------------------------------------------------------------------
def test_cancelling_a_sent_invoice_frees_its_entries(as_admin, session, billed):
    invoice_id = _new_id(_create(as_admin, billed.id))
    post(as_admin, f"/invoices/{invoice_id}/send")
    assert post(as_admin, f"/invoices/{invoice_id}/cancel").status_code == 302
    assert _invoice(session, invoice_id).status == InvoiceStatus.CANCELLED
    locked = select(func.count(TimeEntry.id)).where(TimeEntry.invoice_item_id.is_not(None))
    assert session.scalar(locked) == 0
    # The freed time can be invoiced again, under a new number.
    again = _invoice(session, _new_id(_create(as_admin, billed.id)))
    assert again.total == Decimal("360.00")
    assert again.number == "INV-2026-0002"
    # A cancelled invoice cannot be cancelled again or paid.
    assert post(as_admin, f"/invoices/{invoice_id}/cancel").status_code == 400


def test_invoice_with_payments_cannot_be_cancelled(as_admin, session, customer):
    invoice = make_invoice(session, customer, paid="100.00")
    response = post(as_admin, f"/invoices/{invoice.id}/cancel")
    assert response.status_code == 400
    assert _invoice(session, invoice.id).status == InvoiceStatus.SENT


# Lists ------------------------------------------------------------------------------------
def test_overdue_is_derived_from_due_date_and_balance(as_admin, session, customer):
    today = dt.date.today()
    overdue = make_invoice(
        session, customer, issue_date=today - dt.timedelta(days=40), number="OVER-1"
    )
    make_invoice(
        session,
        customer,
        issue_date=today - dt.timedelta(days=40),
        paid="1200.00",
        status=InvoiceStatus.PAID,
        number="PAID-1",
    )
    make_invoice(session, customer, issue_date=today, number="FRESH-1")
    html = as_admin.get("/invoices?status=overdue").get_data(as_text=True)
    assert "OVER-1" in html and "PAID-1" not in html and "FRESH-1" not in html
    assert "Overdue" in as_admin.get(f"/invoices/{overdue.id}").get_data(as_text=True)
    dashboard = as_admin.get("/dashboard").get_data(as_text=True)
    assert "OVER-1" in dashboard and "FRESH-1" not in dashboard
    assert as_admin.get("/invoices?status=unknown").status_code == 400


def test_money_is_formatted_in_the_invoice_currency(as_admin, session):
    pounds = make_client(session, currency="GBP")
    invoice = make_invoice(session, pounds, items=[("Work", "1", "1234.5")], tax_rate="0")
    html = as_admin.get(f"/invoices/{invoice.id}").get_data(as_text=True)
    assert "£1,234.50" in html


def test_a_line_posted_without_fields_keeps_its_values(as_admin, session, customer):
    invoice = make_invoice(session, customer, status=InvoiceStatus.DRAFT)
    item = invoice.items[0]
    response = post(as_admin, f"/invoices/{invoice.id}/items/{item.id}/edit", {})
    assert response.status_code == 302
    session.refresh(item)
    assert (item.quantity, item.unit_price, item.amount) == (
        Decimal("10.00"),
        Decimal("100.00"),
        Decimal("1000.00"),
    )


def test_the_new_invoice_form_starts_with_the_firms_payment_terms(as_admin, session, customer):
    """The view fills the terms in after the form is made; the field must draw them (a form
    sent back as shown must be valid)."""
    settings = session.scalars(select(Settings)).one()
    settings.payment_terms_days = 21
    session.flush()
    page = as_admin.get(f"/invoices/new?client={customer.id}").get_data(as_text=True)
    assert 'name="payment_terms" required type="number" value="21"' in page
