"""Each rule exists in Python and in SQL; the twins agree on every input, on SQLite and
PostgreSQL alike."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Integer, literal, select
from sqlalchemy.orm import Session

from tests import factories
from timetracker.billing import rules, states
from timetracker.billing.expressions import entry_value_cents
from timetracker.billing.states import STATE_ORDER, InvoiceFilter
from timetracker.models import Invoice, InvoiceStatus

FIXTURES = [HealthCheck.function_scoped_fixture]

# Durations and rates at the limits the columns hold: INTEGER seconds, Numeric(12, 2) rates.
seconds = st.one_of(st.sampled_from([0, 1, 1799, 1800, 1801, 2**31 - 1]), st.integers(0, 2**31 - 1))
rate_cents = st.one_of(st.sampled_from([0, 1, 99, 10_000, 99_999_999]), st.integers(0, 10**8))


def test_value_of_an_entry_rounds_half_up_per_entry() -> None:
    assert rules.time_value(20 * 60, Decimal("100.00")) == Decimal("33.33")
    assert rules.time_value(18, Decimal("1.00")) == Decimal("0.01")  # 0.005 rounds up
    assert rules.time_value(17, Decimal("1.00")) == Decimal("0.00")
    assert rules.hours(18) == Decimal("0.01") and rules.hours(17) == Decimal("0.00")


@given(s=seconds, cents=rate_cents)
def test_value_cents_is_the_exact_product_rounded_half_up(s: int, cents: int) -> None:
    exact = Decimal(s) * Decimal(cents) / 3600
    assert rules.value_cents(s, cents) == int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@settings(suppress_health_check=FIXTURES, max_examples=60)
@given(s=seconds, cents=rate_cents)
def test_sql_value_equals_python_value(session: Session, s: int, cents: int) -> None:
    sql = session.scalar(select(entry_value_cents(literal(s, Integer), literal(cents, Integer))))
    assert int(sql) == rules.value_cents(s, cents)


invoice_shapes = st.tuples(
    st.sampled_from(list(InvoiceStatus)),
    st.integers(0, 10**6),  # total in cents
    st.integers(0, 100),  # percent paid
    st.integers(-40, 40),  # due date relative to today
)


@settings(suppress_health_check=FIXTURES, max_examples=40, deadline=None)
@given(shapes=st.lists(invoice_shapes, min_size=1, max_size=6))
def test_sql_states_and_filters_equal_the_python_ones(session: Session, shapes: list) -> None:
    today = dt.date(2026, 6, 15)
    savepoint = session.begin_nested()
    try:
        customer = factories.make_client(session)
        invoices = []
        for status, total_cents, paid_percent, due in shapes:
            total = Decimal(total_cents) / 100
            paid = (total * paid_percent / 100).quantize(Decimal("0.01"))
            invoice = factories.make_invoice(
                session,
                customer,
                status=status,
                items=[("Work", "1", str(total))],
                tax_rate="0",
                paid=str(paid) if paid else None,
                due_date=today + dt.timedelta(days=due),
                issue_date=today - dt.timedelta(days=60),
            )
            invoices.append(invoice)
        mine = Invoice.client_id == customer.id
        for state in STATE_ORDER:
            in_sql = set(
                session.scalars(
                    select(Invoice.id).where(mine, states.state_condition(state, today))
                )
            )
            in_python = {i.id for i in invoices if states.state_of(i, today) is state}
            assert in_sql == in_python, state
        for which in InvoiceFilter:
            in_sql = set(
                session.scalars(
                    select(Invoice.id).where(mine, states.filter_condition(which, today))
                )
            )
            assert in_sql == {i.id for i in invoices if states.matches(which, i, today)}, which
        labelled = dict(
            session.execute(select(Invoice.id, states.state_expression(today)).where(mine)).all()
        )
        assert labelled == {i.id: states.state_of(i, today).value for i in invoices}
        owed = dict(
            session.execute(select(Invoice.id, states.open_balance_expression()).where(mine)).all()
        )
        assert {k: rules.as_money(v) for k, v in owed.items()} == {
            i.id: states.open_balance(i) for i in invoices
        }
    finally:
        savepoint.rollback()


@pytest.mark.parametrize(
    ("used", "budget", "expected"),
    [("0", "10", 0), ("1.5", "10", 15), ("0.05", "10", 1), ("0.049", "10", 0), ("5", "0", None)],
)
def test_budget_percent_rounds_half_up(used: str, budget: str, expected: int | None) -> None:
    assert rules.percent(Decimal(used), Decimal(budget)) == expected
    assert rules.percent(Decimal(used), None) is None
