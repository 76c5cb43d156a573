"""Model rules enforced by the database and the domain functions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from sqlalchemy.exc import IntegrityError

from tests.factories import make_client, make_entry, make_invoice, make_project, make_user
from timetracker.billing import invoicing, rules, states
from timetracker.billing.rules import to_cents
from timetracker.models import InvoiceStatus, TimeEntry, User


def test_email_is_unique_case_insensitively(session):
    make_user(session, email="Someone@Example.com")
    with pytest.raises(IntegrityError), session.begin_nested():
        make_user(session, email="someone@EXAMPLE.com")


def test_email_is_stored_lower_case(session):
    user = make_user(session, email="  MiXeD@Example.COM ")
    assert user.email == "mixed@example.com"


def test_only_one_running_timer_per_user(session):
    project = make_project(session)
    user = make_user(session)
    make_entry(session, project, user, minutes=None)
    with pytest.raises(IntegrityError), session.begin_nested():
        make_entry(session, project, user, minutes=None)
    # Completed entries and other users' timers are fine.
    make_entry(session, project, user, minutes=30)
    make_entry(session, project, make_user(session), minutes=None)


def test_time_entry_copies_its_projects_client(session):
    project = make_project(session)
    entry = make_entry(session, project)
    session.refresh(entry)
    assert entry.client_id == project.client_id


def test_time_entry_with_a_mismatched_client_is_refused(session):
    project = make_project(session)
    other = make_client(session)
    entry = make_entry(session, project)
    with pytest.raises(IntegrityError), session.begin_nested():
        session.execute(
            TimeEntry.__table__.update().where(TimeEntry.id == entry.id).values(client_id=other.id)
        )


def test_naive_datetimes_are_refused(session):
    project = make_project(session)
    with pytest.raises(Exception, match="naive datetime"), session.begin_nested():
        make_entry(session, project, start=dt.datetime(2026, 1, 1, 9))


def test_aware_datetimes_round_trip_in_utc(session):
    project = make_project(session)
    berlin = dt.timezone(dt.timedelta(hours=1))
    entry = make_entry(session, project, start=dt.datetime(2026, 1, 1, 10, tzinfo=berlin))
    session.expire(entry)
    assert entry.start_time == dt.datetime(2026, 1, 1, 9, tzinfo=dt.UTC)
    assert entry.start_time.tzinfo is not None


def test_end_before_start_is_refused_by_the_database(session):
    project = make_project(session)
    entry = make_entry(session, project)
    with pytest.raises(IntegrityError), session.begin_nested():
        session.execute(
            TimeEntry.__table__.update()
            .where(TimeEntry.id == entry.id)
            .values(end_time=entry.start_time - dt.timedelta(hours=1))
        )


@pytest.mark.parametrize(
    ("quantity", "price", "expected"),
    [
        ("1.5", "33.33", "50.00"),  # 49.995 rounds half up
        ("0.25", "10.10", "2.53"),  # 2.525 rounds half up
        ("3", "0.01", "0.03"),
        ("7.77", "129.99", "1010.02"),
    ],
)
def test_line_amount_rounds_half_up_to_cents(quantity, price, expected):
    assert rules.line_amount(Decimal(quantity), Decimal(price)) == Decimal(expected)


def test_tax_rounds_half_up():
    assert rules.tax_for(Decimal("10.05"), Decimal("10")) == Decimal("1.01")  # 1.005
    assert rules.tax_for(Decimal("99.99"), Decimal("19")) == Decimal("19.00")  # 18.9981


def test_money_survives_the_database_exactly(session):
    client = make_client(session)
    invoice = make_invoice(
        session, client, items=[("x", "3", "0.10"), ("y", "1", "0.20")], tax_rate="0"
    )
    session.expire(invoice)
    assert invoice.total == Decimal("0.50")
    assert isinstance(invoice.total, Decimal)
    assert to_cents(Decimal("0.1") + Decimal("0.2")) == Decimal("0.30")


def test_balance_is_total_minus_payments(session):
    invoice = make_invoice(session, make_client(session), paid="150.00")
    assert invoice.total == Decimal("1200.00")
    assert states.balance(invoice) == Decimal("1050.00")


@pytest.mark.parametrize(
    ("status", "paid", "due", "overdue"),
    [
        (InvoiceStatus.SENT, None, dt.date(2026, 3, 19), True),
        (InvoiceStatus.SENT, "100.00", dt.date(2026, 3, 19), True),
        (InvoiceStatus.SENT, None, dt.date(2026, 3, 20), False),  # due today
        (InvoiceStatus.PAID, "1200.00", dt.date(2026, 3, 1), False),
        (InvoiceStatus.DRAFT, None, dt.date(2026, 3, 1), False),
        (InvoiceStatus.CANCELLED, None, dt.date(2026, 3, 1), False),
    ],
)
def test_overdue_is_derived(ctx, status, paid, due, overdue):
    from timetracker import firm

    invoice = make_invoice(
        ctx,
        make_client(ctx),
        status=status,
        paid=paid,
        due_date=due,
        issue_date=dt.date(2026, 2, 1),
    )
    with time_machine.travel(dt.datetime(2026, 3, 20, 12, tzinfo=dt.UTC), tick=False):
        assert states.is_overdue(invoice, firm.today()) is overdue


def test_overdue_uses_the_configured_timezone(ctx):
    from timetracker import firm

    firm.get_settings().timezone = "Pacific/Auckland"  # UTC+13 in March
    invoice = make_invoice(ctx, make_client(ctx), due_date=dt.date(2026, 3, 20))
    with time_machine.travel(dt.datetime(2026, 3, 20, 12, tzinfo=dt.UTC), tick=False):
        # Already 21 March in Auckland.
        assert firm.today() == dt.date(2026, 3, 21)
        assert states.is_overdue(invoice, firm.today()) is True


def test_invoice_numbers_follow_prefix_and_yearly_sequence(ctx):
    from timetracker import firm

    firm.get_settings().invoice_prefix = "ACME-"
    assert invoicing.next_invoice_number(ctx, 2026) == "ACME-2026-0001"
    assert invoicing.next_invoice_number(ctx, 2026) == "ACME-2026-0002"
    assert invoicing.next_invoice_number(ctx, 2027) == "ACME-2027-0001"


def test_user_roles_are_checked_by_the_database(session):
    with pytest.raises(IntegrityError), session.begin_nested():
        make_user(session, role="superuser")


def test_deleting_a_client_with_projects_is_refused(session):
    project = make_project(session)
    client = session.get(type(project).client.property.mapper.class_, project.client_id)
    with pytest.raises(IntegrityError), session.begin_nested():
        session.delete(client)
        session.flush()


def test_user_repr_and_flags(session):
    user = make_user(session, role="admin")
    assert user.is_admin and user.is_staff and not user.is_client_portal_user
    assert isinstance(user, User)
