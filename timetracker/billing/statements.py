"""A client's statement of account: what it owed at the start of a period, each invoice and
payment in the period in date order with the running balance, and what it owed at the end.

Which invoices count: those that were issued to the client, i.e. ``sent`` and ``paid`` (see
:mod:`.states`). Drafts were never issued. A cancelled invoice owes nothing
(:func:`.states.open_balance`), so neither its total nor any payment on it counts — the billing
package refuses to cancel an invoice with payments (:func:`.invoicing.cancel`), so a cancelled
invoice has none; should one have any (data from before that rule), the money is settled
outside the statement, with the invoice.

Invoices and payments carry calendar dates (issue date, payment date) that are already days in
the firm's timezone, so the inclusive period ``date_from..date_to`` (:mod:`.periods`) selects them
as dates. The balance of a period is per currency: an invoice keeps the currency its client had
when it was drafted, and a client's currency may change since, so one client may owe in several.

Sums are taken in SQL in integer cents (SQLite keeps numerics as REAL) and turned into
``Decimal`` money once; four statements whatever the number of invoices and payments.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import BigInteger, ColumnElement, cast, func, select
from sqlalchemy.orm import Session

from timetracker import formatting
from timetracker.billing.rules import ZERO, from_cents
from timetracker.models import Invoice, InvoiceStatus, Payment

#: The longest period a statement covers: it is read (and printed) whole.
MAX_YEARS = 5


class StatementError(ValueError):
    """A period a statement cannot cover; the message is written for the person who chose it."""


class MovementKind(enum.StrEnum):
    INVOICE = "invoice"
    PAYMENT = "payment"


@dataclass(frozen=True)
class Movement:
    """One line of a statement: an invoice issued (a debit) or a payment received (a credit),
    with the balance after it."""

    day: dt.date
    kind: MovementKind
    invoice_id: int
    invoice_number: str
    debit: Decimal
    credit: Decimal
    balance: Decimal


@dataclass(frozen=True)
class CurrencyStatement:
    """The statement in one currency."""

    currency: str
    opening: Decimal
    movements: list[Movement] = field(default_factory=list)

    @property
    def closing(self) -> Decimal:
        return self.movements[-1].balance if self.movements else self.opening

    @property
    def debits(self) -> Decimal:
        return sum((m.debit for m in self.movements), ZERO)

    @property
    def credits(self) -> Decimal:
        return sum((m.credit for m in self.movements), ZERO)


@dataclass(frozen=True)
class Statement:
    client_id: int
    date_from: dt.date
    date_to: dt.date
    #: One per currency with a balance or a movement, in currency order; empty when the client
    #: owed nothing and nothing happened.
    currencies: list[CurrencyStatement]

    @property
    def movement_count(self) -> int:
        return sum(len(c.movements) for c in self.currencies)


# The period ----------------------------------------------------------------------------------
def period_for(
    date_from: dt.date | None, date_to: dt.date | None, today: dt.date
) -> tuple[dt.date, dt.date]:
    """The period a person asked for, either end left out: no end is ``today``; no start is
    the first of January of the end's year (so that by default it is this year to today)."""
    end = date_to or today
    return date_from or end.replace(month=1, day=1), end


def latest_end(date_from: dt.date) -> dt.date:
    """The last day a statement starting on ``date_from`` may cover (:data:`MAX_YEARS`)."""
    if date_from.year + MAX_YEARS > dt.MAXYEAR:
        return dt.date.max
    try:
        after = date_from.replace(year=date_from.year + MAX_YEARS)
    except ValueError:  # 29 February: the period ends on 28 February
        after = date_from.replace(year=date_from.year + MAX_YEARS, day=28) + dt.timedelta(days=1)
    return after - dt.timedelta(days=1)


def check_period(date_from: dt.date, date_to: dt.date) -> None:
    """Refuse a period that ends before it starts or is longer than :data:`MAX_YEARS`."""
    if date_to < date_from:
        raise StatementError(_("The end of the period must not be before its start."))
    if date_to > latest_end(date_from):
        raise StatementError(
            _(
                "A statement covers at most %(years)s years: choose an end on or before %(day)s.",
                years=MAX_YEARS,
                day=formatting.date(latest_end(date_from)),
            )
        )


