"""The arithmetic of billing, in plain Python (no database): every other module calls these.

Money is ``Decimal`` rounded half-up to cents. Time is whole seconds.

* Hours shown for any set of entries: the set's seconds / 3600, rounded half-up to two
  decimals once (an entry's own hours likewise).
* The value of an entry: seconds × hourly rate / 3600, rounded half-up to cents, per entry.
  The value of a set of entries is the sum of its entries' values, so every grouping (by
  project, person, client, month, or a CSV summed in a spreadsheet) adds up to the same cent.
  Kept exact in integers: rate in cents × seconds, then one rounding.
* An invoice line: quantity × unit price, rounded half-up; tax: subtotal × rate / 100, rounded
  half-up; total: subtotal + tax; balance: total − payments.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
#: Seconds in an hour: the divisor of every value of time.
HOUR = 3600


def to_cents(value: Decimal | int | str) -> Decimal:
    """Round a money amount half-up to whole cents."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def as_money(value: object) -> Decimal:
    """A money aggregate read from the database (SQLite gives floats) as Decimal cents."""
    return to_cents(Decimal(str(value or 0)))


def from_cents(cents: int | None) -> Decimal:
    """Whole cents (an integer sum) as money."""
    return (Decimal(int(cents or 0)) / 100).quantize(CENT)


def hundredths(seconds: int | None) -> int:
    """Hours in hundredths, rounded half-up: seconds / 36, in integers (fast enough for the
    million rows of an export)."""
    return (2 * int(seconds or 0) + 36) // 72


def hours(seconds: int | None) -> Decimal:
    """Hours with two decimals, rounded half-up."""
    return Decimal(hundredths(seconds)).scaleb(-2)


def rate_in_cents(rate: Decimal) -> int:
    """An hourly rate as whole cents (rates are stored with two decimals)."""
    return int(to_cents(rate) * 100)


def value_cents(seconds: int | None, rate_cents: int) -> int:
    """The value of one entry in cents: seconds × rate / 3600, rounded half-up.

    ``(x + 1800) // 3600`` is x / 3600 rounded half-up for x ≥ 0; the SQL twin is
    :func:`timetracker.billing.expressions.entry_value_cents`.
    """
    return (int(seconds or 0) * rate_cents + HOUR // 2) // HOUR


def time_value(seconds: int | None, rate: Decimal) -> Decimal:
    """The value of one entry as money."""
    return from_cents(value_cents(seconds, rate_in_cents(rate)))


def is_billable(entry_billable: bool, project_billable: bool) -> bool:
    """Time is billable when the entry is and its project is."""
    return bool(entry_billable and project_billable)


def line_amount(quantity: Decimal, unit_price: Decimal) -> Decimal:
    return to_cents(quantity * unit_price)


def tax_for(subtotal: Decimal, rate: Decimal) -> Decimal:
    return to_cents(subtotal * rate / Decimal(100))


def document_totals(amounts: Iterable[Decimal], rate: Decimal) -> tuple[Decimal, Decimal, Decimal]:
    """(subtotal, tax, total) of a document's line amounts at the tax ``rate`` (%): an
    invoice, a quote, or the plan of a draft from time."""
    subtotal = to_cents(sum(amounts, Decimal("0")))
    tax = tax_for(subtotal, rate)
    return subtotal, tax, subtotal + tax


def billed_hours(seconds: int, rounding_minutes: int) -> Decimal:
    """Hours an invoice line bills for ``seconds`` of work, rounded up to whole
    ``rounding_minutes`` (the firm's setting), then up to the hundredth."""
    if rounding_minutes > 0:
        blocks = math.ceil(seconds / (rounding_minutes * 60))
        seconds = blocks * rounding_minutes * 60
    return (Decimal(seconds) / HOUR).quantize(CENT, rounding=ROUND_CEILING)


def percent(used: Decimal, budget: Decimal | None) -> int | None:
    """How much of a budget is used, in whole percent; ``None`` without a budget."""
    if budget is None or budget <= 0:
        return None
    return int((used * 100 / budget).to_integral_value(rounding=ROUND_HALF_UP))
