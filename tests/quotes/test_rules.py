"""The quote rules of ``billing/quotes.py``, called directly: numbers, totals (the invoice
rules to the cent), the state machine, answers and their immutability, the derived states in
Python and SQL, and what an accepted quote becomes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories import make_client, make_portal_user, make_project, make_user
from tests.quotes.conftest import PAST, World, make_quote
from timetracker import firm
from timetracker.billing import invoicing
from timetracker.billing import quote_conversions as conversions
from timetracker.billing import quotes as rules
from timetracker.billing.quotes import (
    Answer,
    Answerer,
    AnswerIsImmutable,
    QuoteError,
    QuoteFilter,
    QuoteState,
)
from timetracker.models import Invoice, InvoiceStatus, Project, Quote, QuoteStatus


def _answerer(user) -> Answerer:  # type: ignore[no-untyped-def]
    return Answerer(user, "198.51.100.4", "TestBrowser/1.0")


# Numbers --------------------------------------------------------------------------------------
def test_numbers_are_prefix_year_and_a_sequence_per_year(ctx: Session) -> None:
    assert [rules.next_quote_number(ctx, 2031) for _ in range(3)] == [
        "Q-2031-0001",
        "Q-2031-0002",
        "Q-2031-0003",
    ]
    assert rules.next_quote_number(ctx, 2032) == "Q-2032-0001"
    firm.get_settings().quote_prefix = "EST-"
    assert rules.next_quote_number(ctx, 2031) == "EST-2031-0004"


def test_a_new_quote_takes_the_client_currency_the_default_validity_and_its_year(
    ctx: Session,
) -> None:
    firm.get_settings().quote_validity_days = 14
    client = make_client(ctx, currency="CHF")
    author = make_user(ctx)
    quote = rules.new_quote(
        ctx, client, title="  Shop   relaunch ", created_by=author, issue_date=dt.date(2033, 12, 30)
    )
    assert quote.number == "Q-2033-0001"
    assert quote.status == QuoteStatus.DRAFT
    assert quote.currency == "CHF"
    assert quote.title == "Shop relaunch"
    assert quote.valid_until == dt.date(2034, 1, 13)
    assert quote.created_by_id == author.id
    assert (quote.subtotal, quote.tax_amount, quote.total) == (Decimal("0.00"),) * 3


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"title": "   "}, "needs a title"),
        ({"title": "x" * 201}, "at most 200"),
        ({"valid_until": dt.date(2030, 1, 1)}, "before its issue date"),
        ({"tax_rate": Decimal("100.01")}, "between 0 and 100"),
        ({"tax_rate": Decimal("-1")}, "between 0 and 100"),
        ({"project": "other"}, "does not belong"),
    ],
)
def test_a_bad_header_is_refused_with_a_reason(ctx: Session, change, message) -> None:  # type: ignore[no-untyped-def]
    client = make_client(ctx)
    values = {"title": "Fine", "issue_date": dt.date(2030, 1, 2), **change}
    if values.get("project") == "other":
        values["project"] = make_project(ctx, make_client(ctx))
    with pytest.raises(QuoteError, match=message):
        rules.new_quote(ctx, client, **values)


# Totals ---------------------------------------------------------------------------------------
LINES = [
    [("A", "0.33", "33.33"), ("B", "1.5", "0.07"), ("C", "7", "19.99")],
    [("Half cents", "0.01", "0.50"), ("More", "3.33", "3.35")],
    [("Big", "99999.99", "1234.56")],
]


@pytest.mark.parametrize("lines", LINES)
@pytest.mark.parametrize("tax", ["0", "7.7", "19", "20", "33.33"])
def test_totals_are_those_of_an_invoice_with_the_same_lines(
    ctx: Session, lines: list[tuple[str, str, str]], tax: str
) -> None:
    client = make_client(ctx)
    quote = rules.new_quote(ctx, client, title="T", tax_rate=Decimal(tax))
    invoice = invoicing.new_invoice(ctx, client, tax_rate=Decimal(tax))
    for description, quantity, price in lines:
        rules.add_item(ctx, quote, description, Decimal(quantity), Decimal(price))
        invoicing.add_item(ctx, invoice, description, Decimal(quantity), Decimal(price))
    assert [i.amount for i in quote.items] == [i.amount for i in invoice.items]
    assert (quote.subtotal, quote.tax_amount, quote.total) == (
        invoice.subtotal,
        invoice.tax_amount,
        invoice.total,
    )
    ctx.expire_all()  # as stored (SQLite keeps numerics as REAL)
    stored = ctx.get(Quote, quote.id)
    assert stored is not None and stored.total == invoice.total


def test_changing_and_removing_lines_and_the_tax_rate_keeps_the_totals(ctx: Session) -> None:
    quote = rules.new_quote(ctx, make_client(ctx), title="T", tax_rate=Decimal("10"))
    first = rules.add_item(ctx, quote, "One", Decimal("2"), Decimal("10.00"))
    rules.add_item(ctx, quote, "Two", Decimal("1"), Decimal("5.55"))
    assert quote.total == Decimal("28.11")  # 25.55 + 2.555 -> 2.56
    rules.update_item(ctx, quote, first, "One", Decimal("3"), Decimal("10.00"))
    assert quote.subtotal == Decimal("35.55")
    rules.remove_item(ctx, quote, first)
    assert quote.subtotal == Decimal("5.55")
    rules.update_draft(
        ctx, quote, quote_client(ctx, quote), title="T", project=None,
        issue_date=quote.issue_date, valid_until=quote.valid_until, tax_rate=Decimal("0"),
        notes=None, terms="Pay on time",
    )  # fmt: skip
    assert (quote.tax_amount, quote.total, quote.terms) == (
        Decimal("0.00"),
        Decimal("5.55"),
        "Pay on time",
    )


def quote_client(session: Session, quote: Quote):  # type: ignore[no-untyped-def]
    from timetracker.models import Client

    return session.get(Client, quote.client_id)


# The state machine ----------------------------------------------------------------------------
def test_sending_locks_the_quote(ctx: Session) -> None:
    quote = rules.new_quote(ctx, make_client(ctx), title="T")
    item = rules.add_item(ctx, quote, "Work", Decimal("1"), Decimal("100"))

    assert rules.mark_sent(ctx, quote, firm.today()) is True
    assert quote.status == QuoteStatus.SENT and quote.sent_at is not None
    client = quote_client(ctx, quote)
    for attempt in (
        lambda: rules.add_item(ctx, quote, "More", Decimal("1"), Decimal("1")),
        lambda: rules.update_item(ctx, quote, item, "Work", Decimal("2"), Decimal("1")),
        lambda: rules.remove_item(ctx, quote, item),
        lambda: rules.delete_draft(ctx, quote),
        lambda: rules.update_draft(
            ctx,
            quote,
            client,
            title="New",
            project=None,
            issue_date=quote.issue_date,
            valid_until=quote.valid_until,
            tax_rate=Decimal("0"),
            notes=None,
            terms=None,
        ),  # fmt: skip
    ):
        with pytest.raises(QuoteError, match="locked"):
            attempt()
    # A second send (a double submission) changes nothing.
    sent_at = quote.sent_at
    assert rules.mark_sent(ctx, quote, firm.today()) is False
    assert quote.sent_at == sent_at and quote.total == Decimal("100.00")


def test_a_quote_without_lines_or_past_its_validity_is_not_sent(ctx: Session) -> None:
    quote = rules.new_quote(ctx, make_client(ctx), title="T", issue_date=PAST, valid_until=PAST)
    with pytest.raises(QuoteError, match="without lines"):
        rules.mark_sent(ctx, quote, firm.today())
    rules.add_item(ctx, quote, "Work", Decimal("1"), Decimal("1"))
    with pytest.raises(QuoteError, match="validity date has passed"):
        rules.mark_sent(ctx, quote, firm.today())
    assert quote.status == QuoteStatus.DRAFT


def test_a_draft_can_be_deleted_with_its_lines(ctx: Session) -> None:
    quote = rules.new_quote(ctx, make_client(ctx), title="T")
    rules.add_item(ctx, quote, "Work", Decimal("1"), Decimal("1"))
    quote_id = quote.id
    rules.delete_draft(ctx, quote)
    assert ctx.scalar(select(Quote).where(Quote.id == quote_id)) is None


# Answers --------------------------------------------------------------------------------------
def test_accepting_records_the_signature_time_address_browser_and_account(
    ctx: Session, world: World
) -> None:
    quote, contact = world.a.open, world.a.contact
    moment = dt.datetime(2026, 5, 4, 10, 30, tzinfo=dt.UTC)
    with time_machine.travel(moment, tick=False):
        done = rules.answer(
            ctx, quote, world.a.client.id, Answer.ACCEPT, _answerer(contact), firm.today(),
            signature="  Alpha   Q.  Contact ",
        )  # fmt: skip
    assert done is True
    assert quote.status == QuoteStatus.ACCEPTED
    assert quote.answered_by_name == "Alpha Q. Contact"
    assert quote.answered_at == moment
    assert quote.answered_by_id == contact.id
    assert quote.answer_ip_address == "198.51.100.4"
    assert quote.answer_user_agent == "TestBrowser/1.0"
    assert quote.decline_reason is None


def test_a_second_answer_changes_nothing(ctx: Session, world: World) -> None:
    quote = world.a.open
    other = make_portal_user(ctx, world.a.client, name="Second Contact")
    assert rules.answer(
        ctx, quote, world.a.client.id, Answer.DECLINE, _answerer(world.a.contact), firm.today(),
        reason="No budget",
    )  # fmt: skip
    before = _answer_of(quote)
    for which in (Answer.ACCEPT, Answer.DECLINE):
        again = rules.answer(
            ctx, quote, world.a.client.id, which, _answerer(other), firm.today(),
            signature="Second Contact", reason="Changed my mind",
        )  # fmt: skip
        assert again is False
        assert _answer_of(quote) == before


def _answer_of(quote: Quote) -> tuple[object, ...]:
    return (
        quote.status,
        quote.answered_at,
        quote.answered_by_id,
        quote.answered_by_name,
        quote.decline_reason,
        quote.answer_ip_address,
    )


@pytest.mark.parametrize("state", ["draft", "expired", "accepted", "declined"])
def test_only_an_open_quote_can_be_answered(ctx: Session, world: World, state: str) -> None:
    quote = world.a.quotes[state]
    before = _answer_of(quote)
    assert not rules.answer(
        ctx, quote, world.a.client.id, Answer.ACCEPT, _answerer(world.a.contact), firm.today(),
        signature="Alpha Contact",
    )  # fmt: skip
    assert _answer_of(quote) == before


def test_another_clients_id_answers_nothing(ctx: Session, world: World) -> None:
    quote = world.b.open
    assert not rules.answer(
        ctx, quote, world.a.client.id, Answer.ACCEPT, _answerer(world.a.contact), firm.today(),
        signature="Alpha Contact",
    )  # fmt: skip
    assert quote.status == QuoteStatus.SENT


@pytest.mark.parametrize(
    ("signature", "reason", "message"),
    [
        ("A", None, "2 to 200"),
        ("x" * 201, None, "2 to 200"),
        ("   ", None, "2 to 200"),
        ("12 34", None, "in letters"),
        ("Ada\u202eeht", None, "control characters"),
        ("Ada\x07 Bell", None, "control characters"),
        (None, "   ", "why you decline"),
        (None, "x" * 2001, "at most 2000"),
    ],
)
def test_bad_signatures_and_reasons_are_refused_and_change_nothing(
    ctx: Session, world: World, signature: str | None, reason: str | None, message: str
) -> None:
    quote = world.a.open
    which = Answer.ACCEPT if signature is not None else Answer.DECLINE
    with pytest.raises(QuoteError, match=message):
        rules.answer(
            ctx, quote, world.a.client.id, which, _answerer(world.a.contact), firm.today(),
            signature=signature, reason=reason,
        )  # fmt: skip
    ctx.expire_all()
    assert ctx.get(Quote, quote.id).status == QuoteStatus.SENT  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("attribute", "value"),
    [
        ("status", QuoteStatus.SENT),
        ("status", QuoteStatus.DECLINED),
        ("answered_by_name", "Someone Else"),
        ("answered_at", dt.datetime(2030, 1, 1, tzinfo=dt.UTC)),
        ("answer_ip_address", "10.0.0.1"),
    ],
)
def test_an_answer_cannot_be_changed_through_the_orm(
    ctx: Session, world: World, attribute: str, value: object
) -> None:
    quote = world.a.quotes["accepted"]
    setattr(quote, attribute, value)
    with pytest.raises(AnswerIsImmutable):
        ctx.flush()


def test_an_answered_quote_cannot_be_deleted(ctx: Session, world: World) -> None:
    ctx.delete(world.a.quotes["declined"])
    with pytest.raises(AnswerIsImmutable):
        ctx.flush()


# Expiry in the firm's timezone ----------------------------------------------------------------
VALID_UNTIL = dt.date(2026, 1, 15)


@pytest.mark.parametrize(
    ("utc", "answerable"),
    [
        # New York is UTC-5 in January: its 15th ends at 05:00 UTC on the 16th.
        (dt.datetime(2026, 1, 16, 4, 59, 59, tzinfo=dt.UTC), True),
        (dt.datetime(2026, 1, 16, 5, 0, 0, tzinfo=dt.UTC), False),
    ],
)
def test_a_quote_expires_when_its_last_day_ends_in_the_firms_timezone(
    ctx: Session, world: World, utc: dt.datetime, answerable: bool
) -> None:
    firm.get_settings().timezone = "America/New_York"
    quote = world.a.open
    quote.valid_until = VALID_UNTIL
    ctx.flush()
    with time_machine.travel(utc, tick=False):
        today = firm.today()
        expected = QuoteState.OPEN if answerable else QuoteState.EXPIRED
        assert rules.state_of(quote, today) is expected
        assert rules.can_be_answered(quote, today) is answerable
        done = rules.answer(
            ctx, quote, world.a.client.id, Answer.ACCEPT, _answerer(world.a.contact), today,
            signature="Alpha Contact",
        )  # fmt: skip
    assert done is answerable
    assert quote.status == (QuoteStatus.ACCEPTED if answerable else QuoteStatus.SENT)


# States: Python and SQL agree -----------------------------------------------------------------
@pytest.mark.parametrize("which", list(QuoteFilter))
def test_each_filter_selects_the_same_quotes_in_sql_and_python(
    ctx: Session, world: World, which: QuoteFilter
) -> None:
    today = firm.today()
    mine = Quote.client_id.in_([world.a.client.id, world.b.client.id])
    in_sql = set(ctx.scalars(select(Quote.id).where(mine, rules.filter_condition(which, today))))
    every = list(ctx.scalars(select(Quote).where(mine)))
    in_python = {q.id for q in every if rules.matches(which, q, today)}
    assert in_sql == in_python
    expected = {
        QuoteFilter.ALL: 10,
        QuoteFilter.DRAFT: 2,
        QuoteFilter.OPEN: 2,
        QuoteFilter.EXPIRED: 2,
        QuoteFilter.ACCEPTED: 2,
        QuoteFilter.DECLINED: 2,
    }
    assert len(in_sql) == expected[which]
    states = dict(ctx.execute(select(Quote.id, rules.state_expression(today)).where(mine)).all())
    assert states == {q.id: rules.state_of(q, today).value for q in every}


# From an accepted quote -----------------------------------------------------------------------
def test_an_accepted_quote_becomes_one_project_with_its_subtotal_as_budget(
    ctx: Session, world: World
) -> None:
    quote = world.a.quotes["accepted"]
    project, created = conversions.create_project(ctx, quote)
    assert created is True
    assert project.client_id == world.a.client.id
    assert project.name == quote.title
    assert project.budget_amount == quote.subtotal == Decimal("300.00")
    assert project.hourly_rate is None  # the client's default rate applies
    assert project.effective_rate(world.a.client) == world.a.client.default_hourly_rate
    assert quote.converted_project_id == project.id

    again, created_again = conversions.create_project(ctx, quote)
    assert (again.id, created_again) == (project.id, False)
    assert ctx.scalar(select(Project.id).where(Project.name.like("Alpha accepted%"))) == project.id


def test_a_taken_project_name_gets_the_quote_number(ctx: Session, world: World) -> None:
    quote = world.a.quotes["accepted"]
    make_project(ctx, world.a.client, name=quote.title.upper())
    project, _ = conversions.create_project(ctx, quote)
    assert project.name == f"{quote.title} ({quote.number})"


def test_an_accepted_quote_becomes_one_draft_invoice_with_its_lines(
    ctx: Session, world: World
) -> None:
    quote = make_quote(
        ctx, world.a.client, status=QuoteStatus.ACCEPTED, tax_rate="19.00",
        items=[("Design", "3", "95.50"), ("Build", "12.25", "80.00")], answered_by=world.a.contact,
    )  # fmt: skip
    invoice, created = conversions.create_invoice(ctx, quote)
    assert created is True
    assert invoice.status == InvoiceStatus.DRAFT
    assert invoice.client_id == world.a.client.id
    assert invoice.currency == quote.currency
    assert invoice.tax_rate == quote.tax_rate
    lines = [(i.description, i.quantity, i.unit_price, i.amount) for i in invoice.items]
    assert lines == [(i.description, i.quantity, i.unit_price, i.amount) for i in quote.items]
    assert (invoice.subtotal, invoice.tax_amount, invoice.total) == (
        quote.subtotal,
        quote.tax_amount,
        quote.total,
    )
    assert quote.converted_invoice_id == invoice.id
    again, created_again = conversions.create_invoice(ctx, quote)
    assert (again.id, created_again) == (invoice.id, False)
    assert ctx.scalar(select(Invoice.id).where(Invoice.notes.like(f"%{quote.number}%"))) == (
        invoice.id
    )


@pytest.mark.parametrize("state", ["draft", "open", "expired", "declined"])
def test_only_an_accepted_quote_becomes_a_project_or_invoice(
    ctx: Session, world: World, state: str
) -> None:
    quote = world.a.quotes[state]
    with pytest.raises(QuoteError, match="accepted"):
        conversions.create_project(ctx, quote)
    with pytest.raises(QuoteError, match="accepted"):
        conversions.create_invoice(ctx, quote)