# SQL -------------------------------------------------------------------------------------------
def counted_condition() -> ColumnElement[bool]:
    """Invoices on a statement: issued and not cancelled (never drafts)."""
    return Invoice.status.in_((InvoiceStatus.SENT, InvoiceStatus.PAID))


def _cents(column: Any) -> ColumnElement[int]:
    return cast(func.round(column * 100), BigInteger)


def statement_of(
    session: Session, client_id: int, date_from: dt.date, date_to: dt.date
) -> Statement:
    """The statement of ``client_id`` from ``date_from`` to ``date_to``, both days included."""
    check_period(date_from, date_to)
    mine = (Invoice.client_id == client_id) & counted_condition()
    invoiced_before = session.execute(
        select(Invoice.currency, func.sum(_cents(Invoice.total)))
        .where(mine, Invoice.issue_date < date_from)
        .group_by(Invoice.currency)
    ).all()
    paid_before = session.execute(
        select(Invoice.currency, func.sum(_cents(Payment.amount)))
        .join(Invoice, Invoice.id == Payment.invoice_id)
        .where(mine, Payment.paid_on < date_from)
        .group_by(Invoice.currency)
    ).all()
    invoices = session.execute(
        select(
            Invoice.issue_date, Invoice.id, Invoice.number, Invoice.currency, _cents(Invoice.total)
        )
        .where(mine, Invoice.issue_date >= date_from, Invoice.issue_date <= date_to)
        .order_by(Invoice.issue_date, Invoice.id)
    ).all()
    payments = session.execute(
        select(
            Payment.paid_on,
            Payment.id,
            Invoice.id,
            Invoice.number,
            Invoice.currency,
            _cents(Payment.amount),
        )
        .join(Invoice, Invoice.id == Payment.invoice_id)
        .where(mine, Payment.paid_on >= date_from, Payment.paid_on <= date_to)
        .order_by(Payment.paid_on, Payment.id)
    ).all()

    opening: dict[str, int] = {}
    for currency, cents in invoiced_before:
        opening[currency] = opening.get(currency, 0) + int(cents or 0)
    for currency, cents in paid_before:
        opening[currency] = opening.get(currency, 0) - int(cents or 0)
    # (day, 0 = invoice before 1 = payment on the same day, id) orders the lines.
    lines: list[tuple[tuple[dt.date, int, int], str, MovementKind, int, str, int]] = [
        ((day, 0, inv_id), cur, MovementKind.INVOICE, inv_id, number, int(cents))
        for day, inv_id, number, cur, cents in invoices
    ]
    lines += [
        ((day, 1, pay_id), cur, MovementKind.PAYMENT, inv_id, number, int(cents))
        for day, pay_id, inv_id, number, cur, cents in payments
    ]
    lines.sort(key=lambda line: line[0])
    currencies = sorted(set(opening) | {line[1] for line in lines})
    return Statement(
        client_id,
        date_from,
        date_to,
        [
            _in_currency(cur, opening.get(cur, 0), (ln for ln in lines if ln[1] == cur))
            for cur in currencies
        ],
    )


def _in_currency(
    currency: str,
    opening_cents: int,
    lines: Iterable[tuple[tuple[dt.date, int, int], str, MovementKind, int, str, int]],
) -> CurrencyStatement:
    running = opening_cents
    movements = []
    for (day, _order, _id), _cur, kind, invoice_id, number, cents in lines:
        running += cents if kind is MovementKind.INVOICE else -cents
        movements.append(
            Movement(
                day=day,
                kind=kind,
                invoice_id=invoice_id,
                invoice_number=number,
                debit=from_cents(cents) if kind is MovementKind.INVOICE else ZERO,
                credit=from_cents(cents) if kind is MovementKind.PAYMENT else ZERO,
                balance=from_cents(running),
            )
        )
    return CurrencyStatement(currency, from_cents(opening_cents), movements)
