"""The statement of account in the billing package: opening, running and closing balances,
checked against the package's own balance figures."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from tests import factories
from tests.conftest import QueryCounter
from timetracker.billing import invoicing, payments, statements, states
from timetracker.billing.statements import MovementKind, StatementError, statement_of
from timetracker.billing.states import InvoiceFilter
from timetracker.models import Client, Invoice, InvoiceStatus
from timetracker.portal.scope import PortalScope

D = Decimal
JAN1, DEC31 = dt.date(2026, 1, 1), dt.date(2026, 12, 31)


def _invoice(session: Session, client: Client, day: dt.date, amount: str, **kw: object) -> Invoice:
    """A sent invoice of exactly ``amount`` (no tax)."""
    return factories.make_invoice(
        session, client, issue_date=day, items=[("Work", "1", amount)], tax_rate="0", **kw
    )


def _issue(session: Session, client: Client, day: dt.date, amount: str) -> Invoice:
    """An invoice made and sent through the billing package."""
    invoice = invoicing.new_invoice(session, client, issue_date=day, tax_rate=D("0"))
    invoicing.add_item(session, invoice, "Work", D("1"), D(amount))
    invoicing.mark_sent(session, invoice)
    return invoice


def test_opening_running_and_closing_balances(ctx: Session) -> None:
    client = factories.make_client(ctx, currency="EUR")
    old = _issue(ctx, client, dt.date(2025, 11, 3), "500.00")
    payments.record_payment(ctx, old, D("200.00"), dt.date(2025, 12, 1))
    payments.record_payment(ctx, old, D("100.00"), dt.date(2026, 2, 10))
    new = _issue(ctx, client, dt.date(2026, 2, 1), "1000.00")
    payments.record_payment(ctx, new, D("1000.00"), dt.date(2026, 3, 5))

    result = statement_of(ctx, client.id, JAN1, dt.date(2026, 3, 31))

    [eur] = result.currencies
    assert eur.currency == "EUR"
    assert eur.opening == D("300.00")  # 500 issued − 200 paid before the start
    assert [
        (m.day, m.kind, m.invoice_number, m.debit, m.credit, m.balance) for m in eur.movements
    ] == [
        (
            dt.date(2026, 2, 1),
            MovementKind.INVOICE,
            new.number,
            D("1000.00"),
            D("0.00"),
            D("1300.00"),
        ),
        (
            dt.date(2026, 2, 10),
            MovementKind.PAYMENT,
            old.number,
            D("0.00"),
            D("100.00"),
            D("1200.00"),
        ),
        (
            dt.date(2026, 3, 5),
            MovementKind.PAYMENT,
            new.number,
            D("0.00"),
            D("1000.00"),
            D("200.00"),
        ),
    ]
    assert eur.closing == D("200.00") == states.balance(old)
    assert (eur.debits, eur.credits) == (D("1000.00"), D("1100.00"))


def test_drafts_and_cancelled_invoices_never_count(ctx: Session) -> None:
    client = factories.make_client(ctx)
    kept = _invoice(ctx, client, dt.date(2026, 3, 1), "100.00")
    _invoice(ctx, client, dt.date(2025, 3, 1), "900.00", status=InvoiceStatus.DRAFT)
    _invoice(ctx, client, dt.date(2026, 3, 2), "800.00", status=InvoiceStatus.DRAFT)
    cancelled = _issue(ctx, client, dt.date(2026, 3, 3), "700.00")
    invoicing.cancel(ctx, cancelled)
    # An old cancelled invoice carrying a payment (from before cancelling refused them).
    _invoice(ctx, client, dt.date(2026, 3, 4), "600.00", status=InvoiceStatus.CANCELLED, paid="50")

    [eur] = statement_of(ctx, client.id, JAN1, DEC31).currencies

    assert [m.invoice_number for m in eur.movements] == [kept.number]
    assert eur.opening == D("0.00") and eur.closing == D("100.00")


def test_first_and_last_day_are_included_and_later_payments_are_not(ctx: Session) -> None:
    client = factories.make_client(ctx)
    start, end = dt.date(2026, 4, 1), dt.date(2026, 4, 30)
    before = _issue(ctx, client, dt.date(2026, 3, 31), "10.00")
    first = _issue(ctx, client, start, "20.00")
    last = _issue(ctx, client, end, "40.00")
    _issue(ctx, client, dt.date(2026, 5, 1), "80.00")
    payments.record_payment(ctx, before, D("1.00"), dt.date(2026, 3, 31))  # opening
    payments.record_payment(ctx, first, D("2.00"), start)
    payments.record_payment(ctx, last, D("4.00"), end)  # a payment on the end date counts
    payments.record_payment(ctx, last, D("8.00"), dt.date(2026, 5, 1))  # after: it does not

    [eur] = statement_of(ctx, client.id, start, end).currencies

    assert eur.opening == D("9.00")
    assert [(m.day, m.kind) for m in eur.movements] == [
        (start, MovementKind.INVOICE),  # an invoice comes before a payment of the same day
        (start, MovementKind.PAYMENT),
        (end, MovementKind.INVOICE),
        (end, MovementKind.PAYMENT),
    ]
    assert eur.closing == D("9.00") + D("20.00") - D("2.00") + D("40.00") - D("4.00")

    one_day = statement_of(ctx, client.id, end, end).currencies[0]
    assert one_day.opening == D("27.00") and one_day.closing == D("63.00")


def test_empty_period_and_a_period_with_only_an_opening_balance(ctx: Session) -> None:
    client = factories.make_client(ctx)
    assert statement_of(ctx, client.id, JAN1, DEC31).currencies == []
    _invoice(ctx, client, dt.date(2025, 6, 1), "123.45", paid="23.45")

    [eur] = statement_of(ctx, client.id, JAN1, DEC31).currencies

    assert eur.movements == [] and eur.opening == eur.closing == D("100.00")


def test_each_currency_has_its_own_running_balance(ctx: Session) -> None:
    client = factories.make_client(ctx, currency="EUR")
    euros = _issue(ctx, client, dt.date(2026, 1, 10), "100.00")
    client.currency = "CHF"  # the client's currency changed; old invoices keep theirs
    francs = _issue(ctx, client, dt.date(2026, 1, 5), "70.00")
    payments.record_payment(ctx, euros, D("40.00"), dt.date(2026, 1, 20))
    payments.record_payment(ctx, francs, D("70.00"), dt.date(2026, 1, 21))

    chf, eur = statement_of(ctx, client.id, JAN1, DEC31).currencies

    assert (chf.currency, [m.balance for m in chf.movements]) == ("CHF", [D("70.00"), D("0.00")])
    assert (eur.currency, [m.balance for m in eur.movements]) == ("EUR", [D("100.00"), D("60.00")])


def test_other_clients_invoices_never_appear(ctx: Session) -> None:
    mine, theirs = factories.make_client(ctx), factories.make_client(ctx)
    _invoice(ctx, theirs, dt.date(2026, 2, 1), "999.00", paid="9.00")
    _invoice(ctx, theirs, dt.date(2025, 2, 1), "999.00")
    assert statement_of(ctx, mine.id, JAN1, DEC31).currencies == []


def _generated(session: Session, client: Client, seed: int) -> list[Invoice]:
    """Invoices over three years: partial and full payments (some after the end date), drafts
    and cancelled ones, made through the billing package."""
    rnd = random.Random(seed)  # noqa: S311 - test data, not secrets
    invoices = []
    for _ in range(14):
        day = dt.date(2025, 1, 1) + dt.timedelta(days=rnd.randrange(0, 1000))
        invoice = invoicing.new_invoice(session, client, issue_date=day, tax_rate=D("19"))
        for _line in range(rnd.randint(1, 3)):
            quantity = D(rnd.randint(1, 900)) / 100
            invoicing.add_item(session, invoice, "Work", quantity, D(rnd.randint(1, 20000)) / 100)
        fate = rnd.random()
        if fate < 0.1:
            continue  # a draft
        invoicing.mark_sent(session, invoice)
        if fate < 0.2:
            invoicing.cancel(session, invoice)
            continue
        paid_on = day
        for _payment in range(rnd.randint(0, 3)):
            left = states.balance(invoice)
            if left <= 0:
                break
            amount = min(left, D(rnd.randint(1, int(left * 100))) / 100)
            paid_on += dt.timedelta(days=rnd.randint(0, 90))
            payments.record_payment(session, invoice, amount, paid_on)
        invoices.append(invoice)
    session.flush()
    return invoices


def _owed_at(invoice: Invoice, end: dt.date) -> Decimal:
    """The billing package's balance of ``invoice`` as it stood at the end of ``end``: total −
    payments up to that day (``states.balance`` of the invoice with only those payments)."""
    if invoice.status not in (InvoiceStatus.SENT, InvoiceStatus.PAID) or invoice.issue_date > end:
        return D("0.00")
    as_then = Invoice(total=invoice.total, status=InvoiceStatus.SENT)
    as_then.amount_paid = sum((p.amount for p in invoice.payments if p.paid_on <= end), D("0.00"))
    return states.balance(as_then)


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_closing_balance_is_the_sum_of_the_open_balances_at_the_end(
    ctx: Session, seed: int
) -> None:
    client = factories.make_client(ctx)
    invoices = _generated(ctx, client, seed)
    assert invoices, "the seed made no issued invoice"
    rnd = random.Random(seed)  # noqa: S311
    for _ in range(5):
        start = dt.date(2025, 1, 1) + dt.timedelta(days=rnd.randrange(0, 900))
        end = start + dt.timedelta(days=rnd.randrange(0, 400))
        parts = statement_of(ctx, client.id, start, end).currencies
        closing = parts[0].closing if parts else D("0.00")
        assert closing == sum((_owed_at(i, end) for i in invoices), D("0.00"))
        opening = parts[0].opening if parts else D("0.00")
        assert opening == sum((_owed_at(i, start - dt.timedelta(days=1)) for i in invoices), D("0"))
        if parts:  # every line moves the balance by its amount
            running = opening
            for m in parts[0].movements:
                running += m.debit - m.credit
                assert m.balance == running


@pytest.mark.parametrize("seed", [5, 6])
def test_closing_balance_today_equals_the_portals_open_balance(ctx: Session, seed: int) -> None:
    """Once every payment is in the period, the closing balance is what the billing package
    says is open: each invoice's ``open_balance``, and the portal's invoice totals."""
    client = factories.make_client(ctx)
    invoices = _generated(ctx, client, seed)
    end = dt.date(2030, 12, 31)  # after every generated payment

    [eur] = statement_of(ctx, client.id, dt.date(2026, 1, 1), end).currencies

    assert eur.closing == sum((states.open_balance(i) for i in invoices), D("0.00"))
    assert eur.closing == PortalScope(client, ctx).invoice_totals(InvoiceFilter.ALL).balance


def test_query_count_does_not_grow_with_invoices(ctx: Session, count_queries: QueryCounter) -> None:
    client = factories.make_client(ctx)
    for day in range(1, 21):
        _invoice(ctx, client, dt.date(2026, 1, day), "10.00", paid="5.00")
    ctx.flush()
    before = count_queries.count
    [eur] = statement_of(ctx, client.id, JAN1, DEC31).currencies
    assert len(eur.movements) == 40
    assert count_queries.count - before == 4


def test_period_is_checked(ctx) -> None:
    statements.check_period(dt.date(2021, 1, 1), dt.date(2025, 12, 31))  # five years
    # The message names the last day allowed in the firm's one date format.
    with pytest.raises(StatementError, match=r"at most 5 years: .* on or before 12/31/2025\."):
        statements.check_period(dt.date(2021, 1, 1), dt.date(2026, 1, 1))
    with pytest.raises(StatementError, match="before its start"):
        statements.check_period(dt.date(2026, 1, 2), dt.date(2026, 1, 1))
    assert statements.latest_end(dt.date(2024, 2, 29)) == dt.date(2029, 2, 28)
    assert statements.latest_end(dt.date(9998, 12, 31)) == dt.date.max
    today = dt.date(2026, 7, 4)
    assert statements.period_for(None, None, today) == (JAN1, today)
    assert statements.period_for(None, dt.date(2025, 3, 9), today) == (
        dt.date(2025, 1, 1),
        dt.date(2025, 3, 9),
    )
    assert statements.period_for(dt.date(2026, 5, 1), None, today) == (dt.date(2026, 5, 1), today)
