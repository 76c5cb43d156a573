"""The billing rules as SQL expressions, the twins of :mod:`.rules`.

Statements that use them join ``Project`` (and ``Client`` for rates) themselves. Sums stay in
integers (seconds, cents) so that SQLite, which stores numerics as REAL, and PostgreSQL agree
to the cent.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, ColumnElement, and_, case, cast, func

from timetracker.billing.rules import HOUR
from timetracker.models import Client, Project, TimeEntry


def billable_condition() -> ColumnElement[bool]:
    """Billable time: the entry is billable and so is its project (needs ``Project``)."""
    return and_(TimeEntry.billable.is_(True), Project.billable.is_(True))


def unbilled_condition() -> ColumnElement[bool]:
    """Unbilled time: completed, billable (:func:`billable_condition`) and on no invoice line
    yet (needs ``Project``). The dashboards, the client page, the reports' unbilled view and
    invoicing from time all bill or count this."""
    return and_(
        TimeEntry.end_time.is_not(None), billable_condition(), TimeEntry.invoice_item_id.is_(None)
    )


def rate_cents() -> ColumnElement[int]:
    """The hourly rate in whole cents: the project's, else its client's default (needs
    ``Project`` and ``Client``)."""
    rate = func.coalesce(Project.hourly_rate, Client.default_hourly_rate)
    return cast(func.round(rate * 100), BigInteger)


def entry_value_cents(duration: Any = None, rate: Any = None) -> ColumnElement[int]:
    """One entry's value in cents, rounded half-up (twin of :func:`.rules.value_cents`)."""
    seconds = cast(duration if duration is not None else TimeEntry.duration_seconds, BigInteger)
    return (seconds * (rate if rate is not None else rate_cents()) + HOUR // 2) // HOUR


def billable_seconds_sum() -> ColumnElement[int]:
    """Seconds of billable time in the group."""
    return func.coalesce(
        func.sum(case((billable_condition(), TimeEntry.duration_seconds), else_=0)), 0
    )


def billable_cents_sum() -> ColumnElement[int]:
    """The value of the group's billable time in cents: the sum of its entries' values."""
    return func.coalesce(func.sum(case((billable_condition(), entry_value_cents()), else_=0)), 0)


def seconds_sum() -> ColumnElement[int]:
    return func.coalesce(func.sum(TimeEntry.duration_seconds), 0)
